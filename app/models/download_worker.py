"""Thin Qt adapter over `app.models.downloads`: a QObject that runs one `ModelDownload` on a QThread and reports
through queued signals. The model manager window calls `start()`, `pause()` and `cancel()`; the logic stays
in the plain-Python core.
"""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot

from app.threads import ThreadedObject
from runtime.errors import OctetError

from .downloads import DownloadProgress, DownloadStopped, ModelDownload, discard_partial


class DownloadWorker(ThreadedObject):
    """Runs one download; lives on its own QThread (see `start()`)."""

    sig_progress = Signal("qint64", "qint64", float, float)
    """Bytes done, bytes in all, bytes per second, seconds left (-1 while unknown)."""
    sig_finished = Signal(str)
    """The model is installed and verified; the argument is its path."""
    sig_failed = Signal(str)
    """The download failed; the argument is a message for the user."""
    sig_paused = Signal()
    """Stopped on request; the partial file is kept and the next start resumes it."""
    sig_cancelled = Signal()
    """Stopped on request and the partial file deleted."""
    def __init__(self, job: ModelDownload):
        super().__init__()
        self.job = job
        self._discard = False

    def pause(self) -> None:
        """Stop soon, keeping what was fetched (safe from any thread)."""
        self.job.stop()

    def cancel(self) -> None:
        """Stop soon and delete the partial download (safe from any thread)."""
        self._discard = True
        self.job.stop()

    @Slot()
    def run(self) -> None:
        try:
            model = self.job.run(on_progress=self._on_progress)
            self.sig_finished.emit(model.path)
        except DownloadStopped:
            self._on_stopped()
        except OctetError as error:
            self.sig_failed.emit(str(error))
        except Exception as error:  # a bug, or an OS error: still tell the user, never kill the thread silently
            self.sig_failed.emit(f"The download failed unexpectedly: {type(error).__name__}: {error}")
        finally:
            self.sig_done.emit()

    def _on_progress(self, progress: DownloadProgress) -> None:
        left = -1.0 if progress.seconds_left is None else float(progress.seconds_left)
        self.sig_progress.emit(progress.bytes_done, progress.bytes_total, float(progress.bytes_per_s), left)

    def _on_stopped(self) -> None:
        if self._discard:
            discard_partial(self.job.entry)
            self.sig_cancelled.emit()
        else:
            self.sig_paused.emit()
