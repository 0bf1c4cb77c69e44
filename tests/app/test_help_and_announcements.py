"""The Help menu (About Octet, the keyboard shortcuts) and what a screen reader is told when an answer ends
(open-webui#13639 asks for the same: an accessible live region). The real window offscreen."""
import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QMenu, QMessageBox

from app.chat import actions
from app.ui import live_region
from app.ui.live_region import LiveRegion, answer_announcement, summary
from tests.app.test_controller import last_generate, ready
from tests.app.window_helpers import make_window

README_KEYS = ("Enter", "Shift+Enter", "Esc", "Ctrl+N", "Ctrl+F", "Ctrl+R", "Ctrl+Shift+C", "Ctrl+E", "Ctrl+M",
               "Ctrl+,")


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + bytes(1020))
    return path


def help_action(window, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert isinstance(menu, QMenu)
    return next(a for a in menu.actions() if a.text() == text)


def test_about_says_version_licence_data_folder_and_crash_log(qtbot, data_dir):
    window = make_window(qtbot)
    help_action(window, "&About Octet").trigger()
    box = window.about_dialog
    assert isinstance(box, QMessageBox) and box.isVisible() and box.windowTitle() == "About Octet"
    text = box.text()
    assert "Octet 0.1.0" in text and "Apache-2.0" in text
    assert str(data_dir) in text and "crash.log" in text
    assert box.textFormat().name == "PlainText"
    box.close()


def test_keyboard_shortcuts_list_the_readme_keys(qtbot):
    window = make_window(qtbot)
    help_action(window, "&Keyboard shortcuts").trigger()
    dialog = window.shortcuts_dialog
    assert dialog.isVisible()
    keys = [keys for keys, _ in dialog.rows()]
    assert keys == list(README_KEYS)  # the offscreen platform spells them as the README does
    assert all(action for _, action in dialog.rows())
    dialog.close()


def test_a_finished_answer_is_announced_in_the_live_region(qtbot, model_file, monkeypatch):
    sent = []
    spy = type("Spy", (), {"updateAccessibility": staticmethod(sent.append),
                           "AnnouncementPoliteness": QAccessible.AnnouncementPoliteness})
    monkeypatch.setattr(live_region, "QAccessible", spy)  # what the assistive technology is sent
    window = make_window(qtbot)
    worker = ready(window.controller, model_file)
    region = window.live_region
    assert isinstance(region, LiveRegion) and region.text() == ""
    actions.send_message(window=window, text="What is the capital of France?")
    worker.answer(last_generate(worker)["id"], "The capital of France is ", "Paris.")
    assert region.text() == "Answer finished. The capital of France is Paris."
    assert region.accessibleName() == region.text() and region.isVisibleTo(window)
    assert len(sent) == 1 and sent[0].message() == region.text()
    assert sent[0].politeness() == QAccessible.AnnouncementPoliteness.Polite
    actions.send_message(window=window, text="And of Italy?")
    request = last_generate(worker)["id"]
    worker.reply("token", request, text="Rome")
    worker.reply("done", request, finish_reason="cancelled", stats={})
    assert region.text() == "Answer stopped. Rome" and len(sent) == 2
    window.controller.shutdown()


def test_the_announcement_is_short():
    long_answer = "word " * 200
    assert len(summary(long_answer)) <= 121 and summary(long_answer).endswith("…")
    assert answer_announcement(None) == "The answer failed."
