"""One message of the chat: who wrote it, its text rendered from Markdown, and its actions (copy, edit and
resend for the user's, regenerate for the model's, arrows between branches). It only asks: the window's
actions do the work. A streaming answer is re-rendered by `set_text`, called at a steady rate. A long text shows
its start and "Show all" (see long_text.py); the author's name is plain text, elided.
"""
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton,
                               QVBoxLayout, QWidget)

from app.history.records import Message
from app.i18n import format_number

from .composer import PromptEdit
from .long_text import WholeTextView, is_long, preview, wrap_mode
from .markdown_render import render
from .plain_text import ElidedLabel, plain
from .safe_browser import SafeBrowser
from .theme import S
from .units import arg


class MessageWidget(QFrame):
    sig_copy_requested = Signal(int)
    """The user asked to copy this message (its id)."""
    sig_edit_submitted = Signal(int, str)
    """The user edited this message and asked to send it again (id, new text)."""
    sig_regenerate_requested = Signal(int)
    """The user asked for another answer in place of this one (its id)."""
    sig_branch_requested = Signal(int, int)
    """The user asked for the previous (-1) or next (+1) branch at this message (its id, step)."""

    def __init__(self, message: Message, *, branch: tuple[int, int] = (0, 1), model_name: str = "",
                 parent=None):
        super().__init__(parent)
        self.message = message
        self.text = message.content
        self.setObjectName("UserMessage" if message.role == "user" else "AssistantMessage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(S(4), S(3), S(4), S(2))
        layout.setSpacing(S(1))
        layout.addLayout(self._header(model_name))
        self.body = SafeBrowser(self)
        layout.addWidget(self.body)
        self.editor: QWidget | None = None
        self.long_part: QWidget | None = None  # under a long text's start: a note and "Show all", then all of it
        self.whole: WholeTextView | None = None
        self.actions_row = self._actions(branch)
        layout.addLayout(self.actions_row)
        self.set_text(self.text)

    # -- building ------------------------------------------------------------------------------
    def _header(self, model_name: str) -> QHBoxLayout:
        row = QHBoxLayout()
        is_user = self.message.role == "user"
        who = self.tr("You") if is_user else (model_name or self.message.model or self.tr("Assistant"))
        self.role_label = ElidedLabel(who, objectName="Role")  # a model's name comes from a file
        self.state_label = QLabel("", objectName="Muted")
        row.addWidget(self.role_label)
        row.addStretch(1)
        row.addWidget(self.state_label)
        self.set_state(self.message.state)
        return row

    def _actions(self, branch: tuple[int, int]) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(S(1))
        self.branch_prev = self._tool("‹", self.tr("Previous version"), lambda: self._branch(-1))
        self.branch_label = QLabel("", objectName="Muted")
        self.branch_next = self._tool("›", self.tr("Next version"), lambda: self._branch(+1))
        for widget in (self.branch_prev, self.branch_label, self.branch_next):
            row.addWidget(widget)
        self.set_branch(*branch)
        row.addStretch(1)
        self.copy_button = self._tool(self.tr("Copy"), self.tr("Copy this message"),
                                      lambda: self.sig_copy_requested.emit(self.message.id))
        row.addWidget(self.copy_button)
        if self.message.role == "user":
            self.edit_button = self._tool(self.tr("Edit"), self.tr("Edit and send again (a new branch)"),
                                          self.start_editing)
            row.addWidget(self.edit_button)
        else:
            self.regenerate_button = self._tool(
                self.tr("Regenerate"), self.tr("Ask for another answer (a new branch)"),
                lambda: self.sig_regenerate_requested.emit(self.message.id))
            row.addWidget(self.regenerate_button)
        return row

    def _tool(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCursor(Qt.PointingHandCursor)
        button.clicked.connect(slot)
        return button

    # -- updating ------------------------------------------------------------------------------
    def set_text(self, text: str) -> None:
        self.text = text
        if self.whole is not None:  # the user asked for all of this long text
            self.whole.show_text(text)
        elif is_long(text):
            self._show_start(text)
        else:
            rendered = render(text, copy_label=self.tr("Copy"))
            self.body.show_html(rendered.html, rendered.code_blocks)

    def _show_start(self, text: str) -> None:
        start = preview(text)
        self.body.setWordWrapMode(wrap_mode(start))
        self.body.show_plain(start)
        if self.long_part is None:
            self.long_part = QWidget(self)
            box = QVBoxLayout(self.long_part)
            box.setContentsMargins(0, 0, 0, 0)
            row = QHBoxLayout()
            self.long_note = QLabel("", self.long_part, objectName="Muted")
            plain(self.long_note)
            self.show_all_button = QPushButton(self.tr("Show all"), self.long_part)
            self.show_all_button.clicked.connect(self.show_all)
            row.addWidget(self.long_note)
            row.addStretch(1)
            row.addWidget(self.show_all_button)
            box.addLayout(row)
            self.layout().insertWidget(self.layout().indexOf(self.body) + 1, self.long_part)
        self.long_note.setText(arg(self.tr("Showing the first %1 of %2 characters."), format_number(len(start)),
                                   format_number(len(text))))

    def show_all(self) -> None:
        """All of a long text, as plain text in a box with its own scroll bar, in place of its start."""
        if self.whole is not None or self.long_part is None:
            return
        self.whole = WholeTextView(self.long_part)
        self.long_part.layout().addWidget(self.whole)
        self.long_note.hide()
        self.show_all_button.hide()
        self.body.hide()
        self.whole.show_text(self.text)

    def _show_text(self, visible: bool) -> None:
        """Show or hide the text (hidden while it is edited)."""
        self.body.setVisible(visible and self.whole is None)
        if self.long_part is not None:
            self.long_part.setVisible(visible)

    def set_state(self, state: str) -> None:
        """The word beside the author: an answer the user stopped reads differently from one cut short by a
        crash (both are saved as "stopped"; only the user's stop records finish_reason "cancelled")."""
        if state == "stopped" and (self.message.stats or {}).get("finish_reason") != "cancelled":
            state = "interrupted"
        words = {"stopped": (self.tr("stopped"), self.tr("You stopped this answer before its end.")),
                 "interrupted": (self.tr("interrupted"),
                                 self.tr("The model process stopped while writing this answer.")),
                 "error": (self.tr("failed"), ""),
                 "streaming": (self.tr("writing…"), "")}
        word, tip = words.get(state, ("", ""))
        self.state_label.setText(word)
        self.state_label.setToolTip(tip)

    def set_branch(self, index: int, count: int) -> None:
        visible = count > 1
        for widget in (self.branch_prev, self.branch_label, self.branch_next):
            widget.setVisible(visible)
        self.branch_label.setText(self.tr("%1 / %2").replace("%1", str(index + 1)).replace("%2", str(count)))
        self.branch_prev.setEnabled(index > 0)
        self.branch_next.setEnabled(index < count - 1)

    def set_actions_enabled(self, enabled: bool) -> None:
        """Editing, regenerating and switching branches wait while an answer is being written."""
        for name in ("edit_button", "regenerate_button"):
            if hasattr(self, name):
                getattr(self, name).setEnabled(enabled)

    def _branch(self, step: int) -> None:
        self.sig_branch_requested.emit(self.message.id, step)

    # -- editing -------------------------------------------------------------------------------
    def start_editing(self) -> None:
        if self.editor is not None:
            return
        self.editor = QWidget(self)
        box = QVBoxLayout(self.editor)
        box.setContentsMargins(0, 0, 0, 0)
        self.edit_box = PromptEdit(self.editor)  # like the message box: Enter sends, Shift+Enter a new line
        self.edit_box.setPlainText(self.text)
        self.edit_box.setMinimumHeight(90)
        self.edit_box.sig_submit.connect(self._on_edit_send)
        self.edit_box.sig_escape.connect(self.stop_editing)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(self.tr("Cancel"), self.editor)
        send = QPushButton(self.tr("Send"), self.editor, objectName="Primary")
        cancel.clicked.connect(self.stop_editing)
        send.clicked.connect(self._on_edit_send)
        buttons.addWidget(cancel)
        buttons.addWidget(send)
        box.addWidget(self.edit_box)
        box.addLayout(buttons)
        self.layout().insertWidget(2, self.editor)
        self._show_text(False)
        self.edit_box.setFocus()

    def stop_editing(self) -> None:
        if self.editor is not None:
            self.editor.deleteLater()
            self.editor = None
            self._show_text(True)

    def _on_edit_send(self) -> None:
        text = self.edit_box.toPlainText()
        if text.strip():
            self.stop_editing()
            self.sig_edit_submitted.emit(self.message.id, text)
