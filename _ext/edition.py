"""Build an edition of the book in another language, or the catalogues' templates, from the same
sources and the same execution cache as the English site.

    python _ext/edition.py zh_CN       # _build/html/zh/ (its catalogues: locales/zh_CN/)
    python _ext/edition.py others      # every edition but English (what `make book` runs)
    python _ext/edition.py catalogues  # templates of the prose (_build/gettext/book/<page>.pot)
                                       # and of the outputs' messages (figures.pot), merged into
                                       # every language's catalogues (`make catalogues`)

A changed paragraph keeps its old translation, marked fuzzy (sphinx-intl's merge), until a
translator updates it; the tests fail on a fuzzy or untranslated entry.

Jupyter Book's CLI fixes the doctree folder next to the output folder and has no ``-D``; this
calls the same ``build_sphinx`` with the book's own _config.yml and a few overrides, so the
editions cannot drift apart. Every edition reads the one execution cache: the chapters executed
once (``_ext/execute.py``), drawing their outputs in every language (``backprop.lang``).
"""

import re
import sys
import time

import polib
import yaml
from jupyter_book.sphinx import build_sphinx
from jupyter_cache import get_cache
from sitetools import CHAPTERS, EDITIONS, ROOT, TOC_PAGES
from sphinx_intl.basic import update

from backprop.lang import ENGLISH, METADATA

BUILD = ROOT / "_build"
SHARED = {
    "external_toc_path": (ROOT / "_toc.yml").as_posix(),
    "nitpicky": True,
    "latex_individualpages": False,  # Jupyter Book's CLI always passes it
    "locale_dirs": [(BUILD / "locales").as_posix()],  # written by compile_catalogues
    "gettext_compact": False,  # one catalogue per page: book/intro.pot, book/backprop.pot
    "nb_execution_cache_path": (BUILD / ".jupyter_cache").as_posix(),
}
# Each edition's settings beyond its catalogues: the footer's authors, the words of the extensions
# that have no catalogue of their own (myst-nb's and sphinx-togglebutton's buttons), and the
# search's words.
# The search index of a Chinese edition splits the text into words with jieba, whose dictionary
# lacks the course's terms (反向传播 is two words to it); the query box does not split at all, so a
# search for 反向传播 finds nothing unless the terms are whole words too.
SETTINGS = {
    "zh_CN": {
        "author": "反向传播课程的作者们",
        "nb_code_prompt_show": "显示代码",
        "nb_code_prompt_hide": "隐藏代码",
        "togglebutton_hint": "点击展开",
        "togglebutton_hint_hide": "点击收起",
        "html_search_options": {
            "dict": (ROOT / "locales" / "zh_CN" / "search_terms.txt").as_posix()
        },
    }
}


def title(language):
    """The book's title in ``language``, as the root page's catalogue translates it."""
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    root = TOC_PAGES[0].removesuffix(".html")  # the toc's root page
    entry = polib.pofile(ROOT / "locales" / language / "LC_MESSAGES" / f"{root}.po").find(english)
    return entry.msgstr if entry and entry.msgstr else english


def overrides(language):
    """The confoverrides of ``language``'s edition."""
    return {"language": language, "html_title": title(language), **SETTINGS.get(language, {})}


# {glue:text}`key:.2e` names a variable of the page being read; a translated paragraph is parsed
# again on its own, where myst-nb finds no page, so it must name the page: `backprop.md::key:.2e`.
# Only {glue:text} takes `page::key` (myst-nb's {glue} and {glue:md} would split it at its last
# colon): the prose glues numbers as text, and another glue role in a translation fails the build.
OWN_GLUE = re.compile(r"(\{glue:text\}`)(?![^`]*::)([^`]*)`")


def own_glue(match, page):
    """`key` -> `page::key`; a {glue:text} without a format spec gets `:s` (its default), or
    myst-nb's rsplit(":") would take the key for the format: `page::key` -> key `page:`."""
    role, body = match[1], match[2]
    if ":" not in body:
        body += ":s"
    return f"{role}{page}::{body}`"


def compile_catalogues(language):
    """locales/<language>/LC_MESSAGES/book/*.po -> _build/locales/... with the glue roles made
    explicit; Sphinx compiles them to .mo and re-reads a page when its catalogue changes."""
    source = ROOT / "locales" / language / "LC_MESSAGES"
    for po_path in (source / "book").glob("*.po"):
        docname = po_path.relative_to(source).with_suffix("")
        catalogue = polib.pofile(po_path)
        for entry in catalogue.translated_entries():
            entry.msgstr = OWN_GLUE.sub(lambda m: own_glue(m, f"{docname.name}.md"), entry.msgstr)
        target = BUILD / "locales" / language / "LC_MESSAGES" / po_path.relative_to(source)
        text = str(catalogue)
        if not target.exists() or target.read_text(encoding="utf-8") != text:  # keep the mtime
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def output_messages(notebook):
    """{msgid: [cell indices]} of the messages the notebook's outputs looked up (any language)."""
    found = {}
    for index, cell in enumerate(notebook.get("cells", [])):
        for output in cell.get("outputs", []):
            for msgids in output.get("metadata", {}).get(METADATA, {}).values():
                for msgid in msgids:
                    found.setdefault(msgid, []).append(index)
    return found


def executed_notebooks():
    """{chapter's docname: its executed notebook}, from the execution cache the editions read."""
    cache = get_cache(BUILD / ".jupyter_cache")
    notebooks = {}
    for path in CHAPTERS:
        record = cache.get_cached_project_nb(str(path))
        if record is None:
            raise RuntimeError(f"{path.name} is not in the execution cache: run `make book` first")
        notebooks[path.relative_to(ROOT).with_suffix("").as_posix()] = cache.get_cache_bundle(
            record.pk
        ).nb
    return notebooks


def figures_template():
    """_build/gettext/figures.pot: every message the chapters' outputs looked up, with where."""
    pot = polib.POFile()
    pot.metadata = {"Content-Type": "text/plain; charset=utf-8"}
    entries = {}
    for docname, notebook in executed_notebooks().items():
        for msgid, cells in output_messages(notebook).items():
            entry = entries.setdefault(msgid, polib.POEntry(msgid=msgid, msgstr=""))
            entry.occurrences += [(f"{docname}.md", str(cell)) for cell in sorted(set(cells))]
    for msgid in sorted(entries):
        pot.append(entries[msgid])
    pot.save(BUILD / "gettext" / "figures.pot")


def build(target):
    """Build ``target`` (a language of EDITIONS, or "pot"); returns Sphinx's exit status."""
    start = time.perf_counter()
    if target == "pot":
        builder, out, options = "gettext", BUILD / "gettext", {}
    else:
        builder, out, options = "html", BUILD / "html" / EDITIONS[target][0], overrides(target)
        compile_catalogues(target)
    status = build_sphinx(
        ROOT,
        out,
        noconfig=True,
        path_config=ROOT / "_config.yml",
        confoverrides={**SHARED, **options},
        doctreedir=BUILD / f".doctrees-{target}",
        builder=builder,
        warningiserror=builder == "html",
        keep_going=True,
    )
    if target == "pot" and status == 0:
        figures_template()
    print(f"{target}: {time.perf_counter() - start:.1f} s -> {out}")
    return status


def main(target):
    others = [language for language in EDITIONS if language != ENGLISH]
    if target == "others":
        return max(build(language) for language in others)
    if target == "catalogues":
        status = build("pot")
        update(ROOT / "locales", BUILD / "gettext", others, ignore_obsolete=True)
        return status
    return build(target)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
