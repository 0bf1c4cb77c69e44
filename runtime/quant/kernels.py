"""The matrix kernels quantized layers run on: torch's packed int8/int4 ops, and our own GGUF block
kernels (kernels.cpp beside this file, AVX-512 VNNI), compiled with g++ at first use and cached on disk, or
None where they cannot be (the callers then use torch's ops).

Signatures of torch 2.13's ops, found by experiment (CPU unless said):
- `_weight_int8pack_mm(x [M, K], w int8 [N, K], scales [N])` -> [M, N]; scales in x's dtype. With
  fp32 x it is ~8× slower than with bf16 x (27.6 ms vs 3.5 ms for 14336×4096 at M=1, 2 threads).
- `_convert_weight_to_int4pack_for_cpu(q int32 [N, K] in 0..15, inner_k_tiles)` -> packed uint8
  [N, K/2]; needs N % 16 == 0 and K % (inner_k_tiles * 16) == 0 (inner_k_tiles 2, 4 or 8).
- `_weight_int4pack_mm_for_cpu(x [M, K], packed, group_size, scale_and_zero [K/gs, N, 2])` computes
  w = (q - 8) * scale + zero; scale_and_zero in x's dtype (bf16: fp32 x is ~30× slower); group size
  32, 64, 128 or 256.
- CUDA (tinygemm): `_convert_weight_to_int4pack(q uint8 [N, K/2] as (q[2i] << 4) | q[2i+1],
  inner_k_tiles)` and `_weight_int4pack_mm(x bf16, packed, group_size, scale_and_zero bf16)`; same math.
"""
import contextlib
import ctypes
import functools
import hashlib
import os
import platform
import subprocess
import warnings
from pathlib import Path

import torch

from ..paths import cache_dir

GGML_Q4_0, GGML_Q8_0 = 2, 8
GGML_BLOCK_BYTES = {GGML_Q4_0: 18, GGML_Q8_0: 34}
KERNEL_SOURCE = Path(__file__).with_name("kernels.cpp")
KERNEL_FLAGS = ["-O3", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni", "-mavx512bf16", "-mf16c", "-mfma"]
NEEDED_CPU_FLAGS = {"avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "f16c", "fma"}
INT4_INNER_K_TILES = 2


def int8_mm(x: torch.Tensor, weight: torch.Tensor, scales: torch.Tensor) -> torch.Tensor:
    """x [M, K] @ (weight int8 [N, K] * scales [N]).T -> [M, N] in x's dtype."""
    return torch.ops.aten._weight_int8pack_mm(x, weight, scales.to(x.dtype))


def int4_pack(q: torch.Tensor) -> torch.Tensor:
    """Codes q [N, K] in 0..15 into the int4 kernel's packed layout on q's device."""
    if q.is_cuda:
        pairs = q.to(torch.uint8).view(q.shape[0], -1, 2)
        return torch.ops.aten._convert_weight_to_int4pack((pairs[..., 0] << 4) | pairs[..., 1], INT4_INNER_K_TILES)
    return torch.ops.aten._convert_weight_to_int4pack_for_cpu(q.to(torch.int32), INT4_INNER_K_TILES)


def int4_mm(x: torch.Tensor, packed: torch.Tensor, group_size: int, scale_and_zero: torch.Tensor) -> torch.Tensor:
    """x [M, K] @ dequantized packed weights [N, K].T, w = (q - 8) * scale + zero per group."""
    scale_and_zero = scale_and_zero.to(x.dtype)
    if x.is_cuda:
        return torch.ops.aten._weight_int4pack_mm(x, packed, group_size, scale_and_zero)
    return torch.ops.aten._weight_int4pack_mm_for_cpu(x, packed, group_size, scale_and_zero)


def int4_packable(shape: tuple[int, int], group_size: int) -> bool:
    """Whether the int4 kernels take a weight [N, K] with this group size."""
    n, k = shape
    return n % 16 == 0 and k % max(group_size, INT4_INNER_K_TILES * 16) == 0 and group_size in (32, 64, 128, 256)


class GGUFKernels:
    """Our kernels (kernels.cpp) on torch tensors: checks shapes, passes pointers."""

    def __init__(self, library: ctypes.CDLL):
        self.lib = library
        i64, ptr = ctypes.c_int64, ctypes.c_void_p
        library.octet_repack.argtypes = [ptr, ptr, i64, i64, i64, ctypes.c_int]
        library.octet_matvec.argtypes = [ptr, i64, ptr, i64, i64, i64, ptr, ctypes.c_int]
        library.octet_dequantize.argtypes = [ptr, i64, i64, i64, ptr, ctypes.c_int, ctypes.c_int]
        library.octet_decode_attention.argtypes = [ptr, ptr, ptr, ptr, ptr, i64, i64, i64, i64, i64, i64,
                                                   ctypes.c_int, ptr, ctypes.c_int]
        self.threads = torch.get_num_threads()  # set by the engine; torch may be held at 1 while decoding
        self.attention_threads = None  # decode attention's threads where not `threads` (benchmarks/long_context.py)

    @staticmethod
    def blocks_per_row(w: torch.Tensor, qtype: int) -> int:
        block = GGML_BLOCK_BYTES[qtype]
        if w.dtype != torch.uint8 or w.dim() != 2 or not w.is_contiguous() or w.shape[1] % (16 * block):
            raise ValueError(f"expected contiguous uint8 [N, 16·k blocks of {block} bytes], got {w.dtype} {tuple(w.shape)}")
        return w.shape[1] // block

    def repack(self, w: torch.Tensor, qtype: int) -> torch.Tensor:
        """File blocks [N, row bytes] -> the same bytes in superblocks of 16 (a new tensor)."""
        nb, out = self.blocks_per_row(w, qtype), torch.empty_like(w)
        self.lib.octet_repack(w.data_ptr(), out.data_ptr(), w.shape[0], nb, qtype, self.threads)
        return out

    def matvec(self, x: torch.Tensor, w: torch.Tensor, qtype: int) -> torch.Tensor:
        """x [M, K] @ W.T -> [M, N] in x's dtype (x is quantized to int8 per block of 32 inside)."""
        nb = self.blocks_per_row(w, qtype)
        xf = x.to(torch.float32).contiguous()
        if xf.dim() != 2 or xf.shape[1] != nb * 32:
            raise ValueError(f"expected x [M, {nb * 32}], got {tuple(x.shape)}")
        out = torch.empty(xf.shape[0], w.shape[0], dtype=torch.float32)
        self.lib.octet_matvec(xf.data_ptr(), xf.shape[0], w.data_ptr(), w.shape[0], nb, qtype, out.data_ptr(),
                             self.threads)
        return out.to(x.dtype)

    def dequantize(self, w: torch.Tensor, qtype: int, dtype=torch.float32) -> torch.Tensor:
        """[N, K] in fp32 or bf16 (other dtypes via fp32)."""
        nb = self.blocks_per_row(w, qtype)
        native = dtype if dtype in (torch.float32, torch.bfloat16) else torch.float32
        out = torch.empty(w.shape[0], nb * 32, dtype=native)
        self.lib.octet_dequantize(w.data_ptr(), w.shape[0], nb, qtype, out.data_ptr(), int(native == torch.bfloat16),
                                 self.threads)
        return out.to(dtype)

    @staticmethod
    def attends(keys: torch.Tensor, heads: int) -> bool:
        """Whether `decode_attention` takes this layer's cache [K, S, Hd] with `heads` query heads."""
        return (keys.dtype in (torch.bfloat16, torch.int8) and keys.device.type == "cpu" and keys.is_contiguous()
                and keys.shape[-1] % 16 == 0 and heads % keys.shape[0] == 0)

    def decode_attention(self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, scales, first: int,
                         end: int, threads: int | None = None) -> torch.Tensor:
        """One token q [H, Hd] over positions first..end-1 of one layer's cache, keys and values [K, S, Hd]
        (bf16, or int8 with `scales` = (key scales, value scales) [K, S] fp32; None for bf16):
        softmax(q k^T / sqrt(Hd)) v -> fp32 [H, Hd], query head h reading KV head h // (H / K)."""
        K, S, Hd = keys.shape
        H = q.shape[0]
        if not self.attends(keys, H) or values.shape != keys.shape or values.dtype != keys.dtype \
                or not values.is_contiguous() or q.shape != (H, Hd) or not 0 <= first <= end <= S:
            raise ValueError(f"decode attention: q {tuple(q.shape)}, keys {keys.dtype} {tuple(keys.shape)}, "
                             f"values {values.dtype} {tuple(values.shape)}, positions {first}..{end}")
        int8 = keys.dtype == torch.int8
        if int8 and (scales is None or any(x.shape != (K, S) or x.dtype != torch.float32 or not x.is_contiguous()
                                           for x in scales)):
            raise ValueError("an int8 cache needs contiguous fp32 key and value scales [K, S]")
        rows = (q.float() * Hd ** -0.5).contiguous()
        out = torch.empty(H, Hd, dtype=torch.float32)
        key_scales, value_scales = (scales[0].data_ptr(), scales[1].data_ptr()) if int8 else (None, None)
        self.lib.octet_decode_attention(rows.data_ptr(), keys.data_ptr(), values.data_ptr(), key_scales, value_scales,
                                        H, K, Hd, S, first, end, int(int8), out.data_ptr(),
                                        threads or self.attention_threads or self.threads)
        return out


@functools.cache
def gguf_kernels() -> GGUFKernels | None:
    """Our kernels, compiled on first use (~2 s with g++) and cached by source hash, or None when the
    CPU lacks the instructions, there is no compiler, or OCTET_NO_KERNELS=1 (torch's ops then)."""
    if os.environ.get("OCTET_NO_KERNELS") == "1" or not _cpu_has_flags():
        return None
    try:
        return GGUFKernels(ctypes.CDLL(str(_compiled_library())))
    except (OSError, subprocess.SubprocessError) as error:  # no compiler, or it failed: slower, not broken
        warnings.warn(f"Octet's GGUF kernels are unavailable ({error}); using torch's kernels")
        return None


def set_threads(threads: int) -> None:
    """Threads for CPU work: torch's, and our kernels' (which keep the count while torch is held at
    one thread during decoding, see `serial_torch`)."""
    torch.set_num_threads(threads)
    if gguf_kernels():
        gguf_kernels().threads = threads


@contextlib.contextmanager
def serial_torch():
    """torch on one thread for a decode step. Its ops there are tiny (one token); a second thread
    only adds a fork/join per op, and on a shared machine a join can wait a scheduler tick (measured:
    bmm of one token 0.45 ms on one thread, 10 ms on two under load). Our kernels keep their threads."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _compiled_library() -> Path:
    """The library built from KERNEL_SOURCE (torch, imported above, has loaded the libgomp it shares)."""
    source = KERNEL_SOURCE.read_bytes()
    digest = hashlib.sha256(source + " ".join(KERNEL_FLAGS).encode()).hexdigest()[:16]
    folder = Path(os.environ.get("OCTET_KERNEL_CACHE") or cache_dir()) / "kernels"
    library = folder / f"octet_kernels_{digest}.so"
    if not library.exists():
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{library.name}.{os.getpid()}"
        compiler = os.environ.get("CXX", "g++")
        subprocess.run([compiler, *KERNEL_FLAGS, "-shared", "-fPIC", "-fopenmp", "-std=c++17", str(KERNEL_SOURCE),
                        "-o", str(partial)], check=True, capture_output=True, timeout=300)
        os.replace(partial, library)  # atomic: a concurrent first use sees all or nothing
    return library


def _cpu_has_flags() -> bool:
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return NEEDED_CPU_FLAGS <= set(flags)
