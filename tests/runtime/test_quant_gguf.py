"""GGUF blocks onto our quantized weights: each type's conversion against the `gguf` package's
reference dequantizer, within the error docs/quantization.md states, and the loader's mapping."""
import gguf
import numpy as np
import pytest
import torch

from runtime.quant import kernels as quant_kernels
from runtime.quant.formats import GGUFBlockWeight, Int4Weight, Int8Weight
from runtime.quant.gguf_blocks import gguf_weight, int4_groups
from runtime.weights.gguf import dequantize_rows

Q = gguf.GGMLQuantizationType
N, K = 32, 512
needs_kernels = pytest.mark.skipif(quant_kernels.gguf_kernels() is None,
                                   reason="no native kernels here (`make setup` builds them)")


def random_blocks(qtype, rows=N, cols=K, seed=0) -> np.ndarray:
    """Random blocks of `qtype` [rows, row bytes] with sane fp16 scales (reference-dequantizable)."""
    rng = np.random.default_rng(seed)
    if qtype in (Q.Q4_0, Q.Q4_1, Q.Q8_0, Q.Q5_0):
        return gguf.quants.quantize(rng.standard_normal((rows, cols), dtype=np.float32) / 16, qtype)
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (rows, cols // block, size), dtype=np.uint8)
    halves = {Q.Q4_K: (0, 2), Q.Q5_K: (0, 2), Q.Q6_K: (size - 2,)}[qtype]
    for offset in halves:  # d (and dmin): small positive fp16
        raw[..., offset:offset + 2] = np.frombuffer(
            rng.uniform(1e-4, 1e-3, raw.shape[:2]).astype(np.float16).tobytes(), np.uint8).reshape(*raw.shape[:2], 2)
    return raw.reshape(rows, -1)


def reference(raw, qtype) -> torch.Tensor:
    return torch.from_numpy(gguf.quants.dequantize(raw, qtype).reshape(raw.shape[0], -1))


def relative_error(actual, expected) -> float:
    return ((actual.float() - expected).norm() / expected.norm()).item()


@pytest.mark.parametrize("qtype", [Q.Q4_0, Q.Q4_1, Q.Q4_K])
def test_int4_groups_are_exact_in_fp32(qtype):
    raw = random_blocks(qtype)
    codes, scales, zeros = int4_groups(raw, qtype, K)
    w = (codes.float().reshape(N, -1, 32) - 8) * scales[..., None] + zeros[..., None]
    assert torch.allclose(w.reshape(N, K), reference(raw, qtype), rtol=0, atol=1e-6)


@pytest.mark.parametrize("qtype,bound", [(Q.Q4_0, 4e-3), (Q.Q4_1, 4e-3), (Q.Q4_K, 4e-3)])
def test_int4_conversions_cost_only_bf16_scales(qtype, bound):
    """Scale and zero stored in bf16 (the kernel's dtype): ~2^-9 relative rounding."""
    raw = random_blocks(qtype)
    weight = gguf_weight(raw, qtype, K, use_kernels=False)
    assert isinstance(weight, Int4Weight)
    assert relative_error(weight.dequantize(), reference(raw, qtype)) < bound


@pytest.mark.parametrize("qtype,bound", [(Q.Q8_0, 1e-2), (Q.Q5_K, 1e-2), (Q.Q6_K, 1e-2), (Q.Q5_0, 1e-2)])
def test_other_types_requantize_to_int8_per_row(qtype, bound):
    raw = random_blocks(qtype)
    weight = gguf_weight(raw, qtype, K, use_kernels=False)
    assert isinstance(weight, Int8Weight)
    assert relative_error(weight.dequantize(), reference(raw, qtype)) < bound


@needs_kernels
@pytest.mark.parametrize("qtype", [Q.Q4_0, Q.Q8_0])
def test_kernel_blocks_dequantize_exactly(qtype):
    raw = random_blocks(qtype)
    weight = gguf_weight(raw, qtype, K)
    assert isinstance(weight, GGUFBlockWeight) and weight.blocks.numel() == raw.size  # same bytes
    assert torch.equal(weight.dequantize(), reference(raw, qtype))
    assert torch.equal(weight.rows(torch.tensor([3, 0, 3]), torch.float32), reference(raw, qtype)[[3, 0, 3]])


def test_dequantize_rows_in_chunks_equals_reference(monkeypatch):
    from runtime.weights import gguf as gguf_file

    monkeypatch.setattr(gguf_file, "CHUNK_WEIGHTS", 3 * K)  # several chunks, a short last one
    raw = random_blocks(Q.Q6_K, rows=10)
    assert torch.equal(dequantize_rows(raw, Q.Q6_K, K), reference(raw, Q.Q6_K))
