"""Decode attention at long context: one query token over a bf16 KV cache of S positions at Mixtral's
shapes (32 query heads, 8 KV heads, head dim 128), one layer, in ms: Octet's blocked attention against
the whole-cache fp32 conversion it replaced and torch's scaled_dot_product_attention.

    .venv/bin/python benchmarks/decode_attention.py [--threads 2] [--repeat 20]
"""
import argparse
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from runtime.model import decode_attention  # noqa: E402


def whole_cache_fp32(q, keys, values, mask):
    """The attention before the blocks: K and V converted to fp32 whole, every token."""
    H, K = q.shape[0], keys.shape[0]
    grouped = q.float().reshape(K, H // K, q.shape[-1])
    scores = (grouped @ keys.float().transpose(1, 2) * q.shape[-1] ** -0.5).masked_fill(~mask, float("-inf"))
    return (scores.softmax(-1) @ values.float()).reshape(H, 1, -1).to(q.dtype)


def sdpa(q, keys, values, mask):
    return F.scaled_dot_product_attention(q[None], keys[None], values[None], enable_gqa=True)[0]


def milliseconds(function, args, repeat: int) -> float:
    with torch.inference_mode():
        function(*args)
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            function(*args)
            best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print("| positions | Octet (blocks) ms | whole cache in fp32 ms | torch SDPA ms | cache read GB/s |")
    print("|---|---|---|---|---|")
    for positions in (512, 4096, 16384, 32768):
        q = torch.randn(32, 1, 128, dtype=torch.bfloat16)
        keys, values = (torch.randn(8, positions, 128, dtype=torch.bfloat16) for _ in range(2))
        mask = torch.ones(1, positions, dtype=torch.bool)
        times = [milliseconds(f, (q, keys, values, mask), args.repeat) for f in (decode_attention, whole_cache_fp32, sdpa)]
        gbps = 2 * keys.nbytes / times[0] / 1e6
        print(f"| {positions} | {times[0]:.2f} | {times[1]:.2f} | {times[2]:.2f} | {gbps:.1f} |")


if __name__ == "__main__":
    main()
