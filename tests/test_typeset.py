"""The math, typeset at build time (_ext/typeset.py and typeset.js): MathML that a browser lays
out as the TeX meant it (MathML Core leaves out what MathJax relies on), and a math font that holds
every character the site's formulas draw."""

import html
import re
import unicodedata

import pytest
import typeset  # _ext/, on the path in conftest.py, as Sphinx loads it
from fontTools.ttLib import TTFont
from sitetools import EDITIONS, ROOT

MATH = re.compile(r"<math xmlns=\"http://www.w3.org/1998/Math/MathML\".*?</math>", re.S)


def wide(character):
    """A character of East Asian width: a Chinese character or mark."""
    return unicodedata.east_asian_width(character) in "WF"


def mathml(tex, display=False):
    """The MathML typeset.js writes for one formula."""
    return typeset.typeset([(tex, display)], ROOT)[0]


@pytest.mark.parametrize(
    ("tex", "character"),
    [(r"\mathbb{R}", "ℝ"), (r"\mathbb{E}", "𝔼"), (r"\mathcal{L}", "ℒ"), (r"\mathbb{1}", "𝟙")],
)
def test_a_letter_of_another_alphabet_is_its_own_character(tex, character):
    # MathML Core draws no other alphabet through mathvariant (only "normal" is kept)
    markup = mathml(tex)
    assert character in markup, markup
    assert not set(re.findall(r'mathvariant="([\w-]+)"', markup)) - {"normal", "monospace"}


def test_an_accent_sits_on_its_letter():
    markup = mathml(r"\hat{x}_j + \tilde{h}")
    assert markup.count('<mover accent="true">') == 2, markup
    assert "^" not in markup and "~" not in markup, "the keyboard's marks, not the font's accents"


def test_a_prime_is_not_a_superscript():
    # x' is x^\prime in TeX: as a MathML superscript the prime would shrink and rise twice
    markup = mathml(r"\sigma'(z) + a_{i',j'} + (x^2)'")
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in markup
    assert markup.count("&#x2032;") == 4
    assert not re.search(r"<msup>(?:(?!</msup>).)*&#x2032;", markup)


def test_display_and_inline_formulas():
    assert 'display="block"' in mathml("x", display=True)
    assert 'display="block"' not in mathml("x")
    assert "<merror" in mathml(r"\frac{1}"), "a TeX error shows as an error, not as a formula"


def test_every_letter_has_its_math_italic():
    # a one-letter <mi> is drawn in the math italic alphabet: the font must hold those
    assert [typeset.italic(c) for c in "xWδΔh1="] == ["𝑥", "𝑊", "𝛿", "𝛥", "ℎ", None, None]


@pytest.mark.book
@pytest.mark.parametrize("language", EDITIONS)
def test_the_math_font_has_every_character_of_the_sites_formulas(built_book, language):
    folder = built_book / EDITIONS[language][0]
    others = [built_book / f for f, _ in EDITIONS.values() if f and f != EDITIONS[language][0]]
    pages = [p for p in folder.rglob("*.html") if not any(o in p.parents for o in others)]
    formulas = [m for page in pages for m in MATH.findall(page.read_text(encoding="utf-8"))]
    assert len(formulas) > 500, "too few formulas found: the check would be blind"
    drawn = {c for m in formulas for t in re.findall(r">([^<]+)<", m) for c in html.unescape(t)}
    drawn |= {typeset.italic(c) for c in drawn} - {None}
    drawn |= {"\u221a" for m in formulas if "<msqrt" in m}  # a root draws the radical sign
    font = TTFont(folder / "_static" / typeset.FONT_FILE)
    cmap = font.getBestCmap()
    # Chinese characters and marks (wide) are drawn in the page's font (assets/course.css)
    missing = {c for c in drawn if ord(c) not in cmap and not (wide(c) or c.isspace())}
    assert not missing, f"characters of formulas the math font lacks: {sorted(missing)}"
    assert "MATH" in font, "the font lost its MATH table (how operators stretch)"


def test_the_spaces_are_texs():
    # MathML Core spaces an operator by its dictionary, which knows nothing of TeX's classes: the
    # spaces TeX puts are written on the operators, in lengths (no named spaces in MathML Core)
    markup = mathml(r"a \mathrel{+}= -\log \hat y + x^{t-1}, \qquad b")
    found = re.findall(r'<mo lspace="([^"]*)" rspace="([^"]*)">([^<]*)<', markup)
    thin, medium, thick = "0.1667em", "0.2222em", "0.2778em"
    assert [(html.unescape(text), left, right) for left, right, text in found] == [
        ("+", thick, "0"),  # \mathrel{+}: a relation's space before it
        ("=", "0", "0"),  # none between two relations
        ("\u2212", thick, thin),  # a unary minus: none before its operand, a thin one before log
        ("\u2061", "0", thin),  # log's argument a thin space away
        ("+", medium, medium),  # a binary operator
        ("\u2212", "0", "0"),  # none in a script
        (",", "0", "0"),
    ]
    assert '<mspace width="0.1667em">' in markup, "after the comma, a thin space before b"
    assert "mathspace" not in markup


def test_a_fraction_is_an_inner_atom():
    # TeX's rule 15e: a thin space between two fractions and between a letter and a fraction,
    # none between a fraction and the parenthesis around it
    markup = mathml(r"V \frac{a}{b}\frac{c}{d} = \left(\frac{1}{2}\right)")
    assert markup.count('<mspace width="0.1667em">') == 2, markup
    assert '<mo lspace="0" rspace="0">(</mo><mfrac>' in markup


def test_an_operator_name_is_one_word():
    # \operatorname{rot180}: no space between its letters and its digits, as TeX sets it
    assert "<mrow><mi>rot</mi><mn>180</mn></mrow>" in mathml(r"\operatorname{rot180}(K)")


def test_a_delimiter_of_a_given_size_stretches_to_it():
    # \Big|: MathML Core gives an operator its minsize only if it stretches
    markup = mathml(r"\frac{a}{b}\Big|_{c}")
    assert re.search(r'<mo stretchy="true" symmetric="true" minsize="1.623em"', markup), markup


def test_a_table_cell_is_one_row():
    # assets/course.css aligns an aligned environment's columns by the mrow each cell holds
    markup = mathml(r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}", display=True)
    cells = re.findall(r"<mtd>(.*?)</mtd>", markup)
    assert len(cells) == 4 and all(c.startswith("<mrow>") and c.endswith("</mrow>") for c in cells)
