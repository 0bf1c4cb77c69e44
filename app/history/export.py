"""Conversations to Markdown: YAML front matter (title, times, model, system prompt, settings), then the
shown branch, each message verbatim under a `## Role` heading whose HTML comment carries a boundary
that occurs in no message, so `markdown_import` reads the file back exactly. File names are safe.
"""
import hashlib
import json
import re
import unicodedata
from pathlib import Path

from .records import Conversation, Message, to_db_time
from .store import HistoryStore

FORMAT = "octet-markdown/1"
ROLE_HEADINGS = {"system": "System", "user": "User", "assistant": "Assistant"}
FRONT_MATTER_KEYS = ("format", "title", "created", "updated", "model", "system_prompt", "settings",
                     "pinned", "boundary")
# Characters YAML will not take raw in a double-quoted scalar, or reads as line breaks.
_YAML_UNSAFE = {*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF}
_COMMENT_UNSAFE = _YAML_UNSAFE | {ord(">")}  # no "-->" can end an HTML comment early
_NAME_FORBIDDEN = set('<>:"/\\|?*')  # refused by Windows (and ':' by macOS Finder)
_NAME_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
NAME_MAX_BYTES = 120


_JSON_STRING_OR_OTHER = re.compile(r'"(?:[^"\\]|\\.)*"|[^"]+')
_BARE_EXPONENT = re.compile(r"(?<![\d.])(-?\d+)(e[-+]\d+)")


def _yaml11_exponents(found: re.Match) -> str:
    """`1e-05` -> `1.0e-05` outside strings: YAML 1.1 readers (PyYAML) need the dot to see a float."""
    text = found.group(0)
    return text if text.startswith('"') else _BARE_EXPONENT.sub(r"\1.0\2", text)


def json_line(value, *, in_comment: bool = False) -> str:
    """`value` as one line of JSON that is also valid YAML (and, `in_comment`, safe in an HTML comment)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = _JSON_STRING_OR_OTHER.sub(_yaml11_exponents, text)
    unsafe = _COMMENT_UNSAFE if in_comment else _YAML_UNSAFE
    return "".join(f"\\u{ord(c):04x}" if ord(c) in unsafe else c for c in text)


def to_markdown(conversation: Conversation, messages: list[Message]) -> str:
    """The Markdown document of `conversation` showing `messages` (the shown branch, in order)."""
    boundary = _boundary(conversation, messages)
    front = {
        "format": FORMAT, "title": conversation.title, "created": to_db_time(conversation.created_at),
        "updated": to_db_time(conversation.updated_at), "model": conversation.model,
        "system_prompt": conversation.system_prompt, "settings": conversation.settings,
        "pinned": conversation.pinned, "boundary": boundary,
    }
    lines = ["---", *(f"{key}: {json_line(front[key])}" for key in FRONT_MATTER_KEYS), "---", ""]
    parts = ["\n".join(lines) + "\n"]
    for message in messages:
        meta = {"role": message.role, "created": to_db_time(message.created_at),
                "state": message.state, "model": message.model, "stats": message.stats}
        heading = f"## {ROLE_HEADINGS[message.role]} <!-- {boundary} {json_line(meta, in_comment=True)} -->"
        parts.append(f"{heading}\n\n{message.content}\n\n")
    return "".join(parts)


def _boundary(conversation: Conversation, messages: list[Message]) -> str:
    """A marker found in no message, title or prompt, so that no content can pose as a heading."""
    texts = [conversation.title, conversation.system_prompt, *(m.content for m in messages)]
    digest = hashlib.sha256("\0".join(texts).encode("utf-8", "replace")).hexdigest()
    for start in range(0, len(digest) - 12):
        boundary = f"octet-{digest[start:start + 12]}"
        if not any(boundary in text for text in texts):
            return boundary
    raise AssertionError("unreachable: 50 distinct 48-bit markers all occur in the text")


def safe_stem(title: str) -> str:
    """A readable file name stem from a title: no separators, no characters Windows or macOS refuse,
    no control or invisible characters, no leading or trailing dots and spaces, bounded length."""
    text = unicodedata.normalize("NFC", title)
    kept = "".join(" " if c in _NAME_FORBIDDEN or unicodedata.category(c) in _NAME_DROPPED_CATEGORIES
                   else c for c in text)
    stem = " ".join(kept.split()).strip(" .")
    while len(stem.encode("utf-8")) > NAME_MAX_BYTES:
        stem = stem[:-1]
    return stem.rstrip(" .") or "Untitled"


def unique_file_name(conversation: Conversation, taken: set[str]) -> str:
    """`YYYY-MM-DD Title.md`, with ` (2)`, ` (3)`… when the name (compared as case-insensitive file
    systems do) is in `taken`; the chosen name is added to `taken`. The date prefix keeps names away
    from Windows' reserved names (CON, NUL…) and from hidden dot-files."""
    base = f"{conversation.created_at:%Y-%m-%d} {safe_stem(conversation.title)}"
    name, counter = f"{base}.md", 1
    while _name_key(name) in taken:
        counter += 1
        name = f"{base} ({counter}).md"
    taken.add(_name_key(name))
    return name


def _name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def conversation_markdown(store: HistoryStore, conversation_id: int) -> str:
    return to_markdown(store.conversation(conversation_id), store.shown_path(conversation_id))


def export_conversation(store: HistoryStore, conversation_id: int, *, path) -> Path:
    """Write one conversation to `path` (chosen by the user; replaced if it exists)."""
    path = Path(path)
    path.write_text(conversation_markdown(store, conversation_id), encoding="utf-8", newline="")
    return path


def export_all(store: HistoryStore, *, folder) -> list[Path]:
    """Write every conversation to its own new file in `folder`; existing files are never replaced."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken = {_name_key(p.name) for p in folder.iterdir()}
    written = []
    for conversation in store.list_conversations():
        path = folder / unique_file_name(conversation, taken)
        with open(path, "x", encoding="utf-8", newline="") as file:
            file.write(conversation_markdown(store, conversation.id))
        written.append(path)
    return written
