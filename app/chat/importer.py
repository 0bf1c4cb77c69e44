"""Importing a Markdown export without blocking the window.

The file is read and checked on a thread of its own (`ImportReader`, reporting progress), which also looks
for the same conversation in the history (`find_duplicates`, through its own connection to the history
file). When there is one, `Importer.sig_duplicate` asks the window, which answers `decide("replace" | "keep"
| "cancel")`; the conversation is then written on another thread (`ImportWriter`), in one transaction that
also deletes the replaced conversations. `Importer` lives on the GUI thread: the threads' signals are queued
to it, and it tells the window through its own.
"""
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from app.history.markdown_import import find_duplicates, import_parsed, read_export
from app.history.store import HistoryStore
from app.threads import ThreadedObject
from runtime.errors import OctetError

READ_SHARE = 0.9  # of the progress: reading and checking the file; the rest is writing it

CHOICES = ("replace", "keep", "cancel")

_running: set["Importer"] = set()  # kept alive until their threads are done, whatever happens to the window


def _failure(error: Exception) -> str:
    if isinstance(error, OctetError):
        return str(error)
    return f"{type(error).__name__}: {error}"  # a bug or an OS error: still said, never a silent thread


class ImportReader(ThreadedObject):
    """Reads and checks one export, and finds the conversations of the history it duplicates."""

    sig_progress = Signal(float)
    sig_read = Signal(object, object)
    """The file's content (ParsedExport) and the conversations it duplicates (list[Duplicate])."""
    sig_failed = Signal(str)

    def __init__(self, store_path: Path, file_path: Path):
        super().__init__()
        self.store_path, self.file_path = store_path, file_path

    @Slot()
    def run(self) -> None:
        try:
            parsed = read_export(self.file_path, progress=self.sig_progress.emit)
            with HistoryStore(self.store_path) as store:
                duplicates = find_duplicates(store, parsed)
            self.sig_read.emit(parsed, duplicates)
        except Exception as error:  # noqa: BLE001 — reported to the user
            self.sig_failed.emit(_failure(error))
        finally:
            self.sig_done.emit()


class ImportWriter(ThreadedObject):
    """Adds what was read to the history (and deletes the conversations it replaces), in one transaction."""

    sig_imported = Signal(object)
    sig_failed = Signal(str)

    def __init__(self, store_path: Path, parsed, replace_ids: list[int]):
        super().__init__()
        self.store_path, self.parsed, self.replace_ids = store_path, parsed, replace_ids

    @Slot()
    def run(self) -> None:
        try:
            with HistoryStore(self.store_path) as store:
                conversation = import_parsed(store, self.parsed, replace_ids=self.replace_ids)
            self.sig_imported.emit(conversation)
        except Exception as error:  # noqa: BLE001 — reported to the user
            self.sig_failed.emit(_failure(error))
        finally:
            self.sig_done.emit()


class Importer(QObject):
    """One import, from the file to the history; signals on the GUI thread."""

    sig_progress = Signal(float)
    """How far the import is (0..1)."""
    sig_duplicate = Signal(object, object)
    """The conversation is in the history already (ParsedExport, list[Duplicate]): answer with `decide()`."""
    sig_imported = Signal(object, object)
    """Done: the new Conversation, and the notes on what was ignored (list[str])."""
    sig_failed = Signal(str)
    """Refused or failed: a message for the user; nothing was added."""
    sig_cancelled = Signal()
    sig_finished = Signal()
    """Emitted last, whatever happened."""

    def __init__(self, store_path, file_path, parent=None):
        super().__init__(parent)
        self.store_path, self.file_path = Path(store_path), Path(file_path)
        self.parsed = None
        self.duplicates: list = []
        self.reader: ImportReader | None = None
        self.writer: ImportWriter | None = None
        self.finished = False

    def start(self) -> "Importer":
        _running.add(self)
        self.reader = ImportReader(self.store_path, self.file_path)
        self.reader.sig_progress.connect(self._on_read_progress)
        self.reader.sig_read.connect(self._on_read)
        self.reader.sig_failed.connect(self._on_failed)
        self.reader.start().finished.connect(self._release)
        return self

    @property
    def busy(self) -> bool:
        return not self.finished

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the running thread is done (shutdown and tests; the signals still need the event loop)."""
        job = self.writer or self.reader
        return job.wait(timeout_ms) if job is not None else True

    @Slot(float)
    def _on_read_progress(self, fraction: float) -> None:
        self.sig_progress.emit(READ_SHARE * fraction)

    @Slot(object, object)
    def _on_read(self, parsed, duplicates) -> None:
        self.parsed, self.duplicates = parsed, list(duplicates)
        if self.duplicates:
            self.sig_duplicate.emit(parsed, self.duplicates)
        else:
            self.decide("keep")

    def decide(self, choice: str) -> None:
        """What to do with a conversation already in the history: replace it, keep both, or import nothing."""
        if choice not in CHOICES:
            raise ValueError(f"unknown choice {choice!r}")
        if self.finished or self.writer is not None:
            return
        if choice == "cancel":
            self.sig_cancelled.emit()
            self._finish()
            return
        replace_ids = [d.conversation.id for d in self.duplicates] if choice == "replace" else []
        self.writer = ImportWriter(self.store_path, self.parsed, replace_ids)
        self.writer.sig_imported.connect(self._on_imported)
        self.writer.sig_failed.connect(self._on_failed)
        self.writer.start().finished.connect(self._release)

    @Slot(object)
    def _on_imported(self, conversation) -> None:
        self.sig_progress.emit(1.0)
        self.sig_imported.emit(conversation, list(self.parsed.notes))
        self._finish()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.sig_failed.emit(message)
        self._finish()

    def _finish(self) -> None:
        self.finished = True
        self.sig_finished.emit()
        self._release()

    @Slot()
    def _release(self) -> None:
        """Let go of this import once it is over and no thread of it runs any more."""
        if self.finished and not any(job is not None and job.is_running() for job in (self.reader, self.writer)):
            _running.discard(self)
