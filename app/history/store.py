"""The chat history: conversations and their tree of messages in one SQLite file (see schema.py).

Every call is one short transaction, committed before it returns. A `HistoryStore` and its connection
belong to the thread that opened it (the GUI thread); another thread opens its own store on the same
path. One process at a time may open a given file: a second Octet gets `StoreInUseError`.
"""
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from runtime.paths import data_dir

from . import lock
from . import search as search_module
from .errors import NotFoundError, translate
from .records import (ROLES, STATES, Conversation, Message, SearchHit, clean_text, clean_title,
                      conversation_from_row, message_from_row, now, to_db_time, to_json)
from .schema import open_database

DEFAULT_FILENAME = "history.sqlite3"
STREAM_INTERVAL_S = 0.25
TITLE_CHARS = 60


class _ShownLeaf:
    def __repr__(self):
        return "SHOWN_LEAF"


SHOWN_LEAF = _ShownLeaf()  # parent_id default: append to the branch the conversation shows


def default_path() -> Path:
    return data_dir() / DEFAULT_FILENAME


def auto_title(text: str, *, max_chars: int = TITLE_CHARS) -> str:
    """A title from a first message: its first non-empty line, whitespace collapsed, cut at a word."""
    line = next((ln for ln in clean_text(text).splitlines() if ln.strip()), "")
    words = " ".join(line.replace("\0", " ").split()).lstrip("#> ").strip()
    if len(words) <= max_chars:
        return words
    cut = words[:max_chars].rsplit(" ", 1)[0] if " " in words[:max_chars] else words[:max_chars]
    return cut.rstrip(" ,;:.-") + "…"


class HistoryStore:
    """All conversations of one history file. Use as a context manager, or call `close()`."""

    def __init__(self, path=None, *, stream_interval_s: float = STREAM_INTERVAL_S):
        self.path = Path(path) if path is not None else default_path()
        self.stream_interval_s = stream_interval_s
        self._lock_key, first_in_process = lock.acquire(self.path)
        self._db = None
        try:
            self._db = open_database(self.path)
            if first_in_process:
                self.recover_interrupted()
        except BaseException:
            if self._db is not None:
                self._db.close()
            lock.release(self._lock_key)
            raise

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            lock.release(self._lock_key)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- plumbing -------------------------------------------------------------------------------
    @contextmanager
    def _write(self):
        """One transaction: committed at the end of the block, rolled back on any error."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise translate(error, self.path) from error

    def _read(self, sql: str, parameters=()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise translate(error, self.path) from error

    def _live_conversation_row(self, conversation_id: int) -> sqlite3.Row:
        rows = self._read("SELECT * FROM conversations WHERE id = ? AND deleted_at IS NULL",
                          (conversation_id,))
        if not rows:
            raise NotFoundError(self.path, f"there is no conversation {conversation_id}")
        return rows[0]

    # -- conversations --------------------------------------------------------------------------
    def create_conversation(self, *, title: str = "", model: str = "", system_prompt: str = "",
                            settings: dict | None = None) -> Conversation:
        stamp = to_db_time(now())
        with self._write() as db:
            cursor = db.execute(
                """INSERT INTO conversations (title, created_at, updated_at, model, system_prompt,
                   settings) VALUES (?, ?, ?, ?, ?, ?)""",
                (clean_title(title), stamp, stamp, clean_text(model), clean_text(system_prompt),
                 to_json(settings)))
        return self.conversation(cursor.lastrowid)

    def conversation(self, conversation_id: int) -> Conversation:
        return conversation_from_row(self._live_conversation_row(conversation_id))

    def list_conversations(self, *, limit: int = -1) -> list[Conversation]:
        """Pinned conversations first, then the most recently active."""
        rows = self._read("""SELECT * FROM conversations WHERE deleted_at IS NULL
                             ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT ?""", (limit,))
        return [conversation_from_row(row) for row in rows]

    def rename(self, conversation_id: int, *, title: str) -> Conversation:
        return self._set(conversation_id, title=clean_title(title))

    def set_pinned(self, conversation_id: int, *, pinned: bool) -> Conversation:
        return self._set(conversation_id, pinned=int(bool(pinned)))

    def configure(self, conversation_id: int, *, model: str | None = None,
                  system_prompt: str | None = None, settings: dict | None = None) -> Conversation:
        """Change the model, system prompt or sampling settings (None: leave as is)."""
        changes = {"model": model, "system_prompt": system_prompt}
        changes = {key: clean_text(value) for key, value in changes.items() if value is not None}
        if settings is not None:
            changes["settings"] = to_json(settings)
        return self._set(conversation_id, **changes)

    def _set(self, conversation_id: int, **columns) -> Conversation:
        self._live_conversation_row(conversation_id)
        if columns:
            assignments = ", ".join(f"{name} = ?" for name in columns)
            with self._write() as db:
                db.execute(f"UPDATE conversations SET {assignments} WHERE id = ?",
                           (*columns.values(), conversation_id))
        return self.conversation(conversation_id)

    def delete(self, conversation_id: int) -> None:
        """Delete a conversation; `undo_delete()` brings back the last one deleted (earlier ones go)."""
        self._live_conversation_row(conversation_id)
        with self._write() as db:
            db.execute("DELETE FROM conversations WHERE deleted_at IS NOT NULL")
            db.execute("UPDATE conversations SET deleted_at = ? WHERE id = ?",
                       (to_db_time(now()), conversation_id))

    def undo_delete(self) -> Conversation | None:
        """Restore the last deleted conversation; None when there is nothing to undo."""
        rows = self._read("SELECT id FROM conversations WHERE deleted_at IS NOT NULL "
                          "ORDER BY deleted_at DESC LIMIT 1")
        if not rows:
            return None
        with self._write() as db:
            db.execute("UPDATE conversations SET deleted_at = NULL WHERE id = ?", (rows[0]["id"],))
        return self.conversation(rows[0]["id"])

    def purge_deleted(self) -> None:
        """Forget deleted conversations for good (when the undo offer is gone)."""
        with self._write() as db:
            db.execute("DELETE FROM conversations WHERE deleted_at IS NOT NULL")

    def search(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        """Conversations whose title or messages hold every word of `query`, accents ignored."""
        try:
            return search_module.search(self._db, query, limit=limit)
        except sqlite3.Error as error:
            raise translate(error, self.path) from error

    # -- messages -------------------------------------------------------------------------------
    def add_message(self, conversation_id: int, *, role: str, content: str,
                    parent_id=SHOWN_LEAF, state: str = "complete", model: str = "",
                    stats: dict | None = None, show: bool = True) -> Message:
        """Add a message under `parent_id` (default: the shown leaf; None: a new root).

        A sibling of an earlier message is a new branch (edit-and-resend, regenerate); with `show`
        the conversation then shows it. A first user message names an untitled conversation.
        """
        if role not in ROLES or state not in STATES:
            raise ValueError(f"unknown role {role!r} or state {state!r}")
        conversation = self._live_conversation_row(conversation_id)
        if parent_id is SHOWN_LEAF:
            parent_id = conversation["shown_leaf_id"]
        elif parent_id is not None:
            self._check_in_conversation(parent_id, conversation_id)
        stamp = to_db_time(now())
        with self._write() as db:
            cursor = db.execute(
                """INSERT INTO messages (conversation_id, parent_id, role, content, state,
                   created_at, model, stats) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                (conversation_id, parent_id, role, clean_text(content), state, stamp,
                 clean_text(model), to_json(stats)))
            shown = cursor.lastrowid if show else conversation["shown_leaf_id"]
            db.execute("UPDATE conversations SET updated_at = ?, shown_leaf_id = ? WHERE id = ?",
                       (stamp, shown, conversation_id))
            if role == "user" and not conversation["title"]:
                db.execute("UPDATE conversations SET title = ? WHERE id = ?",
                           (auto_title(content), conversation_id))
        return self.message(cursor.lastrowid)

    def start_answer(self, conversation_id: int, *, parent_id=SHOWN_LEAF, model: str = "",
                     role: str = "assistant") -> "StreamWriter":
        """Create an empty streaming message and return the writer that saves it as it grows."""
        message = self.add_message(conversation_id, role=role, content="", parent_id=parent_id,
                                   state="streaming", model=model)
        return StreamWriter(self, message)

    def message(self, message_id: int) -> Message:
        rows = self._read("SELECT * FROM messages WHERE id = ?", (message_id,))
        if not rows:
            raise NotFoundError(self.path, f"there is no message {message_id}")
        return message_from_row(rows[0])

    def _check_in_conversation(self, message_id: int, conversation_id: int) -> None:
        if self.message(message_id).conversation_id != conversation_id:
            raise ValueError(f"message {message_id} is not in conversation {conversation_id}")

    def all_messages(self, conversation_id: int) -> list[Message]:
        """Every message of every branch, oldest first."""
        rows = self._read("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id",
                          (conversation_id,))
        return [message_from_row(row) for row in rows]

    def shown_path(self, conversation_id: int) -> list[Message]:
        """The messages of the branch on show, from the first to the last."""
        rows = self._read("""
            WITH RECURSIVE path(id, depth) AS (
                SELECT shown_leaf_id, 0 FROM conversations WHERE id = ?
                UNION ALL
                SELECT m.parent_id, path.depth + 1 FROM messages m JOIN path ON m.id = path.id
                WHERE m.parent_id IS NOT NULL)
            SELECT messages.* FROM path JOIN messages ON messages.id = path.id
            ORDER BY path.depth DESC""", (conversation_id,))
        return [message_from_row(row) for row in rows]

    def siblings(self, message_id: int) -> list[Message]:
        """The alternatives to a message (itself included, oldest first): its branches."""
        message = self.message(message_id)
        rows = self._read("""SELECT * FROM messages WHERE conversation_id = ? AND parent_id IS ?
                             ORDER BY id""", (message.conversation_id, message.parent_id))
        return [message_from_row(row) for row in rows]

    def select_branch(self, message_id: int) -> list[Message]:
        """Show the branch through `message_id` (down its newest replies); return the new shown path."""
        message = self.message(message_id)
        leaf = message_id
        while True:
            rows = self._read("SELECT max(id) FROM messages WHERE parent_id = ?", (leaf,))
            if rows[0][0] is None:
                break
            leaf = rows[0][0]
        with self._write() as db:
            db.execute("UPDATE conversations SET shown_leaf_id = ? WHERE id = ?",
                       (leaf, message.conversation_id))
        return self.shown_path(message.conversation_id)

    def show_branch_of(self, message_id: int) -> list[Message]:
        """Show a branch holding `message_id` (a search hit): the branch on show if it holds it already,
        else the one through it (`select_branch`); return the shown path."""
        path = self.shown_path(self.message(message_id).conversation_id)
        if any(m.id == message_id for m in path):
            return path
        return self.select_branch(message_id)

    def recover_interrupted(self) -> int:
        """Mark answers left streaming by a crash or kill as stopped; return how many there were."""
        with self._write() as db:
            return db.execute("UPDATE messages SET state = 'stopped' WHERE state = 'streaming'").rowcount

    def import_tree(self, conversation: Conversation, messages: list[Message], *, shown_leaf: int | None,
                    replace_ids=()) -> Conversation:
        """Add a conversation read from an export with every branch, in one transaction.

        `messages` are in the order they were written, with ids and parent ids of their own (a parent before
        its children); `shown_leaf` is one of those ids. New ids keep that order, so branches keep theirs.
        Times, metadata and states are kept (streaming becomes stopped). The conversations `replace_ids`
        are deleted in the same transaction (an import that replaces them)."""
        with self._write() as db:
            for old_id in replace_ids:
                db.execute("DELETE FROM conversations WHERE id = ?", (old_id,))
            cursor = db.execute(
                """INSERT INTO conversations (title, created_at, updated_at, model, system_prompt,
                   settings, pinned) VALUES (?, ?, ?, ?, ?, ?, ?)""",
                (clean_title(conversation.title), to_db_time(conversation.created_at),
                 to_db_time(conversation.updated_at), clean_text(conversation.model),
                 clean_text(conversation.system_prompt), to_json(conversation.settings),
                 int(conversation.pinned)))
            conversation_id, new_ids = cursor.lastrowid, {None: None}
            for message in messages:
                if message.parent_id not in new_ids or message.id in new_ids:
                    raise ValueError(f"message {message.id} comes before its parent or twice")
                if message.role not in ROLES or message.state not in STATES:
                    raise ValueError(f"unknown role {message.role!r} or state {message.state!r}")
                state = "stopped" if message.state == "streaming" else message.state
                new_ids[message.id] = db.execute(
                    """INSERT INTO messages (conversation_id, parent_id, role, content, state,
                       created_at, model, stats) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                    (conversation_id, new_ids[message.parent_id], message.role, clean_text(message.content),
                     state, to_db_time(message.created_at), clean_text(message.model),
                     to_json(message.stats))).lastrowid
            db.execute("UPDATE conversations SET shown_leaf_id = ? WHERE id = ?",
                       (new_ids.get(shown_leaf), conversation_id))
        return self.conversation(conversation_id)

    def conversations_created_at(self, moment) -> list[Conversation]:
        """The live conversations created at that very moment (to the microsecond): the same conversation,
        when an export of it is imported."""
        rows = self._read("SELECT * FROM conversations WHERE created_at = ? AND deleted_at IS NULL ORDER BY id",
                          (to_db_time(moment),))
        return [conversation_from_row(row) for row in rows]


class StreamWriter:
    """Saves a growing answer: `append()` writes at most every `stream_interval_s` seconds (each write
    its own transaction), `finish()` writes the rest and the final state. If a write fails (disk full)
    the error is raised and the text stays in memory for the next write. `pending` says text arrived since
    the last save; whoever drives the writer saves it when `seconds_until_due()` runs out even if no more text
    comes (the controller's timer), so a kill loses at most `stream_interval_s` of text."""

    def __init__(self, store: HistoryStore, message: Message):
        self.store = store
        self.message_id = message.id
        self.conversation_id = message.conversation_id
        self._parts: list[str] = []
        self._saved_parts = 0
        self._last_write = time.monotonic()

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def pending(self) -> bool:
        """Text arrived that is not saved yet."""
        return len(self._parts) > self._saved_parts

    def seconds_until_due(self) -> float:
        """How long until the pending text must be saved (0: now)."""
        return max(0.0, self.store.stream_interval_s - (time.monotonic() - self._last_write))

    def append(self, delta: str) -> None:
        self._parts.append(delta)
        if time.monotonic() - self._last_write >= self.store.stream_interval_s:
            self.flush()

    def flush(self) -> None:
        """Save the text so far now."""
        self._last_write = time.monotonic()
        parts = len(self._parts)
        self._update("UPDATE messages SET content = ? WHERE id = ? AND state = 'streaming'",
                     (clean_text(self.text), self.message_id))
        self._saved_parts = parts

    def finish(self, *, state: str = "complete", stats: dict | None = None) -> Message | None:
        """Save the whole text with its final state (complete, stopped, error) and generation stats.

        Returns the saved message, or None if it was deleted meanwhile.
        """
        if state not in STATES or state == "streaming":
            raise ValueError(f"an answer cannot finish as {state!r}")
        found = self._update(
            "UPDATE messages SET content = ?, state = ?, stats = ? WHERE id = ? AND state = 'streaming'",
            (clean_text(self.text), state, to_json(stats), self.message_id))
        self._saved_parts = len(self._parts)
        return self.store.message(self.message_id) if found else None

    def finish_saved(self, *, state: str) -> Message | None:
        """End the answer with the text saved so far, when the rest cannot be written (a full disk): only its
        state changes, the smallest write there is. Returns the saved message, or None if it was deleted."""
        if state not in STATES or state == "streaming":
            raise ValueError(f"an answer cannot finish as {state!r}")
        with self.store._write() as db:
            found = db.execute("UPDATE messages SET state = ? WHERE id = ? AND state = 'streaming'",
                               (state, self.message_id)).rowcount > 0
        return self.store.message(self.message_id) if found else None

    def _update(self, sql: str, parameters) -> bool:
        with self.store._write() as db:
            found = db.execute(sql, parameters).rowcount > 0
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?",
                       (to_db_time(now()), self.conversation_id))
        return found
