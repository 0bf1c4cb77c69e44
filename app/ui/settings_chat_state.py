"""Settings › Data › Saved chat state: the disk budget for the computed state of conversations (so that reopening
one does not read it again; applied at the next model load) and a button that clears it all now.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from app.settings import CHAT_STATE_DISK_RANGE, AppSettings

STEP_MB = 512


class ChatStateSection(QWidget):
    """The saved-chat-state rows of the Settings dialog."""

    sig_clear_requested = Signal()
    """The user asked to remove every saved chat state now."""

    def __init__(self, parent=None):
        super().__init__(parent)
        layout = QHBoxLayout(self)  # the field of a row of the dialog's form; `label` is that row's label
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self.tr("Saved chat state"))
        self.disk_spin = QSpinBox()
        self.disk_spin.setRange(*CHAT_STATE_DISK_RANGE)
        self.disk_spin.setSingleStep(STEP_MB)
        self.disk_spin.setSuffix(self.tr(" MB"))
        self.disk_spin.setSpecialValueText(self.tr("Off: nothing saved"))
        self.disk_spin.setMinimumWidth(110)  # not as wide as its longest text: the row's label stays whole
        self.disk_spin.setToolTip(self.tr("Disk space for the computed state of recent conversations, so that "
                                          "reopening one does not read it again; the least recently used goes first"))
        self.clear_button = QPushButton(self.tr("Clear saved chat state"))
        self.clear_button.clicked.connect(self._on_clear_clicked)
        layout.addWidget(self.disk_spin, 1)
        layout.addWidget(self.clear_button)

    def show_settings(self, settings: AppSettings) -> None:
        self.disk_spin.setValue(settings.chat_state_disk_mb)

    def edited(self, settings: AppSettings) -> AppSettings:
        return replace(settings, chat_state_disk_mb=self.disk_spin.value())

    @Slot()
    def _on_clear_clicked(self) -> None:
        self.sig_clear_requested.emit()
        self.clear_button.setEnabled(False)  # done: nothing left to clear while the dialog is open
