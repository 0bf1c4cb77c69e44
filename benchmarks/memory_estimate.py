"""The memory estimate (runtime/memory_estimate.py) against the peak RSS of real loads.

Each file is loaded by the engine in a fresh process, as the worker loads it, then answers a prompt of about 500
tokens, then reads a byte of every page of the weights it has not read yet (weights used in place in the mapped
file count in the RSS once they are first read; a random file's router may leave experts unread, a long chat
reads them all);
the child reports its peak RSS (VmHWM), compared with the estimate at the positions that chat stored (the KV
cache's pages are committed as positions are stored; the full context's cache is exact, see the tests). Files: the starter model, and 2-layer real-size Mixtral files written
by `runtime synth` (Q4_0, Q8_0) or here with random K-quant blocks laid out as llama.cpp's Q4_K_M and Q3_K_M
(the loader's memory does not depend on the values). Usage:

    python benchmarks/memory_estimate.py [--context 4096] [--kv-cache bf16] [--keep DIR] [FILE.gguf ...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, sys
from runtime.engine import Engine
from runtime.quant.kernels import gguf_kernels
path, context, kv_cache = sys.argv[1], int(sys.argv[2]), sys.argv[3]
engine = Engine(kv_cache=kv_cache)
engine.load(path, context_length=context)
loaded_rss = int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS'))) * 1024
prompt = " ".join(f"Line {i}: write one sentence about the sea, the wind and ship number {i}." for i in range(24))
for _ in engine.chat([{"role": "user", "content": prompt}], max_tokens=8):
    pass
# the pages of weights no expert of this chat read yet (a long chat reads them all): one byte of each page
for module in engine.loaded.model.modules():
    for weight in [getattr(module, "weight_q", None), *getattr(module, "experts", [])]:
        if hasattr(weight, "blocks"):
            int(weight.blocks.reshape(-1)[::4096].sum())
status = {l.split(':')[0]: int(l.split()[1]) * 1024 for l in open('/proc/self/status') if l.startswith('Vm')}
print(json.dumps({"peak": status["VmHWM"], "loaded": loaded_rss, "kernels": gguf_kernels() is not None,
                  "cache_dtype": str(engine.cache.keys.dtype), "positions": engine.cache.length}))
"""
Q4_K_M = {"ffn_gate_exps": "Q4_K", "ffn_up_exps": "Q4_K", "ffn_down_exps": "Q6_K", "attn_v": "Q6_K",
          "output": "Q6_K"}
Q3_K_M = {"ffn_gate_exps": "Q3_K", "ffn_up_exps": "Q3_K", "ffn_down_exps": "Q4_K", "attn_v": "Q5_K",
          "attn_output": "Q4_K", "output": "Q6_K"}
LAYOUTS = {"q4_k_m": ("Q4_K", Q4_K_M), "q3_k_m": ("Q3_K", Q3_K_M)}


def write_k_quant_layout(out: Path, main: str, overrides: dict) -> Path:
    """A 2-layer real-size Mixtral with random K-quant blocks: `main` for every matrix but `overrides`
    (by the name's last part before .weight); norms and the router F32. Written by runtime.synth's writer."""
    import gguf
    import numpy as np

    from runtime import synth

    Q = gguf.GGMLQuantizationType
    config = synth.preset_config("mixtral-8x7b", 2)
    writer = gguf.GGUFWriter(str(out), "llama")
    synth.add_model_metadata(writer, config)
    synth.add_sentencepiece_vocab(writer, synth.mixtral_tokenizer_file(), config.vocab_size)
    writer.add_chat_template(synth.MIXTRAL_INSTRUCT_TEMPLATE)
    plan = {}
    for name, (shape, qtype) in synth.tensor_plan(config, Q.Q4_0).items():
        kind = name.split(".")[-2]
        plan[name] = (shape, qtype if qtype in (Q.F32, Q.F16) else Q[overrides.get(kind, main)])
    for name, (shape, qtype) in plan.items():
        writer.add_tensor_info(name, shape, np.dtype(np.float32), synth.tensor_bytes(shape, qtype), qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    rng, fout = np.random.default_rng(0), writer.fout[0]
    for name, (shape, qtype) in plan.items():
        writer.write_padding(fout, fout.tell())
        if qtype == Q.F32:
            fout.write(rng.uniform(0.5, 1.5, synth.tensor_bytes(shape, qtype) // 4).astype(np.float32).tobytes())
        else:
            write_random_blocks(fout, rng, qtype, synth.tensor_bytes(shape, qtype))
        writer.write_padding(fout, synth.tensor_bytes(shape, qtype))
    writer.close()
    return out


def write_random_blocks(fout, rng, qtype, total: int) -> None:
    """Random bytes with small positive fp16 scales where each K-quant block keeps them."""
    import gguf
    import numpy as np

    Q = gguf.GGMLQuantizationType
    _, size = gguf.GGML_QUANT_SIZES[qtype]
    scales = {Q.Q2_K: (size - 4, size - 2), Q.Q3_K: (size - 2,), Q.Q4_K: (0, 2), Q.Q5_K: (0, 2),
              Q.Q6_K: (size - 2,)}[qtype]
    per_chunk = (64 << 20) // size
    left = total // size
    while left:
        count = min(per_chunk, left)
        raw = rng.integers(0, 256, (count, size), dtype=np.uint8)
        halves = rng.uniform(1e-4, 1e-3, (count, len(scales))).astype(np.float16).view(np.uint8)
        for i, offset in enumerate(scales):
            raw[:, offset:offset + 2] = halves[:, 2 * i:2 * i + 2]
        fout.write(raw.tobytes())
        left -= count


def measure(path: Path, context: int, kv_cache: str) -> dict:
    from runtime.memory_estimate import estimate_gguf

    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(context), kv_cache], cwd=ROOT,
                          capture_output=True, text=True, check=True)
    child = json.loads(done.stdout.strip().splitlines()[-1])
    # the cache's pages are committed as positions are stored: the peak holds the positions this chat used
    estimate = estimate_gguf(path, context_length=child["positions"], kv_cache=kv_cache,
                             block_kernels=child["kernels"])
    return {"file": path.name, "file_gb": path.stat().st_size / 1e9, "estimate_gb": estimate.total / 1e9,
            "weights_gb": estimate.weights / 1e9, "load_extra_gb": estimate.load_extra / 1e9,
            "kv_gb": estimate.kv_cache / 1e9, "peak_gb": child["peak"] / 1e9, "loaded_gb": child["loaded"] / 1e9,
            "error": estimate.total / child["peak"] - 1, "cache_dtype": child["cache_dtype"],
            "load_average": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--context", type=int, default=4096)
    parser.add_argument("--kv-cache", default="bf16", choices=("bf16", "int8"))
    parser.add_argument("--keep", type=Path, help="write (or reuse) the synthetic files in this folder")
    parser.add_argument("--layouts", default="q4_0,q8_0,q4_k_m,q3_k_m")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="octet-memory-"))
    files = list(args.files)
    if not files:
        from runtime.starter import install_starter

        files = [install_starter()] + [synthetic(folder, name) for name in args.layouts.split(",") if name]
    print(f"load average before: {os.getloadavg()}", flush=True)
    for path in files:
        print(json.dumps(measure(path, args.context, args.kv_cache)), flush=True)
    print(f"load average after: {os.getloadavg()}")


def synthetic(folder: Path, name: str) -> Path:
    path = folder / f"{name}.gguf"
    if path.exists():
        return path
    if name in LAYOUTS:
        return write_k_quant_layout(path, *LAYOUTS[name])
    subprocess.run([sys.executable, "-m", "runtime", "synth", "--preset", "mixtral-8x7b", "--layers", "2",
                    "--type", name.upper(), str(path)], cwd=ROOT, check=True)
    return path


if __name__ == "__main__":
    main()
