"""How the app runs the runtime's CLI in a child process: `python -m runtime ARGS` from source; in the
packaged app (sys.executable is Octet itself) the executable's hidden `--runtime-cli ARGS` mode.
"""
import sys
from pathlib import Path

RUNTIME_CLI_FLAG = "--runtime-cli"
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the clone, or the bundle's _internal folder


def is_frozen() -> bool:
    """True in the PyInstaller-built app."""
    return bool(getattr(sys, "frozen", False))


def runtime_cli_command(*args: str) -> list[str]:
    """The command line that runs `python -m runtime *args` in this installation."""
    if is_frozen():
        return [sys.executable, RUNTIME_CLI_FLAG, *args]
    return [sys.executable, "-m", "runtime", *args]
