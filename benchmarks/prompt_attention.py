"""Prompt attention: a chunk of T prompt tokens over a KV cache that holds `depth` positions before it, at Mixtral's
shapes (32 query heads, 8 KV heads, head dim 128), one layer, in ms: Octet's kernel (quant/native/prompt_attention.h,
the avx512 and avx2 libraries; OCTET_KERNEL_ISA=avx2 forces the latter) against torch's CPU flash kernel, the path it replaced (and still the path elsewhere), on bf16
and int8 caches. GMAC/s counts the multiply-adds a causal attention needs (scores and weighted values). Best of
`--repeat`, the kinds taken in turns; 2 threads by default, as a prompt runs.

    .venv/bin/python benchmarks/prompt_attention.py [--threads 2] [--repeat 5]
"""
import argparse
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from decode_attention import best_ms  # noqa: E402
from runtime import model  # noqa: E402
from runtime.kv_cache import KVCache  # noqa: E402
from runtime.quant.kernels import gguf_kernels  # noqa: E402
from runtime.synth import preset_config  # noqa: E402

CASES = [(0, 512), (3584, 512), (7936, 512), (0, 2048)]  # (depth, tokens): a 4K prompt's last chunk, a 16K one's mean


def filled(depth: int, tokens: int, kv_dtype) -> KVCache:
    positions = depth + tokens
    cache = KVCache(preset_config("mixtral-8x7b", 1), positions, kv_dtype=kv_dtype)
    for start in range(0, positions, 4096):
        end = min(positions, start + 4096)
        cache.store(0, start, torch.randn(8, end - start, 128), torch.randn(8, end - start, 128))
    cache.length = depth  # the chunk's keys are stored: prefill_attention runs after `store`
    return cache


def flash(q, layer_cache):
    """prefill_attention on torch's flash kernel."""
    native = model.native_prompts
    model.native_prompts = lambda q, layer_cache: False
    try:
        return model.prefill_attention(q, layer_cache, None)
    finally:
        model.native_prompts = native


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    kernels = gguf_kernels()
    if kernels is None or not kernels.prompt_attention_here:
        sys.exit("this library has no prompt attention (it is in the avx512 and avx2 ones): nothing to compare")
    kernels.threads = args.threads
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {args.threads} thread(s)")
    print("| depth + tokens | cache | Octet ms | torch flash ms | Octet GMAC/s | torch GMAC/s |")
    print("|---|---|---|---|---|---|")
    for depth, tokens in CASES:
        q = torch.randn(32, tokens, 128).bfloat16()
        macs = 2 * 32 * tokens * (depth + (tokens + 1) / 2) * 128
        for kv_dtype in (torch.bfloat16, torch.int8):
            cache = filled(depth, tokens, kv_dtype)
            times = best_ms({"octet": lambda: model.prefill_attention(q, cache.layer(0), None),
                             "flash": lambda: flash(q, cache.layer(0))}, args.repeat)
            print(f"| {depth} + {tokens} | {str(kv_dtype).removeprefix('torch.')} | {times['octet']:.1f} | "
                  f"{times['flash']:.1f} | {macs / times['octet'] / 1e6:.0f} | {macs / times['flash'] / 1e6:.0f} |",
                  flush=True)


if __name__ == "__main__":
    main()
