"""Fixtures shared by the tests: the built book, a loopback server for it, headless Chromium."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from sitetools import CHROMIUM, CHROMIUM_ARGS, HTML, ROOT, serve  # noqa: E402  (shared with bench/)

#: the fixtures whose tests `make test-fast` must leave out, and the marker it leaves them out by
MARKER_OF_FIXTURE = {
    "build_log": "book",
    "built_book": "book",
    "site_url": "book",
    "browser": "browser",
}


def pytest_collection_modifyitems(items):
    """Refuse a test that uses the built book or Chromium without its marker: `make test-fast`
    deselects by marker, and such a test would build the book or drive Chromium there."""
    unmarked = [
        f"{item.nodeid} uses the fixture {fixture} but is not marked {marker}"
        for item in items
        for fixture, marker in MARKER_OF_FIXTURE.items()
        if fixture in item.fixturenames and not item.get_closest_marker(marker)
    ]
    if unmarked:
        raise pytest.UsageError("\n".join(unmarked))


def build_book():
    """Build the book with `make book` (which re-runs chapters whose package changed)."""
    return subprocess.run(["make", "book"], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="session")
def build_log():
    """The book, built once per test session (execution is cached, so a rebuild is quick): the
    output of `make book`."""
    result = build_book()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout + result.stderr


@pytest.fixture(scope="session")
def built_book(build_log):
    """The built site's folder (both editions)."""
    return HTML


@pytest.fixture(scope="session")
def site_url(built_book):
    """The built site served on loopback for the session."""
    with serve(built_book) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by playwright. Skips without Chromium, except under CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(
                "Chromium is required under CI: .ci/run installs it (apt-get install chromium)"
            )
        pytest.skip("no /usr/bin/chromium here: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
