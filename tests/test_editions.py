"""What the editions add to the site (tests/test_site.py runs its browser checks on every page of
every edition): the language switch to the same section, search in Chinese, each edition showing
its own outputs from its own execution, and Chinese prose with no English left and no raw MyST."""

import html
import os
import re
from pathlib import Path

import comments
import pytest
from sitetools import BASE_PATH, CHAPTERS, CJK, EDITIONS, TOC_PAGES, widget_state

from backprop.lang import bcp47
from test_site import FOLDERS, SITE_PAGES, open_offline, wait_for_math_and_widgets

pytestmark = pytest.mark.book
ZH = EDITIONS["zh_CN"][0]
ENGLISH_WORDS = re.compile(r"[A-Za-z]{2,}(?:[ ,;-]+[A-Za-z]{2,}){2,}")  # three words in a row


def switch_link(path):
    """(hreflang, address relative to the page) of the page's link to itself in the other
    edition, the one the switch follows."""
    found = re.search(
        r'<link rel="alternate" hreflang="([^"]+)" href="[^"]+" data-relative="([^"]+)"',
        path.read_text(),
    )
    return found.groups() if found else None


@pytest.mark.parametrize("page", [p for p in SITE_PAGES if p.removeprefix(ZH) != "index.html"])
def test_every_page_links_to_itself_in_the_other_edition(built_book, page):
    """Every page but index.html (a redirect to the first page); the 404 page's address starts at
    the site's path (it is shown at any depth: _ext/seo.py)."""
    here = ZH if page.startswith(ZH) else ""
    language, href = switch_link(built_book / page)
    other = ZH if here == "" else ""
    assert language == bcp47("en" if here else "zh_CN")
    start = built_book if href.startswith("/") else (built_book / page).parent
    target = os.path.normpath(start / href.removeprefix(BASE_PATH))  # as a URL resolves: the
    assert target == str(built_book / other / page.removeprefix(here))  # zh/ link not followed
    assert Path(target).is_file()


SECTIONS = [("book/backprop.html", "the-forward-pass"), ("book/cnn.html", "the-pooling-layer")]


@pytest.mark.browser
@pytest.mark.parametrize("page_path, section", SECTIONS)
@pytest.mark.parametrize("start, end", [("", ZH), (ZH, "")])
def test_switch_leads_to_the_section_being_read(browser, site_url, page_path, section, start, end):
    """Scroll to a section, press the switch: the other edition opens at that section."""
    page, problems = open_offline(browser, f"{site_url}/{start}{page_path}")
    wait_for_math_and_widgets(page)  # the widgets take their room: the page's final layout
    page.evaluate(f"document.getElementById('{section}').scrollIntoView({{behavior: 'instant'}})")
    top_of_section = f"document.getElementById('{section}').getBoundingClientRect().top"
    # at the top of the window, where the switch looks for the section being read
    page.wait_for_function(f"{top_of_section} >= 0 && {top_of_section} < 120")
    box = page.locator("a.lang-switch").bounding_box()  # a reader's click: Playwright's .click()
    with page.expect_navigation():  # would first scroll the (sticky) button "into view"
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.url == f"{site_url}/{end}{page_path}#{section}"
    assert page.evaluate("document.documentElement.lang") == ("zh-CN" if end else "en")
    wait_for_math_and_widgets(page)  # the section where the reader sees it once the page settled
    top = page.evaluate(top_of_section)
    assert 0 <= top < 200, f"the section is not at the top of the window: {top}"
    assert not problems["console"] and not problems["pageerror"], problems
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "query, page_path",
    [("反向传播", "book/backprop.html"), ("梯度消失", "book/mlp.html"), ("池化", "book/cnn.html")],
)
def test_chinese_search_finds_the_terms(browser, site_url, query, page_path):
    page, problems = open_offline(browser, f"{site_url}/{ZH}search.html?q={query}")
    page.wait_for_selector("#search-results li a")
    hits = page.locator("#search-results li a").evaluate_all("l => l.map(a => a.href)")
    assert any(hit.split("#")[0].endswith(f"/{ZH}{page_path}") for hit in hits), hits
    assert not problems["console"], problems
    page.context.close()


def widget_texts(path):
    """The alt texts and control descriptions of a page's widget state."""
    state = widget_state(path).get("state", {}).values()
    values = [m["state"].get("value", "") for m in state if m["model_name"] == "HTMLModel"]
    alts = [html.unescape(a) for v in values for a in re.findall(r'alt="([^"]*)"', v)]
    descriptions = [m["state"].get("description", "") for m in state]
    return alts, [d for d in descriptions if d]


@pytest.mark.parametrize("page", TOC_PAGES)
def test_each_edition_shows_its_own_figures_and_controls(built_book, page):
    """Each edition's page holds the same widgets, its own alt texts and control descriptions
    (a figure's labels are in its image, checked by the catalogue test)."""
    en_alts, en_controls = widget_texts(built_book / page)
    zh_alts, zh_controls = widget_texts(built_book / ZH / page)
    assert len(en_alts) == len(zh_alts) and len(en_controls) == len(zh_controls)
    assert not [t for t in en_alts + en_controls if CJK.search(t)]
    assert not [t for t in zh_alts if not CJK.search(t)], "alt text left in English"
    english = [t for t in zh_controls if re.search(r"[A-Za-z]{3,}", t) and not CJK.search(t)]
    assert not english, f"controls left in English: {english}"


# The prose of a page: its paragraphs, list items, headings and table headers, without code and
# maths; a table row with Chinese in it counts as translated (the glossary names English terms).
PROSE = """() => Array.from(document.querySelectorAll(
    'article p, article li, article h1, article h2, article h3, article th, article caption'))
  .filter(e => !e.closest('pre, .cell_input, .highlight, dl.py, .sig'))
  .filter(e => !(e.closest('tr') && /[\u4e00-\u9fff]/.test(e.closest('tr').textContent)))
  .map(e => { const c = e.cloneNode(true);
              c.querySelectorAll('code, .math, math, .pre').forEach(x => x.remove());
              return c.textContent.replace(/\\s+/g, ' ').trim(); })"""


@pytest.mark.browser
@pytest.mark.parametrize("page_path", TOC_PAGES)
def test_chinese_prose_has_no_english_left_and_no_raw_markup(browser, site_url, page_path):
    page, _ = open_offline(browser, f"{site_url}/{ZH}{page_path}")
    texts = page.evaluate(PROSE)
    assert texts, "no prose found"
    english = [t for t in texts if ENGLISH_WORDS.search(t) and not CJK.search(t)]
    assert not english, f"left in English: {english[:5]}"
    raw = [t for t in texts if re.search(r"\*\*|\{(?:ref|eq|glue|doc|numref)[^}]*\}`|`", t)]
    assert not raw, f"raw MyST shown: {raw[:5]}"
    page.context.close()


#: a block of Python code on a page: a code cell's input (ipython3) or the package's source it
#: includes (literalinclude: Pygments' "default", Python), not an output (myst-ansi)
CODE = re.compile(
    r'<div class="highlight-(?:ipython3|default) notranslate">.*?<pre>(.*?)</pre>', re.S
)


@pytest.mark.parametrize("page", [f"book/{chapter.stem}.html" for chapter in CHAPTERS])
def test_the_code_a_chinese_page_shows_has_its_comments_in_chinese(built_book, page):
    """Every comment and docstring of the code on a Chinese page is code.po's translation:
    Chinese, or the English kept where it is only code or maths (a msgstr the same as its msgid)."""
    shown = CODE.findall((built_book / ZH / page).read_text())
    kept = {msgid for msgid, msgstr in comments.catalogue("zh_CN").items() if msgid == msgstr}
    for code in [html.unescape(re.sub(r"<[^>]+>", "", block)) for block in shown]:
        english = [c.text for c in comments.comments(code) if not CJK.search(c.text)]
        assert [text for text in english if text not in kept] == [], page
    english_page = CODE.findall((built_book / page).read_text())
    assert len(shown) == len(english_page), "the editions show different code"


def test_each_edition_executes_its_chapters_in_its_language(build_log):
    """Only tools/build.py runs chapters, each edition's in its language; the Sphinx builds never
    execute one, and every chapter is in the cache they read, its outputs drawn in its language."""
    import catalogues  # imports Jupyter Book, seconds: not at the module's top (make test-fast)

    assert "Executed notebook" not in build_log, "a Sphinx build executed a chapter itself"
    for language in EDITIONS:
        notebooks = catalogues.executed_notebooks(language).values()
        recorded = [bool(catalogues.output_messages(nb, language)) for nb in notebooks]
        assert all(recorded) if language != "en" else not any(recorded), language


def test_the_editions_share_their_section_ids(built_book):
    """A section keeps its (English) id in every edition: the switch's #id finds it."""
    for page in TOC_PAGES:
        ids = [
            set(re.findall(r'<section[^>]*\bid="([^"]+)"', (built_book / f / page).read_text()))
            for f in FOLDERS
        ]
        assert ids[0] and all(i == ids[0] for i in ids), page
