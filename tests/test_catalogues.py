"""The Chinese edition's catalogues: every entry of a translated page is translated, none fuzzy,
and each translation keeps its source's roles, maths and code (what the reader cannot rewrite).

A page joins TRANSLATED when its catalogue is complete; from then on a change to its prose (a new
or changed msgid after ``python i18n/build.py pot`` and ``sphinx-intl update``) fails this test
until the translation follows.
"""

import re
from pathlib import Path

import polib
import pytest

CATALOGUES = Path(__file__).resolve().parent.parent / "locales" / "zh_CN" / "LC_MESSAGES"
TRANSLATED = ["book/intro"]  # the spike's complete pages; the full edition lists every page

# what must pass through a translation unchanged: roles with their targets, inline maths, code
KEPT = re.compile(r"\{[\w:-]+\}`[^`]*`|\$[^$]+\$|`[^`]+`")


def catalogue(page):
    return polib.pofile(CATALOGUES / f"{page}.po")


def kept(text):
    """The roles, maths and code of ``text``; a {ref} role's shown text may be translated."""
    return sorted(re.sub(r"`[^`<]*<", "`<", part) for part in KEPT.findall(text))


@pytest.mark.parametrize("page", TRANSLATED)
def test_every_entry_is_translated(page):
    po = catalogue(page)
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []


@pytest.mark.parametrize("page", sorted(p.stem for p in (CATALOGUES / "book").glob("*.po")))
def test_translations_keep_roles_maths_and_code(page):
    for entry in catalogue(f"book/{page}").translated_entries():
        assert kept(entry.msgstr) == kept(entry.msgid), entry.msgid
