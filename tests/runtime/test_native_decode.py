"""A decode step in one native call per layer (runtime/native_decode.py, quant/native/layer.h) against the
torch path on the same GGUF weights: logits, the keys and values it stores, the sliding window, Mixtral's
experts, every instruction set this CPU runs; and the models it must leave to the torch path."""
import gguf
import pytest
import torch

from runtime.kv_cache import KVCache
from runtime.loader import load_weights
from runtime.native_decode import NativeDecoder
from runtime.quant import kernels as quant_kernels
from tests.runtime.native_libraries import ISAS, isa_kernels
from tests.runtime.test_mixtral import random_tokens
from tests.runtime.tiny_models import save_hf_folder, tiny_llama, tiny_mistral, tiny_mixtral, write_gguf_from_folder
from tests.runtime.tiny_models import write_llama_gguf

Q = gguf.GGMLQuantizationType
pytestmark = pytest.mark.skipif(quant_kernels.gguf_kernels() is None,
                                reason="no native kernels here (`make setup` builds them)")
PROMPT, STEPS = 12, 10
# Both paths quantize every matrix's input to int8 per block of 32 (a step of 1/127 of the block's max), so a
# last-bit difference in a sum can round one input the other way, and later layers carry that on. Measured on
# these models: logits 1.1-1.6% apart (relative, 10 steps), every greedy token the same; the first layer's
# keys and values, whose inputs are the same embeddings, 0 to 0.3%. Planted bugs: RoPE's sign 4.3% on the
# logits and about 100% on the first layer's keys, SiLU left out 42%.
LOGITS_BOUND = 0.03
FIRST_LAYER_BOUND = 0.01


def load_quantized(path):
    """The model kept on its GGUF blocks, with fp32 activations (embeddings, norms): the torch path then rounds
    nothing to bf16 between its ops, as the native step does not, and the two differ only in the order of
    float sums."""
    model = load_weights(path, quantize="auto").model.float()
    model.tok_embeddings.dtype = torch.float32
    return model


def llama_file(tmp_path, qtype, seed=0):
    """A tiny Llama (Hd 64, grouped KV heads) written at `qtype`: rows of 256 take every GGUF type."""
    return write_llama_gguf(tiny_llama(seed=seed, hidden_size=256, heads=4, kv_heads=2), tmp_path / "m.gguf",
                            qtype=qtype)


def decode_both_ways(model, tokens, kv_dtype=torch.bfloat16, decoder=None):
    """Logits [STEPS, V] of the tokens after a PROMPT-token prefill, one token at a time, natively and
    through the torch path (teacher-forced on the same tokens), and both caches."""
    results = []
    for native in (True, False):
        model.native_decode = native
        if native:
            model._native_decoder = decoder or False  # False: the model builds its own on this CPU's kernels
        cache = KVCache(model.config, 64, dtype=torch.float32, kv_dtype=kv_dtype)
        with torch.inference_mode():
            model(tokens[:PROMPT], cache)
            steps = [model(tokens[i:i + 1], cache)[-1] for i in range(PROMPT, PROMPT + STEPS)]
        results.append((torch.stack(steps).float(), cache))
    return results


def relative(actual, expected) -> float:
    return ((actual.float() - expected.float()).norm() / expected.float().norm()).item()


@pytest.mark.parametrize("qtype", [Q.Q8_0, Q.Q4_0, Q.Q4_1, Q.Q4_K, Q.Q6_K])
@pytest.mark.parametrize("kv_cache", ["bf16", "int8"])
def test_native_steps_match_the_torch_path(tmp_path, qtype, kv_cache):
    model = load_quantized(llama_file(tmp_path, qtype))
    tokens = random_tokens(model, PROMPT + STEPS, seed=1)
    kv_dtype = torch.bfloat16 if kv_cache == "bf16" else torch.int8
    (native, native_cache), (torch_path, torch_cache) = decode_both_ways(model, tokens, kv_dtype)
    assert isinstance(NativeDecoder.for_model(model), NativeDecoder)
    assert relative(native, torch_path) <= LOGITS_BOUND
    assert (native.argmax(-1) == torch_path.argmax(-1)).float().mean() >= 0.8
    for stored in ("keys", "values"):  # what each step stored, RoPE applied to the keys
        ours, theirs = (stored_steps(cache, stored) for cache in (native_cache, torch_cache))
        assert relative(ours[0], theirs[0]) <= FIRST_LAYER_BOUND  # the same inputs: only sums' order differs
        assert relative(ours, theirs) <= LOGITS_BOUND


def stored_steps(cache, name: str) -> torch.Tensor:
    """The keys or values the STEPS decode steps stored, [layers, K, STEPS, Hd] as fp32 (an int8 cache's
    scaled back)."""
    positions = slice(PROMPT, PROMPT + STEPS)
    values = getattr(cache, name)[:, :, positions].float()
    if cache.quantized:
        values *= getattr(cache, "key_scales" if name == "keys" else "value_scales")[:, :, positions, None]
    return values


@pytest.mark.parametrize("isa", ISAS)
def test_every_instruction_set_steps_alike(tmp_path, isa):
    model = load_quantized(llama_file(tmp_path, Q.Q4_K, seed=2))
    tokens = random_tokens(model, PROMPT + STEPS, seed=3)
    decoder = NativeDecoder.for_model(model, isa_kernels(isa))
    (native, _), (torch_path, _) = decode_both_ways(model, tokens, decoder=decoder)
    assert model._native_decoder is decoder
    assert relative(native, torch_path) <= LOGITS_BOUND


def test_the_sliding_window_holds_in_native_steps(tmp_path):
    """Steps past a window of 6 see only its positions: the same logits as the torch path, and not those of
    the same model without the window."""
    folder = save_hf_folder(tiny_mistral(seed=4, hidden_size=128, heads=4, kv_heads=2, sliding_window=6),
                            tmp_path / "hf")
    model = load_quantized(write_gguf_from_folder(folder, tmp_path / "m.gguf", qtype=Q.Q8_0))
    tokens = random_tokens(model, PROMPT + STEPS, seed=5)
    assert model.config.sliding_window == 6 and NativeDecoder.for_model(model) is not None
    (native, _), (torch_path, _) = decode_both_ways(model, tokens)
    model.config.sliding_window = None
    (unwindowed, _), _ = decode_both_ways(model, tokens)
    assert relative(native, torch_path) <= LOGITS_BOUND
    assert relative(unwindowed, torch_path) > 5 * LOGITS_BOUND


def test_steps_are_native_until_the_cache_is_full(tmp_path, monkeypatch):
    model = load_quantized(llama_file(tmp_path, Q.Q8_0))
    calls = []
    kernels = quant_kernels.gguf_kernels()
    run_layer = kernels.decoder_layer

    def counted(*args):
        calls.append(args)
        return run_layer(*args)

    monkeypatch.setattr(kernels, "decoder_layer", counted)
    cache = KVCache(model.config, 4, dtype=torch.bfloat16, kv_dtype=torch.bfloat16)
    with torch.inference_mode():
        model(torch.tensor([5, 6, 7]), cache)
        model(torch.tensor([8]), cache)
        assert len(calls) == len(model.layers)  # one native call a layer, for the step only
    assert not model._native_decoder.takes(cache)  # no room left: the torch path says so


@pytest.mark.parametrize("qtype", [Q.Q8_0, Q.Q4_K])
def test_mixtral_steps_route_like_the_torch_path(tmp_path, qtype):
    """Both chosen experts of every layer, weighted as transformers' Mixtral weighs them (the router's
    softmax over the two), natively: the same logits as the torch path's fused MoE call."""
    reference = tiny_mixtral(seed=6, hidden_size=256, intermediate_size=256, heads=4, kv_heads=2, experts=4)
    folder = save_hf_folder(reference, tmp_path / "hf")
    model = load_quantized(write_gguf_from_folder(folder, tmp_path / "moe.gguf", qtype=qtype))
    assert model.config.is_moe and NativeDecoder.for_model(model) is not None
    tokens = random_tokens(model, PROMPT + STEPS, seed=7)
    (native, native_cache), (torch_path, torch_cache) = decode_both_ways(model, tokens)
    assert relative(native, torch_path) <= LOGITS_BOUND
    assert (native.argmax(-1) == torch_path.argmax(-1)).float().mean() >= 0.8
    for stored in ("keys", "values"):
        ours, theirs = (stored_steps(cache, stored) for cache in (native_cache, torch_cache))
        assert relative(ours, theirs) <= LOGITS_BOUND


def test_models_the_native_step_does_not_take(tmp_path):
    """Float weights (no few-token kernel), a dense model's or a mixture's experts, keep the torch path."""
    folder = save_hf_folder(tiny_mixtral(seed=6), tmp_path / "hf")
    float_mixtral = load_quantized(write_gguf_from_folder(folder, tmp_path / "moe.gguf", qtype=Q.F16))
    float_llama = load_quantized(llama_file(tmp_path, Q.F16))
    assert NativeDecoder.for_model(float_mixtral) is None
    assert NativeDecoder.for_model(float_llama) is None
    assert NativeDecoder.for_model(load_quantized(llama_file(tmp_path, Q.Q8_0))) is not None
