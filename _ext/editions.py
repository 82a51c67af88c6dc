"""The course's two editions (English at the site's root, Chinese under zh/) from one source.

- What gettext translates is the prose: a cell's output (a check table, a figure) is drawn by the
  kernel in every language (below), and display maths is the same in every language but for
  the words in its ``\text{...}`` ("that is", "or"). Outputs and wordless display maths are
  marked untranslatable, so the catalogues hold only prose and a number that changes with a run
  never makes an entry fuzzy.

- The language switch: every page names the same page of the other edition in a
  ``<link rel="alternate" hreflang>``; a small script turns it into a button in the page's header
  that opens the other edition at the section being read (section ids are the English slugs
  in both editions, so one ``#id`` serves both).

- The kernel's text (figure labels, alt text, controls, tables, verdicts): ``backprop.lang.drawn``
  puts every language in one output, the other languages' mime types tagged
  (``text/x-zh-CN.markdown``); each edition's mime priorities put its own first, and a page's
  widget state keeps only the models it shows (the notebook's state holds every language's).
  The kernels draw every language because ``BACKPROP_EDITIONS`` says so: ``_ext/execute.py`` sets
  it, and so does this extension, for a chapter the build would execute itself.

- The sidebar's part captions, which sphinx-external-toc adds too late for Sphinx's translation.
"""

import dataclasses
import json
import os
import re
from pathlib import Path

from docutils import nodes
from myst_nb.core.render import load_mime_renders
from sitetools import EDITIONS
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

from backprop.lang import ENGLISH, bcp47, tagged, untagged


def translating(config):
    """Whether this build translates: an edition other than English (the gettext builder, which
    extracts the English, runs with no language)."""
    return (config.language or ENGLISH) != ENGLISH


def words_of(math):
    """Whether a display formula has words (``\\text{...}``) to translate."""
    return "\\text{" in math.astext()


class OutputsNotTranslated(SphinxTransform):
    """Outputs are not translated; display maths is, for its words, but not by Sphinx's Locale
    transform, which would parse the translation as reST (a MyST page's formula became "::"):
    :class:`LateTranslations` replaces its text."""

    default_priority = 10  # before sphinx.transforms.i18n.Locale (20) and before extraction

    def apply(self, **kwargs):
        for math in self.document.findall(nodes.math_block):
            math["translatable"] = words_of(math) and not translating(self.config)
        for output in self.document.findall(nodes.container):
            if "cell_output" in output["classes"]:
                for node in output.findall(nodes.TextElement):
                    node["translatable"] = False


class LateTranslations(SphinxTransform):
    """What Sphinx's own translation (priority 20) does not reach: the sidebar's part captions,
    which sphinx-external-toc inserts with the toctrees (priority 100), and the words of display
    formulas (see :class:`OutputsNotTranslated`)."""

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
                math.children = [nodes.Text(catalogue.gettext(math.astext()))]


SWITCH_JS = """
document.addEventListener("DOMContentLoaded", function () {
  const other = document.querySelector('link[rel="alternate"][hreflang]');
  const buttons = document.querySelector(".article-header-buttons");
  if (!other || !buttons) { return; }
  const a = document.createElement("a");
  a.className = "btn btn-sm lang-switch";
  a.hreflang = other.hreflang;
  a.lang = other.hreflang;
  a.textContent = other.title;
  a.href = other.href;
  a.addEventListener("click", function () {
    // the section being read: the one at the top of the window, or the link's target if shown
    let id = "";
    document.querySelectorAll("main section[id]").forEach(function (s) {
      if (s.getBoundingClientRect().top < 120) { id = s.id; }
    });
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const top = target ? target.getBoundingClientRect().top : -1;
    if (top >= 0 && top < window.innerHeight / 2) { id = target.id; }
    a.href = other.href + (id ? "#" + id : "");
  });
  buttons.prepend(a);
});
"""


def switch_link(app, pagename, templatename, context, doctree):
    here = app.config.language or ENGLISH
    root = "../" * (pagename.count("/") + EDITIONS[here][0].count("/"))  # to the site's root
    for language, (folder, name) in EDITIONS.items():
        if language != here:
            href = f"{root}{folder}{pagename}.html"
            context["metatags"] = context.get("metatags", "") + (
                f'\n<link rel="alternate" hreflang="{bcp47(language)}" href="{href}" '
                f"title={json.dumps(name, ensure_ascii=False)}>"
            )


#: the mime types the package tags per language, in the order the html builder prefers them
MIMES = [
    "application/vnd.jupyter.widget-view+json",
    "text/html",
    "text/markdown",
    "text/plain",
]


class LanguageVariant:
    """myst-nb renders ``text/x-zh-CN.markdown`` as ``text/markdown`` (and so on); which one a page
    shows is decided by the edition's mime priorities (the English edition's omit the variants)."""

    @staticmethod
    def handle_mime(renderer, data, inline):
        if untagged(data.mime_type) == data.mime_type:
            return None
        data = dataclasses.replace(data, mime_type=untagged(data.mime_type))
        render = renderer.render_mime_type_inline if inline else renderer.render_mime_type
        return render(data)


def editions_priorities(app, config):
    """Every edition's kernels draw every language; this edition's outputs come first."""
    os.environ["BACKPROP_EDITIONS"] = " ".join(EDITIONS)
    language = config.language or ENGLISH
    if language != ENGLISH:
        own = [("html", tagged(mime, language), rank) for rank, mime in enumerate(MIMES)]
        config.nb_mime_priority_overrides = [*config.nb_mime_priority_overrides, *own]


MODEL = re.compile(r'"model_id": "([0-9a-f]{32})"|IPY_MODEL_([0-9a-f]{32})')


def references(text):
    return {a or b for a, b in MODEL.findall(text)}


def reached(models, roots):
    """The models reached from ``roots``, and the links (jslink) between two of them."""
    kept, todo = set(), list(roots)
    while todo:
        model = todo.pop()
        if model in models and model not in kept:
            kept.add(model)
            todo += references(json.dumps(models[model]))
    links = {m for m, s in models.items() if "Link" in s["model_name"]}
    return kept | {m for m in links if references(json.dumps(models[m])) <= kept}


def prune_widget_state(app, pagename, templatename, context, doctree):
    """Keep in the page's widget state only what its widget views show (and their links)."""
    scripts = context.get("script_files", [])
    for i, script in enumerate(scripts):
        if script.attributes.get("type") != "application/vnd.jupyter.widget-state+json":
            continue
        state = json.loads(script.attributes["body"].replace("<\\/script>", "</script>"))
        kept = reached(state["state"], references(context.get("body", "")))
        state["state"] = {m: s for m, s in state["state"].items() if m in kept}
        body = json.dumps(state).replace("</script>", "<\\/script>")
        scripts[i] = type(script)(
            script.filename, priority=script.priority, **{**script.attributes, "body": body}
        )


def setup(app):
    # myst-nb finds mime renderers by entry point, in an installed package; the site's extensions
    # are not one, so the variants' renderer joins myst-nb's (cached) list of loaded renderers
    load_mime_renders().append(LanguageVariant)
    app.connect("config-inited", editions_priorities)
    app.connect("html-page-context", prune_widget_state)
    app.add_transform(OutputsNotTranslated)
    app.add_transform(LateTranslations)
    app.add_js_file(None, body=SWITCH_JS)
    app.connect("html-page-context", switch_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
