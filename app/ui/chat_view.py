"""The messages of the conversation on show, in a readable centred column.

Widgets are built lazily: opening a conversation builds only its last `BATCH` messages, and scrolling
to the top builds the batch before, so a 1,000-message conversation opens at once. A batch is built newest
first, a slice of about `SLICE_MS` per turn of the event loop, so that the window never stalls on it (a long
message shows only its start: see long_text.py). A streaming answer
collects deltas in a buffer that a timer repaints at a steady rate however fast they come; the view
follows the end unless the user has scrolled up.
"""
import time
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.history.records import Message

from .message_widget import MessageWidget
from .theme import READABLE_WIDTH, S

BATCH = 30
SLICE_MS = 25
REPAINT_MS = 40
MAX_REPAINT_MS = 400
FOLLOW_SLACK_PX = 32

BranchOf = Callable[[Message], tuple[int, int]]


class ChatView(QScrollArea):
    sig_copy_requested = Signal(int)
    """Copy a message (id)."""
    sig_edit_submitted = Signal(int, str)
    """Resend an edited user message as a new branch (id, text)."""
    sig_regenerate_requested = Signal(int)
    """Another answer in place of a model's one (id)."""
    sig_branch_requested = Signal(int, int)
    """Show the previous/next branch at a message (id, step)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("ChatArea")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._build_content()
        self.messages: list[Message] = []
        self.widgets: dict[int, MessageWidget] = {}
        self.first_built = 0  # index in `messages` of the first message that has a widget
        self.branch_of: BranchOf = lambda message: (0, 1)
        self.model_name = ""
        self.following = True
        self.busy = False
        self._anchor = None  # (message widget, its offset from the top of the view) kept there until the user scrolls
        self._anchoring = False
        self._to_build = 0  # messages of the batch being built that have no widget yet
        self._build_timer = QTimer(self, singleShot=True, interval=0)
        self._build_timer.timeout.connect(self._build_slice)
        self._stream: MessageWidget | None = None
        self._buffer: list[str] = []
        self._dirty = False
        self.repaints = 0
        self._repaint_timer = QTimer(self, interval=REPAINT_MS)
        self._repaint_timer.timeout.connect(self._on_repaint_tick)
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrolled)
        bar.rangeChanged.connect(self._on_range_changed)

    def _build_content(self) -> None:
        content = QWidget(objectName="ChatContent")
        outer = QHBoxLayout(content)
        outer.setContentsMargins(S(5), S(4), S(5), S(4))
        self.column = QWidget(content)
        self.column.setMaximumWidth(READABLE_WIDTH)
        self.column_layout = QVBoxLayout(self.column)
        self.column_layout.setContentsMargins(0, 0, 0, 0)
        self.column_layout.setSpacing(S(4))
        self.placeholder = QLabel(self.tr("Ask anything. Enter sends, Shift+Enter starts a new line."),
                                  objectName="Muted", alignment=Qt.AlignCenter)
        self.column_layout.addWidget(self.placeholder)
        self.column_layout.addStretch(1)
        outer.addStretch(1)
        outer.addWidget(self.column, 100)
        outer.addStretch(1)
        self.setWidget(content)

    # -- whole conversations ---------------------------------------------------------------------
    def show_messages(self, messages: list[Message]) -> None:
        """Replace what is shown by `messages` (a path through the conversation), last ones first."""
        self.clear()
        self.messages = list(messages)
        self.placeholder.setVisible(not self.messages)
        self.first_built = len(self.messages)
        self.build_earlier(BATCH)
        self.following = True
        self.scroll_to_end()

    def clear(self) -> None:
        self.end_stream()
        for widget in self.widgets.values():
            widget.setParent(None)
            widget.deleteLater()
        self.widgets.clear()
        self.messages = []
        self.first_built = 0
        self._anchor = None
        self._to_build = 0
        self._build_timer.stop()
        self.placeholder.show()

    def build_earlier(self, count: int) -> int:
        """Build widgets for up to `count` more messages before the first built one, newest first: a slice
        now, the rest at the next turns of the event loop (`building` until then). Returns how many now."""
        self._to_build = min(self.first_built, self._to_build + count)
        return self._build_slice()

    @property
    def building(self) -> bool:
        return self._to_build > 0

    def _build_slice(self) -> int:
        """Build widgets for about `SLICE_MS` (at least one), then leave the rest to the next turn."""
        started, built = time.perf_counter(), 0
        while self._to_build and (not built or (time.perf_counter() - started) * 1000 < SLICE_MS):
            self.first_built -= 1
            self._to_build -= 1
            self._insert_widget(0, self.messages[self.first_built])
            built += 1
        if self._to_build:
            self._build_timer.start()
        return built

    def append_message(self, message: Message) -> MessageWidget:
        self.messages.append(message)
        self.placeholder.hide()
        position = self.column_layout.count() - 1  # before the stretch
        widget = self._insert_widget(position, message, layout_index=True)
        return widget

    def _insert_widget(self, position: int, message: Message, *, layout_index: bool = False) -> MessageWidget:
        widget = MessageWidget(message, branch=self.branch_of(message), model_name=self.model_name,
                               parent=self.column)
        widget.sig_copy_requested.connect(self.sig_copy_requested)
        widget.sig_edit_submitted.connect(self.sig_edit_submitted)
        widget.sig_regenerate_requested.connect(self.sig_regenerate_requested)
        widget.sig_branch_requested.connect(self.sig_branch_requested)
        widget.set_actions_enabled(not self.busy)
        index = position if layout_index else position + 1  # after the placeholder
        self.column_layout.insertWidget(index, widget)
        self.widgets[message.id] = widget
        return widget

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        for widget in self.widgets.values():
            widget.set_actions_enabled(not busy)

    # -- streaming -------------------------------------------------------------------------------
    def begin_stream(self, message: Message) -> MessageWidget:
        self.end_stream()
        self._stream = self.append_message(message)
        self._stream.set_state("streaming")
        self._buffer = [message.content]
        self._dirty = False
        self._repaint_timer.start(REPAINT_MS)
        return self._stream

    def append_delta(self, text: str) -> None:
        """A piece of the streaming answer; shown at the next repaint tick."""
        self._buffer.append(text)
        self._dirty = True

    def stream_text(self) -> str:
        return "".join(self._buffer)

    def end_stream(self, final: Message | None = None) -> None:
        """The answer is over: show its saved text and state."""
        self._repaint_timer.stop()
        widget, self._stream = self._stream, None
        if widget is None:
            return
        if final is not None:
            widget.message = final
            widget.set_text(final.content)
            widget.set_state(final.state)
        else:
            widget.set_text(self.stream_text())
            widget.set_state("stopped")
        self._buffer = []

    def _on_repaint_tick(self) -> None:
        """Re-render the streaming answer; a long one is repainted less often, so that rendering never
        takes more than about a third of the event loop's time."""
        if self._stream is None or not self._dirty:
            return
        self._dirty = False
        self.repaints += 1
        started = time.perf_counter()
        self._stream.set_text(self.stream_text())
        spent_ms = (time.perf_counter() - started) * 1000
        self._repaint_timer.setInterval(max(REPAINT_MS, min(MAX_REPAINT_MS, int(3 * spent_ms))))

    # -- following the end ---------------------------------------------------------------------
    def scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_scrolled(self, value: int) -> None:
        if not self._anchoring:
            self._anchor = None  # the user (or the end being followed) moved the view: hold nothing in place
        bar = self.verticalScrollBar()
        self.following = value >= bar.maximum() - FOLLOW_SLACK_PX
        if value == bar.minimum() and self.first_built > 0 and bar.maximum() > 0:
            QTimer.singleShot(0, self._on_reached_top)

    def _on_reached_top(self) -> None:
        """Build the batch before the first message and keep that message where it was on screen."""
        bar = self.verticalScrollBar()
        if bar.value() != bar.minimum() or self.first_built == 0 or self.building:
            return
        anchor = self.widgets.get(self.messages[self.first_built].id)
        before = anchor.y() if anchor else 0
        self.build_earlier(BATCH)
        if anchor is not None:
            self._anchor = (anchor, before - bar.value())  # applied whenever the scroll range changes

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._anchor is not None:
            anchor, offset = self._anchor
            self._anchoring = True  # slices of the batch, and their heights, arrive over several turns
            self.verticalScrollBar().setValue(anchor.y() - offset)
            self._anchoring = False
        elif self.following:
            self.verticalScrollBar().setValue(maximum)
