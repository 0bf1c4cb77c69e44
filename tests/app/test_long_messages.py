"""Long stored messages open at once: a message of a megabyte, of 100,000 lines or with a 250,000-character line
shows its start as plain text with "Show all", which shows all of it, intact, in a box of bounded height; the
Markdown renderer never sees such a text; nothing gets wider than the window. How long the event loop stalls is
measured by benchmarks/open_long_conversation.py, not here."""
import pytest
from PySide6.QtGui import QTextOption

from app.chat import actions
from app.i18n import format_number
from app.ui import message_widget
from app.ui.long_text import LONG_CHARS, PREVIEW_CHARS, PREVIEW_LINES, VIEW_HEIGHT, is_long, preview
from tests.app.window_helpers import make_window, settle

PARAGRAPH = "Some **bold** words and a `code span` in a sentence that goes on for a while.\n\n"
LONG_TEXTS = {
    "megabyte": PARAGRAPH * (1_000_000 // len(PARAGRAPH)),
    "lines": "\n".join(f"line {i}" for i in range(100_000)),
    "one line": "QmFzZTY0" * (250_000 // 8),
}


@pytest.fixture
def rendered(monkeypatch):
    """The length of each text given to the Markdown renderer."""
    lengths = []
    real = message_widget.render

    def render(text, *args, **kwargs):
        lengths.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(message_widget, "render", render)
    return lengths


def open_stored(window, content: str):
    """Store a question and `content` as its answer, open the conversation, return the answer's widget."""
    store = window.controller.store
    conversation = store.create_conversation(title="Long")
    question = store.add_message(conversation.id, role="user", content=content)
    answer = store.add_message(conversation.id, role="assistant", content=content, parent_id=question.id)
    actions.open_conversation(window=window, conversation_id=conversation.id)
    assert settle(lambda: not window.chat.building)
    return window.chat.widgets[answer.id]


@pytest.mark.parametrize("kind", LONG_TEXTS)
def test_a_long_message_shows_its_start_then_all_of_it(qtbot, rendered, kind):
    content = LONG_TEXTS[kind]
    window = make_window(qtbot)
    widget = open_stored(window, content)
    start = widget.body.toPlainText()
    assert content.startswith(start) and start == preview(content)
    assert len(start) <= PREVIEW_CHARS and start.count("\n") < PREVIEW_LINES
    assert widget.show_all_button.isVisibleTo(window) and widget.long_note.isVisibleTo(window)
    assert format_number(len(content)) in widget.long_note.text()
    assert max(rendered, default=0) <= LONG_CHARS  # neither the question nor the answer went to Markdown
    assert settle(lambda: widget.height() > 0) and widget.height() < 2 * window.height()
    assert widget.width() <= window.width()

    widget.show_all_button.click()
    assert settle(lambda: widget.whole.filled(), turns=1000)
    assert widget.whole.toPlainText() == content  # all of it, intact
    assert widget.whole.isVisibleTo(window) and not widget.body.isVisibleTo(window)
    assert not widget.show_all_button.isVisibleTo(window) and widget.whole.height() == VIEW_HEIGHT
    anywhere = widget.whole.wordWrapMode() == QTextOption.WrapMode.WrapAnywhere
    assert anywhere == (kind == "one line")  # a run without spaces wraps anywhere: at a word it takes minutes
    assert widget.width() <= window.width()
    assert max(rendered, default=0) <= LONG_CHARS


def test_a_short_message_is_markdown_and_has_no_show_all(qtbot, rendered):
    window = make_window(qtbot)
    widget = open_stored(window, "Some **bold** text")
    assert widget.long_part is None and "bold" in widget.body.toPlainText() and "**" not in widget.body.toPlainText()
    assert rendered


def test_a_streaming_answer_that_grows_long_shows_its_start_and_all_of_it_on_request(qtbot):
    window = make_window(qtbot)
    store = window.controller.store
    conversation = store.create_conversation(title="Streaming")
    store.add_message(conversation.id, role="user", content="Write a lot")
    answer = store.add_message(conversation.id, role="assistant", content="")
    window.controller.open_conversation(conversation.id)
    stream = window.chat.begin_stream(answer)
    text = "word " * (LONG_CHARS // 5 + 100)
    window.chat.append_delta(text)
    qtbot.waitUntil(lambda: stream.long_part is not None, timeout=10_000)  # at the next repaint tick
    assert stream.body.toPlainText() == preview(text)
    stream.show_all()
    window.chat.append_delta("the end")
    qtbot.waitUntil(lambda: stream.whole.toPlainText().endswith("the end"), timeout=10_000)
    window.chat.end_stream()
    assert stream.whole.toPlainText() == text + "the end"


def test_what_is_long():
    assert is_long("x" * (LONG_CHARS + 1)) and is_long("a\n" * 500) and is_long("y" * 5000 + " z")
    assert not is_long("Some words. " * 100)


def test_editing_hides_the_start_and_show_all(qtbot):
    window = make_window(qtbot)
    store = window.controller.store
    conversation = store.create_conversation(title="Edit")
    question = store.add_message(conversation.id, role="user", content=LONG_TEXTS["lines"])
    actions.open_conversation(window=window, conversation_id=conversation.id)
    widget = window.chat.widgets[question.id]
    widget.start_editing()
    assert not widget.body.isVisibleTo(window) and not widget.long_part.isVisibleTo(window)
    widget.stop_editing()
    assert widget.body.isVisibleTo(window) and widget.long_part.isVisibleTo(window)
