"""The window's handle on the model: wraps `runtime.worker.client.WorkerClient` in a QObject.

Requests go down as method calls; events come up as Qt signals delivered on the GUI thread: the
client's reader thread puts each event in a queue and emits an argument-less wake-up signal, which Qt
queues to this object's thread, so the event loop is never blocked or polled. The runtime's fixed phrases
(load steps, error and exit messages) leave here in the interface's language (`runtime_messages`). Imports no
torch. `use_server` swaps the worker for a remote OpenAI-compatible server (`runtime.worker.remote`): same
requests, same events, so nothing above the bridge changes. `set_local_server` has the worker serve its loaded
model over the OpenAI-compatible API (Settings › Local server), asked again after each load (a new worker too).
"""
import queue

from PySide6.QtCore import QObject, Signal, Slot

from runtime.paths import chat_state_dir
from runtime.worker import protocol
from runtime.worker.client import WorkerClient
from runtime.worker.remote import RemoteClient

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
    sig_api_server = Signal(str, str)
    """The local API server: "started" (its host:port), "stopped" (""), or "failed" (the reason, translated)."""
    sig_api_request = Signal(bool)
    """An API request started (True) or ended (False) on the engine."""
    sig_waiting = Signal(bool)
    """The app's answer waits for API requests to finish (True), or its turn came (False)."""

    _sig_wake = Signal()  # emitted by the client's reader thread, delivered on the GUI thread

    def __init__(self, parent=None):
        super().__init__(parent)
        self._events: queue.SimpleQueue = queue.SimpleQueue()
        self._sig_wake.connect(self._on_wake)
        self.client = WorkerClient(on_event=self._post_event)
        self.generating: str | None = None
        self.model_info: dict | None = None
        self.local_server: dict | None = None  # the serve request's fields while Settings › Local server is on
        self.api_address = ""  # host:port while the local API server runs
        self.waiting = False

    # -- requests (GUI thread) -------------------------------------------------------------------
    def start(self) -> None:
        if not self.client.alive:
            self.client.start()

    def use_server(self, base_url: str | None, api_key: str = "") -> None:
        """Chat with the server at `base_url` (None: the worker on this computer); the current engine is shut down."""
        self.client.shutdown(timeout=2.0)
        self._api_server_gone()
        self.generating, self.model_info = None, None
        self.client = (RemoteClient(base_url, api_key, on_event=self._post_event) if base_url
                       else WorkerClient(on_event=self._post_event))

    @property
    def remote(self) -> bool:
        """Whether the engine is a remote server (its models are the server's, not files on this computer)."""
        return isinstance(self.client, RemoteClient)

    @property
    def server_url(self) -> str | None:
        return self.client.base_url if self.remote else None

    def set_local_server(self, fields: dict | None) -> None:
        """Serve the loaded model with these `serve` fields (host, port, api_key), or stop (None)."""
        self.local_server = fields
        if self.model_info is not None or (fields is None and self.api_address):
            self._send_serve()

    def _send_serve(self) -> None:
        if self.remote or not self.client.alive:
            return  # a remote engine has no model here to serve; a new worker is asked once its model loads
        fields = {"enabled": True, **self.local_server} if self.local_server else {"enabled": False}
        self.client.send(protocol.request("serve", **fields))

    def _api_server_gone(self) -> None:
        """The worker is shut down: its server with it."""
        if self.api_address:
            self.api_address = ""
            self.sig_api_server.emit("stopped", "")
        self.sig_api_request.emit(False)

    def restart(self) -> None:
        self.client.shutdown()  # waits while the worker writes its live chat state
        self._api_server_gone()
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

    def forget_state(self, conversation_id) -> str | None:
        """Have the worker remove a conversation's saved chat state (memory and disk); None when there is none."""
        if not self._state_to_change():
            return None
        self.start()
        return self.client.forget_state(conversation_id)

    def clear_state(self) -> str | None:
        """Have the worker remove every saved chat state; None when there is none."""
        if not self._state_to_change():
            return None
        self.start()
        return self.client.clear_state()

    def _state_to_change(self) -> bool:
        """A running worker may hold states in memory; else only files on disk need one started."""
        if not isinstance(self.client, WorkerClient):
            return False  # a remote server keeps no chat state of ours
        folder = chat_state_dir()
        return self.client.alive or (folder.is_dir() and any(folder.iterdir()))

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
                               "context_length": message["context_length"], "kernels": protocol.loaded_kernels(message)}
            self.sig_loaded.emit(self.model_info)
            if self.local_server:
                self._send_serve()
        elif kind == "token":
            self.sig_token_received.emit(request_id, message["text"])
        elif kind == "done":
            self._finish(request_id)
            self.sig_generation_finished.emit(request_id, message)
        elif kind in ("api_server", "api_request", "waiting") or message.get("kind") == protocol.LOCAL_SERVER:
            self._on_api_event(kind, request_id, message)
        elif kind == "error" and message.get("kind") == protocol.WORKER_DIED:
            self._finish(request_id)
            self.model_info = None
            self._api_server_gone()
            self.sig_worker_died.emit(runtime_messages.error_text(message), message.get("partial_text", ""))
        elif kind == "error":
            self._finish(request_id)
            self.sig_error.emit(request_id, message.get("kind", ""), runtime_messages.error_text(message))

    def _on_api_event(self, kind: str, request_id: str, message: dict) -> None:
        """The local API server's events (runtime/worker/sharing.py)."""
        if kind == "api_server":
            self.api_address = f"{message['host']}:{message['port']}" if message["state"] == "started" else ""
            self.sig_api_server.emit(message["state"], self.api_address)
        elif kind == "api_request":
            self.sig_api_request.emit(bool(message["active"]))
        elif kind == "waiting" and request_id == self.generating:
            self.waiting = bool(message["waiting"])
            self.sig_waiting.emit(self.waiting)
        elif kind == "error":
            self.api_address = ""
            self.sig_api_server.emit("failed", runtime_messages.error_text(message))

    def _finish(self, request_id: str) -> None:
        if request_id == self.generating and self.waiting:
            self.waiting = False
            self.sig_waiting.emit(False)
        if request_id == self.generating:
            self.generating = None
