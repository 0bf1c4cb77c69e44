"""In the packaged app data lives where it does from source (platformdirs or $OCTET_DATA_DIR), never
next to the executable, and the runtime's CLI is reached through the executable's --runtime-cli mode."""
import subprocess
import sys
from pathlib import Path

import platformdirs

from app.models import runtime_command
from runtime import paths


def pretend_frozen(monkeypatch, tmp_path) -> Path:
    executable = tmp_path / "dist" / "octet" / "octet"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(executable))
    return executable


def test_frozen_data_folder_is_platformdirs_not_beside_the_executable(monkeypatch, tmp_path):
    executable = pretend_frozen(monkeypatch, tmp_path)
    monkeypatch.delenv("OCTET_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    folder = paths.data_dir()
    assert folder == Path(platformdirs.user_data_dir("Octet", appauthor=False)) == tmp_path / "xdg" / "Octet"
    assert executable.parent not in (folder, *folder.parents)


def test_frozen_data_folder_follows_the_override(monkeypatch, tmp_path, data_dir):
    pretend_frozen(monkeypatch, tmp_path)
    assert paths.data_dir() == data_dir and paths.models_dir() == data_dir / "models"


def test_runtime_cli_command_from_source_and_frozen(monkeypatch, tmp_path):
    assert runtime_command.runtime_cli_command("info", "x") == [sys.executable, "-m", "runtime", "info", "x"]
    executable = pretend_frozen(monkeypatch, tmp_path)
    assert runtime_command.runtime_cli_command("info", "x") == [str(executable), "--runtime-cli", "info", "x"]


def test_entry_point_runs_the_runtime_cli_without_qt(tmp_path):
    code = ("import sys; from app.main import main; code = main(['octet', '--runtime-cli', 'info', sys.argv[1]]); "
            "assert 'PySide6.QtWidgets' not in sys.modules; sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "missing.gguf")], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 2 and "missing.gguf" in done.stderr
