"""The Help menu's two dialogs: About Octet (version, licence, where the data and the crash log are, as plain
text the user can select and copy) and the keyboard shortcuts (the table the README lists).
"""
import importlib.metadata
import re
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QMessageBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from app.startup import crash
from runtime.paths import data_dir

translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call
LICENSE = "Apache-2.0"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def app_version() -> str:
    """Octet's version: from the installed package's metadata, else the source tree's pyproject.toml."""
    try:
        return importlib.metadata.version("octet")
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        found = re.search(r'^version\s*=\s*"([^"]+)"', PYPROJECT.read_text(encoding="utf-8"), re.MULTILINE)
    except OSError:
        found = None
    return found.group(1) if found else "?"


def about_text() -> str:
    """What About Octet says, as plain text."""
    folder = data_dir()
    log = crash.log_path() or folder / crash.LOG_NAME
    return "\n".join([
        translate("HelpDialogs", "Octet {version}").format(version=app_version()),
        translate("HelpDialogs", "Mixtral 8x7B and other models on your own computer, offline."),
        translate("HelpDialogs", "Licence: {licence}").format(licence=LICENSE),
        "",
        translate("HelpDialogs", "Your data (conversations, models, settings): {path}").format(path=folder),
        translate("HelpDialogs", "Crash log (written only after a crash): {path}").format(path=log),
    ])


def about_dialog(parent) -> QMessageBox:
    box = QMessageBox(QMessageBox.Information, translate("HelpDialogs", "About Octet"), about_text(),
                      QMessageBox.Ok, parent)
    box.setTextFormat(Qt.PlainText)  # paths are shown as they are, never read as markup
    box.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
    return box


def shortcuts() -> list[tuple[str, str]]:
    """(keys, what they do), in the README's order; keys in the platform's spelling (Ctrl on Linux/Windows)."""
    def keys(text: str) -> str:
        return QKeySequence(text).toString(QKeySequence.NativeText)

    return [
        (translate("HelpDialogs", "Enter"), translate("HelpDialogs", "Send the message")),
        (translate("HelpDialogs", "Shift+Enter"), translate("HelpDialogs", "Start a new line")),
        (translate("HelpDialogs", "Esc"), translate("HelpDialogs", "Stop the answer being written")),
        (keys("Ctrl+N"), translate("HelpDialogs", "New chat")),
        (keys("Ctrl+F"), translate("HelpDialogs", "Search the conversations")),
        (keys("Ctrl+R"), translate("HelpDialogs", "Regenerate the last answer")),
        (keys("Ctrl+Shift+C"), translate("HelpDialogs", "Copy the last answer")),
        (keys("Ctrl+E"), translate("HelpDialogs", "Export the conversation to Markdown")),
        (keys("Ctrl+M"), translate("HelpDialogs", "Models")),
        (keys("Ctrl+,"), translate("HelpDialogs", "Settings")),
    ]


class ShortcutsDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(translate("HelpDialogs", "Keyboard shortcuts"))
        rows = shortcuts()
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setHorizontalHeaderLabels([translate("HelpDialogs", "Keys"), translate("HelpDialogs", "Action")])
        for row, (keys, action) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(action))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(self.table)
        box.addWidget(buttons)
        self.resize(460, 420)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
