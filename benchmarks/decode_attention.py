"""Decode attention at long context: one query token over a KV cache of S positions at Mixtral's shapes
(32 query heads, 8 KV heads, head dim 128), one layer, in ms: Octet's blocked attention on a bf16 and an
int8 cache, against the whole-cache fp32 conversion it replaced and torch's scaled_dot_product_attention
on the bf16 cache. Best of `--repeat`, the kinds taken in turns (a busy machine slows each alike); one
thread by default, as a decode step runs torch (quant.kernels.serial_torch).

    .venv/bin/python benchmarks/decode_attention.py [--threads 1] [--repeat 20]
"""
import argparse
import os
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from runtime.kv_cache import KVCache  # noqa: E402
from runtime.model import decode_attention  # noqa: E402
from runtime.synth import preset_config  # noqa: E402


def whole_cache_fp32(q, keys, values):
    """The attention before the blocks: K and V converted to fp32 whole, every token."""
    H, K = q.shape[0], keys.shape[0]
    grouped = q.float().reshape(K, H // K, q.shape[-1])
    scores = grouped @ keys.float().transpose(1, 2) * q.shape[-1] ** -0.5
    return (scores.softmax(-1) @ values.float()).reshape(H, 1, -1)


def sdpa(q, keys, values):
    return F.scaled_dot_product_attention(q.to(keys.dtype)[None], keys[None], values[None], enable_gqa=True)[0]


def filled(positions: int, kv_dtype) -> KVCache:
    cache = KVCache(preset_config("mixtral-8x7b", 1), positions, kv_dtype=kv_dtype)
    for start in range(0, positions, 4096):
        end = min(positions, start + 4096)
        cache.store(0, start, torch.randn(8, end - start, 128), torch.randn(8, end - start, 128))
    cache.length = positions - 1  # the token's own key is stored: decode_attention runs after `store`
    return cache


def best_ms(kinds: dict, repeat: int) -> dict:
    best = dict.fromkeys(kinds, float("inf"))
    with torch.inference_mode():
        for _ in range(repeat + 1):  # the first round warms up
            for name, function in kinds.items():
                started = time.perf_counter()
                function()
                best[name] = min(best[name], time.perf_counter() - started)
    return {name: seconds * 1000 for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {args.threads} thread(s)")
    print("| positions | bf16 cache ms | int8 cache ms | whole bf16 cache in fp32 ms | torch SDPA (bf16) ms "
          "| bf16 cache read GB/s |")
    print("|---|---|---|---|---|---|")
    q = torch.randn(32, 1, 128)
    for positions in (512, 4096, 16384, 32768):
        bf16, int8 = filled(positions, torch.bfloat16), filled(positions, torch.int8)
        keys, values = bf16.keys[0], bf16.values[0]
        times = best_ms({"bf16": lambda: decode_attention(q, bf16.layer(0), None),
                         "int8": lambda: decode_attention(q, int8.layer(0), None),
                         "whole": lambda: whole_cache_fp32(q, keys, values),
                         "sdpa": lambda: sdpa(q, keys, values)}, args.repeat)
        gbps = 2 * keys.nbytes / times["bf16"] / 1e6
        print(f"| {positions} | {times['bf16']:.2f} | {times['int8']:.2f} | {times['whole']:.2f} | "
              f"{times['sdpa']:.2f} | {gbps:.1f} |", flush=True)


if __name__ == "__main__":
    main()
