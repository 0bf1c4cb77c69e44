"""Where the user types: Enter sends, Shift+Enter starts a new line, an input-method composition is
never sent before it is committed, and Send turns into Stop while an answer is written. Text too long
for the model's context is kept and explained, never cut; counting is throttled, so a pasted
megabyte does not freeze the window.
"""
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy,
                               QVBoxLayout)

from app.i18n import format_number

from .theme import READABLE_WIDTH, S

MIN_LINES, MAX_LINES = 2, 10
CHARS_PER_TOKEN = 3  # a rough, deliberately cautious estimate for the warning only
COUNT_DELAY_MS = 150


def approx_tokens(characters: int) -> int:
    return characters // CHARS_PER_TOKEN + 1


class PromptEdit(QPlainTextEdit):
    """The text box: Enter asks to send unless Shift is held or a composition is in progress."""

    sig_submit = Signal()
    """Enter was pressed outside an input-method composition."""
    sig_escape = Signal()
    """Esc was pressed (stop the answer being written)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.composing = False
        self.setTabChangesFocus(True)

    def inputMethodEvent(self, event):  # noqa: N802 (Qt's name)
        self.composing = bool(event.preeditString())
        super().inputMethodEvent(event)

    def event(self, event):
        """Esc is this box's (stop the answer; cancel an edit), not the window's Esc shortcut."""
        if event.type() == QEvent.ShortcutOverride and event.key() == Qt.Key_Escape and not self.composing:
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent):  # noqa: N802
        is_enter = event.key() in (Qt.Key_Return, Qt.Key_Enter)
        if is_enter and self.composing:
            return  # the input method commits its composition itself; nothing is sent or inserted
        if is_enter and not (event.modifiers() & Qt.ShiftModifier):
            self.sig_submit.emit()
            return
        if event.key() == Qt.Key_Escape and not self.composing:
            self.sig_escape.emit()
            return
        super().keyPressEvent(event)


class Composer(QFrame):
    sig_send_requested = Signal(str)
    """The user asked to send this text."""
    sig_stop_requested = Signal()
    """The user asked to stop the answer being written."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Composer")
        self.context_tokens = 0  # the loaded model's context; 0 while unknown
        self.generating = False
        self.can_send = False
        self.busy_elsewhere = False  # an answer is being written into another conversation (one engine)
        self.edit = PromptEdit(self)
        self.edit.setPlaceholderText(self.tr("Message the model…  (Enter sends, Shift+Enter for a new line)"))
        self.edit.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self._fit_height()
        self.edit.sig_submit.connect(self._on_submit)
        self.edit.sig_escape.connect(self._on_escape)
        self.edit.textChanged.connect(self._on_text_changed)
        self.button = QPushButton(self.tr("Send"), self, objectName="Primary")
        self.button.clicked.connect(self._on_button)
        self.warning = QLabel("", self, objectName="Warning", wordWrap=True)
        self.warning.hide()
        self.note = QLabel(self.tr("An answer is being written in another chat: you can send when it ends."),
                           self, objectName="Muted", wordWrap=True)
        self.note.hide()
        self._count_timer = QTimer(self, singleShot=True, interval=COUNT_DELAY_MS)
        self._count_timer.timeout.connect(self._update_warning)
        self._layout()
        self._refresh_button()

    def _layout(self) -> None:
        box = QVBoxLayout(self)
        box.setContentsMargins(S(5), S(2), S(5), S(4))
        row = QHBoxLayout()
        row.setSpacing(S(2))
        row.addWidget(self.edit, 1)
        row.addWidget(self.button, 0, Qt.AlignBottom)
        column = QVBoxLayout()
        column.addWidget(self.warning)
        column.addWidget(self.note)
        column.addLayout(row)
        outer = QHBoxLayout()
        outer.addStretch(1)
        holder = QFrame(self)
        holder.setLayout(column)
        holder.setMaximumWidth(READABLE_WIDTH)
        outer.addWidget(holder, 100)
        outer.addStretch(1)
        box.addLayout(outer)

    # -- state from the window ------------------------------------------------------------------
    def set_generating(self, generating: bool) -> None:
        self.generating = generating
        self._refresh_button()

    def set_can_send(self, can_send: bool, reason: str = "") -> None:
        self.can_send = can_send
        self.button.setToolTip(reason)
        self._refresh_button()

    def set_busy_elsewhere(self, busy: bool) -> None:
        """Send waits (and says why) while the model writes an answer into another conversation."""
        self.busy_elsewhere = busy
        self.note.setVisible(busy)
        self._refresh_button()

    def set_context_tokens(self, tokens: int) -> None:
        self.context_tokens = tokens
        self._update_warning()

    def text(self) -> str:
        return self.edit.toPlainText()

    def too_long(self) -> bool:
        chars = self.edit.document().characterCount()
        return bool(self.context_tokens) and approx_tokens(chars) > self.context_tokens

    # -- events --------------------------------------------------------------------------------
    def _refresh_button(self) -> None:
        self.button.setText(self.tr("Stop") if self.generating else self.tr("Send"))
        self.button.setEnabled(self.generating or (self.can_send and not self.busy_elsewhere))

    def _on_button(self) -> None:
        if self.generating:
            self.sig_stop_requested.emit()
        else:
            self._on_submit()

    def _on_escape(self) -> None:
        if self.generating:
            self.sig_stop_requested.emit()

    def _on_submit(self) -> None:
        text = self.text()
        if self.generating or self.busy_elsewhere or not self.can_send or not text.strip():
            return
        if self.too_long():
            self._update_warning()
            return
        self.sig_send_requested.emit(text)

    def _on_text_changed(self) -> None:
        self._count_timer.start()  # count after typing pauses, not at each keystroke
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow with the text from two lines up to ten, then scroll."""
        document = self.edit.document()
        if document.characterCount() > 20_000 or document.blockCount() > MAX_LINES:
            lines = MAX_LINES  # never lay out a huge paste just to measure it
        else:
            lines = min(MAX_LINES, max(MIN_LINES, document.size().height()))  # wrapped lines
        line = self.edit.fontMetrics().lineSpacing()
        margins = self.edit.contentsMargins()
        extra = margins.top() + margins.bottom() + 2 * self.edit.document().documentMargin() + 6
        self.edit.setFixedHeight(int(lines * line + extra))

    def _update_warning(self) -> None:
        chars = self.edit.document().characterCount()
        if self.too_long():
            self.warning.setText(self.tr(
                "This text is about {tokens} tokens, more than the {context} the model can read at once. "
                "Nothing was cut: shorten it or split it into several messages.").format(
                    tokens=format_number(approx_tokens(chars)), context=format_number(self.context_tokens)))
            self.warning.show()
        else:
            self.warning.hide()
