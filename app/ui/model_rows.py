"""The model manager's cards: the shared look (`Card`, badges, the memory warning) and `InstalledRow`, one model
on this computer with Use / Set as default / Delete. Rows only report requests; the dialog changes the registry.
The catalog's rows, which own their downloads, are in `catalog_row.py`.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from app.models.catalog import InstalledModel
from app.models.memory_fit import FitVerdict

from .plain_text import NAME_CHARS, one_line
from .units import arg, format_size

ROW_STYLE = """
QFrame#modelCard { border: 1px solid palette(midlight); border-radius: 8px; }
QLabel#cardTitle { font-weight: 600; }
QLabel#badge { border-radius: 4px; padding: 1px 6px; background: rgba(127, 127, 127, 0.18); }
QLabel#goodBadge { border-radius: 4px; padding: 1px 6px; background: rgba(40, 160, 80, 0.20); }
QLabel#warning { border-radius: 6px; padding: 6px 8px; background: rgba(230, 160, 0, 0.18); }
QFrame#errorBox { border-radius: 6px; background: rgba(220, 60, 60, 0.13); }
"""


# -- small widgets -------------------------------------------------------------------------------------------
class HeadingLabel(QLabel):
    """A label that keeps its text on one line while there is room, and wraps (at spaces, hyphens, slashes)
    rather than push the buttons beside it out of a narrow dialog: a long model name or error title."""

    def __init__(self, text: str = ""):
        super().__init__(text)
        self.setWordWrap(True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        margins = self.contentsMargins()
        one_line = self.fontMetrics().horizontalAdvance(self.text()) + margins.left() + margins.right() + 2
        return QSize(max(hint.width(), one_line), hint.height())


def label(text: str = "", name: str = "", *, muted: bool = False, wrap: bool = False,
          heading: bool = False) -> QLabel:
    """A selectable label; `muted` for secondary details, `name` for the style sheet; `heading`: see
    `HeadingLabel`."""
    widget = HeadingLabel(text) if heading else QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)  # names, paths and errors come from files and servers
    if name:
        widget.setObjectName(name)
    if muted:
        widget.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    widget.setWordWrap(wrap or heading)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def badge(text: str, name: str = "badge") -> QLabel:
    """A small rounded tag next to a title ("Default", "Linked"); "goodBadge" is the green one."""
    widget = QLabel(text)
    widget.setObjectName(name)
    widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
    return widget


def button(text: str, slot) -> QPushButton:
    widget = QPushButton(text)
    widget.clicked.connect(slot)
    return widget


class Card(QFrame):
    """A rounded frame: a title line (name, badges, buttons) then detail lines."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("modelCard")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(14, 12, 14, 12)
        self.body.setSpacing(6)
        self.head = QHBoxLayout()
        self.head.setSpacing(8)
        self.title = label(one_line(title, NAME_CHARS), "cardTitle", heading=True)
        self.head.addWidget(self.title)
        self.body.addLayout(self.head)

    def finish_head(self, *widgets: QWidget) -> None:
        self.head.addStretch(1)
        for widget in widgets:
            self.head.addWidget(widget)


def fit_warning(verdict: FitVerdict) -> str:
    """The "does not fit" sentence for a verdict, naming the smaller model to pick when there is one."""
    needed, available = format_size(verdict.needed_bytes), format_size(verdict.available_bytes)
    if verdict.suggestion is not None:
        return arg(QCoreApplication.translate(
            "ModelRows", "Too big for this computer: it needs about %1 of memory and %2 is available. "
                         "Try %3 instead, or close other programs."), needed, available, verdict.suggestion.name)
    return arg(QCoreApplication.translate(
        "ModelRows", "Too big for this computer: it needs about %1 of memory and %2 is available. "
                     "Close other programs and try again."), needed, available)


# -- installed ------------------------------------------------------------------------------------------------
class InstalledRow(Card):
    """One installed model: size, quantization, memory fit, default marker; Use / Set as default / Delete. The model
    the chat has loaded (`loaded`) reads "In use" instead of Use, disabled."""

    sig_use_requested = Signal(str)
    """The user wants to chat with this model; the argument is its id."""
    sig_set_default_requested = Signal(str)
    """The user wants this model loaded at start-up; the argument is its id."""
    sig_delete_requested = Signal(str)
    """The user wants this model deleted (or forgotten, for imports); the argument is its id."""

    def __init__(self, model: InstalledModel, verdict: FitVerdict, parent=None, *, loaded: bool = False):
        super().__init__(model.name, parent)
        self.model = model
        self.verdict = verdict
        self.loaded = loaded
        self.default_badge = badge(self.tr("Default"), "goodBadge")
        self.head.addWidget(self.default_badge)
        self.default_badge.setVisible(model.default)
        if model.by_reference:
            self.head.addWidget(badge(self.tr("Linked")))
        self.use_button = button(self.tr("In use") if loaded else self.tr("Use"), self._on_use_clicked)
        self.use_button.setEnabled(model.exists and not loaded)
        self.default_button = button(self.tr("Set as default"), self._on_set_default_clicked)
        self.default_button.setEnabled(not model.default)
        self.default_button.setVisible(not model.default)  # the badge says it already
        self.delete_button = button(self.tr("Forget") if model.by_reference else self.tr("Delete"),
                                     self._on_delete_clicked)
        self.finish_head(self.use_button, self.default_button, self.delete_button)
        self.details = label(self._details_text(), "details", muted=True, wrap=True)
        self.body.addWidget(self.details)
        if model.by_reference:
            self.body.addWidget(label(arg(self.tr("Linked from %1"), model.path), "location", muted=True, wrap=True))
        self.warning = label(self._warning_text(), "warning", wrap=True)
        self.warning.setVisible(bool(self.warning.text()))
        self.body.addWidget(self.warning)

    def _details_text(self) -> str:
        quantization = self.model.quantization or self.tr("unknown quantization")
        return arg(self.tr("%1 on disk · %2 · needs about %3 of memory"), format_size(self.model.size_bytes),
                   quantization, format_size(self.verdict.needed_bytes))

    def _warning_text(self) -> str:
        if not self.model.exists:
            return arg(self.tr("The model is missing from %1. Import it again, or forget it."), self.model.path)
        return "" if self.verdict.fits else fit_warning(self.verdict)

    @Slot()
    def _on_use_clicked(self) -> None:
        self.sig_use_requested.emit(self.model.id)

    @Slot()
    def _on_set_default_clicked(self) -> None:
        self.sig_set_default_requested.emit(self.model.id)

    @Slot()
    def _on_delete_clicked(self) -> None:
        self.sig_delete_requested.emit(self.model.id)
