"""Saved chat states seen from the window, over a real worker and the starter model: leaving a conversation writes
its state to the data folder, deleting the conversation removes it, Settings' "Clear saved chat state" empties the
folder (and the worker's memory), and after a worker restart a reopened chat resumes from its saved state, which
the status bar says."""
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app import settings as app_settings
from app.chat import actions
from app.ui import window_menus
from app.ui.settings_dialog import SettingsDialog
from runtime.paths import chat_state_dir
from tests.app.window_helpers import PATIENCE_MS, load_starter, make_window

SHORT = {"temperature": 0, "max_tokens": 12}


def saved_files() -> list:
    folder = chat_state_dir()
    return sorted(folder.glob("*.kvstate")) if folder.is_dir() else []


def ask(qtbot, window, text: str, *, new_chat: bool = False):
    """Send `text` (in a new conversation if asked) and wait for the answer; its `done` event."""
    if new_chat:
        actions.new_chat(window=window)
    actions.configure_conversation(window=window, settings=SHORT)
    with qtbot.waitSignal(window.controller.sig_answer_finished, timeout=PATIENCE_MS * 2) as finished:
        assert actions.send_message(window=window, text=text)
    return finished.args[1]


def clear_from_settings(qtbot, window) -> None:
    """Open Settings as the menu does, press "Clear saved chat state", close the dialog."""
    def press_clear():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SettingsDialog) and w.isVisible())
        qtbot.mouseClick(dialog.chat_state_section.clear_button, Qt.MouseButton.LeftButton)
        dialog.reject()

    QTimer.singleShot(0, press_clear)
    window_menus.open_settings(window)


def test_the_disk_budget_is_a_setting_the_dialog_saves(qtbot):
    assert app_settings.AppSettings.from_json({"chat_state_disk_mb": -5}).chat_state_disk_mb == \
        app_settings.AppSettings().chat_state_disk_mb  # a bad value: the default
    dialog = SettingsDialog(app_settings.AppSettings())
    qtbot.addWidget(dialog)
    dialog.chat_state_section.disk_spin.setValue(0)
    assert dialog.chat_state_section.disk_spin.text() == "Off: nothing saved"
    dialog.accept()
    assert app_settings.load().chat_state_disk_mb == 0


def test_delete_and_clear_remove_saved_state(qtbot, starter_path):
    window = make_window(qtbot)
    try:
        load_starter(qtbot, window, starter_path)
        ask(qtbot, window, "Name a colour.")
        first = window.controller.conversation.id
        ask(qtbot, window, "Name a fruit.", new_chat=True)  # leaving the first one saves its state
        qtbot.waitUntil(lambda: len(saved_files()) == 1, timeout=PATIENCE_MS)

        actions.delete_conversation(window=window, conversation_id=first)
        qtbot.waitUntil(lambda: not saved_files(), timeout=PATIENCE_MS)

        second = window.controller.conversation.id
        ask(qtbot, window, "Name a bird.", new_chat=True)
        qtbot.waitUntil(lambda: len(saved_files()) == 1, timeout=PATIENCE_MS)
        clear_from_settings(qtbot, window)
        qtbot.waitUntil(lambda: not saved_files(), timeout=PATIENCE_MS)

        actions.open_conversation(window=window, conversation_id=second)
        done = ask(qtbot, window, "And a tree?")
        assert done["resumed_tokens"] == 0, "the state kept in the worker's memory went too"
        assert window.status.resumed.text() == ""
    finally:
        window.controller.shutdown()


def test_reopened_chat_resumes_after_a_worker_restart(qtbot, starter_path):
    window = make_window(qtbot)
    try:
        load_starter(qtbot, window, starter_path)
        ask(qtbot, window, "What is the capital of France?")
        conversation = window.controller.conversation.id
        actions.new_chat(window=window)
        with qtbot.waitSignal(window.controller.bridge.sig_loaded, timeout=PATIENCE_MS * 3):
            window.controller.restart_worker()  # the worker writes the live state before it exits
        assert len(saved_files()) == 1

        actions.open_conversation(window=window, conversation_id=conversation)
        done = ask(qtbot, window, "And of Italy?")
        stats = done["stats"]
        assert done["resumed_tokens"] > 20
        assert stats["prefilled_tokens"] == stats["prompt_tokens"] - done["resumed_tokens"]
        text = window.status.resumed.text()
        assert text.startswith("Resumed from saved state:") and str(done["resumed_tokens"]) in text.replace(",", "")
    finally:
        window.controller.shutdown()
