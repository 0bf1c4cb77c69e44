"""A load test of `python -m runtime serve` (not in the test suite): N concurrent streaming clients, in
rounds, against a real server process. Every client must get a whole answer (a 429 is retried after its
Retry-After, as OpenAI's clients do); reports latency p50 / p99 (first token and whole answer), 429s,
and the server's RSS after loading and after each round (it should stay flat).

    .venv/bin/python benchmarks/server_load.py --clients 50 [--rounds 3] [--max-tokens 32] [MODEL]
"""
import argparse
import http.client
import json
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from statistics import quantiles

import psutil

ROOT = Path(__file__).resolve().parent.parent


def start_server(model: str, max_queue: int) -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen([sys.executable, "-m", "runtime", "serve", model, "--port", "0", "--max-queue",
                                str(max_queue)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    found = re.search(r":(\d+)/v1", line)
    if not found:
        process.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return process, int(found.group(1))


def one_client(port: int, number: int, max_tokens: int, outcome: dict) -> None:
    try:
        stream_one(port, number, max_tokens, outcome)
    except Exception as error:  # a lost answer: counted, and the reason kept
        outcome.update(ok=False, error=f"{type(error).__name__}: {error}")


def stream_one(port: int, number: int, max_tokens: int, outcome: dict) -> None:
    """One streamed answer, retried on 429; fills `outcome` (ok, first_token_s, total_s, retries, chunks)."""
    body = json.dumps({"model": "any", "stream": True, "max_tokens": max_tokens, "temperature": 0.7, "seed": number,
                       "messages": [{"role": "user", "content": f"Tell me one fact about the number {number}."}]})
    started, retries = time.monotonic(), 0
    while True:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        connection.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        if response.status == 429:
            retries += 1
            wait = float(response.getheader("Retry-After") or 1)
            response.read()
            connection.close()
            time.sleep(wait)
            continue
        break
    first, chunks, finish, done = None, 0, None, False
    for raw in response:
        line = raw.decode().strip()
        if not line.startswith("data: "):
            continue
        if line == "data: [DONE]":
            done = True
            break
        chunk = json.loads(line[len("data: "):])
        choice = chunk["choices"][0]
        if choice["delta"].get("content"):
            first = first or time.monotonic()
            chunks += 1
        finish = choice["finish_reason"] or finish
    connection.close()
    outcome.update(ok=response.status == 200 and done and finish in ("stop", "length"), status=response.status,
                   first_token_s=(first or time.monotonic()) - started, total_s=time.monotonic() - started,
                   retries=retries, chunks=chunks)


def run_round(port: int, clients: int, max_tokens: int) -> list[dict]:
    outcomes = [{} for _ in range(clients)]
    threads = [threading.Thread(target=one_client, args=(port, i, max_tokens, outcomes[i])) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return f"{values[0]:.2f} s" if values else "-"
    cuts = quantiles(values, n=100, method="inclusive")
    return f"p50 {cuts[49]:.2f} s, p99 {cuts[98]:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="starter")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--max-queue", type=int, default=16, help="the server's --max-queue")
    args = parser.parse_args()
    process, port = start_server(args.model, args.max_queue)
    server = psutil.Process(process.pid)
    try:
        rss, everyone = [server.memory_info().rss], []
        print(f"server on port {port}, RSS after loading {rss[0] / 2**20:.0f} MiB")
        for number in range(1, args.rounds + 1):
            started = time.monotonic()
            outcomes = run_round(port, args.clients, args.max_tokens)
            seconds = time.monotonic() - started
            rss.append(server.memory_info().rss)
            answered = [o for o in outcomes if o.get("ok")]
            everyone += answered
            tokens = sum(o["chunks"] for o in answered)
            print(f"round {number}: {len(answered)}/{args.clients} answered whole, {args.clients - len(answered)} "
                  f"lost, {sum(o.get('retries', 0) for o in outcomes)} 429s retried, {seconds:.1f} s, "
                  f"{tokens / seconds:.1f} tokens/s in all; RSS {rss[-1] / 2**20:.0f} MiB")
            for error in sorted({o["error"] for o in outcomes if "error" in o}):
                print(f"  lost: {error}")
            print(f"  whole answer: {percentiles([o['total_s'] for o in answered])}; "
                  f"first token: {percentiles([o['first_token_s'] for o in answered])}")
        print(f"all rounds: whole answer {percentiles([o['total_s'] for o in everyone])}; "
              f"first token {percentiles([o['first_token_s'] for o in everyone])}")
        growth = (rss[-1] - rss[1]) / 2**20
        print(f"RSS: {' -> '.join(f'{r / 2**20:.0f}' for r in rss)} MiB; after round 1 it grew {growth:+.1f} MiB")
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
