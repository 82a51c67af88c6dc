"""make bench: the course's numbers against its budgets. A benchmark, not a test: it prints a table
and writes it to bench/results.md.

Measures: a clean build of the whole book and an unchanged rebuild; each chapter executed as a
notebook in a fresh kernel; each built page's weight (the HTML and every file it loads, as headless
Chromium fetches them); the frames each widget embeds; and the package's kernels.
"""

import gzip
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import numpy as np
from nbclient import NotebookClient

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1] / "tests")]
import bench_cnn  # noqa: E402  (beside this file)
from backprop import mlp, rnn  # noqa: E402
from conftest import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402  (the tests' Chromium and server)
from test_site import TOC_PAGES  # noqa: E402  (the pages of _toc.yml)

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
BUDGETS = {"clean build (s)": 90, "unchanged rebuild (s)": 10, "chapter (s)": 15, "page (MB)": 5}


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def build_times():
    """Seconds for a clean build (no HTML, no execution cache) and for an unchanged rebuild."""
    for path in (
        "_build/html",
        "_build/.doctrees",
        "_build/.jupyter_cache",
        "_build/jupyter_execute",
    ):
        shutil.rmtree(ROOT / path, ignore_errors=True)
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(ROOT),
        "-W",
        "-n",
        "--keep-going",
    ]
    return timed(command), timed(command)


def chapters():
    """The toc's pages that hold code cells, in order."""
    files = [ROOT / f"{page[: -len('.html')]}.md" for page in TOC_PAGES]
    return [f for f in files if "{code-cell}" in f.read_text()]


def chapter_time(path):
    """Seconds to execute the chapter top to bottom as a notebook in a fresh kernel."""
    notebook = jupytext.read(path)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def widget_frames(html_text):
    """Frames (embedded PNGs) of each widget view on a page, in page order."""
    state = re.search(
        r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', html_text, re.S
    )
    if not state:
        return []
    models = json.loads(state.group(1))["state"]
    views = re.findall(
        r'<script type="application/vnd.jupyter.widget-view\+json">(.*?)</script>', html_text, re.S
    )

    def count(model_id):
        model = models[model_id]["state"]
        own = str(model.get("value", "")).count("data:image/png")
        return own + sum(count(c.removeprefix("IPY_MODEL_")) for c in model.get("children", []))

    return [count(json.loads(v)["model_id"]) for v in views]


def page_weights(pages):
    """Bytes of each page and everything Chromium loads for it, from a loopback server: as files
    (uncompressed) and as a static host that gzips sends them (gzip -6, what most hosts use)."""
    from playwright.sync_api import sync_playwright

    weights = {}
    with serve(HTML) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for page_path in pages:
            page = browser.new_page()
            bodies = []
            page.on("requestfinished", lambda r: bodies.append(r.response().body()))
            page.goto(f"{url}/{page_path}", wait_until="networkidle")
            weights[page_path] = (
                sum(map(len, bodies)),
                sum(len(gzip.compress(b, 6)) for b in bodies),
            )
            page.close()
        browser.close()
    return weights


def kernel_rows():
    """The package's kernels: conv/pool against their loop forms, an MLP and an RNN training step."""
    rows = [(r["operation"], r["loops_s"], r["vectorised_s"]) for r in bench_cnn.run()]
    rng = np.random.default_rng(0)
    weights, biases = mlp.init_network([64, 30, 30, 30, 10], rng)
    x, y = rng.random((64, 10)), rng.random((10, 10))
    mlp_step = lambda: mlp.backward(weights, *mlp.forward(weights, biases, x), y)  # noqa: E731
    n_x, n_h, n_y, T = 4, 16, 2, 20
    params = [
        rng.standard_normal(s) * 0.3
        for s in ((T, n_x), (n_h, n_x), (n_h, n_h), (n_y, n_h), (n_h,), (n_y,))
    ]
    ys = rng.random((T, n_y))
    rnn_step = lambda: rnn.bptt(ys, rnn.forward(*params)[1])  # noqa: E731
    rows.append(
        ("MLP 64-30-30-30-10, batch 10: forward+backward", None, bench_cnn.best_time(mlp_step, 50))
    )
    rows.append((f"RNN T={T}, n_h={n_h}: forward+BPTT", None, bench_cnn.best_time(rnn_step, 50)))
    return rows


def report():
    clean, rebuild = build_times()
    lines = [
        "# Benchmarks",
        "",
        "| what | measured | budget |",
        "|---|---|---|",
        f"| clean build of the book | {clean:.1f} s | ≤ {BUDGETS['clean build (s)']} s |",
        f"| unchanged rebuild | {rebuild:.1f} s | ≤ {BUDGETS['unchanged rebuild (s)']} s |",
    ]
    for path in chapters():
        lines.append(
            f"| execute {path.relative_to(ROOT)} | {chapter_time(path):.1f} s | ≤ {BUDGETS['chapter (s)']} s |"
        )
    pages = [f"{p.relative_to(ROOT).with_suffix('')}.html" for p in chapters()]
    for page_path, (raw, gzipped) in page_weights(pages).items():
        frames = widget_frames((HTML / page_path).read_text())
        lines.append(
            f"| page {page_path} (widget frames: {frames or 'none'}; HTML "
            f"{(HTML / page_path).stat().st_size / 1e6:.2f} MB) | {raw / 1e6:.2f} MB as files, "
            f"{gzipped / 1e6:.2f} MB gzipped | ≤ {BUDGETS['page (MB)']} MB |"
        )
    lines += ["", "| kernel | loop form (s) | package (s) | ratio |", "|---|---|---|---|"]
    for name, loops, fast in kernel_rows():
        ratio = f"{loops / fast:.0f}× (budget ≥ 20× for conv)" if loops else ""
        lines.append(f"| {name} | {loops and f'{loops:.3f}' or ''} | {fast:.5f} | {ratio} |")
    lines += [
        "",
        "Widgets: every widget's frames are computed when the chapter executes; none recomputes "
        "in a live kernel, so there is no redraw latency to measure (a control change swaps a "
        "precomputed frame in the browser).",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    text = report()
    (ROOT / "bench" / "results.md").write_text(text + "\n")
    print(text)
