"""A history file Octet refuses (another program's SQLite file, or one from a newer Octet) is left exactly as
it was, write-ahead log included: opening it never folds a pending log into the main file."""
import shutil
import sqlite3

import pytest

from app.history.errors import CorruptDatabaseError, NewerDatabaseError
from app.history.schema import APPLICATION_ID, SCHEMA_VERSION
from app.history.store import HistoryStore


def file_with_pending_wal(folder, *, application_id: int, version: int):
    """A WAL-mode SQLite file whose last writes are still in its -wal (copied while the writer was open)."""
    source = folder / "source.sqlite3"
    db = sqlite3.connect(source, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute(f"PRAGMA application_id = {application_id}")
    db.execute(f"PRAGMA user_version = {version}")
    db.execute("CREATE TABLE notes (body TEXT)")
    db.executemany("INSERT INTO notes VALUES (?)", [("someone else's data " * 20,)] * 50)
    target = folder / "history.sqlite3"
    shutil.copy(source, target)
    shutil.copy(source.with_name(source.name + "-wal"), target.with_name(target.name + "-wal"))
    db.close()
    return target


@pytest.mark.parametrize("application_id, version, error", [
    (0x12345678, 1, CorruptDatabaseError),  # another program's file
    (APPLICATION_ID, SCHEMA_VERSION + 1, NewerDatabaseError),  # a newer Octet's
], ids=["foreign", "newer"])
def test_a_refused_file_and_its_log_are_left_byte_for_byte(tmp_path, application_id, version, error):
    path = file_with_pending_wal(tmp_path, application_id=application_id, version=version)
    wal = path.with_name(path.name + "-wal")
    before = (path.read_bytes(), wal.read_bytes())
    assert before[1], "the log holds the writes"
    with pytest.raises(error):
        HistoryStore(path)
    assert (path.read_bytes(), wal.read_bytes()) == before
