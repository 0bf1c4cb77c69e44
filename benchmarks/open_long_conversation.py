"""How long the window's event loop stalls while it opens stored conversations that are long in different
ways: a 1 MB message, a message of 100,000 lines, a 250,000-character line without a space (each as the
question and as its answer), and 1,000 short messages (for those, also building the 30 before them when the
user scrolls to the top). A 10 ms
timer ticks throughout; the longest gap between two ticks is the longest stall. Printed in milliseconds (worst
of several runs), with the time the opening call took. First, a short conversation with a code block is opened
once: the first rendering in a process loads the Markdown parser's and the highlighter's modules, a one-time
cost printed on its own.

The test suite checks the behaviour (a long message shows a preview and "Show all", opening is lazy); the
times depend on the machine, so they live here.

    QT_QPA_PLATFORM=offscreen python benchmarks/open_long_conversation.py [--runs 5] [--case NAME ...]

Uses a throw-away data folder; never touches yours.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SETTLE_MS = 300  # after opening, keep measuring this long: work left for later turns counts too
CASES = ("1 MB message", "100,000 lines", "250,000-char line", "1,000 messages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--case", action="append", choices=CASES, help="only these cases (default: all)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs needs at least 1")
    with tempfile.TemporaryDirectory(prefix="octet-bench-") as folder:
        os.environ["OCTET_DATA_DIR"] = folder
        measure(args.case or CASES, args.runs)


def contents(case: str) -> list[str]:
    """The messages of a case, alternately the user's and the model's."""
    if case == "1 MB message":
        paragraph = ("Some **bold** words, a `code span` and a [link](https://example.org) in a sentence that goes "
                     "on for a while so that the paragraph wraps over several lines of the window.\n\n")
        return [paragraph * (1_000_000 // len(paragraph))] * 2
    if case == "100,000 lines":
        return ["\n".join(f"line {i}" for i in range(100_000))] * 2
    if case == "250,000-char line":
        return ["QmFzZTY0" * (250_000 // 8)] * 2
    messages = []
    for i in range(500):
        messages += [f"Question {i} with `code` and **bold**", f"Answer {i}:\n\n```python\nprint({i})\n```"]
    return messages


def measure(cases, runs: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from app.chat import actions
    from app.chat.controller import ChatController
    from app.history.store import HistoryStore
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(ChatController(HistoryStore()))
    window.resize(1100, 800)
    window.show()
    store = window.controller.store
    ticker, clock, largest = QTimer(interval=10), QElapsedTimer(), [0]

    def tick():
        largest[0] = max(largest[0], clock.restart())

    ticker.timeout.connect(tick)

    def stall(work) -> tuple[int, float]:
        """The longest gap between ticks while `work()` runs and for SETTLE_MS after; and the time taken."""
        app.processEvents()
        largest[0] = 0
        clock.start()
        ticker.start()
        started = time.perf_counter()
        work()
        done = (time.perf_counter() - started) * 1000
        until = time.perf_counter() + SETTLE_MS / 1000
        while time.perf_counter() < until:
            app.processEvents()
            time.sleep(0.001)
        ticker.stop()
        tick()
        return largest[0], done

    warm_up = store.create_conversation(title="Warm-up")
    store.add_message(warm_up.id, role="user", content="Some **Markdown** and `code`")
    store.add_message(warm_up.id, role="assistant", content="```python\nprint('hello')\n```")
    report("first conversation with code (one-time loading)",
           [stall(lambda: actions.open_conversation(window=window, conversation_id=warm_up.id))])
    for case in cases:
        conversation = store.create_conversation(title=case)
        for index, content in enumerate(contents(case)):
            store.add_message(conversation.id, role="user" if index % 2 == 0 else "assistant", content=content)
        opening, earlier = [], []
        for _ in range(runs):
            actions.open_conversation(window=window, conversation_id=None)
            opening.append(stall(lambda: actions.open_conversation(window=window, conversation_id=conversation.id)))
            if case == "1,000 messages":
                earlier.append(stall(lambda: window.chat.build_earlier(30)))
        report(case, opening)
        if earlier:
            report("  the 30 before them", earlier)
    window.close()


def report(what: str, figures: list[tuple[int, float]]) -> None:
    stalls, times = [s for s, _ in figures], [t for _, t in figures]
    print(f"{what}: longest stall {max(stalls)} ms (median of runs {statistics.median(stalls):.0f} ms), "
          f"opening call {max(times):.0f} ms ({len(figures)} runs)", flush=True)


if __name__ == "__main__":
    main()
