"""The sidebar's list widget and how it shows a search hit.

`ConversationList` is a QListWidget that never makes a conversation current by itself: Qt's item views make the
first row current when they get the keyboard focus without one (the window activated again, Tab), and the sidebar
opens the current conversation, so a chat would open without the user asking. `SearchHitView` shows a hit: the
conversation's title and a snippet of the matching text with the matched words in bold. Titles and snippets come
from users and models: everything is escaped before the only markup, <b>, is added.
"""
import html

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from .theme import S


def snippet_html(snippet: str, highlights) -> str:
    """`snippet` as rich text for a QLabel: all of it escaped, the spans of `highlights` ((start, end) offsets,
    possibly overlapping) wrapped in <b>."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(snippet), e)) for s, e in highlights):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, at = [], 0
    for start, end in merged:
        pieces.append(html.escape(snippet[at:start]))
        pieces.append("<b>" + html.escape(snippet[start:end]) + "</b>")
        at = end
    pieces.append(html.escape(snippet[at:]))
    return "".join(pieces)


class SearchHitView(QWidget):
    """One search hit in the list: the title on a line, then the snippet (wrapped) with the matches in bold.
    Clicks go through to the list, which selects the hit's row."""

    def __init__(self, title: str, snippet: str, highlights, parent=None):
        super().__init__(parent)
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        box = QVBoxLayout(self)
        box.setContentsMargins(S(3), S(1), S(3), S(1))
        box.setSpacing(0)
        self.title = QLabel(title, self, objectName="Title")
        self.title.setTextFormat(Qt.PlainText)
        self.snippet = QLabel(self, objectName="Muted", wordWrap=True)
        self.snippet.setTextFormat(Qt.RichText)  # escaped by snippet_html: only its <b> is markup
        self.snippet.setTextInteractionFlags(Qt.NoTextInteraction)
        self.snippet.setOpenExternalLinks(False)
        self.snippet.setText(snippet_html(snippet, highlights))
        box.addWidget(self.title)
        box.addWidget(self.snippet)


class ConversationList(QListWidget):
    """The sidebar's list (see the module's docstring): focus alone selects nothing, and search hits' rows are
    as tall as their wrapped snippets."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.focus_arriving = False  # the sidebar ignores current-row changes while it is True

    def focusInEvent(self, event):  # noqa: N802 (Qt's name)
        had_current = self.currentItem() is not None
        self.focus_arriving = True
        try:
            super().focusInEvent(event)
            if not had_current and self.currentItem() is not None:
                self.setCurrentRow(-1)  # Qt chose the first row: the user did not
        finally:
            self.focus_arriving = False

    def fit_item_widgets(self) -> None:
        """Give each row that shows a widget (a search hit) the height its widget needs at the list's width."""
        width = max(self.viewport().width(), 120)
        for row in range(self.count()):
            item = self.item(row)
            widget = self.itemWidget(item)
            if widget is not None:
                item.setSizeHint(QSize(width, widget.heightForWidth(width)))

    def resizeEvent(self, event):  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit_item_widgets()
