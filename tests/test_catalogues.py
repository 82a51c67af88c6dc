"""The translations' catalogues (locales/<language>/LC_MESSAGES/): complete, none fuzzy, each
translation keeping what a reader cannot rewrite (roles, maths, code; a figure text's numbers and
line breaks), and the figures' catalogue holding every text the executed chapters drew.

After a change of the English (a paragraph, a figure's label), ``make catalogues`` merges it into
the catalogues: the changed entries turn fuzzy or untranslated, and these tests fail until a
translator has followed.
"""

import re

import polib
import pytest
from sitetools import EDITIONS, ROOT, TOC_PAGES

LANGUAGES = [language for language in EDITIONS if language != "en"]
PAGES = [page.removesuffix(".html") for page in TOC_PAGES]
# what must pass through a translation unchanged: roles with their targets, inline maths, code
KEPT = re.compile(r"\{[\w:-]+\}`[^`]*`|\$[^$]+\$|`[^`]+`")
PLACEHOLDER = re.compile(r"\{[0-9]+\}")


def catalogue(language, name):
    return polib.pofile(ROOT / "locales" / language / "LC_MESSAGES" / f"{name}.po")


def kept(text):
    """The roles, maths and code of ``text``; a {ref} role's shown text may be translated."""
    return sorted(re.sub(r"`[^`<]*<", "`<", part) for part in KEPT.findall(text))


def unfinished(po):
    """The msgids of the entries a translator still owes: untranslated, fuzzy or obsolete."""
    entries = po.untranslated_entries() + po.fuzzy_entries() + po.obsolete_entries()
    return [e.msgid[:80] for e in entries]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_translated(language, page):
    assert unfinished(catalogue(language, page)) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_translations_keep_roles_maths_and_code(language, page):
    for entry in catalogue(language, page).translated_entries():
        assert kept(entry.msgstr) == kept(entry.msgid), entry.msgid


WORDS = re.compile(r"\\text\{[^}]*\}")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_display_maths_changes_only_its_words(language, page):
    """A display formula is in a catalogue for the words of its \\text{...}: nothing else of it
    may change (the mathematics and its numbering are the same in every edition)."""
    for entry in catalogue(language, page).translated_entries():
        if WORDS.search(entry.msgid) and "$" not in entry.msgid:
            assert WORDS.sub("", entry.msgstr) == WORDS.sub("", entry.msgid), entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sites_own_texts_are_translated(language):
    """site.po: the texts of the site's extensions (the 404 page), which make catalogues merges
    from the template the gettext build writes (_ext/seo.py)."""
    assert catalogue(language, "site").translated_entries()
    assert unfinished(catalogue(language, "site")) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_figure_texts_are_translated_with_their_numbers_and_lines(language):
    po = catalogue(language, "figures")
    assert unfinished(po) == []
    for entry in po.translated_entries():
        placeholders = sorted(PLACEHOLDER.findall(entry.msgstr))
        assert placeholders == sorted(PLACEHOLDER.findall(entry.msgid)), entry.msgid
        assert entry.msgstr.count("\n") == entry.msgid.count("\n"), entry.msgid


@pytest.mark.book
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_the_chapters_drew_is_in_the_figures_catalogue(built_book, language):
    """The messages each executed chapter's outputs looked up (kept in their metadata by
    backprop.lang) are all translated: a new label in a figure fails here until it is."""
    import catalogues  # imports Jupyter Book, seconds: only the tests of the built book need it

    translated = {e.msgid for e in catalogue(language, "figures").translated_entries()}
    for docname, notebook in catalogues.executed_notebooks(language).items():
        drawn = catalogues.output_messages(notebook, language)
        assert drawn, f"{docname}: no output recorded its messages"
        missing = sorted(set(drawn) - translated)
        assert not missing, f"{docname} drew untranslated texts: {missing[:10]}"
