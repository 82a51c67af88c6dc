"""The comments of the code cells, put into another language (tools/comments.py): only comments
change, a block is wrapped again to its English width, and code.po translates every comment the
chapters hold (test_catalogues.py checks it is complete, none fuzzy)."""

import io
import re
import tokenize

import comments
import jupytext
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sitetools import CHAPTERS

CJK = re.compile("[\u4e00-\u9fff]")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
CELLS = [
    cell.source
    for chapter in CHAPTERS
    for cell in jupytext.read(chapter).cells
    if cell.cell_type == "code"
]
SOURCE = '''x = "# not a comment"  # the first inline one
# a block of two lines
# at one indent
if x:
    # another block, indented

    # and a second one after a blank line
    y = 1  # the last inline one


def f(x):
    """A docstring: its first line,

    and a second paragraph.
    """
    return x  # f's comment
'''


def code_tokens(source):
    """The tokens of ``source`` that are code, what a translation must leave as it was: not its
    comments, nor its triple-quoted strings (docstrings)."""
    skipped = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
    tokens = tokenize.generate_tokens(io.StringIO(source + "\n").readline)
    return [(t.type, t.string) for t in tokens if t.type not in skipped and t.string[:3] != '"""']


def test_comments_are_inline_blocks_of_lines_at_one_indent_or_docstrings():
    found = comments.comments(SOURCE)
    assert [(c.first, c.last, c.column, c.kind) for c in found] == [
        (0, 0, 23, "inline"),
        (1, 2, 0, "block"),
        (4, 4, 4, "block"),
        (6, 6, 4, "block"),
        (7, 7, 11, "inline"),
        (11, 14, 4, "docstring"),
        (15, 15, 14, "inline"),
    ]
    assert found[1].text == "a block of two lines at one indent"
    assert found[5].text == "A docstring: its first line,\n\nand a second paragraph."


def test_a_translation_replaces_the_comments_and_nothing_else():
    translations = {c.text: f"译文：{c.text}" for c in comments.comments(SOURCE)}
    chinese = comments.translated(SOURCE, translations)
    assert code_tokens(chinese) == code_tokens(SOURCE)
    assert [c.text for c in comments.comments(chinese)] == list(translations.values())
    assert '"# not a comment"' in chinese
    assert (
        '    """译文：A docstring: its first line,\n\n    and a second paragraph.\n    """'
        in chinese
    )
    assert comments.translated(SOURCE, {}) == SOURCE


@pytest.mark.parametrize("index", range(len(CELLS)))
def test_every_cell_keeps_its_code_and_its_blocks_their_width(index):
    """Every cell of the chapters, with each comment made longer and Chinese: the code is the
    same, every comment is the translation, a block's lines no wider than the English."""
    source = CELLS[index]
    english = comments.comments(source)
    translations = {c.text: "这是一段较长的中文译文，" + c.text for c in english}
    chinese = comments.translated(source, translations)
    assert code_tokens(chinese) == code_tokens(source)
    assert all(CJK.search(c.text) for c in comments.comments(chinese))
    widest = max((comments.width(line) for line in source.split("\n")), default=0)
    for line in chinese.split("\n"):
        if line.lstrip().startswith("#") and " " in line.lstrip()[2:]:
            assert comments.width(line) <= max(widest, 100), line


TEXT = st.lists(
    st.sampled_from(["反", "向", "传", "播", "，", "。", "W^l", "dC/dW", " ", "(BP4)", "0.25"]),
    max_size=60,
)


@given(TEXT, st.integers(8, 60))
def test_wrapping_keeps_the_text_and_the_width(pieces, columns):
    text = "".join(pieces)
    lines = comments.wrap(text, columns)
    assert re.sub(r"\s", "", "".join(lines)) == re.sub(r"\s", "", text)
    for line in lines[1:]:
        assert line and line[0] not in comments.CLOSING, lines
    for line in lines:
        pieces_in_line = comments.PIECES.findall(line.strip())
        if len(pieces_in_line) > 1 and pieces_in_line[-1][0] not in comments.CLOSING:
            assert comments.width(line) <= columns, lines


@pytest.mark.parametrize("language", ["zh_CN"])
def test_code_po_translates_every_comment_keeping_its_numbers(language):
    """A comment added to a chapter without `make catalogues` and a translation would stay
    English on the edition's pages: this fails first."""
    translations = comments.catalogue(language)
    english = {c.text for source in CELLS for c in comments.comments(source)}
    assert sorted(english - set(translations)) == []
    for msgid in english:
        numbers = sorted(NUMBER.findall(translations[msgid]))
        assert numbers == sorted(NUMBER.findall(msgid)), (msgid, translations[msgid])
