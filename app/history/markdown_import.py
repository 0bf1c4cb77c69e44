"""Reading back a Markdown file written by `export`: the same conversation (title, times, model, system
prompt, settings, and each message's role, text, state, time, model and stats), as a new conversation.
"""
import json
import re
from pathlib import Path

from runtime.errors import OctetError

from .export import FORMAT
from .records import ROLES, STATES, Conversation, Message, from_db_time
from .store import HistoryStore


class MarkdownImportError(OctetError):
    """The file is not an Octet Markdown export, or was changed so that it cannot be read back."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        super().__init__(f"{self.path}: {problem}")


def read_markdown(text: str, *, source="<text>") -> tuple[Conversation, list[Message]]:
    """The conversation and its messages (ids 0) that `export.to_markdown` wrote as `text`."""
    front, body = _split_front_matter(text.removeprefix("\ufeff"), source)
    try:
        conversation = Conversation(
            id=0, title=front["title"], created_at=from_db_time(front["created"]),
            updated_at=from_db_time(front["updated"]), model=front["model"],
            system_prompt=front["system_prompt"], settings=front["settings"],
            pinned=bool(front["pinned"]))
        messages = _read_messages(body, front["boundary"], source)
    except (KeyError, TypeError, ValueError) as error:
        raise MarkdownImportError(source, f"this export is incomplete or was edited ({error!r}); "
                                  "it cannot be read back") from error
    return conversation, messages


def _split_front_matter(text: str, source) -> tuple[dict, str]:
    lines = text.split("\n")
    if not lines or lines[0].rstrip("\r") != "---":
        raise MarkdownImportError(source, "no front matter: this is not an Octet Markdown export")
    front = {}
    for number, line in enumerate(lines[1:], start=1):
        line = line.rstrip("\r")
        if line == "---":
            body = "\n".join(lines[number + 1:])
            if front.get("format") != FORMAT:
                raise MarkdownImportError(source, f"unknown format {front.get('format')!r}; "
                                          f"this version of Octet reads {FORMAT}")
            return front, body.removeprefix("\n")
        key, _, value = line.partition(": ")
        try:
            front[key] = json.loads(value)
        except ValueError as error:
            raise MarkdownImportError(source, f"front matter line {number + 1} is not "
                                      f"readable: {line[:80]!r}") from error
    raise MarkdownImportError(source, "the front matter is not closed by a '---' line")


def _read_messages(body: str, boundary: str, source) -> list[Message]:
    heading = re.compile(r"^## [^\n]*?<!-- " + re.escape(boundary) + r" (\{[^\n]*\}) -->\r?\n\r?\n",
                         re.MULTILINE)
    found = list(heading.finditer(body))
    if found and found[0].start() != 0 or not found and body.strip():
        raise MarkdownImportError(source, "text before the first message heading: the file was edited")
    messages = []
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(body)
        content = _without_separator(body[match.end():end])
        meta = json.loads(match.group(1))
        if meta["role"] not in ROLES or meta["state"] not in STATES:
            raise ValueError(f"unknown role {meta['role']!r} or state {meta['state']!r}")
        messages.append(Message(
            id=0, conversation_id=0, parent_id=None, role=meta["role"], content=content,
            state=meta["state"], created_at=from_db_time(meta["created"]), model=meta["model"],
            stats=meta["stats"]))
    return messages


def _without_separator(segment: str) -> str:
    for separator in ("\n\n", "\r\n\r\n", "\n"):
        if segment.endswith(separator):
            return segment[:-len(separator)]
    return segment


def import_markdown(store: HistoryStore, *, path) -> Conversation:
    """Add the conversation exported to `path` to the history, as a new conversation."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as error:
        raise MarkdownImportError(path, f"cannot be read as UTF-8 text ({error})") from error
    conversation, messages = read_markdown(text, source=path)
    return store.import_conversation(conversation, messages)
