"""Screenshots of the main window in French and in German, from a throw-away data folder seeded with a
conversation in that language (no model needed). Writes docs/screenshots/window-{fr,de}.png.

Run under a virtual display:  xvfb-run -a -s "-screen 0 1400x900x24" .venv/bin/python tools/screenshot_languages.py
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
CONVERSATIONS = {
    "fr": {
        "title": "Itinéraire de deux jours à Lyon",
        "question": "Je passe deux jours à Lyon en octobre : qu'est-ce que je ne dois surtout pas manquer ?",
        "answer": """Avec deux jours, voici un programme équilibré :

**Jour 1 — le Vieux-Lyon et Fourvière**
- Traboules du Vieux-Lyon le matin (entrée libre, 9 h – 18 h)
- Montée à la basilique de Fourvière : vue sur toute la ville
- Dîner dans un bouchon : quenelles, salade lyonnaise, cervelle de canut

**Jour 2 — la Presqu'île et la Croix-Rousse**
- Musée des Beaux-Arts, place des Terreaux
- Halles Paul Bocuse pour le déjeuner
- Fresque des Lyonnais et pentes de la Croix-Rousse

Bon séjour !""",
        "others": [("Recette de la pâte à crêpes", "Quelles proportions pour 12 crêpes ?"),
                   ("Lettre de résiliation", "Aide-moi à résilier mon abonnement à la salle de sport."),
                   ("Réviser le subjonctif", "Explique-moi quand employer le subjonctif après « bien que ».")],
    },
    "de": {
        "title": "Wochenplan für gesundes Kochen",
        "question": "Kannst du mir einen Wochenplan für schnelles, gesundes Abendessen für zwei Personen schreiben?",
        "answer": """Gern! Hier ist ein Plan mit Gerichten, die in höchstens 30 Minuten fertig sind:

| Tag | Gericht | Zeit |
|-----|---------|-----:|
| Montag | Linsen-Dal mit Spinat | 25 min |
| Dienstag | Ofengemüse mit Feta | 30 min |
| Mittwoch | Vollkornnudeln mit Brokkoli-Pesto | 20 min |
| Donnerstag | Lachs mit Kartoffeln und Gurkensalat | 25 min |
| Freitag | Gemüse-Omelett mit Schwarzbrot | 15 min |

**Tipp:** Am Sonntag Zwiebeln, Möhren und Paprika vorschneiden – das spart unter der Woche viel Zeit. Guten Appetit!""",
        "others": [("Bewerbung als Grafikdesignerin", "Hilf mir, ein Anschreiben für eine Stelle als Grafikdesignerin zu schreiben."),
                   ("Grüße zum Geburtstag", "Schreib mir einen kurzen Geburtstagsgruß für meine Großmutter."),
                   ("Steuererklärung: Fristen", "Bis wann muss ich die Steuererklärung für 2024 abgeben?")],
    },
}


def seed(store, content: dict) -> int:
    for title, question in content["others"]:
        other = store.create_conversation(title=title, model="Mixtral-8x7B-Instruct")
        store.add_message(other.id, role="user", content=question)
    conversation = store.create_conversation(title=content["title"], model="Mixtral-8x7B-Instruct")
    question = store.add_message(conversation.id, role="user", content=content["question"])
    store.add_message(conversation.id, role="assistant", content=content["answer"], parent_id=question.id,
                      model="Mixtral-8x7B-Instruct")
    return conversation.id


def settle(app, ms: int = 300) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def shoot(app, code: str) -> Path:
    from app import i18n
    from app.chat.controller import ChatController
    from app.history.store import HistoryStore
    from app.ui.main_window import MainWindow
    from app.ui.theme import apply_theme

    os.environ["OCTET_DATA_DIR"] = tempfile.mkdtemp(prefix=f"octet-{code}-screens-")
    i18n.install_translators(app, code)
    apply_theme(app, "light", font_size=11)
    store = HistoryStore()
    conversation_id = seed(store, CONVERSATIONS[code])
    window = MainWindow(ChatController(store))
    window.resize(1280, 800)
    window.show()
    window.controller.open_conversation(conversation_id)
    window.refresh_conversations()
    settle(app)
    path = OUT / f"window-{code}.png"
    window.grab().save(str(path))
    window.close()
    settle(app, 100)
    return path


def main() -> int:
    import build_translations

    build_translations.compile_translations()
    app = QApplication(sys.argv)
    app.setApplicationName("Octet")
    OUT.mkdir(parents=True, exist_ok=True)
    for code in ("fr", "de"):
        print(f"wrote {shoot(app, code).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
