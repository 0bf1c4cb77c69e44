"""The worker process: a loop over the engine, fed by the app through a pipe.

A reader thread receives requests: `cancel` takes effect at once (checked before every token), a
request that arrives while the engine is busy is answered with a `busy` error, the rest is queued for
the main thread. If the app's end of the pipe closes (the app died), the worker exits by itself.
Answers run on the engine's queue, shared with the local API server (`sharing`; `serve` is handled at once).
The app's client imports this module to name the spawn target, so torch is imported only inside the
methods that run in the worker (engine, loader, sampling): the app's process never loads it.
"""
import os
import queue
import threading
import traceback

import psutil

from ..errors import ContextOverflowError, NotEnoughMemoryError, OctetError
from ..paths import chat_state_dir
from . import protocol
from .protocol import ProtocolError, error_event, event
from .sharing import SharedEngine

QUEUED_TYPES = ("load", "generate", "unload", "shutdown", "forget_state", "clear_state")


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
        self.shared = SharedEngine(self.send)

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
        if message["type"] == "serve":
            self.shared.configure(message)
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
                self.close_engine()  # the live chat state goes to disk first
                return
            try:
                final = self.serve(message)
            except Exception as error:  # the worker survives whatever one request does
                kind, text, code, fields = describe_failure(error, self.engine)
                final = error_event(message["id"], kind, text, code, **fields)
            self.finish(message["id"], final)

    def serve(self, message: dict) -> dict:
        """Serve one request, sending its intermediate events; return its final event."""
        handler = {"load": self.load, "generate": self.generate, "unload": self.unload,
                   "forget_state": self.forget_state, "clear_state": self.clear_state}[message["type"]]
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
        from ..quant.kernels import kernel_path

        request_id = message["id"]
        self.close_engine()
        engine = Engine(device=message.get("device") or "cpu", kv_cache=message.get("kv_cache") or "bf16")

        last = {"fraction": -1.0, "phrase": ""}

        def progress(fraction: float, phrase: str) -> None:
            """At most one event per percent (the loader reports every tensor: a thousand for Mixtral)."""
            if fraction - last["fraction"] >= 0.01 or phrase != last["phrase"] or fraction >= 1.0:
                last.update(fraction=fraction, phrase=phrase)
                self.send(event("load_progress", request_id, fraction=round(fraction, 3),
                                code=protocol.load_step_code(phrase), phrase=phrase))

        loaded = engine.load(message["path"], context_length=message.get("context_length") or DEFAULT_CONTEXT,
                             progress=progress)
        engine.keep_chat_states(chat_state_dir(),
                                memory_bytes=megabytes(message, "state_memory_mb", protocol.STATE_MEMORY_MB),
                                disk_bytes=megabytes(message, "state_disk_mb", protocol.STATE_DISK_MB))
        self.engine = engine
        self.shared.use(engine, message["path"])
        return (event("loaded", request_id, model=describe(loaded.path, "", loaded.config, loaded.quantization,
                                                       chat_template=loaded.chat_encoder.note),
                      load_seconds=round(engine.load_seconds, 3), context_length=engine.context_length,
                      kv_cache=engine.kv_cache, kernels=kernel_path() if engine.device == "cpu" else "torch"))

    def generate(self, message: dict) -> dict:
        from ..sampling import SamplingParams  # deferred: torch

        request_id = message["id"]
        if self.engine is None:
            return error_event(request_id, protocol.NO_MODEL, "no model is loaded; load one first", "no_model")

        def work(engine, cancelled):  # on the engine's thread, in its turn: text deltas, then the result
            generation = engine.chat(
                message["messages"], params=SamplingParams.from_dict(message.get("params")),
                max_tokens=message.get("max_tokens") or 512, cancelled=cancelled,
                conversation_id=message.get("conversation_id"))
            yield from generation
            yield generation.result

        result = None
        for item in self.shared.run(request_id, work, cancelled=lambda: request_id in self.cancel_ids):
            if isinstance(item, str):
                self.send(event("token", request_id, text=item))
            else:
                result = item
        if result is None:  # stopped before its turn came
            return event("done", request_id, finish_reason="cancelled", stats={}, dropped_messages=0)
        return event("done", request_id, finish_reason=result.finish_reason, stats=result.stats.as_dict(),
                     dropped_messages=result.dropped_messages, resumed_tokens=result.resumed_tokens)

    def unload(self, message: dict) -> dict:
        """Free the model (its live chat state saved first); acknowledged by a `done` event."""
        self.close_engine()
        return event("done", message["id"], finish_reason="stop", stats={})

    def forget_state(self, message: dict) -> dict:
        """Remove a conversation's saved chat state, in memory and on disk (with or without a model)."""
        from ..chat_state import forget_saved  # deferred: torch
        if self.engine is not None:
            self.engine.forget_conversation(message["conversation"])
        forget_saved(chat_state_dir(), str(message["conversation"]))
        return event("done", message["id"], finish_reason="stop", stats={})

    def clear_state(self, message: dict) -> dict:
        """Remove every saved chat state, in memory and on disk."""
        from ..chat_state import clear_saved  # deferred: torch
        if self.engine is not None:
            self.engine.clear_chat_states()
        clear_saved(chat_state_dir())
        return event("done", message["id"], finish_reason="stop", stats={})

    def close_engine(self) -> None:
        """Let go of the engine, its live chat state written to disk first (a failure to write loses only that)."""
        self.shared.drop()  # first: an API answer in progress stops, API requests answer 503
        engine, self.engine = self.engine, None
        if engine is not None:
            try:
                engine.close_chat_states()
            except Exception:  # a full disk, a folder gone: the model goes all the same
                traceback.print_exc()


def describe_failure(error: Exception, engine=None) -> tuple[str, str, str | None, dict]:
    """(kind, message, code, fields) of the `error` event for an exception raised while serving a request
    (code None: a free-form message, see the protocol's docstring)."""
    if isinstance(error, ContextOverflowError):
        context = engine.context_length if engine is not None else 0
        if context:
            return protocol.CONTEXT, str(error), "context_overflow", {"context_length": context}
        return protocol.CONTEXT, str(error), None, {}
    if isinstance(error, NotEnoughMemoryError):
        return (protocol.MODEL_FILE, str(error), "not_enough_memory",
                {"needed_bytes": error.needed_bytes, "available_bytes": error.available_bytes})
    if isinstance(error, OctetError):
        return protocol.MODEL_FILE, str(error), None, {}
    if isinstance(error, MemoryError):
        return (protocol.INTERNAL, "the model ran out of memory; close other programs or pick a smaller model",
                "out_of_memory", {})
    detail = traceback.format_exception_only(type(error), error)[-1].strip()
    return protocol.INTERNAL, f"the model failed unexpectedly: {detail}", "unexpected", {"detail": detail}


def megabytes(message: dict, name: str, default: int) -> int:
    value = message.get(name)
    return max(0, default if value is None else value) * 1024 * 1024


def configure_threads() -> None:
    """Threads = physical cores, unless OCTET_THREADS says otherwise."""
    import torch  # deferred: see the module docstring

    threads = int(os.environ.get("OCTET_THREADS") or psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    torch.set_num_threads(threads)
