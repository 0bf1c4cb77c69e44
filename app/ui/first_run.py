"""`FirstRunPanel`: what the main window shows instead of the chat while no model is installed.

Two lines of explanation and two requests sent up as signals: from source, install the starter model or open the
model manager; in the packaged app, which cannot fetch the starter (it comes as a Python package), import a GGUF
file or open the model manager to download one. The main window runs the work and reports back with `set_busy()`,
`set_error()` or `set_idle()`.
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QVBoxLayout,
                               QWidget)

from app.models import runtime_command
from app.models.catalog import get_entry

from .units import arg, format_size

STARTER_FALLBACK_BYTES = 98_362_432
CARD_WIDTH = 560  # the card's text wraps at this width; the card grows when its buttons need more (translations,
#                   a larger text size)
CARD_MARGIN = 32
PANEL_STYLE = """
QFrame#firstRunCard { border: 1px solid palette(midlight); border-radius: 12px; }
QLabel#firstRunTitle { font-size: 18pt; font-weight: 600; }
QLabel#firstRunError { border-radius: 6px; padding: 8px 10px; background: rgba(220, 60, 60, 0.13); }
"""


class _Card(QFrame):
    """The panel's rounded card: CARD_WIDTH wide, or as wide as its contents need (its buttons never get squeezed:
    the width follows their text at the current font, language and style, whenever those change)."""

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        hint = super().sizeHint()
        return QSize(max(CARD_WIDTH, self.minimumSizeHint().width()), hint.height())


class FirstRunPanel(QWidget):
    """Welcome card with the first step this installation can take, and "Open the model manager"."""

    sig_install_starter_requested = Signal()
    """The user asked to install the small starter model (from source only)."""
    sig_import_file_requested = Signal()
    """The user asked to import a GGUF file (the packaged app's main action)."""
    sig_open_model_manager_requested = Signal()
    """The user asked to open the model manager (to download or import a model)."""
    sig_error_shown = Signal(str)
    """The install or import failed; the argument is the message now shown."""

    def __init__(self, parent=None, *, packaged: bool | None = None):
        super().__init__(parent)
        self.packaged = runtime_command.is_frozen() if packaged is None else packaged
        """The packaged app cannot fetch the starter model: its main action is importing a GGUF file."""
        self.preset_import_path: str | None = None
        """A file to import without asking (the packaged app's self-test, app/startup/smoke_run.py)."""
        self.setStyleSheet(PANEL_STYLE)
        self.card = card = _Card()
        card.setObjectName("firstRunCard")
        card.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
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
        if self.packaged:
            text = self.tr("Octet runs language models on this computer; nothing you type leaves it.\n"
                           "To start, import a GGUF model file you already have, or download a model such as "
                           "Mixtral in the model manager.")
        else:
            text = self.tr("Octet runs language models on this computer; nothing you type leaves it.\n"
                           "To start, install the small starter model, or pick a larger model such "
                           "as Mixtral in the model manager.")
        explanation = QLabel(text)
        explanation.setWordWrap(True)
        explanation.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        body.addWidget(title)
        body.addWidget(explanation)

    def _build_buttons(self, body: QVBoxLayout) -> None:
        self.install_button: QPushButton | None = None
        self.import_button: QPushButton | None = None
        if self.packaged:
            self.import_button = QPushButton(self.tr("Import a GGUF file…"))
            self.import_button.clicked.connect(self._on_import_clicked)
            self.main_button = self.import_button
        else:
            self.install_button = QPushButton(arg(self.tr("Install the starter model (%1)"),
                                                  format_size(_starter_bytes())))
            self.install_button.clicked.connect(self._on_install_clicked)
            self.main_button = self.install_button
        self.main_button.setObjectName("Primary")  # the theme's accent button
        self.main_button.setDefault(True)
        self.manager_button = QPushButton(self.tr("Open the model manager"))
        self.manager_button.clicked.connect(self._on_manager_clicked)
        self.button_row = row = QHBoxLayout()
        row.setSpacing(10)
        row.addWidget(self.main_button)
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
        for label in (self.status_label, self.error_label):
            label.setTextFormat(Qt.TextFormat.PlainText)  # errors hold paths and messages from elsewhere
        for widget in (self.progress, self.status_label, self.error_label):
            body.addWidget(widget)

    # -- what the main window reports ----------------------------------------------------------------------------
    def set_busy(self, text: str) -> None:
        """Show work in progress ("Installing the starter model…"); the main button waits until it ends."""
        self._set_state(busy=True, status=text, error="")

    def set_error(self, text: str) -> None:
        """Show why the install or import failed; the buttons work again so the user can retry."""
        self._set_state(busy=False, status="", error=text)
        self.sig_error_shown.emit(text)

    def set_idle(self) -> None:
        self._set_state(busy=False, status="", error="")

    def _set_state(self, *, busy: bool, status: str, error: str) -> None:
        self.main_button.setEnabled(not busy)
        self.progress.setVisible(busy)
        self.status_label.setText(status)
        self.status_label.setVisible(bool(status))
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))

    @Slot()
    def _on_install_clicked(self) -> None:
        self.sig_install_starter_requested.emit()

    @Slot()
    def _on_import_clicked(self) -> None:
        self.sig_import_file_requested.emit()

    @Slot()
    def _on_manager_clicked(self) -> None:
        self.sig_open_model_manager_requested.emit()


def _starter_bytes() -> int:
    try:
        return get_entry("starter").size_bytes
    except (KeyError, OSError, ValueError):
        return STARTER_FALLBACK_BYTES
