"""Importing trusts nothing in the file: every front-matter and heading value is checked (type, range, known
key; unknown keys are ignored with a note), sizes and nesting are bounded, and the parse is linear. Linear is
checked by counting work (`WorkMeter`: the characters each step examines), not by timing."""
import json
import os
import re
import tracemalloc

import pytest

from app.chat.controller import DEFAULT_MAX_TOKENS, ChatController
from app.history.export import FORMAT, conversation_markdown, export_conversation, to_markdown
from app.history.markdown_import import (MarkdownImportError, WorkMeter, import_markdown, parse_export,
                                         read_export)
from app.history.markdown_reader import MAX_FILE_BYTES
from app.history.records import Conversation, Message, now
from app.history.store import HistoryStore
from tests.app.test_controller import last_generate, model_file, ready  # noqa: F401 (model_file: a fixture)

BOUNDARY = "octet-0123456789ab"


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


def exported(store, **settings) -> str:
    conversation = store.create_conversation(title="Rules", settings=settings or None)
    store.add_message(conversation.id, role="user", content="Hello")
    store.add_message(conversation.id, role="assistant", content="Hi!", stats={"generated_tokens": 2})
    return conversation_markdown(store, conversation.id)


def front_line(text: str, key: str, value: str) -> str:
    """`text` with the front matter line of `key` set to the raw `value`."""
    return re.sub(rf"^{key}: .*$", lambda _: f"{key}: {value}", text, count=1, flags=re.MULTILINE)


def test_a_wrong_setting_is_left_out_with_a_note_and_the_conversation_answers(qtbot, tmp_path, model_file):  # noqa: F811
    """The bug: `max_tokens: "abc"` imported, then the first Enter left an empty streaming answer and no
    conversation could send again until a restart."""
    controller = ChatController(HistoryStore(tmp_path / "history.sqlite3"))
    worker = ready(controller, model_file)
    path = tmp_path / "edited.md"
    text = exported(controller.store, temperature=0.5)
    path.write_text(front_line(text, "settings", '{"max_tokens": "abc", "temperature": 0.5, "top_k": 1e9}'),
                    encoding="utf-8")
    parsed = read_export(path)
    assert parsed.conversation.settings == {"temperature": 0.5}
    assert any("max_tokens" in note for note in parsed.notes) and any("top_k" in note for note in parsed.notes)
    imported = import_markdown(controller.store, path=path)
    controller.open_conversation(imported.id)
    assert controller.send("Hello again") is not None
    request = last_generate(worker)
    assert request["max_tokens"] == DEFAULT_MAX_TOKENS and request["params"]["temperature"] == 0.5
    worker.answer(request["id"], "Fine.")
    assert not controller.busy and controller.send("And once more") is not None
    controller.shutdown()
    controller.store.close()


def test_a_wrong_setting_already_in_the_history_falls_back_to_the_default(qtbot, tmp_path, model_file):  # noqa: F811
    """What an older Octet imported stays harmless: the answer is asked with the default, and nothing is left
    streaming when asking fails."""
    controller = ChatController(HistoryStore(tmp_path / "history.sqlite3"))
    worker = ready(controller, model_file)
    conversation = controller.store.create_conversation(settings={"max_tokens": "abc", "seed": [1]})
    controller.open_conversation(conversation.id)
    assert controller.send("Hello") is not None
    assert last_generate(worker)["max_tokens"] == DEFAULT_MAX_TOKENS and last_generate(worker)["params"]["seed"] is None
    worker.answer(last_generate(worker)["id"], "Hi.")
    assert [m.state for m in controller.store.shown_path(conversation.id)] == ["complete", "complete"]
    controller.shutdown()
    controller.store.close()


WRONG_VALUES = [
    ("title", "5"), ("title", "null"), ("title", json.dumps("x" * 5000)), ("created", "3"),
    ("created", '"yesterday"'), ("updated", '"2024-01-01T00:00:00"'), ("model", "[]"), ("system_prompt", "{}"),
    ("settings", "[]"), ("settings", '"temperature=1"'), ("pinned", '"yes"'), ("pinned", "1"),
    ("boundary", '""'), ("boundary", "42"), ("boundary", '"<!--"'), ("format", "2"), ("format", '["octet"]'),
]


@pytest.mark.parametrize(("key", "value"), WRONG_VALUES)
def test_a_front_matter_value_of_the_wrong_type_is_refused_with_a_message(store, tmp_path, key, value):
    path = tmp_path / "wrong.md"
    path.write_text(front_line(exported(store), key, value), encoding="utf-8")
    count = len(store.list_conversations())
    with pytest.raises(MarkdownImportError) as refused:
        import_markdown(store, path=path)
    assert "wrong.md" in str(refused.value)
    assert len(store.list_conversations()) == count


HEADING_CHANGES = [
    ('"role": "user"', '"role": 7'), ('"role": "user"', '"role": "root"'), ('"state": "complete"', '"state": []'),
    ('"stats": {}', '"stats": []'), ('"stats": {}', '"stats": "none"'), ('"model": ""', '"model": 3'),
    ('"id": 1', '"id": "1"'), ('"id": 1', '"id": true'), ('"id": 1', '"id": 2'), ('"parent": null', '"parent": 2'),
    ('"created": "', '"created": 0, "x": "'), ('{"created"', '["created"'),
]


@pytest.mark.parametrize(("old", "new"), HEADING_CHANGES)
def test_a_heading_value_of_the_wrong_type_is_refused_with_a_message(store, tmp_path, old, new):
    text = exported(store)
    first_heading = text.index("## User")
    assert old in text[first_heading:]
    path = tmp_path / "heading.md"
    path.write_text(text[:first_heading] + text[first_heading:].replace(old, new, 1), encoding="utf-8")
    with pytest.raises(MarkdownImportError):
        import_markdown(store, path=path)
    assert len(store.list_conversations()) == 1  # the one exported


def test_unknown_keys_are_ignored_with_a_note(store, tmp_path):
    text = exported(store).replace("pinned: false\n", 'pinned: false\ncolour: "blue"\n', 1)
    text = text.replace('"role": "user"', '"mood": "happy", "role": "user"', 1)
    parsed = parse_export(text)
    assert parsed.notes == ["unknown front matter key 'colour' ignored", "unknown message heading key 'mood' ignored"]
    assert [m.content for m in parsed.messages] == ["Hello", "Hi!"]


@pytest.mark.parametrize("where", ["settings", "stats", "branch"])
def test_deep_nesting_is_refused_before_any_recursion(store, where):
    deep = "[" * 200_000 + "]" * 200_000
    text = exported(store)
    if where == "settings":
        text = front_line(text, "settings", '{"stop": ' + deep + "}")
    elif where == "stats":
        text = text.replace('"stats": {}', '"stats": {"x": ' + deep + "}", 1)
    else:
        text += f"# Another branch <!-- {re.search(r'octet-[0-9a-f]{12}', text).group(0)} {deep} -->\n\n"
    meter = WorkMeter()
    with pytest.raises(MarkdownImportError, match="nests more than 16 levels deep"):
        parse_export(text, meter=meter)
    assert meter.steps <= 4 * len(text)


def test_nesting_up_to_the_limit_is_read(store):
    text = front_line(exported(store), "settings", '{"stop": ' + "[" * 15 + "]" * 15 + "}")
    assert parse_export(text).conversation.settings == {"stop": [[[[[[[[[[[[[[[]]]]]]]]]]]]]]]}


def test_a_file_over_the_size_bound_is_refused_without_being_read(store, tmp_path):
    path = tmp_path / "huge.md"
    with open(path, "wb") as file:  # sparse: takes no space
        file.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(MarkdownImportError, match="up to 64 MB"):
        import_markdown(store, path=path)


def front(fmt: str = FORMAT) -> str:
    return (f'---\nformat: "{fmt}"\ntitle: "t"\ncreated: "2024-01-01T00:00:00+00:00"\n'
            f'updated: "2024-01-01T00:00:00+00:00"\nmodel: ""\nsystem_prompt: ""\nsettings: {{}}\npinned: false\n'
            f'boundary: "{BOUNDARY}"\n---\n\n')


def heading(number: int, parent: int | None, role: str = "user") -> str:
    meta = {"created": "2024-01-01T00:00:00+00:00", "id": number, "model": "", "parent": parent, "role": role,
            "state": "complete", "stats": {}}
    return f"## {role.title()} <!-- {BOUNDARY} {json.dumps(meta)} -->\n\n"


TWO_MB = 2 * 1024 * 1024


def adversarial_inputs() -> dict[str, str]:
    """2 MB each. The first made the old heading regex take minutes (quadratic backtracking)."""
    near_miss = "## User <!-- octet-0123456789ac {" + "x" * 50 + "} -->\n\n<!-- octet-0123 {{{ }}} -->\n"
    many = "".join(heading(n, n - 1 if n > 1 else None) + "hi\n\n" for n in range(1, 100_000))
    return {
        "regex bomb": front() + "## " + f"<!-- {BOUNDARY} {{" * (TWO_MB // 25),
        "regex bomb on many lines": front() + (f"## x <!-- {BOUNDARY} {{" * 40 + "\n") * (TWO_MB // 1100),
        "near misses in a message": front() + heading(1, None) + near_miss * (TWO_MB // len(near_miss)),
        "many small messages": front() + many[:many.index("## User", TWO_MB)],
        "one long line": front() + heading(1, None) + "{" * TWO_MB,
    }


@pytest.mark.parametrize("name", list(adversarial_inputs()))
def test_a_2_mb_adversarial_file_is_parsed_in_linear_work(name):
    text = adversarial_inputs()[name]
    assert len(text) >= TWO_MB - 2000
    meter = WorkMeter()
    try:
        parse_export(text, meter=meter)
    except MarkdownImportError:
        pass  # refused or read: either way in bounded steps
    assert meter.steps <= 4 * len(text), f"{meter.steps} steps for {len(text)} characters"


def test_reading_takes_memory_proportional_to_the_file(tmp_path):
    """The bug: a 50 MB file took 2.3 GB. Reading (bytes, text, messages) stays within a few times its size."""
    moment = now()
    conversation = Conversation(0, "big", moment, moment, "", "", {}, False)
    messages = [Message(0, 0, None, ("user", "assistant")[i % 2], "a short line\n" * 15_000, "complete", moment)
                for i in range(40)]
    path = tmp_path / "big.md"
    path.write_text(to_markdown(conversation, messages), encoding="utf-8")
    size = os.path.getsize(path)
    tracemalloc.start()
    try:
        parsed = read_export(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(parsed.messages) == 40
    assert peak < 3.5 * size, f"peak {peak / 2**20:.0f} MB for a {size / 2**20:.0f} MB file"


def test_an_old_format_1_file_is_still_read(store, tmp_path):
    text = exported(store)
    old = re.sub(r'"id": \d+, ', "", re.sub(r'"parent": (null|\d+), ', "", text))
    old = old.replace(f'format: "{FORMAT}"', 'format: "octet-markdown/1"')
    assert '"id"' not in old and '"parent"' not in old
    path = tmp_path / "v1.md"
    path.write_text(old, encoding="utf-8")
    imported = import_markdown(store, path=path)
    assert [(m.role, m.content) for m in store.shown_path(imported.id)] == [("user", "Hello"), ("assistant", "Hi!")]


def test_export_over_a_file_writes_through_a_temporary_file(store, tmp_path):
    conversation = store.create_conversation(title="Kept")
    store.add_message(conversation.id, role="user", content="v1")
    folder = tmp_path / "exports"
    folder.mkdir()
    path = export_conversation(store, conversation.id, path=folder / "kept.md")
    inode = os.stat(path).st_ino
    export_conversation(store, conversation.id, path=path)
    assert os.stat(path).st_ino != inode  # renamed into place, never rewritten in place
    assert [p.name for p in folder.iterdir()] == ["kept.md"]
