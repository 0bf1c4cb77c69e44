"""Text in every language survives the whole path: typed into the composer (as an input method commits it),
tokenized by the real Mixtral v1 tokenizer and streamed back through `StreamDecoder` one token at a time, saved as
the answer grows, found by an accent-insensitive search, exported to Markdown (stable English headings and
keys whatever the interface language) and imported back identical.
"""
import shutil
from pathlib import Path

import pytest
from PySide6.QtGui import QInputMethodEvent

import mistral_common
from app import i18n
from app.chat.language import conversation_language
from app.history.export import FRONT_MATTER_KEYS, ROLE_HEADINGS, conversation_markdown, export_conversation
from app.history.markdown_import import import_markdown
from app.history.store import HistoryStore
from runtime.text.tokenizer import StreamDecoder, tokenizer_from_folder

# (question, answer, a search that must find the answer though typed without its accents or ligatures)
TEXTS = {
    "en": ("Can you write a naïve café menu with emoji? 🍰☕",
           "Sure! Café crème ☕, crème brûlée 🍮, and a piñata cake 🎂 for the coöperative. 👩‍👩‍👧", "coöperative"),
    "fr": ("Peux-tu m’écrire un poème sur l’œuvre de Molière ? Ça m’aiderait !",
           "Voici : « Ô cœur épris, l’œuvre naît à Noël » — Molière 🎭 ; où est l’âme ?", "oeuvre"),
    "de": ("Kannst du mir die Grüße für die Straßenfeier übersetzen? Danke schön!",
           "Gern: „Herzliche Grüße zur Straßenfeier!“ Größe ist Maß, und Süßes gibt’s auch 🍬.", "strassenfeier"),
    "es": ("¿Puedes explicarme qué es la eñe? ¡Gracias, señora!",
           "¡Claro! La «ñ» es una letra española: año, niño, pequeño. ¿Más? 🇪🇸", "nino"),
    "it": ("Puoi spiegarmi perché il caffè è più buono in città?",
           "Perché l’acqua e la tostatura cambiano: ecco un caffè così 👌 — più gusto, città, virtù.", "virtu"),
}
COMBINING = "e\u0301 a\u0300 n\u0303 o\u0308"  # decomposed é à ñ ö


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    """The real Mixtral Instruct v1 tokenizer that ships inside mistral-common."""
    source = Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1"
    folder = tmp_path_factory.mktemp("mixtral-tokenizer")
    shutil.copyfile(source, folder / "tokenizer.model")
    return tokenizer_from_folder(folder)


def typed(qtbot, text: str) -> str:
    """What the composer holds after an input method commits `text` (accents, emoji and all)."""
    from app.ui.composer import Composer

    composer = Composer()
    qtbot.addWidget(composer)
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    composer.edit.inputMethodEvent(event)
    return composer.text()


def streamed(tokenizer, text: str) -> list[str]:
    """`text` encoded, then decoded token by token as the worker streams it: the deltas."""
    decoder = StreamDecoder(tokenizer)
    deltas = [decoder.push(token) for token in tokenizer.encode(text)]
    return [delta for delta in deltas + [decoder.flush()] if delta]


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_a_conversation_survives_stream_store_search_export_import(qapp, qtbot, tmp_path, tokenizer, code):
    question, answer, search = TEXTS[code]
    answer = f"{answer} {COMBINING}"
    i18n.install_translators(qapp, code)  # the interface language must not change what is written
    store = HistoryStore(tmp_path / "history.sqlite3")
    conversation = store.create_conversation(title=question[:30])
    user = store.add_message(conversation.id, role="user", content=typed(qtbot, question))
    writer = store.start_answer(conversation.id, parent_id=user.id, model="Mixtral-8x7B-Instruct")
    deltas = streamed(tokenizer, answer)
    assert all("\ufffd" not in delta for delta in deltas)  # never half a character
    for delta in deltas:
        writer.append(delta)
    writer.finish(state="complete")

    saved = store.shown_path(conversation.id)
    assert [m.content for m in saved] == [question, answer]
    assert conversation_language(saved) == code
    assert [hit.conversation_id for hit in store.search(search)] == [conversation.id]

    path = export_conversation(store, conversation.id, path=tmp_path / "export.md")
    markdown = path.read_text(encoding="utf-8")
    assert all(f"\n{key}: " in markdown for key in FRONT_MATTER_KEYS if key != "format")
    assert f"## {ROLE_HEADINGS['user']} <!--" in markdown and f"## {ROLE_HEADINGS['assistant']} <!--" in markdown

    other = HistoryStore(tmp_path / "other.sqlite3")
    imported = import_markdown(other, path=path)
    assert [m.content for m in other.shown_path(imported.id)] == [question, answer]
    assert conversation_markdown(other, imported.id).split("---", 2)[2] == markdown.split("---", 2)[2]
    store.close()
    other.close()
    i18n.install_translators(qapp, "en")
