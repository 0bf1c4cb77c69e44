"""Atomic file writes: `write_atomic(path, text)` puts the whole new text in place or leaves the old file as it was.

The text goes to a temporary file in the same folder (so the rename stays on one file system), is flushed and
fsynced, then renamed over `path` with `os.replace`. A crash, a full disk or a text that cannot be encoded leaves
the previous file intact and no temporary file behind. `replace=False` never replaces an existing file (it raises
`FileExistsError`), for exports that must not overwrite what is there. Plain Python: the history, the models'
registry and the settings all use it.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomic(path: str | os.PathLike, text: str, *, newline: str | None = None, replace: bool = True) -> Path:
    """Write `text` to `path` in UTF-8, all at once; returns `path`. `newline` as for open(). See the module
    docstring."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never someone else's file; mode 0o666 less the umask, as a plain open() would give.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with open(handle, "w", encoding="utf-8", newline=newline) as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        _put_in_place(temporary, path, replace=replace)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _put_in_place(temporary: Path, path: Path, *, replace: bool) -> None:
    if replace:
        os.replace(temporary, path)
        return
    try:
        os.link(temporary, path)  # fails if `path` exists, whoever created it meanwhile
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links (FAT, some network shares)
        if path.exists():
            raise FileExistsError(f"{path} already exists") from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)
