"""The site's browser checks on a machine SLOWDOWN times slower than this one: Chromium's CPU
throttled through the DevTools protocol, on the heaviest pages of each edition (the most frames
and controls). The checks wait for what they check (the page settled, a figure changed), never for
a delay or an idle network, so they must hold there too."""

import pytest

from test_site import check_page_offline, open_offline

pytestmark = [pytest.mark.book, pytest.mark.browser]
SLOWDOWN = 4
HEAVY_PAGES = ["book/cnn.html", "zh/book/rnn.html"]
#: a fixed amount of work for the page's main thread; returns the milliseconds it took
WORK = """() => { const start = performance.now(); let x = 0;
  for (let i = 0; i < 4e6; i++) { x = (x + i * i) % 1000003; }
  return performance.now() - start; }"""


def test_the_throttled_page_is_slower(browser, site_url):
    """The throttling is real: WORK, timed back to back in a page as it is and in a throttled one,
    takes at least half the SLOWDOWN longer throttled, in one of five rounds; without the
    throttle every round's ratio is about 1. (The throttler pauses Chromium's main thread in short
    slices: when other processes crowd the cores, both pages are slowed alike, seen here for
    seconds on end, so one round is not enough.)"""
    url = f"{site_url}/genindex.html"
    pages = [open_offline(browser, url, slowdown=slowdown)[0] for slowdown in (1, SLOWDOWN)]
    rounds = [[round(page.evaluate(WORK)) for page in pages] for _ in range(5)]
    for page in pages:
        page.context.close()
    assert any(slow >= SLOWDOWN / 2 * fast for fast, slow in rounds), (
        f"ms (as is, throttled): {rounds}"
    )


@pytest.mark.parametrize("page_path", HEAVY_PAGES)
def test_page_offline_on_a_slow_machine(browser, built_book, site_url, page_path):
    """test_site.py's checks of a page (offline, no console error, every control of every figure
    changes it, weights, sharp and readable figures), throttled."""
    check_page_offline(browser, built_book, f"{site_url}/{page_path}", slowdown=SLOWDOWN)
