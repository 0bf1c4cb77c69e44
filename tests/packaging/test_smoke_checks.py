"""The checks packaging/smoke_test.py adds around the frozen app's run (`make package-smoke` runs it whole): the app
gets a PATH with no compiler on it, and must report the best native kernels this CPU takes, from its worker and
from its import check alike."""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import smoke_test  # noqa: E402  (packaging/smoke_test.py)
from runtime.quant import native  # noqa: E402


def _folder_with(tmp_path: Path, name: str, *programs: str) -> str:
    folder = tmp_path / name
    folder.mkdir()
    for program in programs:
        (folder / program).write_text("#!/bin/sh\n")
        (folder / program).chmod(0o755)
    return str(folder)


def test_the_app_s_path_keeps_no_folder_with_a_compiler(tmp_path):
    tools = _folder_with(tmp_path, "tools", "ldd", "sh")
    gnu = _folder_with(tmp_path, "gnu", "sh", "g++")
    plain_cc = _folder_with(tmp_path, "cc", "cc")
    path = os.pathsep.join([tools, gnu, "", plain_cc])
    assert smoke_test.path_without_compilers(path) == tools


def test_the_kernels_must_be_the_best_this_cpu_runs_in_the_worker_and_the_import_check(tmp_path):
    expected = smoke_test.expected_kernels()
    assert expected in native.VARIANTS[native.machine()]  # a native library's, never torch's
    (tmp_path / "models.json").write_text(json.dumps({"models": [{"path": "/m.gguf", "info": {"kernels": expected}}]}))
    assert smoke_test.kernel_problems({"kernels": expected}, tmp_path, expected) == []
    assert smoke_test.kernel_problems({"kernels": "torch"}, tmp_path, expected) == [
        f"the worker's loaded event says 'torch' kernels, not {expected!r}"]
    (tmp_path / "models.json").write_text(json.dumps({"models": [{"path": "/m.gguf", "info": {}}]}))
    assert smoke_test.kernel_problems({"kernels": expected}, tmp_path, expected) == [
        f"the import check (runtime info --json) says None kernels, not {expected!r}"]
