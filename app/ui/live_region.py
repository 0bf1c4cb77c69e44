"""What a screen reader should say without the user moving there: the end of an answer. A `LiveRegion` is a small
label (in the status bar) whose text and accessible name carry the last announcement; each announcement also goes
to the assistive technology as a name change and, on Qt 6.8+, as a polite announcement event (AT-SPI's
Announcement, UIA's notification, NSAccessibility's announcement): the desktop's counterpart of an ARIA live region.
"""
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAccessible

from .plain_text import ElidedLabel, tooltip

try:  # Qt 6.8+
    from PySide6.QtGui import QAccessibleAnnouncementEvent
except ImportError:  # pragma: no cover - an older PySide6: the name change alone is announced
    QAccessibleAnnouncementEvent = None

translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call
SUMMARY_CHARS = 120


def summary(text: str, *, limit: int = SUMMARY_CHARS) -> str:
    """The start of an answer on one line, cut at a word: what is read out after "Answer finished"."""
    words = " ".join(text.replace("\0", " ").split())
    if len(words) <= limit:
        return words
    cut = words[:limit].rsplit(" ", 1)[0] or words[:limit]
    return cut.rstrip(" ,;:.-") + "…"


def answer_announcement(message, *, elsewhere_title: str | None = None) -> str:
    """What to announce when an answer ends: finished, stopped or failed, then the start of its text; when
    it was written in a conversation not on show (`elsewhere_title`), that conversation's title."""
    state = getattr(message, "state", "error") if message is not None else "error"
    text = summary(message.content) if message is not None else ""
    if state == "complete":
        said = translate("LiveRegion", "Answer finished.")
    elif state == "stopped":
        said = translate("LiveRegion", "Answer stopped.")
    else:
        said = translate("LiveRegion", "The answer failed.")
    if elsewhere_title is not None:
        said += " " + translate("LiveRegion", "In the chat “{title}”.").format(title=elsewhere_title)
    return f"{said} {text}".strip()


class LiveRegion(ElidedLabel):  # plain text, one line, elided: it holds a model's text and a title
    """A label whose changes are announced to screen readers (see the module's docstring)."""

    def __init__(self, parent=None):
        super().__init__("", parent)
        self.setObjectName("Muted")
        self.setTextFormat(Qt.PlainText)
        self.setAccessibleName("")
        self.setAccessibleDescription(translate("LiveRegion", "Announcements"))
        self.announcements = 0

    def announce(self, text: str) -> None:
        self.setText(text)
        self.setToolTip(tooltip(text))  # escaped: Qt reads a tooltip that looks like HTML as HTML
        self.setAccessibleName(text)  # Qt sends the assistive technology a NameChanged event for it
        self.announcements += 1
        if QAccessibleAnnouncementEvent is not None:
            QAccessible.updateAccessibility(self.announcement_event(text))

    def announcement_event(self, text: str):
        event = QAccessibleAnnouncementEvent(self, text)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Polite)  # after what is being read, not over it
        return event
