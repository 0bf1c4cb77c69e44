"""The app's handle on the worker process (plain Python, no torch, no Qt).

`WorkerClient.start()` spawns the worker (multiprocessing's spawn context, so it also works frozen)
and a reader thread that hands every event to `on_event` (a queue by default). When the worker dies
the client notices at once (the process sentinel), keeps the partial answer of the request that was
running, and reports a `worker_died` error event with what happened; `start()` makes a new worker.
"""
import multiprocessing
import queue
import signal
import threading
from multiprocessing.connection import wait
from typing import Callable

from . import protocol
from .process import main as worker_main
from .protocol import error_event

EventHandler = Callable[[dict], None]
SHUTDOWN_WAIT_S = 30.0  # a worker writes its live chat state before it exits: ~1 GB for Mixtral at 8K tokens


class WorkerClient:
    def __init__(self, on_event: EventHandler | None = None):
        self.events: queue.Queue = queue.Queue()
        self.on_event = on_event or self.events.put
        self.process = None
        self.connection = None
        self.running_request: str | None = None
        self.partial_text: dict[str, str] = {}
        self._lock = threading.Lock()

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(target=worker_main, args=(child_end,), name="octet-worker", daemon=True)
        process.start()
        child_end.close()  # only the worker holds it now: our end sees EOF when the worker dies
        self.process, self.connection = process, parent_end
        threading.Thread(target=self._read_events, args=(process, parent_end), daemon=True,
                         name="octet-client-reader").start()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def shutdown(self, timeout: float = SHUTDOWN_WAIT_S) -> None:
        """Stop the answer being written, ask the worker to finish (it writes the live chat state first), wait,
        then make sure it is gone."""
        process = self.process
        if process is None:
            return
        try:
            if self.running_request:
                self.connection.send(protocol.request("cancel", target=self.running_request))
            self.connection.send(protocol.request("shutdown"))
        except (OSError, EOFError, BrokenPipeError):
            pass
        process.join(timeout)
        if process.is_alive():
            process.kill()
            process.join(timeout)
        self.process = None

    # -- requests --------------------------------------------------------------------------------
    def send(self, message: dict) -> str:
        """Send a request (see protocol.request); returns its id."""
        if message["type"] == "generate":
            with self._lock:
                self.running_request = message["id"]
                self.partial_text[message["id"]] = ""
        try:
            self.connection.send(message)
        except (OSError, EOFError, BrokenPipeError, AttributeError):
            self.on_event(error_event(message["id"], protocol.WORKER_DIED, "the model process is not running",
                                      "not_running"))
        return message["id"]

    def load(self, path: str, **fields) -> str:
        return self.send(protocol.request("load", path=str(path), **fields))

    def generate(self, messages: list[dict], **fields) -> str:
        return self.send(protocol.request("generate", messages=messages, **fields))

    def cancel(self, target: str | None = None) -> str:
        return self.send(protocol.request("cancel", target=target))

    def unload(self) -> str:
        return self.send(protocol.request("unload"))

    def forget_state(self, conversation_id: str | int) -> str:
        """Remove a conversation's saved chat state (it was deleted); answered by `done`."""
        return self.send(protocol.request("forget_state", conversation=conversation_id))

    def clear_state(self) -> str:
        """Remove every saved chat state; answered by `done`."""
        return self.send(protocol.request("clear_state"))

    def next_event(self, timeout: float | None = None) -> dict:
        """The next event from the default queue (raises queue.Empty on timeout)."""
        return self.events.get(timeout=timeout)

    # -- reader thread ---------------------------------------------------------------------------
    def _read_events(self, process, connection) -> None:
        while True:
            ready = wait([connection, process.sentinel])
            if connection in ready:
                try:
                    self._deliver(connection.recv())
                    continue
                except (EOFError, OSError):
                    pass
            process.join(1.0)
            if process is self.process or self.process is None:
                self._report_death(process.exitcode)
            return

    def _deliver(self, message: dict) -> None:
        request_id = message.get("id")
        with self._lock:
            if message["type"] == "token" and request_id in self.partial_text:
                self.partial_text[request_id] += message["text"]
            if message["type"] in ("done", "error") and request_id == self.running_request:
                self.running_request = None
        self.on_event(message)

    def _report_death(self, exitcode: int | None) -> None:
        with self._lock:
            request_id, self.running_request = self.running_request, None
        if exitcode == 0 and request_id is None:
            return  # a clean shutdown
        code, fields = exit_code_of(exitcode)
        self.on_event({**error_event(request_id, protocol.WORKER_DIED, describe_exit(exitcode), code, **fields),
                       "exitcode": exitcode,
                       "partial_text": self.partial_text.get(request_id, "") if request_id else ""})


def exit_code_of(exitcode: int | None) -> tuple[str, dict]:
    """The protocol code of the worker's exit and its fields: killed or signal (with its name), or exited."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.Signals._value2member_map_ else str(-exitcode)
        return ("killed" if -exitcode == signal.SIGKILL else "signal"), {"signal": name}
    return "exited", {"exitcode": exitcode}


def describe_exit(exitcode: int | None) -> str:
    code, fields = exit_code_of(exitcode)
    if code == "killed":
        return (f"the model process was killed ({fields['signal']}); this usually means the computer ran out "
                "of memory — try a smaller model or close other programs")
    if code == "signal":
        return f"the model process was stopped by signal {fields['signal']}"
    return f"the model process exited unexpectedly (exit code {exitcode})"
