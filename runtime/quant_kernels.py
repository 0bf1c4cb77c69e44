"""The matrix kernels quantized layers run on: torch's packed int8/int4 ops, and our own GGUF block
kernels (quant_kernels.cpp), compiled at first use and cached, or None where they cannot be.

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
import functools
import os
import platform
from pathlib import Path

import torch

GGML_Q4_0, GGML_Q8_0 = 2, 8
KERNEL_SOURCE = Path(__file__).with_name("quant_kernels.cpp")
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


@functools.cache
def gguf_kernels():
    """`torch.ops.octet` with gguf_matvec / gguf_dequantize, or None when this CPU lacks the
    instructions, the compiler fails, or OCTET_NO_KERNELS=1 (the callers then use torch's ops)."""
    if os.environ.get("OCTET_NO_KERNELS") == "1" or not _cpu_has_flags():
        return None
    try:
        from torch.utils.cpp_extension import load_inline

        load_inline("octet_gguf_kernels", cpp_sources=[KERNEL_SOURCE.read_text()], extra_cflags=KERNEL_FLAGS,
                    is_python_module=False, verbose=False)
        return torch.ops.octet
    except Exception as error:  # a missing compiler or headers: run slower rather than not at all
        import warnings

        warnings.warn(f"Octet's GGUF kernels could not be compiled ({error}); using torch's kernels")
        return None


def _cpu_has_flags() -> bool:
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return NEEDED_CPU_FLAGS <= set(flags)
