"""The .ts sources: in step with the code (a fresh lupdate finds no string they lack), every entry finished,
placeholders (%1, %n, {name}) and menu accelerators kept, and each language's typography (French spaces before
: ? ! ;, Spanish ¿ ¡). English keeps only plural forms: its other strings are the source texts themselves.
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_translations  # noqa: E402

TRANSLATED = ("fr", "de", "es", "it")
PLACEHOLDER = re.compile(r"%(?:\d+|n)|\{[a-z_]+\}")
NB_SPACES = "\u00a0\u202f"


def messages(path: Path) -> list[dict]:
    """Each message of a .ts file: context, source, numerus, translation type and forms."""
    found = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.find("name").text
        for message in context.iter("message"):
            translation = message.find("translation")
            numerus = message.get("numerus") == "yes"
            forms = [f.text or "" for f in translation.iter("numerusform")] if numerus else [translation.text or ""]
            found.append({"context": name, "source": message.find("source").text, "numerus": numerus,
                          "type": translation.get("type"), "forms": forms})
    return found


def keys(entries) -> set[tuple[str, str]]:
    return {(e["context"], e["source"]) for e in entries}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> list[dict]:
    """What lupdate finds in app/ now, written to a scratch .ts (the real ones are not touched)."""
    scratch = tmp_path_factory.mktemp("lupdate") / "fresh.ts"
    subprocess.run([build_translations.qt_tool("lupdate"), *build_translations.python_sources(), "-no-obsolete",
                    "-locations", "none", "-ts", str(scratch)], cwd=ROOT, check=True, capture_output=True)
    return messages(scratch)


def ts(code: str) -> list[dict]:
    return messages(build_translations.ts_path(code))


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_source_string_has_a_finished_translation(code, fresh):
    entries = ts(code)
    missing = keys(fresh) - keys(entries)
    assert not missing, f"octet_{code}.ts lacks {sorted(missing)[:5]}: run tools/build_translations.py --update"
    unfinished = [e["source"] for e in entries if e["type"] is not None or not all(f.strip() for f in e["forms"])]
    assert not unfinished, f"octet_{code}.ts has unfinished entries: {unfinished[:5]}"


def test_english_holds_exactly_the_plural_forms(fresh):
    entries = ts("en")
    assert keys(entries) == keys(e for e in fresh if e["numerus"])
    assert all(e["numerus"] and e["type"] is None and len(e["forms"]) == 2 and all(e["forms"]) for e in entries)


@pytest.mark.parametrize("code", ("en", *TRANSLATED))
def test_placeholders_survive_in_every_form(code):
    for entry in ts(code):
        expected = sorted(PLACEHOLDER.findall(entry["source"]))
        for form in entry["forms"]:
            assert sorted(PLACEHOLDER.findall(form)) == expected, (code, entry["source"], form)


@pytest.mark.parametrize("code", TRANSLATED)
def test_menu_accelerators_are_kept(code):
    for entry in ts(code):
        if "&" in entry["source"]:
            assert entry["forms"][0].count("&") == 1, (code, entry["source"], entry["forms"][0])


def test_french_typography_has_spaces_before_double_punctuation():
    bad = [form for entry in ts("fr") for form in entry["forms"]
           if re.search(rf"[^{NB_SPACES}][:?!;](?:\s|$)", form) or re.search(r"«[^\u00a0]|[^\u00a0]»", form)]
    assert not bad, bad


def test_spanish_questions_and_exclamations_open_with_inverted_marks():
    for entry in ts("es"):
        for form in entry["forms"]:
            for sentence in re.findall(r"[^.?!]*[?!]", form):
                opener = "¿" if sentence.endswith("?") else "¡"
                assert opener in sentence, form


def test_translations_are_not_english_left_over():
    """Apart from names and symbols, a translated string differs from its English source in every language."""
    same_everywhere = {"Octet", "%1 / %2", "%1 · %2 · %3", "Top-p", "Top-k", "Min-p", "Markdown (*.md)",
                       " pt", "%1/s", "Seed", "{rate} tokens/s", " tokens", "%1 TB", "%1 GB", "%1 MB", "%1 kB",
                       "&File", "&Chat", "Assistant", "Install", "Default", "Design", "%1 bytes", "Application"}
    for code in TRANSLATED:
        left = [e["source"] for e in ts(code) if not e["numerus"] and e["forms"][0] == e["source"]
                and e["source"] not in same_everywhere]
        assert not left, (code, left)


def test_compile_writes_a_qm_per_language_without_lupdate(tmp_path, monkeypatch):
    monkeypatch.setattr(build_translations, "qm_path", lambda code: tmp_path / f"octet_{code}.qm")
    monkeypatch.setattr(build_translations, "update_sources", lambda *a: pytest.fail("compile ran lupdate"))
    written = build_translations.compile_translations()
    assert [p.name for p in written] == [f"octet_{c}.qm" for c in build_translations.LANGUAGES]
    assert all(p.stat().st_size > 0 for p in written)
