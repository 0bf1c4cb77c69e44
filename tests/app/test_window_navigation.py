"""Moving around the window: the header's title after ‹ ›, a deleted chat that must not be replaced by another when
the window gets the focus back, where the keyboard focus is, Enter in the edit box, an answer that keeps streaming
into its own conversation while the user reads another, and search hits (snippet with the match in bold, opening
the branch that matched). The real window offscreen; the worker is the test's `ScriptedWorker`."""
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.chat import actions
from app.ui.conversation_list import SearchHitView, snippet_html
from tests.app.test_controller import last_generate, ready
from tests.app.window_helpers import make_window, settle


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + bytes(1020))
    return path


@pytest.fixture
def window(qtbot):
    window = make_window(qtbot)
    yield window
    window.controller.shutdown()


def active(qtbot, window):
    qtbot.waitExposed(window)
    window.activateWindow()
    assert settle(lambda: QApplication.activeWindow() is window and QApplication.focusWidget() is not None)


def test_the_header_keeps_the_title_after_switching_branches(window, model_file):
    worker = ready(window.controller, model_file)
    actions.send_message(window=window, text="Tell me a joke about cats")
    worker.answer(last_generate(worker)["id"], "Joke one")
    first = window.chat.messages[-1].id
    assert actions.regenerate(window=window, message_id=first)
    worker.answer(last_generate(worker)["id"], "Joke two")
    title = window.controller.store.conversation(window.controller.conversation.id).title
    assert title == "Tell me a joke about cats"
    second = window.chat.messages[-1].id
    assert actions.switch_branch(window=window, message_id=second, step=-1)
    assert window.chat.messages[-1].id == first
    assert window.title_label.text() == title == window.sidebar.list.currentItem().text()
    assert actions.switch_branch(window=window, message_id=first, step=+1)
    assert window.title_label.text() == title


def test_focus_coming_back_after_deleting_the_open_chat_opens_nothing(qtbot, window):
    store = window.controller.store
    kept = store.create_conversation(title="Kept")
    store.add_message(kept.id, role="user", content="Do not open me by yourself")
    doomed = store.create_conversation(title="Doomed")
    window.refresh_conversations()
    active(qtbot, window)
    window.sidebar.list.setFocus()
    actions.open_conversation(window=window, conversation_id=doomed.id)
    actions.delete_conversation(window=window, conversation_id=doomed.id)
    assert window.controller.conversation is None and window.sidebar.list.currentItem() is None
    # the window loses the focus to another one, then gets it back: the list gets the focus again
    other = QWidget()
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    settle(lambda: QApplication.activeWindow() is other)
    window.activateWindow()
    settle(lambda: QApplication.activeWindow() is window)
    QApplication.sendEvent(window.sidebar.list, QFocusEvent(QEvent.FocusIn, Qt.ActiveWindowFocusReason))
    settle(lambda: False, turns=5)
    assert window.controller.conversation is None and window.chat.messages == []
    assert window.sidebar.list.currentItem() is None
    # a click still opens a conversation
    window.sidebar.list.setCurrentRow(0)
    assert window.controller.conversation.id == kept.id


def test_typing_starts_in_the_message_box(qtbot, window, model_file):
    """At start the window shows while the model is still unknown (the message box hidden), then loads it."""
    ready(window.controller, model_file)
    active(qtbot, window)
    assert QApplication.focusWidget() is window.composer.edit


def test_typing_starts_in_the_message_box_when_the_model_loads_after_the_window_is_active(qtbot, window, model_file):
    active(qtbot, window)
    ready(window.controller, model_file)
    assert settle(lambda: QApplication.focusWidget() is window.composer.edit)


def test_enter_sends_an_edit_and_the_focus_goes_back_to_the_message_box(qtbot, window, model_file):
    worker = ready(window.controller, model_file)
    active(qtbot, window)
    actions.send_message(window=window, text="What is the capital of Frnace?")
    worker.answer(last_generate(worker)["id"], "Did you mean France?")
    question = window.chat.widgets[window.chat.messages[0].id]
    question.edit_button.click()
    assert settle(lambda: QApplication.focusWidget() is question.edit_box)
    qtbot.keyClick(question.edit_box, Qt.Key_Escape)  # Esc cancels the edit
    assert question.editor is None and len(worker.sent("generate")) == 1
    question.edit_button.click()
    assert settle(lambda: QApplication.focusWidget() is question.edit_box)
    question.edit_box.selectAll()
    qtbot.keyClicks(question.edit_box, "What is the capital of France?")
    qtbot.keyClick(question.edit_box, Qt.Key_Return, Qt.ShiftModifier)  # a new line, not sent
    assert len(worker.sent("generate")) == 1
    qtbot.keyClick(question.edit_box, Qt.Key_Backspace)
    qtbot.keyClick(question.edit_box, Qt.Key_Return)
    assert len(worker.sent("generate")) == 2
    assert last_generate(worker)["messages"][-1]["content"] == "What is the capital of France?"
    assert settle(lambda: QApplication.focusWidget() is window.composer.edit)
    worker.answer(last_generate(worker)["id"], "Paris.")
    path = window.controller.store.shown_path(window.controller.conversation.id)
    assert [m.content for m in path] == ["What is the capital of France?", "Paris."]
    assert [window.chat.widgets[m.id].text for m in path] == ["What is the capital of France?", "Paris."]


def test_an_answer_keeps_streaming_into_its_chat_while_another_is_open(qtbot, window, model_file):
    worker = ready(window.controller, model_file)
    store = window.controller.store
    other = store.create_conversation(title="Another chat")
    store.add_message(other.id, role="user", content="An older question")
    actions.send_message(window=window, text="Tell me a long story")
    streaming = window.controller.conversation.id
    request = last_generate(worker)["id"]
    worker.reply("token", request, text="Once upon")
    assert window.composer.button.text() == "Stop"

    actions.open_conversation(window=window, conversation_id=other.id)
    worker.reply("token", request, text=" a time")
    assert worker.sent("cancel") == []
    assert [m.content for m in window.chat.messages] == ["An older question"]
    assert window.chat.stream_text() == "" and window.title_label.text() == "Another chat"
    # one engine: Send waits, and says why; Esc here does not stop the answer the user cannot see
    assert window.composer.button.text() == "Send" and not window.composer.button.isEnabled()
    assert window.composer.note.isVisibleTo(window) and "another chat" in window.composer.note.text()
    assert not actions.send_message(window=window, text="A question here")
    assert not window.chat.widgets[window.chat.messages[0].id].edit_button.isEnabled()
    actions.stop_answer(window=window)
    assert worker.sent("cancel") == []

    actions.open_conversation(window=window, conversation_id=streaming)  # back: the answer so far, still streaming
    assert window.chat.stream_text() == "Once upon a time" and window.composer.button.text() == "Stop"
    assert not window.composer.note.isVisibleTo(window)
    worker.reply("token", request, text=", a dragon")
    actions.open_conversation(window=window, conversation_id=other.id)
    worker.answer(request, " slept.")
    saved = store.shown_path(streaming)[-1]
    assert (saved.state, saved.content) == ("complete", "Once upon a time, a dragon slept.")
    assert [m.content for m in window.chat.messages] == ["An older question"]
    assert window.composer.button.isEnabled() and not window.composer.note.isVisibleTo(window)
    assert "Another chat" not in window.live_region.text() and "Tell me a long story" in window.live_region.text()
    actions.open_conversation(window=window, conversation_id=streaming)
    assert window.chat.messages[-1].content == "Once upon a time, a dragon slept."


def test_deleting_a_chat_stops_only_the_answer_written_into_it(window, model_file):
    worker = ready(window.controller, model_file)
    other = window.controller.store.create_conversation(title="Other")
    actions.send_message(window=window, text="Question")
    streaming = window.controller.conversation.id
    actions.delete_conversation(window=window, conversation_id=other.id)
    assert worker.sent("cancel") == [] and window.controller.streaming_here
    third = window.controller.store.create_conversation(title="Third")
    actions.open_conversation(window=window, conversation_id=third.id)
    actions.delete_conversation(window=window, conversation_id=streaming)
    assert [m["target"] for m in worker.sent("cancel")] == [last_generate(worker)["id"]]
    assert window.controller.conversation.id == third.id


def test_snippets_are_escaped_and_bold_only_on_the_match():
    assert snippet_html("a <b>&</b> crêpe", [(11, 16)]) == "a &lt;b&gt;&amp;&lt;/b&gt; <b>crêpe</b>"
    assert snippet_html("Paris, paris", [(0, 3), (1, 5), (7, 12)]) == "<b>Paris</b>, <b>paris</b>"
    assert snippet_html("<img src=x>", []) == "&lt;img src=x&gt;"


def test_a_search_hit_shows_its_snippet_and_opens_the_branch_that_matched(qtbot, window):
    store = window.controller.store
    conversation = store.create_conversation(title="Cooking")
    question = store.add_message(conversation.id, role="user", content="How do I make <crêpes>?")
    matched = store.add_message(conversation.id, role="assistant", content="Whisk the batter <b>gently</b>.")
    store.add_message(conversation.id, role="assistant", content="Buy them.", parent_id=question.id)
    assert store.shown_path(conversation.id)[-1].content == "Buy them."
    window.refresh_conversations()
    actions.search(window=window, query="batter")
    assert window.sidebar.conversation_ids() == [conversation.id]
    item = window.sidebar.list.item(0)
    view = window.sidebar.list.itemWidget(item)
    assert isinstance(view, SearchHitView) and view.title.text() == "Cooking"
    assert view.snippet.textFormat() == Qt.RichText
    assert view.snippet.text() == "Whisk the <b>batter</b> &lt;b&gt;gently&lt;/b&gt;."
    assert item.sizeHint().height() >= view.snippet.sizeHint().height()
    window.sidebar.list.setCurrentItem(item)  # the user picks the hit
    assert window.controller.conversation.id == conversation.id
    assert [m.id for m in window.chat.messages] == [question.id, matched.id]
    assert store.shown_path(conversation.id)[-1].id == matched.id


def test_a_hit_already_on_show_keeps_the_branch_below_it(window):
    store = window.controller.store
    conversation = store.create_conversation(title="Tree")
    question = store.add_message(conversation.id, role="user", content="Name a colour")
    first = store.add_message(conversation.id, role="assistant", content="Red")
    store.add_message(conversation.id, role="assistant", content="Blue", parent_id=question.id)
    store.select_branch(first.id)
    assert [m.content for m in store.show_branch_of(question.id)] == ["Name a colour", "Red"]
    actions.search(window=window, query="colour")
    window.sidebar.list.setCurrentRow(0)
    assert [m.content for m in window.chat.messages] == ["Name a colour", "Red"]
