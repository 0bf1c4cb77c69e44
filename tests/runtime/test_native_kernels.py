"""Octet's native GGUF kernels (runtime/quant/native/), every instruction set this CPU runs forced one by one,
against the `gguf` package's reference dequantizer: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K,
Q4_K, Q5_K, Q6_K, on odd shapes (N = 37 rows; M = 1..9 tokens, the kernel takes 8 a pass; K = 576, two
superblocks and a partial one, and K = 32 for the 32-weight types; 256 and 512 for the K-quants; 576 and 75
for the float types). Quantized blocks are random bytes with valid fp16 scales, some of them subnormal or
zero, so every code and every sign occurs.

- dequantize: fp32 equal to the reference, value for value (where gguf's d (q - 8) gives -0, the kernels'
  scale code + offset gives +0); bf16 the fp32 result rounded to nearest even.
- matvec: against a float64 product of the reference weights with x quantized as the kernel does (per block
  of 32; the AVX2 library's K-quant rows per superblock of 256), within the worst case of fp32 accumulation
  (`fp32_bound`); against the product with x itself within that plus the worst case of the int8 rounding
  of x (`activation_bound`).
  (Measured: at most 2.5% of the first bound, 16% of the second.)
- the fused MoE step (`moe`) against the float64 product of its hidden activations, within their int8 rounding.
- every instruction set dequantizes to the same bits, and their products lie within the bound of each other.
- which library runs: `native.usable_isas()` for given CPU flags, and a clear warning when none is built.
"""
import functools
import math
import shutil
import warnings

import gguf
import numpy as np
import pytest
import torch

from runtime.quant import kernels, native
from tests.runtime.native_libraries import ISAS, isa_kernels

T = gguf.GGMLQuantizationType
N = 37
MAX_TOKENS = 9  # the kernel takes 8 tokens a pass: 9 makes a second, short one
UNIT = 2.0 ** -24  # fp32's unit roundoff
FLOAT_TYPES = (T.F32, T.F16, T.BF16)
K_QUANTS = (T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K)
SHAPES = ([(t, k) for t in FLOAT_TYPES for k in (576, 75)]
          + [(t, k) for t in (T.Q4_0, T.Q4_1, T.Q5_0, T.Q5_1, T.Q8_0) for k in (576, 32)]
          + [(t, k) for t in (T.Q2_K, T.Q3_K, T.Q4_K, T.Q5_K, T.Q6_K) for k in (256, 512)])
SHAPE_IDS = [f"{t.name}-K{k}" for t, k in SHAPES]
# byte offsets of each block's fp16 fields: d, and dmin or m (llama.cpp's ggml-common.h)
SCALE_FIELDS = {T.Q4_0: (0,), T.Q4_1: (0, 2), T.Q5_0: (0,), T.Q5_1: (0, 2), T.Q8_0: (0,),
                T.Q2_K: (80, 82), T.Q3_K: (108,), T.Q4_K: (0, 2), T.Q5_K: (0, 2), T.Q6_K: (208,)}
# byte ranges of each block's codes: with them all zero, a block's weights are its offsets
CODE_BYTES = {T.Q4_0: (2, 18), T.Q4_1: (4, 20), T.Q5_0: (2, 22), T.Q5_1: (4, 24), T.Q8_0: (2, 34),
              T.Q2_K: (16, 80), T.Q3_K: (0, 96), T.Q4_K: (16, 144), T.Q5_K: (16, 176), T.Q6_K: (0, 192)}


class Case:
    """One weight matrix [N, K] of one type and the references the kernels are held to, x quantized per
    `block` activations (32, or 256: `activation_block`)."""

    def __init__(self, qtype, K: int, block: int = 32):
        self.qtype, self.K = qtype, K
        rng = np.random.default_rng(int(qtype) * 1000 + K)
        self.raw = random_weights(rng, qtype, K)
        self.blocks = torch.from_numpy(self.raw)
        self.weights = gguf.quants.dequantize(self.raw, qtype).reshape(N, K)  # fp32, the reference
        x = rng.standard_normal((MAX_TOKENS, K)).astype(np.float32)
        x[2, :32] = 0  # a block of zeros: scale 0
        x[3] *= 1e3  # a token a thousand times larger
        self.x = torch.from_numpy(x)
        w = self.weights.astype(np.float64)
        if qtype in FLOAT_TYPES:  # x multiplies the weights as it is
            self.product = x.astype(np.float64) @ w.T
            self.bound = fp32_bound(K, np.abs(x).astype(np.float64) @ np.abs(w).T)
            self.activation_bound = self.bound
        else:
            xq, scales = quantize_activations(x, block)
            self.product = xq @ w.T
            magnitude = np.abs(xq) @ (np.abs(w) + 2 * np.abs(offsets(self.raw, qtype, K))).T
            self.bound = fp32_bound(K, magnitude)
            # |x - d q| <= d / 2 per element (plus the rounding of x * (1/d) in fp32: 2^-20 is ample)
            self.activation_bound = self.bound + (0.5 + 2.0 ** -20) * (np.repeat(scales, block, axis=1) @ np.abs(w).T)
        self.exact = x.astype(np.float64) @ w.T


@functools.cache
def case(qtype, K: int, block: int = 32) -> Case:
    return Case(qtype, K, block)


def activation_block(ops, qtype) -> int:
    """How many activations share a scale in `ops`' few-token kernels for `qtype`'s rows."""
    return 256 if ops.superblock_activations and qtype in K_QUANTS else 32


def matmul_activation_block(ops, qtype) -> int:
    """How many activations share a scale in `ops`' prompt product for `qtype`'s rows."""
    return 256 if int(qtype) in ops.matmul_superblock_types else 32


def random_weights(rng, qtype, K: int, rows: int = N) -> np.ndarray:
    """[rows, row bytes] uint8: random blocks of `qtype` with valid fp16 scale fields."""
    if qtype == T.F32:
        bits = rng.standard_normal((rows, K)).astype(np.float32).view(np.uint32)
        ties = rng.random((rows, K)) < 0.25  # halfway between two bf16: rounding to even shows
        bits[ties] = (bits[ties] & 0xFFFF0000) | 0x8000
        return bits.view(np.uint8)
    if qtype == T.F16:
        return random_halves(rng, (rows, K), 1.0).view(np.uint8)
    if qtype == T.BF16:
        bits = rng.standard_normal((rows, K)).astype(np.float32).view(np.uint32) >> 16
        return bits.astype(np.uint16).view(np.uint8)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (rows, K // block, size), dtype=np.uint8)
    for at in SCALE_FIELDS[qtype]:
        raw[..., at:at + 2] = random_halves(rng, raw.shape[:2], 0.01).view(np.uint8).reshape(*raw.shape[:2], 2)
    return raw.reshape(rows, -1)


def random_halves(rng, shape, size: float) -> np.ndarray:
    """fp16 of either sign up to `size`, one in 16 subnormal and one in 32 zero."""
    values = rng.uniform(size / 10, size, shape) * rng.choice([-1, 1], shape)
    kind = rng.random(shape)
    values[kind < 1 / 16] *= 1e-3 / size * 5e-3  # below fp16's smallest normal, 6.1e-5
    values[kind < 1 / 32] = 0
    return values.astype(np.float16)


def offsets(raw: np.ndarray, qtype, K: int) -> np.ndarray:
    """Each weight's group offset (w = scale * code + offset): the reference's weights with codes 0."""
    size, rows = gguf.GGML_QUANT_SIZES[qtype][1], raw.shape[0]
    zeroed = raw.reshape(rows, -1, size).copy()
    first, end = CODE_BYTES[qtype]
    zeroed[..., first:end] = 0
    return gguf.quants.dequantize(zeroed.reshape(rows, -1), qtype).reshape(rows, K).astype(np.float64)


def quantize_activations(x: np.ndarray, block: int = 32):
    """x [M, K] fp32 as the kernel quantizes it, per `block` values: d = amax / 127, q = x * (1 / d) rounded to
    nearest even, in fp32 -> (d q in float64 [M, K], d [M, K / block])."""
    blocks = x.reshape(x.shape[0], -1, block)
    d = np.abs(blocks).max(axis=-1) / np.float32(127)
    with np.errstate(divide="ignore"):
        inverse = np.where(d > 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    q = np.rint(blocks * inverse[..., None])
    return (q.astype(np.float64) * d[..., None]).reshape(x.shape), d.astype(np.float64)


def fp32_bound(K: int, magnitude: np.ndarray) -> np.ndarray:
    """The worst case of the kernels' fp32 arithmetic (Higham: n additions in a row and a few products leave
    at most ~n u of the sum of the terms' magnitudes; u = 2^-24). Quantized types: a group of 16 weights gives
    two terms, scale d (code . q) and offset d (sum q), whose magnitudes are at most (|w| + 2 |offset|) |d q|
    summed over the group; the portable path adds them one after another, K_pad / 8 of them (K padded to
    whole superblocks of 256), the SIMD and fused ones in fewer steps; the products (scale d, d sum q, the fp32
    weights) add a few roundings. Float types: 16 partial sums of K / 16 products each, then at most 15
    tail products and the 16 partials: at most K / 16 + 32. Both are within K_pad / 8 + 32 steps."""
    padded = math.ceil(K / 256) * 256
    return (padded / 8 + 32) * UNIT * magnitude


def kernels_for(isa: str) -> kernels.GGUFKernels:
    ops = isa_kernels(isa)
    ops.threads = 3  # 37 rows in chunks of 16: three chunks, one short
    return ops


def matvec(ops, c: Case, tokens: int) -> np.ndarray:
    return ops.matvec(c.x[:tokens], c.blocks, int(c.qtype), c.K).double().numpy()


# ---- each instruction set against the reference ----

@pytest.mark.parametrize("qtype, K", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("isa", ISAS)
def test_dequantize_equals_the_reference(isa, qtype, K):
    ops, c = kernels_for(isa), case(qtype, K)
    assert ops.supports(int(qtype), K)
    fp32 = ops.dequantize(c.blocks, int(qtype), K)
    assert torch.equal(fp32, torch.from_numpy(c.weights))
    bf16 = ops.dequantize(c.blocks, int(qtype), K, torch.bfloat16)
    assert bf16.dtype == torch.bfloat16
    assert torch.equal(bf16.view(torch.int16), fp32.to(torch.bfloat16).view(torch.int16))  # nearest even
    assert torch.equal(ops.dequantize(c.blocks, int(qtype), K, torch.float16), fp32.half())  # others via fp32


@pytest.mark.parametrize("qtype, K", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("isa", ISAS)
def test_matvec_equals_the_reference_within_fp32_rounding(isa, qtype, K):
    ops = kernels_for(isa)
    c = case(qtype, K, activation_block(ops, qtype))
    for tokens in range(1, MAX_TOKENS + 1):
        out = matvec(ops, c, tokens)
        error = np.abs(out - c.product[:tokens])
        assert (error <= c.bound[:tokens]).all(), f"{tokens} tokens: worst error / bound " \
                                                 f"{(error / c.bound[:tokens]).max():.3g}"
        error = np.abs(out - c.exact[:tokens])
        assert (error <= c.activation_bound[:tokens]).all(), f"{tokens} tokens, against x itself: worst error " \
                                                            f"/ bound {(error / c.activation_bound[:tokens]).max():.3g}"


QUANTIZED_SHAPES = [(t, k) for t, k in SHAPES if t not in FLOAT_TYPES]


@pytest.mark.parametrize("qtype, K", QUANTIZED_SHAPES, ids=[f"{t.name}-K{k}" for t, k in QUANTIZED_SHAPES])
@pytest.mark.parametrize("isa", ISAS)
def test_integer_matmul_equals_the_reference_within_fp32_rounding(isa, qtype, K):
    """A prompt's product (avx512 and avx2: every quantized type): 37 rows are three panels of 16
    (avx2: five of 8), the last one short; 9 tokens two passes of 8 (avx2: three of 4). The same bounds as
    matvec: x is quantized the same way (or per superblock of 256 for the K-quants, as llama.cpp's Q8_K), the sums
    run in another order."""
    ops = kernels_for(isa)
    c = case(qtype, K, matmul_activation_block(ops, qtype))
    out = ops.matmul(c.x, c.blocks, int(qtype), K)
    assert ops.integer_matmul == (isa in ("avx512", "avx2"))
    if not ops.integer_matmul:
        assert out is None  # the caller takes bf16 tiles
        return
    for tokens in (1, 5, MAX_TOKENS):
        got = out[:tokens].double().numpy() if tokens == MAX_TOKENS else \
            ops.matmul(c.x[:tokens], c.blocks, int(qtype), K).double().numpy()
        error = np.abs(got - c.product[:tokens])
        assert (error <= c.bound[:tokens]).all(), f"{tokens} tokens: worst error / bound " \
                                                 f"{(error / c.bound[:tokens]).max():.3g}"
        assert (np.abs(got - c.exact[:tokens]) <= c.activation_bound[:tokens]).all()
    ops.threads = 1
    assert torch.equal(ops.matmul(c.x, c.blocks, int(qtype), K), out)  # a panel is one thread's


@pytest.mark.parametrize("qtype", list(CODE_BYTES), ids=[t.name for t in CODE_BYTES])
@pytest.mark.parametrize("isa", ISAS)
def test_integer_matmul_holds_the_largest_codes(isa, qtype):
    """Every code at its largest (Q8_0's: -128) against activations all at 127: the integer sums a pass keeps are
    then at their largest (AVX2: vpmaddubsw's int16 pairs, as many products summed as a type's codes allow before
    widening: one product more would overflow them), and still the reference's within the same bound."""
    ops = kernels_for(isa)
    if not ops.integer_matmul:
        pytest.skip(f"{isa} leaves a prompt's products to torch")
    K, size = 512, gguf.GGML_QUANT_SIZES[qtype][1]
    raw = random_weights(np.random.default_rng(1), qtype, K).reshape(N, -1, size)
    first, end = CODE_BYTES[qtype]
    raw[..., first:end] = 0x80 if qtype == T.Q8_0 else 0xFF
    raw = raw.reshape(N, -1)
    w = gguf.quants.dequantize(raw, qtype).reshape(N, K).astype(np.float64)
    x = np.ones((MAX_TOKENS, K), dtype=np.float32)
    xq, _ = quantize_activations(x, matmul_activation_block(ops, qtype))
    magnitude = np.abs(xq) @ (np.abs(w) + 2 * np.abs(offsets(raw, qtype, K))).T
    got = ops.matmul(torch.from_numpy(x), torch.from_numpy(raw), int(qtype), K).double().numpy()
    error = np.abs(got - xq @ w.T)
    assert (error <= fp32_bound(K, magnitude)).all(), f"worst error / bound {(error / fp32_bound(K, magnitude)).max():.3g}"


@pytest.mark.parametrize("qtype, K", QUANTIZED_SHAPES, ids=[f"{t.name}-K{k}" for t, k in QUANTIZED_SHAPES])
@pytest.mark.parametrize("isa", ISAS)
def test_gated_matmul_is_silu_of_one_product_times_the_other(isa, qtype, K):
    """A SwiGLU's gate and up products in one call (`gated_matmul`): the same products as `matmul` bit for bit (the
    same panels and passes), joined by silu(gate) * up with an exp polynomial of ~1e-7 relative error: within
    2e-6 of the float64 join, relative (measured at most 2.4e-7). 37 rows, 9 tokens (one of them 1,000 times the
    others: gates of -3e5, whose exp the polynomial floors at e^-87); the up matrix is the gate's rows reversed."""
    ops = kernels_for(isa)
    c = case(qtype, K, matmul_activation_block(ops, qtype))
    up = torch.flip(c.blocks, [0]).contiguous()
    out = ops.gated_matmul(c.x, c.blocks, up, int(qtype), K)
    if not ops.integer_matmul:
        assert out is None
        return
    gate, product = (ops.matmul(c.x, w, int(qtype), K).double() for w in (c.blocks, up))
    expected = torch.nn.functional.silu(gate) * product
    assert out.dtype == torch.float32 and out.shape == expected.shape
    floor = 1e-37 * (gate * product).abs()  # exp(-|g|) stops at e^-87 (or e^-100) where it would underflow
    assert ((out.double() - expected).abs() <= 2e-6 * expected.abs() + floor).all()
    assert (out.double() - torch.nn.functional.silu(product) * gate).abs().max() > 1e-3 * expected.abs().max()
    with pytest.raises(ValueError):
        ops.gated_matmul(c.x, c.blocks, up[:-1], int(qtype), K)


def test_integer_matmul_refuses_float_weights():
    ops = kernels_for(ISAS[0])
    weights = torch.zeros(16, 2 * 64, dtype=torch.uint8)  # F16 [16, 64]
    assert ops.matmul(torch.ones(3, 64), weights, int(T.F16), 64) is None


@pytest.mark.parametrize("flags, limit, fast", [
    ({"avx2", "fma"}, None, False), ({"avx512f", "avx512_bf16"}, None, True), ({"avx512_bf16"}, "AVX2", False),
    ({"avx512_bf16"}, "avx512_core_bf16", True), ({"amx_bf16"}, "AVX10_1_512_AMX", True), ({"asimd", "bf16"}, None, True),
])
def test_bf16_products_are_fast_only_with_bf16_instructions(monkeypatch, flags, limit, fast):
    monkeypatch.setattr(native, "cpu_flags", lambda: flags)
    if limit is None:
        monkeypatch.delenv("ONEDNN_MAX_CPU_ISA", raising=False)
    else:
        monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", limit)
    kernels.bf16_products_fast.cache_clear()
    try:
        assert kernels.bf16_products_fast() is fast
    finally:
        kernels.bf16_products_fast.cache_clear()


@pytest.mark.parametrize("fast", [True, False])
def test_prompt_tiles_are_fp32_without_bf16_instructions(monkeypatch, fast):
    """A prompt on rows too short for the integer product takes dequantized tiles: bf16 where torch's bf16
    product has bf16 instructions, fp32 elsewhere (3x faster there); both give the product within bf16."""
    from runtime.quant import formats
    if kernels.gguf_kernels() is None:
        pytest.skip("no native kernels here")
    monkeypatch.setattr(kernels, "bf16_products_fast", lambda: fast)
    c = case(T.Q4_K, 512)
    weight = formats.GGUFBlockWeight(c.blocks, int(T.Q4_K), 512)
    x = c.x[:5].to(torch.bfloat16)
    with formats.prompt_path():
        out = weight.matmul(x)
    assert out.dtype == torch.bfloat16
    assert formats._SCRATCH.buffer.dtype == (torch.bfloat16 if fast else torch.float32)
    reference = x.double().numpy() @ c.weights.astype(np.float64).T
    assert np.abs(out.double().numpy() - reference).max() <= 2e-2 * np.abs(reference).max()


SPECIAL_FP32 = [0x7F800000, 0xFF800000, 0x7F7FFFFF, 0x7F7F8000, 0x80000000, 0x00000001, 0x00018000, 0x3F808000,
                0x3F818000, 0x3F807FFF, 0xBF818001]  # ±inf, max (-> inf), a tie below max, -0, subnormals, ties
NAN_FP32 = [0x7FC00000, 0x7F800001, 0x7FFFFFFF, 0xFFFFFFFF, 0xFF810000]


def bf16_of(isa: str, bits: list[int]) -> torch.Tensor:
    raw = torch.from_numpy(np.array(bits, np.uint32).view(np.uint8).reshape(1, -1).copy())
    return kernels_for(isa).dequantize(raw, int(T.F32), len(bits), torch.bfloat16)


@pytest.mark.parametrize("isa", ISAS)
def test_bf16_of_special_values_is_torchs(isa):
    expected = torch.from_numpy(np.array(SPECIAL_FP32, np.uint32).view(np.float32)).to(torch.bfloat16)
    assert torch.equal(bf16_of(isa, SPECIAL_FP32).view(torch.int16)[0], expected.view(torch.int16))


@pytest.mark.parametrize("isa", ISAS)
def test_bf16_of_nan_is_nan(isa):
    assert bf16_of(isa, NAN_FP32).isnan().all()


def test_the_bounds_tell_a_wrong_code_or_scale_apart():
    """One weight off by less than a code's step goes past the bound, and so does x unquantized: the test
    above can fail."""
    c = case(T.Q4_K, 512)
    assert (np.abs(c.product - c.exact) > c.bound).any()  # unquantized x is not "the kernel's" product
    nudged = c.weights.astype(np.float64)
    nudged[5, 300] += 0.1 * np.abs(c.weights).mean()  # a step is d * scale, ~ mean |w| / 8
    xq, _ = quantize_activations(c.x.numpy())
    assert (np.abs(xq @ nudged.T - c.product) > c.bound)[:, 5].sum() >= MAX_TOKENS - 2


# ---- the fused mixture-of-experts step ----

MOE_TYPES = [(T.Q4_K, T.Q6_K), (T.Q3_K, T.Q5_K), (T.Q2_K, T.Q4_K), (T.Q6_K, T.Q2_K), (T.Q4_0, T.Q8_0),
             (T.Q5_0, T.Q4_1), (T.Q5_1, T.Q3_K), (T.Q8_0, T.Q5_0)]


def inner_size(qtype) -> int:
    """Rows of this type's blocks for the MoE test: two superblocks, or a partial third for 32-weight types."""
    return 512 if gguf.GGML_QUANT_SIZES[qtype][0] == 256 else 576


@pytest.mark.parametrize("up_type, down_type", MOE_TYPES, ids=[f"{u.name}-{d.name}" for u, d in MOE_TYPES])
@pytest.mark.parametrize("isa", ISAS)
def test_moe_step_equals_its_reference(isa, up_type, down_type):
    """octet_moe, one token through A = 2 experts: sum_a gate[a] w2[a] (silu(w1[a] x) * (w3[a] x)). Its up
    projections are the matvec's row kernel (taken here from `matvec`, held to the reference above); against
    the float64 product of their SiLU with w2, unquantized, the bound is the int8 rounding of the hidden
    activations (d / 2 each, as for x), fp32's in the down products (`fp32_bound`), SiLU's few fp32 roundings
    (16 u of |h|) and the gated sum's (4 u)."""
    ops, rng = kernels_for(isa), np.random.default_rng(int(up_type) * 100 + int(down_type))
    D, F, A = inner_size(up_type), inner_size(down_type), 2
    w1, w3 = ([torch.from_numpy(random_weights(rng, up_type, D, rows=F)) for _ in range(A)] for _ in range(2))
    w2 = [torch.from_numpy(random_weights(rng, down_type, F, rows=D)) for _ in range(A)]
    x = torch.from_numpy(rng.standard_normal((1, D)).astype(np.float32))
    gate = torch.tensor([0.625, -0.375])
    out = ops.moe(x, w1, w3, w2, int(up_type), int(down_type), gate).double().numpy()[0]
    expected, bound = np.zeros(D), np.zeros(D)
    for a in range(A):
        g, u = (ops.matvec(x, w[a], int(up_type), D).numpy()[0] for w in (w1, w3))
        with np.errstate(over="ignore"):
            h = g / (1 + np.exp(-g)) * u  # fp32
        down = gguf.quants.dequantize(w2[a].numpy(), down_type).reshape(D, F).astype(np.float64)
        block = activation_block(ops, down_type)
        hq, scales = quantize_activations(h[None], block)
        magnitude = (np.abs(down) + 2 * np.abs(offsets(w2[a].numpy(), down_type, F))) @ np.abs(hq[0])
        value = down @ h.astype(np.float64)
        expected += float(gate[a]) * value
        bound += abs(float(gate[a])) * (fp32_bound(F, magnitude) + 16 * UNIT * np.abs(down) @ np.abs(h)
                                        + (0.5 + 2.0 ** -20) * np.abs(down) @ np.repeat(scales[0], block)
                                        + 4 * UNIT * np.abs(value))
    error = np.abs(out - expected)
    assert (error <= bound).all(), f"worst error / bound {(error / bound).max():.3g}"


@pytest.mark.parametrize("isa", ISAS)
def test_several_matrices_at_once_equal_each_alone(isa):
    """A layer's q, k and v in one call (octet_matvec_many: x quantized once, one pass over all rows) give
    exactly what each matrix gives alone, whatever their types; a float type is refused (None)."""
    ops = kernels_for(isa)
    cases = [case(T.Q4_K, 512), case(T.Q6_K, 512), case(T.Q4_0, 576)]
    x = cases[0].x[:3]
    together = ops.matvec_many(x, [(c.blocks, int(c.qtype)) for c in cases[:2]])
    alone = [ops.matvec(x, c.blocks, int(c.qtype), 512) for c in cases[:2]]
    assert all(torch.equal(a, b) for a, b in zip(together, alone))
    assert ops.matvec_many(cases[2].x[:3], [(cases[2].blocks, int(T.Q4_0))])[0].equal(
        ops.matvec(cases[2].x[:3], cases[2].blocks, int(T.Q4_0), 576))
    assert ops.matvec_many(x, [(cases[0].blocks, int(T.Q4_K)), (case(T.F16, 512).blocks, int(T.F16))]) is None


@pytest.mark.parametrize("isa", ISAS)
def test_rows_split_across_threads_give_the_same_bits(isa):
    """A matrix past the kernels' serial threshold (2^18 weights) is split across threads in grabs of about
    256 KiB (16 to 256 rows): every row is computed once, each by one thread, so the thread count changes
    nothing."""
    rng = np.random.default_rng(5)
    K, rows = 512, 1037  # 531K weights; rows of 288 bytes: 5 grabs of 256 rows, the last one short
    blocks = torch.from_numpy(random_weights(rng, T.Q4_K, K, rows))
    x = torch.from_numpy(rng.standard_normal((3, K)).astype(np.float32))
    ops = kernels_for(isa)
    results = []
    for threads in (1, 2, 3):
        ops.threads = threads
        results.append((ops.matvec(x, blocks, int(T.Q4_K), K), ops.dequantize(blocks, int(T.Q4_K), K)))
    ops.threads = 3
    assert all(torch.equal(a, results[0][0]) and torch.equal(b, results[0][1]) for a, b in results[1:])
    reference = torch.from_numpy(gguf.quants.dequantize(blocks.numpy(), T.Q4_K).reshape(rows, K))
    assert torch.equal(results[0][1], reference)


# ---- the instruction sets against each other ----

@pytest.mark.skipif(len(ISAS) < 2, reason="one instruction set here")
@pytest.mark.parametrize("qtype, K", SHAPES, ids=SHAPE_IDS)
def test_every_isa_gives_the_same_answer(qtype, K):
    c = case(qtype, K)
    first, *others = [kernels_for(isa) for isa in ISAS]
    weights = first.dequantize(c.blocks, int(qtype), K, torch.bfloat16).view(torch.int16)
    out = matvec(first, c, MAX_TOKENS)
    for ops in others:
        assert torch.equal(ops.dequantize(c.blocks, int(qtype), K, torch.bfloat16).view(torch.int16), weights)
        assert torch.equal(ops.dequantize(c.blocks, int(qtype), K).view(torch.int32),
                           first.dequantize(c.blocks, int(qtype), K).view(torch.int32))
        if activation_block(ops, qtype) == activation_block(first, qtype):  # the same x: within fp32 rounding
            assert (np.abs(matvec(ops, c, MAX_TOKENS) - out) <= 2 * c.bound).all(), ops.isa
        else:  # x quantized differently: each within its own rounding of x of the exact product
            other = case(qtype, K, activation_block(ops, qtype))
            bound = c.activation_bound + other.activation_bound
            assert (np.abs(matvec(ops, c, MAX_TOKENS) - out) <= bound).all(), ops.isa
    ops.threads = 1  # each row is one thread's: the thread count never changes a bit
    serial = matvec(ops, c, MAX_TOKENS)
    ops.threads = 3
    assert np.array_equal(serial, matvec(ops, c, MAX_TOKENS))


@pytest.mark.parametrize("isa", ISAS)
def test_supported_types_and_shapes(isa):
    ops = kernels_for(isa)
    assert ops.lib.octet_isa().decode() == isa
    assert all(ops.supports(int(t), k) for t, k in SHAPES)
    assert not ops.supports(int(T.Q4_0), 48)  # not whole blocks
    assert not ops.supports(int(T.Q6_K), 288)
    assert not ops.supports(int(T.IQ4_NL), 256)  # a type the kernels do not read
    with pytest.raises(ValueError):
        ops.matvec(torch.zeros(1, 512), torch.zeros(3, 143, dtype=torch.uint8), int(T.Q4_K), 512)
    up, down = torch.zeros(16, 64, dtype=torch.uint8), torch.zeros(32, 32, dtype=torch.uint8)  # F16 [16, 32], [32, 16]
    assert ops.moe(torch.ones(1, 32), [up], [up], [down], int(T.F16), int(T.F16), torch.ones(1)) is None


def test_a_library_for_another_isa_is_refused():
    if len(ISAS) < 2:
        pytest.skip("one instruction set here")
    library = isa_kernels(ISAS[-1]).lib
    with pytest.raises(OSError, match=f"{ISAS[0]} library reports {ISAS[-1]}"):
        kernels.GGUFKernels(library, ISAS[0])


# ---- which library runs ----

X86_AVX2 = {"sse4_2", "avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "movbe"}
X86_AVX512 = X86_AVX2 | {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd", "avx512_vnni"}


@pytest.mark.parametrize("flags, arch, expected", [
    pytest.param(X86_AVX512, "x86_64", ["avx512", "avx2", "portable"], id="avx512-vnni"),
    pytest.param(X86_AVX512 - {"avx512_vnni"}, "x86_64", ["avx2", "portable"], id="avx512-without-vnni"),
    pytest.param(X86_AVX2, "x86_64", ["avx2", "portable"], id="avx2"),
    pytest.param(X86_AVX2 - {"fma"}, "x86_64", ["portable"], id="avx2-without-fma"),
    pytest.param(X86_AVX2 - {"f16c"}, "x86_64", ["portable"], id="avx2-without-f16c"),
    pytest.param(set(), "x86_64", ["portable"], id="x86-64-baseline"),
    pytest.param({"fp", "asimd", "asimddp"}, "aarch64", ["neon", "portable"], id="arm64-dotprod"),
    pytest.param({"fp", "asimd"}, "aarch64", ["portable"], id="arm64-v8.0"),
    pytest.param({"rv64imafdc"}, "riscv64", [], id="riscv64"),
])
def test_usable_isas_follow_the_cpu_flags(monkeypatch, flags, arch, expected):
    monkeypatch.delenv("OCTET_KERNEL_ISA", raising=False)
    assert native.usable_isas(flags, arch) == expected


@pytest.mark.parametrize("forced, flags, expected", [
    pytest.param("avx2", X86_AVX512, ["avx2"], id="avx2"),
    pytest.param("portable", X86_AVX512, ["portable"], id="portable"),
    pytest.param("avx512", X86_AVX2, [], id="avx512-on-avx2-cpu"),  # forced, but not on this CPU: none
    pytest.param("neon", X86_AVX512, [], id="neon-on-x86"),
])
def test_octet_kernel_isa_forces_one(monkeypatch, forced, flags, expected):
    monkeypatch.setenv("OCTET_KERNEL_ISA", forced)
    assert native.usable_isas(flags, "x86_64") == expected


@pytest.fixture
def fresh_kernels():
    """`gguf_kernels()` looked up anew in the test, and again after it."""
    kernels.gguf_kernels.cache_clear()
    yield
    kernels.gguf_kernels.cache_clear()


@pytest.mark.parametrize("isa", ISAS)
def test_octet_kernel_isa_picks_the_library(monkeypatch, fresh_kernels, isa):
    isa_kernels(isa)  # skips where it is not built
    monkeypatch.delenv("OCTET_NO_KERNELS", raising=False)
    monkeypatch.setenv("OCTET_KERNEL_ISA", isa)
    assert kernels.gguf_kernels().isa == kernels.kernel_path() == isa


def test_missing_libraries_warn_and_fall_back_to_torch(monkeypatch, fresh_kernels, tmp_path):
    if not ISAS:
        pytest.skip("no native kernels for this CPU")
    monkeypatch.delenv("OCTET_NO_KERNELS", raising=False)
    monkeypatch.delenv("OCTET_KERNEL_ISA", raising=False)
    monkeypatch.setattr(native, "library_path", lambda isa, folder=tmp_path: folder / f"octet_kernels_{isa}.so")
    with pytest.warns(UserWarning, match=r"not built: run `make setup`"):
        assert kernels.gguf_kernels() is None
    assert kernels.kernel_path() == "torch"


def test_a_broken_library_is_named_and_the_next_one_runs(monkeypatch, fresh_kernels, tmp_path):
    if len(ISAS) < 2:
        pytest.skip("one instruction set here")
    monkeypatch.delenv("OCTET_NO_KERNELS", raising=False)
    monkeypatch.delenv("OCTET_KERNEL_ISA", raising=False)
    monkeypatch.setattr(native, "library_path", lambda isa, folder=tmp_path: folder / f"octet_kernels_{isa}.so")
    (tmp_path / f"octet_kernels_{ISAS[0]}.so").write_bytes(b"not a library")
    shutil.copy(isa_kernels(ISAS[-1]).lib._name, tmp_path / f"octet_kernels_{ISAS[-1]}.so")
    with pytest.warns(UserWarning, match=f"{ISAS[0]} kernels could not be loaded"):
        assert kernels.gguf_kernels().isa == ISAS[-1]


def test_no_kernels_when_told(monkeypatch, fresh_kernels):
    monkeypatch.setenv("OCTET_NO_KERNELS", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert kernels.gguf_kernels() is None
