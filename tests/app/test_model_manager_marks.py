"""What the model manager's rows claim must hold: "Recommended" only on a model this computer can run, no "Use" for
the model already in use, and a file that is not GGUF refused at once, in a plain sentence."""
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.chat.controller import ModelChoice  # noqa: E402
from app.models.catalog import CatalogEntry, CatalogFile, InstalledModel, register  # noqa: E402
from app.ui.model_manager import ModelManagerDialog  # noqa: E402
from tests.app.window_helpers import make_window  # noqa: E402

TERABYTE = 10**12


def entry(entry_id: str, size: int, *, recommended: bool) -> CatalogEntry:
    return CatalogEntry(id=entry_id, name=f"Model {entry_id}", family=entry_id, format="gguf", quantization="Q4_0",
                        source="huggingface", repo_id=f"octet-test/{entry_id}", revision="main",
                        files=(CatalogFile(f"{entry_id}.gguf", size, None),), size_bytes=size, memory_bytes=size,
                        recommended=recommended)


def registered(path: Path) -> InstalledModel:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\0" * 4092)
    return register(InstalledModel(id=path.stem, name=path.name, path=str(path), source="catalog",
                                   by_reference=False, size_bytes=4096, quantization="Q4_0"))


@pytest.fixture
def dialogs(qtbot):
    made = []

    def make(*args, **options) -> ModelManagerDialog:
        dialog = ModelManagerDialog(*args, **options)
        qtbot.addWidget(dialog)
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.shutdown()


def test_a_model_too_big_for_this_computer_is_not_recommended(dialogs):
    small, huge = entry("small", 1_000_000, recommended=True), entry("huge", TERABYTE, recommended=True)
    dialog = dialogs(catalog=[small, huge])
    dialog.show()
    rows = dialog.catalog_rows
    assert rows["huge"].warning.isVisibleTo(dialog) and "Too big for this computer" in rows["huge"].warning.text()
    assert not rows["huge"].recommended_badge.isVisibleTo(dialog)
    assert rows["small"].recommended_badge.isVisibleTo(dialog) and not rows["small"].warning.isVisibleTo(dialog)
    plain = dialogs(catalog=[replace(small, recommended=False)])
    plain.show()
    assert not plain.catalog_rows["small"].recommended_badge.isVisibleTo(plain)
    # the verdict follows the memory available: once the model no longer fits, the badge goes
    too_big_now = replace(dialog._verdict(small), fits=False)
    rows["small"].set_verdict(too_big_now)
    assert not rows["small"].recommended_badge.isVisibleTo(dialog)


def test_the_model_in_use_reads_in_use_and_cannot_be_chosen_again(qtbot, data_dir):
    first = registered(data_dir / "models" / "first.gguf")
    second = registered(data_dir / "models" / "second.gguf")
    window = make_window(qtbot)
    controller = window.controller
    controller.model = ModelChoice(Path(first.path), first.name, first)  # what controller.load_model() does
    controller.sig_model_state.emit("loading", None)
    controller.load_request_id = "load-1"
    window.open_model_manager()
    dialog = window.model_manager
    try:
        rows = dialog.installed_rows
        assert rows["first"].use_button.text() == "In use" and not rows["first"].use_button.isEnabled()
        assert rows["second"].use_button.text() == "Use" and rows["second"].use_button.isEnabled()
        chosen = []
        dialog.sig_model_chosen.connect(chosen.append)
        dialog.use_model(model_id="first")
        assert chosen == [] and dialog.isVisible()

        controller.model = ModelChoice(Path(second.path), second.name, second)
        controller.sig_model_state.emit("ready", {"quantization": "Q4_0", "load_seconds": 1.0, "context_length": 2048})
        rows = dialog.installed_rows
        assert rows["second"].use_button.text() == "In use" and not rows["second"].use_button.isEnabled()
        assert rows["first"].use_button.text() == "Use" and rows["first"].use_button.isEnabled()

        controller.sig_model_state.emit("died", None)  # nothing is loaded any more: both can be chosen
        assert all(row.use_button.text() == "Use" and row.use_button.isEnabled()
                   for row in dialog.installed_rows.values())
    finally:
        dialog.shutdown()
        dialog.close()


def test_a_file_that_is_not_gguf_is_refused_at_once(qtbot, dialogs, tmp_path):
    fake = tmp_path / "notes.gguf"
    fake.write_bytes(b"This is not a model, only a short text.")
    dialog = dialogs(catalog=[])
    dialog.show()
    refused = []
    dialog.sig_import_refused.connect(refused.append)
    dialog.import_path(fake)
    # no "Checking notes.gguf…" while a subprocess starts: the answer is there when import_path returns
    assert dialog._import_task is None and len(refused) == 1
    text = dialog.import_status.text()
    assert text == f"Not imported: {refused[0]}" and "this is not a GGUF model file" in text
    assert "b'" not in text and "Checking" not in text and not dialog.import_busy.isVisibleTo(dialog)
    assert dialog.import_file_button.isEnabled() and not dialog.installed_rows
