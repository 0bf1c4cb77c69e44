"""Reopening a long conversation after a worker restart: time to first token with its saved chat state against the
full prefill of the same conversation.

Worker 1 (a real `runtime.worker` process) reads a conversation of about --tokens tokens from scratch and answers
one token (the full prefill, timed from the request to the first event of the answer), then shuts down, which
writes the conversation's state to the data folder (timed). Worker 2 loads the same model, and the same
conversation with one more question is sent: its time to first token is the resumed figure. Then the saved file
is read back in this process to time its parts (read + checksum, restore) and to see whether zlib would shrink it.

    python benchmarks/resume_chat.py [--model starter|PATH] [--tokens 7800] [--context 8192]

Uses a throw-away data folder; never touches yours. Wall-clock figures: run on a quiet machine, read the load
average printed beside them.
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PARAGRAPH = ("The harbour was quiet that morning; the boats rocked against their ropes while the keeper counted "
             "the crates, wrote the numbers in his book and wondered whether the storm would come before noon. ")
GREEDY = {"temperature": 0, "repetition_penalty": 1.0}


def conversation(turns: int) -> list[dict]:
    messages = [{"role": "system", "content": "You are a patient assistant."}]
    for i in range(turns):
        messages += [{"role": "user", "content": f"Part {i}. " + PARAGRAPH * 3},
                     {"role": "assistant", "content": f"Noted part {i}. " + PARAGRAPH}]
    return messages + [{"role": "user", "content": "Summarise all of that in one word."}]


def timed_answer(client, messages, conversation_id) -> tuple[float, dict, str]:
    """(seconds to the first event of the answer, its done event, its text)."""
    started = time.perf_counter()
    request = client.generate(messages, params=GREEDY, max_tokens=4, conversation_id=conversation_id)
    first = None
    events = []
    while True:
        message = client.next_event(timeout=1800)
        if message.get("id") != request:
            continue
        first = first or time.perf_counter() - started
        events.append(message)
        if message["type"] in ("done", "error"):
            break
    assert events[-1]["type"] == "done", events[-1]
    return first, events[-1], "".join(e["text"] for e in events if e["type"] == "token")


def started_worker(model: str, context: int):
    from runtime.worker.client import WorkerClient

    client = WorkerClient()
    client.start()
    request = client.load(model, context_length=context, state_memory_mb=0, state_disk_mb=64 * 1024)
    while True:
        message = client.next_event(timeout=600)
        if message.get("id") == request and message["type"] in ("loaded", "error"):
            assert message["type"] == "loaded", message
            return client


def turns_for(model: str, tokens: int) -> int:
    """How many turns make a conversation of about `tokens` tokens with this model's template."""
    from runtime.loader import load_model

    encoder = load_model(model).chat_encoder
    per_turn = len(encoder.encode_chat(conversation(2))) - len(encoder.encode_chat(conversation(1)))
    base = len(encoder.encode_chat(conversation(0), add_generation_prompt=True))
    return max(1, (tokens - base) // per_turn)


def file_parts(path: Path) -> dict:
    """Read-back timings of the saved file, and what zlib (level 1) makes of a 64 MB sample of its payload
    (and of the same values in bf16, when the cache is float32)."""
    import torch

    from runtime.chat_state import PREFIX

    data = path.read_bytes()
    started = time.perf_counter()
    hashlib.blake2b(data, digest_size=32).digest()
    checksum_s = time.perf_counter() - started
    header_length = PREFIX.unpack(data[:PREFIX.size])[2]
    dtype = json.loads(data[PREFIX.size:PREFIX.size + header_length])["tensors"][0][1]
    payload = data[PREFIX.size + header_length:]
    sample = payload[len(payload) // 2:][:64 << 20]  # from the middle: past the token ids
    sample = sample[:len(sample) // 4 * 4]
    started = time.perf_counter()
    packed = zlib.compress(sample, 1)
    parts = {"size": len(data), "dtype": dtype, "checksum_s": checksum_s, "zlib_ratio": len(packed) / len(sample),
             "zlib_s": (time.perf_counter() - started) * len(payload) / len(sample), "zlib_bf16_ratio": None}
    if dtype == "float32":
        as_bf16 = torch.frombuffer(bytearray(sample), dtype=torch.float32).to(torch.bfloat16)
        raw = as_bf16.view(torch.uint8).numpy().tobytes()
        parts["zlib_bf16_ratio"] = len(zlib.compress(raw, 1)) / len(raw)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="starter")
    parser.add_argument("--tokens", type=int, default=7800)
    parser.add_argument("--context", type=int, default=8192)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="octet-bench-") as folder:
        os.environ["OCTET_DATA_DIR"] = folder
        from runtime.paths import chat_state_dir, resolve_model
        from runtime.starter import install_starter

        model = str(install_starter() if args.model == "starter" else resolve_model(args.model))
        messages = conversation(turns_for(model, args.tokens))
        print(f"load average before: {os.getloadavg()[0]:.2f}")

        first = started_worker(model, args.context)
        full_s, done, answer = timed_answer(first, messages, "bench")
        prompt_tokens = done["stats"]["prompt_tokens"]
        started = time.perf_counter()
        first.shutdown(timeout=600)
        save_s = time.perf_counter() - started

        second = started_worker(model, args.context)
        reopened = messages + [{"role": "assistant", "content": answer}, {"role": "user", "content": "Why?"}]
        resumed_s, resumed, _ = timed_answer(second, reopened, "bench")
        second.shutdown(timeout=600)
        parts = file_parts(next(chat_state_dir().glob("*.kvstate")))
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print(f"model {Path(model).name}, context {args.context}")
        print(f"full prefill: {prompt_tokens} tokens, first token after {full_s:.2f} s "
              f"({done['stats']['prefill_tokens_per_s']:.0f} tokens/s)")
        print(f"state written at shutdown: {parts['size'] / 1e6:.0f} MB, shutdown took {save_s:.2f} s")
        print(f"reopened after a restart: {resumed['stats']['prompt_tokens']} tokens, "
              f"{resumed['resumed_tokens']} restored, {resumed['stats']['prefilled_tokens']} prefilled, "
              f"first token after {resumed_s:.2f} s = {100 * resumed_s / full_s:.1f}% of the full prefill")
        bf16 = parts["zlib_bf16_ratio"]
        print(f"file ({parts['dtype']} cache): blake2b over it {parts['checksum_s']:.2f} s; zlib level 1 would take "
              f"{parts['zlib_s']:.1f} s for {parts['zlib_ratio']:.0%} of the size"
              + (f" (the same values in bf16: {bf16:.0%} of their size)" if bf16 else ""))


if __name__ == "__main__":
    main()
