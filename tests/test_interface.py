"""The interface around the text in the edition's language (issue 24, _ext/interface.py): no
button, tooltip, landmark name or search box of a Chinese page is in English."""

import re
from html import unescape

import polib
import pytest
from sitetools import CJK, HTML, ROOT

from test_site import open_offline

#: the attributes that name an interface element to a reader or a screen reader
NAMING = re.compile(r'\s(title|aria-label|placeholder|data-bs-title|alt)="([^"]*)"')
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
#: the English edition's link names it in its own language, as a language switch does
OTHER_EDITION = "English"
TOGGLE = "Toggle hidden content"  #: renamed on the page by a script (interface.TOGGLE_JS)


def english_names(html):
    """The English texts of ``html``'s naming attributes, outside the article's own content
    (figures and the API's docstrings have their own tests) but for its heading links."""
    outside = re.sub(r"<article\b.*?</article>", "", html, flags=re.S)
    links = re.findall(r'<a class="headerlink"[^>]*>', html)  # "Link to this heading"
    texts = [unescape(value) for _, value in NAMING.findall(outside + " ".join(links))]
    return sorted(
        {t for t in texts if ENGLISH_WORD.search(t) and not CJK.search(t)} - {OTHER_EDITION, TOGGLE}
    )


def test_the_interface_catalogue_is_complete_and_keeps_its_placeholders():
    po = polib.pofile(ROOT / "locales" / "zh_CN" / "LC_MESSAGES" / "theme.po")
    assert po.translated_entries() and not po.untranslated_entries() and not po.fuzzy_entries()
    for entry in po:
        assert re.findall(r"%\(\w+\)s", entry.msgstr) == re.findall(r"%\(\w+\)s", entry.msgid)


@pytest.mark.book
def test_no_chinese_page_names_a_button_or_landmark_in_english(built_book):
    pages = sorted((HTML / "zh").rglob("*.html"))
    assert len(pages) > 10
    found = {p.name: english_names(p.read_text(encoding="utf-8")) for p in pages}
    assert not {page: names for page, names in found.items() if names}


@pytest.mark.book
def test_the_english_pages_keep_the_themes_english(built_book):
    """The catalogue is the Chinese edition's: the English one keeps the theme's own texts."""
    page = (HTML / "book" / "rnn.html").read_text(encoding="utf-8")
    assert 'placeholder="Search this book..."' in page and "Color mode" in page
    assert english_names(page), "no English interface text on an English page: the test is blind"


@pytest.mark.book
@pytest.mark.browser
def test_the_toggle_buttons_of_a_chinese_page_are_named_in_chinese(browser, site_url):
    """sphinx-togglebutton's script and myst-nb name their buttons in English; on a Chinese page
    every element's accessible name, once its scripts have run, is Chinese."""
    page, _ = open_offline(browser, f"{site_url}/zh/book/backprop.html")
    page.wait_for_selector("button.toggle-button")
    names = page.evaluate(
        "Array.from(document.querySelectorAll('[aria-label]')).map(e => e.ariaLabel)"
    )
    assert TOGGLE not in names and "显示或隐藏内容" in names, names
    page.context.close()
