"""Float weights -> llama.cpp's K-quant blocks (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K), with numpy alone.

The `gguf` package decodes these types but cannot write them; this writes them, for `runtime synth`
and the tests. The block layouts are ggml's (ggml-common.h, `dequantize_row_q*_K` in ggml-quants.c),
each a super-block of 256 weights with an fp16 scale (and an fp16 min scale for Q2_K, Q4_K, Q5_K):

- Q2_K (84 bytes): 16 scale bytes (4-bit scale | 4-bit min << 4, one per 16 weights), 64 bytes of
  2-bit levels, d, dmin. Weight 128h + 32j + l is bits 2j of byte 32h + l; value d·sc·q - dmin·m.
- Q3_K (110 bytes): 32 bytes of high bits, 64 bytes of 2-bit low bits, 12 bytes of 16 signed 6-bit
  scales (stored + 32), d. Weight 128h + 32j + l: low bits as Q2_K, high bit = bit 4h + j of byte
  l; value d·(sc - 32)·(q - 4).
- Q4_K (144 bytes): d, dmin, 12 bytes of eight 6-bit scales and mins, 128 bytes of nibbles. Weight
  64c + l is the low nibble of byte 32c + l, weight 64c + 32 + l its high nibble; d·sc·q - dmin·m.
- Q5_K (176 bytes): Q4_K's d, dmin and scales, 32 bytes of fifth bits (weight 32s + l: bit s of
  byte l), then Q4_K's nibbles.
- Q6_K (210 bytes): 128 bytes of low nibbles, 64 bytes of 2-bit high parts, 16 int8 scales, d.
  Weight 128h + 32k + l: nibble k // 2 of byte 64h + 32(k % 2) + l, high part bits 2k of byte
  32h + l; value d·sc·(q - 32).

The choice of scales is simpler than llama.cpp's search: per sub-block, min/max (Q2_K, Q4_K, Q5_K)
or the signed extreme mapped to the lowest level (Q3_K, Q6_K, as llama.cpp's reference does); the
sub-block scales quantized against the largest one; the levels then recomputed from the stored
scales. Blocks are processed BLOCKS_PER_STEP at a time, each step in whole-array numpy calls.
"""
import gguf
import numpy as np

Q = gguf.GGMLQuantizationType
QK_K = 256
K_TYPES = (Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K)
BLOCKS_PER_STEP = 4096  # super-blocks quantized per numpy pass: 4 MiB of float32, cache-friendly


def quantize(weights: np.ndarray, qtype) -> np.ndarray:
    """`weights` float [..., K] (K a multiple of 256) -> uint8 [..., K / 256 · block bytes], `qtype`'s
    blocks as ggml lays them out, row after row."""
    qtype = Q(qtype)
    if qtype not in PACKERS:
        raise ValueError(f"{qtype.name} is not a K-quant type (one of {', '.join(t.name for t in K_TYPES)})")
    weights = np.asarray(weights)
    if weights.ndim == 0 or weights.shape[-1] % QK_K:
        row = weights.shape[-1] if weights.ndim else 0
        raise ValueError(f"rows of {row} weights: K-quants need a multiple of {QK_K}")
    flat = weights.reshape(-1, QK_K)
    type_size = gguf.GGML_QUANT_SIZES[qtype][1]
    out = np.empty((flat.shape[0], type_size), dtype=np.uint8)
    for start in range(0, flat.shape[0], BLOCKS_PER_STEP):
        blocks = flat[start:start + BLOCKS_PER_STEP].astype(np.float32)
        if not np.isfinite(blocks).all():
            raise ValueError("cannot quantize weights that are not finite")
        out[start:start + BLOCKS_PER_STEP] = PACKERS[qtype](blocks)
    return out.reshape(*weights.shape[:-1], weights.shape[-1] // QK_K * type_size)


# -- scales ------------------------------------------------------------------------------------------

def _inverse(values: np.ndarray) -> np.ndarray:
    """1 / values, 0 where values is 0."""
    return np.divide(1.0, values, out=np.zeros_like(values), where=values != 0)


def _fp16(values: np.ndarray) -> np.ndarray:
    """`values` as the fp16 a block stores; a scale fp16 cannot hold is an error, not an infinity."""
    with np.errstate(over="ignore"):
        half = values.astype(np.float16)
    if not np.isfinite(half).all():
        raise ValueError("weights too large for a K-quant block's fp16 scale")
    return half


def _min_max(sub: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Sub-blocks [n, S, L] -> (scale, min) [n, S], both >= 0, for levels 0..top: value = scale·q - min."""
    low = np.minimum(sub.min(axis=-1), 0.0)
    return (sub.max(axis=-1) - low) / top, -low


def _extreme(values: np.ndarray) -> np.ndarray:
    """The signed value of largest magnitude along the last axis."""
    index = np.abs(values).argmax(axis=-1)[..., None]
    return np.take_along_axis(values, index, axis=-1)[..., 0]


def _unsigned_codes(values: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative [n, S] -> (fp16 d [n], codes 0..top [n, S]) with values ≈ d·codes."""
    d = _fp16(values.max(axis=-1) / top)
    codes = np.rint(values * _inverse(d.astype(np.float32))[:, None])
    return d, np.clip(codes, 0, top).astype(np.uint8)


def _signed_codes(values: np.ndarray, low: int) -> tuple[np.ndarray, np.ndarray]:
    """Signed [n, S] -> (fp16 d [n], codes -low..low-1 [n, S]); the extreme maps to -low."""
    d = _fp16(_extreme(values) / -low)
    codes = np.rint(values * _inverse(d.astype(np.float32))[:, None])
    return d, np.clip(codes, -low, low - 1).astype(np.int8)


def _affine_levels(sub, d, sc, dmin, m, top: int) -> np.ndarray:
    """Levels 0..top of sub [n, S, L] under the stored scales: value = d·sc·q - dmin·m."""
    step = d.astype(np.float32)[:, None] * sc
    offset = dmin.astype(np.float32)[:, None] * m
    levels = np.rint((sub + offset[..., None]) * _inverse(step)[..., None])
    return np.clip(levels, 0, top).astype(np.uint8)


def _symmetric_levels(sub, d, sc, low: int) -> np.ndarray:
    """Levels -low..low-1 of sub [n, S, L], stored + low (0..2·low-1): value = d·sc·(q - low)."""
    step = d.astype(np.float32)[:, None] * sc
    levels = np.rint(sub * _inverse(step)[..., None])
    return (np.clip(levels, -low, low - 1) + low).astype(np.uint8)


# -- bit packing ---------------------------------------------------------------------------------------

def _or_shifted(parts: np.ndarray, axis: int, width: int) -> np.ndarray:
    """OR of parts[..., i, ...] << (width · i) along `axis` (the parts' bits do not overlap)."""
    shape = [1] * parts.ndim
    shape[axis] = parts.shape[axis]
    shifts = (np.arange(parts.shape[axis], dtype=np.uint8) * width).reshape(shape)
    return np.bitwise_or.reduce(parts << shifts, axis=axis)


def _half_bytes(d: np.ndarray) -> np.ndarray:
    return d.astype(np.float16).reshape(-1, 1).view(np.uint8)


def _pack_scale_min_k4(sc: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Eight 6-bit scales and mins [n, 8] -> ggml's 12 bytes (get_scale_min_k4 reads them back): bytes
    0-3 and 4-7 hold scales and mins 0-3 and, in their top two bits, bits 4-5 of scales and mins 4-7;
    bytes 8-11 hold the low nibbles of scales 4-7 and, above them, of mins 4-7."""
    return np.concatenate([sc[:, :4] | ((sc[:, 4:] >> 4) << 6),
                           m[:, :4] | ((m[:, 4:] >> 4) << 6),
                           (sc[:, 4:] & 0xF) | ((m[:, 4:] & 0xF) << 4)], axis=1)


def _pack_q3_scales(stored: np.ndarray) -> np.ndarray:
    """Sixteen 6-bit scales [n, 16] -> 12 bytes: low nibbles of 0-7 and (high nibble) 8-15 in bytes 0-7,
    the top two bits of scale j in bits 2·(j // 4) of byte 8 + j % 4."""
    low = (stored[:, :8] & 0xF) | ((stored[:, 8:] & 0xF) << 4)
    high = _or_shifted((stored >> 4).reshape(-1, 4, 4), axis=1, width=2)
    return np.concatenate([low, high], axis=1)


# -- the five types ------------------------------------------------------------------------------------

def _pack_q2_k(blocks: np.ndarray) -> np.ndarray:
    n = blocks.shape[0]
    sub = blocks.reshape(n, 16, 16)
    scale, minimum = _min_max(sub, 3)
    d, sc = _unsigned_codes(scale, 15)
    dmin, m = _unsigned_codes(minimum, 15)
    levels = _affine_levels(sub, d, sc, dmin, m, 3).reshape(n, 2, 4, 32)
    qs = _or_shifted(levels, axis=2, width=2).reshape(n, 64)
    return np.concatenate([sc | (m << 4), qs, _half_bytes(d), _half_bytes(dmin)], axis=1)


def _pack_q3_k(blocks: np.ndarray) -> np.ndarray:
    n = blocks.shape[0]
    sub = blocks.reshape(n, 16, 16)
    d, sc = _signed_codes(_extreme(sub) / -4, 32)
    levels = _symmetric_levels(sub, d, sc, 4).reshape(n, 2, 4, 32)  # 0..7
    qs = _or_shifted(levels & 3, axis=2, width=2).reshape(n, 64)
    hmask = _or_shifted((levels >> 2).reshape(n, 8, 32), axis=1, width=1)
    stored = (sc.astype(np.int16) + 32).astype(np.uint8)
    return np.concatenate([hmask, qs, _pack_q3_scales(stored), _half_bytes(d)], axis=1)


def _q4_k_parts(blocks: np.ndarray, top: int):
    """What Q4_K and Q5_K share: d, dmin, the 12 scale bytes and the levels [n, 8, 32] (0..top)."""
    sub = blocks.reshape(blocks.shape[0], 8, 32)
    scale, minimum = _min_max(sub, top)
    d, sc = _unsigned_codes(scale, 63)
    dmin, m = _unsigned_codes(minimum, 63)
    return d, dmin, _pack_scale_min_k4(sc, m), _affine_levels(sub, d, sc, dmin, m, top)


def _nibbles(levels: np.ndarray) -> np.ndarray:
    """Levels [n, 8, 32] (low 4 bits used) -> 128 bytes: sub-block 2c in the low, 2c + 1 in the high
    nibbles of bytes 32c..32c + 31."""
    pairs = (levels & 0xF).reshape(levels.shape[0], 4, 2, 32)
    return (pairs[:, :, 0] | (pairs[:, :, 1] << 4)).reshape(levels.shape[0], 128)


def _pack_q4_k(blocks: np.ndarray) -> np.ndarray:
    d, dmin, scales, levels = _q4_k_parts(blocks, 15)
    return np.concatenate([_half_bytes(d), _half_bytes(dmin), scales, _nibbles(levels)], axis=1)


def _pack_q5_k(blocks: np.ndarray) -> np.ndarray:
    d, dmin, scales, levels = _q4_k_parts(blocks, 31)
    qh = _or_shifted(levels >> 4, axis=1, width=1)
    return np.concatenate([_half_bytes(d), _half_bytes(dmin), scales, qh, _nibbles(levels)], axis=1)


def _pack_q6_k(blocks: np.ndarray) -> np.ndarray:
    n = blocks.shape[0]
    sub = blocks.reshape(n, 16, 16)
    d, sc = _signed_codes(_extreme(sub) / -32, 128)
    levels = _symmetric_levels(sub, d, sc, 32)  # 0..63, [n, 16, 16]
    halves = (levels & 0xF).reshape(n, 2, 2, 2, 32)  # [h, k // 2, k % 2, l]
    ql = (halves[:, :, 0] | (halves[:, :, 1] << 4)).reshape(n, 128)
    qh = _or_shifted((levels >> 4).reshape(n, 2, 4, 32), axis=2, width=2).reshape(n, 64)
    return np.concatenate([ql, qh, sc.view(np.uint8), _half_bytes(d)], axis=1)


PACKERS = {Q.Q2_K: _pack_q2_k, Q.Q3_K: _pack_q3_k, Q.Q4_K: _pack_q4_k, Q.Q5_K: _pack_q5_k, Q.Q6_K: _pack_q6_k}
