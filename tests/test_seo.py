"""What a search engine, a shared link and a lost reader find (``_ext/seo.py``), and a page that
paints before its widgets load (``_ext/first_paint.py``), on every page of both editions."""

import os
import xml.etree.ElementTree as ElementTree
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image
from sitetools import BASE_PATH, CJK, EDITIONS, TOC_PAGES, base_url, settle, widget_state_file

from backprop.lang import bcp47
from test_site import FOLDERS, SITE_PAGES, check_every_control, linked_figures, open_offline

pytestmark = pytest.mark.book
LANGUAGE_OF_FOLDER = {folder: language for language, (folder, _) in EDITIONS.items()}
SITE = base_url()  #: the published site's address
NOT_FOUND = {"en": "Page not found", "zh_CN": "找不到页面"}  #: the 404 page's heading
VIEWS = 'script[type="application/vnd.jupyter.widget-view+json"]'
#: index.html, an edition's address, redirects to the book's first page and stands for it
STANDS_FOR = {"index.html": TOC_PAGES[0]}
MANAGER = "widgets/embed.js"


class Head(HTMLParser):
    """A page's <html lang>, <meta>s (name or property -> content) and <link>s (attribute dicts),
    and the <script> tags' attributes."""

    def __init__(self, text):
        super().__init__()
        self.lang, self.meta, self.links, self.scripts = None, {}, [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "meta" and "content" in attrs:
            self.meta[attrs.get("name") or attrs.get("property")] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script":
            self.scripts.append(attrs)

    def alternates(self):
        """{hreflang: href} of the page's alternates, in their order."""
        return {link["hreflang"]: link["href"] for link in self.links if "hreflang" in link}


def head(built_book, page):
    return Head((built_book / page).read_text(encoding="utf-8"))


def published(folder, page):
    return f"{SITE}{folder}{page}"


def site_file(built_book, url):
    """The built file a published address names."""
    assert url.startswith(SITE), url
    return built_book / url.removeprefix(SITE)


def edition(page):
    """(folder, language, the page it stands for in its edition) of a path under the site's
    root: ("zh/", "zh_CN", "book/intro.html") for zh/index.html."""
    folder = next(f for f in sorted(FOLDERS, key=len, reverse=True) if page.startswith(f))
    bare = page.removeprefix(folder)
    return folder, LANGUAGE_OF_FOLDER[folder], STANDS_FOR.get(bare, bare)


@pytest.mark.parametrize("page", SITE_PAGES)
def test_every_page_says_what_it_is_in_its_language(built_book, page):
    """A description, Open Graph's title, description and image (served by the site), in the
    page's language, and <html lang> of its edition."""
    found, (folder, language, shown) = head(built_book, page), edition(page)
    assert found.lang == bcp47(language)
    for key in ("description", "og:title", "og:description", "og:image", "og:url"):
        assert found.meta.get(key, "").strip(), f"no {key}"
    assert found.meta["og:description"] == found.meta["description"]
    text = found.meta["description"]  # English may name a term of the notes in Chinese
    assert (len(CJK.findall(text)) > len(text) / 3) == (language != "en"), text
    assert 50 <= len(found.meta["description"].encode()) <= 500, found.meta["description"]
    assert found.meta["og:url"] == published(folder, shown)
    assert found.meta["og:image"].startswith(SITE) and site_file(built_book, found.meta["og:image"])
    assert site_file(built_book, found.meta["og:image"]).is_file()


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_page_describes_itself(built_book, folder):
    """Each page of the book has a description of its own: its first paragraph."""
    descriptions = [head(built_book, folder + page).meta["description"] for page in TOC_PAGES]
    assert len(set(descriptions)) == len(descriptions), descriptions
    if not folder:
        assert descriptions[0].startswith("This course explains backpropagation")


@pytest.mark.parametrize("page", SITE_PAGES)
def test_every_page_names_itself_in_every_edition(built_book, page):
    """hreflang alternates at published addresses: every edition's page (the other edition's
    first: the switch takes it), and x-default, the English one; each a page of the site."""
    found, (_, language, shown) = head(built_book, page), edition(page)
    alternates = found.alternates()
    expected = {bcp47(lang): published(f, shown) for lang, (f, _) in EDITIONS.items()}
    expected["x-default"] = published(EDITIONS["en"][0], shown)
    assert alternates == expected
    if page.rsplit("/", 1)[-1] not in STANDS_FOR:  # not index.html, a redirect with no switch
        assert next(iter(alternates)) != bcp47(language), "the other edition's link is not first"
    for url in alternates.values():
        assert site_file(built_book, url).is_file(), url


@pytest.mark.parametrize("page", SITE_PAGES)
def test_every_page_has_its_canonical_address(built_book, page):
    """The page's published address (the first page's for index.html, which redirects there);
    none on the 404 page, shown at any address."""
    found, (folder, _, shown) = head(built_book, page), edition(page)
    canonical = [link["href"] for link in found.links if link.get("rel") == "canonical"]
    assert canonical == ([] if shown == "404.html" else [published(folder, shown)])


@pytest.mark.parametrize("page", [p for p in SITE_PAGES if p.rsplit("/", 1)[-1] not in STANDS_FOR])
def test_every_page_shows_an_icon_of_the_site(built_book, page):
    """Without an icon the browser asks for /favicon.ico: a 404 in the console."""
    icons = [link["href"] for link in head(built_book, page).links if link.get("rel") == "icon"]
    assert len(icons) == 1, icons
    if icons[0].startswith("/"):  # the 404 page's addresses start at the site's path
        icon = built_book / icons[0].removeprefix(BASE_PATH)
    else:
        icon = (built_book / page).parent / icons[0]
    assert Path(os.path.normpath(icon)).is_file(), icons


def test_the_sitemap_lists_every_page_of_every_edition(built_book):
    """sitemap.xml: every page of the book in every edition, each with its alternates."""
    space = {
        "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
        "x": "http://www.w3.org/1999/xhtml",
    }
    urls = ElementTree.parse(built_book / "sitemap.xml").getroot().findall("s:url", space)
    locations = [url.find("s:loc", space).text for url in urls]
    expected = [published(folder, page) for folder in FOLDERS for page in TOC_PAGES]
    assert sorted(locations) == sorted(expected)
    for url in urls:
        links = {a.get("hreflang"): a.get("href") for a in url.findall("x:link", space)}
        assert set(links) == {bcp47(language) for language in EDITIONS}
        assert url.find("s:loc", space).text in links.values()


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_edition_has_its_card(built_book, folder):
    """The Open Graph image: a PNG of the size the sites showing cards ask for."""
    card = site_file(built_book, head(built_book, folder + TOC_PAGES[0]).meta["og:image"])
    with Image.open(card) as image:
        assert image.format == "PNG" and image.size == (1200, 630)


@pytest.mark.parametrize("page", SITE_PAGES)
def test_the_widget_manager_is_only_on_pages_with_widgets_and_never_blocks(built_book, page):
    """No page has the widgets' manager or state in its <head>; a page with widgets names them
    in its loader (its state in a file beside it), a page without names neither."""
    text = (built_book / page).read_text(encoding="utf-8")
    found = Head(text)
    assert not [s for s in found.scripts if MANAGER in s.get("src", "")], "embed.js in <head>"
    states = [s for s in found.scripts if s.get("type", "").endswith("widget-state+json")]
    assert not states, "the widget state is in the page"
    has_widgets = 'type="application/vnd.jupyter.widget-view+json"' in text
    assert (MANAGER in text) == has_widgets
    assert (widget_state_file(built_book / page) is not None) == has_widgets


WIDGET_PAGE = "book/backprop.html"


@pytest.mark.browser
@pytest.mark.parametrize("folder", FOLDERS)
def test_a_page_paints_without_its_widgets_and_loads_them_when_the_reader_comes(
    browser, site_url, folder
):
    """On a phone, a page with widgets loads, shows its text and stays without the widgets'
    manager or state while the reader has not moved; scrolled to a figure, its widgets render
    and every control of it changes the figure."""
    page, problems = open_offline(browser, f"{site_url}/{folder}{WIDGET_PAGE}", width=390)
    page.wait_for_function("document.readyState === 'complete'")
    page.wait_for_function("() => document.fonts.status === 'loaded'")
    assert page.locator("article h1").first.is_visible()
    loaded = [url for url in problems["loaded"] if MANAGER in url or ".widgets.js" in url]
    assert not loaded, f"loaded before the reader moved: {loaded}"
    first = page.locator(VIEWS).first.locator("xpath=..")
    first.evaluate("area => area.scrollIntoView()")
    settle(page)
    figure = linked_figures(page)[0]
    check_every_control(figure, page)
    assert not problems["console"] and not problems["pageerror"], problems
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("folder", FOLDERS)
def test_a_missing_address_shows_the_editions_404_page(browser, site_url, folder):
    """A missing address at any depth under an edition's folder shows that edition's 404 page
    (GitHub Pages serves the root one: it sends a reader under zh/ to zh/404.html), styled as the
    site, in its language, linking to every page of the book; a link leads there."""
    language = LANGUAGE_OF_FOLDER[folder]
    page, problems = open_offline(browser, f"{site_url}/{folder}no/such/page.html")
    if folder:  # sent on from the root's 404 page
        page.wait_for_url(f"{site_url}/{folder}404.html")
    page.wait_for_function("document.readyState === 'complete'")
    assert page.evaluate("document.documentElement.lang") == bcp47(language)
    heading = page.locator("article h1")
    assert heading.inner_text().strip() == NOT_FOUND[language]
    sheets = page.evaluate(
        "Array.from(document.querySelectorAll('link[rel=stylesheet]')).map(l => !!l.sheet)"
    )
    assert sheets and all(sheets), "a stylesheet did not load"
    links = page.locator("#page-not-found a").evaluate_all("l => l.map(a => a.href)")
    assert links == [f"{site_url}/{folder}{p}" for p in TOC_PAGES]
    failed = page.evaluate(
        "performance.getEntriesByType('resource').filter(e => e.responseStatus >= 400)"
        ".map(e => e.name)"
    )
    assert not failed, f"missing: {failed}"
    page.locator("#page-not-found a").nth(2).click()
    page.wait_for_url(f"{site_url}/{folder}{TOC_PAGES[2]}")
    assert not problems["external"] and not problems["pageerror"], problems
    page.context.close()
