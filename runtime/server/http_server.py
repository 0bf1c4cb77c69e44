"""The HTTP side, on the standard library's ThreadingHTTPServer (HTTP/1.1, keep-alive, one thread per
connection, at most MAX_CONNECTIONS): routes, bounded JSON bodies, OpenAI's errors, SSE streaming in
chunked encoding, and a client that hangs up cancels its job (checked before every token).
The model is attached once loaded (`attach`) and may be swapped or detached (`detach`: POSTs answer 503)
while the server runs; `start()` serves from a thread, `stop()` closes the port and every connection.
"""
import json
import queue
import select
import socket
import sys
import time
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import chain
from threading import BoundedSemaphore
from typing import NamedTuple

from .api_requests import parse_chat, parse_completion, read_body
from .api_responses import Formatter, model_list, model_object, sse, usage
from .completions import Finished, Preparer
from .engine_queue import Done, EngineQueue, QueueClosed, QueueFull
from .errors import ApiError
from .security import Guard

MAX_BODY = 4 << 20  # bytes
MAX_CONNECTIONS = 128
POLL_SECONDS = 0.1  # how often a handler waiting for its job looks at its client


def no_model() -> ApiError:
    return ApiError(503, "No model is loaded right now (it was unloaded, or another one is loading); retry once "
                         "one is loaded", type="server_error", code="model_not_loaded")


class Served(NamedTuple):
    """The loaded model a request is answered with (taken once per request: a swap never mixes two)."""
    engine_queue: EngineQueue
    preparer: Preparer
    model_id: str

    @property
    def context_length(self) -> int:
        """The engine's context in tokens (what `/v1/models` says as `max_model_len`)."""
        return self.preparer.engine.context_length


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS  # the listen backlog (socketserver's 5 resets clients under load)

    def __init__(self, address: tuple[str, int], guard: Guard | None = None):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)  # binds and listens: requests wait until serve_forever
        self.created = int(time.time())
        self.slots = BoundedSemaphore(MAX_CONNECTIONS)
        self.guard = guard  # set before serving (its allowlist needs the bound port)
        self.served: Served | None = None  # attached once the model is loaded
        self.stopped = False
        self._connections: set = set()
        self._thread: threading.Thread | None = None

    def attach(self, engine_queue: EngineQueue, preparer: Preparer, model_id: str) -> None:
        self.served = Served(engine_queue, preparer, model_id)

    def detach(self) -> None:
        """No model from now on: requests answer 503 until the next `attach`."""
        self.served = None

    def start(self) -> None:
        """Serve from a daemon thread until `stop`."""
        self._thread = threading.Thread(target=self.serve_forever, args=(POLL_SECONDS,), name="octet-http",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Close the port and every open connection; jobs of requests in progress are cancelled (see client_gone)."""
        self.stopped = True
        if self._thread is not None:
            self.shutdown()
        self.server_close()
        for connection in list(self._connections):
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            self.shutdown_request(request)  # too many connections: this one is closed at once
            return
        self._connections.add(request)
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.discard(request)
            self.slots.release()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Octet"
    timeout = 120  # seconds a read or a write on the socket may take
    server: Server

    # -- routing -------------------------------------------------------------------------------
    def do_GET(self):
        self.respond(self.route_get)

    def do_POST(self):
        self.respond(self.route_post)

    def do_OPTIONS(self):
        """A CORS preflight: answered for a configured origin (Guard refuses the others)."""
        self.respond(lambda: self.send_json(204, None, {"Allow": "GET, POST, OPTIONS"}), preflight=True)

    def route_get(self):
        path = self.path.split("?")[0].rstrip("/")
        served = self.server.served
        if path == "/v1/models":
            if served is None:
                return self.send_json(200, {"object": "list", "data": []})
            return self.send_json(200, model_list(served.model_id, self.server.created, served.context_length))
        if served is not None and path == f"/v1/models/{served.model_id}":
            return self.send_json(200, model_object(served.model_id, self.server.created, served.context_length))
        if path.startswith("/v1/models/"):
            raise ApiError(404, f"The model '{path[len('/v1/models/'):]}' does not exist", param="model",
                           code="model_not_found")
        raise ApiError(404, f"Invalid URL (GET {path})")

    def route_post(self):
        path = self.path.split("?")[0].rstrip("/")
        if path not in ("/v1/chat/completions", "/v1/completions"):
            raise ApiError(404, f"Invalid URL (POST {path})")
        body = read_body(self.read_body())
        request = parse_chat(body) if path == "/v1/chat/completions" else parse_completion(body)
        served = self.server.served
        if served is None:
            raise no_model()
        prepared = served.preparer.prepare(request)
        try:
            job = served.engine_queue.submit(prepared.work, gone=self.client_gone)
        except QueueClosed:
            raise no_model() from None
        except QueueFull as full:
            raise ApiError(429, f"The server is busy: {served.engine_queue.waiting} requests are waiting "
                                f"for the model. Retry in {full.retry_after} s.", type="requests",
                           code="rate_limit_exceeded", headers={"Retry-After": str(full.retry_after)}) from None
        formatter = Formatter(request.chat, served.model_id, include_usage=request.include_usage)
        try:
            (self.stream if request.stream else self.answer_whole)(job, formatter)
        finally:
            job.cancel()  # nothing once the job is over; stops it if this thread left early

    def respond(self, route, *, preflight: bool = False) -> None:
        """Run `route` after the Guard's checks; any ApiError becomes OpenAI's error body."""
        self.started, self.status, self.note, self.streaming, self.body_read = time.monotonic(), "-", "", False, False
        try:
            if self.server.stopped:
                self.close_connection = True
                raise ApiError(503, "the server is stopping", type="server_error")
            self.server.guard.check(self.headers, preflight=preflight)
            route()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except ApiError as error:
            self.reply_error(error)
        except Exception as error:  # the server survives whatever one request does
            traceback.print_exc(file=sys.stderr)
            self.reply_error(ApiError(500, f"the server failed: {type(error).__name__}: {error}", type="server_error"))
        self.log_message('"%s" %s%s %.2fs', self.requestline, self.status, self.note, time.monotonic() - self.started)

    def reply_error(self, error: ApiError) -> None:
        if self.command == "POST" and not self.body_read:
            self.close_connection = True  # its unread body would be taken for the next request
        try:
            if self.streaming:  # the 200 has gone: the error goes as an event, and the stream ends
                self.send_chunk(sse(error.body()))
                self.send_chunk(b"")
                self.close_connection = True
            else:
                self.send_json(error.status, error.body(), error.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- reading -------------------------------------------------------------------------------
    def read_body(self) -> bytes:
        """The request's body, at most MAX_BODY bytes of JSON (on any error it is left unread: see reply_error)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise ApiError(411, "send the body with a Content-Length, not in chunks")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind != "application/json":
            raise ApiError(415, "the body must be JSON, sent with 'Content-Type: application/json'")
        try:
            length = int(self.headers.get("Content-Length") or "")
        except ValueError:
            raise ApiError(411, "a Content-Length header is required") from None
        if length > MAX_BODY or length < 0:
            raise ApiError(413, f"the body is {length:,} bytes; at most {MAX_BODY:,} are accepted",
                           code="request_too_large")
        body = self.rfile.read(length)
        self.body_read = True
        return body

    def client_gone(self) -> bool:
        """True once the client has closed its end (readable, and nothing to read), or the server stopped."""
        if self.server.stopped:
            return True
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except (OSError, ValueError):
            return True

    def job_events(self, job):
        """The job's events until Done (its error raised); ends at once if the client left before it started."""
        while True:
            try:
                event = job.events.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if job.cancelled() and not job.started:
                    return
                continue
            if isinstance(event, Done):
                if isinstance(event.error, QueueClosed):
                    raise no_model()
                if event.error is not None:
                    raise event.error
                return
            yield event

    # -- answering -----------------------------------------------------------------------------
    def answer_whole(self, job, formatter: Formatter) -> None:
        parts, finished = [], None
        for event in self.job_events(job):
            if isinstance(event, Finished):
                finished = event
            else:
                parts.append(event)
        if finished is None or finished.finish_reason == "cancelled":
            self.gone(finished)
            return
        self.noted(finished)
        self.send_json(200, formatter.whole("".join(parts), finished.finish_reason,
                                            usage(finished.prompt_tokens, finished.completion_tokens)))

    def stream(self, job, formatter: Formatter) -> None:
        events = self.job_events(job)
        first = next(events, None)  # headers wait for the engine: an error before it is a plain HTTP error
        if first is None:
            return self.gone(None)
        finished = None
        try:
            self.start_stream()
            if formatter.chat:
                self.send_chunk(sse(formatter.chunk(first=True)))
            for event in chain([first], events):
                if isinstance(event, Finished):
                    finished = event
                    break
                self.send_chunk(sse(formatter.chunk(event)))
            if finished is None or finished.finish_reason == "cancelled":
                for _ in events:  # the rest: a model unloaded under it raises its 503 here
                    pass
                return self.gone(finished)
            self.noted(finished)
            self.send_chunk(sse(formatter.chunk(finish_reason=finished.finish_reason)))
            if formatter.include_usage:
                self.send_chunk(sse(formatter.usage_chunk(usage(finished.prompt_tokens, finished.completion_tokens))))
            self.send_chunk(sse("[DONE]"))
            self.send_chunk(b"")
        except (BrokenPipeError, ConnectionResetError):  # the client left while we wrote to it
            job.cancel()
            if finished is None:
                finished = next((event for event in events if isinstance(event, Finished)), None)
            self.gone(finished)

    def gone(self, finished: Finished | None) -> None:
        """The client left: nothing to send, the connection is closed."""
        self.close_connection = True
        self.status = "gone"
        if finished is not None:
            self.noted(finished)

    def noted(self, finished: Finished) -> None:
        self.note = (f" prompt={finished.prompt_tokens} completion={finished.completion_tokens} "
                     f"finish={finished.finish_reason}")

    # -- writing -------------------------------------------------------------------------------
    def send_json(self, status: int, payload, headers: dict | None = None) -> None:
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        for name, value in {**(headers or {}), **self.server.guard.cors_headers(self.headers)}.items():
            self.send_header(name, value)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self) -> None:
        self.send_response(200)
        for name, value in self.server.guard.cors_headers(self.headers).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.streaming = True

    def send_chunk(self, data: bytes) -> None:
        """One piece of a chunked body (b"": the last); a client that left raises BrokenPipe or ConnectionReset."""
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def send_response(self, code, message=None):
        self.status = code
        super().send_response(code, message)

    def version_string(self) -> str:
        return self.server_version  # no Python version for the world to read

    def log_request(self, code="-", size="-"):
        """Each request is logged once, when it is over (see `respond`)."""
