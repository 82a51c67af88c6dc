"""Build the site: every edition is the same build of the same sources in its own language.

    python tools/build.py            # every edition (what `make book` runs)
    python tools/build.py zh_CN      # one edition

For each edition (``sitetools.EDITIONS``: English at ``_build/html/``, Chinese at
``_build/html/zh/``):

1. **Execute** its chapters in a fresh kernel each, two at a time (jupyter-cache's
   ``local-parallel`` executor), with ``BACKPROP_LANGUAGE`` set to the edition's language, into its
   own execution cache ``_build/<language>/jupyter_cache``. A chapter already cached is not run
   again; a chapter whose cell raises fails the build, with its traceback. The training runs the
   chapters share between editions are kept by ``backprop.memory`` in ``_build/memory``: the
   second edition only draws.
2. **Build its site** with Sphinx, through Jupyter Book's ``build_sphinx`` with the book's own
   ``_config.yml`` (as ``jb build`` does), warnings as errors, in a process of its own, once every
   edition has executed: the editions' Sphinx builds run side by side. Only the edition's
   language, catalogues, folders and a few words differ
   (:func:`overrides`).

An edition whose inputs (:data:`INPUTS`) have not changed since it was last built, and whose
cache and site are there, is not built again. Any part of ``_build/`` may be deleted: what
depends on it is made again (see the editions extension, ``_ext/editions.py``, for the pages a new
execution or a missing folder makes stale).
"""

import hashlib
import os
import re
import subprocess
import sys
import time

import polib
import yaml
from sitetools import BUILD, CHAPTERS, EDITIONS, HTML, ROOT, TOC_PAGES

#: seconds a cell may run: the book's own setting
TIMEOUT = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]["timeout"]
# Each edition's settings beyond its catalogues: the footer's authors, the words of the extensions
# that have no catalogue of their own (myst-nb's and sphinx-togglebutton's buttons), and the
# search's words: the search index of a Chinese edition splits the text into words with jieba,
# whose dictionary lacks the course's terms (反向传播 is two words to it); the query box does not
# split at all, so a search for 反向传播 finds nothing unless the terms are whole words too.
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


#: what a build reads, besides its own products: a change to any file below them (its size or
#: time) builds every edition again (tests/, bench/ and docs/ are not read by the build)
INPUTS = [
    "_config.yml",
    "_toc.yml",
    "book",
    "src/backprop",
    "locales",
    "_ext",
    "assets",
    "tools",
    "_vendor/.installed",  # the browser assets (package.json)
    ".venv/.installed",  # the Python packages (requirements-dev.txt, constraints.txt)
]


def fingerprint():
    """A digest of the names, sizes and modification times of every file of :data:`INPUTS`."""
    digest = hashlib.sha256()
    for name in INPUTS:
        top = ROOT / name
        for path in sorted([top, *top.rglob("*")] if top.is_dir() else [top]):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(ROOT)} {stat.st_size} {stat.st_mtime_ns}\n".encode()
                )
    return digest.hexdigest()


def up_to_date(language, inputs):
    """Whether the edition was built from ``inputs`` (a :func:`fingerprint`) and its execution
    cache and site are still there."""
    stamp = folder(language) / "built-from"
    return (
        stamp.exists()
        and stamp.read_text() == inputs
        and (folder(language) / "jupyter_cache").is_dir()
        and (site(language) / ".buildinfo").exists()
        and (HTML / EDITIONS[language][0] / ".buildinfo").exists()
    )


def folder(language):
    """The edition's own folder of build products: its execution cache, doctrees, catalogues."""
    return BUILD / language


def site(language):
    """Where Sphinx writes the edition's site: the English one is the site's root,
    ``_build/html``; another edition's is its own ``_build/<language>/html``, linked into the site
    as its folder (``_build/html/zh`` -> ``../zh_CN/html``). Each edition's site needs a folder of
    its own, with nothing beside it but its build products: myst-nb writes the executed notebooks
    next to it (``jupyter_execute/``, in the site's parent folder)."""
    return HTML if EDITIONS[language][0] == "" else folder(language) / "html"


def link_into_site(language):
    """The edition's site linked as its folder of the published site (a no-op for English)."""
    published = HTML / EDITIONS[language][0]
    if published != site(language) and not published.is_symlink():
        published.parent.mkdir(parents=True, exist_ok=True)
        published.symlink_to(os.path.relpath(site(language), published.parent))


def overrides(language):
    """The Sphinx settings of ``language``'s edition on top of the book's ``_config.yml``: the
    same for every edition but its language, folders and words."""
    return {
        "external_toc_path": (ROOT / "_toc.yml").as_posix(),
        "nitpicky": True,
        "latex_individualpages": False,  # Jupyter Book's CLI always passes it
        "language": language,
        "locale_dirs": [(folder(language) / "locales").as_posix()],
        "gettext_compact": False,  # one catalogue per page: book/intro.po, book/backprop.po
        "nb_execution_cache_path": (folder(language) / "jupyter_cache").as_posix(),
        "course_editions": EDITIONS,
        "html_title": title(language),
        **SETTINGS.get(language, {}),
    }


def title(language):
    """The book's title in ``language``, as the root page's catalogue translates it."""
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    root = TOC_PAGES[0].removesuffix(".html")  # the toc's root page
    po = ROOT / "locales" / language / "LC_MESSAGES" / f"{root}.po"
    entry = polib.pofile(po).find(english) if po.exists() else None
    return entry.msgstr if entry and entry.msgstr else english


def stale(notebook, language, translations):
    """Whether a cached notebook drew a text whose translation (``translations``: msgid ->
    msgstr) has changed since: each output records the messages it looked up with their
    translations (``backprop.lang.Recorded``)."""
    from backprop.lang import METADATA  # noqa: PLC0415 (imports matplotlib: only when needed)

    return any(
        translations.get(msgid, "") != msgstr
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for msgstr_of in [output.get("metadata", {}).get(METADATA, {}).get(language, {})]
        for msgid, msgstr in msgstr_of.items()
    )


def execute(language):
    """Execute the edition's chapters that its cache lacks, in its language; returns how many
    failed (each printed with its traceback)."""
    from jupyter_cache import get_cache  # noqa: PLC0415 (seconds to import: only when needed)
    from jupyter_cache.executors import load_executor  # noqa: PLC0415

    from backprop import lang, memory  # noqa: PLC0415 (imports matplotlib)

    cache = get_cache(folder(language) / "jupyter_cache")
    for path in CHAPTERS:
        record = cache.add_nb_to_project(
            str(path), read_data={"name": "myst_nb_md", "type": "plugin"}
        )
        cached = cache.get_cached_project_nb(record.pk)
        if cached and stale(
            cache.get_cache_bundle(cached.pk).nb, language, lang.catalogue(language)
        ):
            cache.remove_cache(cached.pk)  # a figure text's translation changed: draw it again
    os.environ[lang.VARIABLE] = language  # the kernels inherit the language and the memory
    os.environ[memory.VARIABLE] = str(BUILD / "memory")
    start = time.perf_counter()
    result = load_executor("local-parallel", cache).run_and_cache(timeout=TIMEOUT)
    failed = result.errored + result.excepted
    for uri in failed:
        print(f"{uri} failed:\n{cache.get_project_record(uri).traceback}", file=sys.stderr)
    took = f"{time.perf_counter() - start:.1f} s"
    print(f"{language}: executed {len(result.succeeded)} chapter(s), {len(failed)} failed, {took}")
    return len(failed)


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
    """locales/<language>/LC_MESSAGES/book/*.po -> _build/<language>/locales/... with the glue
    roles naming their page; Sphinx compiles them and re-reads a page whose catalogue changed."""
    source = ROOT / "locales" / language / "LC_MESSAGES"
    for po_path in (source / "book").glob("*.po"):
        catalogue = polib.pofile(po_path)
        for entry in catalogue.translated_entries():
            entry.msgstr = OWN_GLUE.sub(lambda m: own_glue(m, f"{po_path.stem}.md"), entry.msgstr)
        target = folder(language) / "locales" / language / "LC_MESSAGES" / "book" / po_path.name
        text = str(catalogue)
        if not target.exists() or target.read_text(encoding="utf-8") != text:  # keep the mtime
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


def sphinx(language):
    """Build the edition's site from its execution cache; returns Sphinx's exit status."""
    from jupyter_book.sphinx import build_sphinx  # noqa: PLC0415 (only this process needs it)

    start = time.perf_counter()
    compile_catalogues(language)
    status = build_sphinx(
        ROOT,
        site(language),
        noconfig=True,
        path_config=ROOT / "_config.yml",
        confoverrides=overrides(language),
        doctreedir=folder(language) / "doctrees",
        builder="html",
        warningiserror=True,
        keep_going=True,
    )
    print(f"{language}: Sphinx {time.perf_counter() - start:.1f} s")
    return status


def main(languages):
    """Execute every edition, one after the other (the English first: it fills the memory of
    training runs the others reuse), then build their sites at once, each in a process of its
    own. Each step keeps both cores busy: the executions run two chapters at a time, the Sphinx
    builds one process each (a Sphinx build beside an execution would make three)."""
    start, failed, inputs = time.perf_counter(), 0, fingerprint()
    stale_editions = [language for language in languages if not up_to_date(language, inputs)]
    for language in [language for language in languages if language not in stale_editions]:
        print(f"{language}: up to date -> {site(language)}")
    for language in stale_editions:
        (folder(language) / "built-from").unlink(missing_ok=True)
        failed += execute(language)
        if failed:
            break
    command = [sys.executable, __file__, "--sphinx"]
    builds = [] if failed else [(e, subprocess.Popen([*command, e])) for e in stale_editions]
    statuses = {language: build.wait() for language, build in builds}
    for language, status in statuses.items():
        link_into_site(language)
        if status == 0:
            (folder(language) / "built-from").write_text(inputs)
        print(f"{language}: site {'built' if status == 0 else 'FAILED'} -> {site(language)}")
    print(f"built in {time.perf_counter() - start:.1f} s")
    return 1 if failed or any(statuses.values()) else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--sphinx"]:
        sys.exit(sphinx(sys.argv[2]))
    sys.exit(main(sys.argv[1:] or list(EDITIONS)))
