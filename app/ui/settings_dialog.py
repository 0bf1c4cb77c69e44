"""The Settings dialog: edits a copy of `AppSettings`; on Save it writes settings.json (and the chosen default
model to the registry, a new Hugging Face token or server API key to the keyring), emits `sig_settings_changed`
when something changed, and `result_settings()` returns the saved copy. Cancel changes nothing.
"""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTabWidget, QVBoxLayout, QWidget)

from app import settings as app_settings
from app.models import catalog as registry
from app.models import secrets
from app.models.memory_fit import kv_cache_size
from app.settings import CONTEXT_RANGE, FONT_SIZE_RANGE, AppSettings
from runtime.paths import data_dir

from .plain_text import NAME_CHARS, one_line
from .settings_chat_state import ChatStateSection
from .settings_engine import EngineSection
from .settings_server import LocalServerSection
from .units import arg, format_size

LANGUAGE_NAMES = (("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español"), ("it", "Italiano"))


class SettingsDialog(QDialog):
    """Three tabs: the application (appearance, language, network, data folder and saved chat state), the model
    (context, KV cache, threads, and the engine: `settings_engine`) and the local API server (`settings_server`)."""

    sig_settings_changed = Signal(object)
    """The user saved different settings; the argument is the new `AppSettings`."""
    sig_clear_chat_state_requested = Signal()
    """The user asked to remove every saved chat state now (`settings_chat_state`)."""

    def __init__(self, settings: AppSettings, parent=None):
        super().__init__(parent)
        self.original = settings
        self._result = settings
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumWidth(680)  # the longest rows (French, German) whole
        self.tabs = QTabWidget()  # one page per subject: all in one column was 1,069 px high, past a laptop's screen
        self.form = self._page(self.tr("Application"))
        self._build_appearance()
        self._build_network()
        self._build_data()
        self.form = self._page(self.tr("Model"))
        self._build_model()
        self._section(self.tr("Engine"))
        self.engine_section = EngineSection(self)
        self.form.addRow(self.engine_section)
        self.form = self._page(self.tr("Local server"))
        self.local_server_section = LocalServerSection(self)
        self.form.addRow(self.local_server_section)
        self._build_layout()
        self._show(settings)

    # -- building ------------------------------------------------------------------------------------------------
    def _page(self, title: str) -> QFormLayout:
        """A new tab titled `title`; its form is where the rows built next go."""
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(16, 12, 16, 12)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.tabs.addTab(page, title)
        return form

    def _section(self, title: str) -> None:
        label = QLabel(title)
        label.setStyleSheet("font-weight: 600; font-size: 12pt;")
        if self.form.rowCount():
            label.setContentsMargins(0, 10, 0, 0)
        self.form.addRow(label)

    def _build_appearance(self) -> None:
        self._section(self.tr("Appearance"))
        self.theme_combo = QComboBox()
        for value, text in (("system", self.tr("Same as the system")), ("light", self.tr("Light")),
                            ("dark", self.tr("Dark"))):
            self.theme_combo.addItem(text, value)
        self.form.addRow(self.tr("Theme"), self.theme_combo)
        self.font_size_spin = QSpinBox()
        self.font_size_spin.setRange(*FONT_SIZE_RANGE)
        self.font_size_spin.setSuffix(self.tr(" pt"))
        self.form.addRow(self.tr("Text size"), self.font_size_spin)
        self.language_combo = QComboBox()
        for code, name in LANGUAGE_NAMES:
            self.language_combo.addItem(name, code)  # each language in its own name: not translated
        self.language_combo.addItem(self.tr("System (follow the computer)"), "")
        self.form.addRow(self.tr("Language"), self.language_combo)

    def _build_model(self) -> None:
        self._section(self.tr("Model"))
        self.default_model_combo = QComboBox()
        self.default_model_combo.addItem(self.tr("None"), "")
        for model in registry.installed_models():
            self.default_model_combo.addItem(one_line(model.name, NAME_CHARS), model.id)  # as wide as its longest item
        self.form.addRow(self.tr("Default model"), self.default_model_combo)
        self.context_spin = QSpinBox()
        self.context_spin.setRange(*CONTEXT_RANGE)
        self.context_spin.setSingleStep(512)
        self.context_spin.setSuffix(self.tr(" tokens"))
        self.kv_cache_label = QLabel()  # what the KV cache at this context costs the default model
        self.kv_cache_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.form.addRow(self.tr("Context length"), _side_by_side(self.context_spin, self.kv_cache_label))
        self.kv_cache_combo = QComboBox()
        self.kv_cache_combo.addItem(self.tr("Standard (16-bit)"), "bf16")
        self.kv_cache_combo.addItem(self.tr("Compact (8-bit, halves the cache)"), "int8")
        self.form.addRow(self.tr("KV cache"), self.kv_cache_combo)
        for signal in (self.context_spin.valueChanged, self.kv_cache_combo.currentIndexChanged,
                       self.default_model_combo.currentIndexChanged):
            signal.connect(self._on_memory_choice_changed)
        self.threads_spin = QSpinBox()
        self.threads_spin.setRange(0, max(64, app_settings.physical_cores() * 2))
        self.threads_spin.setSpecialValueText(arg(self.tr("Automatic (%1 cores)"), app_settings.physical_cores()))
        self.form.addRow(self.tr("CPU threads"), self.threads_spin)

    def _build_network(self) -> None:
        self._section(self.tr("Network"))
        self.offline_check = QCheckBox(self.tr("Offline mode: never connect to the internet"))
        self.form.addRow("", self.offline_check)
        self.token_field = QLineEdit()
        self.token_field.setEchoMode(QLineEdit.EchoMode.Password)
        has_token = secrets.load_token() is not None
        self.token_field.setPlaceholderText(self.tr("Saved in the system keyring") if has_token
                                            else self.tr("Only needed for gated models (hf_…)"))
        self.form.addRow(self.tr("Hugging Face token"), self.token_field)
        self.token_error = QLabel()
        self.token_error.setWordWrap(True)
        self.token_error.setTextFormat(Qt.TextFormat.PlainText)  # the keyring's message
        self.token_error.setStyleSheet("color: #c0392b;")
        self.token_error.hide()
        self.form.addRow("", self.token_error)

    def _build_data(self) -> None:
        self._section(self.tr("Data"))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.data_folder_field = QLineEdit(str(data_dir()))
        self.data_folder_field.setReadOnly(True)
        self.data_folder_field.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.open_folder_button = QPushButton(self.tr("Open folder"))
        self.open_folder_button.clicked.connect(self._on_open_folder_clicked)
        layout.addWidget(self.data_folder_field, 1)
        layout.addWidget(self.open_folder_button)
        self.form.addRow(self.tr("Data folder"), row)
        self.chat_state_section = ChatStateSection(self)
        self.chat_state_section.sig_clear_requested.connect(self.sig_clear_chat_state_requested)
        self.form.addRow(self.chat_state_section.label, self.chat_state_section)

    def _build_layout(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(22, 18, 22, 18)
        outer.setSpacing(16)
        outer.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)

    # -- values --------------------------------------------------------------------------------------------------
    def _show(self, settings: AppSettings) -> None:
        _select(self.theme_combo, settings.theme)
        _select(self.language_combo, settings.language)
        chosen = registry.get_installed(settings.default_model) if settings.default_model else None
        _select(self.default_model_combo, getattr(chosen or registry.default_model(), "id", ""))
        self.font_size_spin.setValue(settings.font_size)
        self.context_spin.setValue(settings.context_length)
        _select(self.kv_cache_combo, settings.kv_cache)
        self._on_memory_choice_changed()
        self.threads_spin.setValue(settings.threads)
        self.offline_check.setChecked(settings.offline)
        self.engine_section.show_settings(settings)
        self.chat_state_section.show_settings(settings)
        self.local_server_section.show_settings(settings)

    def edited_settings(self) -> AppSettings:
        """What the widgets say now, as a copy of the settings the dialog was given."""
        edited = replace(self.original, theme=self.theme_combo.currentData(), font_size=self.font_size_spin.value(),
                         threads=self.threads_spin.value(), default_model=self.default_model_combo.currentData(),
                         language=self.language_combo.currentData(), offline=self.offline_check.isChecked(),
                         context_length=self.context_spin.value(), kv_cache=self.kv_cache_combo.currentData())
        return self.local_server_section.edited(self.chat_state_section.edited(self.engine_section.edited(edited)))

    def result_settings(self) -> AppSettings:
        """The settings saved by the last accept (the original ones after Cancel)."""
        return self._result

    # -- saving --------------------------------------------------------------------------------------------------
    def accept(self) -> None:
        if not self._save_token() or not self.engine_section.commit() or not self.local_server_section.commit():
            return
        edited = self.edited_settings()
        app_settings.save(edited)
        if edited.default_model and registry.get_installed(edited.default_model) is not None:
            registry.set_default(model_id=edited.default_model)
        self._result = edited
        if edited != self.original:
            self.sig_settings_changed.emit(edited)
        super().accept()

    def _save_token(self) -> bool:
        token = self.token_field.text().strip()
        if not token:
            return True
        try:
            secrets.save_token(token)
        except secrets.KeyringUnavailable as error:
            self.token_error.setText(str(error))
            self.token_error.show()
            return False
        self.token_field.clear()
        return True

    @Slot()
    def _on_memory_choice_changed(self) -> None:
        """Show what the KV cache costs at the chosen context and cache type, for the default model."""
        model = registry.get_installed(self.default_model_combo.currentData() or "")
        size = kv_cache_size(model or 0, context_tokens=self.context_spin.value(),
                             kv_cache=self.kv_cache_combo.currentData() or "bf16")
        self.kv_cache_label.setText(arg(self.tr("KV cache: %1"), format_size(size)))

    @Slot()
    def _on_open_folder_clicked(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(data_dir())))


def _side_by_side(*widgets: QWidget) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return row


def _select(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))

