"""The interface around the text in the edition's language (issue 24): the theme's buttons,
tooltips and labels, Sphinx's heading links, the search box.

The themes and Sphinx carry their own catalogues, but for Chinese they leave some of their texts
in English ("Color mode", "Link to this heading", "Launch on") and write others in Taiwan's usage
(列印 for "print"). ``locales/<language>/LC_MESSAGES/theme.po`` holds the course's translation of
those texts; this extension puts it in front of the catalogues of both domains the interface uses,
Sphinx's ``sphinx`` (Sphinx and pydata-sphinx-theme) and ``booktheme`` (sphinx-book-theme), so
it wins where it has an entry and the theirs answer the rest.

A few texts are not looked up in any catalogue: the titles of the sidebars' buttons and the
labels of two navigation landmarks are English in the theme's templates, and the search box's
text is a theme option (``course_site.THEME_EDITS`` makes the templates look them up); and
sphinx-togglebutton's script and myst-nb name their buttons "Toggle hidden content" (renamed on
the page by :data:`TOGGLE_JS`).
"""

import gettext
import hashlib
from pathlib import Path

import polib
from sphinx import locale

DOMAINS = ["sphinx", "booktheme"]  #: the catalogues the interface's texts are looked up in
TOGGLE = "Toggle hidden content"  #: sphinx-togglebutton's and myst-nb's name for their buttons

#: on a page whose language names the buttons otherwise: the name of the toggle buttons, set
#: after sphinx-togglebutton's script has made them (both run when the page is parsed)
TOGGLE_JS = """
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll('[aria-label="%s"]').forEach(function (button) {
    button.setAttribute("aria-label", %s);
  });
});
"""


class Catalogue(gettext.NullTranslations):
    """theme.po's translated entries as a gettext catalogue (no .mo to compile)."""

    def __init__(self, path):
        super().__init__()
        self.messages = {e.msgid: e.msgstr for e in polib.pofile(str(path)).translated_entries()}

    def gettext(self, message):
        if message in self.messages:
            return self.messages[message]
        return self._fallback.gettext(message) if self._fallback else message

    def ngettext(self, singular, plural, n):
        return self._fallback.ngettext(singular, plural, n) if self._fallback else singular


def theme_catalogue(app):
    """The edition's theme.po, or None (English; a language without one)."""
    path = Path(app.confdir, "locales", app.config.language or "en", "LC_MESSAGES", "theme.po")
    return path if path.exists() else None


def in_front(app):
    """Put theme.po in front of the interface's catalogues, once the theme has registered its."""
    path = theme_catalogue(app)
    if path is None:
        return
    for domain in DOMAINS:
        ours = Catalogue(path)
        ours.add_fallback(locale.translators[("general", domain)])
        locale.translators[("general", domain)] = ours
    app.translator = locale.translators[("general", "sphinx")]
    app.builder.templates.environment.install_gettext_translations(app.translator)
    name = locale.translators[("general", "sphinx")].gettext(TOGGLE)
    if name != TOGGLE:
        app.add_js_file(None, body=TOGGLE_JS % (TOGGLE, repr(name)))


def setup(app):
    # a changed theme.po is a changed "html" setting: Sphinx writes every page again
    path = theme_catalogue(app)
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path else ""
    app.add_config_value("course_interface_catalogue", digest, "html")
    app.connect("builder-inited", in_front)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
