"""Octet against llama.cpp on the same files and thread count, side by side in one run; writes the
table and a plot to docs/benchmarks.md (and docs/benchmarks.svg).

    python benchmarks/compare_llama_cpp.py --install        # once: builds llama-cpp-python (~8 min)
    python benchmarks/compare_llama_cpp.py [--threads N] [--repeat 3] [--workloads q4_0,q8_0,starter]

Workloads: `runtime synth --preset mixtral-8x7b --layers 2` at Q4_0 and Q8_0, and the starter model.
Each is run `--repeat` times, alternating the two runtimes; medians are reported. The machine's read
bandwidth is measured in the same run; the limit is bandwidth / bytes of weights read per token.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LLAMA_VENV = HERE / ".llama-venv"
LLAMA_PYTHON = LLAMA_VENV / "bin" / "python"
LLAMA_VERSION = "0.3.36"
# GGML_NATIVE would also build the AMX path, which crashes on Q4_0 on our machines (segfault in
# ggml_backend_amx_mul_mat): the AVX-512 features are named instead.
LLAMA_CMAKE_ARGS = ("-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON "
                    "-DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_BF16=ON -DGGML_AMX_TILE=OFF "
                    "-DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DGGML_BLAS=OFF")
METRICS = ("decode_tok_s", "prefill_tok_s", "load_s", "peak_rss_gb")


def install_llama_cpp() -> None:
    """llama-cpp-python built from source into benchmarks/.llama-venv (git-ignored)."""
    subprocess.run([sys.executable, "-m", "venv", str(LLAMA_VENV)], check=True)
    env = dict(os.environ, CMAKE_ARGS=LLAMA_CMAKE_ARGS)
    subprocess.run([str(LLAMA_PYTHON), "-m", "pip", "install", "--no-cache-dir", f"llama-cpp-python=={LLAMA_VERSION}"],
                   check=True, env=env)


def workload_files(workdir: Path, names: list[str]) -> dict[str, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in names:
        if name == "starter":
            sys.path.insert(0, str(ROOT))
            from runtime.starter import install_starter

            files["starter SmolLM2-135M-Instruct (Q4_1)"] = install_starter()
            continue
        path = workdir / f"mixtral-2-layers-{name}.gguf"
        if not path.exists():
            subprocess.run([sys.executable, "-m", "runtime", "synth", "--preset", "mixtral-8x7b", "--layers", "2",
                            "--type", name.upper(), str(path)], check=True, cwd=ROOT)
        files[f"synth Mixtral 2 layers {name.upper()}"] = path
    return files


def read_bandwidth(threads: int) -> float:
    """GB/s reading a 1 GiB buffer with `threads` threads (best of 7: the machine is shared)."""
    code = ("import time, torch; torch.set_num_threads(%d); a = torch.ones(1 << 28); a.sum(); ts = []\n"
            "for _ in range(7):\n t = time.perf_counter(); a.sum(); ts.append(time.perf_counter() - t)\n"
            "print(a.nbytes / min(ts) / 1e9)" % threads)
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def bytes_per_token(path: Path) -> int:
    """Bytes of weights one decoded token reads: every matrix, A/E of each expert stack, one
    embedding row."""
    sys.path.insert(0, str(ROOT))
    from runtime.weights.gguf import GGUFFile

    file = GGUFFile(path)
    experts, used = file.metadata.get("llama.expert_count", 0), file.metadata.get("llama.expert_used_count", 0)
    total = 0
    for name, tensor in file.tensors.items():
        size = int(tensor.n_bytes)
        if name.startswith("token_embd"):
            size //= int(tensor.shape[-1])  # one row (of vocab) per token
        elif "_exps" in name and experts:
            size = size * used // experts
        total += size
    return total


def run_json(command: list[str]) -> dict:
    out = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout[out.stdout.index("{"):])


def measure(path: Path, threads: int, repeat: int, prompt: int, gen: int) -> dict:
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(run_json([sys.executable, "-m", "runtime", "bench", str(path), "--json", "--threads", str(threads),
                              "--prompt-tokens", str(prompt), "--gen-tokens", str(gen)]))
        theirs.append(run_json([str(LLAMA_PYTHON), str(HERE / "llama_cpp_bench.py"), str(path), str(threads),
                                str(prompt), str(gen)]))
    median = lambda runs: {m: statistics.median(r[m] for r in runs) for m in METRICS}  # noqa: E731
    return {"ours": median(ours), "llama.cpp": median(theirs), "runs": {"ours": ours, "llama.cpp": theirs},
            "kv_cache_gb": ours[0]["kv_cache_gb"], "file_gb": ours[0]["file_gb"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install", action="store_true", help="build llama-cpp-python into benchmarks/.llama-venv")
    parser.add_argument("--threads", type=int, default=0, help="default: the physical cores")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--gen-tokens", type=int, default=128)
    parser.add_argument("--workloads", default="q4_0,q8_0,starter")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "octet-bench")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    if args.install:
        install_llama_cpp()
        return 0
    if not LLAMA_PYTHON.exists():
        print("llama-cpp-python is not installed: run with --install first (about 8 minutes)", file=sys.stderr)
        return 2
    import psutil

    threads = args.threads or psutil.cpu_count(logical=False)
    load_before = os.getloadavg()[0]
    bandwidth = read_bandwidth(threads)
    results = {}
    for label, path in workload_files(args.workdir, args.workloads.split(",")).items():
        print(f"{label}: {path}", flush=True)
        try:
            result = measure(path, threads, args.repeat, args.prompt_tokens, args.gen_tokens)
        except (RuntimeError, ValueError) as error:  # one workload failing leaves the others' figures
            print(f"{label}: {error}", file=sys.stderr)
            continue
        result["limit_tok_s"] = bandwidth * 1e9 / bytes_per_token(path)
        results[label] = result
        print(json.dumps({k: v for k, v in result.items() if k != "runs"}), flush=True)
    from report import write_report

    write_report(args.out, results, bandwidth=bandwidth, threads=threads, load=(load_before, os.getloadavg()[0]),
                 when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    (args.workdir / "results.json").write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
