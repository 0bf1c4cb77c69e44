"""The app's handle on a remote OpenAI-compatible server (vLLM on GPUs, another Octet's `runtime serve`): the
methods and events of `client.WorkerClient`, over HTTP (standard library only; no torch, no Qt).

`load` asks `GET /v1/models` for the model (the first one when none is named) and answers `loaded`; `generate`
streams `POST /v1/chat/completions` (server-sent events) on a thread as `token` events, then `done` with stats
(tokens, tokens/s measured here); `cancel` closes the stream, which the server takes as a cancel. Failures are
`error` events with a code (`protocol.ERROR_CODES`): server unreachable, key refused, model missing, a request
refused (the server's own message passed on), an answer that is not OpenAI's, and a stream that dropped
mid-answer, sent as a `worker_died` event with the text received so far, as when the local worker dies.
"""
import http.client
import json
import queue
import socket
import threading
import time
from urllib.parse import urlsplit

from ..errors import OctetError
from . import protocol
from .protocol import error_event, event

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 300.0  # silence allowed while waiting for a token (a busy server queues requests)
MAX_ERROR_BODY = 64 << 10  # bytes of an error answer read to find its message
MAX_DETAIL = 300  # characters of a server's message passed on


class RemoteError(OctetError):
    """A request to the server failed; `event` is the protocol `error` event that says why."""

    def __init__(self, error: dict):
        super().__init__(error["message"])
        self.event = error


def valid_base_url(url: str) -> bool:
    """An http(s) URL with a host, whose path ends in /v1 (what OpenAI's clients call the base URL)."""
    try:
        parts = urlsplit(url.strip())
        port_ok = parts.port is None or parts.port > 0  # reading .port raises ValueError for a bad one
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname) and port_ok
            and parts.path.rstrip("/").endswith("/v1") and not parts.query and not parts.fragment)


def server_name(url: str) -> str:
    """The host (and port) of a base URL, as the status bar and messages show it (never a user:password)."""
    return urlsplit(url.strip()).netloc.rpartition("@")[2]


class RemoteClient:
    """One server, one answer at a time, like the worker; events go to `on_event` (a queue by default)."""

    def __init__(self, base_url: str, api_key: str = "", on_event=None):
        if not valid_base_url(base_url):
            raise ValueError(f"not a server's base URL (http(s)://host[:port]/…/v1): {base_url!r}")
        self.base_url = base_url.strip().rstrip("/")
        self.server = server_name(base_url)
        self.api_key = api_key.strip()
        self.events: queue.Queue = queue.Queue()
        self.on_event = on_event or self.events.put
        self.process = None  # no process on this computer: the window shows no model memory
        self.model = ""
        self.running_request: str | None = None
        self.partial_text: dict[str, str] = {}
        self._started = False
        self._cancelled: set[str] = set()
        self._socket: socket.socket | None = None  # the running answer's connection, closed by cancel
        self._lock = threading.Lock()

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        self._started = True

    @property
    def alive(self) -> bool:
        return self._started

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the answer being streamed, if any; nothing runs here to wait for."""
        self.cancel()
        self._started = False

    # -- requests --------------------------------------------------------------------------------
    def send(self, message: dict) -> str:
        """A request as the worker takes it (see protocol.request); returns its id. The worker's own features
        (saved chat states, its local API server) have nothing to do here: answered `done`, or an error."""
        handler = {"load": self._send_load, "generate": self._send_generate, "cancel": self._send_cancel,
                   "unload": self._send_unload, "shutdown": lambda _: self.shutdown()}.get(message["type"])
        if handler is not None:
            handler(message)
        elif message["type"] in ("forget_state", "clear_state"):
            self.on_event(event("done", message["id"], finish_reason="stop", stats={}))
        else:
            self.on_event(error_event(message["id"], protocol.BAD_REQUEST,
                                      f"{message['type']} is not available with a remote server as the engine"))
        return message["id"]

    def load(self, path: str, **fields) -> str:
        """`path`: the server's name of the model ("" or "." for its first one)."""
        return self.send(protocol.request("load", path=str(path), **fields))

    def generate(self, messages: list[dict], **fields) -> str:
        return self.send(protocol.request("generate", messages=messages, **fields))

    def cancel(self, target: str | None = None) -> str:
        return self.send(protocol.request("cancel", target=target))

    def unload(self) -> str:
        return self.send(protocol.request("unload"))

    def _send_load(self, message: dict) -> None:
        self._run(self._load, message)

    def _send_generate(self, message: dict) -> None:
        with self._lock:
            busy = self.running_request is not None
            if not busy:
                self.running_request = message["id"]
                self.partial_text[message["id"]] = ""
        if busy:
            self.on_event(error_event(message["id"], protocol.BUSY, "an answer is already being generated; "
                                                                     "stop it or wait for it to finish", "busy"))
        else:
            self._run(self._generate, message)

    def _send_cancel(self, message: dict) -> None:
        target = message.get("target")
        with self._lock:
            running, connection = self.running_request, self._socket
            if running is None or target not in (None, running):
                return
            self._cancelled.add(running)
        if connection is not None:
            _close_now(connection)  # the reader wakes up at once; the server sees its client leave

    def _send_unload(self, message: dict) -> None:
        self.model = ""
        self.on_event(event("done", message["id"], finish_reason="stop", stats={}))

    def next_event(self, timeout: float | None = None) -> dict:
        """The next event from the default queue (raises queue.Empty on timeout)."""
        return self.events.get(timeout=timeout)

    def list_models(self) -> list[dict]:
        """The server's models (`GET /v1/models`), blocking; raises RemoteError with the reason."""
        connection = self._connect()
        try:
            response = self._request(connection, "GET", "/models")
            try:
                data = json.loads(response.read()).get("data")
            except (ValueError, AttributeError):
                data = None
        except (OSError, http.client.HTTPException) as error:
            raise RemoteError(self._failure("server_unreachable", detail=_describe(error))) from None
        finally:
            connection.close()
        if not isinstance(data, list) or not all(isinstance(m, dict) and isinstance(m.get("id"), str) for m in data):
            raise RemoteError(self._failure("server_not_openai"))
        return data

    # -- threads ---------------------------------------------------------------------------------
    def _run(self, work, message: dict) -> None:
        threading.Thread(target=work, args=(message,), daemon=True, name=f"octet-remote-{message['type']}").start()

    def _load(self, message: dict) -> None:
        started = time.monotonic()
        name = "" if message["path"] in ("", ".") else message["path"]
        try:
            models = self.list_models()
        except RemoteError as error:
            self.on_event({**error.event, "id": message["id"]})
            return
        chosen = next((m for m in models if m["id"] == name or not name), None)
        if chosen is None:
            self.on_event({**self._failure("server_model_missing", model=name), "id": message["id"]})
            return
        self.model = chosen["id"]
        self.on_event(event("loaded", message["id"], model=self.describe(chosen), context_length=context_of(chosen),
                            load_seconds=round(time.monotonic() - started, 3)))

    def describe(self, model: dict) -> dict:
        """The `loaded` event's model description: the fields the window reads from a local model's."""
        return {"path": f"{self.base_url}#{model['id']}", "format": "remote", "architecture": model["id"],
                "name": model["id"], "server": self.server, "owned_by": str(model.get("owned_by") or ""),
                "quantization": "", "chat_template": "", "parameters_total": 0, "parameters_active": 0,
                "context_length": context_of(model)}

    def _generate(self, message: dict) -> None:
        request_id = message["id"]
        try:
            final = self._stream_answer(request_id, self._body(message))
        except RemoteError as error:
            final = error.event
        except Exception as error:  # a bug here still ends the answer (the window would wait forever)
            detail = f"{type(error).__name__}: {error}"
            final = error_event(None, protocol.INTERNAL, f"the model failed unexpectedly: {detail}", "unexpected",
                                detail=detail)
        with self._lock:
            self.running_request, self._socket = None, None
            cancelled = request_id in self._cancelled
            self._cancelled.discard(request_id)
            partial = self.partial_text.pop(request_id, "")
        if final["type"] == "error" and cancelled:  # the stream closed because we closed it
            final = event("done", request_id, finish_reason="cancelled", stats={})
        elif final["type"] == "error":
            final = {**final, "id": request_id}
            if final["kind"] == protocol.WORKER_DIED:
                final["partial_text"] = partial  # as the worker's client does: the window keeps it
        self.on_event(final)

    def _body(self, message: dict) -> dict:
        params = message.get("params") or {}
        body = {"model": self.model, "messages": message["messages"], "stream": True,
                "stream_options": {"include_usage": True}}
        for name in ("temperature", "top_p", "seed"):  # OpenAI's own: what any such server accepts
            if params.get(name) is not None:
                body[name] = params[name]
        if message.get("max_tokens"):
            body["max_tokens"] = message["max_tokens"]
        return body

    def _stream_answer(self, request_id: str, body: dict) -> dict:
        """Send the request and turn its events into `token` events; the final event (done or error)."""
        connection = self._connect()
        try:
            with self._lock:
                if request_id in self._cancelled:
                    return event("done", request_id, finish_reason="cancelled", stats={})
                self._socket = connection.sock
            sent = time.monotonic()
            response = self._request(connection, "POST", "/chat/completions", body)
            if not (response.getheader("Content-Type") or "").startswith("text/event-stream"):
                return self._failure("server_not_openai")  # it answered, but not with a stream
            return self._read_stream(request_id, response, sent)
        except (OSError, http.client.HTTPException, ValueError) as error:
            return self._failure("server_dropped", detail=_describe(error))
        finally:
            connection.close()

    def _read_stream(self, request_id: str, response, sent: float) -> dict:
        tokens, first, last, finish, usage = 0, None, None, None, {}
        for data in _sse_data(response):
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            if not isinstance(chunk, dict):
                raise ValueError("a stream event that is not a JSON object")
            if isinstance(chunk.get("error"), dict):  # the server failed after the answer began
                status = chunk["error"].get("code")
                return self._refused(status if isinstance(status, int) else 500, chunk)
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices") or []:
                text = (choice.get("delta") or {}).get("content") or ""
                if text:
                    tokens, last = tokens + 1, time.monotonic()
                    first = first or last
                    self._token(request_id, text)
                finish = choice.get("finish_reason") or finish
        if finish is None:
            return self._failure("server_dropped", detail="the stream ended before the answer did")
        generated = int(usage.get("completion_tokens") or tokens)  # the server's count: a chunk may hold several
        # over the whole wait, first token included: a server that sends tokens in bursts (vLLM on a busy machine)
        # made a rate between the first and last chunks read 75,549 tokens/s for a 48-token answer (measured)
        decode = generated / (last - sent) if last and last > sent else 0.0
        stats = {"prompt_tokens": int(usage.get("prompt_tokens") or 0), "generated_tokens": generated,
                 "first_token_seconds": round((first or time.monotonic()) - sent, 3),
                 "decode_tokens_per_s": round(decode, 2), "server": self.server}
        return event("done", request_id, finish_reason="length" if finish == "length" else "stop", stats=stats,
                     dropped_messages=0)

    def _token(self, request_id: str, text: str) -> None:
        with self._lock:
            self.partial_text[request_id] = self.partial_text.get(request_id, "") + text
        self.on_event(event("token", request_id, text=text))

    # -- HTTP ------------------------------------------------------------------------------------
    def _connect(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.base_url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        connection = kind(parts.hostname, parts.port, timeout=CONNECT_TIMEOUT_S)
        try:
            connection.connect()
        except OSError as error:
            raise RemoteError(self._failure("server_unreachable", detail=_describe(error))) from None
        connection.sock.settimeout(READ_TIMEOUT_S)
        return connection

    def _request(self, connection, method: str, path: str, body: dict | None = None) -> http.client.HTTPResponse:
        """Send one request; the response when it is 200, else RemoteError with the server's reason."""
        headers = {"Accept": "text/event-stream" if body else "application/json", "User-Agent": "Octet"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        connection.request(method, urlsplit(self.base_url).path.rstrip("/") + path, body=payload, headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            raise RemoteError(self._refused(response.status, _json_or_text(response.read(MAX_ERROR_BODY))))
        return response

    def _refused(self, status: int, answer) -> dict:
        """The error event of a refusal: OpenAI's `{"error": {message, code}}` (or vLLM's older flat form)."""
        error = answer.get("error") if isinstance(answer, dict) and isinstance(answer.get("error"), dict) else answer
        message = error.get("message") if isinstance(error, dict) else answer
        code = error.get("code") if isinstance(error, dict) else None
        detail = " ".join(str(message or http.client.responses.get(status, status)).split())[:MAX_DETAIL]
        if status == 401 or (status == 403 and code in (None, "invalid_api_key")):
            return self._failure("server_key", detail=detail)
        if status == 404 and code == "model_not_found":
            return self._failure("server_model_missing", model=self.model)
        if status == 404:
            return self._failure("server_not_openai")
        if code == "context_length_exceeded" or (status == 400 and ("maximum context length" in detail
                                                                      or "max_model_len" in detail)):  # vLLM's words
            return self._failure("server_context", detail=detail)
        return self._failure("server_refused", status=status, detail=detail)

    def _failure(self, code: str, **fields) -> dict:
        """An error event with its code (no request id yet) and the English sentence for logs and the CLI."""
        kind = protocol.ERROR_CODES[code][0]
        fields = {"server": self.server, **fields}
        return error_event(None, kind, ENGLISH[code].format(**fields), code, **fields)


ENGLISH = {  # the app shows its own translation of each code (app/chat/runtime_messages.py)
    "server_unreachable": "cannot reach the server {server} ({detail}); check its address and that it is running",
    "server_key": "the server {server} refused the API key ({detail}); check the key in Settings › Engine",
    "server_model_missing": "the server {server} has no model named {model!r}; pick one of its models in Settings",
    "server_not_openai": "{server} does not answer like an OpenAI-compatible server; check that the address "
                         "is its base URL, ending in /v1",
    "server_context": "the server says the conversation is too long: {detail}",
    "server_refused": "the server {server} refused the request ({status}): {detail}",
    "server_dropped": "the connection to the server {server} was lost in the middle of the answer ({detail})",
}


def context_of(model: dict) -> int:
    """A model's context in tokens, when its server says it (vLLM and `runtime serve`: `max_model_len`; 0 when
    it does not, as OpenAI's own API)."""
    context = model.get("max_model_len")
    return context if isinstance(context, int) and not isinstance(context, bool) and context > 0 else 0


def _sse_data(response):
    """The `data:` payloads of a server-sent event stream, one per event (multi-line data joined)."""
    lines = []
    while True:
        raw = response.readline()
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if lines:
                yield "\n".join(lines)
                lines = []
        elif line.startswith("data:"):
            lines.append(line[5:].removeprefix(" "))


def _json_or_text(payload: bytes):
    try:
        return json.loads(payload)
    except ValueError:
        return payload.decode("utf-8", "replace")


def _describe(error: Exception) -> str:
    if isinstance(error, socket.timeout):
        return "no answer in time"
    if isinstance(error, http.client.IncompleteRead):
        return "the stream was cut"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _close_now(connection: socket.socket) -> None:
    """Wake a thread blocked reading this socket: shut it down (closing is left to that thread)."""
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed
