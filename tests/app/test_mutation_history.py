"""History behaviours that mutation testing (issue 20, docs/mutation.md) found unchecked: each test names what a
user would see go wrong."""
import pytest

from app.history.store import HistoryStore


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def test_configure_changes_only_what_it_is_given_and_the_change_is_kept(tmp_path):
    path = tmp_path / "history.sqlite3"
    with HistoryStore(path) as store:
        conversation = store.create_conversation(model="a", system_prompt="Be brief.", settings={"seed": 1})
        changed = store.configure(conversation.id, model="b")
        assert (changed.model, changed.system_prompt, changed.settings) == ("b", "Be brief.", {"seed": 1})
        changed = store.configure(conversation.id, system_prompt="Answer in French.")
        assert (changed.model, changed.system_prompt, changed.settings) == ("b", "Answer in French.", {"seed": 1})
        store.configure(conversation.id, settings={"temperature": 0.2})
    with HistoryStore(path) as store:
        again = store.conversation(conversation.id)
    assert (again.model, again.system_prompt, again.settings) == ("b", "Answer in French.", {"temperature": 0.2})


def test_finish_saved_ends_an_answer_with_the_text_saved_so_far_once(store):
    store.stream_interval_s = 3600  # only the explicit flush saves, however slow the machine
    conversation = store.create_conversation()
    store.add_message(conversation.id, role="user", content="Question")
    writer = store.start_answer(conversation.id)
    writer.append("Saved.")
    writer.flush()
    writer.append(" Only in memory.")
    for wrong in ("streaming", "done"):
        with pytest.raises(ValueError, match=f"cannot finish as '{wrong}'"):
            writer.finish_saved(state=wrong)
    ended = writer.finish_saved(state="stopped")
    assert (ended.id, ended.content, ended.state) == (writer.message_id, "Saved.", "stopped")
    assert store.message(writer.message_id).state == "stopped"
    assert writer.finish_saved(state="error") is None  # no longer streaming: nothing changes
    assert store.message(writer.message_id).state == "stopped"


def test_a_long_setting_value_is_shortened_in_its_note_and_a_short_one_shown_whole():
    from app.history.validate import check_settings

    kept, notes = check_settings({"temperature": "x" * 100, "top_k": 5000, "seed": 7})
    assert kept == {"seed": 7}
    assert notes == [
        f"setting temperature = {repr('x' * 100)[:39]}… ignored: not a number (expected float from 0.0 to 2.0)",
        "setting top_k = 5000 ignored: outside 0..1000"]
    assert check_settings({"top_k": "x" * 38})[1] == [
        f"setting top_k = {'x' * 38!r} ignored: not a number (expected int from 0 to 1000)"]


def test_a_history_that_cannot_be_opened_in_a_missing_folder_is_not_called_a_full_disk(tmp_path):
    import sqlite3

    from app.history.errors import DiskFullError, StoreWriteError, translate

    path = tmp_path / "gone" / "history.sqlite3"
    with pytest.raises(sqlite3.OperationalError) as raised:
        sqlite3.connect(path)
    error = translate(raised.value, path)
    assert isinstance(error, StoreWriteError) and not isinstance(error, DiskFullError)
    assert "could not be written" in str(error)


def _raised(action) -> Exception:
    try:
        action()
    except Exception as error:  # noqa: BLE001  (the real sqlite3 error, whatever its class)
        return error
    raise AssertionError("no error")


def test_each_kind_of_sqlite_failure_is_told_as_what_it_means_with_the_file(tmp_path):
    import sqlite3

    from app.history.errors import (CorruptDatabaseError, DiskFullError, StoreError, StoreInUseError,
                                    StoreUnreadableError, StoreWriteError, translate)

    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(bytes(range(256)) * 64)
    path = tmp_path / "history.sqlite3"
    first, second = sqlite3.connect(path, isolation_level=None), sqlite3.connect(path, timeout=0, isolation_level=None)
    first.execute("CREATE TABLE t (x)")
    first.execute("CREATE TRIGGER no BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'refused here'); END")
    first.execute("INSERT INTO t VALUES (1)")
    damaged = _raised(lambda: sqlite3.connect(garbage).execute("SELECT * FROM sqlite_master").fetchall())
    first.execute("BEGIN IMMEDIATE")
    busy = _raised(lambda: second.execute("BEGIN IMMEDIATE"))
    first.execute("ROLLBACK")
    second.execute("PRAGMA query_only = 1")
    read_only = _raised(lambda: second.execute("INSERT INTO t VALUES (2)"))
    refused = _raised(lambda: first.execute("DELETE FROM t"))
    pages = first.execute("PRAGMA page_count").fetchone()[0]
    first.execute(f"PRAGMA max_page_count = {pages}")
    full = _raised(lambda: first.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,)))

    told = {name: translate(error, path) for name, error in [
        ("damaged", damaged), ("busy", busy), ("read_only", read_only), ("refused", refused), ("full", full),
        ("no code", sqlite3.Error("odd"))]}
    assert isinstance(told["damaged"], CorruptDatabaseError) and isinstance(told["damaged"], StoreUnreadableError)
    assert "damaged" in str(told["damaged"]) and "Move it aside" in str(told["damaged"])
    assert isinstance(told["busy"], StoreInUseError) and "busy in another program" in str(told["busy"])
    assert type(told["read_only"]) is StoreWriteError and "could not be written" in str(told["read_only"])
    assert type(told["refused"]) is StoreError and "reported an error: refused here" in str(told["refused"])
    assert type(told["no code"]) is StoreError and "reported an error: odd" in str(told["no code"])
    assert isinstance(told["full"], DiskFullError) and "disk is full" in str(told["full"])
    for name, error in told.items():
        assert error.path == path and str(error).startswith(f"{path}: "), name
    first.close()
    second.close()


def _collide(path, *names: str) -> None:
    for name in names:
        (path.parent / name).write_text("someone else's")


@pytest.mark.parametrize("taken, expected", [
    ((), ""),
    (("{t}",), "-2"),
    (("{t}-wal",), "-2"),  # a lone -wal of an earlier move would be overwritten
    (("{t}-shm",), "-2"),
    (("{t}", "{t}-2-wal"), "-3"),
])
def test_move_aside_picks_a_name_no_file_has_and_moves_the_wal_and_shm_along(tmp_path, taken, expected):
    import re
    import time

    from app.history.errors import move_aside

    folder = tmp_path / "histories"
    folder.mkdir()
    path = folder / "history.sqlite3"
    for _ in range(5):  # the name holds the second it is moved in: try again if the second changed meanwhile
        for leftover in folder.iterdir():
            leftover.unlink()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = f"history.sqlite3.corrupt-{stamp}"
        _collide(path, *(name.format(t=target) for name in taken))
        for suffix in ("", "-wal", "-shm"):
            (folder / f"history.sqlite3{suffix}").write_text(f"mine{suffix}")
        moved = move_aside(path)
        if stamp == time.strftime("%Y%m%d-%H%M%S"):
            break
    assert re.fullmatch(r"history\.sqlite3\.corrupt-\d{8}-\d{6}(-\d+)?", moved.name)
    assert moved.name == target + expected
    for suffix in ("", "-wal", "-shm"):
        assert (folder / f"{moved.name}{suffix}").read_text() == f"mine{suffix}"
        assert not (folder / f"history.sqlite3{suffix}").exists()
    for name in taken:
        assert (folder / name.format(t=target)).read_text() == "someone else's"


def test_the_next_save_is_due_one_interval_after_the_last(store):
    conversation = store.create_conversation()
    writer = store.start_answer(conversation.id, parent_id=None)
    store.stream_interval_s = 3600
    writer.flush()
    assert 3500 < writer.seconds_until_due() <= 3600
    store.stream_interval_s = 0
    assert writer.seconds_until_due() == 0.0


def test_a_text_that_is_not_an_export_is_refused_naming_where_it_came_from():
    from app.history.markdown_import import MarkdownImportError, read_markdown

    with pytest.raises(MarkdownImportError) as refused:
        read_markdown("just some notes")
    assert str(refused.value).startswith("<text>: no front matter")
    with pytest.raises(MarkdownImportError) as named:
        read_markdown("just some notes", source="notes.md")
    assert str(named.value).startswith("notes.md: no front matter")


@pytest.mark.parametrize("value, shown", [
    ("v" * 58, repr("v" * 58)),  # 60 characters with its quotes: shown whole
    ("v" * 59, repr("v" * 59)[:59] + "…"),
])
def test_an_unknown_format_is_named_in_the_refusal_shortened_when_long(value, shown):
    import json

    from app.history.markdown_reader import MarkdownImportError, parse_export

    with pytest.raises(MarkdownImportError) as refused:
        parse_export(f"---\nformat: {json.dumps(value)}\n---\n")
    assert str(refused.value) == (f"<text>: unknown format {shown}; this version of Octet reads octet-markdown/1 "
                                  "and octet-markdown/2")


@pytest.mark.parametrize("title, stem", [
    ("Plan. ", "Plan"), (". . Plan", "Plan"), ("... ", "Untitled"), ("a/b: c?", "a b c"),
    ("x" * 300 + ".", "x" * 120), ("X-ray X", "X-ray X"),
])
def test_export_file_names_have_no_leading_or_trailing_dots_or_spaces(title, stem):
    from app.history.export import NAME_MAX_BYTES, safe_stem

    assert safe_stem(title) == stem and len(stem.encode()) <= NAME_MAX_BYTES


def test_a_lock_held_by_a_process_that_wrote_no_pid_is_refused_without_a_made_up_process(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from app.history.errors import StoreInUseError

    path = tmp_path / "history.sqlite3"
    holder_code = ("import os, sys; from app.history.lock import _try_lock; "
                   "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644); os.write(fd, b'\\xff\\xfe not a pid'); "
                   "assert _try_lock(fd); print('ready', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", holder_code, f"{path}.lock"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreInUseError) as refused:
            HistoryStore(path)
        assert str(refused.value).endswith("this history is already open in another Octet window. Switch to that "
                                           "window, or close it and start Octet again.")
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
        holder.stdout.close()


def test_the_history_errors_read_as_whole_sentences(tmp_path):
    """The exact words a user reads for each failure (each names the file first, then what to do)."""
    import sqlite3

    from app.history.errors import NewerDatabaseError, translate

    path = tmp_path / "history.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE t (x)")
    connection.execute(f"PRAGMA max_page_count = {connection.execute('PRAGMA page_count').fetchone()[0]}")
    full = _raised(lambda: connection.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,)))
    connection.execute("PRAGMA query_only = 1")
    read_only = _raised(lambda: connection.execute("INSERT INTO t VALUES (1)"))
    connection.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    busy = _raised(lambda: sqlite3.connect(path, timeout=0, isolation_level=None).execute("BEGIN IMMEDIATE"))
    other.close()
    assert str(translate(full, path)) == (
        f"{path}: the disk is full, so Octet cannot write to the history. Free some space on it and try again; "
        "everything saved before is still there.")
    assert str(translate(read_only, path)) == (
        f"{path}: the history could not be written ({read_only}). Check that the disk is present and writable; "
        "everything saved before is still there.")
    assert str(translate(busy, path)) == f"{path}: the history is busy in another program; try again in a moment."
    newer = NewerDatabaseError(path, 9, 4)
    assert str(newer) == (
        f"{path}: this history was written by a newer version of Octet (schema 9; this version reads up to 4). "
        "Update Octet, or move the file aside to start a new, empty history; the file itself is left untouched.")


def test_the_answer_language_is_kept_only_as_a_short_language_code():
    from app.history.validate import check_settings

    kept, notes = check_settings({"answer_language": "fr"})
    assert (kept, notes) == ({"answer_language": "fr"}, [])
    assert check_settings({"answer_language": "x" * 16})[0] == {"answer_language": "x" * 16}
    for wrong in ("x" * 17, 3, None):
        kept, notes = check_settings({"answer_language": wrong})
        assert kept == {} and notes == [f"setting answer_language = {wrong!r} ignored: not a language code"]


def test_a_random_seed_is_kept_and_a_missing_number_is_dropped():
    from app.history.validate import check_settings

    kept, notes = check_settings({"seed": None, "temperature": None, "top_k": "x" * 39})
    assert kept == {"seed": None}
    assert notes == ["setting temperature = None ignored: not a number (expected float from 0.0 to 2.0)",
                     f"setting top_k = {repr('x' * 39)[:39]}… ignored: not a number (expected int from 0 to 1000)"]


def test_a_name_cut_to_its_length_does_not_end_in_a_dot():
    from app.history.export import NAME_MAX_BYTES, safe_stem

    assert safe_stem("x" * (NAME_MAX_BYTES - 1) + ". tail") == "x" * (NAME_MAX_BYTES - 1)


def test_export_all_never_replaces_a_file_another_program_wrote_meanwhile(tmp_path):
    from app.history.export import export_all, unique_file_name

    folder = tmp_path / "exports"

    class RacingStore(HistoryStore):
        """A real store; while the export reads the conversation, another program writes the file it will use."""
        def all_messages(self, conversation_id):
            conversation = self.conversation(conversation_id)
            (folder / unique_file_name(conversation, set())).write_text("someone else's notes")
            return super().all_messages(conversation_id)

    with RacingStore(tmp_path / "history.sqlite3") as store:
        conversation = store.create_conversation(title="Plan")
        store.add_message(conversation.id, role="user", content="Hello")
        with pytest.raises(FileExistsError):
            export_all(store, folder=folder)
    assert [p.read_text() for p in folder.iterdir()] == ["someone else's notes"]


@pytest.fixture
def small_disk(tmp_path):
    import subprocess
    import uuid

    mount_point = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_read_only_history_on_a_full_disk_is_not_blamed_on_the_disk(small_disk):
    import os
    import sqlite3

    from app.history.errors import DiskFullError, StoreWriteError, translate

    path = small_disk / "history.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE t (x)")
    fd = os.open(small_disk / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    connection.execute("PRAGMA query_only = 1")
    read_only = _raised(lambda: connection.execute("INSERT INTO t VALUES (1)"))
    connection.close()
    error = translate(read_only, path)
    assert type(error) is StoreWriteError and not isinstance(error, DiskFullError)


def test_every_setting_keeps_both_ends_of_its_range_and_drops_what_lies_beyond():
    from app.history.validate import SETTING_RULES, check_settings

    for key, (kind, low, high) in SETTING_RULES.items():
        assert check_settings({key: low}) == ({key: low}, []), key
        assert check_settings({key: high}) == ({key: high}, []), key
        step = 1 if kind is int else 0.01
        for outside in (low - step, high + step):
            kept, notes = check_settings({key: outside})
            assert kept == {} and notes == [f"setting {key} = {outside!r} ignored: outside {low}..{high}"], key


@pytest.mark.parametrize("question, shown", [
    ("q" * 40, "q" * 40),
    ("q" * 41, "q" * 39 + "…"),
    ("word " * 7 + "end of it", "word word word word word word word end…"),  # no space before the …
])
def test_a_branch_heading_quotes_the_start_of_the_message_it_follows(store, question, shown):
    from app.history.export import conversation_markdown

    conversation = store.create_conversation(title="Branches")
    asked = store.add_message(conversation.id, role="user", content=question)
    store.add_message(conversation.id, role="assistant", content="First answer", parent_id=asked.id)
    store.add_message(conversation.id, role="assistant", content="Second answer", parent_id=asked.id)
    headings = [line for line in conversation_markdown(store, conversation.id).splitlines()
                if line.startswith("# Another branch")]
    assert len(headings) == 1 and headings[0].startswith(f"# Another branch, after “{shown}” <!-- ")


def test_a_search_excerpt_is_one_line_with_the_match_still_marked():
    from app.history.search import snippet

    excerpt, spans = snippet("First line\nsecond line with the word here\nthird", ["word"])
    assert "\n" not in excerpt and excerpt.startswith("First line second line")
    assert [excerpt[s:e] for s, e in spans] == ["word"]


def test_a_failing_search_reads_as_a_history_error_naming_the_file(store):
    from app.history.errors import StoreError

    store.create_conversation(title="Plan")
    store._db.close()  # the connection is gone, as when the file is yanked away
    with pytest.raises(StoreError) as failed:
        store.search("plan")
    assert str(failed.value).startswith(f"{store.path}: ") and "closed database" in str(failed.value)


def test_an_import_with_a_bad_message_adds_nothing(store):
    from datetime import datetime, timezone

    from app.history.records import Conversation, Message

    moment = datetime(2026, 1, 2, tzinfo=timezone.utc)
    conversation = Conversation(id=0, title="Imported", created_at=moment, updated_at=moment, model="m",
                                system_prompt="", settings={}, pinned=False)

    def message(number, parent, role="user", state="complete"):
        return Message(id=number, conversation_id=0, parent_id=parent, role=role, content=f"m{number}", state=state,
                       created_at=moment, model="", stats={})

    bad_trees = {
        "parent after its child": [message(1, None), message(2, 3), message(3, 1)],
        "twice the same number": [message(1, None), message(1, None)],
        "unknown role": [message(1, None, role="robot")],
        "unknown state": [message(1, None, state="odd")],
    }
    for problem, messages in bad_trees.items():
        with pytest.raises(ValueError, match="comes before its parent or twice|unknown role"):
            store.import_tree(conversation, messages, shown_leaf=1)
        assert store.list_conversations() == [], problem
    store.import_tree(conversation, [message(1, None), message(2, 1, role="assistant")], shown_leaf=2)
    assert [c.title for c in store.list_conversations()] == ["Imported"]


def test_finish_refuses_to_leave_an_answer_streaming(store):
    conversation = store.create_conversation()
    writer = store.start_answer(conversation.id, parent_id=None)
    for wrong in ("streaming", "done"):
        with pytest.raises(ValueError, match=f"cannot finish as '{wrong}'"):
            writer.finish(state=wrong)
    assert store.message(writer.message_id).state == "streaming"


def test_a_time_longer_than_64_characters_is_refused_before_parsing():
    from app.history.validate import aware_time

    padded = "2026-01-02T03:04:05.000006+00:00".ljust(65, "0")
    with pytest.raises(TypeError, match="a time must be a short text, not '2026-01-02T03"):
        aware_time(padded)
    assert aware_time("2026-01-02T03:04:05+00:00").year == 2026


def test_many_shallow_brackets_are_not_taken_for_deep_nesting():
    from app.history.validate import MAX_DEPTH, json_depth_exceeds

    wide = "[" + ",".join(f'[{i}, "a \\" ]"]' for i in range(40)) + "]"
    assert not json_depth_exceeds(wide)
    assert not json_depth_exceeds("[" * MAX_DEPTH)  # malformed, not deep: the JSON parser says so
    assert json_depth_exceeds("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    assert not json_depth_exceeds("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_a_message_added_without_show_leaves_the_branch_on_show(store):
    conversation = store.create_conversation()
    question = store.add_message(conversation.id, role="user", content="Question")
    answer = store.add_message(conversation.id, role="assistant", content="Shown")
    store.add_message(conversation.id, role="assistant", content="Hidden", parent_id=question.id, show=False)
    assert [m.content for m in store.shown_path(conversation.id)] == ["Question", "Shown"]
    assert [m.id for m in store.siblings(answer.id)][0] == answer.id


def test_settings_that_are_not_a_mapping_are_refused_naming_what_they_are():
    from app.history.validate import check_settings

    with pytest.raises(TypeError, match="settings must be a mapping, not list"):
        check_settings([1])


def test_an_export_of_exactly_the_size_limit_is_read_and_one_byte_more_is_refused(tmp_path, monkeypatch):
    from app.history import markdown_reader
    from app.history.markdown_reader import MarkdownImportError, read_export

    monkeypatch.setattr(markdown_reader, "MAX_FILE_BYTES", 3 * 2**20)  # the rule, at a size quick to write
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * (3 * 2**20))
    with pytest.raises(MarkdownImportError, match="no front matter"):  # read, then found not to be an export
        read_export(path)
    path.write_bytes(b"x" * (3 * 2**20 + 1))
    with pytest.raises(MarkdownImportError) as refused:
        read_export(path)
    assert str(refused.value) == f"{path}: the file is 3 MB; Octet imports exports of up to 3 MB"


def test_an_unknown_key_in_a_branch_heading_is_noted_and_ignored(store):
    from app.history.export import conversation_markdown
    from app.history.markdown_reader import parse_export

    conversation = store.create_conversation(title="Branches")
    asked = store.add_message(conversation.id, role="user", content="Question")
    store.add_message(conversation.id, role="assistant", content="One", parent_id=asked.id)
    store.add_message(conversation.id, role="assistant", content="Two", parent_id=asked.id)
    text = conversation_markdown(store, conversation.id).replace('{"parent": 1} -->', '{"parent": 1, "mood": 2} -->')
    parsed = parse_export(text)
    assert parsed.notes == ["unknown branch heading key 'mood' ignored"]
    assert sorted(m.content for m in parsed.messages) == ["One", "Question", "Two"]
