"""Attention over a long KV cache (3000 positions, 8 query and 2 KV heads of 16, so it runs in a
second) against the reference, `F.scaled_dot_product_attention` with the full [T, S] mask in float64:
decode, prefill chunks from the start and from the middle of the cache, with and without a sliding
window, for fp32, bf16 and int8 caches; then the tiny models' greedy tokens with a bf16 cache and
the int8 cache's measured error; the cache's sizes, snapshots and the `kv_cache` option end to end.

Bounds (inputs ~ N(0, 1); an output is a softmax-weighted mean of values, |v| < 4.5 here):
- fp32 arithmetic over what the cache holds (decode, our prefill kernel, and prefill in every torch path
  on an fp32 cache): 1e-5, fp32 rounding over sums of a few thousand terms (measured ~1e-6).
- Against the fp32 data, a bf16 cache: each stored value is off by at most 2^-9 of itself, and torch's
  CPU flash kernel also rounds q and the probabilities to bf16 (fp32 sums): a few errors of
  2^-9 * 4.5 = 0.009 that do not align: bound 2e-2 (measured at most 0.011).
- An int8 cache: each value off by at most max|x| / 254 over its head's 16 values (about 0.014 here),
  plus the bf16 rounding of prefill: bound 5e-2 (measured at most 0.022 in prefill, 0.004 in decode).
"""
import json

import pytest
import torch
import torch.nn.functional as F

from runtime import model as model_module
from runtime.cli import main
from runtime.config import ModelConfig
from runtime.engine import Engine
from runtime.generate import prefill
from runtime.kv_cache import KV_CACHE_TYPES, KVCache, bytes_per_position, quantize_int8
from runtime.synth import preset_config, synth
from runtime.worker import protocol
from runtime.worker.client import WorkerClient
from tests.runtime.test_mixtral import load_folder
from tests.runtime.test_worker import events_until
from tests.runtime.tiny_models import save_hf_folder, tiny_mistral, tiny_mixtral

POSITIONS = 3000
HEADS, KV_HEADS, HEAD_DIM = 8, 2, 16
STORAGE_BOUND = {torch.float32: 1e-5, torch.bfloat16: 2e-2, torch.int8: 5e-2}
CASES = [  # (position of the first new token, new tokens): decode at the end, chunks from 0 and mid-cache
    (POSITIONS - 1, 1), (0, 300), (2500, 100), (1800, 600)]
WINDOWS = [None, 700, 50]


def attention_config() -> ModelConfig:
    return ModelConfig.from_dict(dict(
        model_type="mistral", vocab_size=16, hidden_size=HEADS * HEAD_DIM, intermediate_size=16, num_hidden_layers=1,
        num_attention_heads=HEADS, num_key_value_heads=KV_HEADS, max_position_embeddings=POSITIONS))


@pytest.fixture(scope="module")
def data():
    g = torch.Generator().manual_seed(0)
    return [torch.randn(KV_HEADS, POSITIONS, HEAD_DIM, generator=g) for _ in range(2)]  # keys, values


def filled_cache(kv_dtype, keys, values) -> KVCache:
    cache = KVCache(attention_config(), POSITIONS, kv_dtype=kv_dtype)
    for start in range(0, POSITIONS, 700):  # stored in pieces, as prefill chunks store them
        cache.store(0, start, keys[:, start:start + 700], values[:, start:start + 700])
    return cache


def reference(q, start, window, keys, values):
    """softmax(q k^T / sqrt(Hd) + mask) v with the whole [T, S] mask, in float64."""
    end = start + q.shape[1]
    queries, positions = torch.arange(start, end)[:, None], torch.arange(end)[None, :]
    allowed = positions <= queries
    if window:
        allowed &= positions > queries - window
    return F.scaled_dot_product_attention(q[None].double(), keys[None, :, :end].double(),
                                          values[None, :, :end].double(), attn_mask=allowed, enable_gqa=True)[0]


def flash_prefill(q, layer_cache, window):
    """`prefill_attention` on torch's flash kernel, where ours (test_prompt_attention) would take the cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model_module, "native_prompts", lambda q, layer_cache: False)
        return model_module.prefill_attention(q, layer_cache, window)


def paths(T: int):
    """The attention functions the model uses for T new tokens on the CPU (prefill: our kernel where the library
    has it, else torch's flash kernel, also run alone), and the any-device one."""
    return {"decode": model_module.decode_attention} if T == 1 else {
        "prefill": model_module.prefill_attention, "flash prefill": flash_prefill, "attend": model_module.attend}


def bf16_arithmetic(name: str, cache, q) -> bool:
    """Whether this path rounds q and the probabilities to bf16: torch's flash kernel on a bf16 or int8 cache."""
    flash = name == "flash prefill" or (name == "prefill" and not model_module.native_prompts(q, cache.layer(0)))
    return flash and cache.kv_dtype != torch.float32


def run(function, cache, q, start, window):
    cache.length = start  # the new tokens' keys are already stored there (as the model stores them first)
    return function(q, cache.layer(0), window).double()


@pytest.mark.parametrize("kv_dtype", [torch.float32, torch.bfloat16, torch.int8], ids=str)
@pytest.mark.parametrize("window", WINDOWS)
def test_long_cache_attention_equals_the_reference(monkeypatch, data, kv_dtype, window):
    monkeypatch.setattr(model_module, "ATTENTION_BLOCK", 256)  # many blocks, and blocks the window cuts
    monkeypatch.setattr(model_module, "PREFILL_BLOCK", 384)
    cache = filled_cache(kv_dtype, *data)
    held = cache.read(0, 0, POSITIONS)  # what the cache holds, as fp32
    g = torch.Generator().manual_seed(1)
    for start, T in CASES:
        q = torch.randn(HEADS, T, HEAD_DIM, generator=g)
        exact, stored = reference(q, start, window, *held), reference(q, start, window, *data)
        for name, function in paths(T).items():
            out = run(function, cache, q, start, window)
            assert out.shape == (HEADS, T, HEAD_DIM)
            error = (out - stored).abs().max().item()
            print(f"{kv_dtype} window {window} {name} at {start}+{T}: {error:.5f} from the fp32 data")
            assert error <= STORAGE_BOUND[kv_dtype], (name, start, T)
            if not bf16_arithmetic(name, cache, q):
                assert (out - exact).abs().max().item() <= 1e-5, (name, start, T)


def test_the_window_and_the_causal_mask_matter(data):
    """The reference differs with another window or without the causal cut, so the test above tests them."""
    cache = filled_cache(torch.float32, *data)
    q = torch.randn(HEADS, 100, HEAD_DIM, generator=torch.Generator().manual_seed(2))
    ours = run(model_module.prefill_attention, cache, q, 2500, 700)
    assert (ours - reference(q, 2500, None, *data)).abs().max() > 0.1
    assert (ours - reference(q, 2500, 701, *data)).abs().max() > 1e-3
    cache.length = 2500
    everything = F.scaled_dot_product_attention(q[None], *(x[None, :, :2600] for x in data), enable_gqa=True)[0]
    assert (ours - everything).abs().max() > 1e-2


def test_decode_reads_the_cache_in_blocks_never_whole(monkeypatch, data):
    """Each pass reads every position it sees once, ATTENTION_BLOCK at a time, in the cache's own dtype."""
    monkeypatch.setattr(model_module, "ATTENTION_BLOCK", 512)
    for kv_dtype in (torch.bfloat16, torch.int8):
        cache = filled_cache(kv_dtype, *data)
        reads = []
        for name in ("read_keys", "read_values"):
            original = getattr(cache, name)
            monkeypatch.setattr(cache, name, lambda layer, start, end, dtype=torch.float32, read=original, name=name,
                                **kw: reads.append((name, start, end)) or read(layer, start, end, dtype, **kw))
        run(model_module.blocked_decode_attention, cache, torch.randn(HEADS, 1, HEAD_DIM), POSITIONS - 1, 2000)
        for name in ("read_keys", "read_values"):
            blocks = [(start, end) for kind, start, end in reads if kind == name]
            assert max(end - start for start, end in blocks) <= 512
            assert blocks[0][0] == POSITIONS - 2000 and blocks[-1][1] == POSITIONS
            assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))
        assert cache.keys.dtype == kv_dtype  # stored as it was


def test_int8_scales_are_per_kv_head_and_position():
    x = torch.randn(KV_HEADS, 50, HEAD_DIM) * torch.linspace(0.01, 100, 50)[None, :, None]
    x[1, 7] = 0  # a zero vector stays zero (no division by zero)
    quantized, scales = quantize_int8(x)
    assert quantized.dtype == torch.int8 and scales.shape == (KV_HEADS, 50)
    assert torch.equal(scales, x.abs().amax(-1) / 127)
    error = (quantized.float() * scales[..., None] - x).abs()
    assert (error <= scales[..., None] / 2 + 1e-6 * x.abs()).all()
    assert torch.equal(quantized[1, 7], torch.zeros(HEAD_DIM, dtype=torch.int8))


def test_bytes_per_position_is_what_the_cache_allocates():
    """The docstring's figures: Mixtral holds 4096 bytes per position per layer in bf16, 2112 in int8."""
    mixtral = preset_config("mixtral-8x7b")
    assert bytes_per_position(mixtral, torch.bfloat16) == 4096 and bytes_per_position(mixtral, torch.int8) == 2112
    config = attention_config()
    for kv_dtype in (torch.float32, torch.bfloat16, torch.int8):
        cache = KVCache(config, 1000, kv_dtype=kv_dtype)
        assert cache.nbytes == bytes_per_position(config, kv_dtype) * config.num_hidden_layers * 1000


@pytest.mark.parametrize("kv_dtype", [torch.bfloat16, torch.int8], ids=str)
def test_snapshot_and_restore_keep_every_tensor_of_the_cache(data, kv_dtype):
    cache = filled_cache(kv_dtype, *data)
    cache.length = 1200
    saved = cache.snapshot()
    names = {"keys", "values"} | ({"key_scales", "value_scales"} if kv_dtype == torch.int8 else set())
    assert set(saved) == names == set(cache.snapshot_shapes(1200))
    assert {name: (tuple(t.shape), t.dtype) for name, t in saved.items()} == cache.snapshot_shapes(1200)
    q = torch.randn(HEADS, 1, HEAD_DIM)
    before = run(model_module.decode_attention, cache, q, 1199, None)
    other = filled_cache(kv_dtype, *(torch.randn_like(x) for x in data))
    other.restore(saved, 1200)
    assert other.length == 1200
    assert torch.equal(run(model_module.decode_attention, other, q, 1199, None), before)
    if kv_dtype == torch.int8:
        with pytest.raises(ValueError):
            other.restore({"keys": saved["keys"], "values": saved["values"]}, 1200)  # scales missing


def greedy(model, prompt: list[int], steps: int, cache: KVCache, monkeypatch) -> list[int]:
    """Greedy ids: the prompt prefilled in chunks of 5 (chunks that start mid-cache), then token by token."""
    monkeypatch.setattr("runtime.generate.PREFILL_CHUNK", 5)
    with torch.inference_mode():
        logits = prefill(model, cache, prompt)
        out = []
        for _ in range(steps):
            out.append(int(logits.argmax()))
            logits = model(torch.tensor(out[-1:]), cache)[-1]
    return out


def reference_greedy(reference, prompt: list[int], steps: int) -> list[int]:
    ids = list(prompt)
    with torch.no_grad():
        for _ in range(steps):
            ids.append(int(reference(torch.tensor([ids])).logits[0, -1].argmax()))
    return ids[len(prompt):]


def peaked(reference):
    """Logits as peaked as a trained model's (test_quant's LOGIT_SCALE): a rounding cannot flip a near tie."""
    with torch.no_grad():
        reference.lm_head.weight.mul_(30)
    return reference


@pytest.mark.parametrize("name, make", [("mixtral", lambda: tiny_mixtral(seed=21)),
                                        ("mistral window 6", lambda: tiny_mistral(seed=22, sliding_window=6))])
def test_tiny_models_greedy_tokens_agree_with_transformers_on_a_bf16_cache(tmp_path, monkeypatch, name, make):
    reference = peaked(make())
    ours = load_folder(save_hf_folder(reference, tmp_path / "hf"))
    for seed in range(2):
        prompt = torch.randint(0, 128, (12,), generator=torch.Generator().manual_seed(seed)).tolist()
        cache = KVCache(ours.config, 64, kv_dtype=torch.bfloat16)
        assert greedy(ours, prompt, 24, cache, monkeypatch) == reference_greedy(reference, prompt, 24), (name, seed)


def test_int8_cache_error_on_the_tiny_mixtral(tmp_path, monkeypatch):
    """Measured: logits off by ~1% of their spread, and greedy tokens that agree with the fp32 cache's
    (16 prompts × 16 tokens; the agreement is printed): at least 95% of the tokens."""
    ours = load_folder(save_hf_folder(peaked(tiny_mixtral(seed=23)), tmp_path / "hf"))
    same = total = 0
    logit_error = 0.0
    for seed in range(16):
        prompt = torch.randint(0, 128, (10,), generator=torch.Generator().manual_seed(seed)).tolist()
        exact = greedy(ours, prompt, 16, KVCache(ours.config, 64), monkeypatch)
        with torch.inference_mode():
            tokens = torch.tensor(prompt + exact)
            fp32 = ours(tokens, KVCache(ours.config, 64))
            int8 = ours(tokens, KVCache(ours.config, 64, kv_dtype=torch.int8))
        logit_error = max(logit_error, ((int8 - fp32).abs().max() / (fp32.max() - fp32.min())).item())
        choices = int8[len(prompt) - 1:-1].argmax(-1).tolist()
        same += sum(a == b for a, b in zip(choices, exact))
        total += len(exact)
    print(f"int8 KV cache: {same}/{total} greedy tokens agree; logits off by {logit_error:.4f} of their range")
    assert same / total >= 0.95
    assert logit_error < 0.05


def test_kv_cache_option_end_to_end(tmp_path, capsys):
    """The protocol and the CLI offer the same choices as the cache; the engine stores int8 when asked,
    caps the context at the model's maximum, and `runtime bench --kv-cache int8` reports the smaller cache."""
    assert protocol.KV_CACHE_TYPES == tuple(KV_CACHE_TYPES)
    for value in (None, "bf16", "int8"):
        protocol.request("load", path="m.gguf", kv_cache=value)
    with pytest.raises(protocol.ProtocolError):
        protocol.request("load", path="m.gguf", kv_cache="fp8")
    path = tmp_path / "tiny.gguf"
    synth("tiny-mixtral", 1, "Q8_0", path)
    engine = Engine(threads=1, kv_cache="int8")
    engine.load(path, context_length=10 ** 6)
    assert engine.cache.keys.dtype == torch.int8 and engine.context_length == 4096  # the preset's maximum
    answer = engine.generate([1, 5, 9, 13], max_tokens=4).text()
    assert isinstance(answer, str) and engine.cache.length >= 4
    sizes = {}
    for kind in KV_CACHE_TYPES:
        assert main(["bench", str(path), "--json", "--prompt-tokens", "8", "--gen-tokens", "2", "--threads", "1",
                     "--kv-cache", kind]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["kv_cache"] == kind
        sizes[kind] = result["kv_cache_gb"]
    config = preset_config("tiny-mixtral", 1)
    assert sizes["int8"] == round(bytes_per_position(config, torch.int8) * (8 + 2 + 16) / 1e9, 6) < sizes["bf16"]


def test_the_worker_loads_the_kv_cache_asked_for(tmp_path):
    """A real worker process: `load` with kv_cache int8 answers `loaded` with it, and generates."""
    path = tmp_path / "tiny.gguf"
    synth("tiny-mixtral", 1, "Q8_0", path)
    client = WorkerClient()
    client.start()
    try:
        loaded = events_until(client, client.load(str(path), kv_cache="int8"), final=("loaded", "error"))[-1]
        assert loaded["type"] == "loaded" and loaded["kv_cache"] == "int8", loaded
        done = events_until(client, client.generate([{"role": "user", "content": "hi"}], max_tokens=3))[-1]
        assert done["type"] == "done", done
        loaded = events_until(client, client.load(str(path)), final=("loaded", "error"))[-1]
        assert loaded["kv_cache"] == "bf16"
    finally:
        client.shutdown()
