"""Decode attention (one query token over the cache) read in blocks equals plain softmax attention, at the
edges of its blocks: one position, a block exactly full, one position past it, a window that leaves whole
blocks out; fp32, bf16 and int8 caches, read in their own dtype (the longer cases: test_long_attention)."""
import pytest
import torch

from runtime import model
from runtime.config import ModelConfig
from runtime.kv_cache import KVCache


def reference(q, keys, values, first):
    H, K, Hd = q.shape[0], keys.shape[0], q.shape[-1]
    grouped = q.double().reshape(K, H // K, Hd)
    scores = grouped @ keys[:, first:].double().transpose(1, 2) * Hd ** -0.5
    return (scores.softmax(-1) @ values[:, first:].double()).reshape(H, 1, Hd)


@pytest.mark.parametrize("positions, window", [(1000, None), (1000, 300), (64, None), (65, None), (1, None),
                                               (65, 1)])
@pytest.mark.parametrize("kv_dtype", [torch.float32, torch.bfloat16, torch.int8], ids=str)
def test_blocks_equal_plain_attention(monkeypatch, positions, window, kv_dtype):
    monkeypatch.setattr(model, "ATTENTION_BLOCK", 64)  # many blocks at a small size
    config = ModelConfig.from_dict(dict(model_type="mistral", vocab_size=8, hidden_size=128, intermediate_size=8,
                                        num_hidden_layers=1, num_attention_heads=8, num_key_value_heads=2,
                                        max_position_embeddings=1024))
    g = torch.Generator().manual_seed(positions + (window or 0))
    q = torch.randn(8, 1, 16, generator=g)
    keys, values = (torch.randn(2, positions, 16, generator=g) * 3 for _ in range(2))
    cache = KVCache(config, positions, kv_dtype=kv_dtype)
    cache.store(0, 0, keys, values)
    cache.length = positions - 1  # the token's own key is stored: decode_attention runs after `store`
    out = model.decode_attention(q, cache.layer(0), window)
    assert out.dtype == torch.float32 and out.shape == (8, 1, 16)
    held = cache.read(0, 0, positions)  # what the cache holds, dequantized
    first = max(0, positions - window) if window else 0
    assert (out.double() - reference(q, *held, first)).abs().max().item() < 1e-5
