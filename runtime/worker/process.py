"""The worker process: a loop over the engine, fed by the app through a pipe.

A reader thread receives requests: `cancel` takes effect at once (checked before every token), a
request that arrives while the engine is busy is answered with a `busy` error, the rest is queued for
the main thread. If the app's end of the pipe closes (the app died), the worker exits by itself.
The app's client imports this module to name the spawn target, so torch is imported only inside the
methods that run in the worker (engine, loader, sampling): the app's process never loads it.
"""
import os
import queue
import threading
import traceback

import psutil

from ..errors import ContextOverflowError, OctetError
from . import protocol
from .protocol import ProtocolError, error_event, event

QUEUED_TYPES = ("load", "generate", "unload", "shutdown")


def main(connection) -> None:
    """Entry point of the spawned worker process."""
    Worker(connection).run()


class Worker:
    def __init__(self, connection):
        self.connection = connection
        self.send_lock = threading.Lock()
        self.requests: queue.Queue = queue.Queue()
        self.state_lock = threading.Lock()
        self.generation_id: str | None = None  # the generate request queued or running, if any
        self.cancel_ids: set[str] = set()
        self.engine = None

    def send(self, message: dict) -> None:
        with self.send_lock:
            try:
                self.connection.send(message)
            except (OSError, EOFError):  # the app is gone
                os._exit(0)

    # -- reader thread -------------------------------------------------------------------------
    def read_requests(self) -> None:
        while True:
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                os._exit(0)  # the app died or closed the pipe: nothing left to serve
            except Exception as error:  # an unpicklable message
                self.send(error_event(None, protocol.BAD_REQUEST, f"unreadable request ({error})"))
                continue
            self.accept(message)

    def accept(self, message) -> None:
        request_id = message.get("id") if isinstance(message, dict) else None
        try:
            protocol.validate_request(message)
        except ProtocolError as error:
            self.send(error_event(request_id if isinstance(request_id, str) else None, protocol.BAD_REQUEST, str(error)))
            return
        with self.state_lock:
            if message["type"] == "cancel":
                self.cancel_ids.add(message.get("target") or self.generation_id or "")
                return
            if message["type"] == "generate":
                if self.generation_id:
                    self.send(error_event(request_id, protocol.BUSY, "an answer is already being generated; "
                                                                     "stop it or wait for it to finish", "busy"))
                    return
                self.generation_id = request_id
        self.requests.put(message)

    # -- main thread ---------------------------------------------------------------------------
    def run(self) -> None:
        configure_threads()
        threading.Thread(target=self.read_requests, name="octet-worker-reader", daemon=True).start()
        while True:
            message = self.requests.get()
            if message["type"] == "shutdown":
                return
            try:
                final = self.serve(message)
            except Exception as error:  # the worker survives whatever one request does
                kind, text, code, fields = describe_failure(error, self.engine)
                final = error_event(message["id"], kind, text, code, **fields)
            self.finish(message["id"], final)

    def serve(self, message: dict) -> dict:
        """Serve one request, sending its intermediate events; return its final event."""
        handler = {"load": self.load, "generate": self.generate, "unload": self.unload}[message["type"]]
        return handler(message)

    def finish(self, request_id: str, final: dict) -> None:
        """Mark the request as over, then send its final event: the app may send the next at once."""
        with self.state_lock:
            if self.generation_id == request_id:
                self.generation_id = None
            self.cancel_ids.discard(request_id)
        self.send(final)

    def load(self, message: dict) -> dict:
        from ..engine import DEFAULT_CONTEXT, Engine  # deferred: torch (see the module docstring)
        from ..loader import describe

        request_id = message["id"]
        self.engine = None
        engine = Engine(device=message.get("device") or "cpu")

        last = {"fraction": -1.0, "phrase": ""}

        def progress(fraction: float, phrase: str) -> None:
            """At most one event per percent (the loader reports every tensor: a thousand for Mixtral)."""
            if fraction - last["fraction"] >= 0.01 or phrase != last["phrase"] or fraction >= 1.0:
                last.update(fraction=fraction, phrase=phrase)
                self.send(event("load_progress", request_id, fraction=round(fraction, 3),
                                code=protocol.load_step_code(phrase), phrase=phrase))

        loaded = engine.load(message["path"], context_length=message.get("context_length") or DEFAULT_CONTEXT,
                             progress=progress)
        self.engine = engine
        return (event("loaded", request_id, model=describe(loaded.path, "", loaded.config, loaded.quantization,
                                                       chat_template=loaded.chat_encoder.note),
                      load_seconds=round(engine.load_seconds, 3), context_length=engine.context_length))

    def generate(self, message: dict) -> dict:
        from ..sampling import SamplingParams  # deferred: torch

        request_id = message["id"]
        if self.engine is None:
            return error_event(request_id, protocol.NO_MODEL, "no model is loaded; load one first", "no_model")
        generation = self.engine.chat(
            message["messages"], params=SamplingParams.from_dict(message.get("params")),
            max_tokens=message.get("max_tokens") or 512, cancelled=lambda: request_id in self.cancel_ids)
        for text in generation:
            self.send(event("token", request_id, text=text))
        result = generation.result
        return event("done", request_id, finish_reason=result.finish_reason, stats=result.stats.as_dict(),
                     dropped_messages=result.dropped_messages)

    def unload(self, message: dict) -> dict:
        """Free the model; acknowledged by a `done` event."""
        self.engine = None
        return event("done", message["id"], finish_reason="stop", stats={})


def describe_failure(error: Exception, engine=None) -> tuple[str, str, str | None, dict]:
    """(kind, message, code, fields) of the `error` event for an exception raised while serving a request
    (code None: a free-form message, see the protocol's docstring)."""
    if isinstance(error, ContextOverflowError):
        context = engine.context_length if engine is not None else 0
        if context:
            return protocol.CONTEXT, str(error), "context_overflow", {"context_length": context}
        return protocol.CONTEXT, str(error), None, {}
    if isinstance(error, OctetError):
        return protocol.MODEL_FILE, str(error), None, {}
    if isinstance(error, MemoryError):
        return (protocol.INTERNAL, "the model ran out of memory; close other programs or pick a smaller model",
                "out_of_memory", {})
    detail = traceback.format_exception_only(type(error), error)[-1].strip()
    return protocol.INTERNAL, f"the model failed unexpectedly: {detail}", "unexpected", {"detail": detail}


def configure_threads() -> None:
    """Threads = physical cores, unless OCTET_THREADS says otherwise."""
    import torch  # deferred: see the module docstring

    threads = int(os.environ.get("OCTET_THREADS") or psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    torch.set_num_threads(threads)
