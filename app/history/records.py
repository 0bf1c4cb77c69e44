"""The typed records the history store hands out (frozen dataclasses), built from database rows.

Times are timezone-aware UTC `datetime`s; settings and stats are plain JSON-able dicts.
"""
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

ROLES = ("system", "user", "assistant")
STATES = ("complete", "streaming", "stopped", "error")

_SURROGATE = re.compile("[\ud800-\udfff]")
TITLE_MAX_CHARS = 200


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created_at: datetime
    updated_at: datetime
    model: str
    system_prompt: str
    settings: dict = field(default_factory=dict)
    pinned: bool = False
    shown_leaf_id: int | None = None


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    parent_id: int | None
    role: str
    content: str
    state: str
    created_at: datetime
    model: str = ""
    stats: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SearchHit:
    """One conversation matching a search: its best match, and where the query words are in `snippet`."""
    conversation_id: int
    title: str
    message_id: int | None  # None: the title matched
    snippet: str
    highlights: tuple[tuple[int, int], ...]  # (start, end) offsets into snippet
    score: float  # lower is better (bm25)


def now() -> datetime:
    return datetime.now(timezone.utc)


def to_db_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def clean_text(text: str) -> str:
    """Text as stored: lone surrogates (which UTF-8 cannot hold) become U+FFFD; NUL and all else stay.

    A high and a low surrogate side by side are joined into the character they encode.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected text, got {type(text).__name__}")
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean_title(text: str) -> str:
    """A title as stored: `clean_text`, at most `TITLE_MAX_CHARS` characters (a longer one is cut, ending in "…"):
    an imported file or a pasted first line can hold megabytes, which no title bar or list shows."""
    if len(text) > TITLE_MAX_CHARS:
        text = text[:TITLE_MAX_CHARS - 1] + "…"
    return clean_text(text)


def to_json(value: dict | None) -> str:
    return clean_text(json.dumps(value or {}, ensure_ascii=False, sort_keys=True))


def conversation_from_row(row) -> Conversation:
    return Conversation(
        id=row["id"], title=row["title"], created_at=from_db_time(row["created_at"]),
        updated_at=from_db_time(row["updated_at"]), model=row["model"],
        system_prompt=row["system_prompt"], settings=json.loads(row["settings"]),
        pinned=bool(row["pinned"]), shown_leaf_id=row["shown_leaf_id"])


def message_from_row(row) -> Message:
    return Message(
        id=row["id"], conversation_id=row["conversation_id"], parent_id=row["parent_id"],
        role=row["role"], content=row["content"], state=row["state"],
        created_at=from_db_time(row["created_at"]), model=row["model"],
        stats=json.loads(row["stats"]))
