"""Byte-level BPE (GPT-2 style) through the `tokenizers` library: from a GGUF's gpt2 vocab + merges, or
from a Hugging Face `tokenizer.json`. `BytePairBackend.encode` returns ids; `piece_bytes` holds each
token's raw bytes (b"" for control tokens), which `text.tokenizer` joins into text.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from tokenizers import AddedToken, Regex, decoders, models, pre_tokenizers
from tokenizers import Tokenizer as HFTokenizer

from ..errors import ModelFileError, UnsupportedModelError

TOKEN_NORMAL, TOKEN_UNKNOWN, TOKEN_CONTROL, TOKEN_USER_DEFINED, TOKEN_UNUSED, TOKEN_BYTE = 1, 2, 3, 4, 5, 6

# Llama 3's split pattern (llama.cpp "llama-bpe"; Llama 3's tokenizer.json has the same Split regex).
LLAMA3_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def gpt2_pre_tokenizer():
    return pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)


def smollm_pre_tokenizer():
    """SmolLM's tokenizer.json (and llama.cpp's "smollm"): every digit alone, then GPT-2's split."""
    return pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]
    )


def llama3_pre_tokenizer():
    return pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )


# `tokenizer.ggml.pre` values we reproduce exactly; anything else is refused rather than mis-split.
PRE_TOKENIZERS = {
    "default": gpt2_pre_tokenizer,
    "gpt2": gpt2_pre_tokenizer,
    "smollm": smollm_pre_tokenizer,
    "llama-bpe": llama3_pre_tokenizer,
    "llama3": llama3_pre_tokenizer,
}


@lru_cache(maxsize=1)
def byte_alphabet() -> dict[str, int]:
    """GPT-2's printable stand-in character for each byte, inverted: character -> byte."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            chars[chr(byte)] = byte
        else:
            chars[chr(256 + extra)] = byte
            extra += 1
    return chars


@lru_cache(maxsize=1)
def _spelling() -> dict[int, str]:
    """A str.translate table to latin-1 characters standing for bytes: each alphabet character -> its byte,
    every other character below 256 -> its UTF-8 bytes."""
    table = {ord(c): chr(byte) for c, byte in byte_alphabet().items()}
    for code in range(256):
        table.setdefault(code, chr(code).encode("utf-8").decode("latin-1"))
    return table


def spelled_bytes(token: str) -> bytes:
    """The bytes a byte-level token stands for (characters outside the alphabet count as their UTF-8). One
    translate per token: a generator over its characters took 0.2 s of the starter's 49K tokens at load."""
    try:
        return token.translate(_spelling()).encode("latin-1")
    except UnicodeEncodeError:  # a character beyond latin-1 outside the alphabet (an added token's)
        alphabet = byte_alphabet()
        return b"".join(bytes([alphabet[c]]) if c in alphabet else c.encode("utf-8") for c in token)


class BytePairBackend:
    """A `tokenizers.Tokenizer` plus each id's bytes; special tokens in text are matched as single ids."""

    kind = "bpe"
    utf8_errors = "replace"  # what the ByteLevel decoder (Rust's from_utf8_lossy) does
    control_ends_bytes = False  # special tokens are skipped before the ByteLevel decoder joins the bytes
    strip_first_space = False

    def __init__(self, hf: HFTokenizer, piece_bytes, special_ids: dict[str, int]):
        self.hf = hf
        self.piece_bytes = piece_bytes
        self.special_ids = special_ids
        self._plain: HFTokenizer | None = None

    def encode(self, text: str, *, special: bool = True) -> list[int]:
        if special:
            return self.hf.encode(text, add_special_tokens=False).ids
        if self._plain is None:
            self._plain = HFTokenizer.from_str(self.hf.to_str())
            self._plain.encode_special_tokens = True
        return self._plain.encode(text, add_special_tokens=False).ids


NO_SPACE = re.compile("\0[^ \0]*\0")  # a merge without a space, between two NULs


def merge_pairs(merges: list[str]) -> list[tuple[str, str]] | None:
    """Each merge "a b" as (a, b); None where one is not two parts around a single space. Where no merge holds a
    NUL, all are cut in one go, joined by NULs: as many spaces as merges, none without one (a regex), then one
    split (7 of the starter's 20 ms of partitions and counts per merge)."""
    joined = "\0".join(merges)
    if joined.count("\0") != len(merges) - 1:  # a NUL inside a merge: one by one
        pairs = [merge.partition(" ") for merge in merges]
        single_space = all(space and " " not in second for _, space, second in pairs)
        return [(first, second) for first, _, second in pairs] if single_space else None
    if joined.count(" ") != len(merges) or NO_SPACE.search(f"\0{joined}\0"):
        return None
    halves = iter(joined.replace(" ", "\0").split("\0"))
    return list(zip(halves, halves))


def bpe_model(vocab: dict[str, int], merges: list[str], path, *, longest_token_bytes: int | None = None) -> models.BPE:
    """tokenizers' BPE over the vocabulary and the merges ("a b": two tokens whose join is one too).
    tokenizers checks each merge's tokens itself (an error, whose merge is then named here), except that a
    join longer than the vocabulary's longest token makes it panic (a PanicException, huggingface/tokenizers
    #2198): the lengths are compared first, in bytes as tokenizers counts them (`longest_token_bytes`, and the
    merges' `longest_bytes` where a GGUF header gave them: gguf_check.Strings). (Checking every token here, as
    sets, took 50 ms of the starter's 0.25 s load.)"""
    pairs = merge_pairs(merges)
    if longest_token_bytes is None:
        longest_token_bytes = max(map(len, map(str.encode, vocab)), default=0)
    longest_merge_bytes = getattr(merges, "longest_bytes", None)
    if longest_merge_bytes is None:
        longest_merge_bytes = max(map(len, map(str.encode, merges)), default=1)
    if pairs is not None and longest_merge_bytes - 1 <= longest_token_bytes:
        try:
            return models.BPE(vocab=vocab, merges=pairs, ignore_merges=False)
        except Exception as error:  # tokenizers' own refusal: named below, or passed on
            refusal = str(error)
    else:
        refusal = "a merge longer than any token"
    for number, merge in enumerate(merges):
        parts = merge.split(" ")
        if len(parts) != 2:
            raise ModelFileError(path, f"tokenizer merge #{number} {merge!r} is not two tokens separated by a space")
        for part in (*parts, "".join(parts)):
            if part not in vocab:
                raise ModelFileError(path, f"tokenizer merge #{number} {merge!r} uses {part!r}, which is not in the vocabulary")
    raise ModelFileError(path, f"its tokenizer merges are refused by tokenizers ({refusal})")


def byte_pair_from_gguf(metadata: dict, path) -> BytePairBackend:
    """Build from `tokenizer.ggml.tokens/merges/token_type/pre` (llama.cpp's gpt2 vocab)."""
    tokens = metadata["tokenizer.ggml.tokens"]
    pre = metadata.get("tokenizer.ggml.pre", "default")
    if pre not in PRE_TOKENIZERS:
        raise UnsupportedModelError(
            path, f"byte-level BPE pre-tokenizer {pre!r} is not supported (supported: {', '.join(sorted(PRE_TOKENIZERS))})"
        )
    if "tokenizer.ggml.merges" not in metadata:
        raise ModelFileError(path, "gpt2 tokenizer has no tokenizer.ggml.merges")
    types = metadata.get("tokenizer.ggml.token_type") or [TOKEN_NORMAL] * len(tokens)
    if len(types) != len(tokens):
        raise ModelFileError(path, f"{len(tokens)} tokens but {len(types)} token types")
    vocab = dict(zip(tokens, range(len(tokens))))
    hf = HFTokenizer(bpe_model(vocab, metadata["tokenizer.ggml.merges"], path,
                               longest_token_bytes=getattr(tokens, "longest_bytes", None)))
    hf.pre_tokenizer = PRE_TOKENIZERS[pre]()
    hf.decoder = decoders.ByteLevel()
    control = [token for token, kind in zip(tokens, types) if kind == TOKEN_CONTROL]
    user_defined = [token for token, kind in zip(tokens, types) if kind == TOKEN_USER_DEFINED]
    hf.add_special_tokens([AddedToken(token, special=True, normalized=False) for token in control])
    hf.add_tokens([AddedToken(token, special=False, normalized=False) for token in user_defined])
    special_ids = {token: vocab[token] for token in control + user_defined}
    return BytePairBackend(hf, SpelledPieces(hf, tokens, types, vocab), special_ids)


class SpelledPieces:
    """Each id's bytes (BytePairBackend.piece_bytes) from a GGUF vocabulary, spelled when first asked for: a reply
    reads a few hundred of a vocabulary's ~50K, and spelling them all took 20 ms of the starter's 0.2 s load. The
    pieces' text is asked of the tokenizer, which holds the vocabulary already (a list of its 49K strings kept
    here was 4 MB of the starter's memory), except for an id whose text a later id repeats (the vocabulary
    then maps that text to the later id): those few are kept."""

    def __init__(self, hf: HFTokenizer, tokens: list[str], types: list[int], vocab: dict[str, int]):
        self._hf, self._types = hf, types
        self._repeated = {} if len(vocab) == len(tokens) else {
            index: token for index, token in enumerate(tokens) if vocab[token] != index}
        self._spelled: list[bytes | None] = [None] * len(tokens)

    def __len__(self) -> int:
        return len(self._spelled)

    def __getitem__(self, index: int) -> bytes:
        spelled = self._spelled[index]
        if spelled is None:
            token = self._repeated[index] if index in self._repeated else self._hf.id_to_token(index)
            kind = self._types[index]
            plain = token.encode() if kind == TOKEN_USER_DEFINED else spelled_bytes(token)
            spelled = self._spelled[index] = b"" if kind == TOKEN_CONTROL else plain
        return spelled


def byte_pair_from_json(file: Path) -> BytePairBackend:
    """Build from a Hugging Face tokenizer.json whose decoder is ByteLevel."""
    try:
        hf = HFTokenizer.from_file(str(file))
        spec = json.loads(file.read_text(encoding="utf-8"))
    except Exception as error:  # the library raises plain Exceptions for malformed files
        raise ModelFileError(file, f"cannot read the tokenizer: {error}") from None
    if "ByteLevel" not in json.dumps(spec.get("decoder")):
        raise UnsupportedModelError(file, "only byte-level BPE tokenizer.json files are supported; add tokenizer.model")
    added = {item["id"]: item for item in spec.get("added_tokens", [])}
    piece_bytes = []
    for index in range(hf.get_vocab_size(with_added_tokens=True)):
        token = hf.id_to_token(index) or ""
        item = added.get(index)
        piece_bytes.append(spelled_bytes(token) if item is None else b"" if item["special"] else token.encode())
    special_ids = {item["content"]: index for index, item in added.items()}
    return BytePairBackend(hf, piece_bytes, special_ids)
