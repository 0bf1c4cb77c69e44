"""File › Import in the window: the file is read off the window's thread, with progress, while the event loop
keeps running; a conversation already in the history is not added again silently (the window asks: replace,
keep both, or cancel); a refused file is explained in the banner."""
import threading

import pytest

from app.chat import actions, importer as importer_module
from app.history.export import export_conversation
from app.history.store import HistoryStore
from tests.app.window_helpers import TickGaps, make_window


def finish(qtbot, running) -> None:
    qtbot.waitUntil(lambda: not running.busy, timeout=120_000)
    assert running.wait()


@pytest.fixture
def window(qtbot):
    made = make_window(qtbot)
    yield made
    made.controller.shutdown()


def write_export(tmp_path, *, title="Backup", turns=2, size=10, extra=None):
    with HistoryStore(tmp_path / "source.sqlite3") as source:
        conversation = source.create_conversation(title=title)
        for index in range(turns):
            source.add_message(conversation.id, role=("user", "assistant")[index % 2],
                               content=f"message {index} " + "words and more words\n" * size)
        if extra:
            source.add_message(conversation.id, role="user", content=extra)
        return export_conversation(source, conversation.id, path=tmp_path / f"{title}.md")


def test_a_large_import_runs_off_the_window_thread_with_progress(qtbot, window, tmp_path, monkeypatch):
    path = write_export(tmp_path, turns=400, size=2_000)  # about 17 MB
    assert path.stat().st_size > 15 * 2**20
    threads, progress = [], []
    original = importer_module.read_export

    def recording(*args, **kwargs):
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(importer_module, "read_export", recording)
    gaps = TickGaps()
    gaps.start()
    running = actions.import_conversation(window=window, path=path)
    running.sig_progress.connect(progress.append)
    assert window.controller.store.list_conversations() == []  # returned at once: the work goes on elsewhere
    finish(qtbot, running)
    gaps.stop()
    assert threads and threads[0] != threading.get_ident()
    assert gaps.kept_running(), f"the event loop was blocked for {gaps.largest_ms} ms of {gaps.phase_ms} ms"
    assert len(set(progress)) >= 3 and progress == sorted(progress) and progress[-1] == 1.0
    [conversation] = window.controller.store.list_conversations()
    assert window.controller.conversation.id == conversation.id  # shown
    assert len(window.controller.store.shown_path(conversation.id)) == 400


def import_with_answer(qtbot, window, path, answer: str | None):
    asked = []

    def ask(conversation, duplicates):
        asked.append([(d.conversation.id, d.identical) for d in duplicates])
        return answer

    window.ask_import_duplicate = ask
    finish(qtbot, actions.import_conversation(window=window, path=path))
    return asked


def test_importing_the_same_file_again_asks_and_does_what_was_chosen(qtbot, window, tmp_path):
    path = write_export(tmp_path)
    store = window.controller.store
    assert import_with_answer(qtbot, window, path, None) == []  # new: nothing to ask
    [first] = store.list_conversations()

    assert import_with_answer(qtbot, window, path, "cancel") == [[(first.id, True)]]
    assert [c.id for c in store.list_conversations()] == [first.id]

    assert import_with_answer(qtbot, window, path, "keep") == [[(first.id, True)]]
    assert len(store.list_conversations()) == 2

    asked = import_with_answer(qtbot, window, path, "replace")
    assert len(asked[0]) == 2  # both copies are the same conversation
    [replacement] = store.list_conversations()
    assert replacement.title == "Backup" and len(store.all_messages(replacement.id)) == 2
    assert window.controller.conversation.id == replacement.id


def test_a_newer_export_of_the_same_conversation_is_recognised(qtbot, window, tmp_path):
    path = write_export(tmp_path)
    import_with_answer(qtbot, window, path, None)
    with HistoryStore(tmp_path / "source.sqlite3") as source:  # the conversation went on, and was exported again
        conversation = source.list_conversations()[0]
        source.add_message(conversation.id, role="assistant", content="A later answer")
        newer = export_conversation(source, conversation.id, path=tmp_path / "newer.md")
    first = window.controller.store.list_conversations()[0]
    assert import_with_answer(qtbot, window, newer, "replace") == [[(first.id, False)]]
    [replaced] = window.controller.store.list_conversations()
    assert window.controller.store.shown_path(replaced.id)[-1].content == "A later answer"


def test_a_refused_file_is_explained_and_adds_nothing(qtbot, window, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Just notes\n", encoding="utf-8")
    finish(qtbot, actions.import_conversation(window=window, path=path))
    assert window.banner.kind == "import" and "not an Octet Markdown export" in window.banner.label.text()
    assert window.controller.store.list_conversations() == []


def test_what_was_left_out_is_said(qtbot, window, tmp_path):
    path = write_export(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("settings: {}", 'settings: {"top_p": 7}'),
                    encoding="utf-8")
    finish(qtbot, actions.import_conversation(window=window, path=path))
    assert window.banner.kind == "import_notes" and "top_p" in window.banner.label.text()
    assert window.controller.store.list_conversations()[0].settings == {}


def test_an_export_that_cannot_be_written_is_explained(qtbot, window, tmp_path):
    conversation = window.controller.store.create_conversation(title="Kept")
    window.controller.store.add_message(conversation.id, role="user", content="Hello")
    target = tmp_path / "missing folder" / "kept.md"
    assert actions.export_conversation(window=window, conversation_id=conversation.id, path=target) is None
    assert window.banner.kind == "export" and "missing folder" in window.banner.label.text()
    assert not target.parent.exists()
