"""First run: while no model is installed the chat area shows the first-run panel (install the starter
model, open the model manager). The starter install runs off the GUI thread; then the model loads.
"""
import threading

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtWidgets import QLabel

translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


class _InstallReport(QObject):
    sig_done = Signal(object, str)
    """The install ended (path or None, error message)."""


def show_first_run(window, show: bool) -> None:
    if show and window.first_run is None:
        window.first_run = _make_panel(window)
        window.stack.addWidget(window.first_run)
    if window.first_run is not None:
        window.stack.setCurrentWidget(window.first_run if show else window.chat)


def _make_panel(window):
    try:
        from app.ui.first_run import FirstRunPanel
    except ImportError:
        return QLabel(translate("FirstRunPage", "No model is installed yet. Open Model › Models… to get one."))
    panel = FirstRunPanel(window)
    panel.sig_install_starter_requested.connect(lambda: install_starter(window))
    panel.sig_open_model_manager_requested.connect(window.open_model_manager)
    return panel


def install_starter(window) -> None:
    """Fetch and unzip the starter model in a thread, then load it."""
    from app import actions
    from runtime.starter import install_starter as install

    panel = window.first_run
    panel.set_busy(translate("FirstRunPage", "Installing the starter model…"))
    report = _InstallReport(window)
    window._install_report = report

    def finished(path, error):
        if path is None:
            panel.set_error(translate("FirstRunPage", "The starter model could not be installed: {error}").format(
                error=error))
        else:
            panel.set_idle()
            actions.load_model(window=window, path=str(path))

    report.sig_done.connect(finished)

    def run():
        try:
            report.sig_done.emit(install(), "")
        except Exception as error:  # pip failed, no network, full disk: the message is shown
            report.sig_done.emit(None, str(error))

    threading.Thread(target=run, name="octet-starter-install", daemon=True).start()
