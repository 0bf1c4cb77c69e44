"""First run: while no model is installed the chat area shows the first-run panel (install the starter
model, open the model manager). The starter install runs off the GUI thread; then the model loads.
"""
from PySide6.QtCore import QCoreApplication

from app.chat import actions

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
    panel.sig_install_starter_requested.connect(lambda: install_starter(window))
    panel.sig_open_model_manager_requested.connect(window.open_model_manager)
    return panel


def install_starter(window) -> None:
    """Install and register the starter model off the GUI thread, then load it."""
    # Deferred (slow import): app.models.downloads loads huggingface_hub, which showing the window does not need.
    from app.models.downloads import install_starter_model

    panel = window.first_run
    panel.set_busy(translate("FirstRunPage", "Installing the starter model…"))
    task = BackgroundTask(install_starter_model)
    window._starter_task = task  # kept alive until it is done

    def failed(error: str) -> None:
        panel.set_error(translate("FirstRunPage", "The starter model could not be installed: {error}").format(
            error=error))

    def succeeded(model) -> None:
        panel.set_idle()
        actions.load_model(window=window, path=model.path)

    task.sig_failed.connect(failed)
    task.sig_succeeded.connect(succeeded)
    task.start()
