"""The runtime's command line: `python -m runtime info|chat|tokenize|install-starter ...`.

MODEL is a .gguf path, a Hugging Face folder, `starter`, or an installed model's name. Errors meant
for a person (a bad file, a missing model) print one line to stderr and exit with code 2.
"""
import argparse
import json
import sys

from .errors import OctetError


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

    chat = commands.add_parser("chat", help="chat with a model (one answer with --prompt)")
    chat.add_argument("model")
    chat.add_argument("--prompt")
    chat.add_argument("--system")
    chat.add_argument("--max-tokens", type=int, default=512)
    chat.add_argument("--temperature", type=float, default=0.7)
    chat.add_argument("--seed", type=int)
    chat.add_argument("--device", default="cpu")
    chat.add_argument("--context", type=int, default=4096, help="context length to allocate (tokens)")
    chat.set_defaults(command=cmd_chat)

    tokenize = commands.add_parser("tokenize", help="token ids of a text or of a conversation, as JSON")
    tokenize.add_argument("model")
    source = tokenize.add_mutually_exclusive_group(required=True)
    source.add_argument("--text")
    source.add_argument("--chat", metavar="FILE.json", help='a JSON list of {"role", "content"}')
    tokenize.set_defaults(command=cmd_tokenize)

    starter = commands.add_parser("install-starter", help="put the starter model in the models folder")
    starter.set_defaults(command=cmd_install_starter)
    return parser


def cmd_info(args) -> None:
    from .loader import inspect_model
    from .paths import resolve_model

    info = inspect_model(resolve_model(args.model))
    if args.json:
        print(json.dumps(info, indent=2))
        return
    for key, value in info.items():
        if key.startswith("parameters_"):
            value = f"{value / 1e9:.2f}B" if value >= 1e9 else f"{value / 1e6:.1f}M"
        print(f"{key.replace('_', ' '):>18}: {value}")


def cmd_chat(args) -> None:
    from .chat_session import run_chat

    run_chat(args)


def cmd_tokenize(args) -> None:
    from .loader import load_text_side
    from .paths import resolve_model

    tokenizer, chat_encoder = load_text_side(resolve_model(args.model))
    if args.text is not None:
        ids = tokenizer.encode(args.text)
    else:
        ids = chat_encoder.encode_chat(read_conversation(args.chat), add_generation_prompt=True)
    print(json.dumps(ids))


def read_conversation(path: str) -> list[dict]:
    from .errors import OctetError

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


def cmd_install_starter(args) -> None:
    from .starter import install_starter

    print(install_starter())
