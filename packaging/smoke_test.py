"""Smoke test of the built app: `.venv/bin/python packaging/smoke_test.py [dist/octet/octet]`.

As on a clean machine: a fresh, empty data folder, and the starter GGUF in a folder next to it. The frozen app
starts offscreen on its first run and the self-test (`--smoke-test`) clicks the first-run panel's main button,
"Import a GGUF file…", with that file (`--smoke-import`, instead of the file dialog): the import is checked by the
frozen runtime off the GUI thread, the model loads in the frozen worker, answers one question, the answer is
saved, and the app quits. Then the history must hold the answer, the registry the import, and no process of that
run may be left. The app runs with no compiler on its PATH, and must run on the best native kernels this CPU takes
(runtime/quant/native.py), as both its import check (the frozen `runtime info --json`) and its worker's `loaded`
event say. Prints the app's timings; exit code 0 when all passed.
"""
import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_APP = ROOT / "dist" / "octet" / "octet"
COMPILERS = ("g++", "gcc", "c++", "cc", "clang", "clang++")
QUESTION = "What is the capital of France? Answer in one sentence."
TIMEOUT_S = 600


def install_starter(folder: Path) -> Path:
    """The starter GGUF in `folder`: copied from the usual data folder when it is there, else unpacked."""
    from runtime.paths import STARTER_FILENAME
    from runtime.starter import install_starter as unpack_starter

    folder.mkdir(parents=True, exist_ok=True)
    usual = _usual_starter(STARTER_FILENAME)
    if usual.is_file():
        shutil.copyfile(usual, folder / STARTER_FILENAME)
        return folder / STARTER_FILENAME
    return unpack_starter(folder)


def _usual_starter(name: str) -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("Octet", appauthor=False)) / "models" / name


def path_without_compilers(path: str = os.environ.get("PATH", "")) -> str:
    """PATH less every folder that holds a C or C++ compiler: the app must not need one."""
    return os.pathsep.join(folder for folder in path.split(os.pathsep)
                           if folder and not any(shutil.which(name, path=folder) for name in COMPILERS))


def expected_kernels() -> str:
    """The kernel path the app must report here: the best variant this CPU runs (or OCTET_KERNEL_ISA's)."""
    from runtime.quant import native  # torch-free

    usable = native.usable_isas()
    return usable[0] if usable else "none: no native kernels for this CPU"


def run_app(app: Path, data: Path, question: str, model: Path) -> tuple[dict, float, subprocess.CompletedProcess]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OCTET_DATA_DIR": str(data), "PATH": path_without_compilers()}
    env.pop("OCTET_NO_KERNELS", None)
    started = time.monotonic()
    done = subprocess.run([str(app), "--smoke-import", str(model), "--smoke-test", question], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT_S, cwd=tempfile.gettempdir())
    seconds = time.monotonic() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    report = json.loads(lines[-1]) if lines else {"ok": False, "problem": "the app printed no report"}
    return report, seconds, done


def saved_answer(data: Path, message_id) -> str | None:
    """The saved text of the answer, read straight from the history database."""
    with sqlite3.connect(f"file:{data / 'history.sqlite3'}?mode=ro", uri=True) as db:
        row = db.execute("SELECT content FROM messages WHERE id = ?", (message_id,)).fetchone()
    return row[0] if row else None


def registered_models(data: Path) -> list[dict]:
    """The models the app registered (data/models.json)."""
    registry = data / "models.json"
    if not registry.is_file():
        return []
    return json.loads(registry.read_text(encoding="utf-8")).get("models", [])


def imported_paths(data: Path) -> list[str]:
    return [model["path"] for model in registered_models(data)]


def kernel_problems(report: dict, data: Path, expected: str) -> list[str]:
    """Where the worker's `loaded` event or the import check's `info --json` (kept in the registry) names another
    kernel path than `expected`."""
    imported = (registered_models(data) or [{}])[0]
    found = {"the worker's loaded event": report.get("kernels"),
             "the import check (runtime info --json)": (imported.get("info") or {}).get("kernels")}
    return [f"{source} says {kernels!r} kernels, not {expected!r}" for source, kernels in found.items()
            if kernels != expected]


def leftover_processes(data: Path, pids: list[int]) -> list[str]:
    """Processes of this run still alive: the app, its worker, anything started with our data folder."""
    time.sleep(1.0)
    left = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            ours = process.pid in pids or process.environ().get("OCTET_DATA_DIR") == str(data)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
        if ours and process.pid != os.getpid():
            left.append(f"{process.pid} {' '.join(process.info['cmdline'] or [])}")
    return left


def check(app: Path, question: str) -> int:
    work = Path(tempfile.mkdtemp(prefix="octet-smoke-"))
    data = work / "data"  # empty: a first run
    data.mkdir()
    try:
        model = install_starter(work / "downloads")
        report, seconds, done = run_app(app, data, question, model)
        problems = [] if report.get("ok") else [report.get("problem") or "the app reported a failure"]
        if done.returncode != 0:
            problems.append(f"exit code {done.returncode}")
        if report.get("first_run") != "import":
            problems.append(f"the first-run panel's main button was not the import (it did {report.get('first_run')})")
        if str(model.resolve()) not in imported_paths(data):
            problems.append(f"the registry does not list the imported {model.name}: {imported_paths(data)}")
        if report.get("message_id") is not None and saved_answer(data, report["message_id"]) != report.get("answer"):
            problems.append("the history does not hold the answer the app showed")
        problems += kernel_problems(report, data, expected_kernels())
        left = leftover_processes(data, [p for p in (report.get("pid"), report.get("worker_pid")) if p])
        problems += [f"left running: {line}" for line in left]
        summary = {key: report.get(key) for key in ("window_shown_s", "first_run_clicked_s", "model_ready_s",
                                                    "first_token_s", "done_s")}
        print(json.dumps({"passed": not problems, "wall_s": round(seconds, 2), **summary,
                          "kernels": report.get("kernels"), "answer": report.get("answer"), "problems": problems},
                         ensure_ascii=False))
        if problems:
            print(done.stderr[-3000:], file=sys.stderr)
        return 0 if not problems else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", nargs="?", default=str(DEFAULT_APP), help="the built executable")
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args(argv)
    if not Path(args.app).is_file():
        print(f"{args.app}: no built app here; run packaging/build.py first", file=sys.stderr)
        return 2
    return check(Path(args.app), args.question)


if __name__ == "__main__":
    sys.exit(main())
