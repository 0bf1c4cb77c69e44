"""JSON output by grammar-constrained decoding, through llguidance: `JsonGrammars(tokenizer).processor(fmt)`
gives a logits processor that, before each token, masks every token the JSON (any object, or the given
schema) cannot continue with. Chosen over xgrammar and outlines-core: see docs/server.md (measurements).
"""
import threading

import llguidance
import torch

from .errors import ApiError

JSON_OPTIONS = {"whitespace_flexible": False}  # compact JSON: a small model cannot pad it with endless blanks
BITS = torch.arange(32, dtype=torch.int32)


class GrammarError(RuntimeError):
    """The matcher refused a token or failed: the answer cannot go on under its grammar."""


class _Vocabulary:
    """Our tokenizer as llguidance reads one: each id's bytes (control tokens as 0xFF + their text)."""

    def __init__(self, tokenizer):
        names = {index: text for text, index in tokenizer.special_ids.items()}
        self.tokenizer = tokenizer
        self.eos_token_id, self.bos_token_id = tokenizer.eos_id, tokenizer.bos_id
        self.special_token_ids = sorted(names)
        self.tokens = [b"\xff" + names[i].encode() if i in names else tokenizer.token_bytes(i)
                       for i in range(tokenizer.vocab_size)]

    def __call__(self, text) -> list[int]:
        return self.tokenizer.encode(text if isinstance(text, str) else text.decode("utf-8", "replace"), special=False)


class JsonGrammars:
    """Builds JSON processors for one model; llguidance's view of its vocabulary is made on first use."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self._ll_tokenizer = None
        self._lock = threading.Lock()

    def ll_tokenizer(self) -> llguidance.LLTokenizer:
        with self._lock:
            if self._ll_tokenizer is None:
                wrapper = llguidance.TokenizerWrapper(_Vocabulary(self.tokenizer))
                self._ll_tokenizer = llguidance.LLTokenizer(wrapper, eos_token=sorted(self.tokenizer.eos_ids))
            return self._ll_tokenizer

    def processor(self, response_format: dict) -> "JsonMask":
        """A fresh processor for one answer; a 400 (param response_format) for a schema llguidance refuses."""
        schema = response_format.get("schema") if response_format["type"] == "json_schema" else {"type": "object"}
        try:
            grammar = llguidance.LLMatcher.grammar_from_json_schema(schema, defaults=JSON_OPTIONS)
        except ValueError as error:
            raise ApiError(400, f"response_format: the JSON schema cannot be used ({error})",
                           param="response_format", code="invalid_schema") from None
        matcher = llguidance.LLMatcher(self.ll_tokenizer(), grammar, log_level=0)
        if matcher.is_error():
            raise ApiError(400, f"response_format: the JSON schema cannot be used ({matcher.get_error()})",
                           param="response_format", code="invalid_schema")
        return JsonMask(matcher, self.tokenizer.vocab_size)


class JsonMask:
    """A logits processor (see runtime.generate): feeds the answer's new tokens to the matcher, then sets
    the logits of every token it does not allow to -inf (once the JSON is whole, only end-of-turn is left)."""

    def __init__(self, matcher: llguidance.LLMatcher, vocab_size: int):
        self.matcher = matcher
        self.consumed = 0
        self.bitmask = torch.zeros((vocab_size + 31) // 32, dtype=torch.int32)

    def __call__(self, answer: list[int], logits: torch.Tensor) -> torch.Tensor:
        for token in answer[self.consumed:]:
            self.matcher.consume_token(token)
        self.consumed = len(answer)
        if self.matcher.is_error():
            raise GrammarError(f"the JSON grammar failed: {self.matcher.get_error()}")
        self.matcher.unsafe_compute_mask_ptr(self.bitmask.data_ptr(), self.bitmask.numel() * 4)
        allowed = ((self.bitmask.unsqueeze(-1) >> BITS) & 1).bool().view(-1)
        size = min(allowed.numel(), logits.shape[-1])
        masked = torch.full_like(logits, float("-inf"))
        masked[:size] = logits[:size].masked_fill(~allowed[:size], float("-inf"))
        return masked
