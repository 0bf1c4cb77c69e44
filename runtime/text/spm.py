"""SentencePiece through the `sentencepiece` library: from a `tokenizer.model` file, or from a GGUF's
llama vocab (tokens, scores, types) rebuilt into a SentencePiece model so the library's own algorithm
runs. Control pieces written in text (`<s>`, `</s>`) are matched as single ids; the rest goes to sentencepiece.
"""
from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import sentencepiece

from ..errors import ModelFileError

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6  # same numbers in GGUF and SentencePiece
SPACE = "\u2581"
BYTE_PIECE = re.compile(r"^<0x([0-9A-Fa-f]{2})>$")
UNKNOWN_SURFACE = " \u2047 ".encode()  # what sentencepiece prints for <unk>


class SentencePieceBackend:
    """A SentencePieceProcessor plus each id's bytes (b"" for control pieces)."""

    kind = "sentencepiece"
    utf8_errors = "octet-replace-each-byte"  # sentencepiece writes one U+FFFD per undecodable byte
    control_ends_bytes = True  # sentencepiece decodes the byte pieces before a control piece (<s>) on their own

    def __init__(self, processor: sentencepiece.SentencePieceProcessor, pieces: list[str], types: list[int], *,
                 strip_first_space: bool):
        """`pieces` and `types`: each id's piece and SentencePiece type, as the processor holds them."""
        self.processor = processor
        self.strip_first_space = strip_first_space  # sentencepiece drops the dummy-prefix space when decoding
        self.piece_bytes = [piece.replace(SPACE, " ").encode("utf-8") if kind == NORMAL else _bytes_of(piece, kind)
                            for piece, kind in zip(pieces, types)]
        kinds = np.asarray(types)
        self.special_ids = {pieces[index]: index for index in np.flatnonzero((kinds == CONTROL) | (kinds == UNKNOWN)).tolist()}
        self.default_bos_id = processor.bos_id() if processor.bos_id() >= 0 else None
        self.default_eos_id = processor.eos_id() if processor.eos_id() >= 0 else None
        self._special_split = _alternation(self.special_ids)

    def starts_with_space(self, token_id: int) -> bool:
        processor = self.processor
        normal = not (processor.is_byte(token_id) or processor.is_unknown(token_id) or processor.is_control(token_id))
        return normal and processor.id_to_piece(token_id).startswith(SPACE)

    def encode(self, text: str, *, special: bool = True) -> list[int]:
        if not special or self._special_split is None:
            return self.processor.encode(text)
        ids: list[int] = []
        for part in self._special_split.split(text):
            if part in self.special_ids:
                ids.append(self.special_ids[part])
            elif part:
                ids += self.processor.encode(part)
        return ids


def _bytes_of(piece: str, kind: int) -> bytes:
    if kind == CONTROL:
        return b""
    if kind == UNKNOWN:
        return UNKNOWN_SURFACE
    if kind == BYTE:
        return bytes([int(BYTE_PIECE.match(piece).group(1), 16)])
    return piece.replace(SPACE, " ").encode("utf-8")


def _pieces_of(processor) -> tuple[list[str], list[int]]:
    """Each id's piece and type, asked of a processor loaded from a file."""
    def kind(index: int) -> int:
        return (CONTROL if processor.is_control(index) else UNKNOWN if processor.is_unknown(index)
                else BYTE if processor.is_byte(index) else NORMAL)
    size = processor.get_piece_size()
    return [processor.id_to_piece(index) for index in range(size)], [kind(index) for index in range(size)]


def _alternation(texts) -> re.Pattern | None:
    ordered = sorted(texts, key=len, reverse=True)
    return re.compile("(" + "|".join(map(re.escape, ordered)) + ")") if ordered else None


def sentencepiece_from_file(file: Path) -> SentencePieceBackend:
    processor = sentencepiece.SentencePieceProcessor()
    try:
        processor.load(str(file))
    except (OSError, RuntimeError) as error:
        raise ModelFileError(file, f"is not a SentencePiece model ({error})") from None
    add_dummy_prefix = _reads_add_dummy_prefix(processor)
    return SentencePieceBackend(processor, *_pieces_of(processor), strip_first_space=add_dummy_prefix)


def _reads_add_dummy_prefix(processor) -> bool:
    """Whether encoding adds the dummy prefix space (asked of the library, as it parses the model)."""
    pieces = processor.encode("a", out_type=str)
    return bool(pieces) and pieces[0].startswith(SPACE)


def sentencepiece_from_gguf(metadata: dict, path) -> SentencePieceBackend:
    """Rebuild a SentencePiece BPE model from `tokenizer.ggml.tokens/scores/token_type` and load it."""
    tokens = metadata["tokenizer.ggml.tokens"]
    scores = metadata.get("tokenizer.ggml.scores")
    types = metadata.get("tokenizer.ggml.token_type")
    if scores is None or types is None:
        raise ModelFileError(path, "llama tokenizer needs tokenizer.ggml.scores and tokenizer.ggml.token_type")
    if not len(tokens) == len(scores) == len(types):
        raise ModelFileError(path, f"{len(tokens)} tokens, {len(scores)} scores and {len(types)} token types differ")
    bad = next((i for i, kind in enumerate(types) if kind not in (NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE)), None)
    if bad is not None:
        raise ModelFileError(path, f"token {bad} has unknown token type {types[bad]}")
    if types.count(UNKNOWN) != 1:
        raise ModelFileError(path, f"llama tokenizer needs exactly one UNKNOWN token, found {types.count(UNKNOWN)}")
    add_dummy_prefix = bool(metadata.get("tokenizer.ggml.add_space_prefix", True))
    model = model_proto_bytes(
        tokens, scores, types,
        unk_id=types.index(UNKNOWN),
        bos_id=metadata.get("tokenizer.ggml.bos_token_id", -1),
        eos_id=metadata.get("tokenizer.ggml.eos_token_id", -1),
        add_dummy_prefix=add_dummy_prefix,
        remove_extra_whitespaces=bool(metadata.get("tokenizer.ggml.remove_extra_whitespaces", False)),
        precompiled_charsmap=bytes(metadata.get("tokenizer.ggml.precompiled_charsmap") or b""),
    )
    processor = sentencepiece.SentencePieceProcessor()
    try:
        processor.LoadFromSerializedProto(model)
    except RuntimeError as error:
        raise ModelFileError(path, f"its llama vocabulary is not a valid SentencePiece model ({error})") from None
    return SentencePieceBackend(processor, tokens, types, strip_first_space=add_dummy_prefix)


# --- A SentencePiece ModelProto, written in protobuf's wire format (field numbers from sentencepiece_model.proto).


_ONE_BYTE = [bytes([value]) for value in range(128)]


def _varint(value: int) -> bytes:
    if 0 <= value < 128:
        return _ONE_BYTE[value]
    value &= (1 << 64) - 1  # negative int32 values are written as 64-bit two's complement
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _int_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(int(value))


def _bytes_field(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def _piece_fields(tokens, scores, types) -> bytes:
    """Field 1 of the ModelProto, once per token: a SentencePiece of piece (1), score (2, float) and type (3).
    Pieces under 119 bytes (all of Mistral's and Llama's) take 11 bytes besides their text, every length one
    byte: written at once with numpy (32K pieces: 80 ms one by one, 5 here); longer ones, one by one."""
    texts = [token.encode("utf-8") for token in tokens]
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    kinds = np.asarray(types, np.int64)
    if len(texts) == 0 or lengths.max() >= 119 or not ((kinds >= 0) & (kinds < 128)).all():
        return _piece_fields_one_by_one(texts, scores, types)
    starts = np.cumsum(lengths + 11) - (lengths + 11)  # each entry: 0A, size, 0A, length, text, 15, score, 18, type
    out = np.empty(int(starts[-1] + lengths[-1] + 11), np.uint8)
    out[starts], out[starts + 1], out[starts + 2], out[starts + 3] = 0x0A, lengths + 9, 0x0A, lengths
    text_starts = np.cumsum(lengths) - lengths
    out[np.repeat(starts + 4 - text_starts, lengths) + np.arange(int(lengths.sum()))] = np.frombuffer(b"".join(texts), np.uint8)
    ends = starts + 4 + lengths
    out[ends] = 0x15
    out[ends[:, None] + np.arange(1, 5)] = np.asarray(scores, "<f4").view(np.uint8).reshape(-1, 4)
    out[ends + 5], out[ends + 6] = 0x18, kinds
    return out.tobytes()


def _piece_fields_one_by_one(texts, scores, types) -> bytes:
    scores = struct.pack(f"<{len(scores)}f", *scores)
    parts = []
    for index, (text, kind) in enumerate(zip(texts, types)):
        piece = b"".join((b"\x0a", _varint(len(text)), text, b"\x15", scores[4 * index:4 * index + 4],
                          b"\x18", _varint(kind)))
        parts += (b"\x0a", _varint(len(piece)), piece)
    return b"".join(parts)


def model_proto_bytes(tokens, scores, types, *, unk_id, bos_id, eos_id, add_dummy_prefix, remove_extra_whitespaces,
                      precompiled_charsmap=b"") -> bytes:
    """Serialized ModelProto for a BPE model with byte fallback and identity normalization (Llama, Mistral)."""
    pieces = _piece_fields(tokens, scores, types)
    trainer = b"".join([
        _int_field(3, 2),  # model_type: BPE
        _int_field(4, len(tokens)),  # vocab_size
        _int_field(26, 1),  # allow_whitespace_only_pieces
        _int_field(35, int(BYTE in types)),  # byte_fallback
        _int_field(40, unk_id), _int_field(41, bos_id), _int_field(42, eos_id), _int_field(43, -1),
    ])
    normalizer = b"".join([
        _bytes_field(1, b"identity" if not precompiled_charsmap else b"user_defined"),
        _bytes_field(2, precompiled_charsmap),
        _int_field(3, int(add_dummy_prefix)),
        _int_field(4, int(remove_extra_whitespaces)),
        _int_field(5, 1),  # escape_whitespaces
    ])
    return pieces + _bytes_field(2, trainer) + _bytes_field(3, normalizer)
