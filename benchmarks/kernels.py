"""Octet's native matrix-vector kernels per GGUF type at Mixtral's expert shapes (14336x4096 and 4096x14336),
in GB/s of weights read: one thread in CPU time (time.thread_time: what the kernel costs a core, even on a
busy machine) and two threads in wall-clock time. The library this CPU runs, or the one `--isa` forces
(avx512, avx2, portable). Weights are random blocks with valid fp16 scales; best of `--repeat`, after a
warm-up. The load average is printed before and after: on a shared machine the figures are noisy.
`--prompt`: a prompt's product instead (--tokens rows of x, default 128: a Mixtral expert's share of a
512-token prompt), in GMAC/s on two threads, the integer product on the blocks (avx512) against the bf16
tiles (dequantized by our kernels, multiplied by torch's oneDNN) that the other libraries use.

    .venv/bin/python benchmarks/kernels.py [--isa avx2] [--types Q4_K,Q6_K] [--tokens 1] [--repeat 5] [--json]
    .venv/bin/python benchmarks/kernels.py --prompt [--tokens 128] [--types Q4_K,Q3_K]
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import gguf
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from runtime.quant import kernels  # noqa: E402

T = gguf.GGMLQuantizationType
TYPES = ("Q4_K", "Q6_K", "Q8_0", "Q4_0", "Q3_K", "Q5_K", "Q2_K", "Q5_0", "Q4_1", "Q5_1")  # by importance
SHAPES = ((14336, 4096), (4096, 14336))  # Mixtral's expert matrices: w1/w3 and w2, [N, K]
# byte offsets of each block's fp16 fields: d, and dmin or m (llama.cpp's ggml-common.h)
SCALE_FIELDS = {T.Q4_0: (0,), T.Q4_1: (0, 2), T.Q5_0: (0,), T.Q5_1: (0, 2), T.Q8_0: (0,),
                T.Q2_K: (80, 82), T.Q3_K: (108,), T.Q4_K: (0, 2), T.Q5_K: (0, 2), T.Q6_K: (208,)}


def random_weights(rng: np.random.Generator, qtype, N: int, K: int) -> torch.Tensor:
    """[N, row bytes] of random blocks whose fp16 scales are small normal numbers."""
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    raw = rng.integers(0, 256, (N, K // block, size), dtype=np.uint8)
    for at in SCALE_FIELDS[qtype]:
        scales = rng.uniform(0.001, 0.01, (N, K // block)).astype(np.float16)
        raw[..., at:at + 2] = scales.view(np.uint8).reshape(N, K // block, 2)
    return torch.from_numpy(raw.reshape(N, -1))


def best_seconds(run, clock, repeat: int) -> float:
    run()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        started = clock()
        run()
        best = min(best, clock() - started)
    return best


def measure(library, qtype, tokens: int, repeat: int, rng: np.random.Generator) -> dict:
    """GB/s per shape: {"14336x4096": {"1 thread cpu": ..., "2 threads wall": ...}, ...}."""
    results = {}
    for N, K in SHAPES:
        w = random_weights(rng, qtype, N, K)
        x = torch.randn(tokens, K)

        def run():
            library.matvec(x, w, int(qtype), K)

        figures = {}
        for threads, clock, label in ((1, time.thread_time, "1 thread cpu"), (2, time.perf_counter, "2 threads wall")):
            library.threads = threads
            figures[label] = round(w.numel() / best_seconds(run, clock, repeat) / 1e9, 2)
        results[f"{N}x{K}"] = figures
    return results


def measure_prompt(library, qtype, tokens: int, repeat: int, rng: np.random.Generator) -> dict:
    """GMAC/s per shape, two threads, wall clock: {"14336x4096": {"integer": ..., "bf16 tiles": ...}, ...}."""
    results = {}
    library.threads = 2
    torch.set_num_threads(2)
    for N, K in SHAPES:
        w = random_weights(rng, qtype, N, K)
        x = torch.randn(tokens, K, dtype=torch.bfloat16)
        runs = {"bf16 tiles": lambda: torch.nn.functional.linear(x, library.dequantize(w, int(qtype), K, torch.bfloat16))}
        if library.integer_matmul:
            runs["integer"] = lambda: library.matmul(x, w, int(qtype), K)
        results[f"{N}x{K}"] = {label: round(tokens * N * K / best_seconds(run, time.perf_counter, repeat) / 1e9, 1)
                               for label, run in runs.items()}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--isa", help="force a library: avx512, avx2, portable (default: the best this CPU runs)")
    parser.add_argument("--types", default=",".join(TYPES), help="comma-separated GGUF types")
    parser.add_argument("--tokens", type=int, help="rows of x (default 1 = decoding; 128 with --prompt)")
    parser.add_argument("--prompt", action="store_true", help="a prompt's matrix product, in GMAC/s")
    parser.add_argument("--repeat", type=int, default=10, help="best of this many runs (a busy machine: more)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    args = parser.parse_args()
    args.tokens = args.tokens or (128 if args.prompt else 1)
    if args.isa:
        os.environ["OCTET_KERNEL_ISA"] = args.isa
    library = kernels.gguf_kernels()
    if library is None:
        sys.exit(f"no native kernels for {args.isa or 'this CPU'}: build them with "
                 "`.venv/bin/python -m runtime.quant.native`")
    load_before = os.getloadavg()
    if not args.json:
        load = " ".join(f"{x:.2f}" for x in load_before)
        print(f"{library.isa} library, {args.tokens} token(s); load average {load}", flush=True)
    rng = np.random.default_rng(0)
    results = {}
    for name in args.types.split(","):
        if args.prompt:
            results[name] = figures = measure_prompt(library, T[name], args.tokens, args.repeat, rng)
            if not args.json:
                print(f"{name:5} GMAC/s  " + " | ".join(f"{shape}: " + ", ".join(f"{v:6.1f} ({k})" for k, v in f.items())
                                                       for shape, f in figures.items()), flush=True)
            continue
        results[name] = figures = measure(library, T[name], args.tokens, args.repeat, rng)
        if not args.json:
            shapes = " | ".join(f"{shape}: {f['1 thread cpu']:5.1f} (1 thread, cpu) {f['2 threads wall']:5.1f} "
                                f"(2 threads, wall)" for shape, f in figures.items())
            print(f"{name:5} GB/s  {shapes}", flush=True)
    load_after = os.getloadavg()
    if args.json:
        unit = "gmac_per_s" if args.prompt else "gb_per_s"
        print(json.dumps({"isa": library.isa, "tokens": args.tokens, "load_average_before": load_before,
                          "load_average_after": load_after, unit: results}, indent=1))
    else:
        print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")


if __name__ == "__main__":
    main()
