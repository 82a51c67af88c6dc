"""Merge the English of the book into every other edition's catalogues, for its translators
(`make catalogues`, after `make book`):

- the prose: Sphinx's gettext builder extracts every page (``_build/gettext/book/<page>.pot``);
- the figures' texts, controls and tables: the messages the chapters' outputs looked up when the
  edition executed them (each output records them, ``backprop.lang.Recorded``), gathered from its
  execution cache into ``_build/gettext/figures.pot``;

then sphinx-intl merges both into ``locales/<language>/LC_MESSAGES/``: a changed paragraph keeps
its old translation, marked fuzzy, until a translator updates it; the tests fail on a fuzzy or
untranslated entry.
"""

import pickle
import sys

import comments
import polib
from build import folder, overrides
from jupyter_book.sphinx import build_sphinx
from jupyter_cache import get_cache
from sitetools import BUILD, CHAPTERS, EDITIONS, ROOT
from sphinx_intl.basic import update

from backprop.lang import ENGLISH, METADATA

GETTEXT = BUILD / "gettext"


def output_messages(notebook, language):
    """{msgid: [cell indices]} of the messages the notebook's outputs looked up in ``language``."""
    found = {}
    for index, cell in enumerate(notebook.get("cells", [])):
        for output in cell.get("outputs", []):
            for msgid in output.get("metadata", {}).get(METADATA, {}).get(language, {}):
                found.setdefault(msgid, []).append(index)
    return found


def executed_notebooks(language):
    """{chapter's docname: its executed notebook} from the edition's execution cache."""
    cache = get_cache(folder(language) / "jupyter_cache")
    notebooks = {}
    for path in CHAPTERS:
        record = cache.get_cached_project_nb(str(path))
        if record is None:
            raise RuntimeError(f"{path.name} is not in the {language} cache: run `make book` first")
        docname = path.relative_to(ROOT).with_suffix("").as_posix()
        notebooks[docname] = cache.get_cache_bundle(record.pk).nb
    return notebooks


def figures_template(languages):
    """_build/gettext/figures.pot: every message the chapters' outputs looked up, with where."""
    pot = polib.POFile()
    pot.metadata = {"Content-Type": "text/plain; charset=utf-8"}
    entries = {}
    for language in languages:
        for docname, notebook in executed_notebooks(language).items():
            for msgid, cells in output_messages(notebook, language).items():
                entry = entries.setdefault(msgid, polib.POEntry(msgid=msgid, msgstr=""))
                found = [(f"{docname}.md", str(cell)) for cell in sorted(set(cells))]
                entry.occurrences += [o for o in found if o not in entry.occurrences]
    for msgid in sorted(entries):
        pot.append(entries[msgid])
    pot.save(GETTEXT / "figures.pot")


def code_template(language, doctrees):
    """_build/gettext/code.pot: the comments and docstrings of every chapter's code cells (the
    edition's notebooks show them all) and of the package's source its pages include, as the
    gettext build read it (its doctrees, in ``doctrees``)."""
    code = []
    for docname, notebook in executed_notebooks(language).items():
        cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        doctree = pickle.loads((doctrees / f"{docname}.doctree").read_bytes())
        shown = cells + [block.astext() for block in comments.included(doctree)]
        code += [((f"{docname}.md", index), source) for index, source in enumerate(shown)]
    comments.template(code).save(GETTEXT / f"{comments.DOMAIN}.pot")


def main():
    """The templates extracted, then merged into every other language's catalogues."""
    status = build_sphinx(
        ROOT,
        GETTEXT,
        noconfig=True,
        path_config=ROOT / "_config.yml",
        confoverrides=overrides(ENGLISH),
        doctreedir=BUILD / "gettext-doctrees",
        builder="gettext",
        keep_going=True,
    )
    if status:
        return status
    others = [language for language in EDITIONS if language != ENGLISH]
    figures_template(others)
    code_template(others[0], BUILD / "gettext-doctrees")
    update(ROOT / "locales", GETTEXT, others, ignore_obsolete=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
