"""`make book` comes back from any state of _build/: each part deleted in turn, the next build
makes again what depends on it and succeeds, with every page of both editions in place."""

import shutil

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
