"""llama.cpp's side of the comparison, run with the llama-cpp-python venv's interpreter: the same
measurements as `python -m runtime bench` (load s, prefill tok/s of a random prompt, greedy decode
tok/s, peak RSS), printed as one JSON object. Usage: llama_cpp_bench.py MODEL THREADS PROMPT GEN"""
import json
import resource
import sys
import time

import llama_cpp
import numpy as np
from llama_cpp import Llama


def last_argmax(llm: Llama) -> int:
    """Greedy choice from the last token's logits (read in place, no copy of the vocab row)."""
    logits = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
    return int(np.argmax(np.ctypeslib.as_array(logits, shape=(llm.n_vocab(),))))


def main(path: str, threads: int, prompt_tokens: int, gen_tokens: int) -> dict:
    started = time.perf_counter()
    llm = Llama(model_path=path, n_threads=threads, n_threads_batch=threads, n_ctx=prompt_tokens + gen_tokens + 16,
                n_batch=prompt_tokens, n_ubatch=prompt_tokens, verbose=False, logits_all=False)
    load_s = time.perf_counter() - started
    rng = np.random.default_rng(0)
    prompt = rng.integers(3, llm.n_vocab(), prompt_tokens).tolist()
    llm.eval(prompt[:8])  # warm-up, as ours
    for _ in range(4):
        llm.eval([last_argmax(llm)])
    llm.reset()
    started = time.perf_counter()
    llm.eval(prompt)
    prefill_s = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(gen_tokens):
        llm.eval([last_argmax(llm)])
    decode_s = time.perf_counter() - started
    return {"model": path, "threads": threads, "load_s": round(load_s, 3),
            "prefill_tok_s": round(prompt_tokens / prefill_s, 2), "decode_tok_s": round(gen_tokens / decode_s, 2),
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9, 3)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))))
