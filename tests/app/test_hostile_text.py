"""Text from users, models and files is never read as HTML, and never makes the window wider than a screen.

Conversations with hostile titles (markup, an image of /dev/zero, newlines, 100,000 characters, 20 MB) and a model
with a hostile name are shown in the real window offscreen, with the dialogs that show them (conversation settings,
app settings, the model manager and its delete confirmation, the export prompt); every label, button, list item,
tooltip and window title of each is walked: a label holding "<" is plain text (or rich on purpose, all else
escaped), a tooltip holds no raw markup, a list
item or a title is one bounded line, and no widget is wider than a screen.
"""
import re
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDialog, QFileDialog, QLabel, QListWidget,
                               QMessageBox, QWidget)

from app.chat import actions
from app.chat.controller import ModelChoice
from app.history.records import TITLE_MAX_CHARS
from app.models.catalog import InstalledModel, register
from app.ui import window_menus
from app.ui.model_manager import ModelManagerDialog
from app.ui.plain_text import ElidedLabel, one_line, tooltip
from tests.app.window_helpers import make_window, settle

SCREEN_WIDTH = 1920
MARKUP = ("<img", "<a ", "<i>", "<table", "<td")  # in the hostile texts; never in Octet's own
OWN_TAGS = re.compile(r"</?(b|p|br)>")  # the markup a label that is rich on purpose adds to escaped text
HOSTILE_TITLES = [
    'Why does <img src="/dev/zero"> hang?',
    "<b>bold</b> and <i>italic</i>",
    '<a href="file:///etc/passwd">click</a>',
    "first line\nsecond <b>line</b>\n\tthird",
    "<table><tr><td>" + "T" * 100_000 + "</td></tr></table>",
]
MODEL_NAME = '<img src="/dev/zero"><b>' + "M" * 300 + "</b>.gguf"


def rich_labels(top: QWidget) -> list[str]:
    """The labels of `top` that would read user text as HTML, emptied: look before they are laid out, as laying
    out `<img src="/dev/zero">` as rich text reads /dev/zero until the memory runs out."""
    found = []
    for label in [top, *top.findChildren(QLabel)]:
        if (isinstance(label, QLabel) and label.textFormat() != Qt.TextFormat.PlainText
                and "<" in OWN_TAGS.sub("", label.text())):
            found.append(f"{type(label).__name__} {label.objectName()!r} reads {label.text()[:60]!r} as rich text")
            label.clear()
    return found


def findings(top: QWidget) -> list[str]:
    """What in `top`'s widget tree would read user text as HTML, or shows it unbounded."""
    found = rich_labels(top)
    if found:
        return found  # measuring them would lay them out
    if len(top.windowTitle()) > TITLE_MAX_CHARS or "\n" in top.windowTitle():
        found.append(f"window title {top.windowTitle()[:60]!r}")
    for widget in [top, *top.findChildren(QWidget)]:
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        if any(raw in widget.toolTip() for raw in MARKUP):
            found.append(f"{name} has the raw tooltip {widget.toolTip()[:60]!r}")
        if isinstance(widget, QAbstractButton) and len(widget.text()) > TITLE_MAX_CHARS:
            found.append(f"{name} has a button text of {len(widget.text())} characters")
        if isinstance(widget, QListWidget):
            for row in range(widget.count()):
                item = widget.item(row)
                if "\n" in item.text() or len(item.text()) > TITLE_MAX_CHARS:
                    found.append(f"list item {item.text()[:60]!r} is not one bounded line")
                if any(raw in item.toolTip() for raw in MARKUP):
                    found.append(f"list item has the raw tooltip {item.toolTip()[:60]!r}")
        if isinstance(widget, QComboBox):
            longest = max((len(widget.itemText(i)) for i in range(widget.count())), default=0)
            if longest > TITLE_MAX_CHARS:
                found.append(f"{name} has an item of {longest} characters")
        if widget.isVisibleTo(top) and widget.width() > SCREEN_WIDTH:
            found.append(f"{name} is {widget.width()} px wide")
    if top.minimumSizeHint().width() > SCREEN_WIDTH:
        found.append(f"{type(top).__name__} needs {top.minimumSizeHint().width()} px")
    return found


def hostile_model(data_dir: Path) -> InstalledModel:
    path = data_dir / "models" / "hostile.gguf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\0" * 4092)
    return register(InstalledModel(id="hostile", name=MODEL_NAME, path=str(path), source="import",
                                   by_reference=True, quantization="<i>Q4_0</i>", size_bytes=4096))


def show_model(window, model: InstalledModel) -> None:
    """The window as it is once this model is loaded (what the status line and message headers show)."""
    window.controller.model = ModelChoice(Path(model.path), model.name, model)
    window._on_model_state("ready", {"quantization": "<i>Q4_0</i>", "load_seconds": 1.5, "context_length": 2048,
                                     "architecture": "<b>llama</b>"})


def set_title_raw(store, conversation_id: int, title: str) -> None:
    """A title as an older version (or another program) may have stored it: not bounded by the store."""
    with store._write() as db:
        db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))


def modal_findings(seen: list, *, press: str) -> None:
    """When a modal box opens, walk it, then press its button labelled `press`."""
    def look():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, look)
            return
        seen.append(findings(box))
        next(b for b in box.buttons() if b.text() == press).click()

    QTimer.singleShot(0, look)


@pytest.fixture(autouse=True)
def memory_cap():
    """Should a label read /dev/zero after all, fail with an error instead of filling the machine's memory."""
    if not sys.platform.startswith("linux"):
        yield
        return
    import resource  # Unix only

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    used = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    cap = used + 4 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@pytest.fixture
def window(qtbot, data_dir):
    window = make_window(qtbot)
    show_model(window, hostile_model(data_dir))
    assert rich_labels(window) == []
    yield window
    window.controller.shutdown()


def test_hostile_titles_and_model_names_are_plain_bounded_text_everywhere(qtbot, window, monkeypatch):
    store = window.controller.store
    ids = []
    for title in HOSTILE_TITLES:
        conversation = store.create_conversation(title=title, model=MODEL_NAME)
        set_title_raw(store, conversation.id, title)  # whole, as an older store kept it
        question = store.add_message(conversation.id, role="user", content=title)
        store.add_message(conversation.id, role="assistant", content=f"About {title[:50]}", model=MODEL_NAME,
                          parent_id=question.id)
        ids.append(conversation.id)
    window.refresh_conversations()
    for conversation_id, title in zip(ids, HOSTILE_TITLES):
        actions.open_conversation(window=window, conversation_id=conversation_id)
        assert rich_labels(window) == [], title[:60]
        assert settle(lambda: not window.chat.building)
        assert window.title_label.text() == one_line(title)
        assert findings(window) == [], title[:60]
    answer = next(w for w in window.chat.widgets.values() if w.message.role == "assistant")
    assert answer.role_label.text() == one_line(MODEL_NAME)
    assert MODEL_NAME[:40] in window.status.model.text()

    # the long title is elided in the header, and the sidebar's rows are single, bounded lines
    assert window.title_label.elided().endswith("…")
    assert window.title_label.fontMetrics().horizontalAdvance(window.title_label.elided()) <= window.title_label.width()
    assert window.sidebar.list.textElideMode() == Qt.ElideRight
    assert window.sidebar.list.item(0).toolTip() == tooltip(HOSTILE_TITLES[-1])

    # search hits, a rename, a banner holding a title
    actions.search(window=window, query="bold")
    assert findings(window) == []
    actions.search(window=window, query="")
    actions.rename_conversation(window=window, conversation_id=ids[0], title='<img src="/dev/zero"> again')
    window._on_problem("import", f"{HOSTILE_TITLES[0]} could not be read")
    assert findings(window) == []

    # the export prompt suggests a file name without markup, of a length a file system takes
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (asked.append(args), ("", ""))[1])
    actions.export_conversation(window=window, conversation_id=ids[-1])
    suggested = Path(asked[0][2]).name
    assert "<" not in suggested and len(suggested.encode()) <= 255

    # conversation settings and app settings
    opened = []
    monkeypatch.setattr(QDialog, "exec", lambda dialog: (opened.append(dialog), 0)[1])
    window_menus.open_conversation_settings(window)
    window_menus.open_settings(window)
    assert len(opened) == 2
    for dialog in opened:
        assert rich_labels(dialog) == [], type(dialog).__name__
        dialog.show()
        assert findings(dialog) == [], type(dialog).__name__
        dialog.close()


def test_the_model_manager_shows_a_hostile_name_as_text(qtbot, window):
    manager = ModelManagerDialog(window)
    assert rich_labels(manager) == []  # before it is shown
    manager.show()
    qtbot.waitExposed(manager)
    row = manager.installed_rows["hostile"]
    assert row.title.textFormat() == Qt.PlainText and "<img" in row.title.text()
    assert findings(manager) == []
    seen = []
    modal_findings(seen, press="Cancel")
    assert not manager.delete_model(model_id="hostile")
    assert seen == [[]]
    manager.shutdown()
    manager.close()


def test_a_twenty_megabyte_title_is_cut_where_it_is_stored_and_shown(qtbot, window):
    store = window.controller.store
    huge = "<b>" + "x" * 20_000_000
    assert len(store.create_conversation(title=huge).title) == TITLE_MAX_CHARS
    conversation = store.create_conversation(title="short")
    assert len(store.rename(conversation.id, title=huge).title) == TITLE_MAX_CHARS
    set_title_raw(store, conversation.id, huge)  # already stored whole: the window still copes
    window.refresh_conversations()
    actions.open_conversation(window=window, conversation_id=conversation.id)
    assert settle(lambda: not window.chat.building)
    assert len(window.title_label.text()) == TITLE_MAX_CHARS and window.title_label.text().endswith("…")
    assert all(len(window.sidebar.list.item(i).text()) <= TITLE_MAX_CHARS for i in range(window.sidebar.list.count()))
    assert findings(window) == []


def test_one_line_and_tooltip():
    assert one_line("a\nb\t c") == "a b c"
    assert one_line("x" * 500) == "x" * (TITLE_MAX_CHARS - 1) + "…"
    assert one_line("") == ""
    assert tooltip('<img src="/dev/zero">') == "<p>&lt;img src=&quot;/dev/zero&quot;&gt;</p>"
    assert tooltip("") == ""
    label = ElidedLabel("<b>x</b>\nnext")
    assert label.text() == "<b>x</b> next" and label.textFormat() == Qt.PlainText
