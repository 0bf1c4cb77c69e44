"""The context policy on a long conversation: the fewest oldest turns are left out (the same cut a turn-by-turn
scan finds), found in a few renders of the template rather than one per turn left out, and a cancel stops
it before the first token."""
import pytest
import torch

from runtime.engine import Engine
from runtime.errors import ContextOverflowError
from runtime.generate import PREFILL_CHUNK
from runtime.sampling import SamplingParams
from runtime.synth import synth


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    path = tmp_path_factory.mktemp("ctx") / "tiny.gguf"
    synth("tiny-mixtral", 1, "Q8_0", path)
    engine = Engine(threads=1)
    engine.load(path, context_length=1024)
    return engine


def conversation(turns: int) -> list[dict]:
    messages = [{"role": "system", "content": "Be brief."}]
    for i in range(turns):
        messages += [{"role": "user", "content": f"Question {i}: what is {i} times {i}?"},
                     {"role": "assistant", "content": f"{i} times {i} is {i * i}."}]
    return messages + [{"role": "user", "content": "And the last one?"}]


def scan_cut(engine, messages) -> int:
    """The reference: leave out turns one at a time until the rest fits (what the policy promises)."""
    turns = messages[1:]
    for dropped in range(len(turns)):
        if turns[dropped]["role"] == "user":
            ids = engine.loaded.chat_encoder.encode_chat(messages[:1] + turns[dropped:])
            if len(ids) < engine.context_length:
                return dropped
    raise AssertionError("nothing fits")


class CountingEncoder:
    def __init__(self, encoder):
        self.encoder, self.renders = encoder, 0

    def encode_chat(self, messages, **options):
        self.renders += 1
        return self.encoder.encode_chat(messages, **options)


@pytest.mark.parametrize("turns", [0, 3, 40, 300])
def test_fewest_oldest_turns_are_left_out_in_few_renders(engine, monkeypatch, turns):
    messages = conversation(turns)
    expected = scan_cut(engine, messages)
    counting = CountingEncoder(engine.loaded.chat_encoder)
    monkeypatch.setattr(engine.loaded, "chat_encoder", counting)
    ids, dropped = engine.encode_conversation(messages)
    assert dropped == expected and len(ids) < engine.context_length
    assert ids == counting.encoder.encode_chat(messages[:1] + messages[1 + dropped:])
    assert counting.renders <= 2 + (turns + 1).bit_length()  # bisection, not one render per turn


def test_a_last_message_too_long_alone_is_refused(engine):
    with pytest.raises(ContextOverflowError, match="too long"):
        engine.encode_conversation(conversation(2)[:-1] + [{"role": "user", "content": "word " * 2000}])


def test_cancel_while_the_prompt_is_built_stops_before_any_render(engine, monkeypatch):
    counting = CountingEncoder(engine.loaded.chat_encoder)
    monkeypatch.setattr(engine.loaded, "chat_encoder", counting)
    generation = engine.chat(conversation(300), params=SamplingParams(temperature=0), max_tokens=5,
                             cancelled=lambda: True)
    with torch.inference_mode():
        assert generation.text() == ""
    assert generation.result.finish_reason == "cancelled" and counting.renders == 0


def test_cancel_during_a_long_prefill_stops_between_chunks(engine):
    engine.cache.truncate(0)
    engine.cached_ids = []
    checks = []

    def cancelled() -> bool:
        checks.append(engine.cache.length)
        return engine.cache.length > 0  # stop once the first chunk is in the cache

    generation = engine.chat(conversation(60), params=SamplingParams(temperature=0), max_tokens=5,
                             cancelled=cancelled)
    with torch.inference_mode():
        assert generation.text() == ""
    assert generation.result.finish_reason == "cancelled"
    assert engine.cache.length == PREFILL_CHUNK < generation.result.stats.prompt_tokens
    assert engine.cached_ids == generation.prompt[:PREFILL_CHUNK]  # what the cache holds, for the next turn
