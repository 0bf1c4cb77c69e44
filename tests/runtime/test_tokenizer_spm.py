"""SentencePiece: Mixtral's real v1 tokenizer.model, and the same vocabulary written into GGUF metadata
as llama.cpp's convert script does, both give exactly the ids and text of `sentencepiece` itself."""
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.errors import ModelFileError
from runtime.text.tokenizer import tokenizer_from_folder, tokenizer_from_gguf
from tests.runtime.test_tokenizer_support import (
    SAMPLES, mistral_v1_gguf_metadata, mistral_v1_model_file, mistral_v1_processor,
)

EXTRA = [
    "    four leading spaces", "trailing    ", "a  b   c    d     e", "\t\tTabs\tand\nnewlines\n\n\n",
    " ", "  ", "\n", "x" * 300, "🙂" * 20, "Ünïcödé", "ﬁ ligature and full-width ＡＢＣ", "[INST] hi [/INST]",
]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60) | st.text(" \n\téàüñ€😀🇮🇹中aZ09[]/'", max_size=40)


@pytest.fixture(scope="module")
def reference():
    return mistral_v1_processor()


@pytest.fixture(scope="module", params=["gguf", "folder"])
def ours(request, tmp_path_factory):
    if request.param == "gguf":
        return tokenizer_from_gguf(mistral_v1_gguf_metadata(), "mixtral.gguf")
    folder = tmp_path_factory.mktemp("mixtral")
    shutil.copy(mistral_v1_model_file(), folder / "tokenizer.model")
    (folder / "tokenizer_config.json").write_text('{"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": true}')
    return tokenizer_from_folder(folder)


def test_vocabulary(ours):
    assert (ours.kind, ours.vocab_size, ours.bos_id, ours.eos_ids, ours.add_bos) == ("sentencepiece", 32000, 1, {2}, True)
    assert (ours.bos_token, ours.eos_token) == ("<s>", "</s>")


@pytest.mark.parametrize("text", SAMPLES + EXTRA)
def test_ids_equal_sentencepiece(ours, reference, text):
    assert ours.encode(text, special=False) == reference.encode(text)
    assert ours.decode(reference.encode(text)) == reference.decode(reference.encode(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_ids_equal_sentencepiece_on_random_text(ours, reference, text):
    assert ours.encode(text, special=False) == reference.encode(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.integers(0, 31999) | st.integers(3, 258), max_size=30))
def test_decode_equals_sentencepiece(ours, reference, ids):
    assert ours.decode(ids) == reference.decode(ids)


def test_a_control_token_ends_a_byte_sequence(ours, reference):
    """<0xC2> <s> <0x80>: sentencepiece decodes the bytes on each side of the control piece on their own (two
    U+FFFD), where joined they would make U+0080 (found by the test above, once in many runs)."""
    ids = [3 + 0xC2, reference.bos_id(), 3 + 0x80]
    assert reference.decode(ids) == "\ufffd\ufffd"
    assert ours.decode(ids) == reference.decode(ids)
    assert ours.decode([3 + 0xC2, 3 + 0x80]) == reference.decode([3 + 0xC2, 3 + 0x80]) == "\x80"


def test_every_id_decodes_as_sentencepiece(ours, reference):
    """Each id's bytes, whether read from the GGUF's token list or asked of the processor."""
    every = list(range(ours.vocab_size))
    assert ours.decode(every) == reference.decode(every)
    assert all(ours.decode([3, index]) == reference.decode([3, index]) for index in range(0, 32000, 7))


def test_control_tokens_in_text(ours, reference):
    assert ours.encode("<s>[INST] Salut [/INST]") == [1] + reference.encode("[INST] Salut [/INST]")
    assert ours.encode("Bonjour</s>", add_bos=True) == [1] + reference.encode("Bonjour") + [2]
    assert ours.encode("</s>", special=False) == reference.encode("</s>")


def _mutated(**changes):
    metadata = dict(mistral_v1_gguf_metadata())
    metadata.update(changes)
    return {key: value for key, value in metadata.items() if value is not None}


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"tokenizer.ggml.scores": None}, "needs tokenizer.ggml.scores"),
        ({"tokenizer.ggml.token_type": [1] * 31999}, "32000 tokens, 32000 scores and 31999 token types"),
        ({"tokenizer.ggml.token_type": [9] + [1] * 31999}, "token 0 has unknown token type 9"),
        ({"tokenizer.ggml.token_type": [1] * 32000}, "exactly one UNKNOWN token"),
        ({"tokenizer.ggml.tokens": []}, "tokenizer.ggml.tokens is missing or empty"),
        ({"tokenizer.ggml.tokens": ["<unk>"] * 32000}, "not a valid SentencePiece model"),
    ],
)
def test_bad_llama_vocabularies(changes, message):
    with pytest.raises(ModelFileError, match=message) as caught:
        tokenizer_from_gguf(_mutated(**changes), "broken.gguf")
    assert caught.value.path == "broken.gguf"


@pytest.mark.parametrize("length", [118, 119, 300])
def test_pieces_of_any_length_are_written_whole(length):
    """A piece's length and its entry's are one byte up to 118 bytes of text (written at once) and two bytes past
    it (written one by one): either way sentencepiece reads the piece back and the tokenizer spells it."""
    tokens = list(mistral_v1_gguf_metadata()["tokenizer.ggml.tokens"])
    long_piece = "\u2581" + "é" * ((length - 3) // 2) + "a" * ((length - 3) % 2)  # "▁" is 3 bytes in UTF-8
    assert len(long_piece.encode()) == length
    tokens[1000] = long_piece
    ours = tokenizer_from_gguf(_mutated(**{"tokenizer.ggml.tokens": tokens}), "long.gguf")
    assert ours.backend.processor.id_to_piece(1000) == long_piece
    assert ours.backend.processor.id_to_piece(1001) == mistral_v1_gguf_metadata()["tokenizer.ggml.tokens"][1001]
    assert ours.token_bytes(1000) == long_piece.replace("\u2581", " ").encode()


def test_corrupt_tokenizer_model(tmp_path):
    (tmp_path / "tokenizer.model").write_bytes(b"\x00not a model")
    with pytest.raises(ModelFileError, match="is not a SentencePiece model") as caught:
        tokenizer_from_folder(tmp_path)
    assert caught.value.path.endswith("tokenizer.model")


def test_through_a_real_gguf_file(tmp_path, reference):
    """Written with gguf's GGUFWriter (scores as float32, types as int32) and read back with GGUFReader."""
    import gguf

    from tests.runtime.test_tokenizer_support import MIXTRAL_TEMPLATE, gguf_metadata

    metadata = mistral_v1_gguf_metadata()
    path = tmp_path / "vocab-only.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_tokenizer_model("llama")
    writer.add_token_list(metadata["tokenizer.ggml.tokens"])
    writer.add_token_scores(metadata["tokenizer.ggml.scores"])
    writer.add_token_types(metadata["tokenizer.ggml.token_type"])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_space_prefix(True)
    writer.add_chat_template(MIXTRAL_TEMPLATE)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    ours = tokenizer_from_gguf(gguf_metadata(path), path)
    for text in SAMPLES + EXTRA:
        assert ours.encode(text, special=False) == reference.encode(text)
