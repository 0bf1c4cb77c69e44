"""Settings › Engine: chat with the model on this computer or with a remote OpenAI-compatible server (vLLM on
GPUs, another Octet's `runtime serve`): its base URL, its API key (kept in the keyring) and which of its models,
listed by "Test connection" off the GUI thread. `apply_engine` points the chat's engine at what the settings say.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from app.chat import runtime_messages
from app.chat.controller import ModelChoice, startup_model
from app.models import secrets
from app.settings import AppSettings
from runtime.worker.remote import RemoteClient, RemoteError, valid_base_url

from .model_tasks import BackgroundTask

_tests: list[BackgroundTask] = []  # running connection tests: a QThread must outlive its dialog


class EngineSection(QWidget):
    """The engine rows of the Settings dialog; `commit()` checks them and saves the key, `edited()` the rest."""

    def __init__(self, parent=None):
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.engine_combo = QComboBox()
        self.engine_combo.addItem(self.tr("This computer"), "local")
        self.engine_combo.addItem(self.tr("A server (OpenAI-compatible, e.g. vLLM)"), "server")
        self.engine_combo.currentIndexChanged.connect(self._on_engine_changed)
        form.addRow(self.tr("Engine"), self.engine_combo)
        self.url_field = QLineEdit()
        self.url_field.setPlaceholderText("http://gpu-server:8000/v1")
        form.addRow(self.tr("Server address"), self.url_field)
        self.key_field = QLineEdit()
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText(self.tr("Saved in the system keyring") if secrets.load_remote_key()
                                          else self.tr("The server's API key, if it needs one"))
        form.addRow(self.tr("API key"), self.key_field)
        form.addRow(self.tr("Server model"), self._model_row())
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # the server's own words
        form.addRow("", self.message)
        self.server_rows = (self.url_field, self.key_field, self.model_combo, self.test_button)

    def _model_row(self) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.model_combo = QComboBox()
        self.model_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self._on_test_clicked)
        layout.addWidget(self.model_combo, 1)
        layout.addWidget(self.test_button)
        return row

    # -- values --------------------------------------------------------------------------------------------------
    def show_settings(self, settings: AppSettings) -> None:
        self.engine_combo.setCurrentIndex(max(self.engine_combo.findData(settings.engine), 0))
        self.url_field.setText(settings.server_url)
        self._show_models([settings.server_model] if settings.server_model else [], settings.server_model)
        self._on_engine_changed()

    def edited(self, settings: AppSettings) -> AppSettings:
        """`settings` with the engine fields as the widgets say (a URL that is not valid is kept out)."""
        url = self.url_field.text().strip()
        return replace(settings, engine=self.engine_combo.currentData(), server_url=url if valid_base_url(url) else "",
                       server_model=self.model_combo.currentData() or "")

    def commit(self) -> bool:
        """Check the server's address and save a new key; False (and a message here) when Save must wait."""
        if self.engine_combo.currentData() == "server" and not valid_base_url(self.url_field.text()):
            self._say(self.tr("Enter the server's base URL: http:// or https://, its host, and a path ending in "
                              "/v1, e.g. http://gpu-server:8000/v1"), error=True)
            return False
        key = self.key_field.text().strip()
        if key:
            try:
                secrets.save_remote_key(key)
            except secrets.KeyringUnavailable as error:
                self._say(str(error), error=True)
                return False
            self.key_field.clear()
        return True

    # -- testing the connection ----------------------------------------------------------------------------------
    @Slot()
    def _on_test_clicked(self) -> None:
        url = self.url_field.text().strip()
        if not valid_base_url(url):
            self.commit()  # says what the address must look like
            return
        key = self.key_field.text().strip() or secrets.load_remote_key()
        self.test_button.setEnabled(False)
        self._say(self.tr("Connecting to {server}…").format(server=url))
        _tests[:] = [task for task in _tests if task.is_running()]
        task = BackgroundTask(lambda: list_server_models(url, key))
        task.sig_succeeded.connect(self._on_test_finished)
        task.sig_failed.connect(self._on_test_failed)
        _tests.append(task)
        task.start()

    @Slot(object)
    def _on_test_finished(self, answer: dict) -> None:
        self.test_button.setEnabled(True)
        if "error" in answer:
            self._say(runtime_messages.error_text(answer["error"]), error=True)
            return
        models = answer["models"]
        self._show_models(models, self.model_combo.currentData() or "")
        self._say(self.tr("Connected: the server has %n model(s).", "", len(models)))

    @Slot(str)
    def _on_test_failed(self, message: str) -> None:
        self.test_button.setEnabled(True)
        self._say(message, error=True)

    # -- helpers -------------------------------------------------------------------------------------------------
    def _show_models(self, models: list[str], chosen: str) -> None:
        self.model_combo.clear()
        for model in models:
            self.model_combo.addItem(model, model)  # the server's ids: plain text in a combo box
        if chosen and chosen not in models:
            self.model_combo.addItem(self.tr("{model} (not on this server)").format(model=chosen), chosen)
        self.model_combo.setCurrentIndex(max(self.model_combo.findData(chosen), 0))

    @Slot()
    def _on_engine_changed(self) -> None:
        for widget in self.server_rows:
            widget.setEnabled(self.engine_combo.currentData() == "server")

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c0392b;" if error else "")
        self.message.setText(text)


def list_server_models(url: str, key: str) -> dict:
    """{"models": [ids]} or {"error": the protocol error event}: blocking, for a BackgroundTask."""
    try:
        return {"models": [model["id"] for model in RemoteClient(url, key).list_models()]}
    except RemoteError as error:
        return {"error": error.event}


def server_url(settings: AppSettings) -> str | None:
    """The server the settings choose as the engine; None for this computer."""
    return settings.server_url if settings.engine == "server" and valid_base_url(settings.server_url) else None


def remote_choice(settings: AppSettings) -> ModelChoice:
    """The server's model to load ("." asks for its first one)."""
    return ModelChoice(Path(settings.server_model or "."), settings.server_model)


def apply_engine(controller, settings: AppSettings) -> bool:
    """Point the chat's engine at the one `settings` choose and load its model; False when it already was."""
    url = server_url(settings)
    key = secrets.load_remote_key() if url else ""
    bridge = controller.bridge
    if url == bridge.server_url and (url is None or (bridge.client.api_key == key and controller.model is not None
                                                     and controller.model.name == settings.server_model)):
        return False
    bridge.use_server(url, key)
    controller.load_model(remote_choice(settings) if url else startup_model())
    return True
