"""One message of the chat: who wrote it, its text rendered from Markdown, and its actions (copy, edit and
resend for the user's, regenerate for the model's, arrows between branches). It only asks: the window's
actions do the work. A streaming answer is re-rendered by `set_text`, called at a steady rate.
"""
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QToolButton,
                               QVBoxLayout, QWidget)

from app.history.records import Message

from .markdown_render import render
from .safe_browser import SafeBrowser
from .theme import S


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
        self.actions_row = self._actions(branch)
        layout.addLayout(self.actions_row)
        self.set_text(self.text)

    # -- building ------------------------------------------------------------------------------
    def _header(self, model_name: str) -> QHBoxLayout:
        row = QHBoxLayout()
        is_user = self.message.role == "user"
        who = self.tr("You") if is_user else (model_name or self.message.model or self.tr("Assistant"))
        self.role_label = QLabel(who, objectName="Role")
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
        rendered = render(text, copy_label=self.tr("Copy"))
        self.body.show_html(rendered.html, rendered.code_blocks)

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
        self.edit_box = QPlainTextEdit(self.text, self.editor)
        self.edit_box.setMinimumHeight(90)
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
        self.body.hide()
        self.edit_box.setFocus()

    def stop_editing(self) -> None:
        if self.editor is not None:
            self.editor.deleteLater()
            self.editor = None
            self.body.show()

    def _on_edit_send(self) -> None:
        text = self.edit_box.toPlainText()
        if text.strip():
            self.stop_editing()
            self.sig_edit_submitted.emit(self.message.id, text)
