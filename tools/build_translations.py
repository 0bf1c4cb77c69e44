"""Build the interface translations: `--update` runs pyside6-lupdate over app/ to refresh the .ts sources in
resources/translations/ (the English file keeps only plural forms); `--compile` runs pyside6-lrelease to write
the .qm files beside them (build outputs, git-ignored). With no option, both. Compiling never needs lupdate.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "app"
TRANSLATIONS = ROOT / "resources" / "translations"
LANGUAGES = ("en", "fr", "de", "es", "it")


def ts_path(code: str) -> Path:
    return TRANSLATIONS / f"octet_{code}.ts"


def qm_path(code: str) -> Path:
    return TRANSLATIONS / f"octet_{code}.qm"


def qt_tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease from the running interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / f"pyside6-{name}"
    found = str(beside) if beside.exists() else shutil.which(f"pyside6-{name}")
    if found is None:
        raise SystemExit(f"pyside6-{name} was not found beside {sys.executable} or on PATH; install PySide6.")
    return found


def python_sources() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in SOURCE_DIR.rglob("*.py")
                  if "__pycache__" not in path.parts)


def update_sources(codes=LANGUAGES) -> None:
    """Refresh each .ts from the code: new strings are added unfinished, vanished ones dropped."""
    for code in codes:
        options = ["-pluralonly"] if code == "en" else []
        command = [qt_tool("lupdate"), *python_sources(), "-no-obsolete", "-locations", "none",
                   "-source-language", "en", "-target-language", code, *options, "-ts", str(ts_path(code))]
        subprocess.run(command, cwd=ROOT, check=True)


def compile_translations(codes=LANGUAGES) -> list[Path]:
    """Write octet_<code>.qm for each .ts; returns the files written."""
    written = []
    for code in codes:
        command = [qt_tool("lrelease"), "-silent", str(ts_path(code)), "-qm", str(qm_path(code))]
        subprocess.run(command, cwd=ROOT, check=True)
        written.append(qm_path(code))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="refresh the .ts sources with pyside6-lupdate")
    parser.add_argument("--compile", action="store_true", help="compile the .qm files with pyside6-lrelease")
    args = parser.parse_args(argv)
    both = not (args.update or args.compile)
    if args.update or both:
        update_sources()
    if args.compile or both:
        for path in compile_translations():
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
