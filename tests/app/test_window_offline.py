"""The window without a model: first run, a 1,000-message conversation, input methods, a pasted
megabyte, and the conversation list (rename, pin, delete with undo, search)."""
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QPushButton

from app.chat import actions
from app.ui.chat_view import BATCH
from tests.app.window_helpers import PATIENCE_MS, make_window, settle


def test_first_run_offers_the_starter(qtbot):
    window = make_window(qtbot)
    window.controller.load_model(None)
    assert window.stack.currentWidget() is window.first_run
    assert not window.composer.button.isEnabled()
    assert "No model" in window.status.model.text()


def test_thousand_messages_open_lazily(qtbot):
    """Only the last BATCH messages get widgets (built a slice per event-loop turn); scrolling to the top builds
    the batch before and keeps the message in view where it was. How long the event loop stalls while opening is
    measured by benchmarks/open_long_conversation.py."""
    window = make_window(qtbot)
    store = window.controller.store
    conversation = store.create_conversation(title="Long")
    for i in range(500):
        store.add_message(conversation.id, role="user", content=f"Question {i} with `code` and **bold**")
        store.add_message(conversation.id, role="assistant", content=f"Answer {i}:\n\n```python\nprint({i})\n```")
    actions.open_conversation(window=window, conversation_id=conversation.id)
    assert len(window.chat.messages) == 1000 and 1 <= len(window.chat.widgets) <= BATCH
    assert settle(lambda: not window.chat.building) and len(window.chat.widgets) == BATCH
    assert sorted(window.chat.widgets) == [m.id for m in window.chat.messages[-BATCH:]]
    bar = window.chat.verticalScrollBar()
    assert settle(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    window.chat.following = False
    bar.setValue(0)
    assert settle(lambda: len(window.chat.widgets) == 2 * BATCH)
    anchor = window.chat.widgets[window.chat.messages[1000 - BATCH].id]
    assert settle(lambda: bar.value() == anchor.y() > 0)  # still on the same message
    assert len(window.chat.widgets) == 2 * BATCH


def _ready_composer(window, context_tokens=2048):
    window.composer.set_can_send(True)
    window.composer.set_context_tokens(context_tokens)
    return window.composer


def test_enter_during_ime_composition_does_not_send(qtbot):
    window = make_window(qtbot)
    composer = _ready_composer(window)
    sent = []
    composer.sig_send_requested.connect(sent.append)
    composer.edit.setFocus()
    qtbot.keyClicks(composer.edit, "konnichiwa ")
    composer.edit.inputMethodEvent(QInputMethodEvent("こんにちは", []))
    qtbot.keyClick(composer.edit, Qt.Key_Return)
    assert sent == []
    commit = QInputMethodEvent()
    commit.setCommitString("こんにちは")
    composer.edit.inputMethodEvent(commit)
    qtbot.keyClick(composer.edit, Qt.Key_Return, Qt.ShiftModifier)
    assert sent == [] and composer.text().endswith("こんにちは\n")
    with qtbot.waitSignal(composer.sig_send_requested) as sending:
        qtbot.keyClick(composer.edit, Qt.Key_Return)
    assert sending.args == ["konnichiwa こんにちは\n"]


def test_pasted_megabyte_is_kept_explained_and_not_sent(qtbot):
    window = make_window(qtbot)
    composer = _ready_composer(window)
    text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 18_000)[:1_000_000]
    sent = []
    composer.sig_send_requested.connect(sent.append)
    started = time.perf_counter()
    composer.edit.insertPlainText(text)
    qtbot.waitUntil(lambda: not composer.warning.isHidden(), timeout=PATIENCE_MS)
    elapsed_ms = (time.perf_counter() - started) * 1000
    print(f"\npasting 1 MB: warning shown after {elapsed_ms:.0f} ms")
    from PySide6.QtCore import QLocale

    assert QLocale().toString(2048) in composer.warning.text() and "Nothing was cut" in composer.warning.text()
    qtbot.keyClick(composer.edit, Qt.Key_Return)
    assert sent == [] and len(composer.text()) == len(text)


def test_conversation_list_rename_pin_delete_undo_search(qtbot):
    window = make_window(qtbot)
    store = window.controller.store
    older = store.create_conversation(title="Recette de crêpes")
    store.add_message(older.id, role="user", content="Comment faire des crêpes ?")
    newer = store.create_conversation(title="Trip to Rome")
    window.refresh_conversations()
    assert window.sidebar.conversation_ids() == [newer.id, older.id]
    actions.set_pinned(window=window, conversation_id=older.id, pinned=True)
    assert window.sidebar.conversation_ids() == [older.id, newer.id]
    actions.rename_conversation(window=window, conversation_id=newer.id, title="Voyage à Rome")
    assert store.conversation(newer.id).title == "Voyage à Rome"
    actions.search(window=window, query="crepes")
    assert window.sidebar.conversation_ids() == [older.id]
    actions.search(window=window, query="")
    actions.open_conversation(window=window, conversation_id=older.id)
    assert [w.text for w in window.chat.widgets.values()] == ["Comment faire des crêpes ?"]
    actions.delete_conversation(window=window, conversation_id=older.id)
    assert window.sidebar.conversation_ids() == [newer.id] and window.chat.messages == []
    assert window.banner.kind == "undo"
    window.banner.buttons[0].click()
    assert window.sidebar.conversation_ids() == [older.id, newer.id]
    assert window.controller.conversation.id == older.id


def test_copy_last_answer_and_code_block(qtbot):
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtCore import QUrl

    window = make_window(qtbot)
    store = window.controller.store
    conversation = store.create_conversation(title="Code")
    store.add_message(conversation.id, role="user", content="A loop?")
    answer = store.add_message(conversation.id, role="assistant", content="Here:\n\n```python\nfor i in range(3):\n    print(i)\n```")
    actions.open_conversation(window=window, conversation_id=conversation.id)
    assert actions.copy_last_answer(window=window)
    assert QGuiApplication.clipboard().text() == answer.content
    browser = window.chat.widgets[answer.id].body
    with qtbot.waitSignal(browser.sig_code_copied):
        browser.anchorClicked.emit(QUrl("octet-copy:0"))
    assert QGuiApplication.clipboard().text() == "for i in range(3):\n    print(i)"


def _conversation(window, count: int):
    store = window.controller.store
    conversation = store.create_conversation(title="Scroll")
    for i in range(count):
        store.add_message(conversation.id, role="user" if i % 2 == 0 else "assistant",
                          content=f"Message {i}\n\nwith a second paragraph")
    actions.open_conversation(window=window, conversation_id=conversation.id)
    return conversation


def test_streaming_follows_the_end_unless_scrolled_up(qtbot):
    window = make_window(qtbot)
    window.model_missing = False
    window._update_stack()
    conversation = _conversation(window, 20)
    store, chat = window.controller.store, window.chat
    bar = chat.verticalScrollBar()
    answer = store.add_message(conversation.id, role="assistant", content="")
    chat.begin_stream(answer)
    for i in range(40):
        chat.append_delta(f"line {i}\n\n")
    qtbot.waitUntil(lambda: "line 39" in chat._stream.body.toPlainText(), timeout=PATIENCE_MS)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum() > 0, timeout=PATIENCE_MS)
    bar.setValue(bar.maximum() // 2)
    held = bar.value()
    assert not chat.following
    for i in range(40, 80):
        chat.append_delta(f"line {i}\n\n")
    qtbot.waitUntil(lambda: "line 79" in chat._stream.body.toPlainText(), timeout=PATIENCE_MS)
    qtbot.wait(50)
    assert bar.value() == held < bar.maximum()
    chat.end_stream()


def test_edit_button_opens_an_editor_that_submits(qtbot):
    window = make_window(qtbot)
    conversation = _conversation(window, 2)
    first = window.controller.store.shown_path(conversation.id)[0]
    widget = window.chat.widgets[first.id]
    widget.edit_button.click()
    assert widget.editor is not None and widget.edit_box.toPlainText() == first.content
    widget.edit_box.setPlainText("Edited question")
    with qtbot.waitSignal(window.chat.sig_edit_submitted) as submitted:
        [b for b in widget.editor.findChildren(QPushButton) if b.objectName() == "Primary"][0].click()
    assert submitted.args == [first.id, "Edited question"] and widget.editor is None


def test_context_error_from_the_worker_is_shown_clearly(qtbot, monkeypatch):
    window = make_window(qtbot)
    controller = window.controller
    monkeypatch.setattr(controller.bridge, "generate", lambda messages, **fields: "r-test")
    controller._on_loaded({"architecture": "llama", "quantization": "Q4_1", "context_length": 2048,
                           "load_seconds": 1.0, "parameters_total": 134_000_000})
    with qtbot.waitSignal(controller.sig_answer_started):
        assert actions.send_message(window=window, text="Un très long message")
    assert window.composer.button.text() == "Stop"
    reason = "the conversation needs 3,100 tokens but the model reads at most 2,048"
    with qtbot.waitSignal(controller.sig_answer_finished) as finished:
        controller.bridge.sig_error.emit("r-test", "context", reason)
    assert finished.args[0].state == "error"
    assert window.banner.kind == "context" and reason in window.banner.label.text()
    assert "context window" in window.banner.label.text()
    assert window.composer.button.text() == "Send" and window.composer.button.isEnabled()


def test_menus_shortcuts_and_model_manager(qtbot, tmp_path):
    from app.ui import window_menus

    window = make_window(qtbot)
    shortcuts = {a.text(): a.shortcut().toString() for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu()))
                 for a in menu.actions() if not a.isSeparator()}
    assert shortcuts["&New chat"] == "Ctrl+N" and shortcuts["&Search conversations"] == "Ctrl+F"
    assert shortcuts["&Copy last answer"] == "Ctrl+Shift+C" and shortcuts["&Quit"] == "Ctrl+Q"
    window_menus.open_model_manager(window)
    assert window.model_manager.isVisible()
    window.model_manager.sig_model_chosen.emit(str(tmp_path / "gone.gguf"))
    assert window.banner.kind == "load" and "gone.gguf" in window.banner.label.text()
    window.model_manager.close()


def test_first_run_installs_registers_and_loads_the_starter(qtbot):
    from app.models.catalog import installed_models

    window = make_window(qtbot)
    window.controller.load_model(None)
    try:
        with qtbot.waitSignal(window.controller.bridge.sig_loaded, timeout=180_000):
            window.first_run.sig_install_starter_requested.emit()
        assert [m.id for m in installed_models()] == ["starter"]
        assert window.stack.currentWidget() is not window.first_run
    finally:
        window.controller.bridge.shutdown()


def test_export_then_import_from_the_window(qtbot, tmp_path):
    window = make_window(qtbot)
    store = window.controller.store
    conversation = store.create_conversation(title="Sauvegarde")
    store.add_message(conversation.id, role="user", content="Où est passée l’œuvre ?")
    store.add_message(conversation.id, role="assistant", content="| a | b |\n|---|---|\n| 1 | 2 |")
    exported = actions.export_conversation(window=window, conversation_id=conversation.id, path=tmp_path / "s.md")
    window.ask_import_duplicate = lambda imported, duplicates: "keep"  # it is in the history: keep both
    running = actions.import_conversation(window=window, path=exported)  # off the window's thread
    qtbot.waitUntil(lambda: not running.busy, timeout=60_000)
    shown = window.controller.conversation
    assert shown.id != conversation.id and shown.title == "Sauvegarde"
    assert [m.content for m in store.shown_path(shown.id)] == [m.content for m in store.shown_path(conversation.id)]
    (tmp_path / "bad.md").write_text("not an export", encoding="utf-8")
    running = actions.import_conversation(window=window, path=tmp_path / "bad.md")
    qtbot.waitUntil(lambda: not running.busy, timeout=60_000)
    assert window.banner.isVisible() and window.banner.kind == "import"
