"""Mistral (dense, sliding-window attention) against transformers' MistralForCausalLM, with a window
shorter than the sequence, from a saved folder and from the GGUF converted from it."""
import pytest
import torch

from runtime.kv_cache import KVCache
from tests.runtime.test_mixtral import load_folder, load_gguf, random_tokens
from tests.runtime.tiny_models import save_hf_folder, tiny_mistral, write_gguf_from_folder


@pytest.mark.parametrize("window, count, kv_heads", [(8, 30, 2), (5, 21, 1), (16, 40, 4)])
def test_sliding_window_logits_equal_transformers(tmp_path, window, count, kv_heads):
    reference = tiny_mistral(seed=window, sliding_window=window, kv_heads=kv_heads)
    folder = save_hf_folder(reference, tmp_path / "hf")
    tokens = random_tokens(reference, count, seed=window)
    with torch.no_grad():
        expected = reference(tokens[None]).logits[0]
        for ours in (load_folder(folder), load_gguf(write_gguf_from_folder(folder, tmp_path / "m.gguf"))):
            assert ours.config.sliding_window == window
            assert not ours.config.is_moe
            actual = ours(tokens, KVCache(ours.config, 64))
            assert (actual - expected).abs().max().item() <= 1e-4


def test_the_window_matters_and_decoding_respects_it(tmp_path):
    """Without the window the logits differ (so the test above tests it); token-by-token decoding
    past the window equals the full pass."""
    reference = tiny_mistral(seed=3, sliding_window=6)
    ours = load_folder(save_hf_folder(reference, tmp_path / "hf"))
    tokens = random_tokens(reference, 24, seed=9)
    with torch.no_grad():
        expected = reference(tokens[None]).logits[0]
        cache = KVCache(ours.config, 32)
        pieces = [ours(tokens[:4], cache)] + [ours(tokens[i:i + 1], cache) for i in range(4, 24)]
        ours.config.sliding_window = None
        unwindowed = ours(tokens, KVCache(ours.config, 32))
    assert (torch.cat(pieces) - expected).abs().max().item() <= 1e-4
    assert (unwindowed - expected).abs().max().item() > 1e-3
