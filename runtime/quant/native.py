"""Octet's native kernels as libraries: building them (once, when Octet is installed: `make setup`, `pip
install .`, the packaged app's build) and choosing the one this CPU runs. No torch, no numpy: setup.py loads
this file by itself.

One library per instruction set, all from runtime/quant/native/kernels.cpp: on x86-64 `avx512` (AVX-512
with VNNI), `avx2` (AVX2, FMA, F16C) and `portable` (any x86-64); on ARM64 `neon` (the dot-product
extension, ARMv8.2+: Apple Silicon, Graviton 2+, Snapdragon X) and `portable`. They land in
runtime/quant/lib/ as octet_kernels_<isa>.so.

    python -m runtime.quant.native [--arch aarch64] [--out DIR]    # build (cross-compiling for aarch64)
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SOURCE_DIR = Path(__file__).with_name("native")
LIBRARY_DIR = Path(__file__).with_name("lib")
COMMON_FLAGS = ["-O3", "-std=c++17", "-fPIC", "-shared", "-fopenmp", "-fvisibility=hidden", "-fno-math-errno", "-DNDEBUG"]
# isa -> (compiler flags, /proc/cpuinfo flags the CPU must have), best first
VARIANTS = {
    "x86_64": {
        "avx512": (["-march=x86-64-v4", "-mavx512vnni", "-mtune=generic"],
                   {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd", "avx512_vnni",
                    "avx2", "fma", "f16c", "bmi1", "bmi2", "movbe"}),
        "avx2": (["-march=x86-64-v3", "-mtune=generic"], {"avx2", "fma", "f16c", "bmi1", "bmi2", "movbe"}),
        "portable": (["-march=x86-64", "-mtune=generic"], set()),
    },
    "aarch64": {
        "neon": (["-march=armv8.2-a+dotprod"], {"asimd", "asimddp"}),
        "portable": (["-march=armv8-a"], set()),
    },
}
COMPILERS = {"x86_64": "g++", "aarch64": "aarch64-linux-gnu-g++"}


def machine() -> str:
    """"x86_64" or "aarch64" (or what else the platform says)."""
    name = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(name, name)


def library_path(isa: str, folder: Path = LIBRARY_DIR) -> Path:
    return folder / f"octet_kernels_{isa}.so"


def build(folder: Path = LIBRARY_DIR, arch: str | None = None, compiler: str | None = None) -> list[Path]:
    """Every variant of `arch` (this machine's by default) into `folder`; returns their paths. Raises
    BuildError, naming the compiler's complaint, when one does not build."""
    arch = arch or machine()
    if arch not in VARIANTS:
        raise BuildError(f"no native kernels for {arch}: Octet runs there on torch's kernels")
    native_compiler = arch == machine() and os.environ.get("CXX")
    compiler = compiler or native_compiler or COMPILERS[arch]
    if shutil.which(compiler) is None:
        raise BuildError(f"{compiler} is not installed (Debian and Ubuntu: apt install g++)")
    folder.mkdir(parents=True, exist_ok=True)
    sources = [str(SOURCE_DIR / "kernels.cpp")]
    with ThreadPoolExecutor(max_workers=len(VARIANTS[arch])) as pool:
        jobs = {isa: pool.submit(_compile, compiler, flags, sources, library_path(isa, folder))
                for isa, (flags, _) in VARIANTS[arch].items()}
        return [job.result() for job in jobs.values()]


class BuildError(RuntimeError):
    pass


def _compile(compiler: str, flags: list[str], sources: list[str], target: Path) -> Path:
    partial = target.with_name(f".{target.name}.{os.getpid()}")
    done = subprocess.run([compiler, *COMMON_FLAGS, *flags, *sources, "-o", str(partial)], capture_output=True,
                          text=True, timeout=600)
    if done.returncode:
        partial.unlink(missing_ok=True)
        raise BuildError(f"{compiler} failed on {target.name}:\n{done.stderr[-4000:]}")
    os.replace(partial, target)  # atomic: a concurrent reader sees all or nothing
    return target


def cpu_flags() -> set[str]:
    """The CPU's feature flags from /proc/cpuinfo (Linux; "flags" on x86, "Features" on ARM), or none."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return set(value.split())
    return set()


def usable_isas(flags: set[str] | None = None, arch: str | None = None) -> list[str]:
    """The variants this CPU can run, best first (forced to one by OCTET_KERNEL_ISA)."""
    flags = cpu_flags() if flags is None else flags
    variants = VARIANTS.get(arch or machine(), {})
    usable = [isa for isa, (_, needed) in variants.items() if needed <= flags]
    forced = os.environ.get("OCTET_KERNEL_ISA")
    if forced:
        return [forced] if forced in usable else []
    return usable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.quant.native", description="Build Octet's kernels.")
    parser.add_argument("--arch", default=None, help="x86_64 or aarch64 (cross-compiles; default: this machine)")
    parser.add_argument("--out", type=Path, default=LIBRARY_DIR, help="folder for the libraries")
    args = parser.parse_args(argv)
    try:
        for path in build(args.out, args.arch):
            print(path)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
