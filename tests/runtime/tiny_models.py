"""Tiny random models for tests: a transformers model, and the same weights written to a GGUF file by
the `gguf` writer as llama.cpp's converter does (Q/K rows permuted, a byte-level BPE vocab, chatml).
Mixtral and Mistral go through a `save_pretrained` folder, converted to GGUF from the folder's files.
"""
import gguf
import numpy as np
import torch

from runtime.weights.gguf import permute_rope_rows

CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] "
          "+ '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

HF_TO_GGUF = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "lm_head.weight": "output.weight",
    "input_layernorm.weight": "attn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight",
    "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight",
    "self_attn.o_proj.weight": "attn_output.weight",
    "post_attention_layernorm.weight": "ffn_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight",
    "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.down_proj.weight": "ffn_down.weight",
}


def tiny_llama(seed=0, *, vocab_size=None, hidden_size=64, layers=2, heads=4, kv_heads=2, tie=False):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=vocab_size or byte_vocab_size(), hidden_size=hidden_size, intermediate_size=hidden_size * 2,
        num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
        max_position_embeddings=256, rope_theta=10000.0, rms_norm_eps=1e-5, tie_word_embeddings=tie)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # random norms, so that a wrong norm cannot pass unnoticed
        for name, param in model.named_parameters():
            if "norm" in name:
                param.uniform_(0.5, 1.5)
    return model


def gguf_name(hf_name: str) -> str:
    if hf_name in HF_TO_GGUF:
        return HF_TO_GGUF[hf_name]
    _, _, layer, rest = hf_name.split(".", 3)
    return f"blk.{layer}.{HF_TO_GGUF[rest]}"


def write_llama_gguf(model, path, *, qtype=gguf.GGMLQuantizationType.F32):
    """Write `model` (a transformers LlamaForCausalLM) to `path` as llama.cpp's converter would."""
    from runtime.config import ModelConfig
    from runtime.synth import add_model_metadata

    config = model.config
    writer = gguf.GGUFWriter(str(path), "llama")
    add_model_metadata(writer, ModelConfig.from_dict(config.to_dict()))
    add_byte_bpe_vocab(writer, config.vocab_size)
    state = model.state_dict()
    if config.tie_word_embeddings:
        state.pop("lm_head.weight", None)
    for hf_name, tensor in state.items():
        array = rope_layout(hf_name, tensor, config).float().numpy()
        add_tensor(writer, gguf_name(hf_name), array, qtype if array.ndim == 2 else gguf.GGMLQuantizationType.F32)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def rope_layout(hf_name: str, tensor: torch.Tensor, config) -> torch.Tensor:
    if hf_name.endswith("q_proj.weight"):
        return permute_rope_rows(tensor, config.num_attention_heads)
    if hf_name.endswith("k_proj.weight"):
        return permute_rope_rows(tensor, config.num_key_value_heads)
    return tensor


def add_tensor(writer, name: str, array: np.ndarray, qtype) -> None:
    if qtype == gguf.GGMLQuantizationType.F32:
        writer.add_tensor(name, array.astype(np.float32))
    elif qtype == gguf.GGMLQuantizationType.F16:
        writer.add_tensor(name, array.astype(np.float16))
    else:  # the gguf package's quantizers, and ours for the K-quants it cannot write
        from runtime.synth import encode

        writer.add_tensor(name, encode(array, qtype), raw_dtype=qtype)


def byte_tokens() -> list[str]:
    """GPT-2's 256 byte-level symbols, in byte order."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    mapping, extra = {}, 0
    for b in range(256):
        if b in printable:
            mapping[b] = chr(b)
        else:
            mapping[b] = chr(256 + extra)
            extra += 1
    return [mapping[b] for b in range(256)]


def byte_vocab_size() -> int:
    return len(SPECIAL_TOKENS) + 256


def add_byte_bpe_vocab(writer, vocab_size: int) -> None:
    """A byte-level BPE vocab with no merges: specials, then the 256 bytes (padded to vocab_size)."""
    tokens = SPECIAL_TOKENS + byte_tokens()
    tokens += [f"<|unused{i}|>" for i in range(vocab_size - len(tokens))]
    types = [gguf.TokenType.CONTROL] * len(SPECIAL_TOKENS) + [gguf.TokenType.NORMAL] * 256
    types += [gguf.TokenType.UNUSED] * (vocab_size - len(types))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges([])
    writer.add_bos_token_id(0)
    writer.add_eos_token_id(2)
    writer.add_chat_template(CHATML)


# Mixtral and Mistral: transformers models saved as Hugging Face folders, and GGUF files converted
# from those folders as llama.cpp's convert_hf_to_gguf.py does.

def tiny_mixtral(seed=0, *, vocab_size=128, hidden_size=64, layers=2, heads=4, kv_heads=2, experts=4, top_k=2,
                 intermediate_size=96, sliding_window=None):
    from transformers import MixtralConfig, MixtralForCausalLM

    torch.manual_seed(seed)
    config = MixtralConfig(
        vocab_size=vocab_size, hidden_size=hidden_size, intermediate_size=intermediate_size,
        num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
        num_local_experts=experts, num_experts_per_tok=top_k, max_position_embeddings=256,
        rope_theta=1e6, rms_norm_eps=1e-5, sliding_window=sliding_window, tie_word_embeddings=False)
    return _randomised(MixtralForCausalLM(config).eval())


def tiny_mistral(seed=0, *, vocab_size=128, hidden_size=64, layers=2, heads=4, kv_heads=2, sliding_window=8):
    from transformers import MistralConfig, MistralForCausalLM

    torch.manual_seed(seed)
    config = MistralConfig(
        vocab_size=vocab_size, hidden_size=hidden_size, intermediate_size=hidden_size * 2,
        num_hidden_layers=layers, num_attention_heads=heads, num_key_value_heads=kv_heads,
        max_position_embeddings=256, rope_theta=10000.0, rms_norm_eps=1e-5, sliding_window=sliding_window)
    return _randomised(MistralForCausalLM(config).eval())


def _randomised(model):
    """Random norms (a wrong norm cannot pass unnoticed) and a router with well separated logits (a
    rounding difference cannot flip a near tie between experts)."""
    with torch.no_grad():
        for name, param in model.named_parameters():
            if "norm" in name:
                param.uniform_(0.5, 1.5)
            elif name.endswith("mlp.gate.weight"):
                param.normal_(0.0, 1.0)
    return model


def save_hf_folder(model, folder, *, dtype=torch.float32, shard_size="100KB", tokenizer=False):
    """`save_pretrained` into `folder` (sharded, with an index), optionally with Mixtral's tokenizer."""
    import json
    import shutil

    from transformers.utils import logging

    from runtime.synth import MIXTRAL_INSTRUCT_TEMPLATE, mixtral_tokenizer_file

    logging.disable_progress_bar()
    model.to(dtype).save_pretrained(folder, max_shard_size=shard_size)
    model.to(torch.float32)
    if tokenizer:
        shutil.copy(mixtral_tokenizer_file(), folder / "tokenizer.model")
        (folder / "tokenizer_config.json").write_text(json.dumps({
            "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True,
            "add_eos_token": False, "chat_template": MIXTRAL_INSTRUCT_TEMPLATE}))
    return folder


def hf_folder_tensors(folder):
    """Every tensor of a saved folder, by its file name."""
    import json

    from safetensors.torch import load_file

    index = folder / "model.safetensors.index.json"
    shards = sorted(set(json.loads(index.read_text())["weight_map"].values())) if index.exists() else [
        "model.safetensors"]
    tensors = {}
    for shard in shards:
        tensors.update(load_file(folder / shard))
    return tensors


def stack_experts(state: dict) -> dict:
    """Per-expert tensors (`...w1.5`) stacked into [E, out, in] (`...w1`), as llama.cpp's converter does."""
    from runtime.weights.names import split_expert_name

    stacked, rest = {}, {}
    for name, tensor in state.items():
        split = split_expert_name(name)
        if split:
            stacked.setdefault(split[0], {})[split[1]] = tensor
        else:
            rest[name] = tensor
    rest.update({name: torch.stack([experts[e] for e in sorted(experts)]) for name, experts in stacked.items()})
    return rest


def write_gguf_from_folder(folder, path, *, per_expert=False, qtype=gguf.GGMLQuantizationType.F32):
    """A GGUF of a Llama/Mistral/Mixtral folder as llama.cpp writes it: experts stacked into ffn_*_exps
    (or, with per_expert, the ffn_*.{E} layout of early Mixtral files), Q/K rows permuted, router and
    norms in F32; the SentencePiece vocab and chat template when the folder has tokenizer.model."""
    import json

    from runtime.config import ModelConfig
    from runtime.synth import MIXTRAL_INSTRUCT_TEMPLATE, add_model_metadata, add_sentencepiece_vocab
    from runtime.weights.names import external_name, internal_name

    config = ModelConfig.from_dict(json.loads((folder / "config.json").read_text()))  # unchecked: tests lie
    state = {internal_name(name, fmt="hf"): t.float() for name, t in hf_folder_tensors(folder).items()}
    if not per_expert:
        state = stack_experts(state)
    writer = gguf.GGUFWriter(str(path), "llama")
    add_model_metadata(writer, config)
    if (folder / "tokenizer.model").exists():
        add_sentencepiece_vocab(writer, folder / "tokenizer.model", config.vocab_size)
        writer.add_chat_template(MIXTRAL_INSTRUCT_TEMPLATE)
    for name, tensor in state.items():
        if name.endswith("attention.wq.weight"):
            tensor = permute_rope_rows(tensor, config.num_attention_heads)
        elif name.endswith("attention.wk.weight"):
            tensor = permute_rope_rows(tensor, config.num_key_value_heads)
        keep_f32 = tensor.ndim == 1 or name.endswith("feed_forward.gate.weight")
        add_tensor(writer, external_name(name, fmt="gguf"), tensor.numpy(),
                   gguf.GGMLQuantizationType.F32 if keep_f32 else qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
