"""The runtime's command line: `python -m runtime info|chat|tokenize|bench|synth|serve|install-starter ...`.

MODEL is a .gguf path, a Hugging Face folder, `starter`, or an installed model's name. Errors meant
for a person (a bad file, a missing model) print one line to stderr and exit with code 2.
Each command imports its modules when it runs (torch takes seconds): `--help` and `install-starter`,
which the app runs, never import it.
"""
import argparse
import json
import sys
from pathlib import Path

from .errors import OctetError
from .paths import resolve_model
from .sampling_params import SamplingParams
from .server.security import api_key, check_bind
from .starter import install_starter
from .worker.protocol import KV_CACHE_TYPES


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.command(args) or 0
    except OctetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m runtime", description="Octet's model runtime")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    info = commands.add_parser("info", help="architecture, parameter counts and quantization of a model")
    info.add_argument("model")
    info.add_argument("--json", action="store_true")
    info.set_defaults(command=cmd_info)

    chat = commands.add_parser("chat", help="chat with a model (one answer with --prompt)",
                               formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    chat.add_argument("model")
    chat.add_argument("--prompt", help="answer this and exit (else an interactive chat)")
    chat.add_argument("--system", help="a system prompt")
    chat.add_argument("--max-tokens", type=int, default=512, help="the longest answer, in tokens")
    add_sampling_options(chat)
    chat.add_argument("--device", default="cpu", help="cpu, or cuda / mps where torch has them")
    chat.add_argument("--context", type=int, default=4096, help="context length to allocate (tokens)")
    add_kv_cache_option(chat)
    chat.set_defaults(command=cmd_chat)

    tokenize = commands.add_parser("tokenize", help="token ids of a text or of a conversation, as JSON")
    tokenize.add_argument("model")
    source = tokenize.add_mutually_exclusive_group(required=True)
    source.add_argument("--text")
    source.add_argument("--chat", metavar="FILE.json", help='a JSON list of {"role", "content"}')
    tokenize.set_defaults(command=cmd_tokenize)

    synth = commands.add_parser("synth", help="write a GGUF with a real architecture's shapes and random weights")
    synth.add_argument("out", metavar="OUT.gguf")
    synth.add_argument("--preset", required=True, choices=["mixtral-8x7b", "mistral-7b", "tiny-mixtral"])
    synth.add_argument("--layers", type=int, help="number of layers (default: the preset's)")
    synth.add_argument("--type", default="Q4_0", choices=["F32", "F16", "Q8_0", "Q4_0", "Q6_K", "Q5_K_M", "Q4_K_M",
                                                          "Q3_K_M", "Q2_K"],
                       help="Q6_K ... Q2_K: laid out as llama.cpp quantizes those file types")
    synth.add_argument("--seed", type=int, default=0)
    synth.set_defaults(command=cmd_synth)

    bench = commands.add_parser("bench", help="load time, prefill and decode tokens/s, peak memory")
    bench.add_argument("model")
    bench.add_argument("--prompt-tokens", type=int, default=512)
    bench.add_argument("--gen-tokens", type=int, default=128)
    bench.add_argument("--threads", type=int, help="CPU threads (default: the physical cores)")
    bench.add_argument("--quantize", choices=["auto", "int8", "int4", "none"], default="auto",
                       help="auto keeps a GGUF's quantization and picks by memory for a folder")
    bench.add_argument("--device", default="cpu")
    add_kv_cache_option(bench)
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(command=cmd_bench)

    serve = commands.add_parser("serve", help="an OpenAI-compatible HTTP API for a model (docs/server.md)",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    serve.add_argument("model")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on; beyond loopback needs --api-key")
    serve.add_argument("--port", type=int, default=8080, help="0: any free port (printed)")
    serve.add_argument("--api-key", help="required as 'Authorization: Bearer KEY' (default: $OCTET_API_KEY)")
    serve.add_argument("--context", type=int, default=4096, help="context length to allocate (tokens)")
    serve.add_argument("--model-name", help="the model's id in the API (default: the file name without .gguf)")
    serve.add_argument("--max-queue", type=int, default=16, help="requests that may wait; more get 429")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="another Host header name to accept (a reverse proxy's, the machine's LAN name)")
    serve.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                       help="a web page origin allowed to call the API (none by default)")
    serve.add_argument("--device", default="cpu", help="cpu, or cuda / mps where torch has them")
    add_kv_cache_option(serve)
    serve.set_defaults(command=cmd_serve)

    starter = commands.add_parser("install-starter", help="put the starter model in the models folder")
    starter.set_defaults(command=cmd_install_starter)
    return parser


def add_kv_cache_option(parser) -> None:
    parser.add_argument("--kv-cache", choices=KV_CACHE_TYPES, default=KV_CACHE_TYPES[0],
                        help="how the KV cache stores keys and values: int8 takes about half the memory of bf16")


def add_sampling_options(parser) -> None:
    """The sampling flags, with SamplingParams' own defaults (shown by --help)."""
    defaults = SamplingParams()
    parser.add_argument("--temperature", type=float, default=defaults.temperature,
                        help="0: greedy, the plain argmax of the logits (the other options then do nothing)")
    parser.add_argument("--top-k", type=int, default=defaults.top_k, help="keep the k likeliest tokens (0: all)")
    parser.add_argument("--top-p", type=float, default=defaults.top_p, help="keep the likeliest tokens up to this mass")
    parser.add_argument("--min-p", type=float, default=defaults.min_p,
                        help="drop tokens less likely than this times the likeliest")
    parser.add_argument("--repetition-penalty", type=float, default=defaults.repetition_penalty,
                        help="shrink the logits of the last 64 tokens' ids (1.0: off)")
    parser.add_argument("--seed", type=int, help="the same seed and options give the same answer")


def cmd_info(args) -> None:
    from .loader import inspect_model  # deferred: torch
    from .quant.kernels import kernel_path

    info = {**inspect_model(resolve_model(args.model)), "kernels": kernel_path()}  # what this machine runs it on
    if args.json:
        print(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        if key.startswith("parameters_"):
            value = f"{value / 1e9:.2f}B" if value >= 1e9 else f"{value / 1e6:.1f}M"
        print(f"{key.replace('_', ' '):>18}: {value}")


def cmd_chat(args) -> None:
    from .chat_session import run_chat  # deferred: torch

    run_chat(args)


def cmd_tokenize(args) -> None:
    from .loader import load_text_side  # deferred: torch

    tokenizer, chat_encoder = load_text_side(resolve_model(args.model))
    if args.text is not None:
        ids = tokenizer.encode(args.text)
    else:
        ids = chat_encoder.encode_chat(read_conversation(args.chat), add_generation_prompt=True)
    print(json.dumps(ids))


def read_conversation(path: str) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as file:
            messages = json.load(file)
    except (OSError, ValueError) as error:
        raise OctetError(f"{path}: cannot read the conversation ({error})") from error
    if not isinstance(messages, list) or not all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in messages):
        raise OctetError(f'{path}: expected a JSON list of {{"role": ..., "content": ...}} objects')
    return messages


def cmd_synth(args) -> None:
    from .synth import synth  # deferred: torch

    if args.layers is not None and args.layers < 1:
        raise OctetError(f"--layers must be at least 1, not {args.layers}")
    if not Path(args.out).parent.is_dir():
        raise OctetError(f"{args.out}: the folder {Path(args.out).parent} does not exist")
    result = synth(args.preset, args.layers, args.type, Path(args.out), seed=args.seed)
    print(f"{result['path']}: {result['bytes'] / 1e9:.2f} GB, {result['parameters'] / 1e9:.2f}B parameters, "
          f"{result['seconds']:.1f} s")


def cmd_bench(args) -> None:
    from .bench import format_report, run_bench  # deferred: torch

    if args.prompt_tokens < 1 or args.gen_tokens < 1:
        raise OctetError("--prompt-tokens and --gen-tokens must be at least 1")
    result = run_bench(resolve_model(args.model), prompt_tokens=args.prompt_tokens, gen_tokens=args.gen_tokens,
                       threads=args.threads, quantize=None if args.quantize == "none" else args.quantize,
                       device=args.device, kv_cache=args.kv_cache)
    print(json.dumps(result, indent=2) if args.json else format_report(result))


def cmd_serve(args) -> None:
    check_bind(args.host, api_key(args.api_key))  # before torch's seconds of import
    from .server.serve import run_server  # deferred: torch

    run_server(args)


def cmd_install_starter(args) -> None:
    print(install_starter())
