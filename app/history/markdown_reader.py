"""Reading an Octet Markdown export (formats 1 and 2) back, whatever the file holds: every value is checked
(type, range, known key), sizes and nesting are bounded, and the parse is linear in the file's length.

Linear: the parser jumps from one occurrence of the file's boundary marker to the next with `str.find`
(each character is looked at a bounded number of times) and never uses a regular expression with nested or
overlapping quantifiers. `WorkMeter` adds up the characters each step examines, so a test can check the
bound by counting work instead of timing it. Plain Python, no Qt: the window runs it off its thread.
"""
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runtime.errors import OctetError

from .export import FORMAT, FRONT_MATTER_KEYS
from .records import ROLES, STATES, Conversation, Message
from .validate import MAX_DEPTH, aware_time, check_settings, json_depth_exceeds

FORMATS_READ = ("octet-markdown/1", FORMAT)
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_MESSAGES = 100_000
MAX_NAME_CHARS = 4096  # a title, a model's name
READ_CHUNK = 1 << 20
READ_SHARE = 0.3  # of the progress: reading the file; the rest is parsing it

_BOUNDARY = re.compile(r"octet-[0-9a-f]{12}\Z")
_MESSAGE_KEYS = {1: {"role", "created", "state", "model", "stats"}}
_MESSAGE_KEYS[2] = _MESSAGE_KEYS[1] | {"id", "parent"}


class MarkdownImportError(OctetError):
    """The file is not an Octet Markdown export, or was changed so that it cannot be read back."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        super().__init__(f"{self.path}: {problem}")


class _Refused(Exception):
    """Raised inside the parser with the problem; `parse_export` adds the file's name."""


class WorkMeter:
    """How many characters the parser examined (each search, slice and JSON decode counts its length)."""

    def __init__(self):
        self.steps = 0

    def add(self, count: int) -> None:
        self.steps += max(count, 1)


@dataclass
class ParsedExport:
    conversation: Conversation  # id 0
    messages: list[Message]  # in the order written; ids 1..n as numbered in the file, parent ids the same
    shown_leaf: int | None  # the last message of the branch that was on show
    notes: list[str] = field(default_factory=list)  # what was ignored (unknown keys, settings out of range)
    format: str = FORMAT
    digest: str = ""  # SHA-256 of the file's bytes ("" when parsed from text)

    def shown_path(self) -> list[Message]:
        by_id = {m.id: m for m in self.messages}
        path, current = [], self.shown_leaf
        while current is not None:
            path.append(by_id[current])
            current = by_id[current].parent_id
        return path[::-1]


def read_export(path, *, meter: WorkMeter | None = None,
                progress: Callable[[float], None] | None = None) -> ParsedExport:
    """Read and check the export at `path` (at most `MAX_FILE_BYTES`); `progress(fraction)` now and then."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise MarkdownImportError(path, f"the file is {size / 2**20:.0f} MB; Octet imports exports of up to "
                                      f"{MAX_FILE_BYTES // 2**20} MB")
        data = _read_bytes(path, size, progress)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise MarkdownImportError(path, f"cannot be read as UTF-8 text ({error})") from error
    digest = hashlib.sha256(data).hexdigest()
    del data
    report = (lambda done: progress(READ_SHARE + (1 - READ_SHARE) * done)) if progress else None
    parsed = parse_export(text, source=path, meter=meter, progress=report)
    parsed.digest = digest
    return parsed


def _read_bytes(path: Path, size: int, progress) -> bytearray:
    buffer = bytearray(size + 1)  # one byte more: a file that grew meanwhile is noticed
    filled = 0
    with open(path, "rb") as file, memoryview(buffer) as view:
        while filled < len(buffer):
            count = file.readinto(view[filled:filled + READ_CHUNK])
            if not count:
                break
            filled += count
            if progress:
                progress(READ_SHARE * min(filled / max(size, 1), 1.0))
    if filled > size:
        raise MarkdownImportError(path, "the file changed while it was read; try again")
    del buffer[filled:]
    return buffer


def parse_export(text: str, *, source="<text>", meter: WorkMeter | None = None,
                 progress: Callable[[float], None] | None = None) -> ParsedExport:
    """The conversation, every message and the shown branch that `export.to_markdown` wrote as `text`."""
    meter = meter if meter is not None else WorkMeter()
    try:
        return _Parser(text.removeprefix("\ufeff"), meter, progress).parse()
    except _Refused as refused:
        raise MarkdownImportError(source, str(refused)) from None


class _Parser:
    def __init__(self, text: str, meter: WorkMeter, progress):
        self.text, self.meter, self.progress = text, meter, progress
        self.notes: list[str] = []
        self.version = 0

    def parse(self) -> ParsedExport:
        front, position = self._front_matter()
        conversation = self._conversation(front)
        messages, shown_leaf = self._body(position, front["boundary"])
        return ParsedExport(conversation, messages, shown_leaf, self.notes, front["format"])

    # -- front matter ---------------------------------------------------------------------------------
    def _line_end(self, start: int) -> int:
        end = self.text.find("\n", start)
        self.meter.add((end if end != -1 else len(self.text)) - start + 1)
        return end

    def _front_matter(self) -> tuple[dict, int]:
        end = self._line_end(0)
        if end == -1 or self.text[:end].removesuffix("\r") != "---":
            raise _Refused("no front matter: this is not an Octet Markdown export")
        front, position, number = {}, end + 1, 1
        while True:
            end = self._line_end(position)
            if end == -1:
                raise _Refused("the front matter is not closed by a '---' line")
            number += 1
            line = self.text[position:end].removesuffix("\r")
            position = end + 1
            if line == "---":
                break
            key, separator, value = line.partition(": ")
            if not separator or key in front:
                raise _Refused(f"front matter line {number} is not readable: {line[:80]!r}")
            front[key] = self._json(value, f"front matter line {number}")
        found = front.get("format")
        if not isinstance(found, str) or found not in FORMATS_READ:
            raise _Refused(f"unknown format {_short(found)}; this version of Octet reads "
                           f"{' and '.join(FORMATS_READ)}")
        self.version = FORMATS_READ.index(found) + 1
        for key in front:
            if key not in FRONT_MATTER_KEYS:
                self.notes.append(f"unknown front matter key {_short(key)} ignored")
        missing = [key for key in FRONT_MATTER_KEYS if key not in front]
        if missing:
            raise _Refused(f"the front matter has no {', '.join(missing)}: this export is incomplete or was edited")
        return front, position

    def _conversation(self, front: dict) -> Conversation:
        if not isinstance(front["boundary"], str) or not _BOUNDARY.match(front["boundary"]):
            raise _Refused(f"the boundary {_short(front['boundary'])} is not one Octet writes")
        if not isinstance(front["pinned"], bool):
            raise _Refused(f"pinned is {_short(front['pinned'])}, not true or false")
        if not isinstance(front["settings"], dict):
            raise _Refused(f"settings is {_short(front['settings'])}, not a mapping")
        settings, notes = check_settings(front["settings"])
        self.notes += notes
        return Conversation(
            id=0, title=self._text(front, "title", MAX_NAME_CHARS), created_at=self._time(front["created"], "created"),
            updated_at=self._time(front["updated"], "updated"), model=self._text(front, "model", MAX_NAME_CHARS),
            system_prompt=self._text(front, "system_prompt"), settings=settings, pinned=front["pinned"])

    @staticmethod
    def _text(values: dict, key: str, limit: int | None = None, where: str = "") -> str:
        value = values[key]
        if not isinstance(value, str):
            raise _Refused(f"{where}{key} is {_short(value)}, not a text")
        if limit is not None and len(value) > limit:
            raise _Refused(f"{where}{key} is {len(value)} characters long (at most {limit})")
        return value

    @staticmethod
    def _time(value, name: str):
        try:
            return aware_time(value)
        except (TypeError, ValueError) as error:
            raise _Refused(f"{name} is not a time Octet writes ({error})") from None

    def _json(self, text: str, where: str):
        self.meter.add(len(text))
        if json_depth_exceeds(text):
            raise _Refused(f"{where} nests more than {MAX_DEPTH} levels deep")
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as error:
            raise _Refused(f"{where} is not readable: {text[:80]!r} ({error})") from None

    # -- messages -----------------------------------------------------------------------------------
    def _body(self, position: int, boundary: str) -> tuple[list[Message], int | None]:
        text, marker = self.text, f"<!-- {boundary} "
        position += 2 if text.startswith("\r\n", position) else 1 if text.startswith("\n", position) else 0
        content_start = position
        pending: dict | None = None  # the message whose content runs up to the next heading
        messages: list[Message] = []
        state = {"parent_of_next": None, "seen": set(), "shown_leaf": None, "in_branch": False,
                 "branch_open": False}
        step = max(len(text) // 100, 1 << 20)
        next_report = position + step
        while True:
            hit = text.find(marker, position)
            self.meter.add((hit if hit != -1 else len(text)) - position + len(marker))
            if hit == -1:
                break
            newline = text.rfind("\n", position, hit)
            line_start = newline + 1 if newline != -1 else position
            self.meter.add(hit - line_start)
            line_end = self._line_end(hit)
            heading_number = len(messages) + (pending is not None) + 1
            if line_end == -1:
                raise _Refused(f"heading {heading_number} is cut short: the file is incomplete")
            prefix, comment = text[line_start:hit], text[hit + len(marker):line_end].removesuffix("\r")
            after = line_end + 1
            blank = 2 if text.startswith("\r\n", after) else 1 if text.startswith("\n", after) else 0
            if not comment.endswith(" -->") or not blank or not prefix.startswith("#"):
                raise _Refused(f"heading {heading_number} was edited ({text[line_start:line_start + 80]!r})")
            self._close(pending, text[content_start:line_start], messages, state)
            meta = self._json(comment[:-len(" -->")], f"heading {heading_number}")
            if prefix.startswith("## "):
                pending = meta
            elif prefix.startswith("# ") and self.version >= 2:
                self._branch(meta, state, heading_number)
                pending = None
            else:
                raise _Refused(f"heading {heading_number} was edited ({text[line_start:line_start + 80]!r})")
            position = content_start = after + blank
            if len(messages) > MAX_MESSAGES:
                raise _Refused(f"more than {MAX_MESSAGES} messages")
            if self.progress and position >= next_report:
                self.progress(position / len(text))
                next_report = position + step
        self._close(pending, text[content_start:], messages, state, last=True)
        self.meter.add(len(text) - content_start)
        if self.version >= 2 and sorted(m.id for m in messages) != list(range(1, len(messages) + 1)):
            raise _Refused("the messages' numbers are not 1 to the number of messages: the file was edited")
        messages.sort(key=lambda m: m.id)
        if self.progress:
            self.progress(1.0)
        return messages, state["shown_leaf"]

    def _close(self, pending: dict | None, segment: str, messages: list, state: dict, *, last: bool = False) -> None:
        """End the message `pending` (its content is `segment`), or check that nothing stands where no message
        is open (above the first heading, between a branch heading and its first message)."""
        if pending is not None:
            messages.append(self._message(pending, _without_separator(segment), len(messages) + 1, state))
            state["branch_open"] = False
            return
        if last and state["branch_open"]:
            raise _Refused("the last branch heading has no message under it: the file was edited")
        if segment and not (last and not messages and not segment.strip()):
            raise _Refused("text before the first message heading: the file was edited")

    def _branch(self, meta, state: dict, number: int) -> None:
        if not isinstance(meta, dict) or "parent" not in meta:
            raise _Refused(f"branch heading {number} does not name its parent")
        parent = meta["parent"]
        if parent is not None and (not _is_int(parent) or parent not in state["seen"]):
            raise _Refused(f"branch heading {number} names a parent ({_short(parent)}) that comes nowhere before")
        if state["branch_open"]:
            raise _Refused(f"branch heading {number} follows a branch heading with no message: the file was edited")
        self._note_unknown(meta, {"parent"}, "branch heading")
        state["parent_of_next"], state["in_branch"], state["branch_open"] = parent, True, True

    def _message(self, meta, content: str, position: int, state: dict) -> Message:
        where = f"message {position}: "
        if not isinstance(meta, dict):
            raise _Refused(f"{where}its heading holds {_short(meta)}, not a mapping")
        known = _MESSAGE_KEYS[self.version]
        missing = sorted(known - meta.keys())
        if missing:
            raise _Refused(f"{where}its heading has no {', '.join(missing)}: the file was edited")
        self._note_unknown(meta, known, "message heading")
        if meta["role"] not in ROLES or meta["state"] not in STATES:
            raise _Refused(f"{where}unknown role {_short(meta['role'])} or state {_short(meta['state'])}")
        if not isinstance(meta["stats"], dict):
            raise _Refused(f"{where}stats is {_short(meta['stats'])}, not a mapping")
        if self.version >= 2:
            number, parent = meta["id"], meta["parent"]
            if not _is_int(number) or not 1 <= number <= MAX_MESSAGES or number in state["seen"]:
                raise _Refused(f"{where}its number {_short(number)} is not new: the file was edited")
            if parent != state["parent_of_next"] or (parent is not None and not parent < number):
                raise _Refused(f"{where}its parent {_short(parent)} does not match where it stands: the file was edited")
        else:
            number, parent = position, state["parent_of_next"]
        state["seen"].add(number)
        state["parent_of_next"] = number
        if not state["in_branch"]:
            state["shown_leaf"] = number
        return Message(id=number, conversation_id=0, parent_id=parent, role=meta["role"], content=content,
                       state=meta["state"], created_at=self._time(meta["created"], f"{where}created"),
                       model=self._text(meta, "model", MAX_NAME_CHARS, where), stats=meta["stats"])

    def _note_unknown(self, meta: dict, known: set, where: str) -> None:
        for key in meta.keys() - known:
            note = f"unknown {where} key {_short(key)} ignored"
            if note not in self.notes:
                self.notes.append(note)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _without_separator(segment: str) -> str:
    for separator in ("\n\n", "\r\n\r\n", "\n"):
        if segment.endswith(separator):
            return segment[:-len(separator)]
    return segment


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
