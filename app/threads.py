"""`ThreadedObject`: a QObject that runs its `run()` slot once on a QThread of its own.

Subclasses define `run()` and emit `sig_done` last, whatever happened; the thread quits on it. Their
other signals are queued to the receivers' threads (the GUI thread for widgets).
"""
from PySide6.QtCore import QObject, Qt, QThread, Signal


class ThreadedObject(QObject):
    sig_done = Signal()
    """Always emitted last, whatever happened (the thread quits on it)."""

    _thread: QThread | None = None

    def start(self) -> QThread:
        """Move to a new QThread and run there."""
        thread = QThread()
        self.moveToThread(thread)
        thread.started.connect(self.run)
        self.sig_done.connect(thread.quit, Qt.ConnectionType.DirectConnection)  # quit() is thread-safe
        self._thread = thread
        thread.start()
        return thread

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the thread has finished (shutdown and tests)."""
        return self._thread.wait(timeout_ms) if self._thread is not None else True

    def run(self) -> None:
        raise NotImplementedError
