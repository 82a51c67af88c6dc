"""The chapters as Binder opens them from an edition other than English: each chapter's notebook
in the edition's language, generated from the one source (never committed).

    python tools/binder.py            # every edition but English (what postBuild runs)
    python tools/binder.py zh_CN

writes ``<edition's folder><chapter>.md`` (``zh/book/rnn.md``): the chapter (a MyST notebook)
with a first, hidden cell ``%env BACKPROP_LANGUAGE=zh_CN``, so the kernel draws figures,
controls, tables and verdicts in the language (``backprop.lang``), and its prose from the page's
catalogue, ``locales/<language>/LC_MESSAGES/<chapter>.po``, the comments of its code from
``code.po`` (``tools/comments.py``). Sphinx's msgid of a paragraph, a
heading or a list item is its MyST source with its lines joined by spaces (of display maths, the
text between the ``$$``); a block whose msgid the catalogue translates is replaced by the
msgstr, any other stays English (and is counted; display maths without words is the same in
every language and not counted). The edition's launch buttons open these files
(``_ext/editions.py``, ``binder_link``).

Runs with ``requirements.txt`` alone, as Binder's postBuild runs it: myst-parser (myst-nb's),
polib and PyYAML (jupytext's).
"""

import sys
from pathlib import Path

import comments
import polib
import yaml
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from sitetools import CHAPTERS, EDITIONS, ROOT

#: MyST's parser with the book's extensions (``_config.yml``): they decide what is a block
PARSER = create_md_parser(
    MdParserConfig(
        enable_extensions=set(
            yaml.safe_load((ROOT / "_config.yml").read_text())["parse"]["myst_enable_extensions"]
        )
    ),
    renderer=RendererHTML,
)
#: directives whose body is prose (the rest, such as code-cell, are left as they are)
PROSE_DIRECTIVES = {
    "note",
    "admonition",
    "tip",
    "warning",
    "important",
    "hint",
    "seealso",
    "selfcheck",
}
#: the first cell of an edition's notebook: input and output collapsed in JupyterLab
FIRST_CELL = """```{{code-cell}} ipython3
---
jupyter:
  source_hidden: true
  outputs_hidden: true
tags: [remove-cell]
---
%env BACKPROP_LANGUAGE={language}
```
"""


def notebook_path(language, chapter):
    """Where the edition's notebook of ``chapter`` (a path under the book) is written."""
    return ROOT / EDITIONS[language][0] / Path(chapter).resolve().relative_to(ROOT)


def catalogue(language, chapter):
    """msgid -> msgstr of the chapter's page catalogue: translated entries, none fuzzy."""
    page = Path(chapter).resolve().relative_to(ROOT).with_suffix(".po")
    path = ROOT / "locales" / language / "LC_MESSAGES" / page
    entries = polib.pofile(str(path)) if path.exists() else []
    return {e.msgid: e.msgstr for e in entries if e.translated() and not e.obsolete}


def translated_block(token, lines, translations):
    """The lines of ``token``'s block in the language of ``translations`` (msgid -> msgstr), or
    None if its msgid is not there: an inline token (a paragraph's, a heading's, a list item's)
    keeps its first line's marker (``## ``, ``- ``); display maths keeps its ``$$``."""
    first, last = token.map
    if token.type == "inline":
        msgstr = translations.get(token.content.replace("\n", " ").strip())
        if not msgstr:
            return None
        marker = lines[first][: lines[first].index(token.content.split("\n")[0])]
        return (marker + msgstr.replace("\n", "\n" + " " * len(marker))).split("\n")
    block = "\n".join(lines[first:last])
    msgstr = translations.get(token.content)
    return block.replace(token.content, msgstr, 1).split("\n") if msgstr else None


def translated_cell(token, lines, translations, cursor):
    """Translate a table cell where it stands in its row's line (a row holds several cells, so it
    is edited in place, from the end of the row's previous cell: ``cursor``, {line: column});
    True if its msgid is in ``translations``."""
    row = token.map[0]
    start = lines[row].index(token.content, cursor.get(row, 0))
    msgstr = translations.get(token.content.strip())
    new = msgstr or token.content
    lines[row] = lines[row][:start] + new + lines[row][start + len(token.content) :]
    cursor[row] = start + len(new)
    return bool(msgstr)


def translated_directive(token, lines, translations, counts):
    """The lines of a prose directive (a note, an admonition and its title) translated."""
    first, last = token.map
    name, _, title = token.info.partition(" ")
    head = lines[first]
    if title.strip() in translations:
        head = head.replace(title.strip(), translations[title.strip()], 1)
    counts[title.strip() in translations] += bool(title.strip())
    body = lines[first + 1 : last - 1]
    options = next((i for i, line in enumerate(body) if not line.startswith(":")), len(body))
    rest = translated_lines(body[options:], translations, counts)
    return [head, *body[:options], *rest, *lines[last - 1 : last]]


def translated_lines(lines, translations, counts):
    """MyST ``lines`` with each block whose msgid ``translations`` holds replaced by its msgstr;
    ``counts[True]``, ``counts[False]``: the blocks translated, the blocks left English."""
    edits, previous, cursor = [], None, {}
    for token in PARSER.parse("\n".join(lines)):
        opener, previous = previous, token.type
        if token.map is None:
            continue
        if token.type == "inline" and opener in ("th_open", "td_open"):  # a table's cell: in place
            counts[translated_cell(token, lines, translations, cursor)] += 1
            continue
        if token.type in ("inline", "math_block", "math_block_label", "amsmath"):
            new = translated_block(token, lines, translations)
            counts[new is not None] += token.type == "inline" or "\\text" in token.content
        elif token.type in ("fence", "colon_fence") and token.info.strip("{").split("}")[0] in (
            PROSE_DIRECTIVES
        ):
            new = translated_directive(token, lines, translations, counts)
        else:
            continue
        edits.append((*token.map, new))
    for first, last, new in sorted(edits, reverse=True):
        if new is not None:
            lines[first:last] = new
    return lines


def translated_code(lines, translations):
    """MyST ``lines`` with the comments of every code cell in the language of ``translations``
    (msgid -> msgstr of code.po); a cell's options (a ``---`` YAML block, ``:key:`` lines) are
    not its code."""
    cells = [t for t in PARSER.parse("\n".join(lines)) if t.info.startswith("{code-cell}")]
    for cell in reversed(cells):  # a cell's comments may change its length: the last cell first
        start, end = cell.map[0] + 1, cell.map[1] - 1  # between the fences
        if lines[start] == "---":
            start = lines.index("---", start + 1) + 1
        while lines[start].startswith(":"):
            start += 1
        code = comments.translated("\n".join(lines[start:end]), translations)
        lines[start:end] = code.split("\n")
    return lines


def notebook(language, chapter):
    """The edition's notebook of ``chapter`` (its text) and ``{True: translated, False: left
    English}`` counts of its prose blocks."""
    text = Path(chapter).read_text(encoding="utf-8")
    end = text.index("\n---\n", 4) + len("\n---\n")  # the jupytext front matter
    counts = {True: 0, False: 0}
    body = translated_lines(text[end:].split("\n"), catalogue(language, chapter), counts)
    body = translated_code(body, comments.catalogue(language))
    first = FIRST_CELL.format(language=language)
    return text[:end] + "\n" + first + "\n".join(body), counts


def main(languages):
    """Write every chapter's notebook of each of ``languages``; print how much prose each has."""
    for language in languages:
        for chapter in CHAPTERS:
            text, counts = notebook(language, chapter)
            path = notebook_path(language, chapter)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(
                f"{path.relative_to(ROOT)}: {counts[True]} blocks translated, "
                f"{counts[False]} left English"
            )


if __name__ == "__main__":
    main(sys.argv[1:] or [language for language in EDITIONS if language != "en"])
