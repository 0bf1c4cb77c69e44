"""`BackgroundTask`: one blocking call (an import check, the starter install) run on its own QThread.

The result or a message for the user comes back as queued signals; `sig_done` always comes last. Connect the
signals to slots of QObjects living on the GUI thread so they run there.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from runtime.errors import OctetError


class BackgroundTask(QObject):
    """Runs `function()` once off the GUI thread (see `start()`)."""

    sig_succeeded = Signal(object)
    """The call returned; the argument is its result."""
    sig_failed = Signal(str)
    """The call raised; the argument is a message for the user."""
    sig_done = Signal()
    """Always emitted last, whatever happened (the thread quits on it)."""

    def __init__(self, function: Callable[[], object]):
        super().__init__()
        self._function = function
        self._thread: QThread | None = None

    def start(self) -> None:
        """Move to a new QThread and run there."""
        thread = QThread()
        self.moveToThread(thread)
        thread.started.connect(self.run)
        self.sig_done.connect(thread.quit, Qt.ConnectionType.DirectConnection)  # quit() is thread-safe
        self._thread = thread
        thread.start()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the thread has finished (shutdown and tests)."""
        return self._thread.wait(timeout_ms) if self._thread is not None else True

    @Slot()
    def run(self) -> None:
        try:
            result = self._function()
            self.sig_succeeded.emit(result)
        except OctetError as error:
            self.sig_failed.emit(str(error))
        except Exception as error:  # a bug or an OS error: still tell the user, never end the thread silently
            self.sig_failed.emit(f"{type(error).__name__}: {error}")
        finally:
            self.sig_done.emit()
