"""The native prompt-attention kernel (runtime/quant/native/prompt_attention.h, `octet_prompt_attention`, in the
avx512 and avx2 libraries, each that this CPU runs) against the reference, `F.scaled_dot_product_attention` in
float64 with the whole causal (and window) mask over what the cache holds (bf16 as stored, int8 times its
scales): bf16 and int8 caches, tokens from the start of the cache and from its middle, with and without a
sliding window, token counts and positions that are not multiples of the kernel's pieces (64 tokens a work
item, 256 positions a chunk, 8 rows and 16 positions a step on AVX-512, 4 and 8 on AVX2), GQA groups of 1, 3
and 4, head dims 128, 80 and 16, 1 and 4 threads; then that the model's `prefill_attention` takes the kernel
where it can and torch's flash kernel where it cannot.

Bound: 1e-5. The kernel widens the stored values exactly and sums in fp32 (dot products of Hd terms, exp within
~1e-7 relative, a running max and sum over up to 3,000 positions rescaled once per chunk): with q and keys ~
N(0, 1) each output is a weighted mean of values |v| < 5, and fp32 rounding leaves about 1e-6 (measured at most
1.4e-6).
"""
import pytest
import torch

from runtime import model as model_module
from tests.runtime.native_libraries import ISAS, isa_kernels
from tests.runtime.test_long_attention import reference
from tests.runtime.test_native_attention import KV_HEADS, POSITIONS, filled_cache, read_only_cache

BOUND = 1e-5
CASES = [(0, 300), (1000, 77), (2702, 297), (517, 1), (0, 5)]  # (first new token's position, new tokens)


def prompt_kernels(isa: str | None = None):
    """The library of `isa` (default: the first this CPU runs that has prompt attention), or a skip."""
    for name in [isa] if isa else ISAS:
        kernels = isa_kernels(name)
        assert kernels.prompt_attention_here == (name in ("avx512", "avx2"))
        if kernels.prompt_attention_here:
            return kernels
    pytest.skip(f"no prompt attention in the {isa or ' or '.join(ISAS)} library (it is in avx512 and avx2)")


@pytest.mark.parametrize("kv_dtype", [torch.bfloat16, torch.int8], ids=str)
@pytest.mark.parametrize("groups, head_dim", [(1, 128), (4, 128), (3, 80), (4, 16)])
@pytest.mark.parametrize("window", [None, 700, 1, 90])
@pytest.mark.parametrize("threads", [1, 4])
@pytest.mark.parametrize("isa", ISAS)
def test_kernel_equals_the_reference(isa, kv_dtype, groups, head_dim, window, threads):
    kernels = prompt_kernels(isa)
    heads = groups * KV_HEADS
    cache, held = read_only_cache(kv_dtype, heads, head_dim)  # held: what layer 1 holds, in fp32
    g = torch.Generator().manual_seed(groups + head_dim)
    for start, T in CASES:
        q = torch.randn(heads, T, head_dim, generator=g)
        out = kernels.prompt_attention(q, cache.keys[1], cache.values[1], cache.scales(1), start, window, threads)
        assert out.dtype == torch.float32 and out.shape == (heads, T, head_dim)
        error = (out.double() - reference(q, start, window, *held)).abs().max().item()
        print(f"{isa} {kv_dtype} G={groups} Hd={head_dim} window {window} {threads} threads, {start}+{T}: {error:.2e}")
        assert error <= BOUND, (start, T)


def test_the_reference_tells_positions_apart():
    """Another start, window or layer changes the answer by far more than the bound: the test above can fail."""
    kernels = prompt_kernels()
    cache = filled_cache(torch.bfloat16, 8, 128)
    q = torch.randn(8, 100, 128, generator=torch.Generator().manual_seed(8))
    out = kernels.prompt_attention(q, cache.keys[1], cache.values[1], None, 1000, 300).double()
    held = cache.read(1, 0, POSITIONS)
    assert (out - reference(q, 1000, 300, *held)).abs().max() <= BOUND
    assert (out - reference(q, 1001, 300, *held)).abs().max() > 1e-3
    assert (out - reference(q, 1000, 301, *held)).abs().max() > 1e-4
    assert (out - reference(q, 1000, None, *held)).abs().max() > 0.1
    assert (out - reference(q, 1000, 300, *cache.read(0, 0, POSITIONS))).abs().max() > 0.1


@pytest.mark.parametrize("kv_dtype", [torch.bfloat16, torch.int8], ids=str)
def test_the_model_takes_the_kernel_where_the_cache_fits(monkeypatch, kv_dtype):
    """bf16 and int8 caches: the model's `prefill_attention` is the kernel's answer (as q's dtype), and torch's
    flash kernel agrees within its bf16 rounding; an fp32 cache, or a library without the kernel, stays on
    torch's."""
    kernels = prompt_kernels()
    monkeypatch.setattr(model_module, "gguf_kernels", lambda: kernels)
    cache = filled_cache(kv_dtype, 8, 128)
    q = torch.randn(8, 200, 128, generator=torch.Generator().manual_seed(9))
    cache.length = 1000  # the new tokens' keys are stored already, as the model stores them first
    assert model_module.native_prompts(q, cache.layer(1))
    out = model_module.prefill_attention(q, cache.layer(1), 700)
    assert torch.equal(out, kernels.prompt_attention(q, cache.keys[1], cache.values[1], cache.scales(1), 1000, 700))
    monkeypatch.setattr(kernels, "prompt_attention_here", False)
    assert not model_module.native_prompts(q, cache.layer(1))
    flash = model_module.prefill_attention(q, cache.layer(1), 700)
    assert (out - flash).abs().max() <= 2e-2  # q, keys and probabilities in bf16 there (test_long_attention)
    monkeypatch.setattr(kernels, "prompt_attention_here", True)
    assert not kernels.attends_prompts(torch.empty(2, 10, 128), 8)  # fp32
    with pytest.raises(ValueError):
        kernels.prompt_attention(q, cache.keys[1], cache.values[1], cache.scales(1), POSITIONS - 100, None)  # past S
    with pytest.raises(ValueError):
        kernels.prompt_attention(q, cache.keys[1], cache.values[1], cache.scales(1), 0, 0)  # window 0
    if kv_dtype == torch.int8:
        with pytest.raises(ValueError):
            kernels.prompt_attention(q, cache.keys[1], cache.values[1], None, 0, None)  # no scales
