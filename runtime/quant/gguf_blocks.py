"""GGUF tensors onto our quantized weights.

- Where our native kernels run (kernels.gguf_kernels(): a library built for this CPU) every type they read
  (F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K) stays where it lies in the mapped file
  (`GGUFBlockWeight`): no copy, no conversion.
- Without them (another CPU architecture, libraries not built, OCTET_NO_KERNELS=1), torch's kernels: Q4_0
  -> int4 groups of 32 (scale d, zero 0), Q4_1 -> int4 g32 (scale d, zero m + 8d), Q4_K -> int4 g32 (scale
  d·sc, zero 8·d·sc − dmin·m); every other type is dequantized row-chunk by row-chunk with the `gguf`
  package (weights.gguf.dequantize_rows) and re-quantized to int8 per output row. Scales end in bf16.
"""
import warnings

import numpy as np
import torch

from ..weights.ggml_types import GGML_QUANT_SIZES, GGMLQuantizationType
from ..weights.gguf import dequantize_rows, unpermute_rope_rows
from . import kernels
from .formats import GGUFBlockWeight, Int4Weight, Int8Weight, QuantizedWeight

Q = GGMLQuantizationType
INT4_TYPES = (Q.Q4_0, Q.Q4_1, Q.Q4_K)


def is_quantized(qtype) -> bool:
    return qtype not in (Q.F32, Q.F16, Q.BF16, Q.F64)


def in_place(qtype, in_features: int) -> bool:
    """Whether a matrix of this type runs on our kernels where it lies in the file."""
    ops = kernels.gguf_kernels()
    return ops is not None and ops.supports(int(qtype), in_features)


def gguf_weight(raw: np.ndarray, qtype, in_features: int, *, rope_heads: int | None = None,
                use_kernels: bool = True, for_rows: bool = False) -> QuantizedWeight:
    """One matrix [N, K] from its blocks `raw` (uint8 [N, row bytes], a view of the mapped file);
    `rope_heads`: Q or K rows in llama.cpp's RoPE order, to be read back in rotate-half order;
    `for_rows`: an embedding, read by rows (so never int4, whose packed rows only the kernel reads)."""
    if use_kernels and in_place(qtype, in_features):
        order = None if rope_heads is None else unpermute_rope_rows(torch.arange(raw.shape[0]), rope_heads)
        return GGUFBlockWeight(_as_tensor(raw), qtype, in_features, row_order=order)
    if rope_heads is not None:
        raw = unpermute_rope_rows(torch.from_numpy(raw.copy()), rope_heads).numpy()
    if qtype in INT4_TYPES and not for_rows:
        codes, scales, zeros = int4_groups(raw, qtype, in_features)
        return Int4Weight(codes, scales, zeros, 32)
    return Int8Weight.quantize(dequantize_rows(raw, qtype, in_features))


def int4_groups(raw: np.ndarray, qtype, in_features: int):
    """(codes uint8 [N, K] in 0..15, scales [N, K/32], zeros [N, K/32]) with w = (q − 8)·scale + zero,
    fp32 and exact for Q4_0, Q4_1 and Q4_K."""
    blocks = _as_tensor(raw).reshape(raw.shape[0], -1, GGML_QUANT_SIZES[qtype][1])
    return {Q.Q4_0: _q4_0, Q.Q4_1: _q4_1, Q.Q4_K: _q4_k}[qtype](blocks)


def _halves(blocks: torch.Tensor, offset: int) -> torch.Tensor:
    return blocks[..., offset:offset + 2].contiguous().view(torch.float16)[..., 0].float()


def _nibble_groups(qs: torch.Tensor) -> torch.Tensor:
    """16 bytes -> 32 codes: low nibbles are elements 0..15, high nibbles 16..31."""
    return torch.cat([qs & 15, qs >> 4], dim=-1)


def _q4_0(blocks):  # [N, B, 18]: d, qs[16]
    N, B = blocks.shape[:2]
    d = _halves(blocks, 0)
    return _nibble_groups(blocks[..., 2:]).reshape(N, B * 32), d, torch.zeros_like(d)


def _q4_1(blocks):  # [N, B, 20]: d, m, qs[16]; w = d·q + m
    N, B = blocks.shape[:2]
    d, m = _halves(blocks, 0), _halves(blocks, 2)
    return _nibble_groups(blocks[..., 4:]).reshape(N, B * 32), d, m + 8 * d


def _q4_k(blocks):  # [N, B, 144]: d, dmin, scales[12] (6-bit sc and m for 8 groups), qs[128]
    N, B = blocks.shape[:2]
    d, dmin = _halves(blocks, 0), _halves(blocks, 2)
    sc, m = _k4_scales_mins(blocks[..., 4:16].to(torch.int32))  # [N, B, 8]
    qs = blocks[..., 16:].reshape(N, B, 4, 32)  # 4 chunks of 64: low nibbles group 2j, high 2j+1
    codes = torch.stack([qs & 15, qs >> 4], dim=3).reshape(N, B * 256)
    scale = d[..., None] * sc
    zero = 8 * scale - dmin[..., None] * m
    return codes, scale.reshape(N, B * 8), zero.reshape(N, B * 8)


def _k4_scales_mins(s: torch.Tensor):
    """llama.cpp's get_scale_min_k4 for the 8 groups of a Q4_K/Q5_K block, from its 12 bytes."""
    low_sc, low_m = s[..., 0:4] & 63, s[..., 4:8] & 63
    high_sc = (s[..., 8:12] & 15) | ((s[..., 0:4] >> 6) << 4)
    high_m = (s[..., 8:12] >> 4) | ((s[..., 4:8] >> 6) << 4)
    return torch.cat([low_sc, high_sc], -1).float(), torch.cat([low_m, high_m], -1).float()


def _as_tensor(raw: np.ndarray) -> torch.Tensor:
    """A uint8 tensor sharing the (read-only, mapped) memory of `raw`; it is never written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "the given NumPy array is not writable"
        return torch.from_numpy(raw.view(np.uint8))
