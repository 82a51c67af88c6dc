"""The figures and their controls as a reader sees them (issue 20), on a phone in light mode and on
a desktop in dark mode, in both editions: controls a thumb can use (44 px touch targets, slider
tracks that line up and, on a phone, span the figure's card), each label beside or above its own
control rather than nearer the one above, the selected toggle plain to see, and figures drawn
for the theme they are shown in (dark on a dark page, light on a light one), each in a card."""

import io
import re

import pytest
from PIL import Image, ImageStat

from test_site import FOLDERS, PHONE, open_offline, wait_for_math_and_widgets

pytestmark = [pytest.mark.book, pytest.mark.browser]

#: the pages with widget figures, in every edition (the landing page's stills are plain HTML,
#: not widgets, since the widget manager loads only where there are controls: not checked here)
FIGURE_PAGES = [
    folder + page
    for folder in FOLDERS
    for page in (
        "book/graph.html",
        "book/backprop.html",
        "book/mlp.html",
        "book/cnn.html",
        "book/rnn.html",
    )
]
VIEWS = {"phone, light": (PHONE, False), "desktop, dark": (None, True)}
TARGET_PX = 44  #: the smallest touch target, CSS px (WCAG 2.5.5; Apple's and Google's guides)
PHONE_TRACK_PX = 250  #: the shortest slider track on a 390 px phone (the card leaves about 308)
SELECTED_CONTRAST = 3.0  #: the selected toggle against the others (WCAG 1.4.11, non-text)
TEXT_CONTRAST = 4.5  #: a toggle's text against its background (WCAG 1.4.3)

#: what a figure's controls measure, after scrolling each slider to the middle of the screen: its
#: buttons' sizes; each slider's track (left, width) and whether a touch TARGET_PX / 2 - 1 px
#: above, below, left and right of the handle's centre reaches the handle, and above and below
#: the track reaches the track; for each labelled row, the label's vertical gaps to its own
#: control and to the row above, and where its middle is; each toggle group's colours.
CONTROLS = """(figure, target) => {
  const box = e => e.getBoundingClientRect();
  const gap = (a, b) => Math.max(0, b.top - a.bottom, a.top - b.bottom);
  const reaches = (x, y, element) => element.contains(document.elementFromPoint(x, y));
  const reach = target / 2 - 1;
  const buttons = Array.from(figure.querySelectorAll('button')).map(b => ({
    name: b.textContent.trim() || b.innerHTML.slice(0, 30), width: box(b).width,
    height: box(b).height}));
  const sliders = Array.from(figure.querySelectorAll('.noUi-target')).map(track => {
    const handle = track.querySelector('.noUi-handle');
    handle.scrollIntoView({block: 'center', behavior: 'instant'});
    const t = box(track), h = box(handle);
    const [x, y] = [h.left + h.width / 2, h.top + h.height / 2];
    const along = x > t.left + t.width / 2 ? t.left + t.width / 4 : t.right - t.width / 4;
    return {left: t.left, width: t.width,
            handle: [[x, y - reach], [x, y + reach], [x - reach, y], [x + reach, y]]
              .every(([u, v]) => reaches(u, v, handle)),
            track: [y - reach, y + reach].every(v => reaches(along, v, track))};
  });
  const control = '.slider-container, .widget-toggle-buttons > div';  // a row's own control
  const rows = Array.from(figure.children)
    .filter(row => row.offsetParent && row.querySelector(control));
  // a row's label: its control's description (a play's hidden button names have an empty one)
  const labelOf = row => Array.from(row.querySelectorAll('.widget-label'))
    .find(l => l.textContent.trim()) || row.querySelector('.widget-label');
  const labels = rows.map((row, k) => {
    const label = box(labelOf(row));
    const own = box(row.querySelector(control));
    return {text: labelOf(row).textContent, own: gap(label, own),
            above: k ? gap(label, box(rows[k - 1])) : Infinity,
            middle: (label.top + label.bottom) / 2, ownTop: own.top, ownBottom: own.bottom};
  });
  const toggles = Array.from(figure.querySelectorAll('.widget-toggle-buttons')).map(group => {
    const [on, off] = ['button.mod-active', 'button:not(.mod-active)']
      .map(s => getComputedStyle(group.querySelector(s)));
    return {on: on.backgroundColor, text: on.color, off: off.backgroundColor};
  });
  return {buttons, sliders, labels, toggles};
}"""


def luminance(colour):
    """The relative luminance (WCAG) of a CSS ``rgb(...)``/``rgba(...)`` colour."""
    channels = [int(float(v)) / 255 for v in re.findall(r"[0-9.]+", colour)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    """The contrast ratio (WCAG) of two CSS colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def check_controls(figure, phone):
    """A linked figure's controls: touch targets, tracks, labels, the selected toggle."""
    found = figure.evaluate(CONTROLS, TARGET_PX)
    small = [b for b in found["buttons"] if min(b["width"], b["height"]) < TARGET_PX - 0.5]
    assert not small, f"buttons smaller than {TARGET_PX} CSS px: {small}"
    for slider in found["sliders"]:
        assert slider["handle"] and slider["track"], f"a touch {TARGET_PX} px wide misses: {slider}"
        assert not phone or slider["width"] >= PHONE_TRACK_PX, f"a short track: {slider}"
    lefts = {round(s["left"]) for s in found["sliders"]}
    assert max(lefts, default=0) - min(lefts, default=0) <= 1, f"tracks start at {lefts}"
    for label in found["labels"]:
        assert label["own"] < label["above"], f"a label nearer the row above: {label}"
        beside = label["ownTop"] <= label["middle"] <= label["ownBottom"]
        assert phone or beside, f"a label not beside its control on a desktop: {label}"
    for group in found["toggles"]:
        assert contrast(group["on"], group["off"]) >= SELECTED_CONTRAST, group
        assert contrast(group["on"], group["text"]) >= TEXT_CONTRAST, group


def check_card(page, output, dark):
    """A figure's output: a card with a visible border, on the page's own background, its image
    dark on a dark page and light on a light one (the mean luminance of its screenshot)."""
    style = output.evaluate(
        """o => { const s = getComputedStyle(o);
                  return {border: parseFloat(s.borderTopWidth), colour: s.borderTopColor,
                          background: s.backgroundColor,
                          page: getComputedStyle(document.body).backgroundColor}; }"""
    )
    assert style["border"] >= 1 and contrast(style["colour"], style["page"]) > 1.2, style
    assert style["background"] == style["page"], style
    image = output.locator(".linked-panels img").first
    image.scroll_into_view_if_needed()
    shot = Image.open(io.BytesIO(image.screenshot())).convert("L")
    brightness = ImageStat.Stat(shot).mean[0] / 255
    assert brightness < 0.35 if dark else brightness > 0.65, (
        f"a figure of mean brightness {brightness:.2f} on a {'dark' if dark else 'light'} page"
    )


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("page_path", FIGURE_PAGES)
def test_figures_and_controls_as_shown(browser, site_url, page_path, view):
    device, dark = VIEWS[view]
    page, _ = open_offline(browser, f"{site_url}/{page_path}", device=device, dark=dark)
    wait_for_math_and_widgets(page)
    outputs = page.locator(".widget-subarea:has(.linked-panels)")
    assert outputs.count() > 0, "no figure on the page"
    for k in range(outputs.count()):
        check_card(page, outputs.nth(k), dark)
    figures = page.locator(".linked-figure")
    for k in range(figures.count()):
        check_controls(figures.nth(k), phone=device is not None)
    page.context.close()
