"""Generation as layered generators: token ids first, then text through a streaming detokenizer.

`generate_tokens` prefills the prompt into the KV cache (in chunks) and yields sampled ids;
`generate_text` wraps it, yields text deltas, and returns a `GenerationResult` (finish reason, stats);
`stop_at_strings` wraps those and ends at a stop string, of which it emits no part.
Cancellation is a callable checked before every token; an optional logits processor (a grammar's
mask) sees the logits before the sampler does.
"""
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

import torch

from .kv_cache import KVCache
from .quant.formats import prompt_path
from .sampling import Sampler
from .text.tokenizer import StreamDecoder

PREFILL_CHUNK = 512  # MoE prefill dequantizes each expert once per chunk: bigger chunks, fewer passes


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    prefilled_tokens: int = 0
    generated_tokens: int = 0
    decode_steps: int = 0
    prefill_seconds: float = 0.0
    decode_seconds: float = 0.0

    @property
    def prefill_tokens_per_s(self) -> float:
        return self.prefilled_tokens / self.prefill_seconds if self.prefill_seconds else 0.0

    @property
    def decode_tokens_per_s(self) -> float:
        return self.decode_steps / self.decode_seconds if self.decode_seconds else 0.0

    def as_dict(self) -> dict:
        return {
            "prompt_tokens": self.prompt_tokens, "prefilled_tokens": self.prefilled_tokens,
            "generated_tokens": self.generated_tokens,
            "prefill_tokens_per_s": round(self.prefill_tokens_per_s, 2),
            "decode_tokens_per_s": round(self.decode_tokens_per_s, 2),
        }


@dataclass
class GenerationResult:
    finish_reason: str = "stop"  # stop | length | cancelled
    stats: GenerationStats = field(default_factory=GenerationStats)
    token_ids: list[int] = field(default_factory=list)


LogitsProcessor = Callable[[list[int], torch.Tensor], torch.Tensor]  # (answer's ids so far, logits [V]) -> logits


@torch.inference_mode()
def prefill(model, cache: KVCache, tokens: list[int], device="cpu",
            cancelled: Callable[[], bool] = lambda: False) -> torch.Tensor | None:
    """Run `tokens` into the cache, chunk by chunk; the logits [V] of the last one (None if
    `cancelled()` said stop between two chunks: the cache then holds the chunks done)."""
    logits = None
    for start in range(0, len(tokens), PREFILL_CHUNK):
        if cancelled():
            return None
        chunk = torch.tensor(tokens[start:start + PREFILL_CHUNK], dtype=torch.long, device=device)
        with prompt_path():
            logits = model(chunk, cache, all_logits=False)[-1]
    return logits


@torch.inference_mode()
def generate_tokens(model, cache: KVCache, new_prompt: list[int], sampler: Sampler, *, history: list[int],
                    max_tokens: int, stop_ids: frozenset[int], result: GenerationResult,
                    cancelled: Callable[[], bool] = lambda: False, device="cpu",
                    logits_processor: LogitsProcessor | None = None) -> Iterator[int]:
    """Yield sampled ids after prefilling `new_prompt` (the cache already holds `history`).
    `logits_processor(answer_ids, logits)`, if given, returns the logits the sampler sees."""
    stats = result.stats
    started = time.perf_counter()
    logits = prefill(model, cache, new_prompt, device, cancelled)
    stats.prefill_seconds = time.perf_counter() - started
    stats.prefilled_tokens = len(new_prompt)
    seen = history + new_prompt
    started = time.perf_counter()
    result.finish_reason = "length"
    for _ in range(max_tokens):
        if logits is None or cancelled():
            result.finish_reason = "cancelled"
            break
        if logits_processor is not None:
            logits = logits_processor(result.token_ids, logits)
        token = sampler(logits, seen)
        seen.append(token)
        result.token_ids.append(token)
        stats.generated_tokens += 1
        if token in stop_ids:
            result.finish_reason = "stop"
            break
        yield token
        if cache.free == 0:
            break
        logits = model(torch.tensor([token], device=device), cache)[-1]
        stats.decode_steps += 1
        stats.decode_seconds = time.perf_counter() - started


def generate_text(tokenizer, token_stream: Iterator[int]) -> Iterator[str]:
    """Text deltas for the ids of `token_stream`, never half a UTF-8 character."""
    decoder = StreamDecoder(tokenizer)
    for token in token_stream:
        text = decoder.push(token)
        if text:
            yield text
    tail = decoder.flush()
    if tail:
        yield tail


def stop_at_strings(deltas: Iterator[str], stops: Sequence[str], result: GenerationResult) -> Iterator[str]:
    """The text of `deltas` up to the first of `stops`, never any part of it: text that could be the start
    of a stop string is held back until it cannot. At a stop string the generation is closed and
    `result.finish_reason` is "stop"."""
    stops = [stop for stop in stops if stop]
    pending = ""
    try:
        for delta in deltas:
            pending += delta
            found = [index for index in (pending.find(stop) for stop in stops) if index >= 0]
            if found:
                if min(found):
                    yield pending[:min(found)]
                result.finish_reason = "stop"
                return
            keep = held_back(pending, stops)
            if len(pending) > keep:
                yield pending[:len(pending) - keep]
                pending = pending[len(pending) - keep:]
        if pending:
            yield pending
    finally:
        getattr(deltas, "close", lambda: None)()


def held_back(text: str, stops: Sequence[str]) -> int:
    """How many characters at the end of `text` are the start of some stop string (0: none)."""
    longest = min(len(text), max((len(stop) for stop in stops), default=1) - 1)
    for size in range(longest, 0, -1):
        if any(stop.startswith(text[-size:]) for stop in stops):
            return size
    return 0
