"""Errors of the chat history store, each naming the database file and what the user can do.

`translate(error, path)` turns a raw `sqlite3.Error` into one of them; `move_aside(path)` renames an
unreadable database (with its -wal/-shm files) out of the way, never deleting or overwriting anything.
"""
import shutil
import sqlite3
import time
from pathlib import Path

from runtime.errors import OctetError


class StoreError(OctetError):
    """The history database could not do what was asked; `str()` is a sentence for the user."""

    def __init__(self, path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class StoreUnreadableError(StoreError):
    """The file cannot be used as it is (corrupt, newer, not Octet's); it was left untouched."""


class CorruptDatabaseError(StoreUnreadableError):
    """The file is damaged or is not an SQLite database."""


class NewerDatabaseError(StoreUnreadableError):
    """The file was written by a newer version of Octet, with a schema this version does not know."""

    def __init__(self, path, found_version: int, known_version: int):
        self.found_version = found_version
        self.known_version = known_version
        super().__init__(
            path,
            f"this history was written by a newer version of Octet (schema {found_version}; this "
            f"version reads up to {known_version}). Update Octet, or move the file aside to start "
            "a new, empty history; the file itself is left untouched.",
        )


class StoreInUseError(StoreError):
    """Another running Octet holds this history; a second instance is refused."""


class DiskFullError(StoreError):
    """A write failed for lack of space; everything saved before it is still there."""


class StoreWriteError(StoreError):
    """A write failed for another reason (permissions, I/O error); earlier data is still there."""


class NotFoundError(StoreError, LookupError):
    """No conversation or message with that id (or it was deleted)."""


DISK_ERRORS = (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN)
FULL_BELOW_BYTES = 1 << 20

CORRUPT_ADVICE = (
    "Octet did not change the file. Move it aside to start a new, empty history "
    "(the old file is kept, renamed), or restore it from a backup or a Markdown export."
)


def translate(error: sqlite3.Error, path) -> StoreError:
    """The `StoreError` a person should read for a raw sqlite3 error raised while using `path`."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if code is not None else None
    if primary == sqlite3.SQLITE_FULL or (primary in DISK_ERRORS and disk_is_full(path)):
        return DiskFullError(
            path, "the disk is full, so Octet cannot write to the history. Free some space on it and "
            "try again; everything saved before is still there.")
    if primary in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return CorruptDatabaseError(path, f"the history file is damaged ({error}). {CORRUPT_ADVICE}")
    if primary == sqlite3.SQLITE_BUSY:
        return StoreInUseError(path, "the history is busy in another program; try again in a moment.")
    if primary in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN,
                   sqlite3.SQLITE_PERM):
        return StoreWriteError(
            path, f"the history could not be written ({error}). Check that the disk is present and "
            "writable; everything saved before is still there.")
    return StoreError(path, f"the history database reported an error: {error}")


def disk_is_full(path) -> bool:
    """Whether the disk holding `path` has (almost) no space left: SQLite then reports an I/O error
    (its -shm and -wal files cannot grow), which must not read as a damaged file."""
    try:
        return shutil.disk_usage(Path(path).parent).free < FULL_BELOW_BYTES
    except OSError:
        return False


def move_aside(path, *, label: str = "corrupt") -> Path:
    """Rename `path` (and its -wal, -shm files) to `<name>.<label>-<timestamp>`; return the new path.

    Nothing is deleted and no existing file is overwritten: a counter is added if the name is taken.
    """
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        counter += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
    for suffix in ("-wal", "-shm", ""):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.rename(Path(f"{target}{suffix}"))
    return target
