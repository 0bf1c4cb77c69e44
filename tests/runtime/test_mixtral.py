"""Our Mixtral against transformers' MixtralForCausalLM: logits, routing and the KV cache, with the
weights read from the folder `save_pretrained` wrote and from GGUF files converted from it."""
import pytest
import torch

from runtime.kv_cache import KVCache
from runtime.loader import load_weights
from tests.runtime.tiny_models import save_hf_folder, tiny_mixtral, write_gguf_from_folder


def quiet(*_):
    pass


def load_folder(folder, dtype=torch.float32):
    return load_weights(folder, dtype=dtype, progress=quiet).model


def load_gguf(path):
    return load_weights(path, dtype=torch.float32, progress=quiet).model


def random_tokens(model, count, seed):
    return torch.randint(0, model.config.vocab_size, (count,), generator=torch.Generator().manual_seed(seed))


SHAPES = [
    dict(experts=4, top_k=2, heads=4, kv_heads=2, tokens=33),
    dict(experts=8, top_k=2, heads=8, kv_heads=1, tokens=17),
    dict(experts=3, top_k=1, heads=4, kv_heads=4, tokens=40),
    dict(experts=6, top_k=2, heads=4, kv_heads=2, tokens=5, hidden_size=96, layers=3),
]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"E{s['experts']}-A{s['top_k']}-H{s['heads']}/{s['kv_heads']}")
def test_logits_equal_transformers_from_folder_and_gguf(tmp_path, shape):
    shape = dict(shape)
    count = shape.pop("tokens")
    reference = tiny_mixtral(seed=count, **shape)
    folder = save_hf_folder(reference, tmp_path / "hf")
    tokens = random_tokens(reference, count, seed=1)
    with torch.no_grad():
        expected = reference(tokens[None]).logits[0]
        models = {"folder": load_folder(folder),
                  "gguf": load_gguf(write_gguf_from_folder(folder, tmp_path / "m.gguf")),
                  "gguf per-expert": load_gguf(write_gguf_from_folder(folder, tmp_path / "old.gguf", per_expert=True))}
        for source, ours in models.items():
            actual = ours(tokens, KVCache(ours.config, 64))
            assert (actual - expected).abs().max().item() <= 1e-4, source


def test_bf16_and_fp16_folders_load_into_fp32(tmp_path):
    for dtype in (torch.bfloat16, torch.float16):
        reference = tiny_mixtral(seed=7)
        folder = save_hf_folder(reference, tmp_path / str(dtype), dtype=dtype)
        reference.to(dtype).to(torch.float32)  # the weights the file holds, exactly
        tokens = random_tokens(reference, 20, seed=2)
        with torch.no_grad():
            expected = reference(tokens[None]).logits[0]
            ours = load_folder(folder)
            actual = ours(tokens, KVCache(ours.config, 32))
        assert ours.layers[0].feed_forward.w1.dtype == torch.float32
        assert (actual - expected).abs().max().item() <= 1e-4


def test_router_choices_equal_transformers(tmp_path):
    reference = tiny_mixtral(seed=11, experts=8, top_k=2, layers=3)
    ours = load_folder(save_hf_folder(reference, tmp_path / "hf"))
    tokens = random_tokens(reference, 48, seed=3)
    theirs, mine = [], []
    for layer in reference.model.layers:
        layer.mlp.gate.register_forward_hook(lambda module, args, out: theirs.append(out[2]))
    for layer in ours.layers:
        layer.feed_forward.register_forward_pre_hook(lambda module, args: mine.append(module.route(args[0])[0]))
    with torch.no_grad():
        reference(tokens[None])
        ours(tokens, KVCache(ours.config, 64))
    assert len(theirs) == len(mine) == 3
    for expected, actual in zip(theirs, mine):
        assert torch.equal(actual.sort(dim=-1).values, expected.sort(dim=-1).values)
        assert len(actual.unique()) > 2  # the tokens really spread over the experts


def test_incremental_decoding_equals_full_forward(tmp_path):
    reference = tiny_mixtral(seed=13, experts=4, top_k=2)
    ours = load_folder(save_hf_folder(reference, tmp_path / "hf"))
    tokens = random_tokens(reference, 30, seed=4)
    with torch.no_grad():
        full = ours(tokens, KVCache(ours.config, 64))
        cache = KVCache(ours.config, 64)
        pieces = [ours(tokens[:9], cache), ours(tokens[9:14], cache)]
        pieces += [ours(tokens[i:i + 1], cache) for i in range(14, 30)]
    assert (torch.cat(pieces) - full).abs().max().item() <= 1e-5


def test_prefill_runs_each_expert_once_and_decode_only_the_chosen(tmp_path):
    reference = tiny_mixtral(seed=17, experts=8, top_k=2, layers=1)
    ours = load_folder(save_hf_folder(reference, tmp_path / "hf"))
    moe = ours.layers[0].feed_forward
    calls = []
    run_expert = moe.run_expert
    moe.run_expert = lambda e, x: calls.append((e, x.shape[0])) or run_expert(e, x)
    cache = KVCache(ours.config, 64)
    tokens = random_tokens(reference, 40, seed=5)
    with torch.no_grad():
        ours(tokens, cache)
        prefill, calls[:] = list(calls), []
        ours(tokens[:1], cache)
    experts_used = {e for e, _ in prefill}
    assert len(prefill) == len(experts_used) > 2  # one product per expert that has tokens
    assert sum(rows for _, rows in prefill) == 40 * 2  # every token went to its two experts
    assert len(calls) == 2 and all(rows == 1 for _, rows in calls)
