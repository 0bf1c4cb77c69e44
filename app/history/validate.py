"""Checks on values that come from outside (an imported file, an old database row): a conversation's
sampling settings, times, bounded JSON nesting. Plain Python, no Qt.

`check_settings(value)` keeps each known setting whose type and range are right, drops the others with a
note, and keeps unknown keys untouched (the app reads only the known ones). The ranges are those the
conversation settings dialog offers.
"""
import math
import re
from datetime import datetime

MAX_DEPTH = 16  # of [ and { in any JSON value read from a file
ANSWER_LANGUAGE_KEY = "answer_language"  # as app.chat.prompts (history may not import app.chat)

SETTING_RULES = {  # key: (type, lowest, highest)
    "temperature": (float, 0.0, 2.0),
    "top_p": (float, 0.0, 1.0),
    "top_k": (int, 0, 1000),
    "min_p": (float, 0.0, 1.0),
    "repetition_penalty": (float, 1.0, 2.0),
    "max_tokens": (int, 1, 32768),
    "seed": (int, 0, 2**31 - 1),  # or None: random
}

_STRING = re.compile(r'"[^"]*"')  # once escapes are gone a JSON string holds no quote: linear
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


def check_settings(value) -> tuple[dict, list[str]]:
    """(the settings that can be used, a note for each value dropped). `value` must be a dict."""
    if not isinstance(value, dict):
        raise TypeError(f"settings must be a mapping, not {type(value).__name__}")
    kept, notes = {}, []
    for key, item in value.items():
        problem = _setting_problem(key, item)
        if problem:
            notes.append(f"setting {key} = {_short(item)} ignored: {problem}")
        else:
            kept[key] = item
    return kept, notes


def _setting_problem(key: str, item) -> str:
    if key == ANSWER_LANGUAGE_KEY:
        return "" if isinstance(item, str) and len(item) <= 16 else "not a language code"
    if key not in SETTING_RULES:
        return ""  # unknown: kept, never read
    kind, low, high = SETTING_RULES[key]
    if key == "seed" and item is None:
        return ""
    if isinstance(item, bool) or not isinstance(item, (int, float)):
        return f"not a number (expected {kind.__name__} from {low} to {high})"
    if kind is int and not isinstance(item, int):
        return f"not a whole number from {low} to {high}"
    if not math.isfinite(item) or not low <= item <= high:
        return f"outside {low}..{high}"
    return ""


def _short(item) -> str:
    text = repr(item)
    return text if len(text) <= 40 else text[:39] + "…"


def aware_time(text) -> datetime:
    """An ISO 8601 time with its time zone (as the history writes them); ValueError or TypeError otherwise."""
    if not isinstance(text, str) or len(text) > 64:
        raise TypeError(f"a time must be a short text, not {_short(text)}")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"the time {text!r} has no time zone")
    return moment


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON `text` nests arrays and objects more than `limit` deep, in linear time (C-level
    passes only), before a parser recurses into it."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text.replace("\\\\", "").replace('\\"', "")))
    for _ in range(limit):
        brackets = _INNERMOST_PAIR.sub("", brackets)
        if not brackets:
            return False
    return True

