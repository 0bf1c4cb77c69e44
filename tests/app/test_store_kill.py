"""kill -9 while an answer streams into a real database file, 200 times: nothing committed is lost,
the file stays intact, and the interrupted answer comes back as stopped."""
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.history.store import HistoryStore

sys.path.insert(0, str(Path(__file__).parent))
from store_child import expected_text  # noqa: E402

CHILD = Path(__file__).with_name("store_child.py")
KILLS = 200


def run_and_kill(path: Path, seed: int, delay_s: float) -> list[str]:
    child = subprocess.Popen([sys.executable, str(CHILD), "stream", str(path), str(seed)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = child.stdout.readline()
    assert first.startswith("ready"), first + child.stderr.read()
    time.sleep(delay_s)
    child.kill()  # SIGKILL
    rest = child.stdout.read()
    child.wait()
    child.stdout.close()
    child.stderr.close()
    return rest.splitlines()


def record(lines: list[str], seed: int, committed: dict, saved: dict, streaming: set) -> None:
    """Fold a child's report into what must now be in the database."""
    for line in lines:
        kind, message_id, *rest = line.split()
        message_id = int(message_id)
        if kind == "committed":
            committed[message_id] = expected_text(seed, int(rest[0]), rest[1])
            streaming.discard(message_id)
            saved.pop(message_id, None)
        elif kind == "streaming":
            streaming.add(message_id)
            saved[message_id] = (expected_text(seed, int(rest[0]), "assistant"), 0)
        elif kind == "saved":
            saved[message_id] = (saved[message_id][0], int(rest[0]))


def check(path: Path, committed: dict, saved: dict, streaming: set) -> None:
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    HistoryStore(path).close()  # opening recovers interrupted answers
    rows = {row[0]: row[1:] for row in raw.execute("SELECT id, content, state FROM messages")}
    raw.close()
    for message_id, text in committed.items():
        assert rows[message_id] == (text, "complete")
    for message_id in streaming:
        full, length = saved[message_id]
        content, state = rows[message_id]
        assert len(content) >= length and full.startswith(content)
        # killed mid-stream: stopped; killed between the final commit and its report: complete
        assert state == "stopped" or (state == "complete" and content == full)
    assert "streaming" not in {state for _, state in rows.values()}


def test_kill_minus_nine_while_streaming_loses_nothing_committed(tmp_path):
    path = tmp_path / "history.sqlite3"
    rng = random.Random(7)
    committed, saved, streaming = {}, {}, set()
    stopped_seen = 0
    for seed in range(KILLS):
        lines = run_and_kill(path, seed, rng.uniform(0.0, 0.02))
        record(lines, seed, committed, saved, streaming)
        check(path, committed, saved, streaming)
        stopped_seen += len(streaming)
        streaming.clear()
    assert len(committed) > KILLS / 2  # the children did get work done before dying
    assert stopped_seen > KILLS / 2  # and most kills hit an answer mid-stream
