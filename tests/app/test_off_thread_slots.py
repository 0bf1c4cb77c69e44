"""Signals emitted off the GUI thread (a `BackgroundTask`'s or a `DownloadWorker`'s, anything on a QThread of its
own) must reach methods of QObjects living on the GUI thread, so Qt queues the call there. A lambda or a plain
function as the slot runs on the emitting thread, where touching a widget crashes the app ("QObject: Cannot
create children for a parent that is in a different thread"): the packaged app's first-run install did that.

Each test below goes through the real code path and notes the thread that a slot's work ran on, through a signal
the slot emits (a direct lambda on it runs in the thread that emits it); the last one reads app/ for the pattern.
"""
import ast
import time
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QThread  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.chat import actions  # noqa: E402
from app.models import catalog, downloads, runtime_command  # noqa: E402
from app.models.catalog import InstalledModel, get_entry  # noqa: E402
from runtime.errors import OctetError  # noqa: E402
from tests.app.window_helpers import make_window  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def thread_name(thread) -> str:
    return "the GUI thread" if thread is QApplication.instance().thread() else f"another thread ({thread!r})"


def fake_model(path: Path) -> InstalledModel:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\0" * 60)
    return InstalledModel(id=path.stem, name=path.name, path=str(path), source="import", by_reference=True,
                          size_bytes=64)


def slow(result=None, error: Exception | None = None):
    """A stand-in for the blocking call: long enough that the task's signals come from its own thread."""
    def call(*_args, **_kwargs):
        time.sleep(0.2)
        if error is not None:
            raise error
        return result
    return call


def first_run_window(qtbot, monkeypatch, *, packaged: bool):
    """The main window on its first run (from source, or as the packaged app); what the panel reports, and on which
    thread, goes into `seen`."""
    monkeypatch.setattr(runtime_command, "is_frozen", lambda: packaged)
    window = make_window(qtbot)
    window.controller.load_model(None)
    assert window.stack.currentWidget() is window.first_run
    seen: list[tuple[str, str]] = []
    window.first_run.sig_error_shown.connect(lambda message: seen.append(
        ("failed", thread_name(QThread.currentThread()))))
    monkeypatch.setattr(actions, "load_model", lambda *, window, path: seen.append(
        ("load", thread_name(QThread.currentThread()))))
    return window, seen


def test_the_starter_install_reports_on_the_gui_thread(qtbot, monkeypatch, tmp_path):
    window, seen = first_run_window(qtbot, monkeypatch, packaged=False)
    panel = window.first_run
    assert not panel.packaged and panel.main_button is panel.install_button
    monkeypatch.setattr(downloads, "install_starter_model", slow(fake_model(tmp_path / "starter.gguf")))
    panel.main_button.click()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == [("load", "the GUI thread")]
    qtbot.waitUntil(lambda: panel.runner.task is None)

    monkeypatch.setattr(downloads, "install_starter_model", slow(error=OctetError("no network")))
    panel.main_button.click()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen[1] == ("failed", "the GUI thread")
    assert "no network" in panel.error_label.text() and panel.main_button.isEnabled()
    qtbot.waitUntil(lambda: panel.runner.task is None)


def test_the_packaged_first_run_import_reports_on_the_gui_thread(qtbot, monkeypatch, tmp_path):
    window, seen = first_run_window(qtbot, monkeypatch, packaged=True)
    panel = window.first_run
    assert panel.packaged and panel.main_button is panel.import_button
    panel.preset_import_path = str(tmp_path / "mine.gguf")
    imported = fake_model(tmp_path / "mine.gguf")
    monkeypatch.setattr(catalog, "import_model", slow(imported))
    panel.main_button.click()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    assert seen == [("load", "the GUI thread")]
    qtbot.waitUntil(lambda: panel.runner.task is None)

    monkeypatch.setattr(catalog, "import_model", slow(error=catalog.ImportRefused("mine.gguf: refused")))
    panel.main_button.click()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)
    assert seen[1] == ("failed", "the GUI thread")
    assert "mine.gguf: refused" in panel.error_label.text() and panel.main_button.isEnabled()
    qtbot.waitUntil(lambda: panel.runner.task is None)

    text = tmp_path / "notes.gguf"  # not GGUF by its first bytes: refused at once, on the GUI thread, no task
    text.write_bytes(b"This is not a model, only a short text.")
    panel.preset_import_path = str(text)
    panel.main_button.click()
    assert seen[2] == ("failed", "the GUI thread") and panel.runner.task is None
    assert "this is not a GGUF model file" in panel.error_label.text() and "b'" not in panel.error_label.text()


def test_the_model_managers_tasks_report_on_the_gui_thread(qtbot, monkeypatch, tmp_path):
    import app.ui.model_manager as manager_module
    from app.ui.model_manager import ModelManagerDialog

    dialog = ModelManagerDialog(catalog=[get_entry("starter")])
    qtbot.addWidget(dialog)
    seen: list[tuple[str, str]] = []
    dialog.sig_models_changed.connect(lambda: seen.append(("changed", thread_name(QThread.currentThread()))))
    dialog.sig_import_refused.connect(lambda m: seen.append(("refused", thread_name(QThread.currentThread()))))
    path = tmp_path / "mine.gguf"
    model = fake_model(path)
    monkeypatch.setattr(manager_module, "import_model", slow(catalog.register(model)))
    dialog.import_path(path)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    monkeypatch.setattr(manager_module, "import_model", slow(error=catalog.ImportRefused("mine.gguf: refused")))
    qtbot.waitUntil(lambda: dialog._import_task is None, timeout=10_000)
    dialog.import_path(path)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=10_000)

    row = dialog.catalog_rows["starter"]
    row.sig_installed.connect(lambda p: seen.append(("installed", thread_name(QThread.currentThread()))))
    monkeypatch.setattr("app.ui.catalog_row.install_starter_model", slow(fake_model(tmp_path / "starter.gguf")))
    row.start()
    qtbot.waitUntil(lambda: ("installed", "the GUI thread") in seen or len(seen) >= 4, timeout=10_000)
    dialog.shutdown()
    assert seen == [("changed", "the GUI thread"), ("refused", "the GUI thread"),
                    ("changed", "the GUI thread"), ("installed", "the GUI thread")]  # the dialog's slot runs first


# -- the pattern, read from the source -----------------------------------------------------------------------------
def threaded_classes(trees) -> set[str]:
    """`ThreadedObject` and its subclasses in app/ (BackgroundTask, DownloadWorker, the conversation importer's
    reader and writer): objects that run on a QThread of their own and emit from it."""
    classes = {node.name: node for tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}

    def threaded(name: str, depth: int = 0) -> bool:
        if name == "ThreadedObject":
            return True
        node = classes.get(name)
        return node is not None and depth < 10 and any(
            isinstance(base, ast.Name) and threaded(base.id, depth + 1) for base in node.bases)

    return {name for name in classes if threaded(name)} | {"ThreadedObject"}


def _key(node) -> tuple[str, str] | None:
    """How an object is named in a module: a local or global name, or an attribute of `self`."""
    if isinstance(node, ast.Name):
        return ("name", node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return ("self", node.attr)
    return None


def off_thread_objects(tree, threaded: set[str]) -> set[tuple[str, str]]:
    """The names that hold an off-thread object in this module: assigned `SomeThreadedClass(...)` or `QThread()`,
    or another such name (`self._worker = worker`)."""
    held: set[tuple[str, str]] = set()
    assignments = [(node.targets if isinstance(node, ast.Assign) else [node.target], node.value)
                   for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value]
    for _ in range(3):  # names assigned from names: a few rounds reach them
        for targets, value in assignments:
            if (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                    and value.func.id in threaded | {"QThread"}) or _key(value) in held:
                held |= {key for key in map(_key, targets) if key is not None}
    return held


def off_thread_connections() -> list[tuple[str, ast.Call]]:
    """(where, call) for each `OWNER.SIGNAL.connect(slot)` in app/ whose signal is emitted off the GUI thread:
    OWNER runs on a thread of its own (see above), or is the QThread that `x.start()` returns; or the signal is the
    engine bridge's `_sig_wake`, which the worker client's reader thread emits."""
    paths = sorted((ROOT / "app").rglob("*.py"))
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in paths}
    threaded = threaded_classes(trees.values())
    found = []
    for path, tree in trees.items():
        held = off_thread_objects(tree, threaded)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "connect"
                    and isinstance(node.func.value, ast.Attribute) and node.args):
                continue
            owner, signal = node.func.value.value, node.func.value.attr
            started_thread = (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute)
                              and owner.func.attr == "start")
            if _key(owner) in held or started_thread or signal == "_sig_wake":
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def test_no_off_thread_signal_is_connected_to_a_lambda_or_a_plain_function():
    connections = off_thread_connections()
    files = {where.split(":")[0] for where, _call in connections}
    assert {"app/ui/first_run_page.py", "app/ui/model_manager.py", "app/ui/catalog_row.py", "app/threads.py",
            "app/chat/engine_bridge.py"} <= files, sorted(files)  # the scan does see the tasks and threads
    unsafe = [f"{where}: {ast.unparse(call)}" for where, call in connections
              if not isinstance(call.args[0], ast.Attribute)]  # a bound method: `self.method`, `obj.method`
    assert not unsafe, "these slots would run on the emitting thread, not the GUI thread:\n" + "\n".join(unsafe)
