"""The engine: one loaded model, its KV cache, and chat generation over it.

Used by the CLI and by the worker process. The cache remembers which token ids it holds, so the next
turn of a conversation prefills only what is new, and another conversation is still correct.
Context policy: when a conversation no longer fits, the oldest turns (not the system prompt) are left
out of the prompt, and the result says how many; a last message that alone does not fit is refused.
The cut is found by bisection (a few renders of the template, not one per turn left out), and a
cancel stops it, or the prefill, between two steps. `generate` runs a prompt of token ids as it is (the
server's requests, which are refused rather than cut), with an optional grammar mask and stop strings.
With `keep_chat_states`, `chat(conversation_id=...)` parks the state of the conversation it leaves and
restores the one it enters from memory or disk (runtime.chat_state), so a reopened chat is not read again.
"""
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

import psutil
import torch

from .chat_state import ChatStates, SavedState, common_prefix, state_key
from .errors import ContextOverflowError, GenerationCancelled
from .generate import GenerationResult, LogitsProcessor, generate_text, generate_tokens, stop_at_strings
from .kv_cache import DEFAULT_KV_CACHE, KV_CACHE_TYPES, KVCache
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
    resumed_tokens: int = 0  # prompt tokens restored from a saved chat state rather than prefilled
    resumed_from: str = ""  # where that state was: "memory" or "disk"


@dataclass
class Engine:
    device: str = "cpu"
    dtype: torch.dtype = torch.float32
    threads: int | None = None  # CPU threads; None: the physical cores
    quantize: str | None = "auto"  # see loader.load_model: keep a GGUF's quantization, pick for folders
    kv_cache: str = DEFAULT_KV_CACHE  # how the KV cache stores keys and values: a key of KV_CACHE_TYPES
    loaded: LoadedModel | None = None
    cache: KVCache | None = None
    cached_ids: list[int] = field(default_factory=list)
    load_seconds: float = 0.0
    chat_states: ChatStates | None = None  # saved states of conversations left (None: none kept)
    conversation_id: str | None = None  # the conversation the live cache holds

    def load(self, path: Path, *, context_length: int = DEFAULT_CONTEXT, progress: Progress | None = None):
        if self.kv_cache not in KV_CACHE_TYPES:
            raise ValueError(f"unknown KV cache type {self.kv_cache!r}; expected one of {', '.join(KV_CACHE_TYPES)}")
        self.unload()
        if self.device == "cpu":
            set_threads(self.threads or physical_cores())
        started = time.perf_counter()
        self.loaded = load_model(path, dtype=self.dtype, device=self.device, progress=progress,
                                 quantize=self.quantize, context_length=context_length, kv_cache=self.kv_cache)
        n_ctx = min(context_length, self.loaded.config.max_position_embeddings)
        self.cache = KVCache(self.loaded.config, n_ctx, dtype=self.loaded.dtype,
                             kv_dtype=KV_CACHE_TYPES[self.kv_cache], device=self.device)
        self.cached_ids = []
        self.load_seconds = time.perf_counter() - started
        return self.loaded

    def unload(self):
        self.close_chat_states()
        self.loaded, self.cache, self.cached_ids = None, None, []

    # -- saved chat states -----------------------------------------------------------------------
    def keep_chat_states(self, folder: Path, *, memory_bytes: int, disk_bytes: int) -> None:
        """Keep the caches of conversations left, in memory and in `folder`, keyed by the model file and the
        settings that shape the cache."""
        shapes = {name: [list(shape[:2] + shape[3:]), str(dtype)]
                  for name, (shape, dtype) in self.cache.snapshot_shapes(0).items()}
        settings = {"context_length": self.context_length, "dtype": str(self.loaded.dtype),
                    "quantization": self.loaded.quantization, "cache": shapes}
        self.chat_states = ChatStates(folder, state_key(self.loaded.path, settings), self.cache.snapshot_shapes,
                                      self.cache.max_len, memory_bytes=memory_bytes, disk_bytes=disk_bytes)

    def close_chat_states(self) -> None:
        """Write the live conversation's state to disk and wait for every write (before exiting or unloading)."""
        if self.chat_states is not None:
            if self.conversation_id is not None and self.cached_ids:
                self.chat_states.save_now(self.conversation_id, self._live_state())
            self.chat_states.close()
        self.chat_states, self.conversation_id = None, None

    def forget_conversation(self, conversation_id) -> None:
        """Drop a conversation's saved state (memory and disk): it was deleted."""
        if self.conversation_id == str(conversation_id):
            self.conversation_id = None  # the live cache stays usable, but is never saved under that id
        if self.chat_states is not None:
            self.chat_states.forget(str(conversation_id))

    def clear_chat_states(self) -> int:
        self.conversation_id = None
        return self.chat_states.clear() if self.chat_states is not None else 0

    def leave_conversation(self) -> None:
        """Park the live conversation's state before a request that belongs to no conversation of the app's (an
        API client's) uses the cache: the app's next turn then resumes instead of reading its chat again."""
        self._enter_conversation(None, [])

    def _live_state(self) -> SavedState:
        tensors = self.cache.snapshot(len(self.cached_ids))
        return SavedState(list(self.cached_ids), {name: t.to("cpu") for name, t in tensors.items()})

    def _enter_conversation(self, conversation_id, prompt: list[int]) -> tuple[int, str]:
        """Make the live cache `conversation_id`'s: park the one it holds, restore the saved state of the one
        entered. (prompt tokens the restored state spares, where it came from), or (0, "")."""
        conversation = None if conversation_id is None else str(conversation_id)
        if self.chat_states is None or conversation == self.conversation_id:
            return 0, ""
        if self.conversation_id is not None and self.cached_ids:
            self.chat_states.park(self.conversation_id, self._live_state())
        self.conversation_id = conversation
        found = self.chat_states.take(conversation) if conversation is not None else None
        if found is None:
            return 0, ""
        state, source = found
        spared = min(common_prefix(state.ids, prompt), len(prompt) - 1)
        if spared <= min(common_prefix(self.cached_ids, prompt), len(prompt) - 1):
            return 0, ""  # the live cache serves this prompt as well
        try:
            self.cache.restore(state.tensors, len(state.ids))
        except ValueError:  # checked when read; unlike this cache all the same: read the prompt again
            return 0, ""
        self.cached_ids = list(state.ids)
        return spared, source

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
             cancelled: Callable[[], bool] = lambda: False, conversation_id=None) -> "ChatGeneration":
        """Generate the assistant's answer to `messages`; iterate the result for text deltas. With chat
        states kept, `conversation_id` names the conversation (its saved state is restored when it is entered)."""
        try:
            prompt, dropped = self.encode_conversation(messages, cancelled=cancelled)
        except GenerationCancelled:
            return ChatGeneration(self, list(self.cached_ids), ChatTurnResult(finish_reason="cancelled"), iter(()))
        resumed, source = self._enter_conversation(conversation_id, prompt)
        generation = self.generate(prompt, params=params, max_tokens=max_tokens, cancelled=cancelled)
        generation.result.dropped_messages = dropped
        generation.result.resumed_tokens, generation.result.resumed_from = resumed, source
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
