"""Build one edition of the book, or the message catalogues, from the same sources.

    python i18n/build.py pot        # _build/gettext/*.pot (the English prose, one file per page)
    python i18n/build.py zh         # _build/html/zh/ (language zh_CN, catalogues in locales/)

Jupyter Book's CLI fixes the doctree folder next to the output folder and has no ``-D``; this
calls the same ``build_sphinx`` with the book's own _config.yml and a few overrides, so the
editions cannot drift apart. Every edition reads the one execution cache
(_build/.jupyter_cache): the chapters execute once, in whichever build comes first.
"""

import re
import sys
import time
from pathlib import Path

import polib
from jupyter_book.sphinx import build_sphinx

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
SHARED = {
    "external_toc_path": (ROOT / "_toc.yml").as_posix(),
    "nitpicky": True,
    "latex_individualpages": False,  # Jupyter Book's CLI always passes it
    "locale_dirs": [(BUILD / "locales").as_posix()],  # compiled by compile_catalogues
    "gettext_compact": False,  # one catalogue per page: book/intro.pot, book/backprop.pot
    "nb_execution_cache_path": (BUILD / ".jupyter_cache").as_posix(),
}
# jieba splits 反向传播 into 反向 + 传播 (its dictionary lacks the course's terms); the query box does
# not split at all, so a search for 反向传播 finds nothing unless the terms are whole words too.
ZH = {
    "language": "zh_CN",
    "html_search_options": {"dict": (ROOT / "i18n/search_terms.txt").as_posix()},
}
TARGETS = {  # name: (builder, output folder, doctrees, overrides)
    "pot": ("gettext", BUILD / "gettext", BUILD / ".doctrees-gettext", {}),
    "zh": ("html", BUILD / "html" / "zh", BUILD / ".doctrees-zh", ZH),
}


# {glue:text}`key:.2e` names a variable of the page being read; a translated paragraph is parsed
# again on its own, where myst-nb finds no page, so it must name the page: `backprop.md::key:.2e`.
OWN_GLUE = re.compile(r"(\{glue(?::\w+)?\}`)(?![^`]*::)")


def compile_catalogues(language="zh_CN"):
    """locales/<language>/**/*.po -> _build/locales/<language>/**/*.po with the glue roles made
    explicit; Sphinx compiles them to .mo and re-reads a page when its catalogue changes."""
    source = ROOT / "locales" / language / "LC_MESSAGES"
    for po_path in source.rglob("*.po"):
        docname = po_path.relative_to(source).with_suffix("")
        sources = list(ROOT.glob(f"{docname}.*"))  # figures.po is the package's (backprop.lang)
        if not sources:
            continue
        page = sources[0].name  # the page's source file, e.g. backprop.md
        catalogue = polib.pofile(po_path)
        for entry in catalogue.translated_entries():
            entry.msgstr = OWN_GLUE.sub(rf"\g<1>{page}::", entry.msgstr)
        target = BUILD / "locales" / language / "LC_MESSAGES" / po_path.relative_to(source)
        text = str(catalogue)
        if not target.exists() or target.read_text(encoding="utf-8") != text:  # keep the mtime
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def build(target):
    builder, out, doctrees, overrides = TARGETS[target]
    start = time.perf_counter()
    if builder == "html":
        compile_catalogues(overrides["language"])
    status = build_sphinx(
        ROOT,
        out,
        noconfig=True,
        path_config=ROOT / "_config.yml",
        confoverrides={**SHARED, **overrides},
        doctreedir=doctrees,
        builder=builder,
        warningiserror=builder == "html",
        keep_going=True,
    )
    print(f"{target}: {time.perf_counter() - start:.1f} s -> {out}")
    return status


if __name__ == "__main__":
    sys.exit(build(sys.argv[1]))
