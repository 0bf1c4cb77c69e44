"""Generation as layered generators: token ids first, then text through a streaming detokenizer.

`generate_tokens` prefills the prompt into the KV cache (in chunks) and yields sampled ids;
`generate_text` wraps it, yields text deltas, and returns a `GenerationResult` (finish reason, stats).
Cancellation is a callable checked before every token.
"""
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

import torch

from .kv_cache import KVCache
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
        logits = model(chunk, cache, all_logits=False)[-1]
    return logits


@torch.inference_mode()
def generate_tokens(model, cache: KVCache, new_prompt: list[int], sampler: Sampler, *, history: list[int],
                    max_tokens: int, stop_ids: frozenset[int], result: GenerationResult,
                    cancelled: Callable[[], bool] = lambda: False, device="cpu") -> Iterator[int]:
    """Yield sampled ids after prefilling `new_prompt` (the cache already holds `history`)."""
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
