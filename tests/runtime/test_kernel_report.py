"""`runtime info` says which kernels this machine runs a model on: the best native library this CPU takes, or
torch's ops where there is none (OCTET_NO_KERNELS=1, in a process of its own: the choice is made once)."""
import json
import os
import subprocess
import sys
from pathlib import Path

from runtime.cli import main
from runtime.quant import native
from runtime.quant.kernels import kernel_path
from runtime.worker.protocol import KERNEL_PATHS


def test_info_json_and_text_name_the_kernel_path(starter_path, capsys):
    assert main(["info", str(starter_path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["kernels"] == kernel_path() and info["kernels"] in KERNEL_PATHS
    built = [isa for isa in native.usable_isas() if native.library_path(isa).is_file()]
    if built and os.environ.get("OCTET_NO_KERNELS") != "1":
        assert info["kernels"] == built[0]  # the best of those this CPU runs, not merely one of them
    assert main(["info", str(starter_path)]) == 0
    assert f"kernels: {kernel_path()}" in capsys.readouterr().out


def test_info_json_says_torch_without_the_native_kernels(starter_path):
    done = subprocess.run([sys.executable, "-m", "runtime", "info", "--json", str(starter_path)], capture_output=True,
                          text=True, timeout=300, env={**os.environ, "OCTET_NO_KERNELS": "1"},
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["kernels"] == "torch"
