"""One Octet process per history database: an OS lock on `<database>.lock`, released by the OS
even on kill -9. Inside one process the lock is shared (reference counted), so several
`HistoryStore`s, one per thread, may use the same file; another process gets `StoreInUseError`.
"""
import os
import sys
import threading
from pathlib import Path

from .errors import StoreInUseError, StoreWriteError

_held: dict[str, "_ProcessLock"] = {}
_held_guard = threading.Lock()


class _ProcessLock:
    def __init__(self, lock_path: Path):
        self.lock_path = lock_path
        self.users = 0
        try:
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreWriteError(lock_path.with_suffix(""), f"the history folder cannot be written "
                                  f"({error.strerror}). Check its permissions and free space.") from error
        if not _try_lock(self.fd):
            owner = _read_owner(self.fd)
            os.close(self.fd)
            raise StoreInUseError(
                lock_path.with_suffix(""),
                f"this history is already open in another Octet window{owner}. "
                "Switch to that window, or close it and start Octet again.")
        os.ftruncate(self.fd, 0)
        os.write(self.fd, str(os.getpid()).encode())

    def release(self):
        _unlock(self.fd)
        os.close(self.fd)


def acquire(database: Path) -> tuple[str, bool]:
    """Take (or share) this process's lock on `database`; return its key and whether it is new."""
    key = str(Path(database).resolve())
    with _held_guard:
        lock = _held.get(key)
        first = lock is None
        if first:
            lock = _held[key] = _ProcessLock(Path(key + ".lock"))
        lock.users += 1
        return key, first


def release(key: str) -> None:
    """Give back one use of the lock; the OS lock goes when the process's last user is gone."""
    with _held_guard:
        lock = _held.get(key)
        if lock is None:
            return
        lock.users -= 1
        if lock.users == 0:
            del _held[key]
            lock.release()


def _read_owner(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        pid = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1 << 30)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1 << 30)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
