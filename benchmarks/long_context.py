"""Long context on one model file: decode tok/s with 512, 16K and 32K positions in the KV cache, prefill
tok/s deep in the cache against at its start, and the peak RSS with a full 32K cache against the weights
plus the KV cache; for a bf16 and an int8 cache (each in its own process, so that its peak RSS is its
own), with the engine's default threads (the physical cores).

    .venv/bin/python benchmarks/long_context.py MODEL.gguf [--kv-cache bf16 int8] [--prompts 512 16384]
        [--attention-threads 1 2]

The cache is filled with random keys and values (attention reads every position alike whatever it
holds; prefilling 32K tokens takes minutes), then decode steps at each depth and 512-token prefill chunks
at depth 0 and at 7936 (the mean depth of a 16K prompt's 32 chunks: a chunk's attention grows linearly
with its depth, so that chunk's rate is the 16K prompt's) are timed in turns, so that a busy machine
slows each alike; medians and best runs are reported. `--prompts` also times whole prompts of random
ids, each in a fresh process, as the engine prefills them. llama.cpp decoding at 16K runs through
llama-cpp-python when it can be imported (`--llama-cpp`). Decode attention runs the native kernel where
the library is built (the JSON says which, and with how many threads; `--attention-threads 1 2` runs
each count in its own process).
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHUNK = 512
TORCH_ATTENTION = -1  # an --attention-threads value: decode attention in torch ops (model.blocked_decode_attention)


def measure_interleaved(path: Path, kv_cache: str, depths: list[int], chunk_depths: list[int], steps: int,
                        chunks: int, attention_threads: int | None = None, threads: int | None = None) -> dict:
    """One model and one cache filled to the largest depth with random keys and values; then, in turns
    (so that a busy machine slows every depth alike), one greedy decode step at each depth, `steps`
    times, and one 512-token prefill chunk at each chunk depth, `chunks` times. Medians and best times;
    the peak RSS is that of a full 32K cache."""
    import torch

    from runtime.bench import _first_use_of_torch, model_bytes, peak_rss_bytes
    from runtime.engine import Engine
    from runtime.generate import prefill
    from runtime.quant.kernels import gguf_kernels

    engine = Engine(kv_cache=kv_cache, threads=threads)
    _first_use_of_torch()
    if attention_threads == TORCH_ATTENTION:  # the torch path the kernel replaced, for comparison
        import runtime.model

        runtime.model.decode_attention = runtime.model.blocked_decode_attention
    elif attention_threads and gguf_kernels():
        gguf_kernels().attention_threads = attention_threads
    loaded = engine.load(path, context_length=max(depths + [d + CHUNK for d in chunk_depths]) + 1)
    model, cache, config = loaded.model, engine.cache, loaded.config
    g = torch.Generator().manual_seed(0)
    with torch.inference_mode():
        for layer in range(config.num_hidden_layers):
            for start in range(0, cache.max_len, 2048):
                end = min(cache.max_len, start + 2048)
                shape = (config.num_key_value_heads, end - start, config.head_dim)
                cache.store(layer, start, torch.randn(shape, generator=g), torch.randn(shape, generator=g))
        token = torch.tensor([7])
        decode = {depth: [] for depth in depths}
        cpu = {depth: [] for depth in depths}  # this thread's CPU time: the whole step's work with --threads 1
        model(token, cache)  # warm-up
        for _ in range(steps):
            for depth in depths:
                cache.length = depth
                started, started_cpu = time.perf_counter(), time.thread_time()
                model(token, cache)
                decode[depth].append(time.perf_counter() - started)
                cpu[depth].append(time.thread_time() - started_cpu)
        chunk = {depth: [] for depth in chunk_depths}
        prompt = torch.randint(3, config.vocab_size, (CHUNK,), generator=g).tolist()
        for _ in range(chunks):
            for depth in chunk_depths:
                cache.length = depth
                started = time.perf_counter()
                prefill(model, cache, prompt)
                chunk[depth].append(time.perf_counter() - started)
    kernels = gguf_kernels() if attention_threads != TORCH_ATTENTION else None
    return {"kv_cache": kv_cache, "attention": "native" if kernels else "torch",
            "attention_threads": kernels and (kernels.attention_threads or kernels.threads), "file_gb": round(model_bytes(path) / 1e9, 3),
            "kv_cache_gb": round(cache.nbytes / 1e9, 3), "peak_rss_gb": round(peak_rss_bytes() / 1e9, 3),
            "decode_tok_s": {d: rates(times, 1) for d, times in decode.items()},
            **({"decode_cpu_tok_s": {d: rates(times, 1) for d, times in cpu.items()}} if threads == 1 else {}),
            "chunk_prefill_tok_s": {d: rates(times, CHUNK) for d, times in chunk.items()}}


def rates(seconds: list[float], tokens: int) -> dict:
    """Tokens/s of the median and of the best run."""
    ordered = sorted(seconds)
    return {"median": round(tokens / ordered[len(ordered) // 2], 2), "best": round(tokens / ordered[0], 2)}


def measure_prefill(path: Path, tokens: int, kv_cache: str) -> dict:
    import torch

    from runtime.bench import _first_use_of_torch
    from runtime.engine import Engine
    from runtime.generate import prefill

    engine = Engine(kv_cache=kv_cache)
    _first_use_of_torch()
    loaded = engine.load(path, context_length=tokens + 16)
    prompt = torch.randint(3, loaded.config.vocab_size, (tokens,), generator=torch.Generator().manual_seed(1)).tolist()
    with torch.inference_mode():
        prefill(loaded.model, engine.cache, prompt[:8])  # warm-up
        engine.cache.truncate(0)
        started = time.perf_counter()
        prefill(loaded.model, engine.cache, prompt)
        seconds = time.perf_counter() - started
    return {"prompt_tokens": tokens, "kv_cache": kv_cache, "prefill_tok_s": round(tokens / seconds, 1)}


def measure_llama_cpp(path: Path, positions: int, gen_tokens: int) -> dict:
    import llama_cpp  # deferred: optional, and only this measurement needs it

    threads = len(os.sched_getaffinity(0))
    llm = llama_cpp.Llama(str(path), n_ctx=positions + gen_tokens + 16, n_threads=threads, n_batch=CHUNK,
                          verbose=False)
    prompt = [3 + i % 1000 for i in range(positions)]
    llm.eval(prompt)
    started = time.perf_counter()
    for _ in range(gen_tokens):
        llm.eval([int(llm.scores[llm.n_tokens - 1].argmax())])
    return {"positions": positions, "llama_cpp_decode_tok_s": round(gen_tokens / (time.perf_counter() - started), 2)}


def in_child(*args: str) -> dict:
    """One measurement in a fresh process: its JSON line."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--kv-cache", nargs="+", default=["bf16", "int8"])
    parser.add_argument("--depths", type=int, nargs="+", default=[512, 16384, 32768 - 64],
                        help="cache positions to decode at")
    parser.add_argument("--chunk-depths", type=int, nargs="*", default=[0, 8192 - CHUNK // 2],
                        help="cache positions to prefill a 512-token chunk at (7936: a 16K prompt's mean)")
    parser.add_argument("--steps", type=int, default=15, help="decode steps at each depth")
    parser.add_argument("--chunks", type=int, default=2, help="prefill chunks at each chunk depth")
    parser.add_argument("--prompts", type=int, nargs="*", default=[],
                        help="whole prompts to prefill, each in its own process (512 16384: minutes)")
    parser.add_argument("--gen-tokens", type=int, default=32)
    parser.add_argument("--llama-cpp", action="store_true", help="also llama.cpp's decode at 16K")
    parser.add_argument("--threads", type=int, default=0,
                        help="the engine's threads (0: the physical cores); with 1 the decode steps' CPU time is "
                             "reported too, which a busy machine changes far less than the wall time")
    parser.add_argument("--attention-threads", type=int, nargs="+", default=[0],
                        help="threads of the native decode attention, each in turn (0: the engine's; -1: "
                             "torch's blocked path instead, for comparison)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, number, kv_cache = args.child
        result = (measure_interleaved(args.model, kv_cache, args.depths, args.chunk_depths, args.steps, args.chunks,
                                      int(number), args.threads or None)
                  if kind == "interleaved" else measure_prefill(args.model, int(number), kv_cache) if kind == "prefill"
                  else measure_llama_cpp(args.model, int(number), args.gen_tokens))
        print(json.dumps(result))
        return
    for kv_cache in args.kv_cache:
        options = ["--depths", *map(str, args.depths), "--chunk-depths", *map(str, args.chunk_depths),
                   "--steps", str(args.steps), "--chunks", str(args.chunks), "--threads", str(args.threads)]
        for threads in args.attention_threads:
            before = load_average()
            result = in_child(str(args.model), *options, "--child", "interleaved", str(threads), kv_cache)
            print(json.dumps({**result, "load_before": before, "load_after": load_average()}), flush=True)
        for tokens in args.prompts:
            before = load_average()
            result = in_child(str(args.model), "--child", "prefill", str(tokens), kv_cache)
            print(json.dumps({**result, "load_before": before, "load_after": load_average()}), flush=True)
    if args.llama_cpp:
        try:
            result = in_child(str(args.model), "--gen-tokens", str(args.gen_tokens), "--child", "llama", "16384", "-")
            print(json.dumps(result), flush=True)
        except subprocess.CalledProcessError as error:
            print(f"llama.cpp: not measured ({error.stderr.strip().splitlines()[-1]})", flush=True)


if __name__ == "__main__":
    main()
