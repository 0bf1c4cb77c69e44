"""The sampling options of one answer, as plain data (no torch): the CLI's flags and their defaults,
the worker's `generate` requests. `runtime.sampling` applies them to logits.

Temperature 0 is greedy decoding: the plain argmax of the model's logits (no repetition penalty, no
filter). The repetition penalty defaults to 1.0 (off), as in llama.cpp; the app passes its own chat
defaults. The frequency and presence penalties are OpenAI's (0.0: off, for the server); when set they
shift the logits before anything else, at temperature 0 too, as OpenAI's and vLLM's do.
"""
from dataclasses import asdict, dataclass


@dataclass
class SamplingParams:
    temperature: float = 0.7
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repetition_penalty: float = 1.0
    repeat_last_n: int = 64
    seed: int | None = None
    frequency_penalty: float = 0.0  # minus this × how often the answer has used a token (OpenAI's)
    presence_penalty: float = 0.0  # minus this once the answer has used a token (OpenAI's)

    @classmethod
    def from_dict(cls, values: dict | None) -> "SamplingParams":
        known = set(asdict(cls()))
        return cls(**{k: v for k, v in (values or {}).items() if k in known})
