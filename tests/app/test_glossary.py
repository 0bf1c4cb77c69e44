"""One term, one translation: each language's glossary (resources/translations/glossary_<code>.json) says how a
term is translated and which variants are wrong; every message whose English source has the term must use the
chosen translation (unless the glossary lists it under `except`, for another sense of the word) and no rejected
variant, in every plural form.
"""
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_translations  # noqa: E402
from tests.app.test_translations import messages  # noqa: E402

TRANSLATED = ("fr", "de", "es", "it")


def glossary(code: str) -> dict:
    return json.loads((build_translations.TRANSLATIONS / f"glossary_{code}.json").read_text(encoding="utf-8"))


def english(entry: dict) -> str:
    return entry["source"].replace("&", "")


def has_term(source: str, terms: list[str]) -> bool:
    return any(re.search(r"\b" + re.escape(term), source, re.IGNORECASE) for term in terms)


def violations(term: dict, entries: list[dict]) -> list[str]:
    """What breaks `term` among `entries` (messages as tests/app/test_translations.py reads them)."""
    found = []
    for entry in entries:
        source = english(entry)
        if not has_term(source, term["en"]):
            continue
        for form in entry["forms"]:
            text = form.replace("&", "")
            for pattern in term.get("reject", []):
                if re.search(pattern, text, re.IGNORECASE):
                    found.append(f"{term['en'][0]!r}: {text!r} uses the rejected {pattern!r}")
            if entry["source"] not in term.get("except", []) and source not in term.get("except", []) and not any(
                    re.search(pattern, text, re.IGNORECASE) for pattern in term["use"]):
                found.append(f"{term['en'][0]!r}: {text!r} (for {source!r}) does not use {term['use']}")
    return found


@pytest.mark.parametrize("code", TRANSLATED)
def test_glossary_terms_are_used_consistently(code):
    entries = messages(build_translations.ts_path(code))
    problems = [problem for term in glossary(code)["terms"] for problem in violations(term, entries)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_glossary_entry_still_names_a_message(code):
    sources = [english(e) for e in messages(build_translations.ts_path(code))]
    terms = glossary(code)["terms"]
    assert glossary(code)["language"] == code and len(terms) >= 15
    stale = [term["en"] for term in terms if not any(has_term(source, term["en"]) for source in sources)]
    assert not stale, stale
    unknown = [source for term in terms for source in term.get("except", []) if source.replace("&", "") not in sources]
    assert not unknown, f"`except` names messages that no longer exist: {unknown}"


def test_the_check_catches_a_second_translation_and_a_missing_one():
    term = {"en": ["chat", "conversation"], "use": ["\\bchat"], "reject": ["unterhaltung"]}
    entries = [{"source": "&Import conversation…", "forms": ["Unterhaltung &importieren …"]},
               {"source": "New chat", "forms": ["Neues Gespräch"]},
               {"source": "Copy", "forms": ["Kopieren"]},
               {"source": "%n conversation(s) exported.", "forms": ["%n Chat exportiert.", "%n Chats exportiert."]}]
    problems = violations(term, entries)
    assert len(problems) == 3, problems
    assert "rejected" in problems[0] and "does not use" in problems[1] and "Gespräch" in problems[2]
