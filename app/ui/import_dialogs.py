"""The question an import asks when its conversation is already in the history: replace it, keep both, or
cancel (the default: nothing is added)."""
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox

from .plain_text import one_line

translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


def ask_duplicate(window, conversation, duplicates) -> str:
    """"replace", "keep" or "cancel" for importing `conversation` when `duplicates` (list[Duplicate]) hold it."""
    first = duplicates[0].conversation
    title = one_line(first.title) or translate("ImportDialogs", "Untitled")
    if any(d.identical for d in duplicates):
        text = translate("ImportDialogs", "This file was imported already: “{title}” is in your history, "
                         "unchanged.").format(title=title)
    else:
        text = translate("ImportDialogs", "“{title}” is in your history already (the same conversation; the file "
                         "may hold another version of it).").format(title=title)
    box = QMessageBox(QMessageBox.Icon.Question, translate("ImportDialogs", "Import a conversation"), text,
                      QMessageBox.StandardButton.NoButton, window)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the title is the user's (or the file's) text
    box.setInformativeText(translate("ImportDialogs", "Replace it with the file's version, keep both, or cancel?"))
    replace = box.addButton(translate("ImportDialogs", "Replace"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(translate("ImportDialogs", "Keep both"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    return "replace" if clicked is replace else "keep" if clicked is keep else "cancel"
