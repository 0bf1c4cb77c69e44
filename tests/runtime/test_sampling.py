"""Picking the next token: greedy at temperature 0, the repetition penalty on the last tokens only, top-k, top-p
and min-p at their exact edges, the temperature's effect on the odds, and seeds that repeat."""
import math

import pytest
import torch

from runtime.sampling import Sampler, SamplingParams, apply_repetition_penalty, filter_probs

# Exact binary fractions: cumulative sums and ratios compare exactly, so each edge is tested as written.
PROBS = [0.125, 0.5, 0.125, 0.25]  # sorted: 0.5 (id 1), 0.25 (id 3), 0.125 (ids 0 and 2)
OFF = {"top_k": 0, "top_p": 1.0, "min_p": 0.0}


def kept(**limits) -> list[int]:
    filtered = filter_probs(torch.tensor(PROBS), **{**OFF, **limits})
    assert math.isclose(float(filtered.sum()), 1.0, rel_tol=1e-6)
    return [i for i, p in enumerate(filtered.tolist()) if p > 0]


def test_no_filter_keeps_every_token_with_its_probability():
    assert filter_probs(torch.tensor(PROBS), **OFF).tolist() == PROBS


def test_top_k_keeps_the_k_most_likely():
    assert kept(top_k=1) == [1]
    assert kept(top_k=2) == [1, 3]
    filtered = filter_probs(torch.tensor(PROBS), **{**OFF, "top_k": 2})
    assert filtered.tolist() == pytest.approx([0, 0.5 / 0.75, 0, 0.25 / 0.75])


def test_top_p_keeps_the_smallest_set_reaching_p_and_no_more():
    assert kept(top_p=0.5) == [1]  # 0.5 alone reaches 0.5
    assert kept(top_p=0.75) == [1, 3]  # 0.5 + 0.25 reaches 0.75: the 0.125s are not needed
    beyond = kept(top_p=0.76)  # one of the two 0.125s is needed (which one: a tie)
    assert len(beyond) == 3 and {1, 3} < set(beyond)


def test_min_p_keeps_tokens_at_least_that_fraction_of_the_best():
    assert kept(min_p=0.25) == [0, 1, 2, 3]  # 0.125 is exactly 0.25 × 0.5: kept
    assert kept(min_p=0.5) == [1, 3]  # 0.25 is exactly half the best: kept
    assert kept(min_p=0.51) == [1]


def test_the_best_token_survives_any_filter():
    assert kept(top_p=0.01) == [1]
    assert kept(min_p=1.0) == [1]
    assert kept(top_k=1, top_p=0.01, min_p=1.0) == [1]


def test_repetition_penalty_shrinks_seen_tokens_whatever_their_sign():
    logits = torch.tensor([2.0, -2.0, 1.0, 0.5])
    apply_repetition_penalty(logits, [0, 1, 1], 2.0)
    assert logits.tolist() == [1.0, -4.0, 1.0, 0.5]


def pick(logits, previous, **params) -> int:
    return Sampler(SamplingParams(**{**OFF, "seed": 1, **params}))(torch.tensor(logits), previous)


def test_greedy_is_the_plain_argmax_without_penalty():
    assert pick([3.0, 2.9], [0, 0, 0], temperature=0, repetition_penalty=10.0) == 0
    assert pick([1.0, 5.0, 2.0], [], temperature=0.0) == 1


def test_the_penalty_counts_only_the_last_repeat_last_n_tokens():
    logits = [2.0, 1.9, 0.0]
    assert pick(logits, [0], top_k=1, repetition_penalty=2.0) == 1  # 2.0 / 2 < 1.9
    assert pick(logits, [0, 2, 2], top_k=1, repetition_penalty=2.0, repeat_last_n=2) == 0  # token 0 is too old
    assert pick(logits, [0, 2, 2], top_k=1, repetition_penalty=2.0, repeat_last_n=3) == 1
    assert pick(logits, [0], top_k=1, repetition_penalty=1.0) == 0  # 1.0: off


def frequency_of_first(temperature: float, draws: int = 4000) -> float:
    sampler = Sampler(SamplingParams(temperature=temperature, seed=3, **OFF))
    logits = torch.tensor([math.log(0.75), math.log(0.25)])
    return sum(sampler(logits, []) == 0 for _ in range(draws)) / draws


def test_temperature_sharpens_below_one_and_flattens_above():
    assert frequency_of_first(1.0) == pytest.approx(0.75, abs=0.03)
    assert frequency_of_first(0.5) == pytest.approx(0.9, abs=0.03)  # 0.75² / (0.75² + 0.25²)
    assert frequency_of_first(2.0) == pytest.approx(0.634, abs=0.03)  # √0.75 / (√0.75 + √0.25)


def test_only_tokens_the_filters_keep_are_ever_drawn():
    sampler = Sampler(SamplingParams(temperature=1.0, top_k=2, top_p=1.0, min_p=0.0, seed=5))
    logits = torch.log(torch.tensor(PROBS))
    assert {sampler(logits, []) for _ in range(300)} == {1, 3}


def test_the_same_seed_draws_the_same_tokens():
    logits = torch.zeros(50)
    first, second = (Sampler(SamplingParams(temperature=1.0, seed=42, **OFF)) for _ in range(2))
    draws = [first(logits, []) for _ in range(30)]
    assert draws == [second(logits, []) for _ in range(30)] and len(set(draws)) > 5
    other = Sampler(SamplingParams(temperature=1.0, seed=43, **OFF))
    assert [other(logits, []) for _ in range(30)] != draws


def test_params_from_a_request_keep_known_keys_and_defaults():
    params = SamplingParams.from_dict({"temperature": 0.2, "seed": 9, "unknown": 1})
    assert (params.temperature, params.seed, params.top_k, params.repetition_penalty) == (0.2, 9, 40, 1.0)
    assert SamplingParams.from_dict(None) == SamplingParams()
