"""Text <-> token ids for a model: `Tokenizer` (encode, decode, per-token bytes, BOS / end-of-turn ids)
built from GGUF metadata or a Hugging Face folder, and `StreamDecoder`, which turns ids into text
one token at a time and never emits half a UTF-8 character. Control tokens decode to no text.
"""
from __future__ import annotations

import codecs
import json
from pathlib import Path

from ..errors import ModelFileError, UnsupportedModelError
from .bpe import byte_pair_from_gguf, byte_pair_from_json
from .spm import sentencepiece_from_file, sentencepiece_from_gguf

# Control tokens that end an assistant turn, by their text (the list llama.cpp uses for "end of generation").
END_OF_TURN_TOKENS = frozenset(
    {"<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>"}
)


def _replace_each_byte(error: UnicodeDecodeError):
    """SentencePiece's policy: one U+FFFD per undecodable byte (Python's "replace" gives one per run)."""
    return "\ufffd" * (error.end - error.start), error.end


codecs.register_error("octet-replace-each-byte", _replace_each_byte)


class Tokenizer:
    """Encode text (special tokens written in it become their ids) and decode ids to text.

    `eos_ids` holds every id that ends a turn: the vocabulary's EOS plus any control token listed in
    END_OF_TURN_TOKENS (e.g. `<|im_end|>` for ChatML templates). The backend is a BytePairBackend
    (text.bpe) or a SentencePieceBackend (text.spm).
    """

    def __init__(self, backend, *, bos_id: int | None, eos_id: int | None, add_bos: bool = False,
                 chat_template: str | None = None, source=None):
        self.backend = backend
        self.kind: str = backend.kind  # "bpe" or "sentencepiece"
        self.vocab_size = len(backend.piece_bytes)
        self.bos_id = bos_id
        self.eos_id = eos_id
        self.add_bos = add_bos  # what the model's own config asks for plain text
        self.chat_template = chat_template
        self.source = source  # the file or folder it came from, for error messages
        self.special_ids: dict[str, int] = dict(backend.special_ids)
        end_of_turn = {index for text, index in self.special_ids.items() if text in END_OF_TURN_TOKENS}
        self.eos_ids = frozenset(end_of_turn | ({eos_id} if eos_id is not None else set()))

    @property
    def bos_token(self) -> str | None:
        return self.token_text(self.bos_id)

    @property
    def eos_token(self) -> str | None:
        return self.token_text(self.eos_id)

    def token_text(self, token_id: int | None) -> str | None:
        if token_id is None:
            return None
        return next((text for text, index in self.special_ids.items() if index == token_id), None)

    def encode(self, text: str, *, add_bos: bool = False, special: bool = True) -> list[int]:
        """Token ids of text; special=False encodes `<s>`, `<|im_start|>` ... as plain characters."""
        ids = self.backend.encode(text, special=special)
        if add_bos and self.bos_id is not None:
            ids = [self.bos_id, *ids]
        return ids

    def token_bytes(self, token_id: int) -> bytes:
        """The raw bytes a token stands for (b"" for control tokens); may be part of a character."""
        if not 0 <= token_id < self.vocab_size:
            raise ValueError(f"token id {token_id} is outside the vocabulary (size {self.vocab_size})")
        return self.backend.piece_bytes[token_id]

    def decode(self, ids) -> str:
        stream = StreamDecoder(self)
        return "".join(stream.push(token_id) for token_id in ids) + stream.flush()


class StreamDecoder:
    """Feed ids one at a time; `push` returns only whole characters, `flush` the rest (U+FFFD for junk).

    The concatenation of everything returned equals `Tokenizer.decode` of all ids pushed.
    """

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors=tokenizer.backend.utf8_errors)
        self._at_start = True

    def push(self, token_id: int) -> str:
        data = self.tokenizer.token_bytes(token_id)
        if not data:  # a control token: where the backend says so, the bytes before it end there (junk if unfinished)
            return self._utf8.decode(b"", final=True) if self.tokenizer.backend.control_ends_bytes else ""
        if self._at_start:
            self._at_start = False
            if self.tokenizer.backend.strip_first_space and self.tokenizer.backend.starts_with_space(token_id):
                data = data[1:]
        return self._utf8.decode(data)

    def flush(self) -> str:
        return self._utf8.decode(b"", final=True)


def tokenizer_from_gguf(metadata: dict, path) -> Tokenizer:
    """The tokenizer a GGUF's `tokenizer.ggml.*` metadata describes (gpt2 BPE or llama SentencePiece)."""
    model = metadata.get("tokenizer.ggml.model")
    tokens = metadata.get("tokenizer.ggml.tokens")
    if model is None:
        raise ModelFileError(path, "has no tokenizer (tokenizer.ggml.model is missing)")
    if not tokens:
        raise ModelFileError(path, "has no tokenizer vocabulary (tokenizer.ggml.tokens is missing or empty)")
    if model == "gpt2":
        backend = byte_pair_from_gguf(metadata, path)
        default_add_bos = False
    elif model == "llama":
        backend = sentencepiece_from_gguf(metadata, path)
        default_add_bos = True  # llama.cpp's default for SentencePiece vocabularies
    else:
        raise UnsupportedModelError(path, f"tokenizer type {model!r} is not supported (supported: gpt2, llama)")
    bos_id, eos_id = (_checked_id(metadata, f"tokenizer.ggml.{name}_token_id", len(tokens), path) for name in ("bos", "eos"))
    return Tokenizer(
        backend,
        bos_id=bos_id,
        eos_id=eos_id,
        add_bos=bool(metadata.get("tokenizer.ggml.add_bos_token", default_add_bos)),
        chat_template=metadata.get("tokenizer.chat_template"),
        source=path,
    )


def _checked_id(metadata: dict, key: str, vocab_size: int, path) -> int | None:
    value = metadata.get(key)
    if value is not None and not 0 <= int(value) < vocab_size:
        raise ModelFileError(path, f"{key} = {value} is outside the vocabulary (size {vocab_size})")
    return None if value is None else int(value)


def tokenizer_from_folder(folder: Path) -> Tokenizer:
    """A Hugging Face folder: tokenizer.model (SentencePiece, preferred) or a byte-level tokenizer.json,
    with bos/eos/add_bos_token/chat_template from tokenizer_config.json (or chat_template.jinja)."""
    folder = Path(folder)
    config = _read_json(folder / "tokenizer_config.json")
    if (folder / "tokenizer.model").is_file():
        backend = sentencepiece_from_file(folder / "tokenizer.model")
    elif (folder / "tokenizer.json").is_file():
        backend = byte_pair_from_json(folder / "tokenizer.json")
    else:
        raise ModelFileError(folder, "has no tokenizer.model or tokenizer.json; copy the model's tokenizer files into it")
    ids = {**backend.special_ids, **getattr(backend, "piece_ids", {})}
    bos_id = ids.get(_token_content(config.get("bos_token")), getattr(backend, "default_bos_id", None))
    eos_id = ids.get(_token_content(config.get("eos_token")), getattr(backend, "default_eos_id", None))
    return Tokenizer(
        backend,
        bos_id=bos_id,
        eos_id=eos_id,
        add_bos=bool(config.get("add_bos_token", backend.kind == "sentencepiece")),
        chat_template=_folder_chat_template(folder, config),
        source=folder,
    )


def _read_json(file: Path) -> dict:
    if not file.is_file():
        return {}
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(file, f"is not valid JSON ({error})") from None


def _token_content(token) -> str | None:
    return token.get("content") if isinstance(token, dict) else token


def _folder_chat_template(folder: Path, config: dict) -> str | None:
    jinja_file = folder / "chat_template.jinja"
    if jinja_file.is_file():
        return jinja_file.read_text(encoding="utf-8")
    template = config.get("chat_template")
    if isinstance(template, list):  # [{"name": "default", "template": ...}, ...]
        named = {item.get("name"): item.get("template") for item in template}
        template = named.get("default")
    return template
