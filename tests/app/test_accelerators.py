"""Menu accelerators (Alt+letter) in every language: the real main window is built offscreen with the translators
installed as app/i18n.py installs them, and within the menu bar and within each menu no two entries share a letter
(case-insensitive): with two, Alt+letter only cycles between them instead of choosing.
"""
import re
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMenu

from app import i18n

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_translations  # noqa: E402

LANGUAGES = ("en", "fr", "de", "es", "it")


@pytest.fixture(scope="module", autouse=True)
def compiled():
    build_translations.compile_translations()


def accelerator(text: str) -> str | None:
    """The letter after the single "&" of a menu text ("&&" is a literal ampersand), lower-cased; None if none."""
    match = re.search(r"(?<!&)&([^&\s])", text.replace("&&", ""))
    return match.group(1).casefold() if match else None


def clashes(texts: list[str]) -> list[str]:
    """'letter: text, text' for each accelerator letter used by more than one of `texts`."""
    by_letter: dict[str, list[str]] = {}
    for text in texts:
        letter = accelerator(text)
        if letter:
            by_letter.setdefault(letter, []).append(text)
    return [f"{letter}: {', '.join(users)}" for letter, users in by_letter.items() if len(users) > 1]


def menus_of(window) -> dict[str, list[str]]:
    """{menu title: its entries' texts}, with the menu bar itself under "(menu bar)"."""
    bar = window.menuBar()
    menus = {"(menu bar)": [action.text() for action in bar.actions()]}
    for action in bar.actions():
        if isinstance(action.menu(), QMenu):
            menus[action.text()] = [item.text() for item in action.menu().actions() if not item.isSeparator()]
    return menus


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_two_entries_of_a_menu_share_an_accelerator(qapp, qtbot, code):
    from app.chat.controller import ChatController
    from app.history.store import HistoryStore
    from app.ui.main_window import MainWindow

    i18n.install_translators(QApplication.instance(), code)
    try:
        window = MainWindow(ChatController(HistoryStore()))
        qtbot.addWidget(window)
        menus = menus_of(window)
        window.close()
    finally:
        i18n.install_translators(QApplication.instance(), "en")
    assert len(menus) == 6 and sum(len(texts) for texts in menus.values()) > 15, menus
    problems = {title: clashes(texts) for title, texts in menus.items() if clashes(texts)}
    assert not problems, f"{code}: {problems}"
    unmarked = [text for texts in menus.values() for text in texts if accelerator(text) is None]
    assert not unmarked, f"{code}: menu entries without an accelerator: {unmarked}"


def test_the_check_sees_a_clash():
    assert accelerator("E&instellungen …") == "i" and accelerator("Tom && &Jerry") == "j"
    assert clashes(["E&instellungen …", "Unterhaltung &importieren …", "&Beenden"]) == [
        "i: E&instellungen …, Unterhaltung &importieren …"]
