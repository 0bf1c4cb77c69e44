"""llama.cpp's side of the comparison, run with the llama-cpp-python venv's interpreter: the same
measurements as `python -m runtime bench` (load s until ready for a prompt, prefill tok/s of one
prompt, greedy decode tok/s, peak RSS), printed as one JSON object with the build's CPU features.

    llama_cpp_bench.py MODEL THREADS PROMPT GEN [--prompt-ids FILE]

--prompt-ids: a JSON list of token ids (compare_llama_cpp.py passes the ids Octet's bench prefills);
without it, PROMPT random ids of the model's vocabulary.
"""
import argparse
import json
import resource
import time

import llama_cpp
import numpy as np
from llama_cpp import Llama


def last_argmax(llm: Llama) -> int:
    """Greedy choice from the last token's logits (read in place, no copy of the vocab row)."""
    logits = llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1)
    return int(np.argmax(np.ctypeslib.as_array(logits, shape=(llm.n_vocab(),))))


def prompt_ids(llm: Llama, count: int, ids_file: str | None) -> list[int]:
    if ids_file:
        with open(ids_file) as file:
            return json.load(file)[:count]
    return np.random.default_rng(0).integers(3, llm.n_vocab(), count).tolist()


def main(path: str, threads: int, prompt_tokens: int, gen_tokens: int, ids_file: str | None = None) -> dict:
    started = time.perf_counter()
    llm = Llama(model_path=path, n_threads=threads, n_threads_batch=threads, n_ctx=prompt_tokens + gen_tokens + 16,
                n_batch=prompt_tokens, n_ubatch=prompt_tokens, verbose=False, logits_all=False)
    load_s = time.perf_counter() - started
    prompt = prompt_ids(llm, prompt_tokens, ids_file)
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
            "prompt_tokens": len(prompt), "prefill_tok_s": round(len(prompt) / prefill_s, 2),
            "gen_tokens": gen_tokens, "decode_tok_s": round(gen_tokens / decode_s, 2),
            "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9, 3),
            "llama_cpp_python": llama_cpp.__version__,
            "build": llama_cpp.llama_print_system_info().decode(errors="replace").strip()}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("threads", type=int)
    parser.add_argument("prompt_tokens", type=int)
    parser.add_argument("gen_tokens", type=int)
    parser.add_argument("--prompt-ids", help="JSON list of the prompt's token ids")
    args = parser.parse_args()
    print(json.dumps(main(args.model, args.threads, args.prompt_tokens, args.gen_tokens, args.prompt_ids)))
