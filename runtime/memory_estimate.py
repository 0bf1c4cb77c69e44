"""The memory a model takes once the runtime has loaded it: each tensor in the form the loader keeps it in
(GGUF blocks, int4, int8 or float), what converting them leaves in the allocator, the largest transient of the
load, the KV cache at a context and cache type, and the runtime's own overhead. Torch- and numpy-free: the
window calls it, the loader refuses by it.

`estimate_gguf(path, ...)` reads the file's header (bounded: every length checked against the file's size);
`estimate_from_size(quantization, file_bytes, ...)` judges a catalog entry before it is downloaded, from its
parameter count when known, else from its file size. `KERNEL_TYPES` and `WITHOUT_KERNELS` say what the loader does with each GGUF type
today (runtime/loader.py, runtime/quant/gguf_blocks.py); tests/runtime/test_memory_estimate.py checks it.
"""
from __future__ import annotations

import functools
import mmap
import os
import struct
from dataclasses import dataclass, field

from .config import ModelConfig, check_sizes, config_from_gguf_metadata
from .errors import ModelFileError
from .quant import native
from .weights.ggml_types import GGML_QUANT_SIZES

# ggml type id -> (name, weights per block, bytes per block)
GGML_TYPES = {int(t): (t.name, *size) for t, size in GGML_QUANT_SIZES.items()}
TYPE_SIZES = {name: (block, size) for name, block, size in GGML_TYPES.values()}
FLOAT_TYPES = ("F32", "F16", "BF16")
# The loader (quantize="auto", CPU): which form each quantized GGUF type is kept in. With our native kernels every
# type they read stays in the file's own bytes ("blocks", used where they lie in the mapped file); without them
# (another architecture, OCTET_NO_KERNELS=1) Q4_0, Q4_1 and Q4_K become int4 and the rest is dequantized and
# re-quantized to int8 per row.
KERNEL_TYPES = ("Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K")
WITHOUT_KERNELS = {"Q4_0": "int4", "Q4_1": "int4", "Q4_K": "int4"}  # every other type: int8
MAPPED_FLOATS = ("F16", "BF16")  # matrices of these stay in the file too where the kernels run (not the router)
ROUTER = "ffn_gate_inp.weight"
INT4_GROUP = 32
# Bytes a conversion holds besides its result, per weight of the matrix being converted (measured on Mixtral's
# matrices, docs/benchmarks.md "Memory estimate"): int4 keeps uint8 codes and their int32 copy for packing (5.7);
# int8 dequantizes to fp32 and re-quantizes through two more fp32 temporaries (11.1-11.3).
TRANSIENT_PER_WEIGHT = {"blocks": 0, "int4": 6, "int8": 11.5, "float": 4}
# KV cache: bytes per stored value, and per (layer, K or V, head, position) for the int8 cache's scales.
KV_VALUE_BYTES = {"bf16": 2, "int8": 1}
KV_SCALE_BYTES = {"bf16": 0, "int8": 4}
KV_CACHE_TYPES = tuple(KV_VALUE_BYTES)
DEFAULT_KV_CACHE = "bf16"
# The worker's own memory: Python, torch, our modules and the native kernels once imported (~270 MB measured once a
# model is loaded, its weights not yet read), then the tokenizer, the model's modules, a prompt's buffers (bf16
# tiles of up to 8 MB where rows are short, as the starter's; the integer product's panels and activations for
# Mixtral's rows; a 512-token chunk's activations) and a chat's scratch (fitted on benchmarks/memory_estimate.py's
# loads with every weight page read: docs/benchmarks.md "Memory estimate").
IMPORT_BYTES = 270 * 1000**2
OVERHEAD_BYTES = IMPORT_BYTES + 40 * 1000**2
# Nominal bits per weight of each type: a file of `size` bytes holds about size * 8 / bits weights.
BITS = {name: 8 * size / block for name, block, size in GGML_TYPES.values()}


def native_kernels_built() -> bool:
    """Whether the worker will run our native kernels here (a library for this CPU is installed, and
    OCTET_NO_KERNELS is not set): what the window passes as `block_kernels`. No torch: files and CPU flags."""
    if os.environ.get("OCTET_NO_KERNELS") == "1":
        return False
    return any(native.library_path(isa).exists() for isa in native.usable_isas())


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a model needs: `weights` as kept once loaded, `load_extra` above them at the load's peak (what a
    conversion's freed temporaries leave is handed back after every tensor: loader.release_freed_memory), the KV cache at `context_length`, the runtime's `overhead`.
    `source`: "header" (every tensor known), "parameters" (a catalog's parameter count) or "file size"."""

    weights: int
    load_extra: int
    kv_cache: int
    overhead: int
    context_length: int
    kv_cache_type: str
    source: str
    by_type: dict = field(default_factory=dict)  # GGUF type name -> bytes kept in memory

    @property
    def total(self) -> int:
        """The peak: the load's (weights and their transient) or the chat's (weights and the KV cache)."""
        return self.weights + max(self.load_extra, self.kv_cache) + self.overhead


# -- the KV cache -------------------------------------------------------------------------------------------------
def kv_cache_bytes(*, layers: int, kv_heads: int, head_dim: int, context_length: int,
                   kv_cache: str = DEFAULT_KV_CACHE) -> int:
    """Keys and values of every layer for `context_length` positions, plus the int8 cache's scales."""
    if kv_cache not in KV_VALUE_BYTES:
        raise ValueError(f"kv_cache must be one of {', '.join(KV_CACHE_TYPES)}, not {kv_cache!r}")
    slots = layers * 2 * kv_heads * context_length
    return slots * (head_dim * KV_VALUE_BYTES[kv_cache] + KV_SCALE_BYTES[kv_cache])


def kv_cache_bytes_for(config: ModelConfig, context_length: int, kv_cache: str = DEFAULT_KV_CACHE) -> int:
    context = min(context_length, config.max_position_embeddings)
    return kv_cache_bytes(layers=config.num_hidden_layers, kv_heads=config.num_key_value_heads,
                          head_dim=config.head_dim, context_length=context, kv_cache=kv_cache)


# -- a GGUF file ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HeaderTensor:
    name: str
    type_name: str
    shape: tuple[int, ...]  # torch order: [..., out, in]

    @property
    def weights(self) -> int:
        count = 1
        for size in self.shape:
            count *= size
        return count

    @property
    def file_bytes(self) -> int:
        block, size = TYPE_SIZES[self.type_name]
        return self.weights // block * size


@dataclass(frozen=True)
class GGUFHeader:
    path: str
    file_size: int
    config: ModelConfig
    tensors: list[HeaderTensor]

    @property
    def quantization(self) -> str:
        """The loader's name for the file's quantization: the most common type among its matrices."""
        counts: dict[str, int] = {}
        for tensor in self.tensors:
            if len(tensor.shape) > 1:
                counts[tensor.type_name] = counts.get(tensor.type_name, 0) + 1
        return max(counts, key=counts.get) if counts else "F32"


def estimate_gguf(path, *, context_length: int, kv_cache: str = DEFAULT_KV_CACHE,
                  block_kernels: bool | None = None) -> MemoryEstimate:
    """The memory to load and chat with the GGUF file at `path`. `block_kernels`: whether our GGUF kernels run
    on this CPU (the worker knows; None, in the window: assume not, the larger form)."""
    header = read_gguf_header(path)
    return estimate_header(header, context_length=context_length, kv_cache=kv_cache, block_kernels=block_kernels)


def estimate_header(header: GGUFHeader, *, context_length: int, kv_cache: str = DEFAULT_KV_CACHE,
                    block_kernels: bool | None = None) -> MemoryEstimate:
    """Walk the tensors in file order as the loader does: each adds what it keeps; its conversion's transient,
    and the mapped pages of float tensors (never released during the load), count until the load ends."""
    float_file = header.quantization in FLOAT_TYPES and not (block_kernels and header.quantization in MAPPED_FLOATS)
    kept = mapped = peak = 0
    by_type: dict[str, int] = {}
    for tensor in header.tensors:
        form = tensor_form(tensor, float_file=float_file, block_kernels=block_kernels)
        size = kept_bytes(tensor, form, float_file)
        peak = max(peak, kept + mapped + size + int(transient_bytes(tensor, form)))
        kept += size
        mapped += tensor.file_bytes if form == "float" else 0
        by_type[tensor.type_name] = by_type.get(tensor.type_name, 0) + size
    kv = kv_cache_bytes_for(header.config, context_length, kv_cache)
    return MemoryEstimate(kept, max(0, peak - kept), kv, OVERHEAD_BYTES, context_length, kv_cache,
                          "header", by_type)


def tensor_form(tensor: HeaderTensor, *, float_file: bool, block_kernels: bool | None) -> str:
    """"blocks", "int4", "int8" or "float": what runtime/quant/gguf_blocks.gguf_weight makes of the tensor."""
    if float_file or tensor.type_name in FLOAT_TYPES:
        mapped = block_kernels and tensor.type_name in MAPPED_FLOATS and len(tensor.shape) > 1 \
            and not tensor.name.endswith(ROUTER)
        return "blocks" if mapped and not float_file else "float"
    form = block_form(tensor.type_name, block_kernels)
    if form == "int4" and tensor.name == "token_embd.weight":
        form = "int8"  # an embedding is read by rows: never int4
    return form


def block_form(type_name: str, block_kernels: bool | None) -> str:
    """The form of a quantized type, by whether our native kernels run (None: unknown, the larger form)."""
    without = WITHOUT_KERNELS.get(type_name, "int8")
    if type_name not in KERNEL_TYPES or block_kernels is False:
        return without
    if block_kernels:
        return "blocks"
    return "blocks" if BITS[type_name] > {"int4": 5, "int8": 8}[without] else without


def kept_bytes(tensor: HeaderTensor, form: str, float_file: bool) -> int:
    """Bytes of the tensor once loaded: fp32 in a float file, bf16 floats beside quantized weights."""
    rows = tensor.weights // tensor.shape[-1]
    if form == "blocks":
        return tensor.file_bytes
    if form == "int4":
        return tensor.weights // 2 + tensor.weights // INT4_GROUP * 4  # nibbles, bf16 scale and zero per group
    if form == "int8":
        return tensor.weights + rows * 2  # int8, a bf16 scale per row
    return tensor.weights * (4 if float_file else 2)


def transient_bytes(tensor: HeaderTensor, form: str) -> int:
    """What converting the tensor holds besides its result: one matrix's temporaries (experts are converted
    one at a time) and the mapped pages a conversion reads, released when it is done (blocks stay mapped: kept)."""
    matrix = tensor.shape[-2] * tensor.shape[-1] if len(tensor.shape) > 1 else tensor.weights
    return TRANSIENT_PER_WEIGHT[form] * matrix + (tensor.file_bytes if form in ("int4", "int8") else 0)


# -- before a download --------------------------------------------------------------------------------------------
def estimate_from_size(quantization: str, file_bytes: int, *, context_length: int,
                       kv_values_per_token: int, kv_cache: str = DEFAULT_KV_CACHE,
                       parameters: int | None = None, block_kernels: bool | None = None) -> MemoryEstimate:
    """A model known only by its catalog entry: every weight in the form of the quantization's main type (a
    Q3_K_M file's Q3_K becomes int8), counted from `parameters` when given, else from the file's size at that
    type's bits per weight (its few larger tensors make that a slight overestimate); an unknown quantization
    (a folder's) as its size on disk. `kv_values_per_token`: keys and values of all layers for one position."""
    main = main_type(quantization)
    if main in TYPE_SIZES:
        count = parameters if parameters else int(file_bytes * 8 / BITS[main])
        form = "float" if main in FLOAT_TYPES else block_form(main, block_kernels)
        per_weight = {"blocks": BITS[main] / 8, "int4": 0.625, "int8": 1.0, "float": 4.0}[form]
        weights = int(count * per_weight)
    else:
        weights = file_bytes  # an unknown quantization: as it is on disk
    kv = kv_values_per_token * context_length * KV_VALUE_BYTES[kv_cache]
    if KV_SCALE_BYTES[kv_cache]:
        kv += kv_values_per_token * context_length // 128 * KV_SCALE_BYTES[kv_cache]  # a scale per head of 128
    source = "parameters" if parameters else "file size"
    return MemoryEstimate(weights, 0, kv, OVERHEAD_BYTES, context_length, kv_cache, source, {main: weights})


def main_type(quantization: str) -> str:
    """The GGUF type a llama.cpp preset is named after: Q3_K_M -> Q3_K, Q4_0 -> Q4_0, bf16 -> BF16."""
    name = quantization.upper()
    for suffix in ("_XS", "_S", "_M", "_L"):
        if name.endswith(suffix) and "_K" in name:
            return name[:-len(suffix)]
    return name


# -- reading the header without numpy -----------------------------------------------------------------------------
SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<B", 10: "<Q", 11: "<q", 12: "<d"}
STRING, ARRAY = 8, 9
MAX_TENSORS, MAX_KEYS, MAX_DIMS, MAX_NAME = 1 << 16, 1 << 14, 4, 1 << 16
KEPT_STRING_BYTES = 1 << 10  # longer strings (chat templates) are skipped: the estimate needs none


@functools.lru_cache(maxsize=32)
def _cached_header(path: str, size: int, mtime_ns: int) -> GGUFHeader:
    return _read_header(path, size)


def read_gguf_header(path) -> GGUFHeader:
    """The file's config and tensor records (cached by path, size and time of change). ModelFileError when the
    header is not one the loader would read."""
    path = os.fspath(path)
    try:
        info = os.stat(path)
    except OSError as error:
        raise ModelFileError(path, f"cannot read the file: {error.strerror or error}") from None
    return _cached_header(path, info.st_size, info.st_mtime_ns)


def _read_header(path: str, size: int) -> GGUFHeader:
    try:
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            metadata, tensors = _Header(buf, path).read()
    except (OSError, ValueError) as error:
        raise ModelFileError(path, f"cannot read the file: {error}") from None
    try:
        config = config_from_gguf_metadata(metadata, vocab_size=metadata.get("tokenizer.ggml.tokens", 0))
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as error:
        raise ModelFileError(path, f"its metadata does not describe a usable model ({error})") from None
    check_sizes(config, path)
    return GGUFHeader(path, size, config, tensors)


class _Header:
    """A cursor over the header: metadata (arrays by length only), then tensor records."""

    def __init__(self, buf, path: str):
        self.buf, self.path, self.pos = buf, path, 0

    def fail(self, problem: str):
        raise ModelFileError(self.path, problem)

    def take(self, fmt: str):
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.buf):
            self.fail(f"truncated header at byte {self.pos}")
        (value,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += size
        return value

    def skip_string(self, limit: int) -> int:
        length = self.take("<Q")
        if length > limit or self.pos + length > len(self.buf):
            self.fail(f"a string at byte {self.pos} claims {length} bytes, past the end of the header")
        start, self.pos = self.pos, self.pos + length
        return start

    def skip_strings(self, count: int) -> None:
        buf, pos, end, unpack = self.buf, self.pos, len(self.buf), struct.unpack_from
        if count > end - pos:
            self.fail(f"an array at byte {pos} claims {count} strings, past the end of the file")
        for _ in range(count):
            if pos + 8 > end:
                self.fail(f"truncated header at byte {pos}")
            pos += 8 + unpack("<Q", buf, pos)[0]
            if pos > end:
                self.fail(f"a string before byte {pos} runs past the end of the header")
        self.pos = pos

    def string(self, limit: int) -> str:
        start = self.skip_string(limit)
        return bytes(self.buf[start:self.pos]).decode("utf-8", "replace")

    def value(self, vtype: int, depth: int = 0):
        """A scalar or a short string; an array gives its length; a long string None."""
        if vtype in SCALARS:
            return self.take(SCALARS[vtype])
        if vtype == STRING:
            start = self.skip_string(len(self.buf))
            return bytes(self.buf[start:self.pos]).decode("utf-8", "replace") \
                if self.pos - start <= KEPT_STRING_BYTES else None
        if vtype == ARRAY and depth < 3:
            item, count = self.take("<I"), self.take("<Q")
            if item in SCALARS:
                width = struct.calcsize(SCALARS[item])
                if count * width > len(self.buf) - self.pos:
                    self.fail(f"an array at byte {self.pos} claims {count} items, past the end of the file")
                self.pos += count * width
            elif item == STRING:  # a vocabulary: skipped in a tight loop (a call per token cost 0.3 s for 49K)
                self.skip_strings(count)
            else:
                if count > len(self.buf) - self.pos:
                    self.fail(f"an array at byte {self.pos} claims {count} items, past the end of the file")
                for _ in range(count):
                    self.value(item, depth + 1)
            return count
        self.fail(f"unknown metadata value type {vtype} at byte {self.pos}")

    def read(self) -> tuple[dict, list[HeaderTensor]]:
        if bytes(self.buf[:4]) != b"GGUF":
            self.fail("not a GGUF file (it does not start with the letters GGUF)")
        self.pos = 4
        if self.take("<I") not in (2, 3):
            self.fail("not a GGUF file of version 2 or 3")
        tensor_count, kv_count = self.take("<Q"), self.take("<Q")
        if tensor_count > MAX_TENSORS or kv_count > MAX_KEYS:
            self.fail(f"the header claims {tensor_count} tensors and {kv_count} keys, more than any model has")
        metadata = {}
        for _ in range(kv_count):
            key = self.string(MAX_NAME)
            metadata[key] = self.value(self.take("<I"))
        return metadata, [self.tensor() for _ in range(tensor_count)]

    def tensor(self) -> HeaderTensor:
        name = self.string(MAX_NAME)
        n_dims = self.take("<I")
        if not 1 <= n_dims <= MAX_DIMS:
            self.fail(f"tensor {name!r} has {n_dims} dimensions")
        dims = tuple(self.take("<Q") for _ in range(n_dims))
        type_id = self.take("<I")
        self.take("<Q")  # its offset: the loader's own check (weights/gguf_check.py) bounds the data
        if type_id not in GGML_TYPES:
            self.fail(f"tensor {name!r} has ggml type {type_id}, which Octet does not read")
        if min(dims) < 1 or dims[0] % GGML_TYPES[type_id][1]:
            self.fail(f"tensor {name!r} has dimensions {list(dims)} that do not fit its type's blocks")
        return HeaderTensor(name, GGML_TYPES[type_id][0], tuple(reversed(dims)))
