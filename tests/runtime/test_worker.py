"""The worker process for real: spawned, loading the starter model, generating, cancelled, killed."""
import os
import signal
import subprocess
import sys
import time

import pytest

from runtime.worker import protocol
from runtime.worker.client import WorkerClient

GREEDY = {"temperature": 0, "repetition_penalty": 1.0}
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
LONG_QUESTION = [{"role": "user", "content": "Write a very long story about a dragon who learns to cook."}]


def events_until(client, request_id, final=("done", "error"), timeout=120):
    """All events of `request_id` up to and including its done/error."""
    collected, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = client.next_event(timeout=deadline - time.monotonic())
        if message.get("id") == request_id or message["type"] == "error" and message.get("id") is None:
            collected.append(message)
            if message["type"] in final:
                return collected
    raise AssertionError(f"no final event for {request_id} within {timeout}s: {collected[-3:]}")


def wait_for_token(client, request_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = client.next_event(timeout=deadline - time.monotonic())
        if message["type"] == "token" and message["id"] == request_id:
            return message
        assert message["type"] != "error", message
    raise AssertionError("no token arrived")


@pytest.fixture(scope="module")
def worker(starter_path):
    client = WorkerClient()
    client.start()
    events = events_until(client, client.load(str(starter_path)), final=("loaded", "error"))
    assert events[-1]["type"] == "loaded", events[-1]
    assert any(e["type"] == "load_progress" for e in events)
    yield client
    client.shutdown()


def test_round_trip_matches_cli_greedy_answer(worker, starter_path):
    events = events_until(worker, worker.generate(QUESTION, params={"temperature": 0}, max_tokens=40))
    text = "".join(e["text"] for e in events if e["type"] == "token")
    done = events[-1]
    assert done["type"] == "done" and done["finish_reason"] in ("stop", "length")
    assert done["stats"]["generated_tokens"] > 0 and done["stats"]["decode_tokens_per_s"] > 0
    cli = subprocess.run(
        [sys.executable, "-m", "runtime", "chat", str(starter_path), "--prompt", QUESTION[0]["content"],
         "--temperature", "0", "--max-tokens", "40"], capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert cli.returncode == 0, cli.stderr
    assert "Paris" in text
    assert cli.stdout == text + "\n"


def test_second_turn_prefills_only_new_tokens(worker):
    first = events_until(worker, worker.generate(QUESTION, params=GREEDY, max_tokens=20))
    answer = "".join(e["text"] for e in first if e["type"] == "token")
    conversation = QUESTION + [{"role": "assistant", "content": answer},
                               {"role": "user", "content": "And of Italy?"}]
    second = events_until(worker, worker.generate(conversation, params=GREEDY, max_tokens=20))[-1]
    stats = second["stats"]
    assert second["type"] == "done"
    assert stats["prefilled_tokens"] < stats["prompt_tokens"] // 2
    assert stats["prefilled_tokens"] <= 20

    other = [{"role": "user", "content": "Name a colour."}]
    switched = events_until(worker, worker.generate(other, params=GREEDY, max_tokens=10))[-1]
    assert switched["type"] == "done" and switched["stats"]["prefilled_tokens"] >= 5


def test_cancel_stops_within_a_few_tokens(worker):
    """Counted in tokens, not seconds: the worker checks for a cancel before every token, so only the tokens
    already on their way (generated before the cancel arrived) follow it, however slow or busy the machine."""
    request_id = worker.generate(LONG_QUESTION, params=GREEDY, max_tokens=400)
    wait_for_token(worker, request_id)
    received = 1 + worker.events.qsize()  # the first token, and those the client has read but we have not
    worker.cancel(request_id)
    done = events_until(worker, request_id)[-1]
    assert done["type"] == "done" and done["finish_reason"] == "cancelled"
    after = done["stats"]["generated_tokens"] - received
    assert after <= 16, f"{after} tokens generated after the cancel (of at most 400)"


def test_bad_requests_get_error_events_and_the_worker_survives(worker):
    worker.connection.send({"type": "explode", "id": "x1"})
    worker.connection.send("not a dict")
    worker.connection.send({"type": "generate", "id": "x2", "messages": "hello"})
    errors = [worker.next_event(timeout=10) for _ in range(3)]
    assert [e["type"] for e in errors] == ["error"] * 3
    assert all(e["kind"] == protocol.BAD_REQUEST for e in errors)
    assert "unknown request type" in errors[0]["message"]

    running = worker.generate(LONG_QUESTION, params=GREEDY, max_tokens=300)
    wait_for_token(worker, running)
    second = worker.generate(QUESTION, params=GREEDY, max_tokens=5)
    busy = events_until(worker, second)[-1]
    assert busy["kind"] == protocol.BUSY
    worker.cancel(running)
    assert events_until(worker, running)[-1]["finish_reason"] == "cancelled"


def test_prompt_longer_than_context_is_refused_with_a_message(worker):
    huge = [{"role": "user", "content": "lorem ipsum " * 3000}]
    error = events_until(worker, worker.generate(huge, max_tokens=5))[-1]
    assert error["type"] == "error" and error["kind"] == protocol.CONTEXT
    assert "too long" in error["message"]


def test_generate_before_load_and_bad_model_file(tmp_path):
    client = WorkerClient()
    client.start()
    try:
        assert events_until(client, client.generate(QUESTION))[-1]["kind"] == protocol.NO_MODEL
        bad = tmp_path / "broken.gguf"
        bad.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 40)
        error = events_until(client, client.load(str(bad)))[-1]
        assert error["type"] == "error" and error["kind"] == protocol.MODEL_FILE
        assert "broken.gguf" in error["message"]
    finally:
        client.shutdown()
    assert not client.alive


def test_kill_during_generation_keeps_partial_text_and_restarts(starter_path):
    client = WorkerClient()
    client.start()
    try:
        assert events_until(client, client.load(str(starter_path)), final=("loaded", "error"))[-1]["type"] == "loaded"
        request_id = client.generate(LONG_QUESTION, params=GREEDY, max_tokens=400)
        received = wait_for_token(client, request_id)["text"]
        os.kill(client.process.pid, signal.SIGKILL)
        death = events_until(client, request_id, final=("error",), timeout=60)[-1]  # a hang guard, not a bound
        assert death["kind"] == protocol.WORKER_DIED and "killed" in death["message"]
        assert death["partial_text"].startswith(received) and death["partial_text"]

        client.start()
        assert events_until(client, client.load(str(starter_path)), final=("loaded", "error"))[-1]["type"] == "loaded"
        done = events_until(client, client.generate(QUESTION, params=GREEDY, max_tokens=10))[-1]
        assert done["type"] == "done"
    finally:
        client.shutdown()


ORPHAN_PARENT = """
import sys, time
from runtime.worker.client import WorkerClient
client = WorkerClient()
client.start()
print(client.process.pid, flush=True)
time.sleep(60)
"""


def test_worker_exits_when_the_app_dies():
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN_PARENT], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.getcwd()})
    worker_pid = int(parent.stdout.readline())
    time.sleep(1.0)
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(worker_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    pytest.fail("the worker outlived its app")
