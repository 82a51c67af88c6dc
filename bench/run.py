"""make bench: the course's numbers against its budgets. A benchmark, not a test: it prints a table
and writes it to bench/results.md.

Measures, each beside its budget and the ratio to it: a clean `make book` (both editions) and an
unchanged rebuild; each chapter executed alone as a notebook in a fresh kernel, as a reader's
kernel runs it (English) and as the build does (every edition's language), and the slowest; each
built page of each edition: its own files (its HTML, its widget state) and the shared assets it
loads (the files headless Chromium fetches), as files and gzipped; the frames each widget
embeds; the frame encodings against the alternatives; and the package's kernels.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1] / "tools")]
import sitetools  # noqa: E402  (what the build, the tests and this benchmark share)

import bench_cnn  # noqa: E402  (beside this file)
from backprop import backprop_widgets, lang, linked, mlp, mlp_widgets, rnn  # noqa: E402

ROOT, HTML = sitetools.ROOT, sitetools.HTML
#: seconds; a chapter's budget (in any edition's language) is the slowest machine's (this
#: machine's is about 6 s); an unchanged rebuild finds every edition up to date (tools/build.py)
BUDGETS = {
    "clean build": 75,
    "unchanged rebuild": 5,
    "chapter": 10,
}


def timed(command):
    """Seconds the command ran, and its error output's last lines if it failed ("" if not)."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    failure = "" if result.returncode == 0 else (result.stdout + result.stderr)[-2000:]
    return time.perf_counter() - start, failure


def build_times():
    """Seconds for a clean build (no ``_build/`` at all: no site, no execution caches, no kept
    training runs) and for an unchanged rebuild."""
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    command = ["make", "book"]  # executes the chapters in parallel, then builds
    return timed(command), timed(command)


def chapter_time(path, language):
    """Seconds to execute the chapter top to bottom as a notebook in a fresh kernel, its outputs
    drawn in ``language`` (as a reader's kernel does: no training runs kept)."""
    os.environ[lang.VARIABLE] = language  # the kernel inherits it
    try:
        _, seconds, error = sitetools.execute_chapter(path, timeout=600)
    finally:
        del os.environ[lang.VARIABLE]
    if error is not None:
        raise RuntimeError(f"{path} failed:\n{error}")
    return seconds


def widget_frames(page):
    """Frames (embedded images) of each widget view on a built page, in page order."""
    models = sitetools.widget_state(page).get("state")
    if not models:
        return []
    views = re.findall(
        r'<script type="application/vnd.jupyter.widget-view\+json">(.*?)</script>',
        page.read_text(encoding="utf-8"),
        re.S,
    )

    def count(model_id):
        model = models[model_id]["state"]
        own = str(model.get("value", "")).count("<img ")
        return own + sum(count(c.removeprefix("IPY_MODEL_")) for c in model.get("children", []))

    return [n for n in (count(json.loads(v)["model_id"]) for v in views) if n]


def page_weights(pages):
    """Per page: (own files, shared assets), each (bytes as files, bytes gzipped), from the files
    Chromium loads for the page from a loopback server."""
    from playwright.sync_api import sync_playwright

    found = {}
    with sitetools.serve(HTML) as url, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(sitetools.CHROMIUM), args=sitetools.CHROMIUM_ARGS
        )
        for page_path in pages:
            page = browser.new_page()
            own, shared = sitetools.own_and_shared(
                sitetools.loaded_files(page, f"{url}/{page_path}", HTML)
            )
            page.close()
            found[page_path] = (sitetools.weights(own), sitetools.weights(shared))
        browser.close()
    return found


def frame_formats():
    """The chosen frame encoding against the alternatives, on the frames of two widgets (the
    backward-pass deltas and the saturation band): KB per frame and ms to encode, at 2x."""
    drawn, render = [], linked.render

    def capture(fig, dpi):
        pixels, font = render(fig, dpi)
        drawn[-1].append(pixels)
        return pixels, font

    linked.render = capture
    for make in (backprop_widgets.deltas_widget, mlp_widgets.band_widget):
        drawn.append([])
        make()
    linked.render = render
    first = [(frames[0], pixels) for frames in drawn for pixels in frames]  # (base, frame)

    def pil(pixels, fmt, colours=None, **options):
        image = Image.fromarray(pixels[..., :3])  # the figures are opaque
        if colours:
            image = image.quantize(colours, method=Image.Quantize.FASTOCTREE)
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **options)
        return buffer.getvalue()

    formats = {  # each encodes a frame, given the first frame of its widget
        "PNG, RGB": lambda _, x: pil(x, "png"),
        "PNG, 64-colour palette (the frames' encoding before)": lambda _, x: pil(x, "png", 64),
        "PNG, 32-colour palette": lambda _, x: pil(x, "png", 32),
        "WebP lossless, RGB": lambda _, x: pil(x, "webp", lossless=True, method=4),
        "WebP lossy, quality 80 (blurs text)": lambda _, x: pil(x, "webp", quality=80),
        "WebP lossless, 32-colour palette": lambda _, x: linked.encode(x),
        "chosen: the same, keeping only what differs from the first frame": (
            lambda base, x: linked.encode(linked.changes(x, base))
        ),
    }
    rows = []
    for name, encode in formats.items():
        start = time.perf_counter()
        sizes = [len(encode(base, pixels)) for base, pixels in first]
        seconds = (time.perf_counter() - start) / len(first)
        rows.append((name, np.mean(sizes) / 1e3, seconds * 1e3))
    return rows, len(first)


def kernel_rows():
    """The package's kernels: conv/pool against their loop forms, an MLP and an RNN step."""
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


def row(what, value, unit, budget, note=""):
    return f"| {what} | {value:.2f} {unit} | ≤ {budget:g} {unit} | {value / budget:.2f} | {note} |"


def report():
    (clean, failure), (rebuild, _) = build_times()
    if failure:  # a chapter that fails stops the build: say so, and measure what still can be
        print(f"make book failed:\n{failure}", file=sys.stderr)
    lines = [
        "# Benchmarks",
        "",
        "| what | measured | budget | ratio | note |",
        "|---|---|---|---|---|",
        row(
            "clean `make book`, both editions (chapters in parallel)"
            + (" FAILED" if failure else ""),
            clean,
            "s",
            BUDGETS["clean build"],
        ),
        row("unchanged rebuild", rebuild, "s", BUDGETS["unchanged rebuild"]),
    ]
    for language in sitetools.EDITIONS:
        times = {p.relative_to(ROOT): chapter_time(p, language) for p in sitetools.CHAPTERS}
        lines += [
            row(f"execute {path} alone, in {language}", t, "s", BUDGETS["chapter"])
            for path, t in times.items()
        ]
        slowest = max(times, key=times.get)
        lines.append(
            row(
                f"slowest chapter in {language}: {slowest}", times[slowest], "s", BUDGETS["chapter"]
            )
        )
    built = [
        folder + page
        for folder, _ in sitetools.EDITIONS.values()
        for page in sitetools.TOC_PAGES
        if (HTML / folder / page).exists()
    ]
    for page_path, (own, shared) in page_weights(built).items():
        frames = widget_frames(HTML / page_path)
        lines += [
            row(
                f"{page_path} own files (frames per widget: {frames or 'none'})",
                own[0] / 1e6,
                "MB",
                sitetools.BUDGETS_MB["own files"],
                f"gzipped {own[1] / 1e6:.2f} MB",
            ),
            row(
                f"{page_path} shared assets",
                shared[0] / 1e6,
                "MB",
                sitetools.BUDGETS_MB["shared assets"],
                f"gzipped {shared[1] / 1e6:.2f} MB",
            ),
        ]
    rows, count = frame_formats()
    lines += [
        "",
        f"| frame encoding at 2x ({count} frames of two widgets) | KB per frame | ms per frame |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {kb:.1f} | {ms:.0f} |" for name, kb, ms in rows]
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
