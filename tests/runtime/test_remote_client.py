"""The remote engine's client (`runtime.worker.remote.RemoteClient`) against a real `python -m runtime serve`
process on loopback serving the starter model: models listed, a chat streamed as the worker's events, stop,
and each failure as an error event with its code (wrong key, unreachable, missing model, a refusal passed on,
the server killed mid-answer with the partial text kept)."""
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.worker import protocol
from runtime.worker.remote import RemoteClient, server_name, valid_base_url

ROOT = Path(__file__).resolve().parents[2]
KEY = "remote-test-key"
MODEL_ID = "SmolLM2-135M-Instruct.Q4_1"
STORY = [{"role": "user", "content": "Write a very long story about a dragon who learns to cook."}]
GREEDY = {"temperature": 0.0, "seed": 1}
WAIT_S = 120  # a guard against a hang, never a bound on the machine's speed


def start_server(model: Path, data: Path, *options) -> tuple[subprocess.Popen, str]:
    """A `runtime serve` process on a free loopback port; (process, base URL) once it answers."""
    env = {**os.environ, "OCTET_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "runtime", "serve", str(model), "--port", "0", *options],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()  # printed once the model is loaded and the port listens
    found = re.search(r"(http://127\.0\.0\.1:\d+/v1)", line)
    assert found, f"the server did not start: {line!r}"
    return process, found.group(1)


def stop_server(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(starter_path, tmp_path_factory):
    process, url = start_server(starter_path, tmp_path_factory.mktemp("serve-data"), "--api-key", KEY,
                                "--context", "1024")
    yield url
    stop_server(process)


@pytest.fixture
def client(server):
    remote = RemoteClient(server, KEY)
    remote.start()
    yield remote
    remote.shutdown()


def next_final(client: RemoteClient, request_id: str) -> tuple[str, dict]:
    """(text of the token events, the final event) of one request."""
    text = ""
    while True:
        message = client.next_event(timeout=WAIT_S)
        assert message["id"] == request_id, message
        if message["type"] != "token":
            return text, message
        text += message["text"]


def load(client: RemoteClient, name: str = "") -> dict:
    return next_final(client, client.load(name))[1]


def closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return listener.getsockname()[1]  # nothing listens there once it is closed


# -- what the server has ---------------------------------------------------------------------------------------
def test_base_urls_are_checked():
    for good in ("http://127.0.0.1:8000/v1", "https://gpu.example.org/v1/", "http://[::1]:8080/api/v1"):
        assert valid_base_url(good), good
    for bad in ("", "127.0.0.1:8000/v1", "ftp://host/v1", "http:///v1", "http://host:8000", "http://host/v2",
                "http://host:99999/v1", "http://host/v1?x=1", "file:///v1"):
        assert not valid_base_url(bad), bad
    with pytest.raises(ValueError):
        RemoteClient("http://host:8000/")
    assert server_name("https://user:secret@gpu.example.org:8443/v1") == "gpu.example.org:8443"


def test_the_server_s_models_are_listed_and_one_is_loaded(client, server):
    assert [model["id"] for model in client.list_models()] == [MODEL_ID]
    first = load(client)  # no name: the server's first model
    assert first["type"] == "loaded" and first["model"]["name"] == MODEL_ID
    assert first["context_length"] == first["model"]["context_length"] == 1024  # the server's --context
    assert first["model"]["server"] == server_name(server) and first["model"]["format"] == "remote"
    assert load(client, MODEL_ID)["model"]["name"] == MODEL_ID


def test_a_model_the_server_lacks_is_a_clear_error(client):
    error = load(client, "mixtral-on-another-server")
    assert (error["type"], error["kind"], error["code"]) == ("error", protocol.NO_MODEL, "server_model_missing")
    assert error["model"] == "mixtral-on-another-server" and "no model named" in error["message"]


# -- answers ---------------------------------------------------------------------------------------------------
def test_a_chat_streams_as_token_events_then_done_with_stats(client):
    load(client)
    request_id = client.generate([{"role": "user", "content": "Count from 1 to 10."}], params=GREEDY, max_tokens=24)
    text, done = next_final(client, request_id)
    assert done["type"] == "done" and done["finish_reason"] in ("stop", "length"), done
    assert text.strip() and "1" in text
    stats = done["stats"]
    assert stats["generated_tokens"] >= 2 and stats["prompt_tokens"] > 0
    assert stats["decode_tokens_per_s"] > 0 and stats["server"] == client.server
    assert client.running_request is None and not client.partial_text


def test_stop_closes_the_stream_and_the_server_goes_on(client):
    load(client)
    request_id = client.generate(STORY, params=GREEDY, max_tokens=400)
    first = client.next_event(timeout=WAIT_S)
    assert first["type"] == "token", first
    client.cancel(request_id)
    text, final = next_final(client, request_id)
    assert final == {"type": "done", "id": request_id, "finish_reason": "cancelled", "stats": {}}
    after = client.generate([{"role": "user", "content": "Say hi."}], params=GREEDY, max_tokens=8)
    assert next_final(client, after)[1]["type"] == "done"  # the server was not left busy with the old answer


def test_one_answer_at_a_time(client):
    load(client)
    running = client.generate(STORY, params=GREEDY, max_tokens=200)
    refused = client.generate(STORY, params=GREEDY, max_tokens=200)
    busy = client.next_event(timeout=WAIT_S)
    while busy["id"] != refused:
        busy = client.next_event(timeout=WAIT_S)
    assert (busy["type"], busy["code"]) == ("error", "busy")
    client.cancel()
    while client.next_event(timeout=WAIT_S)["type"] == "token":
        pass
    assert client.running_request is None and running


# -- failures --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["wrong-key", ""])
def test_a_wrong_or_missing_key_is_a_clear_error(server, key):
    remote = RemoteClient(server, key)
    error = load(remote)
    assert (error["type"], error["kind"], error["code"]) == ("error", protocol.SERVER, "server_key")
    assert "API key" in error["message"] and error["server"] == server_name(server)
    assert KEY not in str(error)


def test_an_unreachable_server_is_a_clear_error():
    port = closed_port()
    remote = RemoteClient(f"http://127.0.0.1:{port}/v1")
    error = load(remote)
    assert (error["kind"], error["code"], error["server"]) == (protocol.SERVER, "server_unreachable",
                                                               f"127.0.0.1:{port}")
    assert "cannot reach" in error["message"]
    failed = next_final(remote, remote.generate(STORY))[1]  # an answer asked of it fails the same way
    assert failed["code"] == "server_unreachable" and remote.running_request is None


def test_a_url_that_is_not_the_base_url_says_so(server):
    remote = RemoteClient(server.replace("/v1", "/api/v1"), KEY)
    assert load(remote)["code"] == "server_not_openai"


def test_the_server_s_refusals_are_passed_on(client):
    load(client)
    too_long = next_final(client, client.generate(STORY, params=GREEDY, max_tokens=5000))[1]  # context 1024
    assert (too_long["kind"], too_long["code"]) == (protocol.CONTEXT, "server_context")
    assert "context" in too_long["detail"]
    bad = next_final(client, client.generate(STORY, params={"temperature": 3.0}, max_tokens=8))[1]
    assert (bad["kind"], bad["code"], bad["status"]) == (protocol.SERVER, "server_refused", 400)
    assert "temperature" in bad["detail"] and "400" in bad["message"]


def test_vllm_s_context_refusals_are_context_errors():
    client = RemoteClient("http://127.0.0.1:8000/v1")
    for words in ("This model's maximum context length is 512 tokens. However, you requested 600 tokens (88 in the "
                  "messages, 512 in the completion). Please reduce the length of the messages or completion.",
                  "max_tokens=513 cannot be greater than max_model_len=512. Please request fewer output tokens."):
        answer = {"error": {"message": words, "type": "BadRequestError", "param": None, "code": 400}}  # vLLM 0.32's
        error = client._refused(400, answer)
        assert (error["kind"], error["code"], error["detail"]) == (protocol.CONTEXT, "server_context", words)
    assert client._refused(400, {"error": {"message": "temperature must be >= 0", "code": 400}})["code"] == \
        "server_refused"


def test_a_server_killed_mid_answer_keeps_the_partial_text(starter_path, tmp_path):
    process, url = start_server(starter_path, tmp_path)
    try:
        remote = RemoteClient(url)
        load(remote)
        request_id = remote.generate(STORY, params=GREEDY, max_tokens=400)
        received = ""
        while len(received) < 20:
            message = remote.next_event(timeout=WAIT_S)
            assert message["type"] == "token", message
            received += message["text"]
        process.send_signal(signal.SIGKILL)
        text, died = next_final(remote, request_id)
        assert (died["type"], died["kind"], died["code"]) == ("error", protocol.WORKER_DIED, "server_dropped")
        assert died["partial_text"] == received + text and died["partial_text"].startswith(received)
        assert "lost in the middle of the answer" in died["message"]
        assert remote.running_request is None
    finally:
        stop_server(process)
