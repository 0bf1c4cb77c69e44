"""Saving while an answer streams does not wait for the next token: text that arrived is saved within the
store's interval (a quarter of a second) even when the model then falls silent (a slow token, a loaded
machine), so a kill loses at most that. Checked in the test's process, and with a real SIGKILL of a child
process running the real controller in Qt's event loop."""
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.chat.controller import ChatController
from app.history.store import STREAM_INTERVAL_S, HistoryStore
from tests.app.test_controller import last_generate, model_file, ready  # noqa: F401 (model_file: a fixture)

CHILD = Path(__file__).with_name("answer_child.py")


def saved_content(path: Path, message_id: int) -> str | None:
    raw = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = raw.execute("SELECT content FROM messages WHERE id = ?", (message_id,)).fetchall()
    finally:
        raw.close()
    return rows[0][0] if rows else None


def test_text_that_arrived_is_saved_within_the_interval_without_another_token(qtbot, tmp_path, model_file):  # noqa: F811
    path = tmp_path / "history.sqlite3"
    controller = ChatController(HistoryStore(path))
    worker = ready(controller, model_file)
    controller.send("Tell me a story")
    request_id = last_generate(worker)["id"]
    for number in range(10_000):
        worker.reply("token", request_id, text=f"piece {number}. ")
        if controller.writer.pending:
            break
    text, message_id = controller.writer.text, controller.writer.message_id
    assert saved_content(path, message_id) != text  # kept for the next save: no token will bring it
    qtbot.waitUntil(lambda: saved_content(path, message_id) == text, timeout=10_000)
    assert controller.busy  # saved while the answer goes on
    controller.shutdown()
    controller.store.close()


def test_a_kill_after_the_model_fell_silent_keeps_the_text_that_had_arrived(tmp_path):
    path = tmp_path / "history.sqlite3"
    child = subprocess.Popen([sys.executable, str(CHILD), str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        line = child.stdout.readline()
        assert line.startswith("pending "), line + child.stderr.read()
        _, message_id, text = line.split(" ", 2)
        text, message_id = json.loads(text), int(message_id)
        arrived = time.monotonic()
        deadline = arrived + 30  # a bound for a very busy machine; the save comes after STREAM_INTERVAL_S
        while saved_content(path, message_id) != text and time.monotonic() < deadline:
            time.sleep(0.01)
        waited = time.monotonic() - arrived
    finally:
        child.kill()  # SIGKILL: no clean-up, no final save
        child.communicate()
    assert saved_content(path, message_id) == text, "the text that arrived was never saved"
    assert waited < STREAM_INTERVAL_S + 3
    with HistoryStore(path) as store:  # as Octet's next start sees it
        answer = store.message(message_id)
    assert (answer.content, answer.state) == (text, "stopped")
