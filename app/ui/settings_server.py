"""Settings › Local server: the worker serves the model it has loaded over the OpenAI-compatible API
(runtime/server, inside the worker), so editors, scripts and agents can use it. Off by default; this computer
only (127.0.0.1) unless the user picks the local network, which needs an API key (kept in the keyring). Shows the
address to copy and a short example. `apply_local_server` hands the settings to the engine bridge.
"""
from __future__ import annotations

import secrets as random_keys
import socket
from dataclasses import replace

import psutil
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QSpinBox, QWidget)

from app.models import secrets
from app.settings import LOCAL_SERVER_HOSTS, PORT_RANGE, AppSettings

LOOPBACK, NETWORK = LOCAL_SERVER_HOSTS
EXAMPLE = ('from openai import OpenAI\n'
           'client = OpenAI(base_url="{url}",\n'
           '                api_key="{key}")\n'
           'answer = client.chat.completions.create(\n'
           '    model="octet", messages=[{{"role": "user", "content": "Hi"}}])\n'
           'print(answer.choices[0].message.content)')
EXAMPLE_LINES = 6


class LocalServerSection(QWidget):
    """The local server rows of the Settings dialog; `commit()` checks them and saves a new key, `edited()` the rest."""

    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.enabled_check = QCheckBox(self.tr("Serve the loaded model to other programs (OpenAI-compatible API)"))
        form.addRow(self.enabled_check)  # the whole row: its sentence did not fit the field column
        self.host_combo = QComboBox()
        self.host_combo.addItem(self.tr("This computer only"), LOOPBACK)
        self.host_combo.addItem(self.tr("The local network (needs an API key)"), NETWORK)
        form.addRow(self.tr("Who may connect"), self.host_combo)
        self.port_spin = QSpinBox()
        self.port_spin.setRange(*PORT_RANGE)
        self.port_spin.setGroupSeparatorShown(False)
        form.addRow(self.tr("Port"), self.port_spin)
        form.addRow(self.tr("API key"), self._key_row())
        form.addRow(self.tr("Address"), self._address_row())
        self.example = QPlainTextEdit()  # plain text, selectable, scrolls sideways rather than wrapping code
        self.example.setReadOnly(True)
        self.example.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.example.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        margins = 2 * (self.example.document().documentMargin() + self.example.frameWidth())
        self.example.setFixedHeight(int(self.example.fontMetrics().lineSpacing() * (EXAMPLE_LINES + 1) + margins))
        form.addRow(self.tr("Example"), self.example)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # the keyring's own words
        self.message.setStyleSheet("color: #c0392b;")
        self.message.setMinimumHeight(2 * self.message.fontMetrics().lineSpacing())  # its room, kept: no overlap
        form.addRow(self.message)
        for signal in (self.enabled_check.toggled, self.host_combo.currentIndexChanged, self.port_spin.valueChanged,
                       self.key_field.textChanged):
            signal.connect(self._refresh)

    def _key_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.key_field = QLineEdit()
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText(self.tr("Saved in the system keyring") if secrets.load_local_server_key()
                                          else self.tr("Needed for the local network"))
        self.new_key_button = QPushButton(self.tr("New key"))
        self.new_key_button.clicked.connect(self._on_new_key_clicked)
        layout.addWidget(self.key_field, 1)
        layout.addWidget(self.new_key_button)
        return row

    def _address_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.address_field = QLineEdit()
        self.address_field.setReadOnly(True)
        self.copy_button = QPushButton(self.tr("Copy"))
        self.copy_button.clicked.connect(self._on_copy_clicked)
        layout.addWidget(self.address_field, 1)
        layout.addWidget(self.copy_button)
        return row

    # -- values ------------------------------------------------------------------------------------------------
    def show_settings(self, settings: AppSettings) -> None:
        self.enabled_check.setChecked(settings.local_server)
        self.host_combo.setCurrentIndex(max(0, self.host_combo.findData(settings.local_server_host)))
        self.port_spin.setValue(settings.local_server_port)
        self._refresh()

    def edited(self, settings: AppSettings) -> AppSettings:
        return replace(settings, local_server=self.enabled_check.isChecked(),
                       local_server_host=self.host_combo.currentData(), local_server_port=self.port_spin.value())

    def commit(self) -> bool:
        """Check the rows and keep a new key in the keyring; False (and a message) when they cannot be saved."""
        key = self.key_field.text().strip()
        if self.enabled_check.isChecked() and self.host_combo.currentData() == NETWORK and not key \
                and not secrets.load_local_server_key():
            return self._refuse(self.tr("The local network needs an API key: press “New key” (or type one), or "
                                        "serve to this computer only."))
        if not key:
            return True
        try:
            secrets.save_local_server_key(key)
        except secrets.KeyringUnavailable as error:
            return self._refuse(str(error))
        return True

    def url(self) -> str:
        host = lan_address() if self.host_combo.currentData() == NETWORK else LOOPBACK
        return f"http://{host}:{self.port_spin.value()}/v1"

    # -- slots -------------------------------------------------------------------------------------------------
    @Slot()
    def _refresh(self) -> None:
        self.address_field.setText(self.url())
        shown_key = self.key_field.text().strip() if self.key_field.echoMode() == QLineEdit.EchoMode.Normal else ""
        self.example.setPlainText(EXAMPLE.format(url=self.url(), key=shown_key or self.tr("your key, or any text")))
        for widget in (self.host_combo, self.port_spin, self.key_field, self.new_key_button):
            widget.setEnabled(self.enabled_check.isChecked())
        self.message.clear()

    @Slot()
    def _on_new_key_clicked(self) -> None:
        self.key_field.setEchoMode(QLineEdit.EchoMode.Normal)  # a new key is shown once, to copy into the client
        self.key_field.setText(random_keys.token_urlsafe(24))

    @Slot()
    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.address_field.text())

    def _refuse(self, text: str) -> bool:
        self.message.setText(text)
        return False


def lan_address() -> str:
    """This computer's first IPv4 address on a network (its name when it has none)."""
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                return address.address
    return socket.gethostname()


def serve_fields(settings: AppSettings) -> dict | None:
    """The fields of the worker's `serve` request for these settings (None: the server is off)."""
    if not settings.local_server:
        return None
    return {"host": settings.local_server_host, "port": settings.local_server_port,
            "api_key": secrets.load_local_server_key() or None}


def apply_local_server(bridge, settings: AppSettings) -> None:
    """Start, move or stop the local API server as the settings say (once a model is loaded)."""
    bridge.set_local_server(serve_fields(settings))
