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
import json
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
#: a Chinese character (the CJK Unified Ideographs): text in the Chinese edition's language
CJK = re.compile("[\u4e00-\u9fff]")


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


def base_url():
    """The published site's address: GitHub Pages' address of ``_config.yml``'s repository
    (https://github.com/OWNER/NAME -> https://OWNER.github.io/NAME/), so that a fork changes one
    setting (README, "Binder"). The canonical links, sitemap and cards name it (``_ext/seo.py``)."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]["url"]
    owner, name = urlparse(url).path.strip("/").split("/")[:2]
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


#: the path the site is published under (/NAME/): the loopback server serves it there too
BASE_PATH = urlparse(base_url()).path
#: what a static host sends gzipped (GitHub Pages does), by file suffix
COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".txt", ".xml", ".map"}


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """The site as GitHub Pages serves it: under :data:`BASE_PATH`, a folder's index.html for
    the folder, the site's 404.html (status 404) for any missing file, and, when ``compress`` is
    set and the browser accepts it, text files gzipped."""

    compress = False
    protocol_version = "HTTP/1.1"  # connections kept open, as a browser expects of a host

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.reply(body=True)

    def do_HEAD(self):
        self.reply(body=False)

    def local_path(self):
        """The request's path under the site's folder (a Path), or None outside the site."""
        path = unquote(urlparse(self.path).path)
        if path + "/" == BASE_PATH:
            return Path(self.directory)
        if not path.startswith(BASE_PATH) or ".." in path.split("/"):
            return None
        return Path(self.directory, path.removeprefix(BASE_PATH))

    def reply(self, body):
        path = self.local_path()
        if path is not None and path.is_dir() and not self.path.split("?")[0].endswith("/"):
            self.send_response(301)  # a folder without its final slash, as GitHub Pages does
            self.send_header("Location", urlparse(self.path).path + "/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        found = path / "index.html" if path is not None and path.is_dir() else path
        status = 200 if found is not None and found.is_file() else 404
        if status == 404:
            found = Path(self.directory, "404.html")
        data = found.read_bytes() if found.is_file() else b"404: no such file"
        kind = self.guess_type(str(found)) if found.is_file() else "text/plain"
        if kind.startswith("text/") or found.suffix in COMPRESSED:
            kind += "; charset=utf-8"
        accepted = "gzip" in self.headers.get("Accept-Encoding", "")
        gzipped = self.compress and found.suffix in COMPRESSED and accepted
        if gzipped:
            data = gzip.compress(data, 6)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)


@contextlib.contextmanager
def serve(directory, compress=False, port=0):
    """Serve a built site on 127.0.0.1 (``port``, or a random free one) in a thread, as GitHub
    Pages does (:class:`PagesHandler`; gzipped if ``compress``); yields its URL, without a final
    slash (``http://127.0.0.1:PORT/NAME``)."""
    handler = functools.partial(
        type("Handler", (PagesHandler,), {"compress": compress}), directory=str(directory)
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH.rstrip('/')}"
    finally:
        server.shutdown()


#: a page's own files (its HTML and its widget state: its frames) and the shared assets it loads,
#: as files (issue 13)
BUDGETS_MB = {"own files": 2.0, "shared assets": 3.0}
#: the smallest text of a figure, in CSS px as shown in the content column: on a desktop (1280 px
#: wide) and on a phone (390 px), where a figure may be shown smaller (issue 20)
MIN_FONT_PX = {"desktop": 12.0, "phone": 10.0}


#: a page has settled: loaded, every widget view rendered into its output area (beside its
#: script), every image loaded and no font loading (after a layout: layout asks for the fonts).
#: A still loads as the reader comes near it (loading="lazy"): asked for here, every one at
#: once, as if the reader had scrolled to the end (in the check itself, which is asked again
#: after a redirect, as the site's root page makes).
SETTLED = """() => (document.querySelectorAll('img[loading=lazy]').forEach(i => (i.loading = '')),
  document.readyState === 'complete')
  && Array.from(document.querySelectorAll('script[type$="widget-view+json"]')).every(s => {
       const area = s.parentElement.querySelector('.widget-subarea');
       return area && area.children.length > 0; })
  && Array.from(document.images).every(i => i.complete)
  && document.body.offsetHeight >= 0 && document.fonts.status === 'loaded'"""


def settle(page, timeout=120_000):
    """Wait until ``page`` has SETTLED: conditions of the page, not of the machine's speed (no idle
    network, no fixed delay); ``timeout`` (ms) is an upper bound for the slowest machine. A page's
    widgets load once the reader comes to a figure or moves about the page
    (``_ext/first_paint.py``): the mouse's wheel turns first, by a pixel, as a reader's does."""
    page.wait_for_load_state("domcontentloaded")
    page.mouse.wheel(0, 1)
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
    paths = [
        unquote(urlparse(u).path).removeprefix(BASE_PATH)
        for u in urls
        if urlparse(u).netloc == host
    ]
    return list(dict.fromkeys(html / p for p in paths if (html / p).is_file()))


#: a page's widget state (every frame of its figures) is in a file beside it, which the page loads
#: when the reader comes to a figure (``_ext/first_paint.py``): book/rnn.html -> rnn.widgets.js
WIDGET_STATE_SUFFIX = ".widgets.js"


def widget_state_file(page):
    """The file of a built page's widget state, if the page loads one, else None."""
    found = page.with_name(page.stem + WIDGET_STATE_SUFFIX)
    return found if found.exists() and found.name in page.read_text(encoding="utf-8") else None


def widget_state(page):
    """A built page's widget state (``{"state": {model id: model}, ...}``), {} if it has none.
    Its file hands the state, JSON, to the page as a JavaScript string: ``f("{...}");``."""
    found = widget_state_file(page)
    if found is None:
        return {}
    text = found.read_text(encoding="utf-8")
    return json.loads(json.loads(text[text.index("(") + 1 : text.rindex(")")]))


def own_and_shared(files):
    """The files a page loaded (the page first), split: (the page and its widget state, the
    assets it shares with other pages)."""
    page, *rest = files
    own = [page, *(f for f in rest if f == widget_state_file(page))]
    return own, [f for f in rest if f not in own]


def weights(files):
    """(bytes as files, bytes gzipped at level 6, as most static hosts send them)."""
    blobs = [f.read_bytes() for f in files]
    return sum(map(len, blobs)), sum(len(gzip.compress(b, 6)) for b in blobs)


if __name__ == "__main__":  # make serve: the built site, until interrupted
    import sys

    with serve(HTML, compress=True, port=int(sys.argv[1]) if sys.argv[1:] else 8000) as url:
        print(f"The site: {url}/ (Ctrl-C stops it)", flush=True)
        threading.Event().wait()
