"""Two small strips of the main window: the `Banner` (a message that needs the user, with up to two
buttons) and the `StatusLine` (model and quantization, or a remote engine's server; the kernels a local model
runs on; worker memory, speed of the last answer, context used, prefill spared by a saved chat state) at the bottom.
"""
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStatusBar, QToolButton

from app.i18n import format_decimal, format_number

from .plain_text import ElidedLabel
from .theme import S
from .units import format_size


translate = QCoreApplication.translate  # lupdate reads the literal context and text of each call


class Banner(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("Banner")
        self.label = QLabel("", self, wordWrap=True)
        self.label.setTextFormat(Qt.PlainText)
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(S(5), S(2), S(3), S(2))
        self.row.setSpacing(S(2))
        self.row.addWidget(self.label, 1)
        self.buttons: list[QPushButton] = []
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.hide)
        self.row.addWidget(self.close_button)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str, actions: list[tuple[str, object]] = ()) -> None:
        """Show `text`; each action is (button label, callable)."""
        for button in self.buttons:
            button.deleteLater()
        self.buttons = []
        self.kind = kind
        self.label.setText(text)
        for label, slot in actions:
            button = QPushButton(label, self)
            button.clicked.connect(slot)
            self.row.insertWidget(self.row.count() - 1, button)
            self.buttons.append(button)
        self.show()

    def hide_message(self) -> None:
        self.kind = ""
        self.hide()


class StatusLine:
    """The labels of the window's status bar, updated by name."""

    def __init__(self, bar: QStatusBar):
        self.bar = bar
        self.model = ElidedLabel("", bar)  # holds the model's name: plain text, elided
        self.kernels = QLabel(bar)  # which kernels the loaded model runs on (none for a remote engine)
        self.memory = QLabel(bar)
        self.speed = QLabel(bar)
        self.context = QLabel(bar)
        self.resumed = QLabel(bar)
        self.api = QLabel(bar)  # the local API server (app/ui/server_status.py)
        bar.addWidget(self.model)
        bar.addWidget(self.kernels)
        for label in (self.api, self.resumed, self.speed, self.context, self.memory):
            bar.addPermanentWidget(label)

    def set_model(self, text: str) -> None:
        self.model.setText(text)

    def set_server_model(self, name: str, server: str) -> None:
        """A remote engine's model (Settings › Engine): its name and the server's host, plain text."""
        self.model.setText(translate("StatusLine", "{name} · on the server {server}").format(name=name, server=server))

    def set_kernels(self, path: str) -> None:
        """The loaded model's kernel path (runtime.worker.protocol.KERNEL_PATHS), or "" for none (no model, or a
        remote engine)."""
        self.kernels.setText(kernel_label(path))

    def set_api(self, text: str) -> None:
        self.api.setText(text)

    def set_memory(self, rss: int | None) -> None:
        self.memory.setText("" if rss is None else translate("StatusLine", "Model memory {size}").format(
            size=format_size(rss)))

    def set_speed(self, tokens_per_s: float | None) -> None:
        self.speed.setText("" if not tokens_per_s else translate("StatusLine", "{rate} tokens/s").format(
            rate=format_decimal(tokens_per_s)))

    def set_resumed(self, tokens: int) -> None:
        """The last answer's prompt tokens restored from a saved chat state rather than read again (0: none)."""
        self.resumed.setText("" if not tokens else translate(
            "StatusLine", "Resumed from saved state: {count} tokens not read again").format(count=format_number(tokens)))

    def set_context(self, used: int, window: int) -> None:
        self.context.setText("" if not window else translate("StatusLine", "Context {used} / {window}").format(
            used=format_number(used), window=format_number(window)))


def kernel_label(path: str) -> str:
    """What the status bar says of a kernel path: "AVX2 kernels", ...; "" for none or one it does not know."""
    labels = {
        "avx512": translate("StatusLine", "AVX-512 kernels"),
        "avx2": translate("StatusLine", "AVX2 kernels"),
        "neon": translate("StatusLine", "NEON kernels"),
        "portable": translate("StatusLine", "Portable kernels"),
        "torch": translate("StatusLine", "torch kernels (slower: see README)"),
    }
    return labels.get(path, "")
