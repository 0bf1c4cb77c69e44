"""`runtime bench`: load seconds, prefill and decode tokens/s, peak memory of one model and the kernels it ran on.

Measured as llama.cpp's peers are: a fixed prompt of random vocabulary ids (default 512) prefilled
once after a short warm-up, then greedy decoding (argmax, no sampler) of `gen_tokens` tokens.
Threads default to the physical cores. Peak memory is the process's peak RSS (ru_maxrss).
"""
import resource
import sys
import time
from pathlib import Path

import torch

from .engine import Engine
from .generate import prefill
from .kv_cache import DEFAULT_KV_CACHE
from .quant.kernels import gguf_kernels, kernel_path


def run_bench(path, *, prompt_tokens: int = 512, gen_tokens: int = 128, threads: int | None = None,
              quantize: str | None = "auto", device: str = "cpu", kv_cache: str = DEFAULT_KV_CACHE) -> dict:
    engine = Engine(device=device, quantize=quantize, threads=threads, kv_cache=kv_cache)
    _first_use_of_torch()
    started = time.perf_counter()
    loaded = engine.load(Path(path), context_length=prompt_tokens + gen_tokens + 16)
    load_s = time.perf_counter() - started
    model, cache = loaded.model, engine.cache
    prompt = torch.randint(3, loaded.config.vocab_size, (prompt_tokens,),
                           generator=torch.Generator().manual_seed(0)).tolist()
    with torch.inference_mode():
        _decode(model, cache, prefill(model, cache, prompt[:8], device), 4, device)  # warm-up
        cache.truncate(0)
        started = time.perf_counter()
        logits = prefill(model, cache, prompt, device)
        prefill_s = time.perf_counter() - started
        started = time.perf_counter()
        _decode(model, cache, logits, gen_tokens, device)
        decode_s = time.perf_counter() - started
    return {
        "model": str(path), "quantization": loaded.quantization, "device": device,
        "kernels": kernel_path() if device == "cpu" else "torch",
        "threads": torch.get_num_threads(), "load_s": round(load_s, 3),
        "prompt_tokens": prompt_tokens, "prefill_tok_s": round(prompt_tokens / prefill_s, 2),
        "gen_tokens": gen_tokens, "decode_tok_s": round(gen_tokens / decode_s, 2),
        "peak_rss_gb": round(peak_rss_bytes() / 1e9, 3), "file_gb": round(model_bytes(Path(path)) / 1e9, 3),
        "kv_cache": kv_cache, "kv_cache_gb": round(cache.nbytes / 1e9, 6),
    }


def _first_use_of_torch():
    """What a process pays once, before any model (as `import llama_cpp` is left out of llama.cpp's
    load time): our kernels' library for this CPU loaded."""
    gguf_kernels()


def _decode(model, cache, logits, steps: int, device):
    for _ in range(steps):
        token = logits.argmax().view(1)
        logits = model(token.to(device), cache)[-1]
    return logits


def peak_rss_bytes() -> int:
    """The process's peak resident set (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def model_bytes(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.glob("*.safetensors"))
    return path.stat().st_size


def format_report(result: dict) -> str:
    return (f"{Path(result['model']).name} ({result['quantization']}, {result['kernels']} kernels, "
            f"{result['threads']} threads): "
            f"load {result['load_s']:.2f} s, prefill {result['prefill_tok_s']:.1f} tok/s "
            f"({result['prompt_tokens']} tokens), decode {result['decode_tok_s']:.1f} tok/s "
            f"({result['gen_tokens']} tokens), peak RSS {result['peak_rss_gb']:.2f} GB "
            f"(file {result['file_gb']:.2f} GB, {result['kv_cache']} KV cache {result['kv_cache_gb'] * 1000:.0f} MB)")
