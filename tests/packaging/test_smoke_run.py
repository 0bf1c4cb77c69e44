"""The self-test behind `make package-smoke` (app/startup/smoke_run.py): on a first run it clicks the first-run
panel's main button as a new user would. The packaged app's is "Import a GGUF file…", with the file named by
`--smoke-import` (packaging/smoke_test.py puts the starter GGUF next to the empty data folder); from source it is
the starter install. The full run, with the frozen worker and an answer, is `make package-smoke`."""
import json
import time

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QThread  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.chat import actions  # noqa: E402
from app.models import catalog, runtime_command  # noqa: E402
from app.startup import smoke_run  # noqa: E402
from app.startup.smoke_run import SmokeRun, requested_import, requested_question  # noqa: E402
from tests.app.window_helpers import make_window  # noqa: E402


class _NoExit:
    """Stands in for QApplication in smoke_run: the report is printed, the test's event loop is left running."""

    codes: list[int] = []

    @classmethod
    def instance(cls):
        return cls

    @classmethod
    def exit(cls, code: int) -> None:
        cls.codes.append(code)


@pytest.fixture
def first_run(qtbot, monkeypatch):
    """A first-run window as the app starts it (`packaged` chosen by the test), and what loads, and where."""
    monkeypatch.setattr(smoke_run, "QApplication", _NoExit)
    _NoExit.codes = []
    loads = []
    monkeypatch.setattr(actions, "load_model", lambda *, window, path: loads.append(
        (path, QThread.currentThread() is QApplication.instance().thread())))

    def make(*, packaged: bool, import_file: str | None):
        monkeypatch.setattr(runtime_command, "is_frozen", lambda: packaged)
        window = make_window(qtbot)
        smoke = SmokeRun(window, "What is the capital of France?", import_file=import_file)
        window.controller.load_model(None)  # what main() does on a first run: no model, "missing"
        return window, smoke

    return make, loads


def test_the_flags_are_read_from_the_command_line():
    argv = ["octet", "--smoke-import", "/x/starter.gguf", "--smoke-test", "Hello?"]
    assert requested_import(argv) == "/x/starter.gguf" and requested_question(argv) == "Hello?"
    assert requested_import(["octet", "--smoke-test", "Hello?"]) is None


def test_the_packaged_first_run_imports_the_named_file_then_loads_it(qtbot, first_run, monkeypatch, tmp_path):
    make, loads = first_run
    model = tmp_path / "downloads" / "starter.gguf"
    model.parent.mkdir()
    model.write_bytes(b"GGUF" + b"\0" * 60)
    imported = []

    def fake_import(path, **_options):
        time.sleep(0.1)
        imported.append(path)
        return catalog.InstalledModel(id="starter", name=model.name, path=str(model), source="import",
                                      by_reference=True, size_bytes=64)

    monkeypatch.setattr(catalog, "import_model", fake_import)
    window, smoke = make(packaged=True, import_file=str(model))
    qtbot.waitUntil(lambda: bool(loads), timeout=10_000)
    assert smoke.first_run_action == "import" and "first_run_clicked_s" in smoke.times
    assert imported == [str(model)] and loads == [(str(model), True)]  # loaded from the GUI thread
    assert not smoke.over
    qtbot.waitUntil(lambda: window.first_run.runner.task is None)


def test_the_packaged_first_run_without_a_file_fails_in_words(qtbot, first_run, capsys):
    make, _loads = first_run
    window, smoke = make(packaged=True, import_file=None)
    qtbot.waitUntil(lambda: smoke.over, timeout=5_000)
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["ok"] is False and "--smoke-import FILE" in report["problem"]
    qtbot.waitUntil(lambda: _NoExit.codes == [1], timeout=5_000)


def test_from_source_the_first_run_installs_the_starter(qtbot, first_run, monkeypatch, capsys):
    from app.models import downloads

    make, loads = first_run
    monkeypatch.setattr(downloads, "install_starter_model", lambda: (_ for _ in ()).throw(
        downloads.DownloadError("no network here")))
    window, smoke = make(packaged=False, import_file=None)
    qtbot.waitUntil(lambda: smoke.over, timeout=10_000)
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["first_run"] == "install_starter" and report["ok"] is False
    assert report["problem"].startswith("first run (install_starter): ") and "no network here" in report["problem"]
    assert loads == []
    qtbot.waitUntil(lambda: window.first_run.runner.task is None)
