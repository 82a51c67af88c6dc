"""The comments of the code the chapters show, in the edition's language, from one source.

The code a page shows (:func:`shown_code`: its code cells, and the package's functions it
includes with ``literalinclude``) is written once, in English. ``make catalogues`` gathers its
comments and docstrings into ``locales/<language>/LC_MESSAGES/code.po`` (``tools/catalogues.py``):
the msgid of an inline comment is its text after ``#``; a block of full-line comments at one
indent is one msgid, its lines joined by spaces, as a paragraph's is; a docstring's msgid is its
text without its indent, line breaks kept. An edition other than English puts each translation
back where the English stood: in the code its pages show (``_ext/editions.py``) and in its Binder
notebooks (``tools/binder.py``). An inline comment is replaced in place; a block is wrapped again
to the width of the English lines, a wide (CJK) character counting two columns; a docstring keeps
the translator's lines, indented as the English.

Pure Python (``tokenize``, ``polib``, docutils' nodes): Binder runs it with ``requirements.txt``.
"""

import inspect
import io
import re
import tokenize
import unicodedata
from pathlib import Path
from typing import NamedTuple

import polib
from docutils import nodes

LOCALES = Path(__file__).resolve().parents[1] / "locales"
#: the template ``make catalogues`` writes, and the catalogue it merges into, per language
DOMAIN = "code"
#: a wrapped line never starts with these: they close what comes before them
CLOSING = set("，。、；：！？）》」』,.;:!?)]}")
#: what a line breaks between: a run of non-space ASCII (a word, a formula: kept whole), a run
#: of spaces, any other single character (a CJK character: a line may break after any)
PIECES = re.compile(r"[!-~]+|\s+|.")
#: a docstring's opening: its prefix and its quotes
QUOTES = re.compile(r"[rRuU]?(\"\"\"|''')")


class Comment(NamedTuple):
    """A comment or docstring of a source: its rows (from 0), its column, its text, and its kind:
    ``"inline"`` (it ends a line of code), ``"block"`` (lines of their own) or ``"docstring"``."""

    first: int
    last: int
    column: int
    text: str
    kind: str


def comments(source):
    """The comments and docstrings of Python ``source`` (a cell's, magics and all), in order."""
    found, previous = [], None
    for token in tokenize.generate_tokens(io.StringIO(source + "\n").readline):
        row, column = token.start[0] - 1, token.start[1]
        if token.type == tokenize.STRING and previous == tokenize.INDENT:
            opening = QUOTES.match(token.string)
            if opening:
                text = inspect.cleandoc(token.string[opening.end() : -3])
                found.append(Comment(row, token.end[0] - 1, column, text, "docstring"))
        previous = token.type
        if token.type != tokenize.COMMENT or not token.string.strip("# "):
            continue
        text = token.string[1:].strip()
        kind = "inline" if token.line[:column].strip() else "block"
        last = found[-1] if found else Comment(-2, -2, -1, "", "")
        if kind == last.kind == "block" and (last.last + 1, last.column) == (row, column):
            found[-1] = last._replace(last=row, text=f"{last.text} {text}")
        else:
            found.append(Comment(row, row, column, text, kind))
    return found


def width(text):
    """The columns ``text`` takes in a monospace font: a wide (CJK) character takes two."""
    return sum(1 + (unicodedata.east_asian_width(c) in "WF") for c in text)


def wrap(text, columns):
    """``text`` in lines of at most ``columns`` (a word or formula longer than that, or a
    closing mark that would start a line, overflows)."""
    lines = [""]
    for piece in PIECES.findall(text):
        fits = width(lines[-1] + piece.rstrip()) <= columns or piece[0] in CLOSING
        if fits or not lines[-1].strip():
            lines[-1] += piece
        elif piece.strip():
            lines.append(piece)
    return [line.rstrip() for line in lines]


def docstring(lines, comment, msgstr):
    """The lines of ``comment``, a docstring, holding ``msgstr``: its lines indented as the
    English's, its quotes where the English had them (the closing ones on a line of their own
    if they were)."""
    first, last, indent = comment.first, comment.last, " " * comment.column
    opening = QUOTES.match(lines[first][comment.column :])[0]
    end = lines[last].rindex(opening[-3:]) + 3
    own_line = last > first and not lines[last][: end - 3].strip()
    body = "\n".join(indent + line if line else "" for line in msgstr.split("\n"))[len(indent) :]
    closing = ("\n" + indent if own_line else "") + opening[-3:]
    return (lines[first][: comment.column] + opening + body + closing + lines[last][end:]).split(
        "\n"
    )


def translated(source, translations):
    """``source`` with each comment and docstring whose msgid ``translations`` (msgid -> msgstr)
    holds in its translation; any other stays as it is."""
    lines = source.split("\n")
    for comment in reversed(comments(source)):
        msgstr = translations.get(comment.text)
        if not msgstr:
            continue
        first, last, column = comment.first, comment.last + 1, comment.column
        if comment.kind == "docstring":
            lines[first:last] = docstring(lines, comment, msgstr)
        elif comment.kind == "block":
            columns = max(width(line) for line in lines[first:last]) - column - 2
            lines[first:last] = [" " * column + "# " + line for line in wrap(msgstr, columns)]
        else:
            lines[first] = lines[first][:column] + "# " + msgstr
    return "\n".join(lines)


def included(doctree):
    """The literal blocks of a page's doctree that show the package's source (``literalinclude``
    of a ``.py`` file)."""
    return [b for b in doctree.findall(nodes.literal_block) if b.get("source", "")[-3:] == ".py"]


def shown_code(doctree):
    """The literal blocks of a page's doctree that show Python code: its code cells' inputs and
    the package's source it includes."""
    cells = [c for c in doctree.findall(nodes.container) if "cell_input" in c["classes"]]
    return [block for cell in cells for block in cell.findall(nodes.literal_block)] + included(
        doctree
    )


def catalogue(language):
    """msgid -> msgstr of ``language``'s code.po: its translated entries, none fuzzy."""
    path = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    entries = polib.pofile(str(path)) if path.exists() else []
    return {e.msgid: e.msgstr for e in entries if e.translated() and not e.obsolete}


def template(cells):
    """The template of every comment of ``cells`` ([(where, source)], ``where`` a page's source
    file and the cell's index): a ``polib.POFile``, each msgid once with every place it stands."""
    pot = polib.POFile()
    pot.metadata = {"Content-Type": "text/plain; charset=utf-8"}
    entries = {}
    for (page, index), source in cells:
        for comment in comments(source):
            entry = entries.setdefault(comment.text, polib.POEntry(msgid=comment.text, msgstr=""))
            if (page, str(index)) not in entry.occurrences:
                entry.occurrences.append((page, str(index)))
    pot.extend(entries.values())  # in the order a reader meets them
    return pot
