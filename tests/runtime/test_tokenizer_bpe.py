"""Byte-level BPE from the starter GGUF: ids and decoded text equal transformers' conversion of the
same file; bad vocabularies are refused with an error naming the file.

transformers 5.x converts a "smollm" GGUF with plain GPT-2 splitting, while llama.cpp's "smollm" (and
SmolLM2's own tokenizer.json) first isolates every digit: they differ on e.g. "\n\n0". We follow
llama.cpp, so the reference here is transformers' conversion with that one pre-tokenizer swapped in;
on digit-free text the unmodified conversion must agree too.
"""
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.errors import ModelFileError, UnsupportedModelError
from runtime.text.bpe import merge_pairs
from runtime.text.tokenizer import tokenizer_from_folder, tokenizer_from_gguf
from tests.runtime.test_tokenizer_support import SAMPLES, gguf_metadata, hf_from_gguf, starter_tokenizer

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60) | st.text("aé 1\n€😀👍🏽🇫🇷中'sçß\t", max_size=40)


@pytest.fixture(scope="module")
def ours(starter_path):
    return starter_tokenizer(starter_path)


@pytest.fixture(scope="module")
def reference(starter_path):
    import copy

    from tokenizers import pre_tokenizers

    patched = copy.deepcopy(hf_from_gguf(starter_path))
    patched.backend_tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    return patched


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(st.characters(exclude_categories=("Cs", "Nd", "Nl", "No")), max_size=60))
def test_digit_free_ids_equal_unmodified_transformers(ours, starter_path, text):
    assert ours.encode(text) == hf_from_gguf(starter_path).encode(text, add_special_tokens=False)


def test_digits_are_split_as_llama_cpp_does(ours):
    assert ours.encode("\n\n0") == [ours.encode("\n\n")[0], ours.encode("0")[0]]


def test_vocabulary_and_turn_ends(ours):
    assert ours.vocab_size == 49152
    assert ours.kind == "bpe"
    assert ours.bos_id == 1 and ours.bos_token == "<|im_start|>"
    assert ours.eos_token == "<|im_end|>"
    assert ours.eos_ids == {0, 2}  # <|endoftext|> and <|im_end|>
    assert ours.add_bos is False


@pytest.mark.parametrize("text", SAMPLES)
def test_ids_equal_transformers(ours, reference, text):
    assert ours.encode(text) == reference.encode(text, add_special_tokens=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_ids_equal_transformers_on_random_text(ours, reference, text):
    assert ours.encode(text) == reference.encode(text, add_special_tokens=False)


def test_special_tokens_in_text_are_single_ids(ours):
    assert ours.encode("<|im_start|>user") == [1, 4093]
    assert ours.encode("<|im_start|>user", special=False)[0] != 1
    assert ours.encode("hi", add_bos=True)[0] == 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.integers(0, 49151), max_size=30))
def test_decode_equals_transformers(ours, reference, ids):
    assert ours.decode(ids) == reference.decode(ids, skip_special_tokens=True)


@pytest.mark.parametrize("text", SAMPLES)
def test_round_trip(ours, text):
    assert ours.decode(ours.encode(text, special=False)) == text


def _mutated(starter_path, **changes):
    metadata = dict(gguf_metadata(starter_path))
    metadata.update(changes)
    return {key: value for key, value in metadata.items() if value is not None}


def test_unknown_pre_tokenizer_is_refused(starter_path):
    with pytest.raises(UnsupportedModelError, match="pre-tokenizer 'qwen9'") as caught:
        tokenizer_from_gguf(_mutated(starter_path, **{"tokenizer.ggml.pre": "qwen9"}), starter_path)
    assert str(starter_path) in str(caught.value)


def test_unknown_tokenizer_model_is_refused(starter_path):
    with pytest.raises(UnsupportedModelError, match="tokenizer type 'rwkv'"):
        tokenizer_from_gguf(_mutated(starter_path, **{"tokenizer.ggml.model": "rwkv"}), starter_path)


@pytest.mark.parametrize("key", ["tokenizer.ggml.tokens", "tokenizer.ggml.model", "tokenizer.ggml.merges"])
def test_missing_vocabulary_parts(starter_path, key):
    with pytest.raises(ModelFileError, match=key.split(".")[-1]) as caught:
        tokenizer_from_gguf(_mutated(starter_path, **{key: None}), starter_path)
    assert caught.value.path == str(starter_path)


def _longest(tokens):
    return max(tokens, key=lambda token: len(token.encode()))


@pytest.mark.parametrize("merge_of, named_of", [
    (lambda tokens: "Ġ zzzz-not-a-token", lambda tokens: "uses 'zzzz-not-a-token'"),
    (lambda tokens: "q x", lambda tokens: "uses 'qx'"),  # both tokens known, their join not
    # both known, their join longer than every token: tokenizers would panic (PanicException) on it
    (lambda tokens: f"{_longest(tokens)} e", lambda tokens: f"uses {re.escape(repr(_longest(tokens) + 'e'))}"),
    (lambda tokens: "Ġe", lambda tokens: "not two tokens"),
    (lambda tokens: "Ġ e t", lambda tokens: "not two tokens"),
    (lambda tokens: "Ġ\0 e", lambda tokens: "uses 'Ġ\\\\x00'"),  # a NUL inside: cut one by one
    (lambda tokens: "Ġe\0", lambda tokens: "not two tokens"),
], ids=["unknown token", "unknown join", "join longer than any token", "one token", "three tokens", "NUL in a token",
        "NUL in one token"])
def test_a_bad_merge_is_named(starter_path, merge_of, named_of):
    metadata = gguf_metadata(starter_path)
    tokens = metadata["tokenizer.ggml.tokens"]
    merges = list(metadata["tokenizer.ggml.merges"])
    merges[5] = merge_of(tokens)
    with pytest.raises(ModelFileError, match=f"merge #5 .*{named_of(tokens)}"):
        tokenizer_from_gguf(_mutated(starter_path, **{"tokenizer.ggml.merges": merges}), starter_path)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab \0", max_size=5), max_size=6))
def test_merges_are_cut_as_one_partition_each(merges):
    """The merges joined and cut in one go give each merge's two halves around its single space, as a partition
    of each would; None where one has no space or two."""
    pairs = [merge.partition(" ") for merge in merges]
    single_space = all(space and " " not in b for _, space, b in pairs)
    assert merge_pairs(merges) == ([(a, b) for a, _, b in pairs] if single_space else None)


def test_eos_outside_vocabulary(starter_path):
    with pytest.raises(ModelFileError, match="eos_token_id = 99999"):
        tokenizer_from_gguf(_mutated(starter_path, **{"tokenizer.ggml.eos_token_id": 99999}), starter_path)


def test_folder_without_tokenizer_files(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelFileError, match="no tokenizer.model or tokenizer.json") as caught:
        tokenizer_from_folder(tmp_path)
    assert caught.value.path == str(tmp_path)


def test_folder_with_tokenizer_json_equals_gguf(tmp_path, ours, reference):
    reference.save_pretrained(tmp_path)
    folder = tokenizer_from_folder(tmp_path)
    assert folder.eos_token == "<|im_end|>" and folder.eos_ids == ours.eos_ids
    assert folder.chat_template == ours.chat_template
    for text in SAMPLES:
        assert folder.encode(text) == ours.encode(text)
        assert folder.decode(ours.encode(text)) == ours.decode(ours.encode(text))
    # every id's bytes: the GGUF's, spelled when first asked for, against tokenizer.json's, spelled at once
    assert [ours.token_bytes(i) for i in range(ours.vocab_size)] == \
        [folder.token_bytes(i) for i in range(folder.vocab_size)]


@pytest.fixture(scope="module")
def llama_bpe_pair(starter_path):
    """The starter vocabulary marked "llama-bpe": ours against transformers' GGUF conversion of it."""
    from transformers.integrations.gguf.gguf_tokenizer_mapping import convert_gguf_tokenizer

    metadata = _mutated(starter_path, **{"tokenizer.ggml.pre": "llama-bpe"})
    reference, _ = convert_gguf_tokenizer("llama", {
        "tokenizer_type": "gpt2", "pre_tokenizer_type": "llama-bpe", "tokens": metadata["tokenizer.ggml.tokens"],
        "merges": metadata["tokenizer.ggml.merges"], "token_type": metadata["tokenizer.ggml.token_type"],
    })
    return tokenizer_from_gguf(metadata, starter_path), reference


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT | st.sampled_from(SAMPLES))
def test_llama_bpe_split_equals_transformers(llama_bpe_pair, text):
    ours, reference = llama_bpe_pair
    assert ours.encode(text) == reference.encode(text, add_special_tokens=False).ids


def test_a_repeated_token_keeps_its_own_spelling(starter_path):
    """Two ids with the same text (the vocabulary maps it to the later one): the earlier id still spells its
    own text, which the tokenizer no longer holds under that id. (The starter's digits are in no merge.)"""
    metadata = gguf_metadata(starter_path)
    tokens = list(metadata["tokenizer.ggml.tokens"])
    assert tokens[32:34] == ["0", "1"]
    tokens[32] = "1"
    ours = tokenizer_from_gguf(_mutated(starter_path, **{"tokenizer.ggml.tokens": tokens}), starter_path)
    assert ours.token_bytes(32) == ours.token_bytes(33) == b"1"
    assert ours.token_bytes(34) == b"2"
    assert ours.encode("1") == [33]
