"""Load a model from a GGUF file or a Hugging Face folder into a ready `Transformer`.

Tensors are read one at a time (memory-mapped), renamed through `weights.names`, checked against the
shapes the config implies (a mismatch names the file and the tensor), and assigned without copies.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from .config import ModelConfig, check_experts, config_from_gguf_metadata
from .errors import ModelFileError, UnsupportedModelError
from .model import Transformer
from .weights.gguf import GGUFFile, unpermute_rope_rows
from .weights.names import split_expert_name

Progress = Callable[[float, str], None]
GGUF_ARCHITECTURES = ("llama",)


@dataclass
class LoadedModel:
    path: Path
    config: ModelConfig
    model: Transformer
    tokenizer: object
    chat_encoder: object
    quantization: str
    dtype: torch.dtype = torch.float32  # the compute dtype (activations, KV cache)


def load_model(path, *, dtype=torch.float32, device="cpu", progress: Progress | None = None,
               quantize: str | None = None) -> LoadedModel:
    """`quantize`: None keeps float weights in `dtype` (GGUF blocks dequantized); "auto" keeps a GGUF's
    quantized tensors quantized (and picks by memory for a folder, see `hf_quantization`); "int8" or
    "int4" quantize a folder's float weights at load. Quantized models compute in bf16 on CPU."""
    path = Path(path)
    report = progress or (lambda fraction, phrase: None)
    if path.is_dir():
        from .weights.hf_folder import load_hf_folder

        return load_hf_folder(path, dtype=dtype, device=device, progress=report, quantize=quantize)
    if not path.exists():
        raise ModelFileError(path, "no such file or folder")
    return load_gguf(path, dtype=dtype, device=device, progress=report, quantize=quantize)


def quantized_compute_dtype(device) -> torch.dtype:
    """bf16: the int4/int8 kernels want bf16 activations (fp32 ones make them 8-30× slower)."""
    return torch.bfloat16


def load_gguf(path: Path, *, dtype, device, progress: Progress, quantize: str | None = None) -> LoadedModel:
    from .chat_template import chat_encoder_for
    from .tokenizer import tokenizer_from_gguf

    progress(0.0, "Reading the model file")
    file = GGUFFile(path)
    if file.architecture not in GGUF_ARCHITECTURES:
        raise UnsupportedModelError(path, f"architecture {file.architecture!r} is not supported (Octet runs llama, "
                                          "Mistral and Mixtral models)")
    tokenizer = tokenizer_from_gguf(file.metadata, path)
    config = config_from_gguf_metadata(file.metadata, vocab_size=tokenizer.vocab_size)
    check_shapes(config, _gguf_shapes(file), path)  # before any weight is read
    quantization = _gguf_quantization(file)
    keep_quantized = quantize is not None and quantization not in ("F32", "F16", "BF16")
    if keep_quantized and device == "cpu":
        dtype = quantized_compute_dtype(device)
    state = read_gguf_weights(file, config, dtype, progress, quantized=keep_quantized and device == "cpu")
    model = build_model(config, state, path, device)
    chat = chat_encoder_for(tokenizer, file.metadata.get("tokenizer.chat_template"))
    return LoadedModel(path, config, model, tokenizer, chat, quantization=quantization, dtype=dtype)


def read_gguf_weights(file: GGUFFile, config: ModelConfig, dtype, progress: Progress, *,
                      quantized: bool = False) -> dict:
    """The model's tensors by its own names, RoPE rows unpermuted, experts stacked: dequantized to
    `dtype`, or with `quantized` the quantized ones as QuantizedWeight / QuantizedExperts (mapped)."""
    from .quant_gguf import is_quantized

    names = file.tensor_names()
    state = {}
    for count, (file_name, name) in enumerate(names.items()):
        if quantized and is_quantized(file.tensors[file_name].tensor_type):
            state[name] = _gguf_quantized(file, file_name, name, config)
            file.release(file_name)  # the quantized weight holds its own copy (regrouped or converted)
        else:
            state[name] = _gguf_tensor(file, file_name, name, config, dtype)
        progress(0.05 + 0.9 * (count + 1) / len(names), "Loading weights")
    return _stack_experts(state)


def _gguf_quantized(file: GGUFFile, file_name: str, name: str, config: ModelConfig):
    """A QuantizedWeight (or QuantizedExperts for an [E, out, in] stack) on the file's blocks."""
    from .quant import QuantizedExperts
    from .quant_gguf import gguf_weight

    raw, qtype, in_features = file.raw(file_name), file.tensors[file_name].tensor_type, file.shape(file_name)[-1]
    raw = _rope_rows(name, raw, config)
    if raw.ndim == 3:
        return QuantizedExperts([gguf_weight(raw[e], qtype, in_features) for e in range(raw.shape[0])])
    return gguf_weight(raw, qtype, in_features, for_rows=name == "tok_embeddings.weight")


def _rope_heads(name: str, config: ModelConfig) -> int | None:
    """How many heads llama.cpp permuted the rows of this tensor for (Q and K); None for the others."""
    if name.endswith("attention.wq.weight"):
        return config.num_attention_heads
    if name.endswith("attention.wk.weight"):
        return config.num_key_value_heads
    return None


def _rope_rows(name: str, tensor, config: ModelConfig):
    heads = _rope_heads(name, config)
    return tensor if heads is None else unpermute_rope_rows(torch.from_numpy(tensor.copy()), heads).numpy()


def _gguf_tensor(file: GGUFFile, file_name: str, name: str, config: ModelConfig, dtype) -> torch.Tensor:
    tensor = file.load(file_name, dtype)
    heads = _rope_heads(name, config)
    return tensor if heads is None else unpermute_rope_rows(tensor, heads)


def _gguf_quantization(file: GGUFFile) -> str:
    from collections import Counter

    counts = Counter(t.tensor_type.name for t in file.tensors.values() if len(t.shape) > 1)
    return counts.most_common(1)[0][0] if counts else "F32"


def _stack_experts(state: dict) -> dict:
    """Per-expert tensors (`...w1.5`) stacked into [E, out, in] (`...w1`), in expert order."""
    stacked, rest = {}, {}
    for name, tensor in state.items():
        split = split_expert_name(name)
        if split:
            stacked.setdefault(split[0], {})[split[1]] = tensor
        else:
            rest[name] = tensor
    for name, experts in stacked.items():
        ordered = [experts[e] for e in sorted(experts)]
        if isinstance(ordered[0], torch.Tensor):
            rest[name] = torch.stack(ordered)
        else:
            from .quant import QuantizedExperts

            rest[name] = QuantizedExperts(ordered)
    return rest


def build_model(config: ModelConfig, state: dict, path: Path, device) -> Transformer:
    """A Transformer holding `state`, after checking every tensor is there with the right shape."""
    with torch.device("meta"):
        model = Transformer(config)
    if "output.weight" not in state and "tok_embeddings.weight" in state:
        state["output.weight"] = state["tok_embeddings.weight"]  # tied embeddings
    check_shapes(config, {name: tuple(t.shape) for name, t in state.items()}, path)
    from .quant import install_quantized

    install_quantized(model, {name: t for name, t in state.items() if not isinstance(t, torch.Tensor)})
    expected = model.state_dict()
    model.load_state_dict({k: state[k].to(device) for k in expected}, assign=True, strict=True)
    return model.eval()


def load_text_side(path) -> tuple[object, object]:
    """(tokenizer, chat encoder) of a model, without reading its weights."""
    from .chat_template import chat_encoder_for
    from .tokenizer import tokenizer_from_gguf

    path = Path(path)
    if path.is_dir():
        from .weights.hf_folder import load_hf_text_side

        return load_hf_text_side(path)
    file = GGUFFile(path)
    tokenizer = tokenizer_from_gguf(file.metadata, path)
    return tokenizer, chat_encoder_for(tokenizer, file.metadata.get("tokenizer.chat_template"))


def inspect_model(path) -> dict:
    """What `runtime info` shows: the config, parameter counts and quantization, with every tensor's
    shape checked against the config, but no weights read."""
    path = Path(path)
    if path.is_dir():
        from .weights.hf_folder import inspect_hf_folder

        return inspect_hf_folder(path)
    if not path.exists():
        raise ModelFileError(path, "no such file or folder")
    file = GGUFFile(path)
    if file.architecture not in GGUF_ARCHITECTURES:
        raise UnsupportedModelError(path, f"architecture {file.architecture!r} is not supported")
    vocab = len(file.metadata.get("tokenizer.ggml.tokens", []))
    config = config_from_gguf_metadata(file.metadata, vocab_size=vocab)
    check_shapes(config, _gguf_shapes(file), path)
    return describe(path, "gguf", config, _gguf_quantization(file))


def _gguf_shapes(file: GGUFFile) -> dict:
    """The model's tensor shapes as the file declares them, experts stacked; no weight is read."""
    return _stack_shapes({name: file.shape(file_name) for file_name, name in file.tensor_names().items()})


def _stack_shapes(shapes: dict) -> dict:
    stacked, rest = {}, {}
    for name, shape in shapes.items():
        split = split_expert_name(name)
        if split:
            stacked.setdefault(split[0], []).append(shape)
        else:
            rest[name] = shape
    rest.update({name: (len(items), *items[0]) for name, items in stacked.items()})
    return rest


def check_shapes(config: ModelConfig, shapes: dict, path: Path) -> None:
    """Every tensor the config implies is present with its shape (tied output allowed)."""
    check_experts(config, shapes, path)
    with torch.device("meta"):
        expected = Transformer(config).state_dict()
    for name, param in expected.items():
        if name == "output.weight" and name not in shapes:
            name_found = "tok_embeddings.weight"
        else:
            name_found = name
        if name_found not in shapes:
            raise ModelFileError(path, f"tensor {name} is missing (the config expects it)")
        if tuple(shapes[name_found]) != tuple(param.shape):
            raise ModelFileError(path, f"tensor {name} has shape {tuple(shapes[name_found])}, "
                                       f"but the config implies {tuple(param.shape)}")


def describe(path: Path, fmt: str, config: ModelConfig, quantization: str) -> dict:
    total, active = config.parameter_counts()
    return {
        "path": str(path), "format": fmt, "architecture": config.model_type, "quantization": quantization,
        "parameters_total": total, "parameters_active": active,
        "layers": config.num_hidden_layers, "hidden_size": config.hidden_size,
        "attention_heads": config.num_attention_heads, "kv_heads": config.num_key_value_heads,
        "head_dim": config.head_dim, "intermediate_size": config.intermediate_size,
        "experts": config.num_local_experts, "experts_per_token": config.num_experts_per_tok,
        "vocab_size": config.vocab_size, "context_length": config.max_position_embeddings,
        "sliding_window": config.sliding_window, "rope_theta": config.rope_theta,
    }
