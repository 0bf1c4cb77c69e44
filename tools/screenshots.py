"""Screenshots of the main window for the docs and the README, from a seeded, throw-away data folder.

Run under a virtual display:  xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshots.py
Seeds (store API) a French conversation with a code block and a table, and a few others; loads the real
starter model and asks it one short question so the status bar shows real figures (model, memory,
tokens/s, context). Writes docs/screenshots/main-window-{light,dark}.png, first-run.png,
conversation-settings.png, and the model manager and settings dialogs in the dark theme.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["OCTET_DATA_DIR"] = tempfile.mkdtemp(prefix="octet-window-screens-")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtGui import QIcon  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.chat.controller import ChatController, ModelChoice  # noqa: E402
from app.history.store import HistoryStore  # noqa: E402
from app.main import ICON_PATH  # noqa: E402
from app.models.catalog import InstalledModel, get_entry, register  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402
from app.ui.theme import apply_theme  # noqa: E402
from runtime.paths import models_dir  # noqa: E402
from runtime.starter import install_starter  # noqa: E402

OUT = ROOT / "docs" / "screenshots"

QUESTION = "Peux-tu m'écrire une fonction Python qui compte les mots d'un texte, et me montrer le résultat sur une phrase ?"
ANSWER = """Bien sûr ! Voici une fonction simple qui s'appuie sur `collections.Counter` :

```python
from collections import Counter
import re

def compter_mots(texte: str) -> Counter:
    \"\"\"Compte chaque mot, sans tenir compte de la casse.\"\"\"
    mots = re.findall(r"\\w+", texte.lower())
    return Counter(mots)

print(compter_mots("Le chat voit le chien, le chien voit le chat."))
```

Sur la phrase d'exemple, on obtient :

| Mot   | Occurrences |
|-------|------------:|
| le    | 4 |
| chat  | 2 |
| chien | 2 |
| voit  | 2 |

La regex `\\w+` garde les lettres accentuées (« été », « où »), et **Counter** trie ensuite par fréquence avec `most_common()`."""
OTHERS = [("Recette de la pâte à crêpes", "Quelles proportions pour 12 crêpes ?", "250 g de farine, 4 œufs, 50 cl de lait…"),
          ("Explain mixture-of-experts routing", "How does top-2 routing work?", "Each token picks two of eight experts…"),
          ("Lettre de motivation", "Aide-moi à relire ma lettre.", "Voici quelques suggestions…")]


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(signal, timeout_ms: int = 180_000) -> None:
    loop = QEventLoop()
    signal.connect(lambda *args: loop.quit())
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def seed(store: HistoryStore) -> int:
    for title, question, answer in OTHERS:
        conversation = store.create_conversation(title=title)
        store.add_message(conversation.id, role="user", content=question)
        store.add_message(conversation.id, role="assistant", content=answer)
    store.set_pinned(store.list_conversations()[-1].id, pinned=True)
    conversation = store.create_conversation()
    store.add_message(conversation.id, role="user", content=QUESTION)
    first = store.add_message(conversation.id, role="assistant", content="Voici une première version…")
    store.add_message(conversation.id, role="assistant", content=ANSWER, parent_id=first.parent_id)
    return conversation.id


def real_status(window: MainWindow) -> None:
    """Load the starter and ask it one question, so the status bar shows measured figures."""
    starter = install_starter(models_dir())
    entry = get_entry("starter")
    register(InstalledModel(id="starter", name=entry.name, path=str(starter), source="catalog", by_reference=False,
                            size_bytes=starter.stat().st_size, quantization=entry.quantization, catalog_id="starter"))
    controller = window.controller
    controller.load_model(ModelChoice(starter, "SmolLM2-135M-Instruct"))
    wait_for(controller.bridge.sig_loaded)
    controller.conversation = controller.store.create_conversation(settings={"max_tokens": 40, "temperature": 0})
    controller.send("Bonjour ! Réponds en une phrase.")
    wait_for(controller.sig_answer_finished)


def shoot(widget, name: str) -> None:
    wait(300)
    path = OUT / name
    widget.grab().save(str(path))
    print("wrote", path.relative_to(ROOT))


def main() -> int:
    app = QApplication(sys.argv)
    app.setApplicationName("Octet")
    app.setWindowIcon(QIcon(str(ICON_PATH)))
    OUT.mkdir(parents=True, exist_ok=True)
    apply_theme(app, "light")
    first = MainWindow(ChatController(HistoryStore()))
    first.resize(1280, 800)
    first.show()
    first.controller.load_model(None)
    shoot(first, "first-run.png")
    first.close()
    wait(100)
    window = MainWindow(ChatController(HistoryStore()))
    window.resize(1280, 820)
    window.show()
    conversation_id = seed(window.controller.store)
    real_status(window)
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        window.controller.open_conversation(conversation_id)  # re-rendered in the theme's colours
        window.refresh_conversations()
        window.composer.edit.setPlainText("")
        wait(200)
        window.chat.scroll_to_end()
        shoot(window, f"main-window-{theme}.png")
    shoot_dialogs(window)
    window.close()
    return 0


def shoot_dialogs(window: MainWindow) -> None:
    from app import settings as app_settings
    from app.chat.controller import model_defaults
    from app.ui.conversation_settings import ConversationSettingsDialog
    from app.ui.model_manager import ModelManagerDialog
    from app.ui.settings_dialog import SettingsDialog

    dialog = ConversationSettingsDialog(system_prompt="Tu es un assistant concis qui répond en français.",
                                        settings=window.controller.settings_for(),
                                        defaults=model_defaults(window.controller.model_info), parent=window)
    dialog.show()
    shoot(dialog, "conversation-settings.png")
    dialog.close()
    settings = SettingsDialog(app_settings.load(), window)
    settings.show()
    shoot(settings, "settings-dark.png")
    settings.close()
    manager = ModelManagerDialog(window)
    manager.show()
    shoot(manager, "model-manager-dark.png")
    manager.close()


if __name__ == "__main__":
    sys.exit(main())
