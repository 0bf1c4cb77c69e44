"""The worker's one engine, shared by the app's chats and the local API server (Settings › Local server).

Every answer, the app's and the API's, runs on one EngineQueue thread (runtime.server.engine_queue) in the
order asked: the app's waits its turn, announced by `waiting` events, and is never refused for a full queue;
each API request's start and end is told to the app (`api_request` events). `configure` starts, moves or
stops the HTTP server (runtime.server.in_worker) and answers with an `api_server` event, or an `error` with
a code. Loading another model keeps the server up on it; with none loaded, API requests answer 503.
Torch-free at import time: the server is imported inside `configure`, in the worker's process only.
"""
import queue
import threading
import traceback
from pathlib import Path
from typing import Callable, Iterator

from ..server.engine_queue import Done, EngineQueue, Job
from . import protocol
from .protocol import error_event, event

MAX_QUEUE = 16  # API requests that may wait for the engine; past that they answer 429
POLL_SECONDS = 0.1  # how often an app's answer waiting for its turn looks whether it was stopped
APP = "app"  # the label of the app's own jobs


class SharedEngine:
    def __init__(self, send: Callable[[dict], None]):
        self.send = send
        self.lock = threading.Lock()
        self.queue: EngineQueue | None = None
        self.model_id = ""
        self.server = None  # a runtime.server.in_worker.LocalServer while serving
        self.max_queue = MAX_QUEUE

    # -- the model (worker's main thread) ------------------------------------------------------------
    def use(self, engine, model_path) -> None:
        """A model was loaded: answer the app and the API with it."""
        engine_queue = EngineQueue(engine, max_waiting=self.max_queue)
        engine_queue.on_job = self._job_changed
        with self.lock:
            self.queue, self.model_id = engine_queue, Path(model_path).stem
            if self.server is not None:
                self.server.use(engine_queue, self.model_id)

    def drop(self) -> None:
        """The model goes: API requests answer 503 (the one in progress is stopped within a token)."""
        with self.lock:
            engine_queue, self.queue = self.queue, None
            if self.server is not None:
                self.server.drop()
        if engine_queue is not None:
            engine_queue.close()

    def run(self, request_id: str, work, cancelled: Callable[[], bool]) -> Iterator:
        """The app's `work(engine, cancelled)`, in its turn: yields what it yields, raises what it raised;
        nothing at all when it is stopped while it waits (it is then over at once, and never runs)."""
        engine_queue = self.queue
        ahead = engine_queue.ahead
        if ahead:
            self.send(event("waiting", request_id, waiting=True, ahead=ahead))

        def in_turn(engine, job_cancelled):
            if ahead:
                self.send(event("waiting", request_id, waiting=False, ahead=0))
            yield from work(engine, job_cancelled)

        job = engine_queue.submit(in_turn, gone=cancelled, label=APP, bounded=False)
        while True:
            try:
                item = job.events.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if not job.started and job.cancelled():  # stopped in the queue: cancelled for good, skipped
                    return
                continue
            if isinstance(item, Done):
                if item.error is not None:
                    raise item.error
                return
            yield item

    def _job_changed(self, job: Job, running: bool) -> None:
        """The engine's thread: an API request started or ended."""
        if job.label != APP:
            self.send(event("api_request", None, active=running))

    # -- the server (worker's reader thread) ---------------------------------------------------------
    def configure(self, message: dict) -> None:
        """Start, move or stop the server as a `serve` request asks; answered by an event."""
        request_id = message["id"]
        try:
            with self.lock:
                self._configure(message)
        except Exception as error:  # the reader thread must survive: the app hears what went wrong
            traceback.print_exc()
            detail = traceback.format_exception_only(type(error), error)[-1].strip()
            self.send(error_event(request_id, protocol.LOCAL_SERVER, f"the API server failed: {detail}",
                                  "local_server_failed", detail=detail))

    def _configure(self, message: dict) -> None:
        from ..server.in_worker import LocalServer, ServerRefused  # deferred: torch, through the engine side

        request_id, key, enabled = message["id"], message.get("api_key") or None, message.get("enabled", True)
        host, port = message.get("host", "127.0.0.1"), message.get("port", 8080)
        if message.get("max_queue"):
            self.max_queue = message["max_queue"]
            if self.queue is not None:
                self.queue.max_waiting = self.max_queue
        if self.server is not None and not (enabled and self.server.matches(host, port, key)):
            self.server.stop()
            self.server = None
        if not enabled:
            self.send(event("api_server", request_id, state="stopped"))
            return
        if self.server is None:
            try:
                self.server = LocalServer(host, port, key)
            except ServerRefused as refused:
                self.send(error_event(request_id, protocol.LOCAL_SERVER, str(refused), refused.code, **refused.fields))
                return
            if self.queue is not None:
                self.server.use(self.queue, self.model_id)
        self.send(event("api_server", request_id, state="started", host=host, port=self.server.port))
