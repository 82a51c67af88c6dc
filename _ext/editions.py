"""The course's two editions (English at the site's root, Chinese under zh/) from one source.

- What gettext translates is the prose: a cell's output (a check table, a glued figure) is text
  the kernel rendered, the same in both catalogues' builds, and display maths is the same in
  every language. Both are marked untranslatable, so the catalogues hold only prose and a
  number that changes with a run never makes an entry fuzzy.

- The language switch: every page names the same page of the other edition in a
  ``<link rel="alternate" hreflang>``; a small script turns it into a button in the page's header
  that opens the other edition at the section being read (section ids are the English slugs
  in both editions, so one ``#id`` serves both).

- The sidebar's part captions, which sphinx-external-toc adds too late for Sphinx's translation.
"""

import json
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.transforms import SphinxTransform
from sphinx.util.i18n import docname_to_domain

# language: (folder under the site's root, name of the language in itself, BCP 47 tag)
EDITIONS = {"en": ("", "English", "en"), "zh_CN": ("zh/", "中文", "zh-CN")}


class OutputsNotTranslated(SphinxTransform):
    default_priority = 10  # before sphinx.transforms.i18n.Locale (20) and before extraction

    def apply(self, **kwargs):
        for math in self.document.findall(nodes.math_block):
            math["translatable"] = False
        for output in self.document.findall(nodes.container):
            if "cell_output" in output["classes"]:
                for node in output.findall(nodes.TextElement):
                    node["translatable"] = False


class TocCaptionsTranslated(SphinxTransform):
    """sphinx-external-toc inserts the toctrees (priority 100) after Sphinx has translated the
    page (20): their captions reach the catalogue of the root page but not the sidebar."""

    default_priority = 101

    def apply(self, **kwargs):
        if not self.config.language or self.config.language == "en":
            return
        dirs = [str(Path(self.env.srcdir, d)) for d in self.config.locale_dirs]
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalogue, _ = init_locale(dirs, self.config.language, domain)
        for toctree in self.document.findall(addnodes.toctree):
            if toctree.get("caption"):
                toctree["caption"] = catalogue.gettext(toctree["caption"])


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
  a.addEventListener("click", function () {  // the section at the top of the window
    let id = "";
    document.querySelectorAll("main section[id]").forEach(function (s) {
      if (s.getBoundingClientRect().top < 120) { id = s.id; }
    });
    a.href = other.href + (id ? "#" + id : location.hash);
  });
  buttons.prepend(a);
});
"""


def switch_link(app, pagename, templatename, context, doctree):
    here = app.config.language or "en"
    folder, _, _ = EDITIONS[here]
    root = "../" * (pagename.count("/") + folder.count("/"))  # relative path to the site's root
    for language, (other_folder, name, tag) in EDITIONS.items():
        if language != here:
            href = f"{root}{other_folder}{pagename}.html"
            context["metatags"] = context.get("metatags", "") + (
                f'\n<link rel="alternate" hreflang="{tag}" href="{href}" '
                f"title={json.dumps(name, ensure_ascii=False)}>"
            )


def setup(app):
    app.add_transform(OutputsNotTranslated)
    app.add_transform(TocCaptionsTranslated)
    app.add_js_file(None, body=SWITCH_JS)
    app.connect("html-page-context", switch_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
