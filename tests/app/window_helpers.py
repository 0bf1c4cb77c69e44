"""Shared pieces of the window tests: a window over a fresh data folder, the event-loop gap meter, and `settle`,
which lets Qt finish what is pending without a clock."""
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QTimer

from app.chat.controller import ChatController, ModelChoice
from app.history.store import HistoryStore
from app.ui.main_window import MainWindow


PATIENCE_MS = 60_000  # how long a waitUntil may wait: a guard against a hang, never a bound on the machine's speed


class TickGaps:
    """Largest gap between ticks of a 10 ms timer: how long the event loop was blocked, and how long the
    measured phase lasted. `kept_running()` compares the two, so a slow or busy machine (where both grow) does
    not fail it, while an event loop blocked for the whole phase (a synchronous wait on the worker) does."""

    def __init__(self):
        self.timer, self.clock, self.phase, self.largest_ms, self.phase_ms = QTimer(), QElapsedTimer(), \
            QElapsedTimer(), 0, 0
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self):
        self.largest_ms = 0
        self.clock.start()
        self.phase.start()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        self._tick()
        self.phase_ms = self.phase.elapsed()
        return self.largest_ms

    def kept_running(self) -> bool:
        """No gap longer than half the phase (nor than a quarter second, for very short phases)."""
        return self.largest_ms < max(self.phase_ms / 2, 250)

    def _tick(self):
        self.largest_ms = max(self.largest_ms, self.clock.restart())


def make_window(qtbot) -> MainWindow:
    window = MainWindow(ChatController(HistoryStore()))
    qtbot.addWidget(window)
    window.resize(1100, 800)
    window.show()
    return window


def load_starter(qtbot, window, starter_path, *, timeout=180_000) -> None:
    with qtbot.waitSignal(window.controller.bridge.sig_loaded, timeout=timeout):
        window.controller.load_model(ModelChoice(starter_path, "SmolLM2-135M-Instruct"))


def settle(condition, *, turns: int = 100) -> bool:
    """Let Qt handle what is pending (layouts, zero-delay timers, range changes) one event-loop turn at a time
    until `condition()` holds; False if it still does not after `turns` turns. Bounded by turns, not by time:
    a slow or busy machine only takes longer, it never fails for it."""
    for _ in range(turns):
        if condition():
            return True
        QCoreApplication.processEvents()
    return bool(condition())
