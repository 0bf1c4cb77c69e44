"""Opening the history database: refuse damaged, foreign or newer files untouched (checked through a
read-only connection, so not even a pending write-ahead log is folded into them), then set WAL and
foreign keys and run the forward migrations, one transaction per schema version.

`SCHEMA_VERSION` is the newest; `MIGRATIONS[n]` upgrades version n to n + 1 (0 is an empty file).
"""
import sqlite3
from pathlib import Path

from .errors import CORRUPT_ADVICE, CorruptDatabaseError, NewerDatabaseError, disk_is_full, translate
from .search import fold

APPLICATION_ID = 0x4F435445  # "OCTE", in the SQLite header: this file is an Octet history
BUSY_TIMEOUT_MS = 5000


def _v1_conversations_and_messages(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute("""CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        system_prompt TEXT NOT NULL DEFAULT '',
        settings TEXT NOT NULL DEFAULT '{}',
        shown_leaf_id INTEGER REFERENCES messages(id) ON DELETE SET NULL)""")
    db.execute("""CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('complete', 'streaming', 'stopped', 'error')),
        created_at TEXT NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        stats TEXT NOT NULL DEFAULT '{}')""")
    db.execute("CREATE INDEX messages_by_conversation ON messages(conversation_id, id)")
    db.execute("CREATE INDEX messages_by_parent ON messages(parent_id)")
    db.execute("CREATE INDEX messages_streaming ON messages(state) WHERE state = 'streaming'")


def _v2_pinned_and_undoable_delete(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE conversations ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE conversations ADD COLUMN deleted_at TEXT")
    db.execute("CREATE INDEX conversations_listed ON conversations(pinned, updated_at)")


_INDEXED = "new.state != 'streaming'"
_SEARCH_TRIGGERS = (
    """CREATE TRIGGER title_indexed AFTER INSERT ON conversations BEGIN
        INSERT INTO title_index(rowid, title) VALUES (new.id, octet_fold(new.title)); END""",
    """CREATE TRIGGER title_reindexed AFTER UPDATE OF title ON conversations BEGIN
        DELETE FROM title_index WHERE rowid = old.id;
        INSERT INTO title_index(rowid, title) VALUES (new.id, octet_fold(new.title)); END""",
    """CREATE TRIGGER title_unindexed AFTER DELETE ON conversations BEGIN
        DELETE FROM title_index WHERE rowid = old.id; END""",
    f"""CREATE TRIGGER message_indexed AFTER INSERT ON messages WHEN {_INDEXED} BEGIN
        INSERT INTO message_index(rowid, body) VALUES (new.id, octet_fold(new.content)); END""",
    f"""CREATE TRIGGER message_reindexed AFTER UPDATE OF content, state ON messages
        WHEN old.state != 'streaming' OR {_INDEXED} BEGIN
        DELETE FROM message_index WHERE rowid = old.id;
        INSERT INTO message_index(rowid, body)
            SELECT new.id, octet_fold(new.content) WHERE {_INDEXED}; END""",
    """CREATE TRIGGER message_unindexed AFTER DELETE ON messages BEGIN
        DELETE FROM message_index WHERE rowid = old.id; END""",
)


def _v3_search(db: sqlite3.Connection) -> None:
    """FTS5 over folded copies (see search.fold) of titles and of messages no longer streaming."""
    tokenizer = "tokenize = 'unicode61 remove_diacritics 2'"
    db.execute(f"CREATE VIRTUAL TABLE title_index USING fts5(title, {tokenizer})")
    db.execute(f"CREATE VIRTUAL TABLE message_index USING fts5(body, {tokenizer})")
    for trigger in _SEARCH_TRIGGERS:
        db.execute(trigger)
    db.execute("INSERT INTO title_index(rowid, title) SELECT id, octet_fold(title) FROM conversations")
    db.execute("""INSERT INTO message_index(rowid, body) SELECT id, octet_fold(content)
                  FROM messages WHERE state != 'streaming'""")


MIGRATIONS = (_v1_conversations_and_messages, _v2_pinned_and_undoable_delete, _v3_search)
SCHEMA_VERSION = len(MIGRATIONS)


def connect_raw(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), rows by name, `octet_fold` known."""
    db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    db.row_factory = sqlite3.Row
    db.create_function("octet_fold", 1, fold, deterministic=True)
    return db


def apply_migrations(db: sqlite3.Connection, *, upto: int = SCHEMA_VERSION) -> None:
    """Upgrade the schema to version `upto`, one transaction per version (a failed one changes nothing)."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for step in range(version, upto):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[step](db)
            db.execute(f"PRAGMA user_version = {step + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


def open_database(path: Path) -> sqlite3.Connection:
    """Open (or create) the history at `path`, checked and migrated; raise a StoreError otherwise.

    A file that is damaged, not Octet's, or from a newer Octet is never written to.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.stat().st_size:
        _check_untouched(path)
    try:
        db = connect_raw(path)
    except sqlite3.Error as error:
        raise translate(error, path) from error
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        apply_migrations(db)
    except sqlite3.Error as error:
        db.close()
        raise translate(error, path) from error
    except BaseException:
        db.close()
        raise
    return db


def _check_untouched(path: Path) -> None:
    """Refuse a damaged, foreign or newer file through a read-only connection: closing a writable one
    would checkpoint the file's write-ahead log into it."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as error:
        raise translate(error, path) from error
    try:
        _check_readable(db, path)
    finally:
        db.close()


def _check_readable(db: sqlite3.Connection, path: Path) -> None:
    try:
        application_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        verdict = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if disk_is_full(path):  # SQLite cannot make its -shm and -wal files: an I/O error, not damage
            raise translate(error, path) from error
        raise CorruptDatabaseError(
            path, f"this is not a readable history database ({error}). {CORRUPT_ADVICE}") from error
    if verdict != "ok":
        raise CorruptDatabaseError(path, f"the history file is damaged ({verdict}). {CORRUPT_ADVICE}")
    if application_id != APPLICATION_ID and (tables or version):
        raise CorruptDatabaseError(
            path, f"this SQLite file is not an Octet history. {CORRUPT_ADVICE}")
    if version > SCHEMA_VERSION:
        raise NewerDatabaseError(path, version, SCHEMA_VERSION)
