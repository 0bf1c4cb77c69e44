"""Octet's entry point (`octet`, `python -m app`): the one place that starts Qt. It reads the app
settings, opens the history, shows the window at once, then starts the model worker and loads the
default model (or shows the first-run panel). Imports no torch: the worker process has it.
"""
import multiprocessing
import os
import sys
import time
from pathlib import Path

from app import settings as app_settings
from app.history.errors import StoreError
from app.history.store import HistoryStore
from app.settings import apply_worker_settings
from app.startup import crash, qt_platform

ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "octet.svg"


def create_window(*, load_model: bool = True, settings=None):
    """Build the controller and the main window on the running QApplication (with the saved settings
    unless `settings` is given); returns the window."""
    # Deferred: PySide6 (and the modules below, which import it) loads only after main() installed the crash log.
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.chat.controller import ChatController, startup_model
    from app.ui.main_window import MainWindow
    from app.ui.theme import apply_theme

    app = QApplication.instance()
    settings = settings or app_settings.load()
    apply_theme(app, settings.theme, font_size=settings.font_size)
    apply_worker_settings(settings)
    app.setWindowIcon(QIcon(str(ICON_PATH)))
    controller = ChatController(HistoryStore())
    controller.context_length = settings.context_length
    window = MainWindow(controller)
    if settings.local_server:
        from app.ui.settings_server import apply_local_server  # deferred: keyring (the server's key), when it is on

        apply_local_server(controller.bridge, settings)  # asked of the worker once its model is loaded
    if load_model and settings.engine == "server":
        from app.ui.settings_engine import apply_engine  # deferred: keyring (the server's key), for a server only

        QTimer.singleShot(0, lambda: apply_engine(controller, settings))
    elif load_model:
        QTimer.singleShot(0, lambda: controller.load_model(startup_model()))
    return window


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    multiprocessing.freeze_support()
    argv = sys.argv if argv is None else argv
    if argv[1:2] == ["--runtime-cli"]:  # the packaged app's `python -m runtime` (app/models/runtime_command.py)
        from runtime.cli import main as runtime_main  # deferred: only this mode needs the runtime's CLI
        return runtime_main(argv[2:])
    crash.install()
    missing = qt_platform.problem()
    if missing:  # Qt would abort in QApplication() with a message naming the wrong library
        print(missing, file=sys.stderr)
        return 1
    # Deferred until the crash log is installed: PySide6, and the modules below, which import it.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.i18n import install_translators
    from app.startup import checks as startup_checks
    from app.startup.smoke_run import SmokeRun, requested_import, requested_question

    app = QApplication(argv)
    app.setApplicationName("Octet")
    app.setApplicationDisplayName("Octet")
    app.setOrganizationName("Octet")
    app.setDesktopFileName("octet")
    folder_problem = startup_checks.data_folder_problem()
    settings = app_settings.AppSettings() if folder_problem else app_settings.load()
    install_translators(app, settings.language)
    if folder_problem:
        crash.show_error(*startup_checks.data_folder_problem(), with_log=False)  # again: now translated
        return 1
    models_problem = startup_checks.models_folder_problem()
    try:
        window = create_window(load_model=models_problem is None, settings=settings)
    except StoreError as error:
        crash.show_error(*startup_checks.store_problem(error), with_log=False)
        return 1
    window.show()
    if models_problem:
        window.controller.sig_model_state.emit("failed", None)
        window.controller.sig_problem.emit("load", models_problem)
    if requested_question(argv) is not None:  # hidden self-test, packaging/smoke_test.py
        SmokeRun(window, requested_question(argv), import_file=requested_import(argv))
    if os.environ.get("OCTET_EXIT_WHEN_SHOWN"):  # start-up timing (tools/, tests): report and leave
        print(f"window shown after {time.perf_counter() - started:.3f} s", flush=True)
        QTimer.singleShot(0, window.close)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
