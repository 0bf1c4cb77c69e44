"""The interface language: translators installed for the chosen or the system language (Octet's and Qt's own),
numbers and dates in the locale's style, and the main window opened offscreen in each of the five languages
with every visible text coming from the translation (no English left in the French window, apart from names).
"""
import sys
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtWidgets import (QAbstractButton, QApplication, QDialogButtonBox, QLabel, QLineEdit, QMenu,
                               QPlainTextEdit, QWidget)

from app import i18n

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_translations  # noqa: E402
from tests.app.language_samples import SAMPLES  # noqa: E402

NAMES = {"Octet", "SmolLM2-135M-Instruct", "Mixtral", "✕", "‹", "›", "", "Markdown (*.md)"}
LANGUAGE_NAMES = {"English", "Français", "Deutsch", "Español", "Italiano"}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    build_translations.compile_translations()


@pytest.fixture
def app(qapp):
    yield qapp
    i18n.install_translators(qapp, "en")


def test_install_uses_the_setting_then_the_system(app, monkeypatch):
    assert i18n.install_translators(app, "de") == "de" and i18n.current_language() == "de"
    assert QCoreApplication.translate("Composer", "Send") == "Senden"
    monkeypatch.setattr(i18n, "system_language", lambda ui_languages=None: "it")
    assert i18n.install_translators(app, "") == "it"
    assert QCoreApplication.translate("Composer", "Send") == "Invia"
    assert i18n.install_translators(app, "en") == "en"
    assert QCoreApplication.translate("Composer", "Send") == "Send"


def test_system_language_takes_the_first_supported_preference():
    assert i18n.system_language(["pt-BR", "es-MX", "en-US"]) == "es"
    assert i18n.system_language(["de_CH"]) == "de"
    assert i18n.system_language(["ja-JP", "C"]) == "en"


@pytest.mark.parametrize("setting", ["klingon", "pt", "EN", "fr-FR", "xx", None, ""])
def test_an_unsupported_language_code_falls_back_to_the_systems_language(setting, monkeypatch):
    monkeypatch.setattr(i18n, "system_language", lambda ui_languages=None: "it")
    assert i18n.resolve_language(setting) == "it"
    assert [i18n.resolve_language(code) for code in i18n.LANGUAGES] == list(i18n.LANGUAGES)


def test_qt_standard_dialog_buttons_are_translated(app):
    i18n.install_translators(app, "fr")
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Save)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert texts == {"Annuler", "Enregistrer"}


def test_plural_forms(app):
    from app.ui.units import format_time_left
    from app.ui.window_menus import WindowMenus

    i18n.install_translators(app, "en")
    assert WindowMenus().exported(1) == "1 conversation exported."
    assert WindowMenus().exported(3) == "3 conversations exported."
    i18n.install_translators(app, "fr")
    assert WindowMenus().exported(1) == "1 conversation exportée."
    assert format_time_left(120) == "environ 2 min restantes"


@pytest.mark.parametrize("code, number, decimal, size", [
    ("en", "12,345", "2.5", "26.4 GB"), ("fr", "12\u202f345", "2,5", "26,4\u00a0Go"),
    ("de", "12.345", "2,5", "26,4 GB"), ("es", "12.345", "2,5", "26,4 GB"), ("it", "12.345", "2,5", "26,4 GB"),
])
def test_numbers_and_sizes_follow_the_locale(app, code, number, decimal, size):
    from app.ui.units import format_size

    i18n.install_translators(app, code)
    assert i18n.format_number(12345).replace("\u00a0", "\u202f") == number.replace("\u00a0", "\u202f")
    assert i18n.format_decimal(2.5) == decimal
    assert format_size(26.4e9) == size


def test_dates_follow_the_locale(app):
    moment = datetime(2024, 5, 3, 14, 5)
    i18n.install_translators(app, "de")
    assert i18n.format_date(moment).startswith("03.05.24")
    i18n.install_translators(app, "fr")
    assert i18n.format_date(moment).startswith("03/05/2024")
    assert "mai" in i18n.format_date(moment, long=True)


# -- the window in five languages ------------------------------------------------------------------------
def english_sources(code: str) -> set[str]:
    """The English texts that `code` translates differently (identical ones, like names, are vetted elsewhere)."""
    from tests.app.test_translations import messages

    return {e["source"].replace("&", "") for e in messages(build_translations.ts_path(code))
            if e["numerus"] or e["forms"][0] != e["source"]}


def visible_texts(window) -> list[tuple[str, str]]:
    """(what, text) for every visible text of the window: labels, buttons, placeholders, tooltips, menus."""
    found = [("title", window.windowTitle())]
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            found.append((type(widget).__name__, widget.text()))
        if isinstance(widget, (QLineEdit, QPlainTextEdit)):
            found.append(("placeholder", widget.placeholderText()))
        found.append(("tooltip", widget.toolTip()))
    for action in window.menuBar().actions():
        found.append(("menu", action.text()))
        for item in action.menu().actions() if isinstance(action.menu(), QMenu) else ():
            found.append(("menu item", item.text()))
    return [(what, text.replace("&", "")) for what, text in found if text.strip()]


def open_window(qtbot, code: str):
    from app.chat.controller import ChatController
    from app.history.store import HistoryStore
    from app.ui.main_window import MainWindow

    i18n.install_translators(QApplication.instance(), code)
    store = HistoryStore()
    window = MainWindow(ChatController(store))
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    return window, store


def seed(store, code: str):
    conversation = store.create_conversation(title=SAMPLES[code][0][:40], model="Mixtral")
    question = store.add_message(conversation.id, role="user", content=SAMPLES[code][0])
    store.add_message(conversation.id, role="assistant", content=SAMPLES[code][1], parent_id=question.id)
    return conversation


@pytest.mark.parametrize("code", ["fr", "de", "es", "it"])
def test_window_shows_no_english_in_another_language(app, qtbot, code):
    window, store = open_window(qtbot, code)
    first_run = visible_texts(window)
    window.controller.open_conversation(seed(store, code).id)
    window.refresh_conversations()
    chat = visible_texts(window)
    english = english_sources(code)
    leftovers = [(what, text) for what, text in first_run + chat
                 if text in english and text not in NAMES and text not in LANGUAGE_NAMES]
    assert not leftovers, leftovers
    assert len(chat) > 20  # the walk did see the window
    window.close()


def test_window_in_english_shows_the_sources(app, qtbot):
    window, store = open_window(qtbot, "en")
    texts = {text for _what, text in visible_texts(window)}
    assert {"File", "New chat", "Welcome to Octet", "Search conversations"} <= texts
    window.close()
