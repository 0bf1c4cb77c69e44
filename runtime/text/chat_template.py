"""A conversation (list of {"role", "content"}) -> prompt token ids. `chat_encoder_for` picks the
model's own jinja template, rendered in jinja2's immutable sandbox exactly as transformers renders it,
or, for Mistral-family instruct models, a built-in encoder token-equal to mistral-common v1. A file
without a template gets the Mistral encoder (Mistral-family vocabulary) or a plain ChatML template,
and says so in `note`. Rendering has a budget (time, output size, repetition): a hostile template
gets a one-line ChatTemplateError, never a spinning worker or a traceback.
"""
from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import ModelFileError, UnsupportedModelError
from .tokenizer import Tokenizer

ROLES = ("system", "user", "assistant")
RENDER_SECONDS = 2.0  # a real template renders a long conversation in milliseconds
OUTPUT_FACTOR, OUTPUT_SLACK = 8, 1 << 20  # output budget: 8× the conversation's characters + 1 MiB
TEMPLATE_FILE = "<template>"  # the file name jinja2 compiles templates under
DEFAULT_TEMPLATE = (  # ChatML, as llama.cpp falls back to for files without a template
    "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
NOTE_OWN = "the model's own"
NOTE_MISTRAL = "none in the file; Octet uses Mistral's [INST] format"
NOTE_DEFAULT = "none in the file; Octet uses a plain ChatML format"


class ChatTemplateError(ModelFileError):
    """The model's chat template failed, refused the conversation, or tried to escape the sandbox."""


class _OverBudget(Exception):
    """A render went past its budget; the message says how ("ran for more than 2 s")."""


class _Namespace(jinja2.utils.Namespace):
    """jinja's namespace(), refusing underscore names (as transformers does) so it cannot hide internals."""

    def __init__(*args, **kwargs):
        self, args = args[0], args[1:]
        attrs = dict(*args, **kwargs)
        for name in attrs:
            _Namespace._check(name)
        jinja2.utils.Namespace.__init__(self, attrs)

    def __setitem__(self, name, value):
        _Namespace._check(name)
        jinja2.utils.Namespace.__setitem__(self, name, value)

    @staticmethod
    def _check(name):
        if isinstance(name, str) and name.startswith("_"):
            raise jinja2.exceptions.SecurityError(f"namespace attribute {name!r} starts with an underscore")


def _raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def _tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def _strftime_now(format):
    return datetime.now().strftime(format)


class _BudgetedSandbox(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox, with `*` and `**` bounded (`'x' * 10**9` would take a gigabyte)."""
    intercepted_binops = frozenset({"*", "**"})
    max_repeat = OUTPUT_SLACK

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise _OverBudget(f"asked for a power of {right}")
        if operator == "*":
            sequence, count = (left, right) if isinstance(right, int) else (right, left)
            if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) and len(sequence) * count > self.max_repeat:
                raise _OverBudget(f"asked to repeat {len(sequence)} items {count:,} times")
        return super().call_binop(context, operator, left, right)


def sandboxed_environment() -> ImmutableSandboxedEnvironment:
    """The environment transformers' apply_chat_template uses: same whitespace control and helpers."""
    env = _BudgetedSandbox(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise_exception
    env.globals["strftime_now"] = _strftime_now
    env.globals["namespace"] = _Namespace
    return env


def _plain_messages(messages) -> list[dict]:
    """Fresh copies of the messages (the template cannot touch the caller's), roles checked."""
    plain = []
    for message in messages:
        if message.get("role") not in ROLES or not isinstance(message.get("content"), str):
            raise ValueError(f"a message needs a role in {ROLES} and string content, got {message!r}")
        plain.append({"role": message["role"], "content": message["content"]})
    return plain


class JinjaChatEncoder:
    """The model's own jinja chat template; its text is encoded with special tokens recognised."""

    def __init__(self, tokenizer: Tokenizer, source: str, *, path=None, note: str = NOTE_OWN):
        self.tokenizer = tokenizer
        self.note = note
        self.path = path if path is not None else tokenizer.source
        try:
            self.template = sandboxed_environment().from_string(source)
        except jinja2.exceptions.TemplateSyntaxError as error:
            raise ChatTemplateError(self.path, f"chat template has a syntax error on line {error.lineno}: {error}") from None

    def render(self, messages, *, add_generation_prompt: bool = True) -> str:
        plain = _plain_messages(messages)
        budget = OUTPUT_FACTOR * sum(len(m["content"]) for m in plain) + OUTPUT_SLACK
        parts, size = [], 0
        try:
            with _time_limit(RENDER_SECONDS):
                for part in self.template.generate(messages=plain, add_generation_prompt=add_generation_prompt,
                                                   bos_token=self.tokenizer.bos_token or "",
                                                   eos_token=self.tokenizer.eos_token or ""):
                    size += len(part)
                    if size > budget:
                        raise _OverBudget(f"wrote more than {budget:,} characters for this conversation")
                    parts.append(part)
        except _OverBudget as error:
            raise ChatTemplateError(self.path, f"chat template {error} and was stopped; do not use this file") from None
        except (RecursionError, OverflowError, MemoryError) as error:
            raise ChatTemplateError(self.path, f"chat template could not be rendered ({type(error).__name__}: "
                                               f"{error}); do not use this file") from None
        except jinja2.exceptions.SecurityError as error:
            raise ChatTemplateError(
                self.path, f"chat template tried to reach Python internals and was stopped ({error}); do not use this file"
            ) from None
        except jinja2.exceptions.TemplateError as error:
            raise ChatTemplateError(self.path, f"chat template refused the conversation: {error}") from None
        return "".join(parts)

    def encode_chat(self, messages, *, add_generation_prompt: bool = True) -> list[int]:
        return self.tokenizer.encode(self.render(messages, add_generation_prompt=add_generation_prompt))


@contextmanager
def _time_limit(seconds: float):
    """Stop the template's own code (the frames jinja2 compiled) once `seconds` have passed: a line
    tracer on those frames only, restored afterwards (a loop with an empty body writes nothing)."""
    deadline = time.monotonic() + seconds

    def on_line(frame, event, arg):
        if time.monotonic() > deadline:
            raise _OverBudget(f"ran for more than {seconds:g} s")
        return on_line

    def on_call(frame, event, arg):
        return on_line if frame.f_code.co_filename == TEMPLATE_FILE else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        yield
    finally:
        sys.settrace(previous)


class MistralV1ChatEncoder:
    """Mistral instruct v1 (Mistral 7B Instruct, Mixtral 8x7B Instruct), as mistral-common encodes it:
    BOS, then each user turn as one SentencePiece encoding of "[INST] {text} [/INST]" and each assistant
    turn as its text followed by EOS. System messages are joined with blank lines and put in front of
    the first user message; consecutive messages of one role are merged with a blank line; a
    conversation that does not start with a user turn gets an empty one first.
    Special-token text inside messages stays plain text (a user cannot inject `</s>`).
    """

    def __init__(self, tokenizer: Tokenizer, *, note: str = NOTE_OWN):
        self.tokenizer = tokenizer
        self.note = note

    def encode_chat(self, messages, *, add_generation_prompt: bool = True) -> list[int]:
        messages = _plain_messages(messages)
        system_parts = [m["content"] for m in messages if m["role"] == "system" and m["content"]]
        system_prompt = "\n\n".join(system_parts)
        turns = _merge_same_role([m for m in messages if m["role"] != "system"])
        if not turns or turns[0]["role"] != "user":
            turns.insert(0, {"role": "user", "content": ""})
        ids = [self.tokenizer.bos_id]
        first_user = True
        for turn in turns:
            if turn["role"] == "user":
                content = f"{system_prompt}\n\n{turn['content']}" if first_user and system_prompt else turn["content"]
                ids += self.tokenizer.encode(f"[INST] {content} [/INST]", special=False)
                first_user = False
            else:
                ids += self.tokenizer.encode(turn["content"], special=False) + [self.tokenizer.eos_id]
        return ids


def _merge_same_role(turns: list[dict]) -> list[dict]:
    merged: list[dict] = []
    for turn in turns:
        if merged and merged[-1]["role"] == turn["role"]:
            merged[-1] = {"role": turn["role"], "content": merged[-1]["content"] + "\n\n" + turn["content"]}
        else:
            merged.append(dict(turn))
    return merged


def is_mistral_v1(tokenizer: Tokenizer, template_source: str | None) -> bool:
    """Mistral instruct v1: a SentencePiece vocabulary with <s>/</s> where `[INST]` is plain text (no
    control token for it), and a chat template written around `[INST]` ... `[/INST]`."""
    return (
        tokenizer.kind == "sentencepiece"
        and template_source is not None
        and "[INST]" in template_source
        and "[/INST]" in template_source
        and "[INST]" not in tokenizer.special_ids
        and tokenizer.bos_id is not None
        and tokenizer.eos_id is not None
    )


def is_mistral_vocabulary(tokenizer: Tokenizer) -> bool:
    """A Mistral v1 / Mixtral vocabulary: SentencePiece, 32,000 pieces, <s> and </s>, `[INST]` as text."""
    return (tokenizer.kind == "sentencepiece" and tokenizer.vocab_size == 32000 and tokenizer.bos_id is not None
            and tokenizer.eos_id is not None and "[INST]" not in tokenizer.special_ids)


def chat_encoder_for(tokenizer: Tokenizer, template_source: str | None = None, *, mistral: bool | None = None, path=None):
    """The chat encoder for a model. template_source defaults to the tokenizer's own template;
    mistral=True forces the built-in Mistral v1 encoder, mistral=False forces the jinja template;
    None decides with `is_mistral_v1`. Without a template: Mistral's encoder for a Mistral-family
    vocabulary, else plain ChatML; `note` says which."""
    source = template_source if template_source is not None else tokenizer.chat_template
    if not source and mistral is not False:
        if mistral or is_mistral_vocabulary(tokenizer):
            return MistralV1ChatEncoder(tokenizer, note=NOTE_MISTRAL)
        return JinjaChatEncoder(tokenizer, DEFAULT_TEMPLATE, path=path, note=NOTE_DEFAULT)
    if mistral is None:
        mistral = is_mistral_v1(tokenizer, source)
    if mistral:
        return MistralV1ChatEncoder(tokenizer)
    if not source:
        raise UnsupportedModelError(path or tokenizer.source, "has no chat template, so Octet cannot build a chat prompt")
    return JinjaChatEncoder(tokenizer, source, path=path)
