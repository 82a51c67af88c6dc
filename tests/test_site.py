"""The built site, as a reader's browser sees it: offline, typeset, every control alive, in every
edition (English at the root, Chinese under zh/: tests/test_editions.py checks what is theirs)."""

import re
from urllib.parse import urlparse

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sitetools import (
    BUDGETS_MB,
    CJK,
    EDITIONS,
    MIN_FONT_PX,
    TOC_PAGES,
    files_of,
    own_and_shared,
    settle,
    weights,
)

pytestmark = pytest.mark.book

#: how long a page may take to load, settle or find (ms): an upper bound for the slowest machine
TIMEOUT_MS = 120_000
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
#: made by Sphinx, and the 404 page by the site's extension (_ext/seo.py)
SPHINX_PAGES = ["404.html", "genindex.html", "index.html", "py-modindex.html", "search.html"]
FOLDERS = [folder for folder, _ in EDITIONS.values()]  #: each edition's folder: "", "zh/"
#: every page of every edition, as a path under the site's root
SITE_PAGES = [folder + page for folder in FOLDERS for page in TOC_PAGES + SPHINX_PAGES]
#: a phone: 390 x 844 CSS px, touch (a 2x screen, as every page opened here)
PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def built_pages(html):
    """The pages of the edition built in ``html`` (not those of another edition inside it)."""
    others = {folder.rstrip("/") for folder in FOLDERS if folder}
    return sorted(
        p.relative_to(html).as_posix()
        for p in html.rglob("*.html")
        if not {"_static", "reports", "_sources"} & set(p.parts)
        and p.relative_to(html).parts[0] not in others
    )


@pytest.mark.parametrize("folder", FOLDERS)
def test_each_edition_publishes_the_toc_and_nothing_else(built_book, folder):
    pages = built_pages(built_book / folder)
    assert pages == sorted(TOC_PAGES + SPHINX_PAGES), pages


#: a <script> or <link> that loads what it names: not a link to the page's published addresses
#: (its canonical address, its alternates in each edition: tests/test_seo.py)
LOADING = r'<(?:script|link)(?![^>]*\brel="(?:alternate|canonical)")[^>]+(?:src|href)="([^"]+)"'


def test_no_page_refers_to_another_host_for_scripts_or_styles(built_book):
    for page in SITE_PAGES:
        text = (built_book / page).read_text()
        external = [url for url in re.findall(LOADING, text) if re.match("https?://", url)]
        assert not external, f"{page} loads {external}"


def open_offline(browser, url, width=1280, dark=False, device=None, slowdown=1):
    """A page loaded with every non-loopback request blocked, on a 2x screen (``device``, such as
    PHONE, instead of a ``width`` x 900 window), its CPU ``slowdown`` times slower than this
    machine's (Chromium's throttling); returns (page, problems), where
    problems["loaded"] lists the loopback URLs it requested."""
    context = browser.new_context(
        **(device or {"viewport": {"width": width, "height": 900}}),
        device_scale_factor=2,
        color_scheme="dark" if dark else "light",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    if slowdown > 1:  # the session lives as long as the page (held by playwright's connection)
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": slowdown})
    problems = {"console": [], "external": [], "pageerror": [], "loaded": []}

    def route(r):
        host = urlparse(r.request.url).hostname or ""
        if r.request.url.startswith("data:") or host in LOOPBACK:
            r.request.url.startswith("data:") or problems["loaded"].append(r.request.url)
            return r.continue_()
        problems["external"].append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and problems["console"].append(m.text))
    page.on("pageerror", lambda e: problems["pageerror"].append(str(e)))
    page.goto(url, wait_until="load")
    return page, problems


def wait_for_math_and_widgets(page):
    """Wait until the page has settled (its widgets rendered, its images and fonts loaded);
    returns (whether it has maths, its number of widget views)."""
    settle(page)
    has_math = page.locator(".math, span.math, div.math").count() > 0  # typeset at build time
    views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
    return has_math, views


@pytest.mark.browser
@pytest.mark.parametrize("page_path", SITE_PAGES)
def test_page_offline(browser, built_book, site_url, page_path):
    """Every page of every edition passes check_page_offline on this machine's CPU."""
    check_page_offline(browser, built_book, f"{site_url}/{page_path}")


def check_page_offline(browser, built_book, url, slowdown=1):
    """Typeset, alt text on every image, no request to another host, no console error, every
    control of every linked figure changes the figure it controls, the page and its shared assets
    within their weights, one search bar, and (last, on a 2x screen) every figure drawn at twice
    its CSS size with its smallest text at least MIN_FONT_PX["desktop"] CSS px as shown; on a CPU
    ``slowdown`` times slower than this machine's."""
    page, problems = open_offline(browser, url, slowdown=slowdown)
    has_math, views = wait_for_math_and_widgets(page)
    if has_math:  # every formula MathML (typeset at build time), none an error, in its font
        untypeset = page.locator(".math:not(:has(math))")
        assert untypeset.count() == 0, f"math not typeset: {untypeset.first.inner_text()[:80]}"
        assert page.locator("merror").count() == 0, "MathJax reported an error in a formula"
        assert page.evaluate(MATH_FONT_LOADED), "the math font did not load"
        assert not page.evaluate(CUT_FORMULAS), "display formulas cut off at the column's edge"
        unmarked = page.evaluate(UNMARKED_SCROLLING)
        assert not unmarked, f"formulas that scroll with no shade at their edge: {unmarked}"
    missing_alt = page.evaluate(
        "Array.from(document.images).filter(i => !(i.getAttribute('alt') || '').trim())"
        ".map(i => i.src.slice(0, 80))"
    )
    assert not missing_alt, f"images without alt text: {missing_alt}"
    figures = linked_figures(page)
    assert len(figures) <= views
    for widget in figures:
        check_every_control(widget, page)
    settle(page)  # what the controls showed has loaded: every file the page needs is requested
    own, shared = own_and_shared(files_of(problems["loaded"], page.url, built_book))
    assert not [f for f in shared if "fontawesome" in f.parts], "the full icon fonts were fetched"
    for name, files in (("own files", own), ("shared assets", shared)):
        megabytes = weights(files)[0] / 1e6
        assert megabytes <= BUDGETS_MB[name], f"{name}: {megabytes:.2f} MB as files"
    assert page.locator(".search-button-field:visible").count() <= 1, "a second search bar shows"
    assert not problems["external"], f"requests to other hosts: {problems['external']}"
    assert not problems["pageerror"], problems["pageerror"]
    assert not problems["console"], problems["console"]
    check_figures_are_sharp_and_readable(page, MIN_FONT_PX["desktop"])
    page.context.close()


# The math font (_ext/typeset.py) loaded, not merely declared: once the page's fonts are ready.
MATH_FONT_LOADED = """async () => { await document.fonts.ready;
  return Array.from(document.fonts).some(f => f.family.includes("STIX Two Math")
                                             && f.status === "loaded"); }"""


# Display formulas wider than their column (their ids): none on a desktop, and a wider one (on a
# phone) must scroll sideways rather than be cut off. A formula's own box (div.formula, beside its
# number) scrolls (on a desktop too: (conv-bp-rot) is wider than the column), with its shades.
FORMULA_BOXES = "'div.math, div.math > div.formula'"
CUT_FORMULAS = f"""() => Array.from(document.querySelectorAll({FORMULA_BOXES}))
  .filter(d => d.scrollWidth > d.clientWidth + 2
               && ((innerWidth >= 1000 && d.matches('div.math'))
                   || getComputedStyle(d).overflowX !== 'auto'))
  .map(d => d.closest('div.math').id || d.textContent.slice(0, 40))"""


# Display formulas that scroll sideways without the shades that show it (assets/course.css: two
# covers that scroll with the formula over two shades fixed at its edges).
UNMARKED_SCROLLING = f"""() => Array.from(document.querySelectorAll({FORMULA_BOXES}))
  .filter(d => d.scrollWidth > d.clientWidth + 2)
  .filter(d => {{ const style = getComputedStyle(d);
                 return (style.backgroundImage.match(/gradient/g) || []).length < 4
                        || !/local/.test(style.backgroundAttachment); }})
  .map(d => d.closest('div.math').id || d.textContent.slice(0, 40))"""


FIGURES = """() => Array.from(document.querySelectorAll('.linked-panels'))
  .filter(r => r.offsetParent).flatMap(row => {
    const figure = row.closest('.linked-figure') || row;
    return Array.from(row.querySelectorAll('img')).map((img, k) => {
      const scale = img.getBoundingClientRect().width / img.getAttribute('width');
      const rows = figure === row ? [row] : Array.from(figure.querySelectorAll('.linked-panels'));
      const fonts = rows
        .map(r => r.querySelectorAll('img')[k]).filter(Boolean).map(i => +i.dataset.minFont);
      return {alt: img.alt.slice(0, 60), natural: img.naturalWidth, css: +img.getAttribute('width'),
              shown: img.getBoundingClientRect().width, font: Math.min(...fonts) * scale};
    });
  })"""


def figure_sizes(page):
    """Each figure image shown (a linked figure's visible frame, a still): its pixels, its CSS
    width, the width it is shown at, and its smallest text in CSS px as shown, over all frames."""
    return page.evaluate(FIGURES)


def check_figures_are_sharp_and_readable(page, min_font):
    """Every figure drawn at twice its CSS size (sharp on a 2x screen), its smallest text at least
    ``min_font`` CSS px as shown."""
    for image in figure_sizes(page):
        assert image["natural"] >= 2 * image["css"] >= 2 * image["shown"] - 1, image  # sharp at 2x
        assert image["font"] >= min_font, f"text of {image['font']:.1f} CSS px: {image}"


#: a figure shown by a cell: a widget's view, or an image
CELL_FIGURE = 'script[type="application/vnd.jupyter.widget-view+json"], img'


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_figure_has_a_numbered_caption_in_its_editions_language(built_book, folder):
    """Each cell output that shows a figure (a widget or an image) is a <figure> with a numbered
    caption (the cell's ``mystnb: figure:`` option): in Chinese on a Chinese page."""
    figures = 0
    for page in TOC_PAGES:
        soup = BeautifulSoup((built_book / (folder + page)).read_text(), "html.parser")
        for output in soup.select("div.cell_output"):
            if not output.select(CELL_FIGURE):
                continue
            figures += 1
            caption = output.select_one("figure > figcaption .caption-text")
            assert caption and caption.get_text(strip=True), f"{page}: a figure with no caption"
            assert output.select_one("figcaption .caption-number"), f"{page}: an unnumbered one"
            chinese = CJK.search(caption.get_text())
            assert bool(chinese) == (folder == "zh/"), f"{page}: {caption.get_text()[:60]}"
    assert figures >= 18, figures  # the stills and the widgets of the chapters


def test_every_icon_is_in_the_sites_icon_font(built_book):
    """The theme's icons are font glyphs from a subset (tools/icons.py): a page showing another
    icon would show an empty box."""
    import icons  # imports the theme, seconds: not at the module's top (make test-fast)

    theme = set(icons.theme_icons())
    shown = {name for page in SITE_PAGES for name in icon_names(built_book / page)} & theme
    known = set(icons.ICONS["solid"] + icons.ICONS["brands"])
    assert shown and shown <= known, shown - known


def test_no_page_loads_the_themes_icon_script(built_book):
    """The theme's Font Awesome script (1.5 MB; it swaps each icon for an <svg>, which breaks the
    widgets' Play buttons) is left out of every page (course_site.ThemeTemplates)."""
    scripts = {
        page: re.findall(r'<script[^>]+src="([^"]+)"', (built_book / page).read_text())
        for page in SITE_PAGES
    }
    assert any(scripts.values()), "no <script src> found: the pattern is out of date"
    found = {page: [s for s in srcs if "fontawesome" in s] for page, srcs in scripts.items()}
    assert not any(found.values()), found


def icon_names(page):
    """The names a page's HTML gives after fa- (icons such as fa-bars, modifiers such as fa-lg)."""
    classes = re.findall(
        r'class="([^"]*\bfa[srb]?\b[^"]*|[^"]*\bfa-(?:solid|brands)\b[^"]*)"', page.read_text()
    )
    return {c[3:] for group in classes for c in group.split() if c.startswith("fa-")}


#: a fingerprint of the images a linked figure shows (a Stack renders only its selected frame)
FIGURE_STATE = """w => Array.from(w.querySelectorAll('img'))
  .map(i => i.src.length + ':' + i.src.slice(-64)).join('|')"""
#: the figure shows other images than ``before``, all of them loaded
CHANGED = f"""([w, before]) => ({FIGURE_STATE})(w) !== before
  && Array.from(w.querySelectorAll('img')).every(i => i.complete)"""
#: a promise of the browser's next two frames: work a view queued for the next frame has run
NEXT_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def figure_state(widget):
    """A fingerprint of the images a linked figure shows now."""
    return widget.evaluate(FIGURE_STATE)


def wait_for_change(widget, before, what, timeout=30_000):
    """Wait until the linked figure ``widget`` shows other images than ``before`` (its state), all
    loaded, and the browser has drawn since; fails naming ``what`` when it has not changed within
    ``timeout`` ms (an upper bound for the slowest machine, not a speed)."""
    page = widget.page
    try:
        page.wait_for_function(CHANGED, arg=[widget.element_handle(), before], timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"{what} did not change its figure") from None
    page.evaluate(NEXT_FRAMES)


def linked_figures(page):
    figures = page.locator(".linked-figure")
    return [figures.nth(i) for i in range(figures.count())]


def slider_end(handle):
    """Which end of its track the handle is at ("start", "end"), or None."""
    now, low, top = (
        float(handle.get_attribute(k) or 0)
        for k in ("aria-valuenow", "aria-valuemin", "aria-valuemax")
    )
    return {low: "start", top: "end"}.get(now)


def at_end(handle):
    """Whether the handle is at the far end of its track."""
    return slider_end(handle) == "end"


def drag_path(handle):
    """(x0, y, x1): the handle's centre, and the far end of its track (the other end if the
    handle is there), in CSS px of the viewport, once the handle is in view and the page has
    drawn: the sections that come into view are laid out then, which may move it."""
    handle.scroll_into_view_if_needed()
    handle.page.evaluate(NEXT_FRAMES)
    track = handle.locator("xpath=ancestor::*[contains(@class, 'noUi-target')][1]").bounding_box()
    box = handle.bounding_box()
    x1 = track["x"] + 1 if at_end(handle) else track["x"] + track["width"] - 1
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, x1


def drag_slider(handle, page):
    """Drag the handle with the mouse to the far end of its track (the other end if it is there)."""
    x0, y, x1 = drag_path(handle)
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=8)
    page.mouse.up()


def touch_drag_slider(handle, page):
    """Drag the handle with one finger to the far end of its track (the other end if it is
    there), as a thumb does on a phone: Chromium's touch events, through the DevTools protocol."""
    x0, y, x1 = drag_path(handle)
    touch = page.context.new_cdp_session(page)
    touch.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y}]}
    )
    for k in range(1, 9):
        point = {"x": x0 + (x1 - x0) * k / 8, "y": y}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    touch.detach()


def key_slider(handle, page):
    """Move the handle one step with the keyboard."""
    handle.focus()
    page.keyboard.press("ArrowLeft" if at_end(handle) else "ArrowRight")


def check_every_control(widget, page):
    """Move each slider, toggle and drop-down of a linked figure and press its play button; each
    must change the image shown."""
    widget.scroll_into_view_if_needed()
    handles = widget.locator(".noUi-handle")
    for i in range(handles.count()):
        for move in (drag_slider, key_slider):  # by mouse, and by keyboard
            before = figure_state(widget)
            move(handles.nth(i), page)
            wait_for_change(widget, before, f"slider {i} ({move.__name__})")
    toggles = widget.locator(".widget-toggle-buttons")
    for i in range(toggles.count()):
        before = figure_state(widget)
        toggles.nth(i).locator("button:not(.mod-active)").first.click()
        wait_for_change(widget, before, f"toggle {i}")
    selects = widget.locator("select")
    for i in range(selects.count()):
        before = figure_state(widget)
        current = selects.nth(i).evaluate("s => s.selectedIndex")
        selects.nth(i).select_option(index=(current + 1) % selects.nth(i).locator("option").count())
        wait_for_change(widget, before, f"drop-down {i}")
    for i in range(widget.locator(".widget-play").count()):
        before = figure_state(widget)
        widget.locator(".widget-play").nth(i).locator("button").first.click()
        wait_for_change(widget, before, f"play button {i}")


@pytest.mark.browser
@pytest.mark.parametrize(
    "query, page",
    [
        ("Hadamard", "book/backprop.html"),
        ("rot180", "book/cnn.html"),
        ("BPTT", "book/rnn.html"),
        ("saturation", "book/mlp.html"),
    ],
)
def test_search_finds_the_formulas_by_name(browser, site_url, query, page):
    tab, problems = open_offline(browser, f"{site_url}/search.html?q={query}")
    tab.wait_for_selector("#search-results li a")
    found = tab.eval_on_selector_all("#search-results li a", "links => links.map(a => a.href)")
    assert any(page in href for href in found), found
    assert not problems["external"] and not problems["console"], problems
    tab.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("page_path", [folder + page for folder in FOLDERS for page in TOC_PAGES])
def test_page_at_phone_width(browser, site_url, page_path):
    """At 390 px a wide formula scrolls sideways (not cut off) with a shade at the edge it goes on
    past, and every figure's image fits the column at its full CSS size (panels stack rather than
    shrink), its smallest text at least MIN_FONT_PX["phone"] CSS px. Every slider drags by touch
    from one end of its track to the other and back, changing its figure each way."""
    page, _ = open_offline(browser, f"{site_url}/{page_path}", device=PHONE)
    wait_for_math_and_widgets(page)
    for widget in linked_figures(page):
        handles = widget.locator(".noUi-handle")
        for i in range(handles.count()):
            for _ in range(2):  # to one end, then to the other
                before, start = figure_state(widget), slider_end(handles.nth(i))
                touch_drag_slider(handles.nth(i), page)
                wait_for_change(widget, before, f"slider {i} (touch)")
                end = slider_end(handles.nth(i))
                assert end and end != start, f"slider {i} dragged by touch stopped at {end}"
    assert not page.evaluate(CUT_FORMULAS), "display formulas cut off at the column's edge"
    unmarked = page.evaluate(UNMARKED_SCROLLING)
    assert not unmarked, f"formulas that scroll with no shade at their edge: {unmarked}"
    shrunk = [f for f in page.evaluate(FIGURES) if f["shown"] < f["css"] - 0.5]
    assert not shrunk, f"figures shrunk below their CSS size at phone width: {shrunk[:3]}"
    check_figures_are_sharp_and_readable(page, MIN_FONT_PX["phone"])
    page.context.close()


def no_problems(problems):
    """No request to another host, no script error, no console error on a page."""
    assert not problems["external"], f"requests to other hosts: {problems['external']}"
    assert not problems["pageerror"] and not problems["console"], problems


@pytest.mark.browser
@pytest.mark.parametrize("folder", FOLDERS)
def test_header_buttons_open_the_sidebars_on_a_phone(browser, site_url, folder):
    """On a phone, the header's ☰ opens the book's navigation on screen and a chapter tapped in
    it opens; its contents button opens the page's contents on screen."""
    start, chapter = TOC_PAGES[1], TOC_PAGES[2]
    page, problems = open_offline(browser, f"{site_url}/{folder}{start}", device=PHONE)
    header = page.locator(".bd-header-article")
    navigation = page.locator("#pst-primary-sidebar-modal")
    header.locator(".primary-toggle").tap()
    expect(navigation).to_have_attribute("open", "")
    link = navigation.locator(f'nav.bd-docs-nav a[href="{chapter.rsplit("/", 1)[-1]}"]')
    expect(link).to_be_in_viewport(ratio=1)
    link.tap()
    page.wait_for_url(f"{site_url}/{folder}{chapter}")
    contents = page.locator("#pst-secondary-sidebar-modal")
    header.locator(".secondary-toggle").tap()
    expect(contents).to_have_attribute("open", "")
    expect(contents.locator("nav.page-toc a").first).to_be_in_viewport(ratio=1)
    no_problems(problems)
    page.context.close()


@pytest.mark.browser
@pytest.mark.parametrize("folder", FOLDERS)
def test_header_menu_button_collapses_the_sidebar_on_a_desktop(browser, site_url, folder):
    """On a desktop the header's ☰ hides the book's navigation beside the page, and shows it
    again (no dialog over the page)."""
    page, problems = open_offline(browser, f"{site_url}/{folder}{TOC_PAGES[1]}")
    toggle = page.locator(".bd-header-article .primary-toggle")
    sidebar = page.locator("#pst-primary-sidebar")
    expect(sidebar).to_be_in_viewport()
    toggle.click()
    expect(sidebar).to_be_hidden()
    expect(page.locator("#pst-primary-sidebar-modal")).not_to_have_attribute("open", "")
    toggle.click()
    expect(sidebar).to_be_in_viewport()
    no_problems(problems)
    page.context.close()
