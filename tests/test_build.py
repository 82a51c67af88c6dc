"""`make book` does only what changed: it comes back from any state of _build/ (each part deleted
in turn, the next build makes again what depends on it, with every page of both editions in
place), and a changed translation of a figure's text re-runs only the chapter that drew it."""

import shutil

import polib
import pytest
from sitetools import BUILD, EDITIONS, HTML, TOC_PAGES

from conftest import build_book

pytestmark = pytest.mark.book

#: every part of _build/ a build makes (tools/build.py; the Makefile's package stamp)
PARTS = [
    "html",  # the English site, and the link to the Chinese one
    "zh_CN/html",  # the Chinese site
    "jupyter_execute",  # the English edition's executed notebooks (myst-nb's, beside its site)
    "zh_CN/jupyter_execute",
    "en/jupyter_cache",
    "en/doctrees",
    "en",  # all of the English edition's build products
    "zh_CN/jupyter_cache",
    "zh_CN/doctrees",
    "zh_CN/locales",  # the catalogues as Sphinx reads them
    "memory",  # the training runs kept between the editions' executions
    ".package-stamp",  # the package changed: every chapter runs again
]


def delete(path):
    if path.is_symlink() or path.is_file():
        path.unlink()
    else:
        shutil.rmtree(path)


@pytest.mark.parametrize("part", PARTS)
def test_the_build_comes_back_after_a_part_of_it_is_deleted(built_book, part):
    assert (BUILD / part).exists(), f"{part} is not made by the build"
    delete(BUILD / part)
    result = build_book()
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for folder, _ in EDITIONS.values():
        missing = [page for page in TOC_PAGES if not (HTML / folder / page).is_file()]
        assert not missing, f"{folder or 'en'}: {missing} missing after deleting {part}"


def chapters_drawing(msgid, language="zh_CN"):
    """The chapters whose cached outputs in ``language`` looked up ``msgid``."""
    import catalogues  # imports Jupyter Book, seconds: not at the module's top (make test-fast)

    notebooks = catalogues.executed_notebooks(language).items()
    return [doc for doc, nb in notebooks if msgid in catalogues.output_messages(nb, language)]


def test_a_changed_figure_translation_re_runs_only_the_chapters_that_draw_it(built_book):
    """A translator fixes one figure label: the Chinese edition re-runs the chapter that drew
    it, and no other chapter of either edition."""
    po_path = BUILD.parent / "locales" / "zh_CN" / "LC_MESSAGES" / "figures.po"
    original = po_path.read_text(encoding="utf-8")
    catalogue = polib.pofile(po_path)
    entry = next(e for e in catalogue if e.msgstr and len(chapters_drawing(e.msgid)) == 1)
    entry.msgstr += " "  # a visible change of the translation, nothing else
    try:
        catalogue.save(po_path)
        log = build_book()
        assert log.returncode == 0, log.stdout[-3000:] + log.stderr[-3000:]
        assert "zh_CN: executed 1 chapter(s)" in log.stdout, log.stdout[-3000:]
        assert "en: executed 0 chapter(s)" in log.stdout or "en: up to date" in log.stdout
    finally:
        po_path.write_text(original, encoding="utf-8")
    assert build_book().returncode == 0


def test_a_changed_stylesheet_alone_reaches_both_sites(built_book):
    """Sphinx 7.4 copies static files only when it writes a page: the build makes it write one."""
    source = BUILD.parent / "assets" / "course.css"
    original = source.read_text(encoding="utf-8")
    try:
        source.write_text(original + "\n/* a change to the stylesheet alone */\n", encoding="utf-8")
        assert build_book().returncode == 0
        for folder, _ in EDITIONS.values():
            shown = (HTML / folder / "_static" / "course.css").read_text(encoding="utf-8")
            assert "a change to the stylesheet alone" in shown, folder or "en"
    finally:
        source.write_text(original, encoding="utf-8")
    assert build_book().returncode == 0
