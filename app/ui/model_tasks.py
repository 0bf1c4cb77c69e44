"""`BackgroundTask`: one blocking call (an import check, the starter install) run on its own QThread.

The result or a message for the user comes back as queued signals; `sig_done` always comes last. Connect the
signals to slots of QObjects living on the GUI thread so they run there.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot

from app.threads import ThreadedObject
from runtime.errors import OctetError


class BackgroundTask(ThreadedObject):
    """Runs `function()` once off the GUI thread (see `start()`)."""

    sig_succeeded = Signal(object)
    """The call returned; the argument is its result."""
    sig_failed = Signal(str)
    """The call raised; the argument is a message for the user."""
    def __init__(self, function: Callable[[], object]):
        super().__init__()
        self._function = function

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
