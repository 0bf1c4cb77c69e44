"""The model manager window: models on this computer (use, set as default, delete or forget, import) and the
catalog to download from. Long work never runs on the GUI thread: downloads and the starter install run in the
catalog rows' workers, import checks (`python -m runtime info`) in a `BackgroundTask`.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFrame, QHBoxLayout, QLabel, QMessageBox,
                               QProgressBar, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from app import settings as app_settings
from app.models import catalog as registry
from app.models.catalog import CatalogEntry, ImportRefused, InstalledModel, import_model, load_catalog, precheck_import
from app.models.memory_fit import FitVerdict, check_fits
from app.settings import AppSettings
from runtime.worker.remote import server_name

from .catalog_row import CatalogRow
from .model_rows import ROW_STYLE, InstalledRow
from .model_tasks import BackgroundTask
from .plain_text import NAME_CHARS, one_line
from .units import arg, format_size

DIALOG_STYLE = ROW_STYLE + """
QLabel#sectionTitle { font-size: 13pt; font-weight: 600; }
QLabel#banner { border-radius: 6px; padding: 8px 10px; background: rgba(60, 130, 230, 0.14); }
QLabel#importError { border-radius: 6px; padding: 6px 8px; background: rgba(220, 60, 60, 0.13); }
"""


class ModelManagerDialog(QDialog):
    """Installed models and the catalog; keep one instance so downloads go on while it is closed."""

    sig_model_chosen = Signal(str)
    """The user picked a model to chat with; the argument is its path (file or folder)."""
    sig_models_changed = Signal()
    """The installed models changed: downloaded, imported, deleted, or a new default."""
    sig_import_refused = Signal(str)
    """An import was refused; the argument is the loader's message (also shown in the window)."""

    def __init__(self, parent=None, *, settings: AppSettings | None = None,
                 catalog: list[CatalogEntry] | None = None, controller=None):
        super().__init__(parent)
        self.settings = settings if settings is not None else app_settings.load()
        self.catalog = catalog if catalog is not None else load_catalog()
        self._import_task: BackgroundTask | None = None
        self.loaded_path: str | None = None
        """The model loaded or loading in the chat (its row reads "In use"); followed from `controller`."""
        if controller is not None:
            self.loaded_path = _loaded_path(controller)
            self._controller = controller
            controller.sig_model_state.connect(self._on_model_state)
        self.setWindowTitle(self.tr("Models"))
        self.setStyleSheet(DIALOG_STYLE)
        self.resize(920, 720)
        self._build()
        self.refresh()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)  # never leave a download thread running at exit

    # -- building -----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 12)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        page = QWidget()
        self.page = QVBoxLayout(page)
        self.page.setContentsMargins(20, 18, 20, 18)
        self.page.setSpacing(10)
        scroll.setWidget(page)
        outer.addWidget(scroll, 1)
        self._build_banner()
        self._build_installed_section()
        self._build_catalog_section()
        self.page.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.setContentsMargins(20, 0, 20, 0)
        outer.addWidget(buttons)
        buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()

    def _build_banner(self) -> None:
        self.offline_banner = QLabel(self.tr("Offline mode is on: Octet will not connect to Hugging Face. Models "
                                             "already in your Hugging Face cache can still be added. Turn it off "
                                             "in Settings to download."))
        self.offline_banner.setObjectName("banner")
        self.offline_banner.setWordWrap(True)
        self.offline_banner.setVisible(self.settings.offline)
        self.page.addWidget(self.offline_banner)
        self.server_banner = QLabel(self.tr("Chats use the models of the server {server} (Settings › Engine): they "
                                            "live on that server. The models below are on this computer, used when "
                                            "the engine is this computer.").format(server=server_name(
                                                self.settings.server_url)))
        self.server_banner.setObjectName("banner")
        self.server_banner.setWordWrap(True)
        self.server_banner.setTextFormat(Qt.TextFormat.PlainText)  # the server's address, as the user typed it
        self.server_banner.setVisible(self.settings.engine == "server" and bool(self.settings.server_url))
        self.page.addWidget(self.server_banner)

    def _build_installed_section(self) -> None:
        head = QHBoxLayout()
        head.addWidget(_section_title(self.tr("On this computer")))
        head.addStretch(1)
        self.import_file_button = QPushButton(self.tr("Import GGUF file…"))
        self.import_file_button.clicked.connect(self._on_import_file_clicked)
        self.import_folder_button = QPushButton(self.tr("Import model folder…"))
        self.import_folder_button.clicked.connect(self._on_import_folder_clicked)
        head.addWidget(self.import_file_button)
        head.addWidget(self.import_folder_button)
        self.page.addLayout(head)
        self.import_status = QLabel()
        self.import_status.setWordWrap(True)
        self.import_status.setTextFormat(Qt.TextFormat.PlainText)  # names, paths and the loader's messages
        self.import_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.import_busy = QProgressBar()
        self.import_busy.setRange(0, 0)
        self.import_busy.setFixedHeight(6)
        self.import_busy.setTextVisible(False)
        for widget in (self.import_status, self.import_busy):
            widget.hide()
            self.page.addWidget(widget)
        self.empty_label = QLabel(self.tr("No models yet. Install the starter model or download one below, or "
                                          "import a GGUF file or Hugging Face folder you already have."))
        self.empty_label.setWordWrap(True)
        self.page.addWidget(self.empty_label)
        self.installed_list = QVBoxLayout()
        self.installed_list.setSpacing(8)
        self.page.addLayout(self.installed_list)

    def _build_catalog_section(self) -> None:
        self.page.addSpacing(14)
        self.page.addWidget(_section_title(self.tr("Download")))
        self.memory_label = QLabel()
        self.memory_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.page.addWidget(self.memory_label)
        self.catalog_rows: dict[str, CatalogRow] = {}
        installed = {m.catalog_id for m in registry.installed_models()}
        for entry, verdict in self._catalog_in_display_order():
            row = CatalogRow(entry, verdict, installed=entry.id in installed, offline=self.settings.offline)
            row.sig_installed.connect(self._on_download_installed)
            self.catalog_rows[entry.id] = row
            self.page.addWidget(row)

    # -- refreshing ----------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the registry: rebuild the installed rows, mark catalog rows installed or not."""
        while self.installed_list.count():
            old = self.installed_list.takeAt(0).widget()
            old.hide()
            old.deleteLater()
        self.installed_rows: dict[str, InstalledRow] = {}
        models = registry.installed_models()
        for model in models:
            self.installed_list.addWidget(self._installed_row(model))
        self.empty_label.setVisible(not models)
        installed = {m.catalog_id for m in models}
        for entry_id, row in self.catalog_rows.items():
            row.set_installed(entry_id in installed)
            row.set_verdict(self._verdict(row.entry))
        verdict = check_fits(0, catalog=self.catalog)
        self.memory_label.setText(arg(self.tr("This computer has %1 of memory available (%2 in all)."),
                                      format_size(verdict.available_bytes), format_size(verdict.total_bytes)))

    def _installed_row(self, model: InstalledModel) -> InstalledRow:
        row = InstalledRow(model, self._verdict(model), loaded=self._is_loaded(model))
        row.sig_use_requested.connect(self._on_use_requested)
        row.sig_set_default_requested.connect(self._on_set_default_requested)
        row.sig_delete_requested.connect(self._on_delete_requested)
        self.installed_rows[model.id] = row
        return row

    def _verdict(self, model: CatalogEntry | InstalledModel) -> FitVerdict:
        """An installed GGUF file is judged by its header (every tensor, runtime.memory_estimate); a catalog entry,
        or a model whose file is gone, by the entry."""
        entry = next((e for e in self.catalog if e.id == getattr(model, "catalog_id", None)), None)
        if isinstance(model, InstalledModel) and model.format == "gguf" and model.exists:
            entry = None
        return check_fits(entry or model, catalog=self.catalog, context_tokens=self.settings.context_length,
                          kv_cache=self.settings.kv_cache)

    def _catalog_in_display_order(self) -> list[tuple[CatalogEntry, FitVerdict]]:
        """What fits this computer first (largest first), then what does not (smallest first)."""
        judged = [(entry, self._verdict(entry)) for entry in self.catalog]
        fitting = sorted((j for j in judged if j[1].fits), key=lambda j: -j[0].size_bytes)
        too_big = sorted((j for j in judged if not j[1].fits), key=lambda j: j[0].size_bytes)
        return fitting + too_big

    def apply_settings(self, settings: AppSettings) -> None:
        """Follow changed settings: offline mode for the next downloads, context length for the memory checks."""
        self.settings = settings
        self.offline_banner.setVisible(settings.offline)
        for row in self.catalog_rows.values():
            row.offline = settings.offline
        self.refresh()

    def showEvent(self, event) -> None:
        self.refresh()  # memory available and the registry may have changed while the window was closed
        super().showEvent(event)

    def set_loaded_model(self, path: str | Path | None) -> None:
        """The model now loaded (or loading) in the chat, None for none: its row's Use button reads "In use"."""
        self.loaded_path = str(path) if path is not None else None
        self.refresh()

    # -- user actions (buttons, menus and tests call these) -----------------------------------------------------
    def use_model(self, *, model_id: str) -> None:
        """Hand the model to the main window and close (nothing to do for the model already in use)."""
        model = registry.get_installed(model_id)
        if model is not None and not self._is_loaded(model):
            self.sig_model_chosen.emit(model.path)
            self.accept()

    def set_default(self, *, model_id: str) -> None:
        registry.set_default(model_id=model_id)
        app_settings.remember_default_model(model_id)
        self.settings = app_settings.load()
        self._changed()

    def delete_model(self, *, model_id: str, confirm: bool = True) -> bool:
        """Delete a downloaded model's files, or forget an import (its file stays); True when done."""
        model = registry.get_installed(model_id)
        if model is None or (confirm and not self._confirm_delete(model)):
            return False
        registry.delete_model(model_id=model_id)
        self._changed()
        return True

    def import_path(self, path: str | Path) -> None:
        """Check a GGUF file or a Hugging Face folder with the runtime's loader (off-thread), then add it. What is
        plainly not a model (no such path, not GGUF by its name or first bytes) is refused at once."""
        if self._import_task is not None:
            return
        path = Path(path)
        try:
            precheck_import(path)
        except ImportRefused as refused:
            self._on_import_failed(str(refused))
            return
        task = BackgroundTask(lambda: import_model(path))
        task.sig_succeeded.connect(self._on_import_succeeded)
        task.sig_failed.connect(self._on_import_failed)
        task.sig_done.connect(self._on_import_done)
        self._import_task = task
        self._show_import_status(arg(self.tr("Checking %1…"), one_line(path.name, NAME_CHARS)), busy=True)
        task.start()

    def download(self, *, entry_id: str) -> CatalogRow:
        """Start (or resume) a catalog model's download; its row shows the progress."""
        row = self.catalog_rows[entry_id]
        row.start()
        return row

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Pause every download (the partial files stay for next time) and wait for the workers to stop."""
        for row in self.catalog_rows.values():
            row.pause()
        for row in self.catalog_rows.values():
            row.wait(timeout_ms)
        if self._import_task is not None:
            self._import_task.wait(timeout_ms)

    # -- helpers -----------------------------------------------------------------------------------------------
    def _is_loaded(self, model: InstalledModel) -> bool:
        return self.loaded_path is not None and Path(model.path) == Path(self.loaded_path)

    def _confirm_delete(self, model: InstalledModel) -> bool:
        box = QMessageBox(self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the model's name and path, as they are
        box.setIcon(QMessageBox.Icon.Question)
        if model.by_reference:
            box.setWindowTitle(self.tr("Forget model"))
            box.setText(arg(self.tr("Forget “%1”?"), one_line(model.name, NAME_CHARS)))
            box.setInformativeText(arg(self.tr("Octet will stop listing it. The file is not deleted; it stays "
                                               "where it is:\n%1"), model.path))
            confirm = box.addButton(self.tr("Forget"), QMessageBox.ButtonRole.DestructiveRole)
        else:
            box.setWindowTitle(self.tr("Delete model"))
            box.setText(arg(self.tr("Delete “%1”?"), one_line(model.name, NAME_CHARS)))
            box.setInformativeText(arg(self.tr("This removes it from the disk and frees %1. You can download it "
                                               "again later."), format_size(model.size_bytes)))
            confirm = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is confirm

    def _changed(self) -> None:
        self.refresh()
        self.sig_models_changed.emit()

    def _show_import_status(self, text: str, *, busy: bool = False, error: bool = False) -> None:
        self.import_status.setObjectName("importError" if error else "importStatus")
        self.import_status.style().unpolish(self.import_status)  # the style sheet depends on the name
        self.import_status.style().polish(self.import_status)
        self.import_status.setText(text)
        self.import_status.setVisible(bool(text))
        self.import_busy.setVisible(busy)
        self.import_file_button.setEnabled(not busy)
        self.import_folder_button.setEnabled(not busy)

    # -- slots ---------------------------------------------------------------------------------------------------
    @Slot()
    def _on_import_file_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a GGUF file"), str(Path.home()),
                                              self.tr("GGUF models (*.gguf)"))
        if path:
            self.import_path(path)

    @Slot()
    def _on_import_folder_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Import a Hugging Face model folder"),
                                                str(Path.home()))
        if path:
            self.import_path(path)

    @Slot(object)
    def _on_import_succeeded(self, model: InstalledModel) -> None:
        self._show_import_status(arg(self.tr("Added %1. Its file stays where it is."),
                                     one_line(model.name, NAME_CHARS)))
        self._changed()

    @Slot(str)
    def _on_import_failed(self, message: str) -> None:
        self._show_import_status(arg(self.tr("Not imported: %1"), message), error=True)
        self.sig_import_refused.emit(message)

    @Slot()
    def _on_import_done(self) -> None:
        self._import_task.wait()
        self._import_task = None

    @Slot(str, object)
    def _on_model_state(self, state: str, info) -> None:
        model = self._controller.model
        path = str(model.path) if model is not None and state in ("loading", "ready") else None
        if path != self.loaded_path:
            self.set_loaded_model(path)

    @Slot(str)
    def _on_use_requested(self, model_id: str) -> None:
        self.use_model(model_id=model_id)

    @Slot(str)
    def _on_set_default_requested(self, model_id: str) -> None:
        self.set_default(model_id=model_id)

    @Slot(str)
    def _on_delete_requested(self, model_id: str) -> None:
        self.delete_model(model_id=model_id)

    @Slot(str)
    def _on_download_installed(self, path: str) -> None:
        self._changed()


def _loaded_path(controller) -> str | None:
    """The path of the model the chat controller has loaded or is loading, else None."""
    model = controller.model
    active = controller.ready or controller.load_request_id is not None
    return str(model.path) if model is not None and active else None


def _section_title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label
