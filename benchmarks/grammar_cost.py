"""What grammar-constrained decoding costs per token on a real model, for llguidance, xgrammar and
outlines-core (those installed), for a JSON schema and for "any JSON object": the set-up (once per
model) and compile (once per request) times, the library's own mask time per token (advancing past
the last token and computing the next mask: while decoding, and replayed alone over the same tokens,
medians of --repeat), the shared cost of applying a mask to the logits, and the decode step with
and without the grammar (wall clock: noisy on a busy machine).

    .venv/bin/python benchmarks/grammar_cost.py [MODEL] [--tokens 64] [--repeat 5] [--threads 2]

xgrammar and outlines-core are not Octet's dependencies: `pip install --no-deps xgrammar apache-tvm-ffi`
and `pip install outlines-core` to measure them (xgrammar's own dependencies would pull in triton).
"""
import argparse
import json
import sys
import time
from pathlib import Path
from statistics import median

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from runtime.engine import Engine  # noqa: E402
from runtime.paths import resolve_model  # noqa: E402
from runtime.sampling_params import SamplingParams  # noqa: E402
from runtime.server.grammar import BITS  # noqa: E402

SCHEMA = {"type": "object", "additionalProperties": False, "required": ["name", "age", "hobbies"],
          "properties": {"name": {"type": "string"}, "age": {"type": "integer"},
                         "hobbies": {"type": "array", "items": {"type": "string"}}}}
ANY_OBJECT = {"type": "object"}
PROMPT = [{"role": "user", "content": "Describe Ann, 31, who likes chess and tennis, as a JSON object."}]


def apply_bitmask(logits: torch.Tensor, bitmask: torch.Tensor) -> torch.Tensor:
    allowed = ((bitmask.unsqueeze(-1) >> BITS) & 1).bool().view(-1)[:logits.shape[-1]]
    return logits.masked_fill(~allowed, float("-inf"))


class LLGuidance:
    name = "llguidance"

    def __init__(self, tokenizer):
        import llguidance
        from runtime.server.grammar import JsonGrammars

        self.llguidance = llguidance
        self.ll_tokenizer = JsonGrammars(tokenizer).ll_tokenizer()  # Octet's own vocabulary bridge

    def matcher(self, schema):
        from runtime.server.grammar import JSON_OPTIONS

        grammar = self.llguidance.LLMatcher.grammar_from_json_schema(schema, defaults=JSON_OPTIONS)
        matcher = self.llguidance.LLMatcher(self.ll_tokenizer, grammar, log_level=0)
        assert not matcher.is_error(), matcher.get_error()

        class Matcher:
            def fill(self, bitmask):
                matcher.unsafe_compute_mask_ptr(bitmask.data_ptr(), bitmask.numel() * 4)

            def accept(self, token):
                matcher.consume_token(token)
        return Matcher()


class XGrammar:
    name = "xgrammar"

    def __init__(self, tokenizer):
        import xgrammar

        self.xgrammar = xgrammar
        names = {index: text for text, index in tokenizer.special_ids.items()}
        vocab = [names[i].encode() if i in names else tokenizer.token_bytes(i) for i in range(tokenizer.vocab_size)]
        info = xgrammar.TokenizerInfo(vocab, xgrammar.VocabType.RAW, vocab_size=tokenizer.vocab_size,
                                      stop_token_ids=sorted(tokenizer.eos_ids))
        self.compiler = xgrammar.GrammarCompiler(info)

    def matcher(self, schema):
        matcher = self.xgrammar.GrammarMatcher(self.compiler.compile_json_schema(json.dumps(schema),
                                                                                 any_whitespace=False))

        class Matcher:
            def fill(self, bitmask):
                matcher.fill_next_token_bitmask(bitmask.view(1, -1))

            def accept(self, token):
                matcher.accept_token(token)
        return Matcher()


class OutlinesCore:
    name = "outlines-core"

    def __init__(self, tokenizer):
        import outlines_core

        self.outlines_core = outlines_core
        self.eos = tokenizer.eos_id
        pieces: dict[bytes, list[int]] = {}
        for i in range(tokenizer.vocab_size):
            data = tokenizer.token_bytes(i)
            if data and i not in tokenizer.eos_ids:
                pieces.setdefault(data, []).append(i)
        self.vocabulary = outlines_core.Vocabulary(self.eos, pieces)

    def matcher(self, schema):
        regex = self.outlines_core.json_schema.build_regex_from_schema(json.dumps(schema), r"[ ]?")
        guide = self.outlines_core.Guide(self.outlines_core.Index(regex, self.vocabulary))
        eos = self.eos

        class Matcher:
            def fill(self, bitmask):
                guide.write_mask_into(bitmask.data_ptr(), bitmask.numel(), 4)

            def accept(self, token):
                if token != eos:
                    guide.advance(token)
        return Matcher()


class Processor:
    """A logits processor (runtime.generate's hook) over a matcher; adds up the matcher's own time."""

    def __init__(self, matcher, vocab_size: int):
        self.matcher, self.done, self.seconds, self.calls = matcher, 0, 0.0, 0
        self.bitmask = torch.zeros((vocab_size + 31) // 32, dtype=torch.int32)

    def __call__(self, answer, logits):
        started = time.perf_counter()
        for token in answer[self.done:]:
            self.matcher.accept(token)
        self.done = len(answer)
        self.matcher.fill(self.bitmask)
        self.seconds += time.perf_counter() - started
        self.calls += 1
        return apply_bitmask(logits, self.bitmask)


def decode(engine: Engine, step, tokens: int) -> tuple[str, list[int], float]:
    """(text, ids, decode ms per token) of one greedy answer, the cache emptied first."""
    engine.cache.truncate(0)
    engine.cached_ids = []
    prompt = engine.loaded.chat_encoder.encode_chat(PROMPT, add_generation_prompt=True)
    generation = engine.generate(prompt, params=SamplingParams(temperature=0), max_tokens=tokens, logits_processor=step)
    text = generation.text()
    ids, seconds = generation.result.token_ids, generation.result.stats.decode_seconds
    return text, ids, seconds / max(len(ids) - 1, 1) * 1000  # the first token comes from the prefill


def replay_ms(library, schema, ids: list[int], vocab_size: int) -> float:
    """The library's own time per token: a fresh matcher, a mask before each of `ids`, each then accepted."""
    matcher = library.matcher(schema)
    bitmask = torch.zeros((vocab_size + 31) // 32, dtype=torch.int32)
    started = time.perf_counter()
    for token in ids:
        matcher.fill(bitmask)
        matcher.accept(token)
    return (time.perf_counter() - started) / len(ids) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="starter")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=5, help="replays and answers per case; medians are reported")
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    engine = Engine(threads=args.threads)
    engine.load(resolve_model(args.model), context_length=1024)
    tokenizer = engine.loaded.tokenizer
    vocab = tokenizer.vocab_size
    decode(engine, None, 8)  # warm-up
    base = median(decode(engine, None, args.tokens)[2] for _ in range(args.repeat))
    logits, bitmask = torch.randn(vocab), torch.randint(-2**31, 2**31 - 1, ((vocab + 31) // 32,), dtype=torch.int32)
    apply_bitmask(logits, bitmask)
    apply = median(timed(lambda: apply_bitmask(logits, bitmask)) for _ in range(200))
    print(f"{args.model}: vocabulary {vocab}; decode without grammar {base:.2f} ms/token; "
          f"applying a mask to the logits {apply:.3f} ms/token (the same for every library)")
    for kind in (LLGuidance, XGrammar, OutlinesCore):
        try:
            started = time.perf_counter()
            library = kind(tokenizer)
            setup = (time.perf_counter() - started) * 1000
        except ImportError as error:
            print(f"{kind.name}: not installed ({error})")
            continue
        print(f"{kind.name}: vocabulary set-up {setup:.0f} ms (once per model)")
        for label, schema in (("schema", SCHEMA), ("any object", ANY_OBJECT)):
            compile_ms = median(timed(lambda: library.matcher(schema)) for _ in range(args.repeat))
            answers, in_decode = [], []
            for _ in range(args.repeat):
                step = Processor(library.matcher(schema), vocab)
                answers.append(decode(engine, step, args.tokens))
                in_decode.append(step.seconds / step.calls * 1000)
            text, ids, _ = answers[0]
            step = median(answer[2] for answer in answers)
            mask = median(replay_ms(library, schema, ids, vocab) for _ in range(args.repeat))
            print(f"  {label:<10}: compile {compile_ms:8.1f} ms, mask {median(in_decode):6.3f} ms/token while "
                  f"decoding ({mask:6.3f} replayed alone), decode {step:6.2f} ms/token "
                  f"({step - base:+.2f}), {len(ids)} tokens, {'valid' if is_json(text) else 'NOT'} JSON: {text[:60]!r}")


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return (time.perf_counter() - started) * 1000


def is_json(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


if __name__ == "__main__":
    main()
