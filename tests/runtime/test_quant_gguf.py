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


@needs_kernels
def test_mixtral_sized_experts_stay_in_fp32_between_integer_products(monkeypatch):
    """A prompt through experts whose rows take the integer products (K >= INTEGER_MATMUL_MIN_K): each expert's
    gate and up products run as one gated call (silu(x W1^T) * (x W3^T), x quantized once), every product is
    handed fp32 activations (no bf16 round trip of the [T, F] hidden ones), and the bf16 output agrees with the
    experts' dequantized weights in fp32 within the int8 activations' error (about 1%)."""
    from runtime.config import ModelConfig
    from runtime.model import MoEFeedForward
    from runtime.quant.formats import QuantizedExperts, prompt_path

    ops = quant_kernels.gguf_kernels()
    if not ops.integer_matmul:
        pytest.skip(f"the {ops.isa} library has no integer products")
    D = F = 2048
    config = ModelConfig(hidden_size=D, intermediate_size=F, num_local_experts=4, num_experts_per_tok=2)
    moe = MoEFeedForward(config)
    torch.manual_seed(0)
    moe.gate.weight = torch.nn.Parameter(torch.randn(4, D))
    raws = {name: [random_blocks(Q.Q4_K, F if name != "w2" else D, D if name != "w2" else F, seed=i * 3 + j)
                   for i in range(4)] for j, name in enumerate(("w1", "w3", "w2"))}
    for name, raw in raws.items():
        delattr(moe, name)  # the loader's swap (loader.install_quantized)
        setattr(moe, name, QuantizedExperts([gguf_weight(r, Q.Q4_K, r.shape[1] // 144 * 256) for r in raw],
                                            torch.bfloat16))
    seen = {"matmul": [], "gated_matmul": []}
    for name, real in [(name, getattr(ops, name)) for name in seen]:
        monkeypatch.setattr(ops, name, lambda x, *rest, name=name, real=real: seen[name].append(x.dtype) or real(x, *rest))
    x = torch.randn(24, D, dtype=torch.bfloat16)
    with torch.inference_mode(), prompt_path():
        out = moe(x)
    assert out.dtype == torch.bfloat16
    # each expert with tokens: w1 and w3 in one gated call, then w2; all handed fp32
    assert seen["gated_matmul"] and len(seen["gated_matmul"]) == len(seen["matmul"])
    assert set(seen["gated_matmul"]) == set(seen["matmul"]) == {torch.float32}
    dense = {name: torch.stack([reference(r, Q.Q4_K) for r in raw]) for name, raw in raws.items()}
    experts, weights = moe.route(x)
    xf, expected = x.float(), torch.zeros(24, D)
    for t in range(24):
        for e, w in zip(experts[t].tolist(), weights[t].float()):
            hidden = torch.nn.functional.silu(dense["w1"][e] @ xf[t]) * (dense["w3"][e] @ xf[t])
            expected[t] += w * (dense["w2"][e] @ hidden)
    assert relative_error(out, expected) < 0.03


def test_a_gguf_head_gives_logits_in_fp32(tmp_path):
    """The output head on GGUF blocks reads and writes fp32 (model.head_reads_fp32): a bf16 model's logits are not
    rounded to bf16 (whose steps of 1/8 near 25 tied the starter's two best first words), in a prompt and in a
    decode step alike."""
    from runtime.engine import Engine
    from runtime.generate import prefill
    from runtime.synth import synth

    path = tmp_path / "tiny.gguf"
    synth("tiny-mixtral", 2, "Q8_0", path)
    engine = Engine(threads=1)
    loaded = engine.load(path, context_length=64)
    with torch.inference_mode():
        prompt_logits = prefill(loaded.model, engine.cache, list(range(5, 25)))
        step_logits = loaded.model(torch.tensor([7]), engine.cache)[-1]
    for logits in (prompt_logits, step_logits):
        assert logits.dtype == torch.float32 and logits.shape == (loaded.config.vocab_size,)
        assert (logits != logits.bfloat16().float()).float().mean() > 0.9  # fp32 values, not widened bf16 ones


def test_gate_and_up_of_different_types_run_apart():
    """`QuantizedExperts.gated` joins a gate and an up matrix of the same type in a prompt only: with another
    type, or outside a prompt's products (a few tokens of a decode step), the caller runs them one by one."""
    from runtime.quant.formats import QuantizedExperts, prompt_path

    if not quant_kernels.gguf_kernels().integer_matmul:
        pytest.skip("no integer products in this library")
    D = F = 2048
    def experts(qtype):
        return QuantizedExperts([gguf_weight(random_blocks(qtype, F, D), qtype, D)], torch.bfloat16)
    gate, up, other = experts(Q.Q4_K), experts(Q.Q4_K), experts(Q.Q8_0)
    x = torch.randn(8, D)
    with prompt_path():
        joined = gate.gated(up, 0, x)
        assert gate.gated(other, 0, x) is None
    assert joined is not None and joined.shape == (8, F)
    assert gate.gated(up, 0, x[:2]) is None  # two tokens outside a prompt: the few-token kernels


def test_a_dense_feed_forward_prompt_takes_one_gated_call(monkeypatch):
    """A dense SwiGLU (Mistral 7B's) on GGUF blocks with the integer products: a prompt's gate and up run as one
    gated call, its output in the activations' dtype, within the int8 activations' error (about 1%) of the
    dequantized weights in fp32; a few tokens of a decode step keep the separate few-token products."""
    from runtime.config import ModelConfig
    from runtime.model import FeedForward
    from runtime.quant.formats import QuantizedLinear, prompt_path

    ops = quant_kernels.gguf_kernels()
    if not ops.integer_matmul:
        pytest.skip(f"the {ops.isa} library has no integer products")
    D = F = 2048
    ffn = FeedForward(ModelConfig(hidden_size=D, intermediate_size=F))
    raws = {name: random_blocks(Q.Q4_K, D if name == "w2" else F, F if name == "w2" else D, seed=j)
            for j, name in enumerate(("w1", "w3", "w2"))}
    for name, raw in raws.items():
        setattr(ffn, name, QuantizedLinear(gguf_weight(raw, Q.Q4_K, raw.shape[1] // 144 * 256)))
    calls = []
    for name, real in [(name, getattr(ops, name)) for name in ("gated_matmul", "matmul")]:
        monkeypatch.setattr(ops, name, lambda *args, name=name, real=real: calls.append(name) or real(*args))
    x = torch.randn(24, D, dtype=torch.bfloat16)
    with torch.inference_mode(), prompt_path():
        out = ffn(x)
    with torch.inference_mode():
        ffn(x[:2])
    assert calls == ["gated_matmul", "matmul"] and out.dtype == torch.bfloat16  # then w2; the 2 tokens: matvec
    w1, w3, w2 = (reference(raws[name], Q.Q4_K) for name in ("w1", "w3", "w2"))
    xf = x.float()
    expected = (torch.nn.functional.silu(xf @ w1.T) * (xf @ w3.T)) @ w2.T
    assert relative_error(out, expected) < 0.03
