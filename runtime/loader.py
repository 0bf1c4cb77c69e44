"""Load a model from a GGUF file or a Hugging Face folder into a ready `Transformer`.

Every tensor's shape is checked against the config from the file headers before any weight is read
(weights.shapes); then tensors are read one at a time (memory-mapped), kept quantized or converted,
and assembled by the model's names: per-expert tensors into [E, out, in] stacks. The loader also
owns the switch to quantized modules and the decode threading that goes with it.
"""
import contextlib
import ctypes
import ctypes.util
import gc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import psutil
import torch
from torch import nn

from .config import ModelConfig, check_sizes, config_from_gguf_metadata
from .errors import ModelFileError, NotEnoughMemoryError, UnsupportedModelError
from .memory_estimate import DEFAULT_KV_CACHE, GGUFHeader, HeaderTensor, estimate_header, read_gguf_header
from .model import Transformer, empty_transformer, parameter_shapes
from .quant.formats import (GGUFBlockWeight, QuantizedEmbedding, QuantizedExperts, QuantizedLinear,
                            quantize_weight)
from .quant.gguf_blocks import gguf_weight, in_place, is_quantized
from .quant.kernels import gguf_kernels
from .text.chat_template import chat_encoder_for
from .text.tokenizer import tokenizer_from_folder, tokenizer_from_gguf
from .weights import hf_folder
from .weights.gguf import GGUFFile, unpermute_rope_rows
from .weights.names import split_expert_name
from .weights.shapes import DeclaredTensor, check_declared

Progress = Callable[[float, str], None]
GGUF_ARCHITECTURES = ("llama",)
FLOAT_TYPES = ("F32", "F16", "BF16")
SMALL_MODEL_BYTES = 512 << 20  # quantized weights under this: one torch thread while decoding
SAMPLE_CONVERSATION = [  # what `info` renders to check a model's chat template before it is used
    {"role": "system", "content": "You are helpful."}, {"role": "user", "content": "Bonjour !"},
    {"role": "assistant", "content": "Bonjour ! Comment puis-je vous aider ?"}, {"role": "user", "content": "Merci."}]


@dataclass
class LoadedModel:
    path: Path
    config: ModelConfig
    model: Transformer
    tokenizer: object
    chat_encoder: object
    quantization: str
    dtype: torch.dtype = torch.float32  # the compute dtype (activations, KV cache)


@dataclass
class LoadedWeights:
    model: Transformer
    quantization: str
    dtype: torch.dtype


def load_model(path, *, dtype=torch.float32, device="cpu", progress: Progress | None = None,
               quantize: str | None = None, context_length: int | None = None,
               kv_cache: str = DEFAULT_KV_CACHE) -> LoadedModel:
    """`quantize`: None keeps float weights in `dtype` (GGUF blocks dequantized); "auto" keeps a GGUF's
    quantized tensors quantized (and picks by memory for a folder, see `default_quantization`); "int8"
    or "int4" quantize a folder's float weights at load. Quantized models compute in bf16 on CPU.
    With `context_length` (and the KV cache type), a GGUF that would not fit in the memory available is
    refused (NotEnoughMemoryError) before its weights are read."""
    with _collector_paused():
        return _load_model(Path(path), dtype=dtype, device=device, progress=progress, quantize=quantize,
                           context_length=context_length, kv_cache=kv_cache)


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while a model loads: reading a vocabulary makes ~100K small containers,
    each few hundred of which set off a collection that walks every object alive (measured: 0.6 of the
    starter's 0.9 s load). Nothing a load makes is a cycle that needs collecting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _load_model(path: Path, *, dtype, device, progress: Progress | None, quantize: str | None,
                context_length: int | None, kv_cache: str) -> LoadedModel:
    report = progress or (lambda fraction, phrase: None)
    report(0.0, "Reading the model folder" if path.is_dir() else "Reading the model file")
    source, config = _open(path)
    if context_length is not None and isinstance(source, GGUFFile) and quantize == "auto" and device == "cpu":
        check_memory(path, context_length, kv_cache, header=header_of(source, config))
    tokenizer, chat_encoder = _text_side(source)  # before the weights: its errors come at once
    weights = _load_weights(source, config, dtype=dtype, device=device, progress=report, quantize=quantize)
    return LoadedModel(path, config, weights.model, tokenizer, chat_encoder,
                       quantization=weights.quantization, dtype=weights.dtype)


def check_memory(path: Path, context_length: int, kv_cache: str, available: int | None = None,
                 header: GGUFHeader | None = None) -> int:
    """The bytes the GGUF at `path` needs (runtime.memory_estimate, with our kernels or not as this CPU runs
    them); NotEnoughMemoryError when that is more than `available` (default: what the system has now).
    `header`: the file's, when it is open already (header_of)."""
    header = read_gguf_header(path) if header is None else header
    estimate = estimate_header(header, context_length=context_length, kv_cache=kv_cache,
                               block_kernels=gguf_kernels() is not None)
    available = psutil.virtual_memory().available if available is None else available
    if estimate.total > available:
        raise NotEnoughMemoryError(path, estimate.total, available)
    return estimate.total


def load_weights(path, *, dtype=torch.float32, device="cpu", progress: Progress | None = None,
                 quantize: str | None = None) -> LoadedWeights:
    """The model alone (no tokenizer): what `load_model` loads, for files that carry no vocabulary."""
    source, config = _open(Path(path))
    return _load_weights(source, config, dtype=dtype, device=device,
                         progress=progress or (lambda fraction, phrase: None), quantize=quantize)


def load_text_side(path) -> tuple[object, object]:
    """(tokenizer, chat encoder) of a model, without reading its weights."""
    return _text_side(_open(Path(path))[0])


def inspect_model(path) -> dict:
    """What `runtime info` shows: the config, parameter counts, quantization and chat template, with
    every tensor's shape checked against the config and the template tried on a sample conversation
    (an import refuses what would fail at the first message), but no weights read."""
    source, config = _open(Path(path))
    if isinstance(source, GGUFFile):
        _check_gguf(source, config)
        fmt, quantization = "gguf", _gguf_quantization(source)
    else:
        _check_folder(source, config)
        fmt, quantization = "safetensors", hf_folder.stored_dtype(source)
    _, chat_encoder = _text_side(source)
    chat_encoder.encode_chat(SAMPLE_CONVERSATION)
    return describe(Path(path), fmt, config, quantization, chat_template=chat_encoder.note)


def _open(path: Path) -> tuple["GGUFFile | Path", ModelConfig]:
    """(the GGUF file with its header checked, or the folder's path; the config it declares, its
    sizes checked: nothing is built from a header that lies)."""
    if path.is_dir():
        config = hf_folder.hf_config(path)
        check_sizes(config, path / "config.json")
        return path, config
    if not path.exists():
        raise ModelFileError(path, "no such file or folder")
    file = GGUFFile(path)
    if file.architecture not in GGUF_ARCHITECTURES:
        raise UnsupportedModelError(path, f"architecture {file.architecture!r} is not supported (Octet runs llama, "
                                          "Mistral and Mixtral models)")
    vocab = len(file.metadata.get("tokenizer.ggml.tokens", []))
    try:
        config = config_from_gguf_metadata(file.metadata, vocab_size=vocab)
    except (TypeError, ValueError, ZeroDivisionError) as error:
        raise ModelFileError(path, f"its metadata does not describe a usable model ({error})") from None
    check_sizes(config, path)
    return file, config


def header_of(file: GGUFFile, config: ModelConfig) -> GGUFHeader:
    """What the memory estimate reads of a file (memory_estimate.read_gguf_header), from the file open here:
    its header is not walked a second time (15 ms of the starter's vocabulary)."""
    tensors = [HeaderTensor(name, tensor.tensor_type.name, file.shape(name)) for name, tensor in file.tensors.items()]
    return GGUFHeader(str(file.path), file.path.stat().st_size, config, tensors)


def _text_side(source) -> tuple[object, object]:
    if isinstance(source, GGUFFile):
        tokenizer = tokenizer_from_gguf(source.metadata, source.path)
        return tokenizer, chat_encoder_for(tokenizer, source.metadata.get("tokenizer.chat_template"))
    tokenizer = tokenizer_from_folder(source)
    return tokenizer, chat_encoder_for(tokenizer, path=source)


def _load_weights(source, config: ModelConfig, *, dtype, device, progress: Progress,
                  quantize: str | None) -> LoadedWeights:
    load = _load_gguf if isinstance(source, GGUFFile) else _load_folder
    return load(source, config, dtype=dtype, device=device, progress=progress, quantize=quantize)


# -- GGUF files -------------------------------------------------------------------------------------

def _load_gguf(file: GGUFFile, config: ModelConfig, *, dtype, device, progress: Progress,
               quantize: str | None) -> LoadedWeights:
    model = empty_transformer(config)  # built once: for the shapes, then filled
    expected = _check_gguf(file, config, model)
    quantization = _gguf_quantization(file)
    mapped_floats = quantization in ("F16", "BF16") and gguf_kernels() is not None  # used in place too
    keep_quantized = quantize is not None and (quantization not in FLOAT_TYPES or mapped_floats) and device == "cpu"
    if keep_quantized:
        dtype = quantized_compute_dtype(device)
    names = file.tensor_names()
    values = ((name, _gguf_value(file, file_name, name, config, dtype, keep_quantized))
              for file_name, name in names.items())
    state = read_weights(values, len(names), expected, progress, dtype)
    return LoadedWeights(build_model(model, state, device), quantization, dtype)


def _check_gguf(file: GGUFFile, config: ModelConfig, model: Transformer | None = None) -> dict:
    """The file's tensors against the config (before any weight is read); the expected shapes."""
    expected = parameter_shapes(config, model)
    declared = [DeclaredTensor(name, file.shape(file_name), file.path)
                for file_name, name in file.tensor_names().items()]
    check_declared(config, expected, declared, file.path)
    return expected


ROUTER = "feed_forward.gate.weight"  # stays float: tiny, and it picks the experts


def _gguf_value(file: GGUFFile, file_name: str, name: str, config: ModelConfig, dtype, keep_quantized: bool):
    """One tensor of the file: float in `dtype`, or (`keep_quantized`) a quantized weight on its blocks,
    which stay in the mapped file when our kernels read them (F16 and BF16 matrices too)."""
    qtype = file.tensors[file_name].tensor_type
    heads = _rope_heads(name, config)
    raw, in_features = file.raw(file_name), file.shape(file_name)[-1]
    mapped = keep_quantized and raw.ndim > 1 and not name.endswith(ROUTER) and in_place(qtype, in_features)
    if not (mapped or keep_quantized and is_quantized(qtype)):
        tensor = file.load(file_name, dtype)
        return tensor if heads is None else unpermute_rope_rows(tensor, heads)
    if raw.ndim == 3:
        weight = QuantizedExperts([gguf_weight(raw[e], qtype, in_features) for e in range(raw.shape[0])], dtype)
    else:
        weight = gguf_weight(raw, qtype, in_features, rope_heads=heads, for_rows=name == "tok_embeddings.weight")
    if not mapped:
        file.release(file_name)  # the converted weight holds its own copy
    return weight


def _rope_heads(name: str, config: ModelConfig) -> int | None:
    """How many heads llama.cpp permuted the rows of this tensor for (Q and K); None for the others."""
    if name.endswith("attention.wq.weight"):
        return config.num_attention_heads
    if name.endswith("attention.wk.weight"):
        return config.num_key_value_heads
    return None


def _gguf_quantization(file: GGUFFile) -> str:
    counts = Counter(t.tensor_type.name for t in file.tensors.values() if len(t.shape) > 1)
    return counts.most_common(1)[0][0] if counts else "F32"


# -- Hugging Face folders ---------------------------------------------------------------------------

def _load_folder(folder: Path, config: ModelConfig, *, dtype, device, progress: Progress,
                 quantize: str | None) -> LoadedWeights:
    model = empty_transformer(config)
    expected, tensors = _check_folder(folder, config, model)
    mode = default_quantization(config) if quantize == "auto" else quantize
    if mode:
        dtype = quantized_compute_dtype(device)
    values = ((name, _folder_value(name, tensor, mode, dtype))
              for name, tensor in hf_folder.read_tensors(tensors, dtype))
    state = read_weights(values, len(tensors), expected, progress, dtype)
    quantization = mode.upper() if mode else hf_folder.stored_dtype(folder)
    return LoadedWeights(build_model(model, state, device), quantization, dtype)


def _check_folder(folder: Path, config: ModelConfig, model: Transformer | None = None):
    """The folder's tensors against config.json (before any weight is read): (expected, tensors)."""
    expected = parameter_shapes(config, model)
    tensors = hf_folder.declared_tensors(folder)
    check_declared(config, expected, [t.declared for t in tensors], folder, source="config.json",
                   shown=hf_folder.file_name_of)
    return expected, tensors


def _folder_value(name: str, tensor: torch.Tensor, mode: str | None, dtype):
    """With a quantization `mode`, every matrix but the router quantized as it is read (so the peak
    stays near the quantized size); the embedding in int8, since it is read by rows."""
    if not mode or tensor.dim() != 2 or name.endswith("feed_forward.gate.weight"):
        return tensor
    return quantize_weight(tensor, "int8" if name == "tok_embeddings.weight" else mode, dtype)


def default_quantization(config: ModelConfig, available: int | None = None) -> str | None:
    """None (bf16) when the bf16 weights take under half the available memory, else int8 when those
    fit in 70% of it, else int4."""
    available = available or psutil.virtual_memory().available
    total, _ = config.parameter_counts()
    if 2 * total < 0.5 * available:
        return None
    return "int8" if total < 0.7 * available else "int4"


def quantized_compute_dtype(device) -> torch.dtype:
    """bf16: the int4/int8 kernels want bf16 activations (fp32 ones make them 8-30× slower)."""
    return torch.bfloat16


# -- Assembly ---------------------------------------------------------------------------------------

def read_weights(values: Iterator[tuple[str, object]], count: int, expected: dict, progress: Progress,
                 dtype: torch.dtype) -> dict:
    """The state by the model's names from (name, tensor or quantized weight) pairs: one expert of a
    stack (`...w1.5`) is copied into a preallocated float [E, out, in] stack, or gathered into a
    QuantizedExperts computing in `dtype`."""
    state, quantized_experts = {}, {}
    for done, (name, value) in enumerate(values, start=1):
        split = split_expert_name(name)
        if split is None:
            state[name] = value
        elif isinstance(value, torch.Tensor):
            stack, expert = split
            if stack not in state:
                state[stack] = torch.empty(expected[stack], dtype=value.dtype)
            state[stack][expert].copy_(value)
        else:
            stack, expert = split
            quantized_experts.setdefault(stack, [None] * expected[stack][0])[expert] = value
        if weight_bytes(value) >= TRIM_AFTER_BYTES:
            release_freed_memory()
        progress(0.05 + 0.9 * done / count, "Loading weights")
    state.update({name: QuantizedExperts(experts, dtype) for name, experts in quantized_experts.items()})
    return state


# A weight this large may leave a conversion's temporaries behind; a smaller one leaves little worth a malloc_trim,
# which takes ~20 us even on a small heap (the starter's 272 tensors: 5 ms of a 0.15 s load).
TRIM_AFTER_BYTES = 1 << 20


def weight_bytes(value) -> int:
    """The bytes of a tensor, a quantized weight or a stack of quantized experts."""
    if isinstance(value, QuantizedExperts):
        return sum(expert.nbytes for expert in value.experts)
    return value.nbytes


def release_freed_memory() -> None:
    """Give the memory a conversion's freed temporaries leave behind back to the system (glibc's malloc_trim):
    without it the C heap kept 170 MB more per Mixtral layer of K-quant conversions, 5 GB over the whole model
    (measured); with it, under 10 MB. No-op where the C library has no malloc_trim."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc_with_malloc_trim():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_LIBC = _libc_with_malloc_trim()


def build_model(model: Transformer, state: dict, device) -> Transformer:
    """The empty Transformer (empty_transformer) holding `state` (checked already): quantized weights swapped
    in, the rest assigned."""
    if "output.weight" not in state:
        state["output.weight"] = state["tok_embeddings.weight"]  # tied embeddings
    install_quantized(model, {name: t for name, t in state.items() if not isinstance(t, torch.Tensor)})
    expected = model.state_dict()
    model.load_state_dict({k: state[k].to(device) for k in expected}, assign=True, strict=True)
    return model.eval()


def install_quantized(model: Transformer, weights: dict) -> None:
    """Put quantized weights in place by state-dict name: `a.b.weight` of an nn.Linear or nn.Embedding
    becomes a QuantizedLinear / QuantizedEmbedding; an expert stack `...feed_forward.w1` a
    QuantizedExperts. Then set how a decode step threads torch (`serial_decode`)."""
    for name, weight in weights.items():
        if isinstance(weight, QuantizedExperts):
            parent, attribute = _parent(model, name)
            delattr(parent, attribute)
            setattr(parent, attribute, weight)
            continue
        parent, attribute = _parent(model, name.removesuffix(".weight"))
        float_module = getattr(parent, attribute)
        swapped = QuantizedEmbedding(weight) if isinstance(float_module, nn.Embedding) else QuantizedLinear(weight)
        setattr(parent, attribute, swapped)
    model.serial_decode = serial_decode(list(weights.values()))


def serial_decode(weights: list) -> bool:
    """Whether a decode step should hold torch to one thread: when the heavy matrices run on our
    kernels (which keep their threads), or when the model is so small (under 512 MB quantized) that
    per-op fork/joins cost more than a second thread gains (starter model: measured)."""
    flat = [w for item in weights for w in (item.experts if isinstance(item, QuantizedExperts) else [item])]
    heavy = max(flat, key=lambda w: w.nbytes, default=None)
    return isinstance(heavy, GGUFBlockWeight) or sum(w.nbytes for w in flat) < SMALL_MODEL_BYTES


def _parent(model: nn.Module, name: str) -> tuple[nn.Module, str]:
    path, _, attribute = name.rpartition(".")
    return (model.get_submodule(path) if path else model), attribute


def describe(path: Path, fmt: str, config: ModelConfig, quantization: str, *, chat_template: str = "") -> dict:
    total, active = config.parameter_counts()
    return {
        "path": str(path), "format": fmt, "architecture": config.model_type, "quantization": quantization,
        "chat_template": chat_template,
        "parameters_total": total, "parameters_active": active,
        "layers": config.num_hidden_layers, "hidden_size": config.hidden_size,
        "attention_heads": config.num_attention_heads, "kv_heads": config.num_key_value_heads,
        "head_dim": config.head_dim, "intermediate_size": config.intermediate_size,
        "experts": config.num_local_experts, "experts_per_token": config.num_experts_per_tok,
        "vocab_size": config.vocab_size, "context_length": config.max_position_embeddings,
        "sliding_window": config.sliding_window, "rope_theta": config.rope_theta,
    }
