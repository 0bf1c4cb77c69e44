"""Crash log: `install()` appends uncaught exceptions (any thread) and fatal signals (faulthandler) to
`crash.log` in the data folder (a temporary folder if that one cannot be written); in the GUI thread,
an uncaught exception also shows a dialog pointing to the log. `show_error()` is that dialog.
The log is opened at start (faulthandler writes to an open file); a run that logged nothing
removes it at exit, so a crash.log in the data folder always holds a report.
"""
import atexit
import faulthandler
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from runtime.paths import data_dir

LOG_NAME = "crash.log"

_log_path: Path | None = None
_log_file = None  # kept open for faulthandler, which writes from a signal handler
_showing_dialog = False


def log_path() -> Path | None:
    """The crash log of this process once `install()` ran."""
    return _log_path


def install(folder: Path | None = None) -> Path:
    """Route uncaught exceptions and fatal signals to the crash log; return the log's path."""
    global _log_path, _log_file
    _log_path, _log_file = _open_log(folder)
    atexit.register(_remove_if_empty, _log_path)
    faulthandler.enable(file=_log_file, all_threads=True)
    sys.excepthook = _on_uncaught
    threading.excepthook = _on_thread_uncaught
    return _log_path


def _open_log(folder: Path | None):
    places = [folder / LOG_NAME] if folder is not None else []
    try:
        places.append(data_dir() / LOG_NAME)
    except OSError:
        pass  # the data folder cannot be made: app.startup.checks says so in a dialog
    places.append(Path(tempfile.gettempdir()) / f"octet-{LOG_NAME}")
    for path in places:
        try:
            return path, open(path, "a", encoding="utf-8", buffering=1)
        except OSError:
            continue
    return None, sys.stderr


def _remove_if_empty(path: Path | None) -> None:
    try:
        if path is not None and path.stat().st_size == 0:
            path.unlink()
    except OSError:
        pass


def write_report(kind: str, error_type, error, trace) -> None:
    """Append one dated report (a traceback) to the crash log, and to stderr when there is one."""
    text = "".join(traceback.format_exception(error_type, error, trace))
    report = f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} {kind} in Octet (pid {os.getpid()})\n{text}\n"
    for stream in (_log_file, sys.stderr):
        try:
            if stream is not None:
                stream.write(report)
                stream.flush()
        except (OSError, ValueError):
            pass


def _on_uncaught(error_type, error, trace) -> None:
    if issubclass(error_type, KeyboardInterrupt):
        sys.__excepthook__(error_type, error, trace)
        return
    write_report("uncaught exception", error_type, error, trace)
    if threading.current_thread() is threading.main_thread():
        show_error(translate("crash", "Octet hit an unexpected error"),
                   translate("crash", "Something went wrong: {error}").format(error=_one_line(error_type, error)))


def _on_thread_uncaught(args) -> None:
    if args.exc_type is SystemExit:
        return
    write_report(f"uncaught exception in thread {args.thread.name if args.thread else '?'}",
                 args.exc_type, args.exc_value, args.exc_traceback)


def show_error(title: str, text: str, *, with_log: bool = True) -> None:
    """A modal error dialog (when a QApplication runs) naming the crash log; else a line on stderr."""
    global _showing_dialog
    if with_log and _log_path is not None:
        text += "\n\n" + translate("crash", "Details were written to {path}. Please attach that file when you "
                                            "report the problem.").format(path=_log_path)
    app = _qt_application()
    if app is None or _showing_dialog:
        print(f"{title}: {text}", file=sys.stderr)
        return
    from PySide6.QtWidgets import QMessageBox  # deferred: crash loads no Qt itself (installed before PySide6)

    _showing_dialog = True
    try:
        box = QMessageBox(QMessageBox.Critical, title, text, QMessageBox.Ok)
        box.setTextInteractionFlags(box.textInteractionFlags() | _selectable())
        box.exec()
    finally:
        _showing_dialog = False


def _qt_application():
    if "PySide6.QtWidgets" not in sys.modules:
        return None
    from PySide6.QtWidgets import QApplication  # deferred: crash loads no Qt itself (installed before PySide6)

    return QApplication.instance()


def _selectable():
    from PySide6.QtCore import Qt  # deferred: crash loads no Qt itself (installed before PySide6)

    return Qt.TextSelectableByMouse


def translate(context: str, text: str) -> str:
    """QCoreApplication.translate once Qt is loaded; lupdate reads the literal context and text of each call."""
    if "PySide6.QtCore" not in sys.modules:
        return text
    from PySide6.QtCore import QCoreApplication  # deferred: crash loads no Qt itself (installed before PySide6)

    return QCoreApplication.translate(context, text)


def _one_line(error_type, error) -> str:
    return traceback.format_exception_only(error_type, error)[-1].strip()
