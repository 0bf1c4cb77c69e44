"""Streaming detokenization: pushes never carry half a character, and their concatenation equals
the full decode, for byte-level BPE (starter model) and SentencePiece (Mixtral v1)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.text.tokenizer import StreamDecoder
from tests.runtime.test_tokenizer_support import SAMPLES, mistral_v1_gguf_metadata, starter_tokenizer

LANGUAGE_TEXTS = SAMPLES + [
    "Déjà vu : l'œil du cœur, où êtes-vous ? Ça coûte 12,50 €.",
    "Übermäßig große Äpfel schmecken süß; Grüße aus Köln!",
    "El pingüino comió ñoquis en Añón; ¿verdad? ¡Sí!",
    "Più tardi andrò là: è così, perché sì.",
    "Familles : 👨‍👩‍👧 👩🏽‍💻 🧑‍🤝‍🧑 ; drapeaux : 🇨🇭🇦🇹🇧🇪🇱🇺 🏴‍☠️ 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "漢字かな交じり文、简体中文、繁體中文、한국어 😀",
]

SETS = ["bpe", "sentencepiece"]


@pytest.fixture(scope="module", params=SETS)
def tokenizer(request, starter_path):
    if request.param == "bpe":
        return starter_tokenizer(starter_path)
    if request.param == "sentencepiece":
        from runtime.text.tokenizer import tokenizer_from_gguf

        return tokenizer_from_gguf(mistral_v1_gguf_metadata(), "mixtral.gguf")
    raise AssertionError(request.param)


def streamed(tokenizer, ids) -> list[str]:
    stream = StreamDecoder(tokenizer)
    return [stream.push(token_id) for token_id in ids] + [stream.flush()]


@pytest.mark.parametrize("text", LANGUAGE_TEXTS)
def test_pushes_join_to_the_text(tokenizer, text):
    ids = tokenizer.encode(text, special=False)
    pieces = streamed(tokenizer, ids)
    assert "".join(pieces) == tokenizer.decode(ids)
    assert "\ufffd" not in "".join(pieces)
    assert all(piece.encode("utf-8").decode("utf-8") == piece for piece in pieces)


def test_multibyte_characters_span_tokens_and_arrive_whole(tokenizer):
    text = "🏳️‍🌈👨‍👩‍👧‍👦🇫🇷"
    ids = tokenizer.encode(text, special=False)
    assert len(ids) > len(text)  # some characters are cut across tokens
    pieces = [piece for piece in streamed(tokenizer, ids) if piece]
    assert "".join(pieces) == text.removeprefix(" ")
    assert len(pieces) < len(ids)  # the partial bytes were held back, not emitted


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_ids_stream_equals_decode(tokenizer, data):
    ids = data.draw(st.lists(st.integers(0, tokenizer.vocab_size - 1), max_size=40))
    assert "".join(streamed(tokenizer, ids)) == tokenizer.decode(ids)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(exclude_categories=("Cs",)), max_size=50))
def test_random_text_streams_back_exactly(tokenizer, text):
    ids = tokenizer.encode(text, special=False)
    assert "".join(streamed(tokenizer, ids)) == tokenizer.decode(ids)
    if tokenizer.kind == "bpe" and all(_byte_in_vocab(tokenizer, byte) for byte in text.encode()):
        assert tokenizer.decode(ids) == text


def _byte_in_vocab(tokenizer, byte: int) -> bool:
    """SmolLM2's vocabulary lacks a few bytes (0x04, 0xF1, ...): characters using them are dropped."""
    from runtime.text.bpe import byte_alphabet

    char = next(char for char, value in byte_alphabet().items() if value == byte)
    return tokenizer.backend.hf.token_to_id(char) is not None


def test_control_tokens_are_silent(tokenizer):
    stream = StreamDecoder(tokenizer)
    assert all(stream.push(token_id) == "" for token_id in sorted(tokenizer.eos_ids))
