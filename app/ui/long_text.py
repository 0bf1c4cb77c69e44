"""Messages too long to lay out at once. Rendering Markdown, and even laying out plain text, takes time in
proportion to the text (and Qt wraps a line without spaces in a time that grows with its square), so a
message longer than `LONG_CHARS` characters or `LONG_LINES` lines, or with a run of more than `LONG_RUN_CHARS`
characters without a space, first shows its start (`preview()`) as plain text, with a "Show all" button.
Show all puts the whole text, as plain text, in a `WholeTextView`: a read-only box of bounded height with its
own scroll bar, which lays out only what is on screen and is filled a piece per event-loop turn. Plain text
with a run longer than a line wraps anywhere (`wrap_mode()`): Qt then lays it out in linear time.
"""
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor, QTextOption
from PySide6.QtWidgets import QFrame, QPlainTextEdit

LONG_CHARS = 16_000
LONG_LINES = 400
LONG_RUN_CHARS = 1_000
ANYWHERE_RUN_CHARS = 200  # longer than any line: wrapping it anywhere looks the same
PREVIEW_CHARS = 4_000
PREVIEW_LINES = 80
FILL_CHARS = 100_000  # a whole text goes into its view this much per event-loop turn
VIEW_HEIGHT = 480


def longest_run(text: str) -> int:
    """The length of the longest run of characters without a space (linear in the text, unlike a regex)."""
    return max(map(len, text.split()), default=0)


def is_long(text: str) -> bool:
    return len(text) > LONG_CHARS or text.count("\n") >= LONG_LINES or longest_run(text) > LONG_RUN_CHARS


def wrap_mode(text: str) -> QTextOption.WrapMode:
    """How plain `text` wraps: at word boundaries, or anywhere when it has a run longer than a line (wrapping a
    run without spaces at a word boundary takes a time that grows with the square of its length)."""
    if longest_run(text) > ANYWHERE_RUN_CHARS:
        return QTextOption.WrapMode.WrapAnywhere
    return QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere


def preview(text: str) -> str:
    """The start of a long text: at most `PREVIEW_CHARS` characters and `PREVIEW_LINES` lines."""
    return "\n".join(text[:PREVIEW_CHARS].split("\n", PREVIEW_LINES)[:PREVIEW_LINES])


class WholeTextView(QPlainTextEdit):
    """All of a long message as plain text, read-only, in a box of bounded height with its own scroll bar."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)  # filling it in pieces must not keep a copy of each
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFixedHeight(VIEW_HEIGHT)
        self._rest = ""
        self._fill_timer = QTimer(self, singleShot=True, interval=0)
        self._fill_timer.timeout.connect(self._fill_more)

    def show_text(self, text: str) -> None:
        """Show `text`: its first piece now, the others at the next turns of the event loop."""
        self.setWordWrapMode(wrap_mode(text))
        self.setPlainText(text[:FILL_CHARS])
        self._rest = text[FILL_CHARS:]
        if self._rest:
            self._fill_timer.start()

    def filled(self) -> bool:
        """Whether all of the text is in the view."""
        return not self._rest

    def _fill_more(self) -> None:
        piece, self._rest = self._rest[:FILL_CHARS], self._rest[FILL_CHARS:]
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(piece)
        if self._rest:
            self._fill_timer.start()
