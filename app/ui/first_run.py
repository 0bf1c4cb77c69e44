"""`FirstRunPanel`: what the main window shows instead of the chat while no model is installed.

Two lines of explanation and two requests (install the starter model, open the model manager) sent up as
signals; the main window runs the install and reports back with `set_busy()`, `set_error()` or `set_idle()`.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.models.catalog import get_entry

from .units import arg, format_size

STARTER_FALLBACK_BYTES = 98_362_432
CARD_WIDTH = 560  # the card's text wraps at this width; the card grows when its buttons need more (translations)
CARD_MARGIN = 32
PANEL_STYLE = """
QFrame#firstRunCard { border: 1px solid palette(midlight); border-radius: 12px; }
QLabel#firstRunTitle { font-size: 18pt; font-weight: 600; }
QLabel#firstRunError { border-radius: 6px; padding: 8px 10px; background: rgba(220, 60, 60, 0.13); }
"""


class FirstRunPanel(QWidget):
    """Welcome card with "Install the starter model" and "Open the model manager"."""

    sig_install_starter_requested = Signal()
    """The user asked to install the small starter model."""
    sig_open_model_manager_requested = Signal()
    """The user asked to open the model manager (to download or import a model)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setStyleSheet(PANEL_STYLE)
        self.card = card = QFrame()
        card.setObjectName("firstRunCard")
        card.setMaximumWidth(CARD_WIDTH)
        body = QVBoxLayout(card)
        body.setContentsMargins(CARD_MARGIN, 28, CARD_MARGIN, 28)
        body.setSpacing(12)
        self._build_text(body)
        self._build_buttons(body)
        self._build_status(body)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addStretch(1)
        self.set_idle()

    def _build_text(self, body: QVBoxLayout) -> None:
        title = QLabel(self.tr("Welcome to Octet"))
        title.setObjectName("firstRunTitle")
        explanation = QLabel(self.tr("Octet runs language models on this computer; nothing you type leaves it.\n"
                                     "To start, install the small starter model, or pick a larger model such "
                                     "as Mixtral in the model manager."))
        explanation.setWordWrap(True)
        explanation.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        body.addWidget(title)
        body.addWidget(explanation)

    def _build_buttons(self, body: QVBoxLayout) -> None:
        self.install_button = QPushButton(arg(self.tr("Install the starter model (%1)"), format_size(_starter_bytes())))
        self.install_button.setObjectName("Primary")  # the theme's accent button
        self.install_button.setDefault(True)
        self.install_button.clicked.connect(self._on_install_clicked)
        self.manager_button = QPushButton(self.tr("Open the model manager"))
        self.manager_button.clicked.connect(self._on_manager_clicked)
        self.button_row = row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.install_button)
        row.addWidget(self.manager_button)
        row.addStretch(1)
        body.addSpacing(6)
        body.addLayout(row)

    def _build_status(self, body: QVBoxLayout) -> None:
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("firstRunError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.progress, self.status_label, self.error_label):
            body.addWidget(widget)

    def showEvent(self, event):  # noqa: N802 (Qt's name)
        """Now that the style sheet is applied, widen the card if its two buttons need more than CARD_WIDTH."""
        needed = self.button_row.sizeHint().width() + 2 * CARD_MARGIN + 4  # + the card's border, both sides
        self.card.setMaximumWidth(max(CARD_WIDTH, needed))
        super().showEvent(event)

    # -- what the main window reports ----------------------------------------------------------------------------
    def set_busy(self, text: str) -> None:
        """Show work in progress ("Installing the starter model…"); the install button waits until it ends."""
        self._set_state(busy=True, status=text, error="")

    def set_error(self, text: str) -> None:
        """Show why the install failed; the buttons work again so the user can retry."""
        self._set_state(busy=False, status="", error=text)

    def set_idle(self) -> None:
        self._set_state(busy=False, status="", error="")

    def _set_state(self, *, busy: bool, status: str, error: str) -> None:
        self.install_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.status_label.setText(status)
        self.status_label.setVisible(bool(status))
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))

    @Slot()
    def _on_install_clicked(self) -> None:
        self.sig_install_starter_requested.emit()

    @Slot()
    def _on_manager_clicked(self) -> None:
        self.sig_open_model_manager_requested.emit()


def _starter_bytes() -> int:
    try:
        return get_entry("starter").size_bytes
    except (KeyError, OSError, ValueError):
        return STARTER_FALLBACK_BYTES
