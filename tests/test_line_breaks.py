"""Line breaks as Chinese typesetting expects (issue 24, _ext/line_breaks.py), on every page of
the book in both editions, on a phone and a desktop: no line opens with a closing mark (，。）),
no heading ends with a line of one character, no number split by its hyphen (9e-06, 2-2-1)."""

import pytest
from line_breaks import CLOSING, NUMBER
from sitetools import EDITIONS, TOC_PAGES

from test_site import PHONE, open_offline

PAGES = [folder + page for folder, _ in EDITIONS.values() for page in TOC_PAGES]
#: the places that break a rule: {"punct": [...], "heads": [...], "numbers": [...]}; called with
#: the extension's closing marks and number pattern (RULES)
BREAKS = r"""
([CLOSE, NUMBER]) => {
  const out = {punct: [], heads: [], numbers: []};
  const article = document.querySelector("article") || document.body;
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const el = node.parentElement;
    const skip = "math, pre, code, .cell_output, script, style, .headerlink";
    if (!el || el.closest(skip)) continue;
    const block = el.closest("p, li, dd, td, th, h1, h2, h3, h4");
    if (!block) continue;
    const bl = block.getBoundingClientRect();
    const text = node.data;
    for (let i = 0; i < text.length; i++) {
      if (!CLOSE.includes(text[i])) continue;
      range.setStart(node, i); range.setEnd(node, i + 1);
      const r = range.getClientRects()[0];
      if (!r) continue;
      const style = getComputedStyle(block);
      const left = bl.left + parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
      if (r.left - left < 1.5 && r.top - bl.top > 4) {
        out.punct.push(text.slice(Math.max(0, i - 8), i + 3));
      }
    }
  }
  const number = new RegExp(NUMBER, "g");
  const all = document.createTreeWalker(article, NodeFilter.SHOW_ELEMENT);
  let e;
  while ((e = all.nextNode())) {
    if (!e.matches("p, li, dd, td, th") || e.closest("pre, .cell_output")) continue;
    const text = e.textContent;
    for (const m of text.matchAll(number)) {
      // the number's characters: their rects all on one line
      const w = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
      let offset = 0, t, tops = new Set();
      while ((t = w.nextNode())) {
        const end = offset + t.data.length;
        for (let i = Math.max(m.index, offset); i < Math.min(m.index + m[0].length, end); i++) {
          if (t.parentElement.closest("math")) continue;
          range.setStart(t, i - offset); range.setEnd(t, i - offset + 1);
          const r = range.getClientRects()[0];
          if (r) tops.add(Math.round(r.top / 4));
        }
        offset = end;
      }
      if (tops.size > 1) out.numbers.push(m[0]);
    }
  }
  for (const h of article.querySelectorAll("h1, h2, h3")) {
    const tw = document.createTreeWalker(h, NodeFilter.SHOW_TEXT);
    const chars = [];
    let t;
    while ((t = tw.nextNode())) {
      if (t.parentElement.closest(".headerlink")) continue;
      for (let i = 0; i < t.data.length; i++) if (t.data[i].trim()) chars.push([t, i]);
    }
    // maths in headings: count their boxes as characters too
    const rects = chars.map(([t, i]) => {
      range.setStart(t, i);
      range.setEnd(t, i + 1);
      return range.getClientRects()[0];
    }).filter(Boolean);
    if (rects.length < 2) continue;
    const last = rects[rects.length - 1], prev = rects[rects.length - 2];
    if (last.top - prev.top > 4) out.heads.push(h.textContent.trim().slice(0, 40));
  }
  return out;
}
"""
#: the site without the extension's styles: the same pages break the rules there
RULES = [CLOSING, NUMBER.pattern]
UNSTYLED = ".nobr { white-space: normal !important; } h1, h2, h3 { text-wrap: wrap !important; }"


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("device", ["phone", "desktop"])
@pytest.mark.parametrize("page_path", PAGES)
def test_no_line_opens_with_a_closing_mark_and_no_heading_ends_alone(
    browser, site_url, page_path, device
):
    page, _ = open_offline(
        browser, f"{site_url}/{page_path}", device=PHONE if device == "phone" else None
    )
    page.wait_for_load_state("load")
    assert page.evaluate(BREAKS, RULES) == {"punct": [], "heads": [], "numbers": []}
    page.context.close()


@pytest.mark.book
@pytest.mark.browser
def test_the_check_sees_the_breaks_the_styles_prevent(browser, site_url):
    """Unstyled, the Chinese rnn page on a phone opens lines with a mark after a formula: the
    check above is not blind."""
    page, _ = open_offline(browser, f"{site_url}/zh/book/rnn.html", device=PHONE)
    page.add_style_tag(content=UNSTYLED)
    page.wait_for_load_state("load")
    assert page.evaluate(BREAKS, RULES)["punct"]
    page.context.close()


#: the fonts of the Chinese words inside formulas (\\text{...}: MathML's mtext)
FORMULA_WORDS = """() => Array.from(document.querySelectorAll("mtext"))
  .filter(u => /[\\u4e00-\\u9fff]/.test(u.textContent))
  .map(u => getComputedStyle(u).fontFamily)"""


@pytest.mark.book
@pytest.mark.browser
def test_chinese_words_in_formulas_are_in_the_pages_sans_serif(browser, site_url):
    # zh cures: \\text{样本} in the layer norm's backward. The math font, which has no Chinese,
    # then the page's font stack, whose Chinese is the sans-serif the text around the formula is
    # set in, not the reader's default serif.
    page, _ = open_offline(browser, f"{site_url}/zh/book/cures.html")
    page.wait_for_load_state("load")
    fonts = page.evaluate(FORMULA_WORDS)
    assert fonts, "no Chinese word inside a formula: the check would be blind"
    body = page.evaluate("getComputedStyle(document.querySelector('.bd-article p')).fontFamily")
    assert all(f.startswith('"STIX Two Math"') and f.endswith(body) for f in fonts), (fonts, body)
    page.context.close()
