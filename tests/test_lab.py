"""Each chapter as a reader runs it in Binder: opened as a notebook (jupytext) in JupyterLab, run
top to bottom in a fresh kernel of the environment Binder makes from requirements.txt alone (the
reader venv, conftest.py), no cell erroring, and a slider that changes its figure. The Chinese
rnn notebook (postBuild's, as a Chinese page's launch button opens it) runs too.

JupyterLab itself is the development venv's (pinned in requirements-dev.txt): Binder's base image
brings its own JupyterLab, which requirements.txt does not install; only the kernel, which runs
the chapters, must be the reader's: a kernelspec ``python3`` first in JUPYTER_PATH makes it so."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sitetools

from test_site import figure_state, key_slider, wait_for_change

pytestmark = [pytest.mark.browser, pytest.mark.binder]
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHAPTERS = [path.relative_to(ROOT).as_posix() for path in sitetools.CHAPTERS] + ["zh/book/rnn.md"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(post_build, reader_kernel):
    """JupyterLab on loopback, configured by the repository's own postBuild (as Binder does), its
    kernel ``python3`` the reader venv's."""
    config = post_build
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_PATH=str(reader_kernel),
        PATH=f"{BIN}:{os.environ['PATH']}",
    )
    env.pop("BACKPROP_LANGUAGE", None)
    # Render every cell (no windowing), so the test can reach the widget wherever it is.
    overrides = config / "labconfig" / "default_setting_overrides.json"
    settings = json.loads(overrides.read_text())
    settings["@jupyterlab/notebook-extension:tracker"] = {"windowingMode": "none"}
    overrides.write_text(json.dumps(settings))
    port = free_port()
    server = subprocess.Popen(
        [
            str(BIN / "jupyter-lab"),
            "--no-browser",
            "--allow-root",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={ROOT}",
            "--LabApp.extension_manager=readonly",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120  # an upper bound for a slow machine
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            break
        except OSError:
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(20)


CURRENT = "window.jupyterapp.shell.currentWidget"
IDLE = (
    f"{CURRENT} && {CURRENT}.sessionContext.session && {CURRENT}.sessionContext.session.kernel"
    f" && {CURRENT}.sessionContext.session.kernel.status === 'idle'"
)
CODE_CELLS = f"""(() => {{
  const cells = {CURRENT}.content.model.cells;
  return Array.from({{length: cells.length}}, (_, i) => cells.get(i)).filter(c => c.type === 'code')
    .map(c => [c.executionCount, c.outputs.toJSON().map(o => o.output_type === 'stream'
               ? 'stream:' + o.name : o.output_type)]);
}})()"""
ALL_RUN = (
    f"({CODE_CELLS}.every(([count, _]) => count !== null)"
    f" || {CODE_CELLS}.some(([_, outputs]) => outputs.includes('error')))"
)  # run-all stops at an error
RUNNING = (
    "Array.from(document.querySelectorAll('.jp-InputArea-prompt'))"
    ".some(e => e.textContent.includes('*'))"
)

#: the running kernel's sys.prefix, asked through JupyterLab's own kernel connection
KERNEL_PREFIX = f"""(async () => {{
  const future = {CURRENT}.sessionContext.session.kernel.requestExecute(
    {{code: "import sys; print(sys.prefix, end='')", silent: false, store_history: false}});
  let text = '';
  future.onIOPub = msg => {{ if (msg.header.msg_type === 'stream') text += msg.content.text; }};
  await future.done;
  return text;
}})()"""

#: the figures' alt texts and the controls' labels on the page
DRAWN_TEXTS = (
    "Array.from(document.querySelectorAll('.linked-figure img, .jp-OutputArea .widget-label'))"
    ".map(e => e.alt || e.textContent)"
)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_as_a_notebook_in_jupyterlab(browser, lab, reader_venv, chapter):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{lab}/lab/tree/{chapter}?reset")  # reset: no tabs restored from an earlier test
    page.wait_for_function(
        f"window.jupyterapp && {CURRENT} && {CURRENT}.context"
        f" && {CURRENT}.context.path === '{chapter}' && {CURRENT}.content"
        " && document.querySelector('.jp-Notebook .jp-Cell')",
        timeout=60_000,
    )  # this chapter, as a notebook (jupytext is the viewer)
    page.wait_for_function(IDLE, timeout=60_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells'); null")
    try:
        page.wait_for_function(f"({IDLE}) && !({RUNNING}) && ({ALL_RUN})", timeout=240_000)
    except Exception:
        page.screenshot(path=str(ROOT / "_build" / f"lab-{Path(chapter).stem}.png"))
        raise AssertionError(
            f"{chapter} did not finish running; cells: {page.evaluate(CODE_CELLS)}; "
            f"dialogs: {page.locator('.jp-Dialog').all_inner_texts()}"
        )
    cells = page.evaluate(CODE_CELLS)  # from the notebook's model, not from what is on screen
    assert cells and all(count is not None for count, _ in cells), (
        f"{chapter}: cells did not run: {cells}"
    )
    bad = [outputs for _, outputs in cells if any(o in ("error", "stream:stderr") for o in outputs)]
    assert not bad, f"{chapter}: cells with an error or a warning: {bad}"
    assert page.evaluate(KERNEL_PREFIX) == str(reader_venv), "the kernel is not the reader's"
    if chapter.startswith("zh/"):  # as a Chinese page's launch button promises
        drawn = page.evaluate(DRAWN_TEXTS)
        chinese = [text for text in drawn if sitetools.CJK.search(text)]
        assert chinese, f"{chapter} drew no Chinese: {drawn[:5]}"
    figures = page.locator(".linked-figure:has(.noUi-handle)")  # the first figure with a slider
    if figures.count():
        figure = figures.first
        figure.scroll_into_view_if_needed()
        before = figure_state(figure)
        key_slider(figure.locator(".noUi-handle").first, page)
        wait_for_change(figure, before, "the slider in JupyterLab")
    assert not errors, errors
    page.close()
