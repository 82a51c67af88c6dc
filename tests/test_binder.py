"""What Binder gives a reader: every chapter executes in a venv made from requirements.txt alone
(``reader_venv`` in conftest.py), in English and, as the Chinese pages' launch buttons open it
(the notebook postBuild writes, ``tools/binder.py``), in Chinese, drawn in Chinese."""

import os
import re
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from html import unescape

import binder
import comments
import pytest
from sitetools import CHAPTERS, CJK, HTML, ROOT, execute_chapter

PROBE = "import sys; print(sys.prefix, end='')"  #: the first cell: whose Python runs the kernel
DIRECTIVE_ALONE = re.compile(r"```\{[^}]*\}[^\n]*\n(?::[^\n]*\n)*```")  # an exercise's end
LANGUAGES = ["en", "zh_CN"]
RUNS = [(chapter, language) for chapter in CHAPTERS for language in LANGUAGES]


def with_kernels(jupyter_path):
    """A worker's environment: the reader's kernel first in JUPYTER_PATH, no language set (the
    Chinese notebooks set theirs)."""
    os.environ["JUPYTER_PATH"] = jupyter_path
    os.environ.pop("BACKPROP_LANGUAGE", None)
    os.environ.pop("BACKPROP_MEMORY", None)


def source(chapter, language):
    """What a reader opens: the chapter, or its notebook in ``language`` (postBuild's)."""
    return chapter if language == "en" else binder.notebook_path(language, chapter)


@pytest.fixture(scope="module")
def runs(reader_kernel, post_build):
    """(chapter, language) -> (notebook, seconds, error) of every chapter executed in the reader's
    kernel in each language, two at a time."""
    with ProcessPoolExecutor(2, initializer=with_kernels, initargs=(str(reader_kernel),)) as pool:
        futures = {
            run: pool.submit(execute_chapter, source(*run), [PROBE], timeout=300) for run in RUNS
        }
        return {run: future.result() for run, future in futures.items()}


def drawn(notebook):
    """What the kernel drew, by kind: the controls' descriptions and option labels, the figures'
    alt texts (in the widgets' state, and in the plain HTML of a still: ``linked.static``), the
    Markdown tables."""
    widgets = notebook.metadata.get("widgets", {})
    state = widgets.get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    models = [model.get("state", {}) for model in state.values()]
    outputs = [
        output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", [])
    ]
    html = " ".join(
        [
            *(str(model.get("value", "")) for model in models),
            *(d.get("text/html", "") for d in outputs),
        ]
    )
    return {
        "controls": [
            " ".join([model.get("description", ""), *map(str, model.get("_options_labels", []))])
            for model in models
        ],
        "figures": [unescape(alt) for alt in re.findall(r'alt="([^"]*)"', html)],
        "tables": [
            data["text/markdown"] for data in outputs if "|" in data.get("text/markdown", "")
        ],
    }


@pytest.mark.binder
@pytest.mark.parametrize("chapter, language", RUNS, ids=[f"{c.stem}-{lang}" for c, lang in RUNS])
def test_chapter_runs_in_the_readers_environment(runs, reader_venv, chapter, language):
    notebook, seconds, error = runs[chapter, language]
    assert error is None, f"{source(chapter, language)} in the reader's venv:\n{error}"
    prefix = "".join(output.get("text", "") for output in notebook.cells[0].outputs)
    assert prefix == str(reader_venv), "the kernel is not the reader venv's Python"
    texts = [text for kind in drawn(notebook).values() for text in kind]
    assert texts, f"{chapter.name} drew no controls, figures or tables"
    chinese = [text for text in texts if CJK.search(text)]
    if language == "en":
        assert not chinese, f"{chapter.name} drew Chinese in English: {chinese[:3]}"
    else:
        assert chinese, f"{chapter.name} drew no Chinese in its {language} notebook"


@pytest.mark.book
@pytest.mark.binder
def test_the_chinese_rnn_pages_binder_link_opens_a_notebook_drawn_in_chinese(
    built_book, runs, post_build
):
    """The launch button of zh/book/rnn.html names zh/book/rnn.md, which postBuild wrote and
    which draws its figures, controls and tables in Chinese, its prose in Chinese too; the
    download button offers the same file."""
    page = (HTML / "zh" / "book" / "rnn.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(https://mybinder\.org/[^"]*)"', page)
    assert links and all(link.endswith("?urlpath=lab/tree/zh/book/rnn.md") for link in links), links
    notebook_file = ROOT / "zh" / "book" / "rnn.md"
    assert notebook_file == binder.notebook_path("zh_CN", ROOT / "book" / "rnn.md")
    assert notebook_file.exists() and "循环神经网络" in notebook_file.read_text(encoding="utf-8")
    downloads = re.findall(r'href="([^"]*_sources/book/rnn\.md)"', page)
    assert downloads, "the Chinese rnn page offers no source file to download"
    for href in downloads:  # the same notebook as the launch button's
        offered = (HTML / "zh" / "book" / href).resolve().read_text(encoding="utf-8")
        assert offered == notebook_file.read_text(encoding="utf-8"), href
    notebook, _, error = runs[ROOT / "book" / "rnn.md", "zh_CN"]
    assert error is None, error
    for kind, texts in drawn(notebook).items():
        assert any(CJK.search(text) for text in texts), f"no {kind} drawn in Chinese: {texts[:3]}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_a_chapters_chinese_notebook_is_the_chapter_with_its_prose_translated(chapter):
    """The same code cells, their comments translated (code.po), after a first one that sets the
    language; every table with its cells;
    every paragraph, heading, list item and table cell in Chinese (the catalogues are complete:
    test_catalogues.py)."""
    import jupytext

    text, counts = binder.notebook("zh_CN", chapter)
    chinese, english = jupytext.reads(text, fmt="md:myst"), jupytext.read(chapter)
    assert chinese.cells[0].source == "%env BACKPROP_LANGUAGE=zh_CN"
    assert chinese.cells[0].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    code = [[c.source for c in nb.cells if c.cell_type == "code"] for nb in (chinese, english)]
    translated = [comments.translated(source, comments.catalogue("zh_CN")) for source in code[1]]
    assert code[0] == ["%env BACKPROP_LANGUAGE=zh_CN", *translated]
    assert counts[True] > 0 and counts[False] == 0, f"{chapter.name}: {counts}"
    rows = [  # every table keeps its rows and columns (each cell translated in place)
        [line.count("|") for c in nb.cells for line in c.source.split("\n") if line[:1] == "|"]
        for nb in (chinese, english)
    ]
    assert rows[0] == rows[1], f"{chapter.name}: a table lost cells in Chinese"
    markdown = [DIRECTIVE_ALONE.sub("", c.source) for c in chinese.cells if c.cell_type != "code"]
    english_cells = [source for source in markdown if source.strip() and not CJK.search(source)]
    assert not english_cells, f"{chapter.name}: cells left English: {english_cells[:2]}"


@pytest.mark.book
@pytest.mark.binder
def test_every_chinese_binder_link_opens_a_notebook_postbuild_wrote(built_book, post_build):
    """Every page with a launch button (the chapters) opens its notebook, none a missing file."""
    pages = sorted((HTML / "zh").rglob("*.html"))
    links = {
        page: re.findall(r'href="https://mybinder\.org/[^"]*\?urlpath=lab/tree/([^"]*)"', text)
        for page in pages
        for text in [page.read_text(encoding="utf-8")]
    }
    opened = {path for paths in links.values() for path in paths}
    assert opened == {
        binder.notebook_path("zh_CN", c).relative_to(ROOT).as_posix() for c in CHAPTERS
    }
    assert all((ROOT / path).exists() for path in opened), opened


def test_binder_installs_the_font_the_chinese_figures_are_drawn_in():
    """Drawing in Chinese needs a CJK font (``lang.fonts`` fails without it), which Binder's image
    lacks: apt.txt lists the Debian package that holds the one this machine draws with."""
    from matplotlib import font_manager

    from backprop import lang

    family = font_manager.FontProperties(family=lang.fonts("zh_CN")[-1])
    font = os.path.realpath(font_manager.findfont(family, fallback_to_default=False))
    if not shutil.which("dpkg"):
        pytest.skip("no dpkg here to name the package of the font")
    owner = subprocess.run(["dpkg", "-S", font], capture_output=True, text=True, check=True)
    listed = [line.partition("#")[0].strip() for line in (ROOT / "apt.txt").read_text().split("\n")]
    assert owner.stdout.split(":")[0] in listed, (owner.stdout, listed)
