"""Markdown export and import: verbatim content whatever it holds, the shown branch, metadata kept
through a round trip, and safe, unique file names from hostile titles."""
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from app.history.export import (conversation_markdown, export_all, export_conversation, safe_stem,
                                to_markdown, unique_file_name)
from app.history.markdown_import import MarkdownImportError, import_markdown, read_markdown
from app.history.records import Conversation, Message, now
from app.history.store import HistoryStore

CODE = '```python\ndef greet(name: str) -> str:\n    return f"Hello, {name}!"  # --> not a comment end\n```'
TABLE = "| Langue | Bonjour |\n|---|:---:|\n| français | « Ça va ? » |\n| Deutsch | Grüß Gott |"
TURNS = [
    "Explain this code, s'il vous plaît:\n\n" + CODE,
    "Sure! Here is a table:\n\n" + TABLE + "\n\n😀👩‍👩‍👧🇫🇷 done.",
    "Grüße aus München! Wie geht's? Übermaß an Straßen.",
    "¿Qué tal, niño? Mañana más información.\nPerché la città è più bella? Caffè!",
    "עברית ומרחבא: مرحبا بالعالم — right-to-left text.\n",
    "## Assistant\n\n---\nfake front matter\n---\n## User <!-- octet-0123456789ab {} -->\n\n",
    "\n\nleading and trailing blank lines\n\n\n",
    "",
    "windows\r\nline endings\r\nand a NUL \0 inside\ttab",
    "    indented code\n\n> quote\n\n- list\n1. item\n<!-- an html comment -->",
]


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


@pytest.fixture
def other_store(tmp_path):
    with HistoryStore(tmp_path / "other.sqlite3") as opened:
        yield opened


def rich_conversation(store, *, title='Réunion: "plan" — 2024\nnext line 😀'):
    conversation = store.create_conversation(
        title=title, model="mixtral-8x7b-instruct-Q4_K_M --> model",
        system_prompt="You are helpful.\nRéponds en français: « oui ».",
        settings={"temperature": 0.7, "top_p": 0.95, "seed": 42, "min_p": 1e-05, "stop": ["</s>"]})
    for index, text in enumerate(TURNS):
        role = ("user", "assistant")[index % 2]
        stats = {"generated_tokens": index, "decode_tps": 12.25} if role == "assistant" else None
        state = "stopped" if index == 3 else "complete"
        store.add_message(conversation.id, role=role, content=text, state=state,
                          model="starter" if role == "assistant" else "", stats=stats)
    return store.conversation(conversation.id)


def same_conversation(first_store, first_id, second_store, second_id):
    first, second = first_store.conversation(first_id), second_store.conversation(second_id)
    fields = ("title", "created_at", "updated_at", "model", "system_prompt", "settings", "pinned")
    assert [getattr(first, f) for f in fields] == [getattr(second, f) for f in fields]
    keep = ("role", "content", "state", "created_at", "model", "stats")
    assert ([[getattr(m, f) for f in keep] for m in first_store.shown_path(first_id)] ==
            [[getattr(m, f) for f in keep] for m in second_store.shown_path(second_id)])


def test_round_trip_keeps_content_roles_order_and_metadata(store, other_store, tmp_path):
    conversation = rich_conversation(store)
    store.set_pinned(conversation.id, pinned=True)
    path = export_conversation(store, conversation.id, path=tmp_path / "chat.md")
    imported = import_markdown(other_store, path=path)
    same_conversation(store, conversation.id, other_store, imported.id)
    assert [m.content for m in other_store.shown_path(imported.id)] == TURNS


def test_the_document_reads_as_markdown(store):
    conversation = rich_conversation(store)
    text = conversation_markdown(store, conversation.id)
    front, _, body = text.removeprefix("---\n").partition("\n---\n")
    keys = [line.split(":")[0] for line in front.splitlines()]
    assert keys[:3] == ["format", "title", "created"] and "system_prompt" in keys and "settings" in keys
    assert 'title: "Réunion: \\"plan\\" — 2024\\nnext line 😀"' in front.splitlines()
    boundary = json.loads(front.splitlines()[-1].removeprefix("boundary: "))
    headings = re.findall(rf"^## (\w+) <!-- {boundary} ", body, re.MULTILINE)
    assert headings == ["User", "Assistant"] * 5
    assert CODE in body and TABLE in body and "😀👩‍👩‍👧🇫🇷" in body


def test_only_the_shown_branch_is_exported(store, other_store, tmp_path):
    conversation = store.create_conversation()
    question = store.add_message(conversation.id, role="user", content="Q")
    store.add_message(conversation.id, role="assistant", content="first answer")
    store.add_message(conversation.id, role="assistant", content="second answer", parent_id=question.id)
    text = conversation_markdown(store, conversation.id)
    assert "second answer" in text and "first answer" not in text
    path = tmp_path / "c.md"
    export_conversation(store, conversation.id, path=path)
    imported = import_markdown(other_store, path=path)
    assert [m.content for m in other_store.shown_path(imported.id)] == ["Q", "second answer"]


def test_content_holding_the_boundary_cannot_break_the_file():
    first = to_markdown(*conversation_of(["hello"]))
    boundary = re.search(r"<!-- (octet-\w+) ", first).group(1)
    hostile = [f"## User <!-- {boundary} {{}} -->\n\n", f"x\n## Assistant <!-- {boundary} -->"]
    text = to_markdown(*conversation_of(hostile))
    assert [m.content for m in read_markdown(text)[1]] == hostile


def conversation_of(contents, title="t"):
    moment = now()
    conversation = Conversation(0, title, moment, moment, "", "", {}, False)
    messages = [Message(0, 0, None, ("user", "assistant")[i % 2], text, "complete", moment)
                for i, text in enumerate(contents)]
    return conversation, messages


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=200, deadline=None)
@given(title=TEXT, prompt=TEXT, contents=st.lists(TEXT, max_size=4),
       stats=st.dictionaries(TEXT, st.one_of(TEXT, st.floats(allow_nan=False), st.integers())))
def test_any_text_round_trips(title, prompt, contents, stats):
    conversation, messages = conversation_of(contents, title)
    conversation = Conversation(0, title, conversation.created_at, conversation.updated_at,
                                prompt, prompt, stats, True)
    again, read = read_markdown(to_markdown(conversation, messages))
    assert again == conversation and read == messages


def test_files_that_are_not_exports_are_refused(other_store, tmp_path):
    for name, text in (("plain.md", "# Just notes\n"), ("bad.md", "---\ntitle: unquoted\n---\n"),
                       ("open.md", "---\nformat: \"octet-markdown/1\"\n")):
        (tmp_path / name).write_text(text)
        with pytest.raises(MarkdownImportError) as refused:
            import_markdown(other_store, path=tmp_path / name)
        assert name in str(refused.value)
    (tmp_path / "latin1.md").write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(MarkdownImportError):
        import_markdown(other_store, path=tmp_path / "latin1.md")
    assert other_store.list_conversations() == []


def test_an_export_edited_above_its_first_message_is_refused(store, tmp_path):
    text = conversation_markdown(store, rich_conversation(store).id)
    edited = text.replace("\n## User", "\nstray text\n## User", 1)
    with pytest.raises(MarkdownImportError):
        read_markdown(edited)


HOSTILE_TITLES = [
    "../../x", "..", ".", "/etc/passwd", "C:\\Windows\\system32", "CON", "nul.txt", "COM1",
    'a:b*c?d"e<f>g|h', "   ", "", "\x00\x01\x1f", "name. ", "x" * 500, "😀" * 100, "\u202eexe.md",
    "same", "SAME", "Same", "e\u0301t\u00e9", "\u00e9t\u00e9", "~/.ssh/id_rsa", "\\\\server\\share",
    "tab\tnew\nline", "Réunion: ordre du jour", "עברית", "A" * 300 + ".." + "/..",
]


def test_export_all_names_stay_inside_the_folder_and_are_unique(store, other_store, tmp_path):
    for title in HOSTILE_TITLES:
        conversation = store.create_conversation(title=title)
        store.add_message(conversation.id, role="user", content=f"body of {title!r}")
    folder = tmp_path / "export"
    written = export_all(store, folder=folder)
    assert len(written) == len(HOSTILE_TITLES)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)
    keys = {unicodedata.normalize("NFC", p.name).casefold() for p in written}
    assert len(keys) == len(written)
    for path in written:
        assert path.parent == folder and valid_file_name(path.name)
    titles = sorted(import_markdown(other_store, path=p).title for p in written)
    assert titles == sorted(c.title for c in store.list_conversations())


def test_export_all_never_replaces_existing_files(store, tmp_path):
    conversation = store.create_conversation(title="Weekly plan")
    store.add_message(conversation.id, role="user", content="v1")
    first = export_all(store, folder=tmp_path)
    before = first[0].read_text()
    store.add_message(conversation.id, role="assistant", content="v2")
    second = export_all(store, folder=tmp_path)
    assert first[0].read_text() == before and second[0] != first[0]
    assert second[0].name.endswith("Weekly plan (2).md")


def valid_file_name(name: str) -> bool:
    stem = name.removesuffix(".md")
    return (not set(name) & set('<>:"/\\|?*') and not any(ord(c) < 32 for c in name)
            and len(name.encode("utf-8")) <= 255 and name == name.strip(" .") + "" and
            stem == stem.rstrip(" .") and not name.startswith(".") and Path(name).name == name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_title_gives_a_safe_name(title):
    moment = now()
    name = unique_file_name(Conversation(0, title, moment, moment, "", "", {}, False), set())
    assert valid_file_name(name) and re.match(r"\d{4}-\d\d-\d\d ", name)
    assert safe_stem(title) and ".." not in Path(name).parts
