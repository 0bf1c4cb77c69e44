"""Sizes, speeds and durations as a person reads them ("26.4 GB", "12 MB/s", "about 3 min left").

Decimal units (1 GB = 10^9 bytes), as disks and the Hub count them, numbers in the locale's style ("26,4 Go").
Every template goes through Qt's translation system under the "Units" context, so translators can change the
order or the unit names.
"""
from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QObject

from app.i18n import format_decimal

translate = QCoreApplication.translate  # lupdate reads the literal texts in the calls below


class Units(QObject):
    """The "Units" context for plural forms: lupdate marks `self.tr(text, "", n)` as numerus, not `translate`."""

    def minutes_left(self, minutes: int) -> str:
        return self.tr("about %n min left", "", minutes)


def _unit_templates() -> tuple[tuple[float, str], ...]:
    return ((1e12, translate("Units", "%1 TB")), (1e9, translate("Units", "%1 GB")),
            (1e6, translate("Units", "%1 MB")), (1e3, translate("Units", "%1 kB")))


def arg(template: str, *values) -> str:
    """Qt's `QString::arg` for a translated template: "%1 of %2" filled in one pass (a value may hold "%1")."""
    def fill(match: re.Match) -> str:
        index = int(match.group(1))
        return str(values[index - 1]) if 1 <= index <= len(values) else match.group(0)

    return re.sub(r"%(\d+)", fill, template)


def format_size(n_bytes: int | float) -> str:
    """GB and TB with one decimal ("26.4 GB"); kB and MB with one below 10 ("4.2 MB"), none above ("98 MB")."""
    for factor, template in _unit_templates():
        if n_bytes >= factor:
            value = n_bytes / factor
            precise = factor >= 1e9 or value < 10
            return arg(template, format_decimal(value, 1 if precise else 0))
    return arg(translate("Units", "%1 bytes"), int(n_bytes))


def format_speed(bytes_per_s: float) -> str:
    return arg(translate("Units", "%1/s"), format_size(bytes_per_s))


def format_time_left(seconds: float) -> str:
    """"about 5 min left"; "" while unknown (negative)."""
    if seconds < 0:
        return ""
    if seconds < 60:
        return translate("Units", "less than a minute left")
    minutes = round(seconds / 60)
    if minutes < 60:
        return Units().minutes_left(minutes)
    hours, minutes = divmod(minutes, 60)
    return arg(translate("Units", "about %1 h %2 min left"), hours, minutes)
