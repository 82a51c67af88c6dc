"""The Chinese edition under zh/: the same browser checks as the English site, the language
switch to the same section, Chinese search, and Chinese figures from the one execution."""

import json
import re
import subprocess
import sys

import pytest

import test_site
from test_site import ROOT, TOC_PAGES

pytestmark = pytest.mark.book
ZH = ROOT / "_build" / "html" / "zh"


@pytest.fixture(scope="session")
def zh_url(built_book, site_url):
    """The zh edition, built after the English one from the same execution cache."""
    build = subprocess.run(
        [sys.executable, "i18n/build.py", "zh"], cwd=ROOT, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert "Executing notebook" not in build.stdout + build.stderr, "a chapter ran again"
    return f"{site_url}/zh"


@pytest.mark.browser
@pytest.mark.parametrize("page_path", TOC_PAGES)
def test_chinese_page_offline(browser, zh_url, page_path):
    test_site.test_page_offline(browser, zh_url, page_path)


@pytest.mark.browser
def test_switch_leads_to_the_same_section(browser, site_url, zh_url):
    page = browser.new_page()
    page.goto(f"{zh_url}/book/backprop.html#forward-pass")
    page.wait_for_timeout(500)
    click = "document.querySelector('a.lang-switch').click()"  # in place: a real click does not
    with page.expect_navigation():  # scroll, Playwright's scrolls the button into view first
        page.evaluate(click)
    assert page.url == f"{site_url}/book/backprop.html#forward-pass"
    assert page.evaluate("document.documentElement.lang") == "en"
    page.wait_for_timeout(500)
    with page.expect_navigation():
        page.evaluate(click)
    assert page.url == f"{zh_url}/book/backprop.html#forward-pass"
    page.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "query, page_path",
    [("反向传播", "book/backprop"), ("梯度消失", "book/glossary"), ("池化", "book/cnn")],
)
def test_chinese_search(browser, zh_url, query, page_path):
    page = browser.new_page()
    page.goto(f"{zh_url}/search.html?q={query}")
    page.wait_for_selector("#search-results li a", timeout=10_000)
    hits = page.locator("#search-results li a").evaluate_all("l => l.map(a => a.href)")
    assert any(page_path + ".html" in hit for hit in hits), hits
    page.close()


def widget_state(path):
    """The page's widget state (the figures' frames and alt text), decoded."""
    page = path.read_text(encoding="utf-8")
    state = re.search(
        r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', page, re.S
    )
    return json.dumps(json.loads(state.group(1).replace("<\\/", "</")), ensure_ascii=False)


def test_intro_figure_in_each_language(zh_url):
    """One execution, two figures: each edition's intro holds its own alt text, not the other."""
    en = widget_state(ROOT / "_build/html/book/intro.html")
    zh = widget_state(ZH / "book/intro.html")
    assert "Log plot of the gradient size" in en and "对数图" not in en
    assert "对数图" in zh and "Log plot of the gradient size" not in zh
