"""The window's handle on the model: wraps `runtime.worker.client.WorkerClient` in a QObject.

Requests go down as method calls; events come up as Qt signals delivered on the GUI thread: the
client's reader thread puts each event in a queue and emits an argument-less wake-up signal, which Qt
queues to this object's thread, so the event loop is never blocked or polled. The runtime's fixed phrases
(load steps, error and exit messages) leave here in the interface's language (`runtime_messages`). Imports no
torch.
"""
import queue

from PySide6.QtCore import QObject, Signal, Slot

from runtime.worker import protocol
from runtime.worker.client import WorkerClient

from . import runtime_messages


class EngineBridge(QObject):
    sig_load_progress = Signal(float, str)
    """Loading advanced: fraction 0..1 and a phrase for the user (translated)."""
    sig_loaded = Signal(object)
    """A model is ready: its description (architecture, quantization, ...), load seconds, context."""
    sig_token_received = Signal(str, str)
    """A text delta (request id, text) of the answer being generated."""
    sig_generation_finished = Signal(str, object)
    """An answer ended (request id, {finish_reason, stats, dropped_messages})."""
    sig_error = Signal(str, str, str)
    """A request failed (request id or "", kind, message for the user: translated when the runtime's is fixed)."""
    sig_worker_died = Signal(str, str)
    """The model process died (message for the user, translated; partial text of the answer in progress)."""

    _sig_wake = Signal()  # emitted by the client's reader thread, delivered on the GUI thread

    def __init__(self, parent=None):
        super().__init__(parent)
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._sig_wake.connect(self._on_wake)
        self.client = WorkerClient(on_event=self._post_event)
        self.generating: str | None = None
        self.model_info: dict | None = None

    # -- requests (GUI thread) -------------------------------------------------------------------
    def start(self) -> None:
        if not self.client.alive:
            self.client.start()

    def restart(self) -> None:
        self.client.shutdown(timeout=2.0)
        self.generating, self.model_info = None, None
        self.client.start()

    def load(self, path, **fields) -> str:
        self.start()
        return self.client.load(str(path), **fields)

    def generate(self, messages: list[dict], **fields) -> str:
        self.start()
        self.generating = self.client.generate(messages, **fields)
        return self.generating

    def cancel(self) -> None:
        if self.generating:
            self.client.cancel(self.generating)

    def shutdown(self) -> None:
        self.client.shutdown()

    @property
    def alive(self) -> bool:
        return self.client.alive

    # -- events --------------------------------------------------------------------------------
    def _post_event(self, message: dict) -> None:
        """Client reader thread: hand the event over to the GUI thread."""
        self._events.put(message)
        self._sig_wake.emit()

    @Slot()
    def _on_wake(self) -> None:
        while True:
            try:
                message = self._events.get_nowait()
            except queue.Empty:
                return
            self._on_event(message)

    def _on_event(self, message: dict) -> None:
        kind, request_id = message["type"], message.get("id") or ""
        if kind == "load_progress":
            self.sig_load_progress.emit(message["fraction"], runtime_messages.load_step(message))
        elif kind == "loaded":
            self.model_info = {**message["model"], "load_seconds": message["load_seconds"],
                               "context_length": message["context_length"]}
            self.sig_loaded.emit(self.model_info)
        elif kind == "token":
            self.sig_token_received.emit(request_id, message["text"])
        elif kind == "done":
            self._finish(request_id)
            self.sig_generation_finished.emit(request_id, message)
        elif kind == "error" and message.get("kind") == protocol.WORKER_DIED:
            self._finish(request_id)
            self.model_info = None
            self.sig_worker_died.emit(runtime_messages.error_text(message), message.get("partial_text", ""))
        elif kind == "error":
            self._finish(request_id)
            self.sig_error.emit(request_id, message.get("kind", ""), runtime_messages.error_text(message))

    def _finish(self, request_id: str) -> None:
        if request_id == self.generating:
            self.generating = None
