"""A Sphinx extension of the course's site: fixes to the Jupyter Book 1 stack, each explained.

- The package's docstrings are plain text with ASCII maths (|w|, a * b, x^T), as a reader sees
  them in help() and in the chapters' code; reST would read |w| as a substitution and *x* as
  emphasis. The API reference shows each docstring as it is written, in a literal block.

- sphinx-thebe registers its inline configuration script on every ``env-before-read-docs``,
  which Jupyter Book 1.0.4 fires twice, so every page declared ``const THEBE_JS_URL`` twice
  ("Identifier 'THEBE_JS_URL' has already been declared" in the console). Each page's scripts are
  de-duplicated here, keeping the first of any identical registrations.

- The math is typeset when the site is built (``typeset.py``): the pages load no MathJax script.

- pydata-sphinx-theme 0.17 loads Font Awesome as a 1.5 MB script that swaps every <i> icon for an
  <svg> (ipywidgets' Play buttons stop working); it has no option to leave it out (upstream issues
  pydata/pydata-sphinx-theme#2115 and #2379). The site serves subsets of the icon fonts instead
  (``icons.py``), so the script's tag is taken out of the theme's macros as Sphinx loads them
  (``ThemeTemplates``), not out of a copy of the template. The same way, the search's scripts
  load only on the search page (``THEME_EDITS``).

- Sphinx 7.4's Chinese search (``sphinx.search.zh``) keeps every Latin word of the site in a list
  and looks up each word it indexes in that list: indexing grows with the square of the site's
  size (2.8 s of the Chinese edition's build). Sphinx 8.1 made it a set (sphinx-doc/sphinx#12995);
  Jupyter Book 1 needs Sphinx 7, so ``SearchChinese`` here does the same.

- The primary sidebar holds the book's title (a link to its first page) outside any landmark,
  where a screen reader's list of landmarks does not reach it (axe-core's rule "region"): the
  sidebar is made a navigation landmark, named like the header's button that opens it ("Site
  navigation", translated by the theme), by the same edit of the theme's templates as they load.

- A display formula wider than the room beside its number scrolls sideways inside the theme's
  ``div.formula`` (``typeset.py``; on a phone, many do); a keyboard scrolls only what can take the
  focus (axe-core's rule "scrollable-region-focusable"). As the theme does for code and tables,
  a small script makes each formula that overflows now a Tab stop, and no other
  (``SCROLLABLE_MATH_JS``); it reads a formula's size when the browser has laid it out (a
  ``ResizeObserver``), never forcing a layout of the page.

- The theme's first script left the colour scheme "auto" for its later script to resolve: a
  chapter's 17k elements were styled twice before the reader could scroll (Lighthouse's blocking
  time). The same edit of the theme's layout resolves it at once (``THEME_EDITS``).

- Sphinx 7.4 copies the static files (``html_static_path``: the site's CSS, the widget manager)
  only when it writes a page (sphinx-doc/sphinx#1810, fixed in Sphinx 8.2): a change to
  ``assets/course.css`` alone never reached the site. When a static file is newer than the
  site's last build, the root page is written again, and the static files are copied with it.

- The package's comments name the equations they compute, (BP1) to (BP4), (RNN-H), (CONV-FP)...
  A page shows those equations under the same names, not under numbers (``EQUATION_NAMES``):
  after Sphinx numbers the equations of the book (one sequence over the pages, the toctree being
  unnumbered), each named one takes its name and the others are numbered again in order, so a
  reference ``{eq}`bp2``` reads "(BP2)" on every page, like the code.
"""

import hashlib
import os
import re
from pathlib import Path

from sphinx.environment.collectors.toctree import TocTreeCollector
from sphinx.errors import ExtensionError
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.search import zh
from typeset import NODE_SCRIPT, drop_mathjax_scripts, typeset_site

#: what the theme's templates are read with, as Sphinx loads them: the end of a template's path
#: -> [(what, pattern, replacement), ...]; each pattern is found exactly once, else the theme
#: changed it: look again. The theme's macros write its <script> tags: without the Font Awesome
#: script. Its layout loads the search's scripts and index (searchtools.js, language_data.js,
#: searchindex.js: 120 KB, undeferred) on every page for a search as you type, an option that is
#: off: they load where they are used, on the search page. Its primary sidebar becomes a
#: navigation landmark. And the texts it writes in English (the sidebars' buttons, two landmarks'
#: names, the search box's text) are looked up in the edition's catalogues (_ext/interface.py).
THEME_EDITS = {
    "static/webpack-macros.html": [
        (
            "Font Awesome <script> tag",
            re.compile(r"[ \t]*<script\b[^>]*\bfontawesome\.js\b[^>]*>\s*</script>\n?"),
            "",
        ),
    ],
    "pydata_sphinx_theme/layout.html": [
        (
            # the head's script left the scheme "auto" for the theme's script to resolve once the
            # page is parsed: the whole page (17k elements on a chapter) was styled twice
            "colour scheme",
            re.compile(
                re.escape(
                    'document.documentElement.dataset.theme = localStorage.getItem("theme") || '
                    '"{{ default_mode }}";'
                )
            ),
            "document.documentElement.dataset.theme = (function (mode) {"
            ' return mode !== "auto" ? mode :'
            ' matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";'
            " })(document.documentElement.dataset.mode);",
        ),
        (
            "search page test",
            re.compile(re.escape("{% if pagename == 'search' %}")),
            # the option is a string ("False") unless set: pydata-sphinx-theme reads it so too
            "{% if pagename == 'search' or (theme_search_as_you_type|string|lower) != 'true' %}",
        ),
        (
            "primary sidebar",
            re.compile(r'<div id="pst-primary-sidebar" '),
            '<div id="pst-primary-sidebar" role="navigation" '
            "aria-label=\"{{ _('Site navigation') }}\" ",
        ),
    ],
    "sphinx_book_theme/components/toggle-primary-sidebar.html": [
        (
            "sidebar button title",
            re.compile(r'title="Toggle primary sidebar"'),
            "title=\"{{ _('Toggle primary sidebar') }}\"",
        ),
    ],
    "sphinx_book_theme/components/toggle-secondary-sidebar.html": [
        (
            "sidebar button title",
            re.compile(r'title="Toggle secondary sidebar"'),
            "title=\"{{ _('Toggle secondary sidebar') }}\"",
        ),
    ],
    "sphinx_book_theme/components/sbt-sidebar-nav.html": [
        ("navigation label", re.compile(r'aria-label="Main"'), "aria-label=\"{{ _('Main') }}\""),
    ],
    "sphinx_book_theme/layout.html": [
        (
            "page navigation label",
            re.compile(r'<nav aria-label="Page">'),
            "<nav aria-label=\"{{ _('Page') }}\">",
        ),
    ],
    "pydata_sphinx_theme/components/search-field.html": [
        (
            "search box placeholder",
            re.compile(r'placeholder="\{\{ theme_search_bar_text \}\}"'),
            'placeholder="{{ _(theme_search_bar_text) }}"',
        ),
        (
            "search box label",
            re.compile(r'aria-label="\{\{ theme_search_bar_text \}\}"'),
            'aria-label="{{ _(theme_search_bar_text) }}"',
        ),
    ],
}


class ThemeTemplates(BuiltinTemplateLoader):
    """Sphinx's template loader, reading the theme's templates with :data:`THEME_EDITS` made."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        path = Path(os.path.normpath(filename)).as_posix()  # an include may name ../components/
        edits = [edit for end, edits in THEME_EDITS.items() if path.endswith(end) for edit in edits]
        for what, pattern, replacement in edits:
            source, found = pattern.subn(replacement, source)
            if found != 1:  # the theme changed that part of the template: look again
                raise ExtensionError(f"{found} {what}s in {filename}, not 1")
        return source, filename, uptodate


class LatinTerms(set):
    """The Latin words the Chinese search has seen, as a set, with the list method it calls."""

    extend = set.update


class SearchChinese(zh.SearchChinese):
    """Sphinx's Chinese search with its Latin words in a set (see above)."""

    def init(self, options):
        super().init(options)
        self.latin_terms = LatinTerms()  # the class's own is a list, shared by every instance


def use_theme_templates(app, config):
    """Every page rendered by ``ThemeTemplates`` (Sphinx's ``template_bridge`` setting)."""
    if config.template_bridge:
        raise ExtensionError(f"course_site sets template_bridge, not {config.template_bridge}")
    config.template_bridge = f"{__name__}.{ThemeTemplates.__name__}"


def dedupe_scripts(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        # an inline script is registered with filename None or "" depending on the path it took
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def docstring_as_written(app, what, name, obj, options, lines):
    if any(line.strip() for line in lines):
        lines[:] = ["::", ""] + ["    " + line for line in lines] + [""]


def statics_changed(app, env, added, changed, removed):
    """The root page, when a static file changed since the site was last built (see above)."""
    built = Path(app.outdir, ".buildinfo")
    if not built.exists():  # a first build writes every page
        return []
    since = built.stat().st_mtime
    folders = [Path(app.confdir, folder) for folder in app.config.html_static_path]
    newer = any(f.stat().st_mtime > since for d in folders for f in d.rglob("*") if f.is_file())
    return [app.config.root_doc] if newer else []


#: an equation's label -> the name the package's comments give it, shown as its tag
EQUATION_NAMES = {
    "fp1": "FP1",
    "fp2": "FP2",
    "bp1": "BP1",
    "bp2": "BP2",
    "bp3": "BP3",
    "bp4": "BP4",
    "gd-step": "GD",
    "conv-fp": "CONV-FP",
    "conv-bp-a": "CONV-BP-a",
    "conv-bp-w": "CONV-BP-W",
    "conv-bp-b": "CONV-BP-b",
    "pool-fp": "POOL-FP",
    "pool-bp": "POOL-BP",
    "pool-delta": "POOL-DELTA",
    "rnn-h": "RNN-H",
    "rnn-o": "RNN-O",
    "rnn-yhat": "RNN-YHAT",
    "rnn-loss": "RNN-LOSS",
}
# Sphinx's own, even if this module is imported again after the patch below (its ``original``)
_assign_figure_numbers = getattr(
    TocTreeCollector.assign_figure_numbers, "original", TocTreeCollector.assign_figure_numbers
)


def named_equations(collector, env):
    """Sphinx's figure numbers, then each equation of EQUATION_NAMES under its name and the other
    equations numbered 1, 2, ... in the book's order; the pages whose numbers changed."""
    old = env.toc_fignumbers
    _assign_figure_numbers(collector, env)
    count = 0
    for numbers in env.toc_fignumbers.values():
        equations = numbers.get("displaymath", {})
        for node_id in equations:
            name = EQUATION_NAMES.get(node_id.removeprefix("equation-"))
            if name is None:
                count += 1
            equations[node_id] = (name,) if name else (count,)
    return [doc for doc, numbers in env.toc_fignumbers.items() if numbers != old.get(doc)]


named_equations.original = _assign_figure_numbers


SCROLLABLE_MATH_JS = """
document.addEventListener("DOMContentLoaded", function () {
  // sizes read as the browser lays the formulas out (their fonts, a resize), never forcing a layout
  const observer = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      const formula = entry.target.closest("div.formula");
      if (formula.scrollWidth > formula.clientWidth) {
        formula.tabIndex = 0;
      } else {
        formula.removeAttribute("tabindex");
      }
    });
  });
  document.querySelectorAll("div.math > div.formula").forEach(function (formula) {
    observer.observe(formula);
    if (formula.firstElementChild) { observer.observe(formula.firstElementChild); }  // its math
  });
});
"""


#: a digest of what this extension edits in every page, its code and the typesetting's: Sphinx
#: rewrites only the pages it finds outdated and does not read an extension's code, but a changed
#: "html" setting rewrites them all
PAGE_SOURCES = (__file__, Path(__file__).with_name("typeset.py"), NODE_SCRIPT)
PAGE_EDITS = hashlib.sha256(b"".join(Path(f).read_bytes() for f in PAGE_SOURCES)).hexdigest()


def setup(app):
    app.add_config_value("course_site_page_edits", PAGE_EDITS, "html")
    app.add_js_file(None, body=SCROLLABLE_MATH_JS)
    app.add_search_language(SearchChinese)
    TocTreeCollector.assign_figure_numbers = named_equations
    app.connect("config-inited", use_theme_templates)
    app.connect("env-get-outdated", statics_changed)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", drop_mathjax_scripts, priority=901)
    app.connect("build-finished", typeset_site)
    app.connect("autodoc-process-docstring", docstring_as_written)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
