"""The history file under stress: older schema versions migrate, damaged, foreign or newer files are
refused untouched (and can be moved aside), a full disk is reported and loses nothing saved."""
import hashlib
import sqlite3

import pytest

from app.history.errors import (CorruptDatabaseError, DiskFullError, NewerDatabaseError,
                                StoreUnreadableError, move_aside)
from app.history.schema import SCHEMA_VERSION, apply_migrations, connect_raw
from app.history.store import HistoryStore

STAMP = "2024-03-01T10:00:00.000000+00:00"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def filled_history(path):
    with HistoryStore(path) as store:
        for index in range(30):
            conversation = store.create_conversation(title=f"Conversation {index}")
            store.add_message(conversation.id, role="user", content="Grüße " * 200)
    return path


def write_version(path, version):
    """A history file as version `version` of Octet left it: two chats, one answer cut mid-stream."""
    db = connect_raw(path)
    apply_migrations(db, upto=version)
    db.execute("PRAGMA foreign_keys = ON")
    for number, title in ((1, "Grüße aus Köln"), (2, "Ça va")):
        db.execute("""INSERT INTO conversations (id, title, created_at, updated_at, model,
                      system_prompt, settings) VALUES (?, ?, ?, ?, 'mixtral', 'Be kind', '{"seed": 1}')""",
                   (number, title, STAMP, STAMP))
        db.execute("""INSERT INTO messages (id, conversation_id, parent_id, role, content, state,
                      created_at) VALUES (?, ?, NULL, 'user', 'Wie geht''s, Straße?', 'complete', ?)""",
                   (number * 10, number, STAMP))
        db.execute("""INSERT INTO messages (id, conversation_id, parent_id, role, content, state,
                      created_at, model) VALUES (?, ?, ?, 'assistant', 'Très bien', ?, ?, 'mixtral')""",
                   (number * 10 + 1, number, number * 10, "streaming" if number == 2 else "complete", STAMP))
        db.execute("UPDATE conversations SET shown_leaf_id = ? WHERE id = ?", (number * 10 + 1, number))
    db.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_each_older_version_opens_migrated_with_its_data(tmp_path, version):
    path = tmp_path / "history.sqlite3"
    write_version(path, version)
    with HistoryStore(path) as store:
        assert store._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        listed = store.list_conversations()
        assert {c.title for c in listed} == {"Grüße aus Köln", "Ça va"}
        assert not any(c.pinned for c in listed) and listed[0].settings == {"seed": 1}
        assert [m.content for m in store.shown_path(1)] == ["Wie geht's, Straße?", "Très bien"]
        assert store.message(21).state == "stopped"
        assert {h.conversation_id for h in store.search("strasse")} == {1, 2}
        assert {h.conversation_id for h in store.search("koln")} == {1}
        assert {h.conversation_id for h in store.search("tres")} == {1, 2}
        store.set_pinned(2, pinned=True)
        assert store.list_conversations()[0].id == 2


def test_a_new_file_gets_wal_foreign_keys_and_the_newest_schema(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        pragma = {name: store._db.execute(f"PRAGMA {name}").fetchone()[0]
                  for name in ("journal_mode", "foreign_keys", "user_version")}
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "user_version": SCHEMA_VERSION}


@pytest.mark.parametrize("damage", ["garbage", "torn page", "truncated", "foreign"])
def test_an_unusable_file_is_refused_and_left_untouched(tmp_path, damage):
    path = tmp_path / "history.sqlite3"
    if damage == "garbage":
        path.write_bytes(bytes(range(256)) * 64)
    elif damage == "foreign":
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        other.commit()
        other.close()
    else:
        filled_history(path)
        data = bytearray(path.read_bytes())
        if damage == "torn page":
            data[4096 * 3:4096 * 3 + 3000] = b"\xff" * 3000
        path.write_bytes(data if damage == "torn page" else data[:len(data) // 2])
    before = digest(path)
    with pytest.raises(CorruptDatabaseError) as refused:
        HistoryStore(path)
    assert str(path) in str(refused.value) and "Move it aside" in str(refused.value)
    assert digest(path) == before
    moved = move_aside(path)
    assert moved.name.startswith("history.sqlite3.corrupt-") and digest(moved) == before
    with HistoryStore(path) as fresh:
        assert fresh.list_conversations() == []


def test_a_file_from_a_newer_octet_is_refused_untouched(tmp_path):
    path = filled_history(tmp_path / "history.sqlite3")
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = digest(path)
    with pytest.raises(NewerDatabaseError) as refused:
        HistoryStore(path)
    assert isinstance(refused.value, StoreUnreadableError)
    assert refused.value.found_version == SCHEMA_VERSION + 1 and "newer version of Octet" in str(refused.value)
    assert digest(path) == before


def test_move_aside_never_overwrites_and_keeps_the_wal(tmp_path):
    path = tmp_path / "history.sqlite3"
    for suffix, text in (("", "main"), ("-wal", "wal")):
        (tmp_path / f"history.sqlite3{suffix}").write_text(text)
    first = move_aside(path)
    path.write_text("second main")
    second = move_aside(path)
    assert first != second and not path.exists()
    assert first.read_text() == "main" and (first.parent / (first.name + "-wal")).read_text() == "wal"
    assert second.read_text() == "second main"


def test_a_full_disk_is_reported_and_loses_nothing_saved(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3", stream_interval_s=0) as store:
        conversation = store.create_conversation(title="Before")
        saved = store.add_message(conversation.id, role="user", content="kept")
        writer = store.start_answer(conversation.id)
        writer.append("partial ")
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite now meets SQLITE_FULL
        with pytest.raises(DiskFullError) as full:
            store.add_message(conversation.id, role="user", content="x" * 200_000)
        assert "disk is full" in str(full.value) and "still there" in str(full.value)
        with pytest.raises(DiskFullError):
            writer.append("y" * 200_000)
        assert not store._db.in_transaction
        assert [m.content for m in store.shown_path(conversation.id)] == ["kept", "partial "]
        assert store.message(saved.id).content == "kept"
        store._db.execute(f"PRAGMA max_page_count = {2 ** 30}")  # space freed
        writer.finish()
        assert store.message(writer.message_id).content == "partial " + "y" * 200_000
    raw = sqlite3.connect(tmp_path / "history.sqlite3")
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
