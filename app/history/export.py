"""Conversations to Markdown: YAML front matter (title, times, model, system prompt, settings), then the
shown branch, each message verbatim under a `## Role` heading whose HTML comment carries a boundary
that occurs in no message, so `markdown_import` reads the file back exactly. File names are safe.

Format 2 keeps the whole tree (every edit and regeneration): after the shown branch, each other branch
follows under a `# Another branch, after "…"` heading whose comment names the message it continues
(`{"parent": n}`); each message's comment carries its number `id` (in the order the messages were
written) and its `parent`. Format 1 (the shown branch only) is still read.
"""
import hashlib
import json
import re
import unicodedata
from pathlib import Path

from app.files import write_atomic

from .records import Conversation, Message, to_db_time
from .store import HistoryStore

FORMAT = "octet-markdown/2"
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


def to_markdown(conversation: Conversation, messages: list[Message], *,
                all_messages: list[Message] | None = None) -> str:
    """The Markdown document of `conversation` showing `messages` (the shown branch, in order), followed by
    the other branches found in `all_messages` (every message of the conversation, with their ids and
    parent ids; None: the shown branch is all there is)."""
    everything = messages if all_messages is None else all_messages
    boundary = _boundary(conversation, everything)
    front = {
        "format": FORMAT, "title": conversation.title, "created": to_db_time(conversation.created_at),
        "updated": to_db_time(conversation.updated_at), "model": conversation.model,
        "system_prompt": conversation.system_prompt, "settings": conversation.settings,
        "pinned": conversation.pinned, "boundary": boundary,
    }
    lines = ["---", *(f"{key}: {json_line(front[key])}" for key in FRONT_MATTER_KEYS), "---", ""]
    parts = ["\n".join(lines) + "\n"]
    if all_messages is None:  # one chain: numbered as it goes
        number = {id(m): index for index, m in enumerate(messages, start=1)}
        parent_of = {id(m): index for index, m in enumerate(messages[1:], start=1)}
        sections = [(None, messages)]
    else:  # numbered in the order written (ids), so that branches keep their order on import
        number = {id(m): index for index, m in enumerate(sorted(all_messages, key=lambda m: m.id), start=1)}
        by_id = {m.id: m for m in all_messages}
        messages = [by_id[m.id] for m in messages]  # the same objects as in all_messages
        parent_of = {id(m): number[id(by_id[m.parent_id])] for m in all_messages if m.parent_id is not None}
        sections = [(None, messages), *_other_branches(messages, all_messages)]
    for index, (parent, chain) in enumerate(sections):
        if index:
            after = f"after “{_snippet(parent.content)}”" if parent is not None else "from the start"
            anchor = json_line({"parent": number[id(parent)] if parent is not None else None}, in_comment=True)
            parts.append(f"# Another branch, {after} <!-- {boundary} {anchor} -->\n\n")
        for message in chain:
            meta = {"role": message.role, "created": to_db_time(message.created_at), "state": message.state,
                    "model": message.model, "stats": message.stats, "id": number[id(message)],
                    "parent": parent_of.get(id(message))}
            heading = f"## {ROLE_HEADINGS[message.role]} <!-- {boundary} {json_line(meta, in_comment=True)} -->"
            parts.append(f"{heading}\n\n{message.content}\n\n")
    return "".join(parts)


def _other_branches(shown: list[Message], everything: list[Message]) -> list[tuple[Message | None, list[Message]]]:
    """The messages off the shown branch as (parent, chain) sections: each chain follows the first answer (the
    oldest child) down; a message's other children start sections of their own, after it was written."""
    shown_ids = {m.id for m in shown}
    by_id = {m.id: m for m in everything}
    children: dict[int | None, list[Message]] = {}
    for message in sorted(everything, key=lambda m: m.id, reverse=True):  # reversed: pop() takes the oldest
        if message.id not in shown_ids:
            children.setdefault(message.parent_id, []).append(message)
    sections, placed, index = [], [None, *(m.id for m in shown)], 0
    while index < len(placed):
        parent_id = placed[index]
        index += 1
        while children.get(parent_id):
            chain = [children[parent_id].pop()]
            while children.get(chain[-1].id):
                chain.append(children[chain[-1].id].pop())
            sections.append((by_id[parent_id] if parent_id is not None else None, chain))
            placed.extend(m.id for m in chain)
    if any(children.values()):
        raise ValueError("messages whose parent is not in the conversation")
    return sections


_SNIPPET_DROPPED = re.compile(r"[^\w .,;:!?'’()-]+")


def _snippet(text: str, size: int = 40) -> str:
    """The start of a message, for a heading: words and plain punctuation only (no Markdown, HTML or line
    break can come through)."""
    words = " ".join(_SNIPPET_DROPPED.sub(" ", text[:size * 4]).split())
    return words if len(words) <= size else words[:size - 1].rstrip() + "…"


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
    return to_markdown(store.conversation(conversation_id), store.shown_path(conversation_id),
                       all_messages=store.all_messages(conversation_id))


def export_conversation(store: HistoryStore, conversation_id: int, *, path) -> Path:
    """Write one conversation to `path` (chosen by the user; replaced, atomically, if it exists)."""
    return write_atomic(path, conversation_markdown(store, conversation_id), newline="")


def export_all(store: HistoryStore, *, folder) -> list[Path]:
    """Write every conversation to its own new file in `folder` (each atomically); existing files are never
    replaced."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken = {_name_key(p.name) for p in folder.iterdir()}
    written = []
    for conversation in store.list_conversations():
        path = folder / unique_file_name(conversation, taken)
        written.append(write_atomic(path, conversation_markdown(store, conversation.id), newline="", replace=False))
    return written
