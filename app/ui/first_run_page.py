"""First run: while no model is installed the chat area shows the first-run panel. Its main action (from source:
install the starter model; in the packaged app: import a GGUF file) runs off the GUI thread in a `BackgroundTask`;
then the model loads.

The task's signals are emitted on its own thread: they are connected to the slots of `FirstRunActions`, a QObject
living on the GUI thread, so Qt queues them there. Never to a lambda or a nested function, which would run on the
task's thread and touch widgets from it (a crash: tests/app/test_off_thread_slots.py).
"""
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Slot
from PySide6.QtWidgets import QFileDialog

from app.chat import actions
from app.models import catalog

from .first_run import FirstRunPanel
from .model_tasks import BackgroundTask

translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


def show_first_run(window, show: bool) -> None:
    if show and window.first_run is None:
        window.first_run = _make_panel(window)
        window.stack.addWidget(window.first_run)
    if window.first_run is not None:
        window.stack.setCurrentWidget(window.first_run if show else window.chat)


def _make_panel(window):
    panel = FirstRunPanel(window)
    panel.runner = FirstRunActions(window, panel)  # its parent is the panel; kept here too
    return panel


class FirstRunActions(QObject):
    """The first-run panel's requests, carried out for `window`; lives on the GUI thread (a child of the panel)."""

    def __init__(self, window, panel: FirstRunPanel):
        super().__init__(panel)
        self.window, self.panel = window, panel
        self.task: BackgroundTask | None = None
        self._failure = ""
        panel.sig_install_starter_requested.connect(self.install_starter)
        panel.sig_import_file_requested.connect(self.import_file)
        panel.sig_open_model_manager_requested.connect(window.open_model_manager)

    @Slot()
    def install_starter(self) -> None:
        """Install and register the starter model off the GUI thread, then load it."""
        # Deferred (slow import): app.models.downloads loads huggingface_hub, which showing the window does not need.
        from app.models import downloads

        self._run(downloads.install_starter_model, translate("FirstRunPage", "Installing the starter model…"),
                  translate("FirstRunPage", "The starter model could not be installed: {error}"))

    @Slot()
    def import_file(self) -> None:
        """Ask for a GGUF file (unless the self-test named one), check it off the GUI thread, add it, load it."""
        path = self.panel.preset_import_path or QFileDialog.getOpenFileName(
            self.window, translate("FirstRunPage", "Import a GGUF file"), str(Path.home()),
            translate("FirstRunPage", "GGUF models (*.gguf)"))[0]
        if not path:
            return
        failure = translate("FirstRunPage", "This file could not be imported: {error}")
        try:
            catalog.precheck_import(path)  # at once, from the file's first bytes: no subprocess for a wrong file
        except catalog.ImportRefused as refused:
            self.panel.set_error(failure.format(error=refused))
            return
        self._run(lambda: catalog.import_model(path),
                  translate("FirstRunPage", "Checking {name}…").format(name=Path(path).name), failure)

    def _run(self, function, busy: str, failure: str) -> None:
        if self.task is not None:
            return
        self.panel.set_busy(busy)
        self._failure = failure
        self.task = BackgroundTask(function)
        self.task.sig_succeeded.connect(self._on_succeeded)
        self.task.sig_failed.connect(self._on_failed)
        self.task.sig_done.connect(self._on_done)
        self.task.start()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the running task has finished (tests)."""
        return self.task.wait(timeout_ms) if self.task is not None else True

    @Slot(object)
    def _on_succeeded(self, model) -> None:
        self.panel.set_idle()
        actions.load_model(window=self.window, path=model.path)

    @Slot(str)
    def _on_failed(self, error: str) -> None:
        self.panel.set_error(self._failure.format(error=error))

    @Slot()
    def _on_done(self) -> None:
        self.task.wait()
        self.task = None
