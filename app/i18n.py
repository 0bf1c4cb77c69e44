"""The interface language: `install_translators(app, code)` loads Octet's compiled translation and Qt's own
(qtbase, for standard dialogs) for one of `LANGUAGES` ("" follows the system), and sets the default QLocale;
`format_number`, `format_decimal` and `format_date` write numbers and dates the way that locale does.
"""
from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDateTime, QLibraryInfo, QLocale, QTranslator

LANGUAGES = ("en", "fr", "de", "es", "it")
FALLBACK = "en"

log = logging.getLogger(__name__)
_state = {"language": FALLBACK, "translators": []}


def translations_dir() -> Path:
    """resources/translations beside the app (or inside a PyInstaller bundle)."""
    root = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return root / "resources" / "translations"


def system_language(ui_languages: list[str] | None = None) -> str:
    """The first of the system's preferred languages that Octet speaks, else English."""
    for name in QLocale.system().uiLanguages() if ui_languages is None else ui_languages:
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return FALLBACK


def resolve_language(setting: str | None) -> str:
    """The language to show for the `language` setting: itself when supported, else the system's."""
    return setting if setting in LANGUAGES else system_language()


def install_translators(app: QCoreApplication, language_code: str | None = "") -> str:
    """Replace the installed translators by those of `language_code` ("" = the system's); returns the code used.

    A missing .qm file (translations not built) leaves that part in English and is logged, never raised.
    """
    code = resolve_language(language_code)
    for translator in _state["translators"]:
        app.removeTranslator(translator)
    _state["translators"] = [t for t in (_octet_translator(app, code), _qt_translator(app, code)) if t]
    for translator in _state["translators"]:
        app.installTranslator(translator)
    QLocale.setDefault(_locale_for(code))
    _state["language"] = code
    return code


def current_language() -> str:
    """The code installed by the last `install_translators` ("en" before any)."""
    return _state["language"]


def _octet_translator(app, code: str) -> QTranslator | None:
    translator = QTranslator(app)
    if translator.load(f"octet_{code}", str(translations_dir())):
        return translator
    log.warning("No compiled translation octet_%s.qm in %s (run tools/build_translations.py --compile)",
                code, translations_dir())
    return None


def _qt_translator(app, code: str) -> QTranslator | None:
    if code == FALLBACK:
        return None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return translator if translator.load(f"qtbase_{code}", folder) else None


def _locale_for(code: str) -> QLocale:
    """The system's own regional formats when they are in that language (fr_CH), else the language's."""
    system = QLocale.system()
    if QLocale(code).language() == system.language():
        return system
    return QLocale(code)


# -- formatting ----------------------------------------------------------------------------------------------
def format_number(value: int) -> str:
    """An integer with the locale's group separators: 12,345 / 12 345 / 12.345."""
    return QLocale().toString(int(value))


def format_decimal(value: float, decimals: int = 1) -> str:
    """A number with `decimals` digits after the locale's decimal separator: 2.5 / 2,5."""
    return QLocale().toString(float(value), "f", decimals)


def format_date(moment: datetime, *, long: bool = False) -> str:
    """A date and time as the locale writes it (short by default)."""
    kind = QLocale.FormatType.LongFormat if long else QLocale.FormatType.ShortFormat
    return QLocale().toString(QDateTime(moment), kind)


__all__ = ["LANGUAGES", "install_translators", "current_language", "resolve_language", "system_language",
           "translations_dir", "format_number", "format_decimal", "format_date"]
