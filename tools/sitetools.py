"""What the build, the tests and the benchmark share about the book: its editions, its pages
(from _toc.yml), its chapters (pages with code cells) and how one executes, a loopback server for
the built site, and headless Chromium.

Kept with the build's scripts, outside the package (the reader's kernel needs none of it) and
outside the tests (``bench/`` must not import the test suite).
"""

import contextlib
import functools
import gzip
import http.server
import re
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"  #: every build product: each edition's folder (tools/build.py), the site
HTML = BUILD / "html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def toc_files(entry):
    """Every `file:` of the table of contents, in order."""
    if isinstance(entry, dict):
        found = [entry["file"]] if "file" in entry else []
        return found + [
            f
            for key in ("root", "parts", "chapters", "sections")
            if key in entry
            for f in (toc_files(entry[key]) if key != "root" else [entry[key]])
        ]
    return [f for item in entry for f in toc_files(item)] if isinstance(entry, list) else []


#: the site's editions: language -> (its folder under the site's root, its name in itself). Each
#: language but English has its catalogues in locales/<language>/ (docs/DESIGN.md, "Editions").
EDITIONS = {"en": ("", "English"), "zh_CN": ("zh/", "中文")}


TOC_PAGES = [f + ".html" for f in toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))]
#: the toc's sources that hold code cells (the chapters that execute), in order
CHAPTERS = [
    ROOT / f"{page[: -len('.html')]}.md"
    for page in TOC_PAGES
    if "{code-cell}" in (ROOT / f"{page[: -len('.html')]}.md").read_text()
]


def execute_chapter(path, first_cells=(), timeout=120):
    """Execute a chapter (a MyST .md) top to bottom in a fresh kernel, after ``first_cells`` (code),
    its cells run in its folder as in the build. Returns ``(notebook, seconds, error)``: error is
    None, or the failing cell with its traceback, or the first text a cell printed on stderr
    (which the build turns into an error)."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = jupytext.read(path)
    notebook.cells[:0] = [nbformat.v4.new_code_cell(source) for source in first_cells]
    where = {"metadata": {"path": str(Path(path).parent)}}
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources=where)
    start, error = time.perf_counter(), None
    try:
        client.execute()
    except CellExecutionError as exc:
        error = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # the cell, its output and traceback
    seconds = time.perf_counter() - start
    for index, cell in enumerate(notebook.cells):
        for out in cell.get("outputs", []):
            if error is None and out.get("name") == "stderr":
                error = f"cell {index} printed on stderr:\n{cell.source}\n---\n{out['text']}"
    return notebook, seconds, error


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory):
    """Serve a folder on 127.0.0.1 (a random free port) in a thread; yields its URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


#: a page's own HTML (its frames) and the shared assets it loads, as files (issue 13)
BUDGETS_MB = {"own HTML": 2.0, "shared assets": 3.0}
#: the smallest text of a figure, in CSS px as shown in the content column: on a desktop (1280 px
#: wide) and on a phone (390 px), where a figure may be shown smaller (issue 20)
MIN_FONT_PX = {"desktop": 12.0, "phone": 10.0}


#: a page has settled: loaded, every widget view rendered into its output area (beside its
#: script), every image loaded and no font loading (after a layout: layout asks for the fonts).
SETTLED = """() => document.readyState === 'complete'
  && Array.from(document.querySelectorAll('script[type$="widget-view+json"]')).every(s => {
       const area = s.parentElement.querySelector('.widget-subarea');
       return area && area.children.length > 0; })
  && Array.from(document.images).every(i => i.complete)
  && document.body.offsetHeight >= 0 && document.fonts.status === 'loaded'"""


def settle(page, timeout=120_000):
    """Wait until ``page`` has SETTLED: conditions of the page, not of the machine's speed (no idle
    network, no fixed delay); ``timeout`` (ms) is an upper bound for the slowest machine."""
    page.wait_for_function(SETTLED, timeout=timeout)


def loaded_files(page, url, html):
    """Open ``url`` in a playwright page and wait until it has settled; returns the files of the
    site it loaded (the page first). Only the URLs are recorded, never a response's body, so a
    request that finishes as the page closes cannot fail here."""
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(url, wait_until="load")
    settle(page)
    return files_of(urls, url, html)


def files_of(urls, url, html):
    """The files under ``html`` that ``urls`` (on the same host as ``url``) point to, once each."""
    host = urlparse(url).netloc
    paths = [unquote(urlparse(u).path).lstrip("/") for u in urls if urlparse(u).netloc == host]
    return list(dict.fromkeys(html / p for p in paths if (html / p).is_file()))


def weights(files):
    """(bytes as files, bytes gzipped at level 6, as most static hosts send them)."""
    blobs = [f.read_bytes() for f in files]
    return sum(map(len, blobs)), sum(len(gzip.compress(b, 6)) for b in blobs)
