"""Shared pieces of the window tests: a window over a fresh data folder, and the event-loop gap meter."""
from PySide6.QtCore import QElapsedTimer, QTimer

from app.chat.controller import ChatController, ModelChoice
from app.history.store import HistoryStore
from app.ui.main_window import MainWindow


class TickGaps:
    """Largest gap between ticks of a 10 ms timer: how long the event loop was blocked."""

    def __init__(self):
        self.timer, self.clock, self.largest_ms = QTimer(), QElapsedTimer(), 0
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self):
        self.largest_ms = 0
        self.clock.start()
        self.timer.start()

    def stop(self) -> int:
        self.timer.stop()
        return self.largest_ms

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
