"""Decode attention (one query token over the cache) read in blocks equals plain softmax attention: over
many blocks, with a sliding window that leaves whole blocks out, on a bf16 cache read in its own dtype."""
import pytest
import torch

from runtime import model


def reference(q, keys, values, mask):
    H, K, Hd = q.shape[0], keys.shape[0], q.shape[-1]
    grouped = q.double().reshape(K, H // K, Hd)
    scores = grouped @ keys.double().transpose(1, 2) * Hd ** -0.5
    scores = scores.masked_fill(~mask, float("-inf"))
    return (scores.softmax(-1) @ values.double()).reshape(H, 1, Hd)


@pytest.mark.parametrize("positions, window_start", [(1000, 0), (1000, 700), (64, 0), (65, 0), (1, 0)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_blocks_equal_plain_attention(monkeypatch, positions, window_start, dtype):
    monkeypatch.setattr(model, "DECODE_BLOCK", 64)  # many blocks at a small size
    g = torch.Generator().manual_seed(positions + window_start)
    q = torch.randn(8, 1, 16, generator=g).to(dtype)
    keys, values = (torch.randn(2, positions, 16, generator=g).to(dtype) * 3 for _ in range(2))
    mask = torch.zeros(1, positions, dtype=torch.bool)
    mask[:, window_start:] = True
    out = model.decode_attention(q, keys, values, mask)
    assert out.dtype == dtype and out.shape == (8, 1, 16)
    tolerance = 1e-5 if dtype == torch.float32 else 2e-2
    assert (out.double() - reference(q, keys, values, mask)).abs().max().item() < tolerance


def test_the_cache_is_never_converted_whole(monkeypatch):
    """Each block converts at most DECODE_BLOCK positions of K and V to fp32."""
    converted = []
    original = torch.Tensor.float

    def counting_float(tensor):
        if tensor.dim() == 3 and tensor.shape[0] == 2:
            converted.append(tensor.shape[1])
        return original(tensor)

    monkeypatch.setattr(model, "DECODE_BLOCK", 128)
    keys = values = torch.randn(2, 1000, 16, dtype=torch.bfloat16)
    monkeypatch.setattr(torch.Tensor, "float", counting_float)
    model.decode_attention(torch.randn(4, 1, 16, dtype=torch.bfloat16), keys, values,
                           torch.ones(1, 1000, dtype=torch.bool))
    assert converted and max(converted) <= 128
