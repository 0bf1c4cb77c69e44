"""Picking the next token from logits: temperature, top-k, top-p, min-p, repetition penalty, seed,
and OpenAI's frequency / presence penalties (the options are `SamplingParams`, in
runtime.sampling_params). Temperature 0 is the plain argmax. The same seed and settings give the same tokens.
"""
from collections import Counter

import torch

from .sampling_params import SamplingParams


class Sampler:
    def __init__(self, params: SamplingParams):
        self.params = params
        self.generator = torch.Generator()
        self.generator.manual_seed(params.seed if params.seed is not None else torch.seed())
        self.picked: Counter = Counter()  # the ids this sampler returned: the answer so far, not the prompt

    def __call__(self, logits: torch.Tensor, previous: list[int]) -> int:
        """The next token id for `logits` [V] after the token ids `previous`."""
        p = self.params
        if p.frequency_penalty or p.presence_penalty:
            logits = apply_openai_penalties(logits, self.picked, p.frequency_penalty, p.presence_penalty)
        token = self.pick(logits, previous)
        self.picked[token] += 1
        return token

    def pick(self, logits: torch.Tensor, previous: list[int]) -> int:
        p = self.params
        if p.temperature <= 0:
            return int(torch.argmax(logits))
        logits = logits.float().clone()
        if p.repetition_penalty != 1.0 and previous:
            apply_repetition_penalty(logits, previous[-p.repeat_last_n:], p.repetition_penalty)
        probs = torch.softmax(logits / p.temperature, dim=-1)
        probs = filter_probs(probs, top_k=p.top_k, top_p=p.top_p, min_p=p.min_p)
        return int(torch.multinomial(probs, 1, generator=self.generator))


def apply_openai_penalties(logits: torch.Tensor, counts: Counter, frequency: float, presence: float) -> torch.Tensor:
    """OpenAI's penalties on a copy: minus count × `frequency`, minus `presence` once, for each id used."""
    logits = logits.float().clone()
    if counts:
        ids = torch.tensor(list(counts), dtype=torch.long)
        times = torch.tensor(list(counts.values()), dtype=torch.float32)
        logits[ids] -= times * frequency + presence
    return logits


def apply_repetition_penalty(logits: torch.Tensor, tokens: list[int], penalty: float) -> None:
    """In place, as in CTRL and transformers: shrink the logits of tokens already seen."""
    ids = torch.tensor(sorted(set(tokens)), dtype=torch.long)
    seen = logits[ids]
    logits[ids] = torch.where(seen > 0, seen / penalty, seen * penalty)


def filter_probs(probs: torch.Tensor, *, top_k: int, top_p: float, min_p: float) -> torch.Tensor:
    """Zero the tokens outside top-k, outside the top-p nucleus, and below min-p × the best."""
    sorted_probs, order = torch.sort(probs, descending=True)
    keep = torch.ones_like(sorted_probs, dtype=torch.bool)
    if top_k > 0:
        keep[top_k:] = False
    if top_p < 1.0:
        before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
        keep &= before < top_p
    if min_p > 0:
        keep &= sorted_probs >= min_p * sorted_probs[0]
    keep[0] = True
    filtered = torch.zeros_like(probs)
    filtered[order[keep]] = sorted_probs[keep]
    return filtered / filtered.sum()
