"""`runtime synth`: a GGUF file with a real architecture's shapes, Mixtral's vocab and random weights.

Written as llama.cpp's converter writes it (architecture `llama`, stacked `ffn_*_exps`, the router in
F32, a SentencePiece vocab, keys as llama.cpp reads them), streamed in chunks of at most
CHUNK_BYTES so memory stays bounded at real sizes. Every matrix dequantizes to std ≈ 1/sqrt(fan_in):
Q4_0 and Q8_0 as random blocks with scales chosen for it, the other types as random normal weights
quantized; the weights are i.i.d., so the Q/K row order that llama.cpp permutes is immaterial here
(the tests' converter permutes real ones).

Types: F32, F16, Q8_0 and Q4_0 put every matrix in that type (llama.cpp's own Q4_0 and Q8_0 files
would also hold output.weight in Q6_K, and with 8 experts attn_k and attn_v in Q8_0). Q6_K, Q5_K_M,
Q4_K_M, Q3_K_M and Q2_K follow llama.cpp's quantizer (`llama_tensor_get_type` in src/llama-quant.cpp,
read at ggml-org/llama.cpp 007dbbf) for a llama-architecture model with its own output.weight, no
imatrix and no overrides; their matrices are random normal weights quantized by weights.kquants:

- output.weight Q6_K; token_embd.weight the mix's main type (Q6_K, Q5_K, Q4_K, Q3_K, Q2_K);
- attn_v: Q2_K -> Q4_K (grouped-query factor >= 4) or Q3_K; Q3_K_M -> Q5_K on the first two layers,
  Q4_K after; Q4_K_M, Q5_K_M -> Q6_K on the use_more_bits layers (the first and last eighth, and every
  third between); then, with exactly 8 experts (Mixtral 8x7B), Q8_0 whatever the mix;
- attn_k: Q8_0 with exactly 8 experts;
- ffn_down (the expert stack): Q2_K -> Q3_K; Q3_K_M -> Q5_K on the first sixteenth of the layers, Q4_K
  after; Q4_K_M, Q5_K_M -> Q6_K on the use_more_bits layers;
- attn_output: with 8 experts Q5_K for Q2_K, Q3_K_M and Q4_K_M; otherwise Q3_K for Q2_K, Q4_K for Q3_K_M;
- a matrix whose rows are not a multiple of 256 falls back as llama.cpp does (Q2_K, Q3_K -> Q4_0, Q4_K
  -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0; output.weight -> Q8_0), so tiny presets hold no K blocks.

llama.cpp counts attn_v tensors in its loader's order (by layer number) where these rules take the layer
number; both agree. The 70B and Falcon rules do not apply to these architectures and are left out.
"""
import time
from pathlib import Path

import gguf
import numpy as np
import sentencepiece

from .config import ModelConfig
from .model import parameter_shapes
from .weights import kquants
from .weights.names import external_name

Q = gguf.GGMLQuantizationType
F = gguf.LlamaFileType
# --type -> (the file type the header declares, the type of most matrices)
SYNTH_TYPES = {"F32": (F.ALL_F32, Q.F32), "F16": (F.MOSTLY_F16, Q.F16), "Q8_0": (F.MOSTLY_Q8_0, Q.Q8_0),
               "Q4_0": (F.MOSTLY_Q4_0, Q.Q4_0), "Q6_K": (F.MOSTLY_Q6_K, Q.Q6_K),
               "Q5_K_M": (F.MOSTLY_Q5_K_M, Q.Q5_K), "Q4_K_M": (F.MOSTLY_Q4_K_M, Q.Q4_K),
               "Q3_K_M": (F.MOSTLY_Q3_K_M, Q.Q3_K), "Q2_K": (F.MOSTLY_Q2_K, Q.Q2_K)}
K_MIXES = ("Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K")  # llama.cpp's per-tensor rules (module docstring)
# llama.cpp's type for a matrix whose rows are not a multiple of 256 (tensor_type_fallback)
K_FALLBACK = {Q.Q2_K: Q.Q4_0, Q.Q3_K: Q.Q4_0, Q.Q4_K: Q.Q5_0, Q.Q5_K: Q.Q5_1, Q.Q6_K: Q.Q8_0}
CHUNK_BYTES = 64 << 20
# std of the integer levels of a uniformly random block: Q4_0 holds q - 8 (q in 0..15), Q8_0 int8
LEVEL_STD = {Q.Q4_0: float(np.arange(-8, 8).std()), Q.Q8_0: float(np.arange(-128, 128).std())}

_MISTRAL_7B = dict(vocab_size=32000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32,
                   num_attention_heads=32, num_key_value_heads=8, rms_norm_eps=1e-5,
                   max_position_embeddings=32768)
PRESETS = {
    "mixtral-8x7b": dict(_MISTRAL_7B, model_type="mixtral", rope_theta=1e6, num_local_experts=8,
                         num_experts_per_tok=2),
    "mistral-7b": dict(_MISTRAL_7B, model_type="mistral", rope_theta=10000.0, sliding_window=4096),
    "tiny-mixtral": dict(model_type="mixtral", vocab_size=32000, hidden_size=64, intermediate_size=128,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         rope_theta=1e6, max_position_embeddings=4096, num_local_experts=4,
                         num_experts_per_tok=2),
}
GGUF_NAMES = {"mixtral-8x7b": "Mixtral 8x7B Instruct v0.1 (synthetic)",
              "mistral-7b": "Mistral 7B Instruct v0.1 (synthetic)", "tiny-mixtral": "Tiny Mixtral (synthetic)"}

# Mixtral-8x7B-Instruct-v0.1's tokenizer_config.json chat_template.
MIXTRAL_INSTRUCT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}")


def preset_config(preset: str, layers: int | None = None) -> ModelConfig:
    values = dict(PRESETS[preset])
    if layers is not None:
        values["num_hidden_layers"] = layers
    return ModelConfig.from_dict(values)


def mixtral_tokenizer_file() -> Path:
    """mistral-common's copy of the Mixtral / Mistral v1 SentencePiece model."""
    import mistral_common  # deferred: a dev dependency, not installed with the app

    return Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1"


def synth(preset: str, layers: int | None, type_name: str, out: Path, *, seed: int = 0,
          log=lambda line: None) -> dict:
    """Write the synthetic GGUF; returns {path, bytes, seconds, parameters}."""
    return write_synthetic(preset_config(preset, layers), type_name, out, name=GGUF_NAMES[preset], seed=seed,
                           log=log)


def write_synthetic(config: ModelConfig, type_name: str, out: Path, *, name: str, seed: int = 0,
                    log=lambda line: None) -> dict:
    """`synth` for any config (its vocab_size at least the tokenizer's 32000)."""
    started = time.perf_counter()
    writer = gguf.GGUFWriter(str(out), "llama")
    writer.add_name(name)
    writer.add_file_type(SYNTH_TYPES[type_name][0])
    add_model_metadata(writer, config)
    add_sentencepiece_vocab(writer, mixtral_tokenizer_file(), config.vocab_size)
    writer.add_chat_template(MIXTRAL_INSTRUCT_TEMPLATE)
    plan = file_plan(config, type_name)
    for name, (shape, tensor_type) in plan.items():
        writer.add_tensor_info(name, shape, np.dtype(np.float32), tensor_bytes(shape, tensor_type), tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    rng = np.random.default_rng(seed)
    fout = writer.fout[0]
    for name, (shape, tensor_type) in plan.items():
        log(f"{name} {list(shape)} {tensor_type.name}")
        writer.write_padding(fout, fout.tell())
        for chunk in random_tensor_chunks(rng, name, shape, tensor_type):
            fout.write(chunk.data)
        writer.write_padding(fout, tensor_bytes(shape, tensor_type))
    writer.close()
    return {"path": str(out), "bytes": out.stat().st_size, "seconds": time.perf_counter() - started,
            "parameters": sum(int(np.prod(shape)) for shape, _ in plan.values())}


def add_model_metadata(writer: gguf.GGUFWriter, config: ModelConfig) -> None:
    """The `llama.*` keys llama.cpp reads for Llama, Mistral and Mixtral (experts when > 0)."""
    writer.add_vocab_size(config.vocab_size)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(config.num_attention_heads)
    writer.add_head_count_kv(config.num_key_value_heads)
    writer.add_rope_freq_base(config.rope_theta)
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    writer.add_rope_dimension_count(config.head_dim)
    if config.head_dim != config.hidden_size // config.num_attention_heads:
        writer.add_key_length(config.head_dim)
        writer.add_value_length(config.head_dim)
    if config.sliding_window:
        writer.add_sliding_window(config.sliding_window)
    if config.is_moe:
        writer.add_expert_count(config.num_local_experts)
        writer.add_expert_used_count(config.num_experts_per_tok)


def add_sentencepiece_vocab(writer: gguf.GGUFWriter, model_file: Path, vocab_size: int) -> None:
    """Pieces, scores and types as llama.cpp's `_set_vocab_sentencepiece` writes them, with
    <unk> 0, <s> 1, </s> 2 and add_bos (what Mixtral's tokenizer_config.json says)."""
    processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
    tokens, scores, types = [], [], []
    for i in range(processor.vocab_size()):
        tokens.append(processor.id_to_piece(i).encode("utf-8"))
        scores.append(processor.get_score(i))
        types.append(_piece_type(processor, i))
    for i in range(len(tokens), vocab_size):  # a model vocab larger than the tokenizer's
        tokens.append(f"[PAD{i}]".encode())
        scores.append(-1000.0)
        types.append(gguf.TokenType.UNUSED)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(processor.unk_id())
    writer.add_bos_token_id(processor.bos_id())
    writer.add_eos_token_id(processor.eos_id())
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)


def _piece_type(processor, i: int) -> gguf.TokenType:
    if processor.is_unknown(i):
        return gguf.TokenType.UNKNOWN
    if processor.is_control(i):
        return gguf.TokenType.CONTROL
    if processor.is_unused(i):
        return gguf.TokenType.UNUSED
    if processor.is_byte(i):
        return gguf.TokenType.BYTE
    return gguf.TokenType.NORMAL


def tensor_plan(config: ModelConfig, qtype) -> dict[str, tuple[tuple[int, ...], Q]]:
    """GGUF name -> (shape [..., out, in], tensor type) for every tensor of the model, llama.cpp's
    choice of types: norms and the router in F32, every other matrix in `qtype`."""
    plan = {}
    for name, shape in parameter_shapes(config).items():
        keep_f32 = len(shape) == 1 or name.endswith("feed_forward.gate.weight")
        plan[external_name(name, fmt="gguf")] = (shape, Q.F32 if keep_f32 else qtype)
    return plan


def file_plan(config: ModelConfig, type_name: str) -> dict[str, tuple[tuple[int, ...], Q]]:
    """`tensor_plan` for a --type: one type for every matrix, or a K-quant mix's per-tensor types."""
    plan = tensor_plan(config, SYNTH_TYPES[type_name][1])
    if type_name not in K_MIXES:
        return plan
    return {name: (shape, qtype if qtype == Q.F32 else llama_cpp_type(name, shape, config, type_name))
            for name, (shape, qtype) in plan.items()}


def llama_cpp_type(name: str, shape, config: ModelConfig, mix: str) -> Q:
    """The type llama.cpp's quantizer gives matrix `name` [..., out, in] in the K-quant `mix` (rules in the
    module docstring)."""
    kind = name.split(".")[-2]
    if kind == "output":
        return Q.Q6_K if shape[-1] % kquants.QK_K == 0 else Q.Q8_0
    chosen = SYNTH_TYPES[mix][1]
    if name.startswith("blk."):
        chosen = _layer_rule(kind, int(name.split(".")[1]), config, mix) or chosen
    return K_FALLBACK.get(chosen, chosen) if shape[-1] % kquants.QK_K else chosen


def _layer_rule(kind: str, layer: int, config: ModelConfig, mix: str) -> Q | None:
    """llama_tensor_get_type's choice for a layer's tensor; None: the mix's main type."""
    layers, eight_experts = config.num_hidden_layers, config.num_local_experts == 8
    if kind == "attn_v":
        if eight_experts:
            return Q.Q8_0
        if mix == "Q2_K":
            return Q.Q4_K if config.num_attention_heads // config.num_key_value_heads >= 4 else Q.Q3_K
        if mix == "Q3_K_M":
            return Q.Q5_K if layer < 2 else Q.Q4_K
        if mix in ("Q4_K_M", "Q5_K_M") and use_more_bits(layer, layers):
            return Q.Q6_K
    elif kind == "attn_k":
        return Q.Q8_0 if eight_experts else None
    elif kind.startswith("ffn_down"):
        if mix == "Q2_K":
            return Q.Q3_K
        if mix == "Q3_K_M":
            return Q.Q5_K if layer < layers // 16 else Q.Q4_K
        if mix in ("Q4_K_M", "Q5_K_M") and use_more_bits(layer, layers):
            return Q.Q6_K
    elif kind == "attn_output":
        if eight_experts:
            return Q.Q5_K if mix in ("Q2_K", "Q3_K_M", "Q4_K_M") else None
        return {"Q2_K": Q.Q3_K, "Q3_K_M": Q.Q4_K}.get(mix)
    return None


def use_more_bits(layer: int, layers: int) -> bool:
    """llama.cpp's layers that get more bits: the first and last eighth, and every third in between."""
    return layer < layers // 8 or layer >= 7 * layers // 8 or (layer - layers // 8) % 3 == 2


def tensor_bytes(shape, qtype) -> int:
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    return int(np.prod(shape)) // block_size * type_size


def random_tensor_chunks(rng, name: str, shape, qtype):
    """The tensor's bytes in row chunks: norms ≈ 1, matrices with std 1/sqrt(fan_in)."""
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    random_blocks = qtype in LEVEL_STD
    step = max(1, CHUNK_BYTES // (tensor_bytes((cols,), qtype) if random_blocks else cols * 4))
    std = 1.0 / np.sqrt(cols)
    for start in range(0, rows, step):
        count = min(step, rows - start)
        if len(shape) == 1:
            yield rng.uniform(0.8, 1.2, cols).astype(np.float32)
        elif random_blocks:
            yield random_quant_blocks(rng, count * cols // gguf.GGML_QUANT_SIZES[qtype][0], qtype, std)
        else:
            yield encode(rng.standard_normal((count, cols), dtype=np.float32) * std, qtype)


def encode(weights: np.ndarray, qtype) -> np.ndarray:
    """Float weights [rows, cols] in `qtype`: floats, K-quant blocks or the gguf package's blocks."""
    if qtype in (Q.F32, Q.F16):
        return weights.astype(np.float16 if qtype == Q.F16 else np.float32)
    if qtype in kquants.K_TYPES:
        return kquants.quantize(weights, qtype)
    return gguf.quants.quantize(weights, qtype)


def random_quant_blocks(rng, n_blocks: int, qtype, std: float) -> np.ndarray:
    """Q4_0 / Q8_0 blocks [n, type_size] of uniform random levels; each block's fp16 scale is
    std / LEVEL_STD[qtype] times a factor in [0.5, 1.5)."""
    _, type_size = gguf.GGML_QUANT_SIZES[qtype]
    blocks = rng.integers(0, 256, (n_blocks, type_size), dtype=np.uint8)
    scales = (rng.random(n_blocks, dtype=np.float32) + 0.5) * (std / LEVEL_STD[qtype])  # [n]
    blocks[:, :2] = scales.astype(np.float16).view(np.uint8).reshape(n_blocks, 2)
    return blocks
