"""Quantized layers against float references and against their own dequantize() fallback, on CPU and
(when there is one) CUDA; a quantized tiny Mixtral's greedy tokens against its float version's."""
import pytest
import torch

from runtime.quant import kernels as quant_kernels
from runtime.kv_cache import KVCache
from runtime.loader import load_weights
from runtime.quant.formats import GGUFBlockWeight, Int4Weight, Int8Weight, QuantizedExperts, QuantizedLinear

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA"))]


def relative_error(actual, expected) -> float:
    return ((actual.float() - expected.float()).norm() / expected.float().norm()).item()


def weight_and_input(n=96, k=256, tokens=3, device="cpu", seed=0):
    g = torch.Generator().manual_seed(seed)
    w = torch.randn(n, k, generator=g) / k ** 0.5
    x = torch.randn(tokens, k, generator=g)
    return w.to(device), x.to(device, torch.bfloat16)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("fmt,bound", [("int8", 0.01), ("int4", 0.12)])
def test_quantized_matmul_near_float_and_equal_to_its_fallback(device, fmt, bound):
    w, x = weight_and_input(device=device)
    q = Int8Weight.quantize(w) if fmt == "int8" else Int4Weight.quantize(w, 32)
    expected = x.float() @ w.T
    assert relative_error(q.matmul(x), expected) < bound  # quantization error (Gaussian weights)
    fallback = torch.nn.functional.linear(x, q.dequantize(torch.bfloat16))
    assert relative_error(q.matmul(x), fallback) < 0.01  # kernel vs dequantize: bf16 rounding only
    assert relative_error(q.dequantize(), w) < bound


def test_int4_without_kernel_shape_uses_the_dequantize_path():
    w, x = weight_and_input(n=24, k=64)  # N % 16 != 0: torch's int4 packing refuses it
    q = Int4Weight.quantize(w, 32)
    assert not q.packed
    assert relative_error(q.matmul(x), x.float() @ w.T) < 0.12


@pytest.mark.skipif(quant_kernels.gguf_kernels() is None, reason="no native kernels here (`make setup` builds them)")
@pytest.mark.parametrize("qtype", ["Q4_0", "Q8_0"])
@pytest.mark.parametrize("tokens", [1, 2, 9])
def test_gguf_block_kernel_agrees_with_its_dequantized_weight(qtype, tokens):
    """Activations are quantized to int8 per block of 32 (as llama.cpp does): ~0.5% relative."""
    import gguf

    from runtime.quant.gguf_blocks import gguf_weight

    w, x = weight_and_input(n=48, k=1024, tokens=tokens)
    raw = gguf.quants.quantize(w.numpy(), gguf.GGMLQuantizationType[qtype])
    q = gguf_weight(raw, gguf.GGMLQuantizationType[qtype], 1024)
    assert isinstance(q, GGUFBlockWeight)
    exact = x.float() @ q.dequantize().T
    assert relative_error(q.matmul(x), exact) < 0.015
    assert relative_error(q.matmul(x.float()), exact) < 0.015


def test_quantized_load_swaps_linears_and_experts_but_not_the_router(mixtral_folder):
    model = load_weights(mixtral_folder, quantize="int8").model
    moe = model.layers[0].feed_forward
    assert isinstance(moe.w1, QuantizedExperts) and isinstance(model.layers[0].attention.wq, QuantizedLinear)
    assert isinstance(moe.gate, torch.nn.Linear) and moe.gate.weight.dtype == torch.bfloat16
    assert model.norm.weight.dtype == torch.bfloat16


def greedy(model, prompt, steps, dtype):
    cache = KVCache(model.config, 64, dtype=dtype)
    with torch.inference_mode():
        logits = model(torch.tensor(prompt), cache)[-1]
        out = []
        for _ in range(steps):
            out.append(int(logits.argmax()))
            logits = model(torch.tensor(out[-1:]), cache)[-1]
    return out


LOGIT_SCALE = 30


@pytest.fixture(scope="module")
def mixtral_folder(tmp_path_factory):
    from tests.runtime.tiny_models import save_hf_folder, tiny_mixtral

    model = tiny_mixtral(seed=5, vocab_size=256, hidden_size=128, intermediate_size=256)
    with torch.no_grad():  # logits as peaked as a trained model's (top-2 gaps ~1, not ~0.03)
        model.lm_head.weight.mul_(LOGIT_SCALE)
    return save_hf_folder(model, tmp_path_factory.mktemp("q") / "hf")


@pytest.mark.parametrize("mode,least", [("int8", 0.9), ("int4", 0.7)])
def test_quantized_tiny_mixtral_greedy_tokens_agree_with_float(mixtral_folder, mode, least):
    """Agreement: the share of tokens where the quantized model's greedy choice equals the float
    model's, along the float model's greedy continuations (12 prompts × 8 tokens); the rates measured
    are in docs/quantization.md. A random tiny model is a harsh case: its errors are not averaged out."""
    float_model = load_weights(mixtral_folder, dtype=torch.float32).model
    quantized = load_weights(mixtral_folder, quantize=mode).model
    config = quantized.config
    assert isinstance(quantized.layers[1].feed_forward.w2, QuantizedExperts)
    same = total = sequences = 0
    for i in range(12):
        prompt = torch.randint(0, 256, (5,), generator=torch.Generator().manual_seed(i)).tolist()
        continuation = greedy(float_model, prompt, 8, torch.float32)
        with torch.inference_mode():
            logits = quantized(torch.tensor(prompt + continuation[:-1]), KVCache(config, 64, dtype=torch.bfloat16))
        choices = logits[len(prompt) - 1:].argmax(-1).tolist()
        same += sum(a == b for a, b in zip(choices, continuation))
        total += len(continuation)
        sequences += choices == continuation
    print(f"{mode}: {same}/{total} tokens, {sequences}/12 whole continuations agree")
    assert same / total >= least
