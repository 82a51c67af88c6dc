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
  (``ThemeTemplates``), not out of a copy of the template.

- The primary sidebar holds the book's title (a link to its first page) outside any landmark,
  where a screen reader's list of landmarks does not reach it (axe-core's rule "region"): the
  sidebar is made a navigation landmark, named like the header's button that opens it ("Site
  navigation", translated by the theme), by the same edit of the theme's templates as they load.

- A display formula wider than the room beside its number scrolls sideways inside the theme's
  ``div.math mjx-container`` (on a phone, many do); a keyboard scrolls only what can take the
  focus (axe-core's rule "scrollable-region-focusable"). As the theme does for code and tables,
  a small script makes each formula that overflows now a Tab stop, and no other
  (``SCROLLABLE_MATH_JS``).

- Sphinx 7.4 copies the static files (``html_static_path``: the site's CSS, the widget manager)
  only when it writes a page (sphinx-doc/sphinx#1810, fixed in Sphinx 8.2): a change to
  ``assets/course.css`` alone never reached the site. When a static file is newer than the
  site's last build, the root page is written again, and the static files are copied with it.
"""

import hashlib
import re
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.jinja2glue import BuiltinTemplateLoader
from typeset import drop_mathjax_scripts, typeset_site

#: the edits of the theme's templates (see the module's docstring): template -> (what, pattern,
#: replacement); each pattern is found exactly once, else the theme changed it: look again
THEME_EDITS = {
    # the template that writes the theme's <script> tags, with the digest of its assets
    "static/webpack-macros.html": (
        "Font Awesome <script> tag",
        re.compile(r"[ \t]*<script\b[^>]*\bfontawesome\.js\b[^>]*>\s*</script>\n?"),
        "",
    ),
    "pydata_sphinx_theme/layout.html": (
        "primary sidebar",
        re.compile(r'<div id="pst-primary-sidebar" '),
        '<div id="pst-primary-sidebar" role="navigation" '
        "aria-label=\"{{ _('Site navigation') }}\" ",
    ),
}


class ThemeTemplates(BuiltinTemplateLoader):
    """Sphinx's template loader, reading the theme's templates with THEME_EDITS made."""

    def get_source(self, environment, template):
        source, filename, uptodate = super().get_source(environment, template)
        if template.lstrip("!") in THEME_EDITS:
            what, pattern, replacement = THEME_EDITS[template.lstrip("!")]
            source, found = pattern.subn(replacement, source)
            if found != 1:
                raise ExtensionError(f"{found} {what}s in {filename}, not 1")
        return source, filename, uptodate


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


SCROLLABLE_MATH_JS = """
document.addEventListener("DOMContentLoaded", function () {
  const formulas = document.querySelectorAll("div.math mjx-container");
  function focusable() {
    formulas.forEach(function (formula) {
      if (formula.scrollWidth > formula.clientWidth) {
        formula.tabIndex = 0;
      } else {
        formula.removeAttribute("tabindex");
      }
    });
  }
  focusable();
  window.addEventListener("load", focusable);  // the formulas' fonts loaded: their widths
  window.addEventListener("resize", focusable);
});
"""


#: a digest of what this extension edits in every page: Sphinx rewrites only the pages it finds
#: outdated and does not read an extension's code, but a changed "html" setting rewrites them all
PAGE_EDITS = hashlib.sha256(repr((THEME_EDITS, SCROLLABLE_MATH_JS)).encode()).hexdigest()


def setup(app):
    app.add_config_value("course_site_page_edits", PAGE_EDITS, "html")
    app.add_js_file(None, body=SCROLLABLE_MATH_JS)
    app.connect("config-inited", use_theme_templates)
    app.connect("env-get-outdated", statics_changed)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.connect("html-page-context", drop_mathjax_scripts, priority=901)
    app.connect("build-finished", typeset_site)
    app.connect("autodoc-process-docstring", docstring_as_written)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
