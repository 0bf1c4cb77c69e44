"""The history store on real SQLite files: conversations, the message tree, streaming, deletion with
undo, automatic titles, awkward text, and the one-process-per-file rule."""
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.history.errors import NotFoundError, StoreInUseError
from app.history.store import HistoryStore, auto_title, default_path

CHILD = Path(__file__).with_name("store_child.py")


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def chat(store, *texts):
    """A conversation whose shown branch alternates user and assistant `texts`."""
    conversation = store.create_conversation(model="starter")
    for index, text in enumerate(texts):
        store.add_message(conversation.id, role=("user", "assistant")[index % 2], content=text)
    return conversation


def test_default_path_is_in_the_data_folder(data_dir):
    assert default_path() == data_dir / "history.sqlite3"
    with HistoryStore() as store:
        store.create_conversation(title="x")
    assert (data_dir / "history.sqlite3").exists()


def test_conversation_keeps_its_metadata(store):
    created = store.create_conversation(title="Plan", model="mixtral", system_prompt="Be brief.",
                                        settings={"temperature": 0.7, "seed": 3})
    again = store.conversation(created.id)
    assert again == created
    assert (again.title, again.model, again.system_prompt) == ("Plan", "mixtral", "Be brief.")
    assert again.settings == {"temperature": 0.7, "seed": 3} and not again.pinned
    changed = store.configure(created.id, system_prompt="Be long.", settings={"top_p": 0.9})
    assert (changed.model, changed.system_prompt, changed.settings) == ("mixtral", "Be long.", {"top_p": 0.9})


def test_messages_keep_role_state_stats_and_model(store):
    conversation = chat(store, "Hi")
    answer = store.add_message(conversation.id, role="assistant", content="Hello", state="error",
                               model="starter", stats={"generated_tokens": 2, "decode_tps": 10.5})
    path = store.shown_path(conversation.id)
    assert [(m.role, m.content) for m in path] == [("user", "Hi"), ("assistant", "Hello")]
    assert path[1] == answer and answer.parent_id == path[0].id
    assert (answer.state, answer.model, answer.stats["decode_tps"]) == ("error", "starter", 10.5)


def test_first_user_message_names_an_untitled_conversation(store):
    conversation = chat(store, "  How do I   sort a list in Python?\nDetails follow.", "Use sorted().")
    store.add_message(conversation.id, role="user", content="Another question")
    assert store.conversation(conversation.id).title == "How do I sort a list in Python?"
    named = store.create_conversation(title="Mine")
    store.add_message(named.id, role="user", content="Something else")
    assert store.conversation(named.id).title == "Mine"


def test_auto_title_cuts_long_text_at_a_word():
    title = auto_title("word " * 40)
    assert title.endswith("…") and len(title) <= 61 and "  " not in title
    assert auto_title("\n\n# Heading here") == "Heading here"
    assert auto_title("") == ""


def test_edit_and_regenerate_keep_earlier_branches(store):
    conversation = chat(store, "Question", "Answer one")
    question, first_answer = store.shown_path(conversation.id)
    regenerated = store.add_message(conversation.id, role="assistant", content="Answer two",
                                    parent_id=question.id)
    assert [m.content for m in store.shown_path(conversation.id)] == ["Question", "Answer two"]
    assert [m.id for m in store.siblings(regenerated.id)] == [first_answer.id, regenerated.id]
    edited = store.add_message(conversation.id, role="user", content="Better question", parent_id=None)
    store.add_message(conversation.id, role="assistant", content="Answer three")
    assert [m.content for m in store.shown_path(conversation.id)] == ["Better question", "Answer three"]
    assert [m.id for m in store.siblings(edited.id)] == [question.id, edited.id]
    shown = store.select_branch(question.id)  # back to the first question: its newest answer
    assert [m.content for m in shown] == ["Question", "Answer two"]
    assert [m.content for m in store.select_branch(first_answer.id)] == ["Question", "Answer one"]
    assert store.conversation(conversation.id).shown_leaf_id == first_answer.id
    assert len(store.all_messages(conversation.id)) == 5


def test_a_parent_from_another_conversation_is_refused(store):
    first, second = chat(store, "a"), chat(store, "b")
    with pytest.raises(ValueError):
        store.add_message(second.id, role="user", content="x",
                          parent_id=store.conversation(first.id).shown_leaf_id)
    with pytest.raises(ValueError):
        store.add_message(second.id, role="robot", content="x")


def test_list_shows_pinned_first_then_newest(store):
    old, middle, new = chat(store, "old"), chat(store, "middle"), chat(store, "new")
    store.set_pinned(old.id, pinned=True)
    assert [c.id for c in store.list_conversations()] == [old.id, new.id, middle.id]
    store.add_message(middle.id, role="assistant", content="activity")
    assert [c.id for c in store.list_conversations()] == [old.id, middle.id, new.id]
    assert [c.id for c in store.list_conversations(limit=1)] == [old.id]


def test_rename_delete_and_undo_the_last_deletion(store):
    first, second = chat(store, "first", "reply"), chat(store, "second")
    assert store.rename(first.id, title="Renamed").title == "Renamed"
    store.delete(first.id)
    assert [c.id for c in store.list_conversations()] == [second.id]
    with pytest.raises(NotFoundError):
        store.conversation(first.id)
    assert store.search("Renamed") == []
    store.delete(second.id)  # only the last deletion can be undone
    assert store.undo_delete().id == second.id
    assert store.undo_delete() is None
    assert [c.id for c in store.list_conversations()] == [second.id]
    store.delete(second.id)
    assert store.undo_delete().id == second.id
    assert [m.content for m in store.shown_path(second.id)] == ["second"]
    store.delete(second.id)
    store.purge_deleted()
    assert store.undo_delete() is None and store.list_conversations() == []


def test_streaming_answer_is_saved_as_it_grows_with_few_writes(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3", stream_interval_s=0.05) as store:
        conversation = chat(store, "Tell me")
        writer = store.start_answer(conversation.id, model="starter")
        assert store.message(writer.message_id).state == "streaming"
        writes, deadline = 0, time.monotonic() + 0.3
        while time.monotonic() < deadline:
            before = store.message(writer.message_id).content
            writer.append("tok ")
            writes += store.message(writer.message_id).content != before
            time.sleep(0.001)
        assert 3 <= writes <= 0.3 / 0.05 + 1
        saved = store.message(writer.message_id).content
        assert saved and writer.text.startswith(saved)
        done = writer.finish(stats={"generated_tokens": writer.text.count("tok")})
        assert (done.state, done.content) == ("complete", writer.text)
        assert store.shown_path(conversation.id)[-1] == done


def test_reopening_marks_an_unfinished_answer_stopped(tmp_path):
    path = tmp_path / "h.sqlite3"
    child = subprocess.Popen([sys.executable, str(CHILD), "half", str(path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    message_id = int(child.stdout.readline().split()[1])
    child.kill()
    child.wait()
    child.stdout.close()
    child.stdin.close()
    with HistoryStore(path) as reopened:
        answer = reopened.message(message_id)
        assert (answer.state, answer.content) == ("stopped", "half an ans")
        assert reopened.search("half")[0].message_id == message_id


def test_finishing_an_answer_of_a_deleted_conversation_is_harmless(store):
    conversation = chat(store, "q")
    writer = store.start_answer(conversation.id)
    store.delete(conversation.id)
    store.purge_deleted()
    writer.append("text")
    assert writer.finish() is None


@pytest.mark.parametrize("text, stored", [
    ("nul\0inside\0", "nul\0inside\0"),
    ("lone \ud800 high and \udfff low", "lone \ufffd high and \ufffd low"),
    ("split pair \ud83d\ude00 joins", "split pair 😀 joins"),
    ("emoji 👩‍👩‍👧 and مرحبا and עברית", "emoji 👩‍👩‍👧 and مرحبا and עברית"),
])
def test_awkward_text_policy(store, text, stored):
    conversation = store.create_conversation(title=text, system_prompt=text)
    message = store.add_message(conversation.id, role="user", content=text, model=text,
                                stats={"note": text})
    again = store.message(message.id)
    assert again.content == again.model == again.stats["note"] == stored
    assert store.conversation(conversation.id).title == stored


def test_a_one_megabyte_message(store):
    big = ("Ünïcode line with a tab\t and more text, " * 30 + "\n") * 900
    assert len(big) > 1_000_000
    conversation = chat(store, big)
    assert store.shown_path(conversation.id)[0].content == big
    writer = store.start_answer(conversation.id)
    writer.append(big)
    writer.finish()
    assert store.message(writer.message_id).content == big
    hit = store.search("unicode")[0]
    assert len(hit.snippet) < 400 and hit.highlights


def test_two_stores_in_one_process_share_the_file(tmp_path):
    path = tmp_path / "h.sqlite3"
    with HistoryStore(path) as gui, HistoryStore(path) as export_thread:
        conversation = chat(gui, "shared")
        assert export_thread.shown_path(conversation.id)[0].content == "shared"


def test_a_second_process_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "h.sqlite3"
    holder = subprocess.Popen([sys.executable, str(CHILD), "hold", str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreInUseError) as refused:
            HistoryStore(path)
        assert "already open in another Octet window" in str(refused.value)
        assert f"process {holder.pid}" in str(refused.value) and str(path) in str(refused.value)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()
    with HistoryStore(path) as store:  # once the other one is gone, the file opens
        assert store.list_conversations() == []


def test_store_and_export_import_neither_qt_nor_torch():
    code = ("import sys, app.history.store, app.history.export, app.history.markdown_import; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'PySide6')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "[]"
