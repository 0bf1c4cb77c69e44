"""A second process for `test_stream_save_timer`: the real chat controller (over a real history file, the real
engine bridge and worker client, only the worker process scripted) streams an answer, then the worker falls
silent: `answer_child.py DB` prints `pending <text>` once text arrived that is not saved yet, and waits in Qt's
event loop until it is killed."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QCoreApplication  # noqa: E402

from app.chat.controller import ChatController, ModelChoice  # noqa: E402
from app.history.store import HistoryStore  # noqa: E402
from runtime.worker import protocol  # noqa: E402
from runtime.worker.client import WorkerClient  # noqa: E402


class Pipe:
    def __init__(self):
        self.sent = []

    def send(self, message: dict) -> None:
        self.sent.append(message)


class SilentWorker(WorkerClient):
    """The real client without its process: requests are kept, `reply` delivers an event as the worker would."""

    def start(self) -> None:
        self.connection = Pipe()

    @property
    def alive(self) -> bool:
        return self.connection is not None

    def shutdown(self, timeout: float = 5.0) -> None:
        self.connection = None

    def last(self, type_: str) -> dict:
        return [m for m in self.connection.sent if m["type"] == type_][-1]

    def reply(self, type_: str, request_id: str, **fields) -> None:
        self._deliver(protocol.event(type_, request_id, **fields))


def main(database: str) -> None:
    app = QCoreApplication([])
    model = Path(database).with_name("tiny.gguf")
    model.write_bytes(b"GGUF" + bytes(1020))
    controller = ChatController(HistoryStore(database))  # the app's own save interval
    worker = SilentWorker(on_event=controller.bridge._post_event)
    controller.bridge.client = worker
    controller.load_model(ModelChoice(model, "tiny"))
    worker.reply("loaded", worker.last("load")["id"], model={"architecture": "llama"}, load_seconds=0.1,
                 context_length=2048)
    controller.send("Tell me a story")
    request_id = worker.last("generate")["id"]
    for number in range(10_000):  # until a piece arrives that the writer keeps for its next save
        worker.reply("token", request_id, text=f"piece {number}. ")
        if controller.writer.pending:
            break
    print("pending", controller.writer.message_id, json.dumps(controller.writer.text), flush=True)
    app.exec()  # the worker is silent now: only a timer can save that last piece


if __name__ == "__main__":
    main(sys.argv[1])
