"""Screenshots of the model manager and the settings dialog for the docs, from a seeded data folder.

Run under a virtual display:  xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshot_dialogs.py
It uses $OCTET_DATA_DIR when set (a throw-away folder is made otherwise) and never the real data folder. Seeds:
the starter model installed and registered, a Mixtral file imported by reference (sparse, so it costs no disk),
and half of a paused Mistral download. Writes docs/screenshots/model-manager.png and settings.png.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OCTET_DATA_DIR", tempfile.mkdtemp(prefix="octet-screens-"))

from PySide6.QtWidgets import QApplication  # noqa: E402

from app import settings as app_settings  # noqa: E402
from app.models.catalog import InstalledModel, get_entry, install_location, register  # noqa: E402
from runtime.paths import data_dir, models_dir  # noqa: E402
from runtime.starter import install_starter  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
IMPORTED_NAME = "mixtral-8x7b-instruct-v0.1.Q4_K_M.gguf"


def seed() -> None:
    starter = install_starter(models_dir())
    entry = get_entry("starter")
    register(InstalledModel(id="starter", name=entry.name, path=str(starter), source="catalog", by_reference=False,
                            size_bytes=starter.stat().st_size, quantization=entry.quantization, catalog_id="starter"))
    imported = data_dir().parent / "my-models" / IMPORTED_NAME
    imported.parent.mkdir(exist_ok=True)
    with open(imported, "wb") as handle:
        handle.truncate(26_441_533_376)  # sparse: the size shows, no disk is used
    register(InstalledModel(id="mixtral-q4_k_m", name=IMPORTED_NAME, path=str(imported), source="import",
                            by_reference=True, size_bytes=26_441_533_376, quantization="Q4_K_M",
                            info={"layers": 32, "kv_heads": 8, "head_dim": 128}))
    mistral = get_entry("mistral-7b-instruct-v0.2-q4_k_m")
    with open(install_location(mistral).with_name(mistral.files[0].name + ".part"), "wb") as handle:
        handle.truncate(mistral.size_bytes * 45 // 100)
    app_settings.save(app_settings.AppSettings(default_model="starter"))


def main() -> None:
    seed()
    app = QApplication(sys.argv)
    app.setStyle("Fusion")  # plain Fusion: theme.py's style sheet (not ours) still hides combo and spin arrows
    from app.ui.model_manager import ModelManagerDialog
    from app.ui.settings_dialog import SettingsDialog

    OUT.mkdir(parents=True, exist_ok=True)
    manager = ModelManagerDialog()
    manager.resize(940, 860)
    save_grab(app, manager, OUT / "model-manager.png")
    settings = SettingsDialog(app_settings.load())
    settings.resize(600, settings.sizeHint().height())
    save_grab(app, settings, OUT / "settings.png")
    print(f"data folder: {data_dir()}\nwrote {OUT / 'model-manager.png'} and {OUT / 'settings.png'}")


def save_grab(app: QApplication, widget, path: Path) -> None:
    widget.show()
    for _ in range(5):
        app.processEvents()
    if not widget.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    widget.hide()


if __name__ == "__main__":
    main()
