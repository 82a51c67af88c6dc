"""Where a line may break, as Chinese typesetting expects (issue 24), in every edition.

A browser does not open a line with a closing mark (，。）) nor end one with an opening mark（ in
Chinese text, but a typeset formula is a box, and beside a box it breaks anywhere: "…$z^l$" then
"，" alone at the start of the next line. So a formula and the marks that touch it are kept on
one line (``<span class="nobr">``, ``white-space: nowrap`` in assets/course.css), and so is a
number that a hyphen would split ("9e-06", "2-2-1"). This runs on the doctree as it is written,
after the translation and after myst-nb's glue has put the run's numbers in. Headings are
balanced by the style sheet (``text-wrap: balance``): no heading ends with a line of one character.
"""

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

CLOSING = "，。；：、）！？」』》”’"  #: marks that must not open a line
OPENING = "（「『《“‘"  #: marks that must not end one
#: a number a hyphen would split: 9e-06, 1.5e+03, 2-2-1
NUMBER = re.compile(r"\d+(?:\.\d+)?e[-+]\d+|\d+(?:-\d+)+")


def kept_together(*children):
    """An inline that the browser does not break (its empty texts left out)."""
    children = [c for c in children if not isinstance(c, nodes.Text) or str(c)]
    return nodes.inline("", "", *children, classes=["nobr"])


#: where a hyphenated number is left as it is: code, raw output, maths
VERBATIM = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.math)


def position(node):
    """``node``'s index in its parent, by identity (a Text equals any Text of the same string)."""
    return next(i for i, child in enumerate(node.parent.children) if child is node)


def marks_at(node, marks, at_start):
    """The run of ``marks`` at the start (or the end) of a Text ``node``: '' if none."""
    if not isinstance(node, nodes.Text):
        return ""
    text = str(node)
    kept = text.lstrip(marks) if at_start else text.rstrip(marks)
    return text[: len(text) - len(kept)] if at_start else text[len(kept) :]


def glue_marks(math):
    """``math`` and the closing marks after it (the opening ones before it) on one line."""
    parent, index = math.parent, position(math)
    before = parent[index - 1] if index > 0 else None
    after = parent[index + 1] if index + 1 < len(parent) else None
    opening = marks_at(before, OPENING, at_start=False)
    closing = marks_at(after, CLOSING, at_start=True)
    if not opening and not closing:
        return
    if closing:
        parent[index + 1] = nodes.Text(str(after)[len(closing) :])
    parent[index] = kept_together(nodes.Text(opening), math, nodes.Text(closing))
    if opening:
        parent[index - 1] = nodes.Text(str(before)[: -len(opening)])


def keep_numbers(text):
    """Each number of a Text that a hyphen would split, in a span that does not break."""
    pieces, last = [], 0
    for match in NUMBER.finditer(str(text)):
        pieces += [nodes.Text(str(text)[last : match.start()]), kept_together(nodes.Text(match[0]))]
        last = match.end()
    pieces.append(nodes.Text(str(text)[last:]))
    parent, index = text.parent, position(text)
    parent[index : index + 1] = [p for p in pieces if not isinstance(p, nodes.Text) or str(p)]


class LineBreaks(SphinxPostTransform):
    """Formulas with their touching marks, and hyphenated numbers, each kept on one line."""

    default_priority = 900  # after myst-nb's glue (the run's numbers) and Sphinx's references

    def apply(self, **kwargs):
        for math in list(self.document.findall(nodes.math)):
            glue_marks(math)
        for text in list(self.document.findall(nodes.Text)):
            verbatim = any(isinstance(a, VERBATIM) for a in ancestors(text))
            if NUMBER.search(str(text)) and not verbatim:
                keep_numbers(text)


def ancestors(node):
    """``node``'s parent, its parent's parent, ... up to the document."""
    while node.parent is not None:
        node = node.parent
        yield node


def setup(app):
    app.add_post_transform(LineBreaks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
