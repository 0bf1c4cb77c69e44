"""Settings: the JSON file (defaults, round trip, atomic write, bad values, a corrupt file moved aside, keys from a
newer version kept) and the Settings dialog (round trip through the widgets and the file, token, data folder)."""
import json

import pytest

from app import settings
from app.settings import AppSettings


# -- the file ----------------------------------------------------------------------------------------------------
def test_no_file_gives_the_defaults(data_dir):
    loaded = settings.load()
    assert loaded == AppSettings()
    assert (loaded.theme, loaded.threads, loaded.language, loaded.offline, loaded.context_length) == \
        ("system", 0, "", False, 4096)
    assert not (data_dir / "settings.json").exists()


def test_save_then_load_round_trips_and_leaves_no_temporary_file(data_dir):
    chosen = AppSettings(theme="dark", font_size=14, threads=3, default_model="starter", language="fr",
                         offline=True, context_length=8192)
    settings.save(chosen)
    assert settings.load() == chosen
    assert json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))["language"] == "fr"
    assert [p.name for p in data_dir.iterdir()] == ["settings.json"]


def test_each_bad_value_falls_back_to_its_own_default(data_dir):
    (data_dir / "settings.json").write_text(json.dumps({
        "theme": "purple", "font_size": "big", "threads": -2, "default_model": 7, "language": "klingon",
        "offline": "yes", "context_length": 10**9}), encoding="utf-8")
    assert settings.load() == AppSettings()
    (data_dir / "settings.json").write_text(json.dumps({"theme": "light", "font_size": True}), encoding="utf-8")
    assert settings.load() == AppSettings(theme="light")


@pytest.mark.parametrize("content", ["{not json", "[1, 2, 3]", "\x00\x01garbage", ""])
def test_a_corrupt_file_is_moved_aside_not_lost(data_dir, content):
    (data_dir / "settings.json").write_text(content, encoding="utf-8")
    assert settings.load() == AppSettings()
    kept = list(data_dir.glob("settings.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == content
    assert not (data_dir / "settings.json").exists()


def test_keys_from_a_newer_version_are_kept(data_dir):
    (data_dir / "settings.json").write_text(json.dumps({"theme": "dark", "spell_check": True}), encoding="utf-8")
    loaded = settings.load()
    settings.save(loaded)
    assert json.loads((data_dir / "settings.json").read_text(encoding="utf-8"))["spell_check"] is True
    assert loaded.theme == "dark"


def test_automatic_threads_means_the_physical_cores():
    assert settings.effective_threads(AppSettings(threads=0)) == settings.physical_cores() >= 1
    assert settings.effective_threads(AppSettings(threads=3)) == 3


# -- the dialog --------------------------------------------------------------------------------------------------
pytest.importorskip("pytestqt")

from PySide6.QtCore import QObject, QUrl, Slot  # noqa: E402
from PySide6.QtGui import QDesktopServices  # noqa: E402
from PySide6.QtWidgets import QDialogButtonBox  # noqa: E402

from app.models.catalog import InstalledModel, get_installed, register  # noqa: E402
from app.ui.settings_dialog import SettingsDialog  # noqa: E402
from tests.app.fake_hub import memory_keyring, no_keyring  # noqa: E402,F401  (fixtures)


def register_models(data_dir, *names):
    for name in names:
        path = data_dir / "models" / f"{name}.gguf"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"GGUF")
        register(InstalledModel(id=name, name=f"{name.title()} model", path=str(path), source="catalog",
                                by_reference=False, size_bytes=4))


def save_button(dialog):
    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)


def open_settings(qtbot, current):
    dialog = SettingsDialog(current)
    qtbot.addWidget(dialog)
    return dialog


def test_settings_round_trip_through_the_dialog_and_the_file(qtbot, data_dir):
    register_models(data_dir, "alpha", "beta")
    dialog = open_settings(qtbot, settings.load())
    assert [dialog.default_model_combo.itemData(i) for i in range(3)] == ["", "alpha", "beta"]
    assert dialog.default_model_combo.currentData() == "alpha"  # the registry's default
    assert [dialog.language_combo.itemText(i) for i in range(6)] == \
        ["English", "Français", "Deutsch", "Español", "Italiano", "System (follow the computer)"]
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("de"))
    dialog.default_model_combo.setCurrentIndex(dialog.default_model_combo.findData("beta"))
    dialog.font_size_spin.setValue(15)
    dialog.threads_spin.setValue(2)
    dialog.context_spin.setValue(8192)
    dialog.offline_check.setChecked(True)
    with qtbot.waitSignal(dialog.sig_settings_changed) as changed:
        save_button(dialog).click()
    expected = AppSettings(theme="dark", font_size=15, threads=2, default_model="beta", language="de",
                           offline=True, context_length=8192)
    assert changed.args == [expected] and dialog.result_settings() == expected
    assert settings.load() == expected and get_installed("beta").default

    again = open_settings(qtbot, settings.load())
    assert again.edited_settings() == expected
    assert again.threads_spin.text() == "2" and dialog.font_size_spin.text() == "15 pt"


def test_a_default_model_that_is_gone_shows_the_registrys_default(qtbot, data_dir):
    register_models(data_dir, "alpha")
    dialog = open_settings(qtbot, AppSettings(default_model="deleted-long-ago"))
    assert dialog.default_model_combo.currentData() == "alpha"


def test_cancel_changes_nothing(qtbot, data_dir):
    dialog = open_settings(qtbot, AppSettings())
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("light"))
    dialog.reject()
    assert dialog.result_settings() == AppSettings() and not (data_dir / "settings.json").exists()


def test_automatic_threads_and_the_data_folder_are_shown(qtbot, data_dir):
    dialog = open_settings(qtbot, AppSettings())
    assert dialog.threads_spin.text() == f"Automatic ({settings.physical_cores()} cores)"
    assert dialog.data_folder_field.text() == str(data_dir) and dialog.data_folder_field.isReadOnly()


class UrlCatcher(QObject):
    def __init__(self):
        super().__init__()
        self.urls = []

    @Slot(QUrl)
    def open(self, url):
        self.urls.append(url)


def test_open_folder_asks_the_desktop_to_show_the_data_folder(qtbot, data_dir):
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        dialog = open_settings(qtbot, AppSettings())
        dialog.open_folder_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("file")
    assert [u.toLocalFile() for u in catcher.urls] == [str(data_dir)]


def test_a_token_entered_in_settings_goes_to_the_keyring(qtbot, memory_keyring):
    dialog = open_settings(qtbot, AppSettings())
    dialog.token_field.setText("  hf_FromSettings123  ")
    save_button(dialog).click()
    assert memory_keyring.passwords == {("Octet", "huggingface"): "hf_FromSettings123"}
    assert dialog.result() == SettingsDialog.DialogCode.Accepted and dialog.token_field.text() == ""


def test_without_a_keyring_the_dialog_says_so_and_stays_open(qtbot, no_keyring, data_dir):
    dialog = open_settings(qtbot, AppSettings())
    dialog.show()
    dialog.token_field.setText("hf_Nowhere")
    save_button(dialog).click()
    assert dialog.isVisible() and "No system keyring" in dialog.token_error.text()
    assert not (data_dir / "settings.json").exists()


# -- bugs a user would hit: each test names the one it catches -----------------------------------------------
def test_settings_are_replaced_whole_so_an_interrupted_save_keeps_the_old_file(data_dir):
    settings.save(AppSettings(theme="dark"))
    before = (data_dir / "settings.json").read_text(encoding="utf-8")
    with open(data_dir / "settings.json", encoding="utf-8") as reader:  # a reader, or the old file on a crash
        settings.save(AppSettings(theme="light", font_size=20))
        assert reader.read() == before  # never truncated and rewritten in place
    assert settings.load() == AppSettings(theme="light", font_size=20)
    assert [p.name for p in data_dir.iterdir()] == ["settings.json"]


def test_booleans_are_not_taken_for_numbers(data_dir):
    (data_dir / "settings.json").write_text(json.dumps({"threads": True, "context_length": True, "font_size": True,
                                                        "offline": 1}), encoding="utf-8")
    loaded = settings.load()
    assert (loaded.threads, loaded.context_length, loaded.font_size, loaded.offline) == (0, 4096, 11, False)
    assert loaded.threads is not True


@pytest.mark.parametrize("size, kept", [(7, False), (8, True), (32, True), (33, False)])
def test_font_sizes_at_the_ends_of_the_range_are_kept(data_dir, size, kept):
    (data_dir / "settings.json").write_text(json.dumps({"font_size": size}), encoding="utf-8")
    assert settings.load().font_size == (size if kept else AppSettings().font_size)


@pytest.mark.parametrize("field, values", [("threads", (0, 256)), ("context_length", (512, 32768))])
def test_other_numbers_at_the_ends_of_their_range_are_kept(data_dir, field, values):
    for value in values:
        (data_dir / "settings.json").write_text(json.dumps({field: value}), encoding="utf-8")
        assert getattr(settings.load(), field) == value
    for value in (values[0] - 1, values[1] + 1):
        (data_dir / "settings.json").write_text(json.dumps({field: value}), encoding="utf-8")
        assert getattr(settings.load(), field) == getattr(AppSettings(), field)
