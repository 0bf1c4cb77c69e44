"""What can stop Octet at start, said in a sentence a person can act on: the data folder cannot be
written, the history is open in another Octet (`StoreInUseError`), the models folder is on a drive
that is gone. Each check returns None or (title, text); the entry point shows it and never exits silently.
"""
import os
import tempfile
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication

from app.history.errors import StoreError, StoreInUseError
from runtime.paths import DATA_DIR_ENV, data_dir

Problem = tuple[str, str]


translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


def data_folder_problem() -> Problem | None:
    """None when the data folder exists (or can be made) and a file can be written in it."""
    try:
        folder = data_dir()
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".octet-write-check-"):
            pass
    except OSError as error:
        return translate("startup", "Octet cannot use its data folder"), data_folder_text(error)
    return None


def data_folder_text(error: OSError) -> str:
    folder = error.filename or _expected_data_folder()
    reason = error.strerror or str(error)
    return translate("startup", "Octet keeps your conversations, settings and models in {folder}, but it cannot "
                     "write there ({reason}).\n\nCheck that the folder's disk is connected and not full or "
                     "read-only, and that you may write to the folder, then start Octet again.").format(
        folder=folder, reason=reason)


def _expected_data_folder() -> str:
    return os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir("Octet", appauthor=False)


def store_problem(error: StoreError) -> Problem:
    """The dialog for a history that cannot be opened; a second Octet gets 'already running'."""
    if isinstance(error, StoreInUseError):
        return (translate("startup", "Octet is already running"),
                translate("startup", "Octet is already open (your history {path} is in use by it). Switch to "
                          "the Octet window that is already open, or close it and start Octet again.").format(
                    path=error.path))
    return translate("startup", "Octet cannot open your history"), str(error)


def models_folder_problem() -> str | None:
    """None when the models folder is reachable; else why not (e.g. a link to a removed drive)."""
    folder = _models_folder()
    target = _link_target(folder)
    try:
        if folder.is_symlink() and not folder.exists():
            raise FileNotFoundError(2, "not found", target)
        if folder.exists():
            next(os.scandir(folder), None)
        return None
    except OSError as error:
        reason = error.strerror or str(error)
        where = target if target and target != str(folder) else str(folder)
        return translate("startup", "the models folder {folder} cannot be read: {where} is not reachable ({reason}). "
                         "If it is on a removable drive, connect it and restart Octet; or choose or import another "
                         "model in Models…").format(folder=folder, where=where, reason=reason)


def _models_folder() -> Path:
    return data_dir() / "models"


def _link_target(folder: Path) -> str:
    try:
        return os.readlink(folder) if folder.is_symlink() else ""
    except OSError:
        return ""
