"""The site for every reader: axe-core's WCAG 2.1 A/AA and best-practice rules pass on every page
of both editions, in light and dark mode, and every kind of control of the figures works with the
keyboard alone, its focus plain to see (assets/widget-a11y.js, assets/a11y.css).

One Chromium page per colour scheme goes from page to page (axe-core is injected into each: the
site never loads it)."""

import json
from collections import namedtuple

import pytest
from playwright.sync_api import expect
from sitetools import CHAPTERS, CJK, EDITIONS, ROOT, TOC_PAGES, settle

from test_site import FOLDERS, at_end, figure_state, linked_figures, open_offline, wait_for_change

pytestmark = [pytest.mark.book, pytest.mark.browser]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"  #: pinned in package.json
#: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING = {"critical", "serious", "moderate"}  #: a minor violation is reported, not failed
PAGES = TOC_PAGES + ["genindex.html", "search.html", "py-modindex.html"]
SCHEMES = ["light", "dark"]
#: how long a state the keyboard asked for may take to show (ms): an upper bound, not a speed
WAIT_MS = 30_000

Tab = namedtuple("Tab", "page scheme")


@pytest.fixture(scope="module", params=SCHEMES)
def tab(request, browser, site_url):
    """A page of the site in a colour scheme, offline, reused from test to test."""
    page, _ = open_offline(browser, f"{site_url}/{TOC_PAGES[0]}", dark=request.param == "dark")
    yield Tab(page, request.param)
    page.context.close()


def visit(tab, url):
    """The tab at ``url``, settled (widgets rendered, images and fonts loaded), in its scheme."""
    tab.page.goto(url, wait_until="load")
    settle(tab.page)
    assert tab.page.evaluate("document.documentElement.dataset.theme") == tab.scheme
    return tab.page


#: axe-core's violations of the rules tagged so, one entry per element (its CSS selector)
AXE_RUN = """async tags => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.flatMap(v => v.nodes.map(n => ({
    rule: v.id, impact: n.impact || v.impact, help: v.help, target: n.target.join(' '),
    why: (n.failureSummary || '').split('\\n').slice(0, 3).join(' ')})));
}"""


@pytest.mark.parametrize("path", [folder + page for folder in FOLDERS for page in PAGES])
def test_no_accessibility_violation(tab, site_url, path):
    """No critical, serious or moderate violation of WCAG 2.1 A/AA or axe's best practices."""
    page = visit(tab, f"{site_url}/{path}")
    page.add_script_tag(path=AXE)
    found = [v for v in page.evaluate(AXE_RUN, TAGS) if v["impact"] in FAILING]
    assert not found, f"{len(found)} violations on {path} ({tab.scheme}):\n" + "\n".join(
        f"{v['rule']} ({v['impact']}) at {v['target']}: {v['help']}. {v['why']}" for v in found
    )


#: the controls of a linked figure, by kind: the element a reader focuses
CONTROLS = {
    "slider": ".widget-slider .noUi-handle",
    "toggle": ".widget-toggle-buttons [role=radiogroup]",
    "play": ".widget-play button",
    "dropdown": ".widget-dropdown select",
}
#: what the focused element is (None outside ``figure``), with its focus ring: the outline's
#: style, width (CSS px), contrast against the first opaque background behind it, and the first
#: box around it that hides part of it (None if none does)
FOCUSED = """figure => {
  const e = document.activeElement;
  if (!figure.contains(e)) { return null; }
  const kinds = %s;
  const kind = Object.keys(kinds).find(k => e.matches(kinds[k] + ', ' + kinds[k] + ' *'))
    || e.tagName + '.' + e.className;
  const rgb = c => c.match(/[0-9.]+/g).map(Number);
  const opaque = c => rgb(c).length < 4 || rgb(c)[3] === 1;
  let under = e.parentElement;
  while (under && !opaque(getComputedStyle(under).backgroundColor)) { under = under.parentElement; }
  const luminance = c => rgb(c).slice(0, 3).map(v => v / 255)
    .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const style = getComputedStyle(e);
  const [light, dark] = [style.outlineColor, getComputedStyle(under || document.body)
    .backgroundColor].map(luminance).sort((a, b) => b - a);
  const width = parseFloat(style.outlineWidth), reach = width + parseFloat(style.outlineOffset);
  const ring = e.getBoundingClientRect();
  let clipped = null;  // the first box around the control that hides part of its ring
  for (let a = e.parentElement; a && !clipped && a !== document.body; a = a.parentElement) {
    const box = a.getBoundingClientRect();
    if (getComputedStyle(a).overflow !== 'visible' && (ring.left - reach < box.left - 0.5
        || ring.right + reach > box.right + 0.5 || ring.top - reach < box.top - 0.5
        || ring.bottom + reach > box.bottom + 0.5)) { clipped = a.className; }
  }
  return {kind, outline: style.outlineStyle, width, clipped,
          contrast: (light + 0.05) / (dark + 0.05)};
}""" % json.dumps(CONTROLS)


def tab_from_start(figure):
    """Put the keyboard's focus at the start of ``figure``, as a click beside its controls does."""
    figure.evaluate("f => { f.tabIndex = -1; f.focus(); }")


def tab_stops(page, figure, most=40):
    """What Tab reaches in ``figure`` from its start, in order (see FOCUSED)."""
    tab_from_start(figure)
    stops = []
    while len(stops) < most:
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED, figure.element_handle())
        if stop is None:
            return stops
        stops.append(stop)
    raise AssertionError(f"Tab stays in the figure after {most} stops: {stops[:8]}")


def check_tab_stops(page, figure):
    """One Tab stop per slider and per toggle group, one per play button and drop-down, nothing
    else (no slider readout), each with a focus ring of 2 px or more at 3:1 contrast or more,
    shown whole."""
    stops = tab_stops(page, figure)
    expected = {kind: figure.locator(selector).count() for kind, selector in CONTROLS.items()}
    reached = {kind: sum(s["kind"] == kind for s in stops) for kind in CONTROLS}
    assert reached == expected and len(stops) == sum(expected.values()), stops
    for stop in stops:
        assert stop["outline"] != "none" and stop["width"] >= 2, f"no focus ring: {stop}"
        assert stop["contrast"] >= 3, f"a faint focus ring: {stop}"
        assert stop["clipped"] is None, f"a focus ring cut off: {stop}"


def tab_to(page, figure, control, most=40):
    """Press Tab from the start of ``figure`` until ``control`` has the focus."""
    tab_from_start(figure)
    for _ in range(most):
        page.keyboard.press("Tab")
        if control.evaluate("c => c.contains(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {control}")


def press(page, figure, key, what):
    """Press ``key`` and wait until ``figure`` shows another frame."""
    before = figure_state(figure)
    page.keyboard.press(key)
    wait_for_change(figure, before, f"{what} ({key})")


def slider_by_keyboard(page, figure, handle, language):
    """An arrow key moves the slider; the handle is named by its label and announces the option
    shown (its readout), not an index."""
    view = handle.locator("xpath=ancestor::*[contains(@class, 'widget-slider')][1]")
    tab_to(page, figure, handle)
    press(page, figure, "ArrowLeft" if at_end(handle) else "ArrowRight", "slider")
    label, readout = (view.locator(c).inner_text() for c in (".widget-label", ".widget-readout"))
    expect(handle).to_have_accessible_name(label, timeout=WAIT_MS)
    expect(handle).to_have_attribute("aria-valuetext", readout, timeout=WAIT_MS)


def toggle_by_keyboard(page, figure, group, language):
    """The toggle group is one Tab stop, named by its label; an arrow key chooses the next option
    and moves the focus to it."""
    view = group.locator("xpath=..")
    tab_to(page, figure, group)
    press(page, figure, "ArrowRight", "toggle group")
    label = view.locator(".widget-label").inner_text()
    expect(group).to_have_accessible_name(label, timeout=WAIT_MS)
    expect(group.locator("[aria-checked=true]")).to_be_focused(timeout=WAIT_MS)


def play_by_keyboard(page, figure, button, language):
    """Space plays, Escape pauses, Enter plays, Space pauses; the button is named in the page's
    language."""
    tab_to(page, figure, button)
    press(page, figure, "Space", "play button")
    for key, playing in (("Escape", "false"), ("Enter", "true"), ("Space", "false")):
        page.keyboard.press(key)
        expect(button).to_have_attribute("aria-pressed", playing, timeout=WAIT_MS)
    name = button.get_attribute("aria-label")  # in Chinese on a Chinese page, else in English
    assert name and (language == "zh_CN") == bool(CJK.search(name)), name


def dropdown_by_keyboard(page, figure, select, language):
    """An arrow key on the closed drop-down chooses another option."""
    tab_to(page, figure, select)
    last = select.evaluate("s => s.selectedIndex === s.options.length - 1")
    press(page, figure, "ArrowUp" if last else "ArrowDown", "drop-down")


OPERATE = {
    "slider": slider_by_keyboard,
    "toggle": toggle_by_keyboard,
    "play": play_by_keyboard,
    "dropdown": dropdown_by_keyboard,
}


#: (language, path) of every chapter of every edition
CHAPTER_PAGES = [
    (language, folder + chapter.relative_to(ROOT).with_suffix(".html").as_posix())
    for language, (folder, _) in EDITIONS.items()
    for chapter in CHAPTERS
]


@pytest.mark.parametrize("language, path", CHAPTER_PAGES)
def test_every_kind_of_control_works_by_keyboard(tab, site_url, language, path):
    """Each figure's controls are one Tab stop each with a visible focus ring, and the first
    control of each kind on the page changes its figure with the keyboard alone."""
    page = visit(tab, f"{site_url}/{path}")
    figures = [f for f in linked_figures(page) if f.locator(", ".join(CONTROLS.values())).count()]
    if not figures:
        pytest.skip(f"{path} has no control: its figures are stills")
    for figure in figures:
        check_tab_stops(page, figure)
    for kind, selector in CONTROLS.items():
        holding = [f for f in figures if f.locator(selector).count()]
        if holding:
            OPERATE[kind](page, holding[0], holding[0].locator(selector).first, language)
