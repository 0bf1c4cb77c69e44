"""Markdown export and import: verbatim content whatever it holds, the shown branch, metadata kept
through a round trip, and safe, unique file names from hostile titles."""
import dataclasses
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from app.history.export import (FORMAT, conversation_markdown, export_all, export_conversation, safe_stem,
                                to_markdown, unique_file_name)
from app.history.markdown_import import MarkdownImportError, import_markdown, read_markdown
from app.history.records import Conversation, Message, now
from app.history.store import HistoryStore
from app.history.validate import check_settings
from tests.app.disk_full import run_with_file_size_limit

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


def test_the_shown_branch_comes_first_and_the_others_follow(store, other_store, tmp_path):
    conversation = store.create_conversation()
    question = store.add_message(conversation.id, role="user", content="Q")
    store.add_message(conversation.id, role="assistant", content="first answer")
    store.add_message(conversation.id, role="assistant", content="second answer", parent_id=question.id)
    text = conversation_markdown(store, conversation.id)
    assert text.index("second answer") < text.index("# Another branch, after “Q”") < text.index("first answer")
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
    usable_settings = check_settings(stats)[0]  # a known setting with a wrong type or range is left out
    assert again == dataclasses.replace(conversation, settings=usable_settings) and read == messages


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


# -- bugs a user would hit: each test names the one it catches -----------------------------------------------
def test_an_arrow_in_a_model_name_or_stats_cannot_end_the_heading_comment(store, other_store, tmp_path):
    conversation = store.create_conversation(title="Arrows")
    store.add_message(conversation.id, role="user", content="Hi")
    store.add_message(conversation.id, role="assistant", content="Hello", model="my-->model",
                      stats={"note": "a --> b", "x-->": 1})
    text = conversation_markdown(store, conversation.id)
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(headings) == 2 and all(line.count("-->") == 1 and line.endswith(" -->") for line in headings)
    path = export_conversation(store, conversation.id, path=tmp_path / "arrows.md")
    answer = other_store.shown_path(import_markdown(other_store, path=path).id)[-1]
    assert answer.model == "my-->model" and answer.stats == {"note": "a --> b", "x-->": 1}


def test_an_export_of_an_unknown_format_version_is_refused(store, other_store, tmp_path):
    text = conversation_markdown(store, rich_conversation(store).id)
    newer = tmp_path / "newer.md"
    newer.write_text(text.replace(f'format: "{FORMAT}"', 'format: "octet-markdown/99"', 1), encoding="utf-8")
    with pytest.raises(MarkdownImportError, match="unknown format 'octet-markdown/99'"):
        import_markdown(other_store, path=newer)
    assert other_store.list_conversations() == []


def test_an_answer_exported_while_streaming_is_imported_as_stopped(store, other_store, tmp_path):
    conversation = store.create_conversation(title="Cut short")
    store.add_message(conversation.id, role="user", content="Count to ten")
    store.start_answer(conversation.id).append("one, two")  # saved as it streams; exported before the end
    store.shown_path(conversation.id)  # the streaming row is there
    path = export_conversation(store, conversation.id, path=tmp_path / "cut.md")
    assert '"state": "streaming"' in path.read_text(encoding="utf-8")
    imported = import_markdown(other_store, path=path)
    assert [m.state for m in other_store.shown_path(imported.id)] == ["complete", "stopped"]


def test_export_replaces_the_file_whole_never_rewriting_it_in_place(store, tmp_path):
    conversation = store.create_conversation(title="Twice")
    store.add_message(conversation.id, role="user", content="version one")
    folder = tmp_path / "exports"
    folder.mkdir()
    path = export_conversation(store, conversation.id, path=folder / "twice.md")
    before = path.read_text(encoding="utf-8")
    store.add_message(conversation.id, role="assistant", content="version two")
    with open(path, encoding="utf-8") as reader:  # a reader, or the old file if the write is cut short
        export_conversation(store, conversation.id, path=path)
        assert reader.read() == before
    assert "version two" in path.read_text(encoding="utf-8")
    assert [p.name for p in folder.iterdir()] == ["twice.md"]


EXPORT_ALL_CHILD = """
import sys
from app.history.export import export_all
from app.history.store import HistoryStore
with HistoryStore(sys.argv[1]) as store:
    try:
        export_all(store, folder=sys.argv[2])
    except OSError as error:
        sys.exit(f"stopped: {error}")
"""


def test_export_all_cut_short_leaves_no_half_written_file(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as store:
        store.add_message(store.create_conversation(title="Small").id, role="user", content="short")
        store.add_message(store.create_conversation(title="Huge").id, role="user", content="x" * 300_000)
    folder = tmp_path / "all"
    folder.mkdir()
    done = run_with_file_size_limit(EXPORT_ALL_CHILD, 100_000, str(tmp_path / "history.sqlite3"), str(folder))
    assert "stopped:" in done.stderr, done.stderr  # the disk "filled up" while writing the huge one
    names = [p.name for p in folder.iterdir()]
    assert len(names) <= 1 and all(name.endswith("Small.md") for name in names), names


# -- import refusals word for word, and the export's exact form ------------------------------------------------
def exported(contents=("Hi", "Hello")) -> str:
    return to_markdown(*conversation_of(list(contents)))


def test_a_file_that_is_not_utf8_text_is_refused_by_name(other_store, tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(MarkdownImportError) as refused:
        import_markdown(other_store, path=path)
    assert refused.value.path == str(path) and str(refused.value).startswith(f"{path}: cannot be read as UTF-8 text (")
    with pytest.raises(MarkdownImportError, match="cannot be read as UTF-8 text"):
        import_markdown(other_store, path=tmp_path / "absent.md")


def test_windows_line_endings_and_a_byte_order_mark_read_back(tmp_path):
    contents = ["first", "second\r\nline"]
    text = "\ufeff" + exported(contents).replace("\n", "\r\n")
    conversation, messages = read_markdown(text)
    assert [m.content for m in messages] == ["first", "second\r\r\nline"]  # the file's own line ends, kept
    assert conversation.title == "t"


def test_a_title_with_nothing_left_is_untitled_and_long_titles_stop_at_the_byte_limit():
    from app.history.export import NAME_MAX_BYTES

    assert safe_stem(" ./\\ ") == "Untitled" and safe_stem("..") == "Untitled"
    assert safe_stem("a/b:c") == "a b c" and safe_stem("  spaced   out . ") == "spaced out"
    exact = "é" * (NAME_MAX_BYTES // 2)
    assert safe_stem(exact) == exact  # exactly the limit is kept whole
    assert safe_stem(exact + "x") == exact and safe_stem("x" + exact) == "x" + exact[:-1]
    assert safe_stem("trailing dot after the cut" + "." * 200).endswith("cut")


def test_export_all_makes_the_folder_and_names_files_by_date_and_title(store, tmp_path):
    conversation = store.create_conversation(title="Plan")
    store.add_message(conversation.id, role="user", content="x")
    folder = tmp_path / "deep" / "er"
    [path] = export_all(store, folder=folder)
    assert path == folder / f"{conversation.created_at:%Y-%m-%d} Plan.md"
    assert path.read_text(encoding="utf-8") == conversation_markdown(store, conversation.id)
