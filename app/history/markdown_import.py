"""Reading back a Markdown file written by `export`: the same conversation (title, times, model, system
prompt, settings, and every message of every branch with its role, text, state, time, model and stats, and
the branch that was on show), as a new conversation. Reading and checking the file is `markdown_reader`'s
work (linear, bounded, every value checked); this module adds it to the history, and finds a conversation
that is already there (`find_duplicates`) so that the window can ask before adding it twice.
"""
import hashlib
from dataclasses import dataclass, replace

from .export import conversation_markdown
from .markdown_reader import MarkdownImportError, ParsedExport, WorkMeter, parse_export, read_export
from .records import Conversation, Message
from .store import HistoryStore

__all__ = ["Duplicate", "MarkdownImportError", "ParsedExport", "WorkMeter", "find_duplicates", "import_markdown",
           "import_parsed", "parse_export", "read_export", "read_markdown"]


def read_markdown(text: str, *, source="<text>") -> tuple[Conversation, list[Message]]:
    """The conversation and its shown branch (messages with ids 0) that `export.to_markdown` wrote as `text`."""
    parsed = parse_export(text, source=source)
    return parsed.conversation, [replace(m, id=0, parent_id=None) for m in parsed.shown_path()]


@dataclass(frozen=True)
class Duplicate:
    """A conversation of the history that the file holds too: the same conversation (same creation time),
    `identical` when exporting it now would write the very same file."""
    conversation: Conversation
    identical: bool


def find_duplicates(store: HistoryStore, parsed: ParsedExport) -> list[Duplicate]:
    found = []
    for conversation in store.conversations_created_at(parsed.conversation.created_at):
        again = hashlib.sha256(conversation_markdown(store, conversation.id).encode("utf-8")).hexdigest()
        found.append(Duplicate(conversation, bool(parsed.digest) and again == parsed.digest))
    return found


def import_parsed(store: HistoryStore, parsed: ParsedExport, *, replace_ids=()) -> Conversation:
    """Add what was read as a new conversation (in one transaction), deleting `replace_ids` in the same one."""
    return store.import_tree(parsed.conversation, parsed.messages, shown_leaf=parsed.shown_leaf,
                             replace_ids=replace_ids)


def import_markdown(store: HistoryStore, *, path, replace_ids=()) -> Conversation:
    """Add the conversation exported to `path` to the history, as a new conversation."""
    return import_parsed(store, read_export(path), replace_ids=replace_ids)
