"""A second process on a history database, for the tests: `hold DB` opens it and waits for stdin to
close; `half DB` leaves an answer half streamed and waits; `stream DB SEED` writes conversations and
streaming answers as fast as it can, reporting each commit on stdout, until it is killed.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.history.store import HistoryStore  # noqa: E402

PIECE = 7


def expected_text(seed: int, turn: int, role: str) -> str:
    """The text the child writes for a turn, with accents, emoji, right-to-left script and a NUL."""
    line = f"{role} {seed}/{turn}: Grüße, ça va? ¿Qué tal? Perché no 😀 שלום \0 "
    return line * (3 + turn % 5)


def stream(path: str, seed: int) -> None:
    store = HistoryStore(path, stream_interval_s=0.0)
    conversation = store.create_conversation(title=f"run {seed}")
    report(f"ready {conversation.id}")
    for turn in range(10_000):
        user = store.add_message(conversation.id, role="user", content=expected_text(seed, turn, "user"))
        report(f"committed {user.id} {turn} user")
        writer = store.start_answer(conversation.id, model="child")
        report(f"streaming {writer.message_id} {turn}")
        answer = expected_text(seed, turn, "assistant")
        for start in range(0, len(answer), PIECE):
            writer.append(answer[start:start + PIECE])
            report(f"saved {writer.message_id} {start + len(answer[start:start + PIECE])}")
        writer.finish(stats={"turn": turn})
        report(f"committed {writer.message_id} {turn} assistant")


def half(path: str) -> None:
    store = HistoryStore(path)
    conversation = store.create_conversation()
    store.add_message(conversation.id, role="user", content="Tell me")
    writer = store.start_answer(conversation.id)
    writer.append("half an ans")
    writer.flush()
    report(f"ready {writer.message_id}")
    sys.stdin.read()


def hold(path: str) -> None:
    with HistoryStore(path):
        report("ready")
        sys.stdin.read()


def report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "stream":
        stream(sys.argv[2], int(sys.argv[3]))
    else:
        {"half": half, "hold": hold}[sys.argv[1]](sys.argv[2])
