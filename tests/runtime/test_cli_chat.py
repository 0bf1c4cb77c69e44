"""`runtime chat` samples as its flags say: --temperature 0 is the plain argmax of the model's logits (what
an engine's greedy decoding gives, with no repetition penalty), and --help shows every option's default."""
import pytest
import torch

from runtime.cli import main
from runtime.engine import Engine
from runtime.sampling import Sampler, SamplingParams
from runtime.synth import synth

QUESTION = "Quelle est la capitale de l'Italie ?"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "tiny.gguf"
    synth("tiny-mixtral", 2, "Q8_0", path)
    return path


def argmax_answer(path, tokens: int) -> str:
    """Greedy decoding written out: the argmax of each step's logits, no sampler at all."""
    engine = Engine()
    engine.load(path, context_length=128)
    prompt = engine.encode_conversation([{"role": "user", "content": QUESTION}])[0]
    ids = []
    with torch.inference_mode():
        logits = engine.loaded.model(torch.tensor(prompt), engine.cache)[-1]
        for _ in range(tokens):
            ids.append(int(logits.argmax()))
            if ids[-1] in engine.loaded.tokenizer.eos_ids:
                ids.pop()
                break
            logits = engine.loaded.model(torch.tensor(ids[-1:]), engine.cache)[-1]
    return engine.loaded.tokenizer.decode(ids)


def test_temperature_zero_is_the_plain_argmax(tiny, capsys):
    expected = argmax_answer(tiny, 12)
    capsys.readouterr()
    assert main(["chat", str(tiny), "--prompt", QUESTION, "--temperature", "0", "--max-tokens", "12",
                 "--repetition-penalty", "1.3"]) == 0
    assert capsys.readouterr().out.rstrip("\n") == expected


def test_greedy_ignores_the_penalty_and_filters():
    logits = torch.tensor([0.1, 3.0, 2.9, -1.0])
    greedy = Sampler(SamplingParams(temperature=0, repetition_penalty=2.0, top_k=1, min_p=0.9))
    assert greedy(logits, previous=[1, 1, 1]) == 1


def test_flags_reach_the_sampler_and_help_shows_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["chat", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for option, default in (("--temperature", "0.7"), ("--top-k", "40"), ("--top-p", "0.95"), ("--min-p", "0.05"),
                            ("--repetition-penalty", "1.0"), ("--max-tokens", "512")):
        assert option in text and f"(default: {default})" in text, option
