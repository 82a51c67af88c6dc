"""The Chinese edition's terminology (issue 24): one word per idea. locales/zh_CN/TERMS.md lists
the forms a translation must not use ("Forms not used"); no catalogue uses one, outside code and
maths (and outside the glossary, which names the forms other books use)."""

import re

import polib
import pytest
from sitetools import ROOT

LOCALE = ROOT / "locales" / "zh_CN"
VERBATIM = re.compile(r"`[^`]*`|\$[^$]*\$")  # code and maths: not words of the translation
EXEMPT = {"glossary.po"}  #: the page that names other books' words
CATALOGUES = sorted(p for p in (LOCALE / "LC_MESSAGES").rglob("*.po") if p.name not in EXEMPT)


def rejected_forms():
    """{form: the word used instead} from TERMS.md's table "Forms not used"."""
    text = (LOCALE / "TERMS.md").read_text(encoding="utf-8").split("## Forms not used", 1)[1]
    rows = [line.split("|")[1:3] for line in text.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): cells[1].strip() for cells in rows[1:]}  # after the header


def pattern(form):
    """``form`` as a word: a Latin form not inside a longer name, 饱和带 not inside 非饱和带."""
    if form.isascii():
        return re.compile(rf"(?<![A-Za-z_]){re.escape(form)}(?![A-Za-z_(])")
    return re.compile(rf"(?<!非){re.escape(form)}")


def test_the_table_lists_forms_and_their_replacements():
    forms = rejected_forms()
    assert len(forms) >= 10 and all(forms.values()), forms
    assert not set(forms) & set(forms.values()), "a form both rejected and used"


@pytest.mark.parametrize("path", CATALOGUES, ids=[p.name for p in CATALOGUES])
def test_no_catalogue_uses_a_rejected_form(path):
    found = []
    for entry in polib.pofile(str(path)).translated_entries():
        words = VERBATIM.sub(" ", entry.msgstr)
        found += [
            (form, entry.msgid[:60]) for form in rejected_forms() if pattern(form).search(words)
        ]
    assert not found, f"use the word of TERMS.md instead: {found[:5]}"


def test_the_rule_sees_a_rejected_form():
    """The check is not blind: a text written with the rejected forms is caught."""
    words = VERBATIM.sub(" ", "第 1 层的净输入 $z$ 在饱和带上，`relu` 即 relu，非饱和带")
    caught = {form for form in rejected_forms() if pattern(form).search(words)}
    assert caught == {"净输入", "饱和带", "relu"}, caught
