"""`python -m runtime chat`: one answer with --prompt, or an interactive conversation in the terminal
that keeps its history and reuses the KV cache from turn to turn (type /exit or Ctrl-D to leave)."""
import sys

from .engine import Engine
from .paths import resolve_model
from .sampling_params import SamplingParams


def run_chat(args) -> None:
    engine = Engine(device=args.device, kv_cache=args.kv_cache)
    engine.load(resolve_model(args.model), context_length=args.context)
    params = SamplingParams(temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, min_p=args.min_p,
                            repetition_penalty=args.repetition_penalty, seed=args.seed)
    messages = [{"role": "system", "content": args.system}] if args.system else []
    if args.prompt is not None:
        answer(engine, messages + [{"role": "user", "content": args.prompt}], params, args.max_tokens)
        return
    interactive = sys.stdin.isatty()
    while True:
        try:
            text = input("> " if interactive else "")
        except EOFError:
            break
        if text.strip() in ("/exit", "/quit"):
            break
        if not text.strip():
            continue
        messages.append({"role": "user", "content": text})
        messages.append({"role": "assistant", "content": answer(engine, messages, params, args.max_tokens)})


def answer(engine: Engine, messages: list[dict], params: SamplingParams, max_tokens: int) -> str:
    """Stream the answer to stdout; return its text."""
    generation = engine.chat(messages, params=params, max_tokens=max_tokens)
    parts = []
    for delta in generation:
        parts.append(delta)
        sys.stdout.write(delta)
        sys.stdout.flush()
    sys.stdout.write("\n")
    if generation.result.dropped_messages:
        print(f"[the {generation.result.dropped_messages} oldest messages no longer fit in the context "
              "and were left out]", file=sys.stderr)
    return "".join(parts)
