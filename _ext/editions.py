"""The course's editions (English at the site's root, Chinese under zh/): each is an ordinary
build of the same sources in its language (``tools/build.py``); this extension adds what an
edition needs beyond Sphinx's own translation.

- What gettext translates is the prose: a cell's output (a check table, a figure) is drawn by the
  kernel in the edition's language (``backprop.lang``), and display maths is the same in every
  language but for the words in its ``\text{...}`` ("that is", "or"). Outputs (but a figure's
  caption, which the page writes) and wordless display maths are marked untranslatable, so the
  catalogues hold only prose and a number that changes with a run never makes an entry fuzzy.

- The language switch: every page names the same page of the other edition in a
  ``<link rel="alternate" hreflang>`` (its published address, and its address relative to the
  page in ``data-relative``); a small script turns it into a button in the page's header
  that opens the other edition at the section being read (section ids are the English slugs
  in both editions, so one ``#id`` serves both).

- The sidebar's part captions, which sphinx-external-toc adds too late for Sphinx's translation;
  and the exercises' titles, their difficulty, which sphinx-exercise makes untranslatable
  (``ExerciseLevels``: translated from site.po).

- Pages made stale by a new execution or a deleted folder are read again: myst-nb does not look
  at its execution cache when Sphinx decides what to re-read (its own "TODO this does not take
  account of cache data", myst_nb/sphinx_.py), so a chapter executed anew, or one whose executed
  notebook is missing from the site (``jupyter_execute/``), or every page when the site's folder
  was deleted, is marked outdated here.
"""

import hashlib
import json
from pathlib import Path

import seo
from docutils import nodes
from jupyter_cache import get_cache
from sphinx import addnodes
from sphinx.errors import ExtensionError
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_subtitle

from backprop.lang import ENGLISH, bcp47

#: the site's editions, as ``tools/build.py`` passes them (``sitetools.EDITIONS``): language ->
#: (its folder under the site's root, its name in itself)
DEFAULT_EDITIONS = {ENGLISH: ("", "English")}


def translating(config):
    """Whether this build translates: an edition other than English (the gettext builder, which
    extracts the English, runs with no language)."""
    return (config.language or ENGLISH) != ENGLISH


def words_of(math):
    """Whether a display formula has words (``\\text{...}``) to translate."""
    return "\\text{" in math.astext()


class OutputsNotTranslated(SphinxTransform):
    """Outputs are not translated, but for a figure's caption (written in the page, in the cell's
    ``mystnb: figure:`` options); display maths is, for its words, but not by Sphinx's Locale
    transform, which would parse the translation as reST (a MyST page's formula became "::"):
    :class:`LateTranslations` replaces its text."""

    default_priority = 10  # before sphinx.transforms.i18n.Locale (20) and before extraction

    def apply(self, **kwargs):
        for math in self.document.findall(nodes.math_block):
            math["translatable"] = words_of(math) and not translating(self.config)
        for output in self.document.findall(nodes.container):
            if "cell_output" in output["classes"]:
                for node in output.findall(nodes.TextElement):
                    if not isinstance(node, nodes.caption):  # a figure's caption is page prose
                        node["translatable"] = False


#: an exercise's title is its difficulty, one of these (site.po translates them)
LEVELS = {"Warm-up": "Warm-up", "Practice": "Practice", "Challenge": "Challenge"}


class ExerciseLevels(SphinxTransform):
    """Every exercise is labelled by its difficulty, its title (``{exercise-start} Warm-up``), one
    of :data:`LEVELS`; an exercise without one stops the build. sphinx-exercise makes the title
    a node that Sphinx's gettext skips, so the edition's language comes from site.po here, in the
    page and in the copy of the exercise sphinx-exercise keeps for its solution's title."""

    default_priority = 101

    def apply(self, **kwargs):
        registry = getattr(self.env, "sphinx_exercise_registry", {}).values()
        kept = [  # the solutions' entries are there too
            entry["node"]
            for entry in registry
            if entry["docname"] == self.env.docname
            and isinstance(entry["node"], exercise_enumerable_node)
        ]
        for exercise in [*self.document.findall(exercise_enumerable_node), *kept]:
            level = next(iter(exercise.findall(exercise_subtitle)), None)
            if level is None or level.astext() not in LEVELS:
                raise ExtensionError(
                    f"{self.env.docname}:{exercise.line}: an exercise's title is its level, one of "
                    f"{list(LEVELS)}, got {level.astext() if level else None!r}"
                )
            text = seo.translate_message(self.app, LEVELS, level.astext())
            level.children = []
            level += nodes.Text(text)


class LateTranslations(SphinxTransform):
    """What Sphinx's own translation (priority 20) does not reach: the sidebar's part captions,
    which sphinx-external-toc inserts with the toctrees (priority 100), the words of display
    formulas (see :class:`OutputsNotTranslated`), and the comments of the code cells, from
    code.po (``tools/comments.py``)."""

    default_priority = 101

    def apply(self, **kwargs):
        if not translating(self.config):
            return
        dirs = [str(Path(self.env.srcdir, d)) for d in self.config.locale_dirs]
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalogue, _ = init_locale(dirs, self.config.language, domain)
        for toctree in self.document.findall(addnodes.toctree):
            if toctree.get("caption"):
                toctree["caption"] = catalogue.gettext(toctree["caption"])
        for math in self.document.findall(nodes.math_block):
            if words_of(math):
                math[:] = [nodes.Text(catalogue.gettext(math.astext()))]
        import comments  # noqa: PLC0415 (tools/, on the path of tools/build.py, which runs this)

        code = comments.catalogue(self.config.language)
        for block in comments.shown_code(self.document):  # its rawsource too, or Sphinx takes it
            block.rawsource = comments.translated(block.astext(), code)  # for a parsed literal
            block[:] = [nodes.Text(block.rawsource)]  # and does not highlight it


SWITCH_JS = """
document.addEventListener("DOMContentLoaded", function () {
  const other = document.querySelector('link[rel="alternate"][data-relative]');
  const buttons = document.querySelector(".article-header-buttons");
  if (!other || !buttons) { return; }
  const a = document.createElement("a");
  a.className = "btn btn-sm lang-switch";
  a.hreflang = other.hreflang;
  a.lang = other.hreflang;
  a.textContent = other.title;
  a.href = other.dataset.relative;
  a.addEventListener("click", function () {
    // the section being read: the one at the top of the window, or the link's target if shown
    let id = "";
    document.querySelectorAll("main section[id]").forEach(function (s) {
      if (s.getBoundingClientRect().top < 120) { id = s.id; }
    });
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const top = target ? target.getBoundingClientRect().top : -1;
    if (top >= 0 && top < window.innerHeight / 2) { id = target.id; }
    a.href = other.dataset.relative + (id ? "#" + id : "");
  });
  buttons.prepend(a);
});
"""


def switch_link(app, pagename, templatename, context, doctree):
    """The page in the other edition: its published address for search engines (``html_baseurl``
    is the edition's, set by ``seo.py``), its address relative to this page for the switch."""
    editions = app.config.course_editions
    here = app.config.language or ENGLISH
    root = "../" * (pagename.count("/") + editions[here][0].count("/"))  # to the site's root
    site = app.config.html_baseurl.removesuffix(editions[here][0])  # the site's root, published
    for language, (folder, name) in editions.items():
        if language != here:
            context["metatags"] = context.get("metatags", "") + (
                f'\n<link rel="alternate" hreflang="{bcp47(language)}" '
                f'href="{site or root}{folder}{pagename}.html" '
                f'data-relative="{root}{folder}{pagename}.html" '
                f"title={json.dumps(name, ensure_ascii=False)}>"
            )


def binder_link(app, pagename, templatename, context, doctree):
    """A chapter's launch button in an edition other than English opens, in Binder, the chapter's
    notebook in the edition's language, ``<edition's folder><page>.md`` (``zh/book/rnn.md``),
    which Binder's postBuild writes (``tools/binder.py``); the theme's link names the English
    source. Runs after the theme has made its buttons (``add_launch_buttons``, priority 501)."""
    folder = app.config.course_editions[app.config.language or ENGLISH][0]
    source = pagename + Path(app.env.doc2path(pagename)).suffix
    notebook = app.config.course_binder_notebook.format(folder=folder, page=pagename)
    for group in context.get("header_buttons", []):
        if not folder or group.get("label") != "launch-buttons":
            continue
        for button in group["buttons"]:
            if "urlpath=" in button.get("url", "") and button["url"].endswith(f"/{source}"):
                button["url"] = button["url"][: -len(source)] + notebook


def binder_downloads(app, exception):
    """In an edition other than English, a chapter's source file that the download button offers
    (``_sources/<page>.md``, Sphinx's copy of the English source) is the notebook its launch button
    opens: the chapter with its prose translated and its language set (``tools/binder.py``)."""
    language = app.config.language or ENGLISH
    if exception or language == ENGLISH or app.builder.format != "html":
        return
    import binder  # noqa: PLC0415 (tools/, on the path of tools/build.py, which runs this build)

    for chapter in binder.CHAPTERS:
        copy = Path(app.outdir) / "_sources" / chapter.relative_to(binder.ROOT)
        if copy.exists():
            copy.write_text(binder.notebook(language, chapter)[0], encoding="utf-8")


def executed_anew(env, docname):
    """Whether the chapter's outputs in the execution cache are not those the environment read
    (executed since, or never cached), or its executed notebook is missing from the site."""
    read = (
        env.nb_metadata.get(docname, {}).get("exec_data") if hasattr(env, "nb_metadata") else None
    )
    if read is None:
        return False  # not a notebook
    notebook = Path(env.app.outdir).parent / "jupyter_execute" / f"{docname}.ipynb"  # myst-nb's
    cached = get_cache(env.config.nb_execution_cache_path).get_cached_project_nb(
        str(env.doc2path(docname))
    )
    return not notebook.exists() or cached is None or cached.created.timestamp() != read["mtime"]


def stale_pages(app, env, added, changed, removed):
    """The pages to read again though their sources did not change (see the module docstring)."""
    if not Path(app.outdir, ".buildinfo").exists():  # the site's folder was deleted
        return sorted(env.found_docs - added)
    return [d for d in sorted(env.found_docs - added - changed) if executed_anew(env, d)]


def setup(app):
    app.add_config_value("course_editions", DEFAULT_EDITIONS, "env")
    # where binder_link points (tools/binder.py writes there); "html": a change rewrites every page
    app.add_config_value("course_binder_notebook", "{folder}{page}.md", "html")
    app.connect("env-get-outdated", stale_pages)
    app.add_transform(OutputsNotTranslated)
    app.add_transform(ExerciseLevels)
    seo.SITE_MESSAGES["_ext/editions.py"] = LEVELS
    # the levels' words are read into the pages: a change of them, or of their translation in
    # site.po, is a changed "env" setting, and every page is read again
    site_po = Path(app.confdir, "locales", app.config.language or ENGLISH, "LC_MESSAGES", "site.po")
    words = repr(LEVELS).encode() + (site_po.read_bytes() if site_po.exists() else b"")
    app.add_config_value("course_exercise_levels", hashlib.sha256(words).hexdigest(), "env")
    # the same for the comments of the code (code.po): a changed translation reads every page again
    code_po = site_po.with_name("code.po")
    code = code_po.read_bytes() if code_po.exists() else b""
    app.add_config_value("course_code_comments", hashlib.sha256(code).hexdigest(), "env")
    app.add_transform(LateTranslations)
    app.add_js_file(None, body=SWITCH_JS)
    app.connect("html-page-context", switch_link)
    app.connect("html-page-context", binder_link, priority=502)
    app.connect("build-finished", binder_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
