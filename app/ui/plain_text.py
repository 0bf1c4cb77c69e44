"""Text that comes from a user, a model or a file, shown as what it is: never read as HTML (a title such as
`<img src="/dev/zero">` would make Qt read that file), on one line and bounded where it is a title or a name.

`one_line()` bounds and flattens a title for a list or a heading; `tooltip()` escapes text for a tooltip,
which Qt reads as HTML whenever it looks like HTML; `plain()` marks labels as plain text; `ElidedLabel` is a
plain, one-line label that ends in "…" when it has less room than its text needs, so that it never makes a
window wider. The Markdown view (`SafeBrowser`) is the only place where such text is rich text.
"""
import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QStyleOption

from app.history.records import TITLE_MAX_CHARS

SHOWN_CHARS = TITLE_MAX_CHARS  # a title is shown at most this long (and stored so: `clean_title`)
NAME_CHARS = 100  # a model's name, in a row beside its buttons
TOOLTIP_CHARS = 1000


def one_line(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` on one line (line breaks and tabs as spaces), cut to `limit` characters with "…"."""
    head = text[:limit + 1]  # never look further: a title may be megabytes long
    flat = " ".join(head.split())
    if len(flat) > limit or len(text) > len(head):
        return flat[:limit - 1].rstrip() + "…"
    return flat


def tooltip(text: str, limit: int = TOOLTIP_CHARS) -> str:
    """Rich text that shows `text` (cut to `limit` characters) literally: Qt takes a tooltip for HTML when it
    looks like HTML, so plain text cannot be given as it is. Empty text stays empty (no tooltip)."""
    if not text:
        return ""
    shown = text if len(text) <= limit else text[:limit - 1] + "…"
    return "<p>" + html.escape(shown).replace("\n", "<br>") + "</p>"


def plain(*labels: QLabel) -> None:
    """Show the labels' text as plain text, whatever it looks like."""
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


class ElidedLabel(QLabel):
    """A plain-text label on one line that elides its text at the right when narrower than it; `text()` is the
    text given, flattened and bounded by `one_line()`. Its tooltip shows the whole text when it is cut."""

    def __init__(self, text: str = "", parent=None, **options):
        super().__init__("", parent, **options)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        shown = one_line(text)
        super().setText(shown)
        self.setToolTip(tooltip(text) if shown != text else "")

    def sizeHint(self) -> QSize:  # noqa: N802
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.text()) + margins.left() + margins.right() + 2
        return QSize(width, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.fontMetrics().horizontalAdvance("…") * 4, super().minimumSizeHint().height())

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        self.style().drawItemText(painter, rect, int(self.alignment()) | int(Qt.TextFlag.TextSingleLine),
                                  option.palette, self.isEnabled(), shown, self.foregroundRole())

    def elided(self) -> str:
        """The text as it is painted now."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())
