"""Octet against llama.cpp as its users install it, on the same GGUF files with the same threads;
writes a Markdown table per workload (both runtimes, the ratios against issue 15's targets) and the
raw runs as JSON beside it.

    python benchmarks/compare_llama_cpp.py --install        # once: plain `pip install llama-cpp-python`
    python benchmarks/compare_llama_cpp.py [--llama-python PATH] [--threads 2] [--repeat 3]
        [--workloads q4_0,q8_0,q4_k_m,q3_k_m,q2_k,q5_k_m,q6_k,starter] [--octet-isa avx2] [--out FILE.md]

llama.cpp: llama-cpp-python built by a plain pip install (the default native build, no CMAKE_ARGS)
into benchmarks/.llama-venv, or the interpreter of any venv holding it (--llama-python).
`--install avx2` builds a second one for AVX2 only (GGML_NATIVE off, AVX512 off) into
benchmarks/.llama-avx2-venv: with --octet-isa avx2, Octet's AVX2 path is compared with it (torch held to
AVX2 too: ONEDNN_MAX_CPU_ISA=AVX2, ATEN_CPU_CAPABILITY=avx2).
Workloads: `runtime synth --preset mixtral-8x7b --layers 2 --type T` (Mixtral's real layer sizes),
written once into --workdir as <name>.gguf (or given with --file NAME=PATH), and the starter model.
Each measurement is one process (`python -m runtime bench --json`, benchmarks/llama_cpp_bench.py)
with the same prompt ids and token counts; the runtimes alternate, the order flipping each
repeat; figures are the medians of --repeat runs; the 1-minute load average is recorded before
and after every run. The file is read once before its runs so both start from the page cache.
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
sys.path.insert(0, str(ROOT))
LLAMA_VERSION = "0.3.36"
LLAMA_VENVS = {"native": HERE / ".llama-venv", "avx2": HERE / ".llama-avx2-venv"}
# The AVX2 build: what llama.cpp's CMake enables for x86-64-v3 with the native probe off.
AVX2_CMAKE_ARGS = ("-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_BMI2=ON -DGGML_FMA=ON "
                   "-DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AVX_VNNI=OFF")
METRICS = ("load_s", "prefill_tok_s", "decode_tok_s", "peak_rss_gb")
WORKLOADS = "q4_0,q8_0,q4_k_m,q3_k_m,q2_k,q5_k_m,q6_k,starter"
STARTER = "starter"
RUN_TIMEOUT_S = 1200


def install_llama_cpp(build: str) -> None:
    """llama-cpp-python into benchmarks/.llama-venv (git-ignored): a plain pip install, as users get it
    (pip builds it from source for this CPU); `avx2`: rebuilt (no wheel cache) for AVX2 only."""
    venv = LLAMA_VENVS[build]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env, extra = dict(os.environ), []
    env.pop("CMAKE_ARGS", None)
    if build == "avx2":
        env["CMAKE_ARGS"], extra = AVX2_CMAKE_ARGS, ["--no-cache-dir"]
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", *extra,
                    f"llama-cpp-python=={LLAMA_VERSION}"], check=True, env=env)


def workload_files(names: list[str], workdir: Path, given: dict[str, Path]) -> dict[str, Path]:
    """Label -> GGUF file; synth files are written once into workdir and reused."""
    files = {}
    for name in names:
        if name == STARTER:
            from runtime.starter import install_starter

            files["starter SmolLM2-135M-Instruct (Q4_1)"] = given.get(name) or install_starter()
            continue
        path = given.get(name) or workdir / f"{name}.gguf"
        if not path.exists():
            workdir.mkdir(parents=True, exist_ok=True)
            print(f"writing {path} (runtime synth --type {name.upper()})", flush=True)
            subprocess.run([sys.executable, "-m", "runtime", "synth", "--preset", "mixtral-8x7b", "--layers", "2",
                            "--type", name.upper(), str(path)], check=True, cwd=ROOT)
        files[f"synth Mixtral 8x7B, 2 layers, {name.upper()}"] = path
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


def write_prompt_ids(path: Path, count: int, out: Path) -> Path:
    """The ids `runtime bench` prefills (random ids, seed 0, as runtime/bench.py draws them), for llama.cpp."""
    import torch

    from runtime.weights.gguf import GGUFFile

    file = GGUFFile(path)
    arch = file.metadata.get("general.architecture", "llama")
    vocab = int(file.metadata.get(f"{arch}.vocab_size") or file.tensors["token_embd.weight"].shape[-1])
    ids = torch.randint(3, vocab, (count,), generator=torch.Generator().manual_seed(0)).tolist()
    out.write_text(json.dumps(ids))
    return out


def warm_page_cache(path: Path) -> None:
    """The file's pages dropped from the cache, then read once: every workload starts from the same cache, as
    a fresh read from disk leaves it (in 2 MiB folios on kernels whose file system allows; a file written by
    `runtime synth` stays cached in the small folios of its writes, which costs both runtimes TLB misses)."""
    if hasattr(os, "posix_fadvise"):
        with open(path, "rb") as file:
            os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    with open(path, "rb") as file:
        while file.read(1 << 24):
            pass


def runners(args, ids_file: Path) -> dict[str, tuple[list[str], dict]]:
    """Runtime name -> (command after the model path is known, extra environment)."""
    octet = [sys.executable, "-m", "runtime", "bench", "{model}", "--json", "--threads", str(args.threads),
             "--prompt-tokens", str(args.prompt_tokens), "--gen-tokens", str(args.gen_tokens)]
    llama = lambda python: [str(python), str(HERE / "llama_cpp_bench.py"), "{model}", str(args.threads),  # noqa: E731
                            str(args.prompt_tokens), str(args.gen_tokens), "--prompt-ids", str(ids_file)]
    found = {"Octet": (octet, {}), "llama.cpp": (llama(args.llama_python), {})}
    if args.octet_isa:
        # torch's own CPU code held to AVX2 as well (oneDNN and ATen's vector kernels), as on an AVX2-only CPU:
        # otherwise the bf16 products the AVX2 library leaves to torch would still run on AVX-512 here
        found[f"Octet {args.octet_isa}"] = (octet, {"OCTET_KERNEL_ISA": args.octet_isa, "ONEDNN_MAX_CPU_ISA": "AVX2",
                                                    "ATEN_CPU_CAPABILITY": "avx2"})
        if args.llama_avx2_python:
            found["llama.cpp avx2"] = (llama(args.llama_avx2_python), {})
    return found


def run_once(command: list[str], model: Path, env: dict) -> dict:
    """One process, one measurement, with the 1-minute load average before and after it."""
    load_before = os.getloadavg()[0]
    out = subprocess.run([part.replace("{model}", str(model)) for part in command], capture_output=True, text=True,
                         cwd=ROOT, env=dict(os.environ, **env), timeout=RUN_TIMEOUT_S)
    load_after = os.getloadavg()[0]
    if out.returncode:
        raise RuntimeError(f"exit {out.returncode}: {out.stderr.strip()[-1500:]}")
    result = json.loads(out.stdout[out.stdout.index("{"):])
    forced = env.get("OCTET_KERNEL_ISA")
    if forced and result.get("kernels") != forced:
        raise RuntimeError(f"OCTET_KERNEL_ISA={forced} but the bench ran on {result.get('kernels')!r} kernels")
    return {**result, "load_avg_before": round(load_before, 2), "load_avg_after": round(load_after, 2)}


def measure(path: Path, found: dict, repeat: int) -> dict[str, list[dict]]:
    """Every runtime `repeat` times, alternating, the order reversed on odd repeats; a failed run is
    kept as {"error": ...} and the others go on."""
    runs = {name: [] for name in found}
    for index in range(repeat):
        for name in (list(found) if index % 2 == 0 else list(reversed(found))):
            command, env = found[name]
            try:
                run = run_once(command, path, env)
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
                run = {"error": str(error), "load_avg_after": round(os.getloadavg()[0], 2)}
            runs[name].append(run)
            shown = ("kernels", *METRICS, "error", "load_avg_before", "load_avg_after")
            print(f"  {name}: " + json.dumps({key: run[key] for key in shown if key in run}), flush=True)
    return runs


def medians(runs: list[dict]) -> dict | None:
    good = [run for run in runs if "error" not in run]
    return {metric: statistics.median(run[metric] for run in good) for metric in METRICS} if good else None


def workload_result(label: str, path: Path, runs: dict, bandwidth: float) -> dict:
    octet = next((run for run in runs["Octet"] if "error" not in run), {})
    file_gb = path.stat().st_size / 1e9
    kv_gb = octet.get("kv_cache_gb")
    return {"label": label, "file": str(path), "file_gb": round(file_gb, 3), "kv_cache_gb": kv_gb,
            "rss_bound_gb": round(1.1 * file_gb + kv_gb + 0.3, 3) if kv_gb is not None else None,
            "kernels": octet.get("kernels"), "quantization": octet.get("quantization"),
            "decode_limit_tok_s": round(bandwidth * 1e9 / bytes_per_token(path), 1),
            "medians": {name: medians(r) for name, r in runs.items()}, "runs": runs}


def parse_files(pairs: list[str]) -> dict[str, Path]:
    files = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not Path(path).is_file():
            raise SystemExit(f"--file {pair!r}: expected NAME=PATH of an existing GGUF file, "
                             "e.g. q4_k_m=/tmp/memest/q4_k_m.gguf")
        files[name.lower()] = Path(path)
    return files


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--install", nargs="?", const="native", choices=sorted(LLAMA_VENVS),
                        help="install llama-cpp-python: native (plain pip, ~11 min to build) or avx2, then exit")
    parser.add_argument("--llama-python", type=Path, default=LLAMA_VENVS["native"] / "bin" / "python",
                        help="python of a venv with llama-cpp-python (default: benchmarks/.llama-venv's)")
    parser.add_argument("--llama-avx2-python", type=Path, default=LLAMA_VENVS["avx2"] / "bin" / "python",
                        help="python of a venv with llama-cpp-python built for AVX2, compared with --octet-isa "
                             "(default: benchmarks/.llama-avx2-venv's, used when it exists)")
    parser.add_argument("--octet-isa", choices=("avx2", "portable"),
                        help="also run Octet with OCTET_KERNEL_ISA set to this path")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--gen-tokens", type=int, default=128)
    parser.add_argument("--workloads", default=WORKLOADS, help=f"comma-separated (default {WORKLOADS})")
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "octet-bench",
                        help="where the synth files are written once and reused, as <name>.gguf")
    parser.add_argument("--file", action="append", default=[], metavar="NAME=PATH",
                        help="use this file for a workload, e.g. q4_k_m=/tmp/memest/q4_k_m.gguf")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "llama_cpp_comparison.md",
                        help="the Markdown report; the JSON goes beside it (.json)")
    args = parser.parse_args(argv)
    if args.llama_avx2_python and not args.llama_avx2_python.exists():
        args.llama_avx2_python = None
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.install:
        install_llama_cpp(args.install)
        return 0
    if not args.llama_python.exists():
        print(f"no llama-cpp-python at {args.llama_python}: run with --install first (about 11 minutes to build), "
              "or give --llama-python PATH", file=sys.stderr)
        return 2
    from report import markdown

    files = workload_files(args.workloads.split(","), args.workdir, parse_files(args.file))
    args.workdir.mkdir(parents=True, exist_ok=True)
    report = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "command": "python " + " ".join(sys.argv),
              "threads": args.threads,
              "repeat": args.repeat, "prompt_tokens": args.prompt_tokens, "gen_tokens": args.gen_tokens,
              "llama_python": str(args.llama_python), "llama_avx2_python": str(args.llama_avx2_python or ""),
              "octet_isa": args.octet_isa, "load_avg_start": round(os.getloadavg()[0], 2),
              "bandwidth_gb_s": round(read_bandwidth(args.threads), 1), "workloads": []}
    for label, path in files.items():
        print(f"{label}: {path}", flush=True)
        warm_page_cache(path)
        ids = write_prompt_ids(path, args.prompt_tokens, args.workdir / "prompt_ids.json")
        runs = measure(path, runners(args, ids), args.repeat)
        report["workloads"].append(workload_result(label, path, runs, report["bandwidth_gb_s"]))
        report["load_avg_end"] = round(os.getloadavg()[0], 2)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".json").write_text(json.dumps(report, indent=1))
        args.out.write_text(markdown(report))  # rewritten after each workload: a stopped run keeps its figures
    print(f"wrote {args.out} and {args.out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
