"""The engine: one loaded model, its KV cache, and chat generation over it.

Used by the CLI and by the worker process. The cache remembers which token ids it holds, so the next
turn of a conversation prefills only what is new, and another conversation is still correct.
Context policy: when a conversation no longer fits, the oldest turns (not the system prompt) are left
out of the prompt, and the result says how many; a last message that alone does not fit is refused.
The cut is found by bisection (a few renders of the template, not one per turn left out), and a
cancel stops it, or the prefill, between two steps. `generate` runs a prompt of token ids as it is (the
server's requests, which are refused rather than cut), with an optional grammar mask and stop strings.
"""
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import psutil
import torch

from .errors import ContextOverflowError, GenerationCancelled
from .generate import GenerationResult, LogitsProcessor, generate_text, generate_tokens, stop_at_strings
from .kv_cache import KVCache
from .loader import LoadedModel, Progress, load_model
from .quant.kernels import set_threads
from .sampling import Sampler, SamplingParams

DEFAULT_CONTEXT = 4096


def physical_cores() -> int:
    """Threads for CPU work: hyper-threads of one core only fight over the same memory bandwidth."""
    return psutil.cpu_count(logical=False) or torch.get_num_threads()


@dataclass
class ChatTurnResult(GenerationResult):
    dropped_messages: int = 0


@dataclass
class Engine:
    device: str = "cpu"
    dtype: torch.dtype = torch.float32
    threads: int | None = None  # CPU threads; None: the physical cores
    quantize: str | None = "auto"  # see loader.load_model: keep a GGUF's quantization, pick for folders
    loaded: LoadedModel | None = None
    cache: KVCache | None = None
    cached_ids: list[int] = field(default_factory=list)
    load_seconds: float = 0.0

    def load(self, path: Path, *, context_length: int = DEFAULT_CONTEXT, progress: Progress | None = None):
        self.unload()
        if self.device == "cpu":
            set_threads(self.threads or physical_cores())
        started = time.perf_counter()
        self.loaded = load_model(path, dtype=self.dtype, device=self.device, progress=progress,
                                 quantize=self.quantize)
        n_ctx = min(context_length, self.loaded.config.max_position_embeddings)
        self.cache = KVCache(self.loaded.config, n_ctx, dtype=self.loaded.dtype, device=self.device)
        self.cached_ids = []
        self.load_seconds = time.perf_counter() - started
        return self.loaded

    def unload(self):
        self.loaded, self.cache, self.cached_ids = None, None, []

    @property
    def context_length(self) -> int:
        return self.cache.max_len if self.cache else 0

    def encode_conversation(self, messages: list[dict], *,
                            cancelled: Callable[[], bool] = lambda: False) -> tuple[list[int], int]:
        """Prompt ids for `messages`, leaving out the fewest oldest turns that make it fit (the kept part
        starts with a user turn); (ids, messages left out). GenerationCancelled if `cancelled()`."""
        system = [m for m in messages[:1] if m["role"] == "system"]
        turns = messages[len(system):]
        starts = [i for i, m in enumerate(turns) if m["role"] == "user"]  # where the kept part may begin

        def encode(index: int) -> list[int] | None:
            """The prompt that keeps turns from starts[index] on, or None if it does not fit."""
            if cancelled():
                raise GenerationCancelled
            ids = self.loaded.chat_encoder.encode_chat(system + turns[starts[index]:], add_generation_prompt=True)
            return ids if len(ids) < self.context_length else None

        everything = encode(0) if starts else None
        if everything is not None:
            return everything, starts[0]  # the usual case: one render
        best = encode(len(starts) - 1) if len(starts) > 1 else None
        if best is None:
            raise ContextOverflowError(
                f"the message is too long for the model's context of {self.context_length} tokens; "
                "shorten it or start a new conversation with a shorter text")
        low, high = 0, len(starts) - 1  # keeping from starts[low] does not fit, from starts[high] does
        while high - low > 1:
            middle = (low + high) // 2
            ids = encode(middle)
            if ids is None:
                low = middle
            else:
                high, best = middle, ids
        return best, starts[high]

    def chat(self, messages: list[dict], *, params: SamplingParams | None = None, max_tokens: int = 512,
             cancelled: Callable[[], bool] = lambda: False) -> "ChatGeneration":
        """Generate the assistant's answer to `messages`; iterate the result for text deltas."""
        try:
            prompt, dropped = self.encode_conversation(messages, cancelled=cancelled)
        except GenerationCancelled:
            return ChatGeneration(self, list(self.cached_ids), ChatTurnResult(finish_reason="cancelled"), iter(()))
        generation = self.generate(prompt, params=params, max_tokens=max_tokens, cancelled=cancelled)
        generation.result.dropped_messages = dropped
        return generation

    def generate(self, prompt: list[int], *, params: SamplingParams | None = None, max_tokens: int = 512,
                 cancelled: Callable[[], bool] = lambda: False, logits_processor: LogitsProcessor | None = None,
                 stop: Sequence[str] = ()) -> "ChatGeneration":
        """Generate after exactly the ids `prompt` (shorter than the context: the caller checks); iterate
        the result for text deltas. `logits_processor` (a grammar's mask) and `stop` strings are optional."""
        reused = self._reuse_cache(prompt)
        result = ChatTurnResult()
        result.stats.prompt_tokens = len(prompt)
        tokens = generate_tokens(
            self.loaded.model, self.cache, prompt[reused:], Sampler(params or SamplingParams()),
            history=prompt[:reused], max_tokens=min(max_tokens, self.cache.max_len - len(prompt)),
            stop_ids=self.loaded.tokenizer.eos_ids, result=result, cancelled=cancelled, device=self.device,
            logits_processor=logits_processor)
        deltas = generate_text(self.loaded.tokenizer, tokens)
        return ChatGeneration(self, prompt, result, stop_at_strings(deltas, stop, result) if stop else deltas)

    def _reuse_cache(self, prompt: list[int]) -> int:
        """Keep the cached prefix shared with `prompt` (at least one token is left to prefill)."""
        common = 0
        for cached, new in zip(self.cached_ids, prompt):
            if cached != new:
                break
            common += 1
        common = min(common, len(prompt) - 1)
        self.cache.truncate(common)
        self.cached_ids = self.cached_ids[:common]
        return common


@dataclass
class ChatGeneration:
    """Iterating yields text deltas; afterwards `result` holds the finish reason and stats."""
    engine: Engine
    prompt: list[int]
    result: ChatTurnResult
    deltas: Iterator[str]

    def __iter__(self):
        try:
            yield from self.deltas
        finally:
            self.engine.cached_ids = (self.prompt + self.result.token_ids)[:self.engine.cache.length]

    def text(self) -> str:
        return "".join(self)
