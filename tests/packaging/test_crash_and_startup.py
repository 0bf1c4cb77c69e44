"""Bad starts say what happened: a crash leaves a log in the data folder, a second Octet, an unwritable
data folder and an unreachable models folder each give a sentence to show in a dialog or banner."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.history.errors import StoreInUseError, StoreWriteError
from app.startup import checks as startup_checks

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OCTET_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def test_a_run_without_a_crash_leaves_no_crash_log(data_dir):
    done = run_python("from app.startup import crash; print(crash.install())", data_dir)
    assert done.returncode == 0 and done.stdout.strip() == str(data_dir / "crash.log")
    assert not (data_dir / "crash.log").exists()


def test_an_uncaught_exception_is_logged_in_the_data_folder(data_dir):
    done = run_python("from app.startup import crash; crash.install(); raise ValueError('boom')", data_dir)
    assert done.returncode == 1
    log = (data_dir / "crash.log").read_text()
    assert "uncaught exception" in log and "ValueError: boom" in log


def test_an_exception_in_a_thread_is_logged(data_dir):
    code = ("import threading; from app.startup import crash; crash.install(); "
            "t = threading.Thread(target=lambda: 1 / 0, name='worker-x'); t.start(); t.join()")
    run_python(code, data_dir)
    assert "thread worker-x" in (data_dir / "crash.log").read_text()


def test_a_fatal_signal_is_logged_by_faulthandler(data_dir):
    done = run_python("import faulthandler; from app.startup import crash; crash.install(); faulthandler._sigsegv()", data_dir)
    assert done.returncode != 0
    assert "Segmentation fault" in (data_dir / "crash.log").read_text()


def test_the_log_falls_back_to_the_temp_folder_when_the_data_folder_cannot_be_made(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done = run_python("from app.startup import crash; print(crash.install())", blocker / "data")
    assert done.returncode == 0 and Path(done.stdout.strip()).name == "octet-crash.log"


def test_a_second_instance_gets_an_already_running_dialog():
    title, text = startup_checks.store_problem(StoreInUseError(Path("/d/history.sqlite3"), "in use"))
    assert title == "Octet is already running" and "/d/history.sqlite3" in text and "close it" in text


def test_other_store_errors_keep_their_own_sentence():
    title, text = startup_checks.store_problem(StoreWriteError(Path("/d/h.sqlite3"), "the disk is gone"))
    assert title == "Octet cannot open your history" and "the disk is gone" in text


def test_a_writable_data_folder_is_no_problem(data_dir):
    assert startup_checks.data_folder_problem() is None
    assert not list(data_dir.iterdir())  # the write check leaves nothing behind


def test_a_data_folder_that_cannot_be_made_is_explained(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("OCTET_DATA_DIR", str(blocker / "data"))
    title, text = startup_checks.data_folder_problem()
    assert title == "Octet cannot use its data folder" and str(blocker / "data") in text


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_folder_is_explained(data_dir):
    data_dir.chmod(0o500)
    try:
        title, text = startup_checks.data_folder_problem()
    finally:
        data_dir.chmod(0o700)
    assert "cannot write" in text and str(data_dir) in text


def test_a_read_only_data_folder_is_explained_even_as_root(data_dir, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(data_dir / ".octet-write-check-x"))

    monkeypatch.setattr(startup_checks.tempfile, "NamedTemporaryFile", refuse)
    title, text = startup_checks.data_folder_problem()
    assert "Permission denied" in text and "read-only" in text


def test_models_folder_on_a_removed_drive_is_explained(data_dir, tmp_path):
    assert startup_checks.models_folder_problem() is None
    (data_dir / "models").symlink_to(tmp_path / "usb-drive" / "models")
    message = startup_checks.models_folder_problem()
    assert str(tmp_path / "usb-drive" / "models") in message and "Models…" in message
