"""The native decode-attention kernel (runtime/quant/native/attention.h, `octet_decode_attention`) against the
reference, `F.scaled_dot_product_attention` in float64 over what the cache holds (bf16 as stored, int8
times its scales): bf16 and int8 caches, with and without a sliding window, lengths that are not
multiples of the kernel's blocks (128 positions for the scores, spans of >= 512 per work item), GQA groups
of 1, 3 and 4, head dims 128 and 48 (not a multiple of 64: the kernel's narrow path), 1 and 4 threads
(4 threads cut each head's positions into several spans joined at the end), on every instruction set's
library this CPU runs (the AVX-512 kernel; AVX2 and portable share the plain C++ one); then that the
model's `decode_attention` takes the kernel where it can and torch's blocked path where it cannot.

Bound: 2e-6. The kernel widens the stored values exactly and computes in fp32 (dot products of Hd terms,
exp within ~1e-7 relative, sums over a few thousand positions): with inputs ~ N(0, 1) an output is a
weighted mean of values |v| < 5, so fp32 rounding leaves a few 1e-7 (measured at most 2.7e-7 on AVX-512,
4.5e-7 on the plain C++ path, whose sums run position by position). Three positions (end = 3): an error of
1e-5 in exp, which the long spans average away, shows there.
"""
import functools

import pytest
import torch
import torch.nn.functional as F

from runtime import model as model_module
from runtime.config import ModelConfig
from runtime.kv_cache import KVCache
from runtime.quant.kernels import gguf_kernels
from tests.runtime.native_libraries import ISAS, isa_kernels

KERNELS = gguf_kernels()
needs_kernels = pytest.mark.skipif(KERNELS is None, reason="no native kernels here: not built (`make setup`), "
                                                           "another CPU, or OCTET_NO_KERNELS=1")
BOUND = 2e-6
POSITIONS = 2999  # not a multiple of 128 or of 512
KV_HEADS = 2


def filled_cache(kv_dtype, heads: int, head_dim: int) -> KVCache:
    config = ModelConfig.from_dict(dict(
        model_type="mistral", vocab_size=16, hidden_size=heads * head_dim, intermediate_size=16, num_hidden_layers=2,
        num_attention_heads=heads, num_key_value_heads=KV_HEADS, head_dim=head_dim,
        max_position_embeddings=POSITIONS + 5))
    cache = KVCache(config, POSITIONS + 5, kv_dtype=kv_dtype)  # a few positions unused: stride != length
    g = torch.Generator().manual_seed(heads * head_dim)
    for layer in range(2):
        keys, values = (torch.randn(KV_HEADS, POSITIONS, head_dim, generator=g) for _ in range(2))
        cache.store(layer, 0, keys, values)
    return cache


@functools.cache
def read_only_cache(kv_dtype, heads: int, head_dim: int):
    """`filled_cache` and what its layer 1 holds in fp32, built once for the tests that only read them (filling an
    int8 cache takes seconds)."""
    cache = filled_cache(kv_dtype, heads, head_dim)
    return cache, cache.read(1, 0, POSITIONS)


def reference(q, keys, values, first: int, end: int):
    """softmax(q k^T / sqrt(Hd)) v over positions first..end-1, float64, q [H, Hd] -> [H, Hd]."""
    return F.scaled_dot_product_attention(q[None, :, None].double(), keys[None, :, first:end].double(),
                                          values[None, :, first:end].double(), enable_gqa=True)[0, :, 0]


@pytest.mark.parametrize("kv_dtype", [torch.bfloat16, torch.int8], ids=str)
@pytest.mark.parametrize("groups, head_dim", [(1, 128), (4, 128), (3, 48), (4, 16)])
@pytest.mark.parametrize("window", [None, 700, 1, 2049])
@pytest.mark.parametrize("threads", [1, 4])
@pytest.mark.parametrize("isa", ISAS)
def test_kernel_equals_the_reference(isa, kv_dtype, groups, head_dim, window, threads):
    kernels = isa_kernels(isa)
    heads = groups * KV_HEADS
    cache, held = read_only_cache(kv_dtype, heads, head_dim)
    q = torch.randn(heads, head_dim, generator=torch.Generator().manual_seed(7))
    layer = 1
    for end in (POSITIONS, 1000, 3, 1):  # 3: a softmax of a few positions, no averaging of its errors
        first = max(0, end - window) if window else 0
        scales = cache.scales(layer)
        out = kernels.decode_attention(q, cache.keys[layer], cache.values[layer], scales, first, end, threads)
        error = (out.double() - reference(q, *held, first, end)).abs().max().item()
        print(f"{isa} {kv_dtype} G={groups} Hd={head_dim} window {window} {threads} threads, {first}..{end}: "
              f"{error:.2e}")
        assert error <= BOUND, (end, first)


@needs_kernels
def test_the_reference_tells_positions_apart():
    """One position more or less, or another layer, changes the answer: the test above can fail."""
    cache = filled_cache(torch.bfloat16, 8, 128)
    q = torch.randn(8, 128, generator=torch.Generator().manual_seed(8))
    out = KERNELS.decode_attention(q, cache.keys[1], cache.values[1], None, 1000, 2000)
    held = cache.read(1, 0, POSITIONS)
    assert (out.double() - reference(q, *held, 1000, 2000)).abs().max() <= BOUND
    assert (out.double() - reference(q, *held, 999, 2000)).abs().max() > 1e-4
    assert (out.double() - reference(q, *held, 1000, 2001)).abs().max() > 1e-4
    assert (out.double() - reference(q, *cache.read(0, 0, POSITIONS), 1000, 2000)).abs().max() > 0.1


@needs_kernels
@pytest.mark.parametrize("kv_dtype", [torch.bfloat16, torch.int8], ids=str)
def test_the_model_takes_the_kernel_where_the_cache_fits(kv_dtype):
    """bf16 and int8 caches: `decode_attention` is the kernel's answer (window and all); the torch path
    agrees within the bound. An fp32 cache or a head dim not a multiple of 16 stays on the torch path."""
    cache = filled_cache(kv_dtype, 8, 128)
    q = torch.randn(8, 1, 128, generator=torch.Generator().manual_seed(9))
    cache.length = POSITIONS - 1  # the token's own key is stored: decode_attention runs after `store`
    out = model_module.decode_attention(q, cache.layer(1), 700)
    kernel = KERNELS.decode_attention(q[:, 0], cache.keys[1], cache.values[1], cache.scales(1), POSITIONS - 700,
                                      POSITIONS)
    assert torch.equal(out[:, 0], kernel)
    assert (out - model_module.blocked_decode_attention(q, cache.layer(1), 700)).abs().max() <= BOUND
    assert not KERNELS.attends(torch.empty(2, 10, 128), 8)  # fp32
    assert not KERNELS.attends(torch.empty(2, 10, 24, dtype=torch.bfloat16), 8)  # Hd % 16
    assert not KERNELS.attends(torch.empty(3, 10, 128, dtype=torch.bfloat16), 8)  # heads not grouped evenly
    with pytest.raises(ValueError):
        KERNELS.decode_attention(q[:, 0], cache.keys[1], cache.values[1], cache.scales(1), 0, POSITIONS + 6)
    if kv_dtype == torch.int8:
        with pytest.raises(ValueError):
            KERNELS.decode_attention(q[:, 0], cache.keys[1], cache.values[1], None, 0, POSITIONS)  # no scales
