"""The app's worker serving its loaded model over the OpenAI-compatible API (Settings › Local server), for real:
a spawned worker with the starter model, the official `openai` client and raw http.client on loopback. The
app's own answers and API requests share the one engine: the app's waits its turn, a full queue answers 429,
a busy port and a network address without a key are refused with a code, an unloaded model answers 503."""
import http.client
import json
import socket
import threading
import time

import openai
import pytest

from runtime.worker import protocol
from runtime.worker.client import WorkerClient

KEY = "worker-test-key"
FRANCE = [{"role": "user", "content": "What is the capital of France?"}]
LONG = {"type": "json_schema",  # an answer that cannot end before thousands of characters: it runs to max_tokens
        "json_schema": {"name": "long", "schema": {"type": "object", "required": ["story"],
                                                   "properties": {"story": {"type": "string", "minLength": 5000}}}}}
PATIENCE = 120  # seconds: a guard against a hang, never a bound on the machine's speed


class Recorder:
    """Every event of the worker, in order; `wait` finds the first one after `since` that matches."""

    def __init__(self):
        self.events: list[dict] = []
        self.changed = threading.Condition()

    def put(self, message: dict) -> None:
        with self.changed:
            self.events.append(message)
            self.changed.notify_all()

    def wait(self, since: int = 0, **match) -> tuple[int, dict]:
        """(index, event) of the first event from `since` on whose fields equal `match`."""
        deadline = time.monotonic() + PATIENCE
        with self.changed:
            while True:
                for index in range(since, len(self.events)):
                    if all(self.events[index].get(name) == value for name, value in match.items()):
                        return index, self.events[index]
                left = deadline - time.monotonic()
                assert left > 0, f"no event {match} after #{since}; the last ones: {self.events[-5:]}"
                self.changed.wait(left)


class Worker:
    def __init__(self, starter_path):
        self.recorder = Recorder()
        self.client = WorkerClient(on_event=self.recorder.put)
        self.client.start()
        self.starter_path = starter_path
        self.port = 0

    def load(self) -> None:
        request_id = self.client.load(str(self.starter_path), context_length=1024)
        self.recorder.wait(id=request_id, type="loaded")

    def serve(self, **fields) -> dict:
        """Send a serve request; its answer (an api_server or error event)."""
        request_id = self.client.send(protocol.request("serve", **fields))
        index = len(self.recorder.events)
        while True:
            index, answer = self.recorder.wait(index, id=request_id)
            if answer["type"] in ("api_server", "error"):
                if answer["type"] == "api_server" and answer["state"] == "started":
                    self.port = answer["port"]
                return answer
            index += 1

    def openai(self, key: str = "unused") -> openai.OpenAI:  # no retries: a 429 or a 503 is what is checked
        return openai.OpenAI(base_url=f"http://127.0.0.1:{self.port}/v1", api_key=key, max_retries=0, timeout=60)


@pytest.fixture(scope="module")
def worker(starter_path):
    worker = Worker(starter_path)
    worker.load()
    answer = worker.serve(enabled=True, host="127.0.0.1", port=0, max_queue=1)
    assert answer["type"] == "api_server" and answer["state"] == "started" and answer["port"] > 0, answer
    yield worker
    worker.client.shutdown()


def open_stream(port: int, body: dict, key: str | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {})}
    connection.request("POST", "/v1/chat/completions", body=json.dumps({**body, "stream": True}), headers=headers)
    response = connection.getresponse()
    assert response.status == 200, response.read()
    while not response.readline().startswith(b"data: "):  # the first chunk: the engine runs this request
        pass
    return connection, response


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_openai_client_gets_an_answer_and_the_app_hears_of_it(worker):
    since = len(worker.recorder.events)
    client = worker.openai()
    assert [model.id for model in client.models.list().data] == [worker.starter_path.stem]
    answer = client.chat.completions.create(model="anything", messages=FRANCE, max_tokens=12, temperature=0)
    assert "Paris" in answer.choices[0].message.content and answer.model == worker.starter_path.stem
    started, _ = worker.recorder.wait(since, type="api_request", active=True)
    worker.recorder.wait(started, type="api_request", active=False)


def test_the_apps_answer_waits_for_an_api_stream_then_comes(worker):
    connection, response = open_stream(worker.port, {"messages": FRANCE, "max_tokens": 40, "temperature": 0,
                                                      "response_format": LONG})
    since = len(worker.recorder.events)
    request_id = worker.client.generate(FRANCE, params={"temperature": 0}, max_tokens=12)
    waiting_at, waiting = worker.recorder.wait(since, id=request_id, type="waiting", waiting=True)
    assert waiting["ahead"] == 1
    rest = response.read().decode()  # the API's answer is whole: the app's did not cut in
    connection.close()
    assert rest.rstrip().endswith("data: [DONE]") and '"finish_reason":"length"' in rest.replace(" ", "")
    api_done_at, _ = worker.recorder.wait(waiting_at, type="api_request", active=False)
    turn_at, _ = worker.recorder.wait(waiting_at, id=request_id, type="waiting", waiting=False)
    first_token_at, _ = worker.recorder.wait(since, id=request_id, type="token")
    _, done = worker.recorder.wait(since, id=request_id, type="done")
    assert api_done_at < turn_at < first_token_at
    assert done["finish_reason"] in ("stop", "length")
    text = "".join(e["text"] for e in worker.recorder.events[since:]
                   if e.get("id") == request_id and e["type"] == "token")
    assert "Paris" in text


def test_stopping_the_apps_waiting_answer_ends_it_at_once(worker):
    connection, response = open_stream(worker.port, {"messages": FRANCE, "max_tokens": 40, "response_format": LONG})
    since = len(worker.recorder.events)
    request_id = worker.client.generate(FRANCE, max_tokens=12)
    worker.recorder.wait(since, id=request_id, type="waiting", waiting=True)
    worker.client.cancel(request_id)
    done_at, done = worker.recorder.wait(since, id=request_id, type="done")
    assert done["finish_reason"] == "cancelled"
    assert not [e for e in worker.recorder.events[since:done_at] if e["type"] == "api_request"]  # the API's goes on
    rest = response.read().decode()
    connection.close()
    assert rest.rstrip().endswith("data: [DONE]")
    api_done_at, _ = worker.recorder.wait(done_at, type="api_request", active=False)
    assert not [e for e in worker.recorder.events[since:] if e.get("id") == request_id and e["type"] == "token"]


def test_an_app_answer_without_api_requests_does_not_wait(worker):
    since = len(worker.recorder.events)
    request_id = worker.client.generate(FRANCE, params={"temperature": 0}, max_tokens=4)
    done_at, _ = worker.recorder.wait(since, id=request_id, type="done")
    assert not [e for e in worker.recorder.events[since:done_at] if e["type"] == "waiting"]


def test_past_the_queue_limit_api_requests_answer_429(worker):
    running = open_stream(worker.port, {"messages": FRANCE, "max_tokens": 400, "response_format": LONG})
    waiting = http.client.HTTPConnection("127.0.0.1", worker.port, timeout=60)  # max_queue 1: this one may wait
    waiting.request("POST", "/v1/chat/completions", body=json.dumps({"messages": FRANCE, "max_tokens": 3}),
                    headers={"Content-Type": "application/json"})
    client = worker.openai()
    deadline = time.monotonic() + PATIENCE
    with pytest.raises(openai.RateLimitError) as refused:
        while time.monotonic() < deadline:  # until the second request is in the queue
            client.chat.completions.create(model="x", messages=FRANCE, max_tokens=1)
    assert refused.value.status_code == 429 and refused.value.code == "rate_limit_exceeded"
    for connection in (running[0], waiting):
        connection.close()  # both are cancelled: the engine is free again (a 429's Retry-After later at most)
    assert client.with_options(max_retries=5).chat.completions.create(model="x", messages=FRANCE, max_tokens=2).choices


def test_a_busy_port_is_refused_with_a_clear_error(worker):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        answer = worker.serve(enabled=True, host="127.0.0.1", port=port)
    assert answer["type"] == "error" and answer["kind"] == protocol.LOCAL_SERVER
    assert answer["code"] == "port_in_use" and answer["port"] == port and "in use" in answer["message"]
    assert worker.serve(enabled=True, host="127.0.0.1", port=0, max_queue=1)["state"] == "started"


def test_the_local_network_needs_a_key(worker):
    answer = worker.serve(enabled=True, host="0.0.0.0", port=0)
    assert answer["type"] == "error" and answer["code"] == "local_server_needs_key", answer
    assert "API key" in answer["message"]
    answer = worker.serve(enabled=True, host="0.0.0.0", port=0, api_key=KEY)
    assert answer["state"] == "started"
    with pytest.raises(openai.AuthenticationError):
        worker.openai().models.list()
    assert worker.openai(KEY).chat.completions.create(model="x", messages=FRANCE, max_tokens=2).choices
    assert worker.serve(enabled=True, host="127.0.0.1", port=0, max_queue=1)["state"] == "started"


def test_unloading_answers_503_even_mid_answer_and_a_new_model_is_served_on_the_same_port(worker):
    port = worker.port
    connection, response = open_stream(port, {"messages": FRANCE, "max_tokens": 400, "response_format": LONG})
    since = len(worker.recorder.events)
    worker.recorder.wait(since, id=worker.client.unload(), type="done")
    rest = response.read().decode()  # the answer in progress ends with the error, as an SSE event
    connection.close()
    assert '"code": "model_not_loaded"' in rest, rest[-300:]
    client = worker.openai()
    with pytest.raises(openai.InternalServerError) as unloaded:
        client.chat.completions.create(model="x", messages=FRANCE, max_tokens=2)
    assert unloaded.value.status_code == 503 and unloaded.value.code == "model_not_loaded"
    assert "No model is loaded" in unloaded.value.message
    assert client.models.list().data == []
    worker.load()
    assert worker.port == port
    assert client.chat.completions.create(model="x", messages=FRANCE, max_tokens=2).choices


def test_turning_the_server_off_closes_the_port(worker):
    port = worker.port
    answer = worker.serve(enabled=False)
    assert answer == {"type": "api_server", "id": answer["id"], "state": "stopped"}
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
