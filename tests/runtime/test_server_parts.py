"""The server's parts without a server: stop strings held back, OpenAI's penalties, the engine queue's
order, bound and cancellation, the Host / Origin / key checks, and request parsing."""
import threading
import time

import pytest
import torch

from runtime.errors import OctetError
from runtime.generate import GenerationResult, stop_at_strings
from runtime.sampling import Sampler
from runtime.sampling_params import SamplingParams
from runtime.server.api_requests import parse_chat, parse_completion
from runtime.server.engine_queue import Done, EngineQueue, QueueFull
from runtime.server.errors import ApiError
from runtime.server.security import Guard, allowed_hosts, check_bind


# -- stop strings ------------------------------------------------------------------------------------
def run_stops(deltas, stops):
    result = GenerationResult(finish_reason="length")
    return list(stop_at_strings(iter(deltas), stops, result)), result.finish_reason


def test_text_that_may_begin_a_stop_string_is_held_back_until_it_cannot():
    out, reason = run_stops(["Hello wor", "ld, E", "ND", " more"], ["END"])
    assert out == ["Hello wor", "ld, "] and reason == "stop"
    out, reason = run_stops(["a <", "/s", "x> b"], ["</stop>"])
    assert "".join(out) == "a </sx> b" and reason == "length"
    assert out[0] == "a "  # "<" waited: it could have begun "</stop>"


def test_the_stop_string_that_starts_first_wins_and_nothing_of_it_is_emitted():
    out, reason = run_stops(["12", "3", "45"], ["34", "2345", "5"])
    assert "".join(out) == "1" and reason == "stop"  # "2345" starts before "34" ends
    out, _ = run_stops(["x", "y"], [])
    assert out == ["x", "y"]


def test_a_stop_string_closes_the_generation_underneath():
    closed = []

    def deltas():
        try:
            yield from ["one ", "two ", "STOP", " three"]
        finally:
            closed.append(True)

    out = list(stop_at_strings(deltas(), ["STOP"], GenerationResult()))
    assert "".join(out) == "one two " and closed == [True]


# -- penalties ---------------------------------------------------------------------------------------
def test_frequency_and_presence_penalties_count_the_answer_only():
    logits = torch.tensor([3.0, 2.9, 0.0])
    plain = Sampler(SamplingParams(temperature=0))
    assert [plain(logits, [0] * 9) for _ in range(3)] == [0, 0, 0]  # the prompt ([0]*9) counts for nothing
    penalised = Sampler(SamplingParams(temperature=0, frequency_penalty=0.5))
    assert [penalised(logits, [0] * 9) for _ in range(3)] == [0, 1, 0]  # 3 - 0.5 < 2.9; then 2.9 - 0.5 < 2.5
    present = Sampler(SamplingParams(temperature=0, presence_penalty=1.0))
    assert [present(logits, []) for _ in range(3)] == [0, 1, 0]


def test_no_penalty_leaves_sampling_as_it_was():
    logits = torch.randn(50)
    a = Sampler(SamplingParams(temperature=0.8, seed=3))
    b = Sampler(SamplingParams(temperature=0.8, seed=3, frequency_penalty=0.0, presence_penalty=0.0))
    assert [a(logits, [1, 2]) for _ in range(20)] == [b(logits, [1, 2]) for _ in range(20)]


# -- the engine queue ----------------------------------------------------------------------------------
def collect(job, timeout=5.0) -> list:
    events = []
    while True:
        event = job.events.get(timeout=timeout)
        events.append(event)
        if isinstance(event, Done):
            return events


def test_jobs_run_one_at_a_time_in_order():
    running, overlaps, order = [], [], []

    def work(name):
        def run(engine, cancelled):
            overlaps.append(len(running))
            running.append(name)
            time.sleep(0.02)
            order.append(name)
            running.remove(name)
            yield name
        return run

    engine_queue = EngineQueue("engine", max_waiting=10)
    jobs = [engine_queue.submit(work(i)) for i in range(6)]
    assert [collect(job)[0] for job in jobs] == list(range(6))
    assert order == list(range(6)) and set(overlaps) == {0}
    engine_queue.close()


def test_past_max_waiting_submit_raises_queue_full_and_a_cancelled_job_never_runs():
    release, ran = threading.Event(), []

    def blocking(engine, cancelled):
        release.wait(5)
        yield "first"

    def recording(engine, cancelled):
        ran.append(True)
        yield "second"

    engine_queue = EngineQueue(None, max_waiting=1)
    first = engine_queue.submit(blocking)
    while not first.started:
        time.sleep(0.005)
    waiting = engine_queue.submit(recording)
    with pytest.raises(QueueFull) as full:
        engine_queue.submit(recording)
    assert full.value.retry_after >= 1
    waiting.cancel()
    release.set()
    assert collect(first)[0] == "first" and collect(waiting) == [Done()] and not ran
    engine_queue.close()


def test_gone_cancels_between_tokens_and_errors_come_back_as_done():
    gone = threading.Event()

    def tokens(engine, cancelled):
        for i in range(1000):
            if cancelled():
                return
            if i == 3:
                gone.set()
            yield i

    def failing(engine, cancelled):
        yield "x"
        raise ValueError("boom")

    engine_queue = EngineQueue(None)
    assert collect(engine_queue.submit(tokens, gone=gone.is_set))[:-1] == [0, 1, 2, 3]
    events = collect(engine_queue.submit(failing))
    assert events[0] == "x" and isinstance(events[1].error, ValueError)
    engine_queue.close()


# -- who may ask ---------------------------------------------------------------------------------------
def test_host_allowlist():
    guard = Guard(allowed_hosts("127.0.0.1", 8080))
    for host in ("127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080"):
        guard.check({"Host": host})
    for host in ("evil.example:8080", "127.0.0.1:9999", "", "localhost.evil.example"):
        with pytest.raises(ApiError) as refused:
            guard.check({"Host": host})
        assert refused.value.status == 403
    assert "myhost.lan:8080" in allowed_hosts("127.0.0.1", 8080, ["MyHost.lan"])
    assert "192.168.1.5:8080" in allowed_hosts("192.168.1.5", 8080)


def test_key_origin_and_bind_policy():
    guard = Guard({"localhost"}, api_key="k1", cors_origins=["http://localhost:3000"])
    guard.check({"Host": "localhost", "Authorization": "Bearer k1"})
    guard.check({"Host": "localhost", "Authorization": "bearer k1"})
    for authorization in ("", "Bearer k2", "k1", "Bearer k1x", "Basic k1", "Bearer"):
        with pytest.raises(ApiError) as refused:
            guard.check({"Host": "localhost", "Authorization": authorization})
        assert refused.value.status == 401
    guard.check({"Host": "localhost", "Origin": "http://localhost:3000"}, preflight=True)
    allowed = guard.cors_headers({"Origin": "http://localhost:3000"})
    assert allowed["Access-Control-Allow-Origin"] == "http://localhost:3000"
    with pytest.raises(ApiError):
        guard.check({"Host": "localhost", "Origin": "http://evil.example", "Authorization": "Bearer k1"})
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    check_bind("0.0.0.0", "key")
    with pytest.raises(OctetError):
        check_bind("0.0.0.0", None)


# -- request parsing -----------------------------------------------------------------------------------
def test_requests_take_openais_defaults_and_names():
    request = parse_chat({"messages": [{"role": "developer", "content": [{"type": "text", "text": "be brief"}]},
                                       {"role": "user", "content": "hi"}], "stop": "\n", "seed": 5,
                          "max_completion_tokens": 7, "stream": True, "stream_options": {"include_usage": True}})
    assert request.messages[0] == {"role": "system", "content": "be brief"}
    assert request.stop == ["\n"] and request.max_tokens == 7 and request.include_usage
    params = request.params
    assert (params.temperature, params.top_p, params.top_k, params.min_p, params.seed) == (1, 1, 0, 0, 5)
    assert parse_completion({"prompt": ["once"]}).max_tokens == 16  # OpenAI's default for completions
    assert parse_chat({"messages": [{"role": "user", "content": "x"}]}).max_tokens is None


@pytest.mark.parametrize("body, param", [
    ({"messages": "hi"}, "messages"),
    ({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0}, "max_tokens"),
    ({"messages": [{"role": "user", "content": "x"}], "seed": "1"}, "seed"),
    ({"messages": [{"role": "user", "content": "x"}], "top_p": 1.5}, "top_p"),
    ({"messages": [{"role": "user", "content": "x"}], "presence_penalty": -3}, "presence_penalty"),
    ({"messages": [{"role": "user", "content": "x"}], "stop": ["x" * 300]}, "stop"),
    ({"messages": [{"role": "user", "content": "x"}], "logit_bias": {"1": 5}}, "logit_bias"),
    ({"messages": [{"role": "assistant", "content": None, "tool_calls": [{}]}]}, "messages[0].role"),
])
def test_bad_requests_name_their_parameter(body, param):
    with pytest.raises(ApiError) as refused:
        parse_chat(body)
    assert refused.value.status == 400 and refused.value.param == param
