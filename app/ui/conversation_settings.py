"""The settings of one conversation: its system prompt, the language answers are written in (the user's,
or a fixed one), and how the model samples (temperature, top-p, top-k, min-p, repetition penalty, max
tokens, seed), starting from the loaded model's defaults.
"""
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout)

from app.chat.prompts import ANSWER_LANGUAGE_KEY, NATIVE_NAMES, answer_language_of

from .theme import S

RANDOM_SEED = -1


class ConversationSettingsDialog(QDialog):
    def __init__(self, *, system_prompt: str, settings: dict, defaults: dict, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Conversation settings"))
        self.setMinimumWidth(520)
        self.defaults = defaults
        self.prompt = QPlainTextEdit(system_prompt, self)
        self.prompt.setPlaceholderText(self.tr("You are a helpful assistant. (optional)"))
        self.prompt.setMaximumHeight(120)
        self.fields = {
            "temperature": self._double(0.0, 2.0, 0.05, 2),
            "top_p": self._double(0.0, 1.0, 0.01, 2),
            "top_k": self._int(0, 1000),
            "min_p": self._double(0.0, 1.0, 0.01, 2),
            "repetition_penalty": self._double(1.0, 2.0, 0.01, 2),
            "max_tokens": self._int(1, 32768),
            "seed": self._int(RANDOM_SEED, 2**31 - 1),
        }
        self.fields["seed"].setSpecialValueText(self.tr("random"))
        self.answer_language = QComboBox(self)
        self.answer_language.addItem(self.tr("The language of your message"), "")
        for code, name in NATIVE_NAMES.items():
            self.answer_language.addItem(name, code)
        self._layout()
        self._show(settings)

    def _double(self, low, high, step, decimals) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setRange(low, high)
        box.setSingleStep(step)
        box.setDecimals(decimals)
        return box

    def _int(self, low, high) -> QSpinBox:
        box = QSpinBox(self)
        box.setRange(low, high)
        return box

    def _layout(self) -> None:
        form = QFormLayout()
        form.setVerticalSpacing(S(2))
        form.addRow(self.tr("System prompt"), self.prompt)
        form.addRow(self.tr("Answer in"), self.answer_language)
        labels = {"temperature": self.tr("Temperature"), "top_p": self.tr("Top-p"), "top_k": self.tr("Top-k"),
                  "min_p": self.tr("Min-p"), "repetition_penalty": self.tr("Repetition penalty"),
                  "max_tokens": self.tr("Max tokens per answer"), "seed": self.tr("Seed")}
        for key, box in self.fields.items():
            form.addRow(labels[key], box)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel, self)
        reset = QPushButton(self.tr("Model defaults"), self)
        reset.clicked.connect(lambda: self._show(self.defaults))
        buttons.addButton(reset, QDialogButtonBox.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.setContentsMargins(S(5), S(5), S(5), S(4))
        box.addLayout(form)
        box.addWidget(buttons)

    def _show(self, settings: dict) -> None:
        for key, box in self.fields.items():
            value = settings.get(key, self.defaults.get(key))
            box.setValue(RANDOM_SEED if value is None else value)
        self.answer_language.setCurrentIndex(max(self.answer_language.findData(answer_language_of(settings)), 0))

    def system_prompt(self) -> str:
        return self.prompt.toPlainText()

    def settings(self) -> dict:
        values = {key: box.value() for key, box in self.fields.items()}
        values["seed"] = None if values["seed"] == RANDOM_SEED else int(values["seed"])
        values["top_k"], values["max_tokens"] = int(values["top_k"]), int(values["max_tokens"])
        values[ANSWER_LANGUAGE_KEY] = self.answer_language.currentData()
        return values
