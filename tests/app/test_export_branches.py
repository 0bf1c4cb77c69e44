"""An export is a backup: it keeps every branch (edits and regenerations), and importing it gives back the whole
tree: roles, contents, states, times, models, stats, parents, the order of the branches and the branch on
show. The file still reads as Markdown: the shown branch first, as before, then each other branch under a
heading naming where it starts."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from app.history.export import conversation_markdown, export_conversation
from app.history.markdown_import import MarkdownImportError, import_markdown, parse_export
from app.history.store import HistoryStore


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


@pytest.fixture
def other_store(tmp_path):
    with HistoryStore(tmp_path / "other.sqlite3") as opened:
        yield opened


def tree(store: HistoryStore, conversation_id: int) -> dict:
    """Everything about a conversation's messages, with ids replaced by their rank (the order written)."""
    messages = store.all_messages(conversation_id)
    rank = {m.id: index for index, m in enumerate(messages)}
    conversation = store.conversation(conversation_id)
    return {
        "conversation": [getattr(conversation, f) for f in ("title", "created_at", "updated_at", "model",
                                                               "system_prompt", "settings", "pinned")],
        "messages": [(m.role, m.content, m.state, m.created_at, m.model, m.stats,
                      None if m.parent_id is None else rank[m.parent_id]) for m in messages],
        "shown_leaf": None if conversation.shown_leaf_id is None else rank[conversation.shown_leaf_id],
        "shown_path": [rank[m.id] for m in store.shown_path(conversation_id)],
    }


def round_trip(store, other_store, tmp_path, conversation_id) -> int:
    path = export_conversation(store, conversation_id, path=tmp_path / "backup.md")
    return import_markdown(other_store, path=path).id


def branchy_conversation(store):
    """Two regenerations, an edited first question (a second root), an edited later question, and a shown
    branch that is not the newest one."""
    c = store.create_conversation(title="Branches", model="m", system_prompt="Be brief.", settings={"seed": 3})
    q1 = store.add_message(c.id, role="user", content="Tell me a joke")
    a1 = store.add_message(c.id, role="assistant", content="Joke one", model="m", stats={"generated_tokens": 2})
    store.add_message(c.id, role="assistant", content="Joke two", parent_id=q1.id, state="stopped", model="m")
    q2 = store.add_message(c.id, role="user", content="Another?", parent_id=a1.id)
    store.add_message(c.id, role="assistant", content="", parent_id=q2.id, state="error")
    q2b = store.add_message(c.id, role="user", content="Another, please?", parent_id=a1.id)
    store.add_message(c.id, role="assistant", content="Joke three\n\n## User\n", parent_id=q2b.id)
    root2 = store.add_message(c.id, role="user", content="Tell me a poem", parent_id=None)
    store.add_message(c.id, role="assistant", content="Roses…", parent_id=root2.id, model="m")
    store.select_branch(q2.id)
    return store.conversation(c.id)


def test_every_branch_and_the_shown_one_come_back(store, other_store, tmp_path):
    conversation = branchy_conversation(store)
    imported = round_trip(store, other_store, tmp_path, conversation.id)
    assert tree(other_store, imported) == tree(store, conversation.id)
    assert [m.content for m in other_store.shown_path(imported)] == ["Tell me a joke", "Joke one", "Another?", ""]
    answer = other_store.shown_path(imported)[1]
    assert [m.content for m in other_store.siblings(answer.id)] == ["Joke one", "Joke two"]  # in their order


def test_exporting_the_imported_copy_gives_the_same_file(store, other_store, tmp_path):
    conversation = branchy_conversation(store)
    imported = round_trip(store, other_store, tmp_path, conversation.id)
    assert conversation_markdown(other_store, imported) == conversation_markdown(store, conversation.id)


def test_the_file_shows_the_branch_on_screen_first_then_the_others_under_headings(store):
    text = conversation_markdown(store, branchy_conversation(store).id)
    headings = re.findall(r"^(#{1,2} [^<]*?) <!--", text, re.MULTILINE)
    assert headings == [
        "## User", "## Assistant", "## User", "## Assistant",  # the branch on show, as before
        "# Another branch, from the start", "## User", "## Assistant",
        "# Another branch, after “Tell me a joke”", "## Assistant",
        "# Another branch, after “Joke one”", "## User", "## Assistant",
    ]


def test_a_branch_that_names_a_parent_it_does_not_follow_is_refused(store):
    text = conversation_markdown(store, branchy_conversation(store).id)
    edited = re.sub(r'(# Another branch, after “Joke one” <!-- octet-\w+ )\{"parent": \d+\}', r'\1{"parent": 1}', text)
    assert edited != text
    with pytest.raises(MarkdownImportError, match="parent"):
        parse_export(edited)


def test_a_branch_heading_without_messages_is_refused(store):
    text = conversation_markdown(store, branchy_conversation(store).id)
    boundary = re.search(r"octet-[0-9a-f]{12}", text).group(0)
    with pytest.raises(MarkdownImportError, match="branch heading"):
        parse_export(text + f'# Another branch <!-- {boundary} {{"parent": 1}} -->\n\n')


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.tuples(st.integers(min_value=-1, max_value=30), TEXT,
                                st.sampled_from(["complete", "stopped", "error"])), min_size=1, max_size=12),
       shown=st.integers(min_value=0, max_value=30))
def test_any_tree_round_trips(tmp_path_factory, shape, shown):
    folder = tmp_path_factory.mktemp("trees")
    with HistoryStore(folder / "a.sqlite3") as store, HistoryStore(folder / "b.sqlite3") as other:
        conversation = store.create_conversation(title="Tree")
        ids = []
        for index, (parent, content, state) in enumerate(shape):
            parent_id = None if parent < 0 or not ids else ids[parent % len(ids)]
            role = ("user", "assistant")[index % 2]
            ids.append(store.add_message(conversation.id, role=role, content=content, parent_id=parent_id,
                                         state=state, stats={"n": index}).id)
        store.select_branch(ids[shown % len(ids)])
        imported = round_trip(store, other, folder, conversation.id)
        assert tree(other, imported) == tree(store, conversation.id)
