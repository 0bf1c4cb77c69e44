"""Full-text search: accents and case ignored in five languages, ranked, with a snippet, and no query a
user types raises."""
import re

import pytest
from hypothesis import given, settings, strategies as st

from app.history.records import clean_text
from app.history.search import fold
from app.history.store import HistoryStore

TEXTS = {
    "en": "The café serves crème brûlée, and my naïve résumé needs work.",
    "fr": "Ça va ? L'œuvre de Noël est à l'hôpital ; l'élève est déjà là.",
    "de": "Grüße aus München: die Straße, das Übermaß, schöne Äpfel.",
    "es": "El niño pidió más información el año pasado, ¿qué opinas?",
    "it": "Perché la città è più bella? Caffè e perciò gelato.",
}
QUERIES = {
    "en": ["cafe", "café", "CREME brulee", "naive", "resume"],
    "fr": ["ca", "ça", "oeuvre", "œuvre", "Noel", "hopital", "eleve", "deja"],
    "de": ["grusse", "Grüße", "GRÜSSE", "munchen", "strasse", "Straße", "ubermass", "apfel"],
    "es": ["nino", "niño", "pidio", "mas", "informacion", "ano", "que"],
    "it": ["perche", "citta", "città", "piu", "caffe", "percio"],
}
UNACCENTED = "ca va grusse oeuvre nino citta cafe strasse"


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "history.sqlite3") as opened:
        yield opened


@pytest.fixture
def corpus(store):
    ids = {}
    for language, text in TEXTS.items():
        conversation = store.create_conversation(title=f"Chat {language}")
        store.add_message(conversation.id, role="user", content="Hello")
        store.add_message(conversation.id, role="assistant", content=text)
        ids[language] = conversation.id
    plain = store.create_conversation(title="plain")
    store.add_message(plain.id, role="user", content=UNACCENTED)
    ids["plain"] = plain.id
    return ids


@pytest.mark.parametrize("language", list(TEXTS))
def test_accented_and_unaccented_forms_find_each_other(store, corpus, language):
    for query in QUERIES[language]:
        found = {hit.conversation_id for hit in store.search(query)}
        assert corpus[language] in found, query


@pytest.mark.parametrize("query", ["ça", "Grüße", "œuvre", "niño", "città", "café", "Straße"])
def test_accented_query_finds_unaccented_text(store, corpus, query):
    assert corpus["plain"] in {hit.conversation_id for hit in store.search(query)}


def test_snippet_shows_the_original_text_and_marks_the_match(store, corpus):
    hit = next(h for h in store.search("grusse") if h.conversation_id == corpus["de"])
    start, end = hit.highlights[0]
    assert hit.snippet[start:end] == "Grüße"
    assert hit.message_id is not None and hit.title == "Chat de"
    french = next(h for h in store.search("oeuvre") if h.conversation_id == corpus["fr"])
    start, end = french.highlights[0]
    assert french.snippet[start:end] == "œuvre"


def test_long_text_snippet_is_an_excerpt_around_the_match(store):
    conversation = store.create_conversation()
    store.add_message(conversation.id, role="user", content="filler " * 500 + "needle here" + " end" * 500)
    hit = store.search("needle")[0]
    start, end = hit.highlights[0]
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…") and len(hit.snippet) < 200
    assert hit.snippet[start:end] == "needle"


def test_every_word_must_match_and_words_match_as_prefixes(store, corpus):
    assert {h.conversation_id for h in store.search("grüße münchen")} == {corpus["de"]}
    assert store.search("grüße perché") == []
    assert {h.conversation_id for h in store.search("münch")} == {corpus["de"]}


def test_results_are_ranked_and_titles_count(store):
    weak = store.create_conversation(title="weak")
    store.add_message(weak.id, role="user", content="a long text about many things " * 30 + "python")
    strong = store.create_conversation(title="Python tips")
    store.add_message(strong.id, role="user", content="python python, more python")
    hits = store.search("python")
    assert [h.conversation_id for h in hits] == [strong.id, weak.id]
    assert hits[0].message_id is None  # its best match is the title
    assert hits[0].score <= hits[1].score


def test_one_hit_per_conversation_even_with_many_matches(store):
    conversation = store.create_conversation()
    for _ in range(5):
        store.add_message(conversation.id, role="user", content="repeat word")
    assert len(store.search("repeat")) == 1


def test_hidden_branches_are_found_streaming_text_only_once_finished(store):
    conversation = store.create_conversation()
    question = store.add_message(conversation.id, role="user", content="q")
    old = store.add_message(conversation.id, role="assistant", content="zebra answer")
    store.add_message(conversation.id, role="assistant", content="other", parent_id=question.id)
    assert store.search("zebra")[0].message_id == old.id
    writer = store.start_answer(conversation.id)
    writer.append("giraffe")
    writer.flush()
    assert store.search("giraffe") == []
    writer.finish()
    assert store.search("giraffe")[0].message_id == writer.message_id


@pytest.mark.parametrize("query", ['"', '"unbalanced', "AND", "OR NOT", "NEAR(a b", "title:x", "a*b",
                                   "^start", "-minus", "(", "'", "\\", "*", "ça\"va", "", "   ", "😀",
                                   "\0", "lone \ud800 surrogate"])
def test_queries_with_quotes_or_operators_never_raise(store, corpus, query):
    store.search(query)


def test_operator_words_are_searched_as_words(store):
    conversation = store.create_conversation()
    store.add_message(conversation.id, role="user", content='He said "NOT now" OR later')
    assert len(store.search('"not now"')) == 1
    assert len(store.search("OR")) == 1


def test_any_text_finds_itself_and_no_query_raises(store):
    conversation = store.create_conversation(title="fuzz")

    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=30))
    def check(text):
        message = store.add_message(conversation.id, role="user", content=text)
        hits = store.search(text)
        if re.search(r"[a-z0-9]", fold(text)):
            assert [h.conversation_id for h in hits] == [conversation.id]
        store.search(text.replace(" ", '"'))
        assert store.message(message.id).content == clean_text(text)

    check()


def test_fold():
    assert fold("Grüße ÇA Œuvre Æon Øre") == "grusse ca oeuvre aeon ore"
    assert fold("e\u0301") == "e" and fold("ﬁne") == "fine"


def test_a_deleted_conversation_is_found_neither_by_title_nor_by_message(store):
    gone = store.create_conversation(title="Secret holiday plans")
    store.add_message(gone.id, role="user", content="Surprise trip to Lisbon")
    kept = store.create_conversation(title="Groceries")
    store.add_message(kept.id, role="user", content="holiday snacks")
    store.delete(gone.id)
    assert store.search("secret") == [] and store.search("lisbon") == []
    assert [hit.conversation_id for hit in store.search("holiday")] == [kept.id]
    store.undo_delete()
    assert [hit.conversation_id for hit in store.search("secret")] == [gone.id]
