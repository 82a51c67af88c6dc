"""Math typeset when the site is built, not in the reader's browser.

MathJax in the browser costs every page about 0.8 MB of script (core, TeX input, HTML output, font
data), and its HTML output draws a formula with dozens of elements (a chapter's 11k of its 17k).
Here MathJax itself (the npm package ``mathjax-full``, run by Node.js in ``typeset.js``) turns
every formula Sphinx wrote (``<span class="math">\\(...\\)</span>``, ``<div class="math">``
with ``\\[...\\]`` or an amsmath environment) into MathML, which every current browser lays out
itself and reads to a screen reader. The math font is STIX Two Math (the npm package
``@fontsource/stix-two-math``), cut down to the characters of the site's formulas
(``_static/math.woff``, a few tens of kilobytes); ``assets/course.css`` declares it. The pages
load no MathJax script.

Only the pages Sphinx wrote in this build are typeset: the markup of each formula is kept beside
the doctrees (``typeset.json``), and Node runs only when the site has a formula it lacks.
"""

import hashlib
import html
import io
import json
import re
import subprocess
import unicodedata
from pathlib import Path

from fontTools import subset

MATH = re.compile(r'(<(span|div) class="math notranslate nohighlight"([^>]*)>)(.*?)(</\2>)', re.S)
EQNO = re.compile(r'^(\s*<span class="eqno">.*?</span>)?(.*)$', re.S)
TYPESET = re.compile(r' data-tex="([^"]*)"')  # the TeX of a formula already typeset
NODE_SCRIPT = Path(__file__).with_name("typeset.js")
#: what typesets: a formula kept from a build by another script is typeset again
SCRIPT_DIGEST = hashlib.sha256(NODE_SCRIPT.read_bytes()).hexdigest()[:16]
KEPT = "typeset.json"  # beside the doctrees: {"script": digest, "markup": [[TeX, display, markup]]}
MATH_FONT = "node_modules/@fontsource/stix-two-math/files/stix-two-math-latin-400-normal.woff"
FONT_FILE = "math.woff"  # under _static, beside course.css, which declares it
TEXT = re.compile(r">([^<]+)<")  # the characters between a formula's tags


def formula(element, attributes, content):
    """(eqno HTML, source, TeX, display?) of one math element as Sphinx wrote it, or as an earlier
    build typeset it (its source kept in ``data-tex``: a page Sphinx did not rewrite)."""
    number, source = EQNO.match(content).groups()
    kept = TYPESET.search(attributes)
    tex = html.unescape(kept[1] if kept else source).strip()
    return (number or "", tex, *delimited(tex, element))


def delimited(tex, element):
    """(TeX without its delimiters, display?)."""
    if tex.startswith("\\(") and tex.endswith("\\)"):
        return tex[2:-2], False
    if tex.startswith("\\[") and tex.endswith("\\]"):
        return tex[2:-2], True
    return tex, element == "div"  # an amsmath environment, displayed


def typeset(formulas, root):
    """The MathML of each (TeX, display)."""
    result = subprocess.run(
        ["node", str(NODE_SCRIPT)],
        input=json.dumps([{"tex": tex, "display": display} for tex, display in formulas]),
        capture_output=True,
        text=True,
        check=True,
        cwd=root,  # node finds mathjax-full in the repository's node_modules
    )
    return json.loads(result.stdout)["html"]


def edition_pages(outdir, editions):
    """{page: its text} of the edition built in ``outdir`` (not another edition's inside it)."""
    others = {outdir / folder for folder, _ in editions.values() if folder}
    return {
        p: p.read_text(encoding="utf-8")
        for p in outdir.rglob("*.html")
        if not others.intersection(p.parents)
    }


def kept_markup(path, formulas, root):
    """{(TeX, display): markup} covering ``formulas``: read from ``path``, or, when a formula is
    missing there, typeset anew for exactly ``formulas`` and kept in ``path``."""
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    fresh = kept.get("script") == SCRIPT_DIGEST
    markup = {(tex, display): html for tex, display, html in kept["markup"]} if fresh else {}
    if not set(formulas) <= markup.keys():
        ordered = sorted(set(formulas))
        markup = dict(zip(ordered, typeset(ordered, root)))
        kept = {"script": SCRIPT_DIGEST, "markup": [[*key, value] for key, value in markup.items()]}
        path.write_text(json.dumps(kept), encoding="utf-8")
    return markup


def characters(markup):
    """The characters a browser draws for these formulas: their text, a letter's italic (MathML
    sets a one-letter ``<mi>`` in the math italic alphabet), and a root's radical sign."""
    found = {c for m in markup for text in TEXT.findall(m) for c in html.unescape(text)}
    found |= {"\u221a" for m in markup if "<msqrt" in m or "<mroot" in m}  # the radical sign
    return {ord(c) for c in found | {italic(c) for c in found} - {None}}


def italic(letter):
    """The math italic of a Latin or Greek letter (LATIN SMALL LETTER X -> MATHEMATICAL ITALIC
    SMALL X; h is Planck's constant), or None."""
    if letter == "h":
        return "\u210e"
    name = unicodedata.name(letter, "")
    short = re.sub(r"^(LATIN|GREEK) (SMALL|CAPITAL) LETTER ", r"\2 ", name)
    try:
        return unicodedata.lookup(f"MATHEMATICAL ITALIC {short}") if short != name else None
    except KeyError:  # a letter without a math italic
        return None


def write_math_font(folder, markup, root):
    """STIX Two Math cut down to the characters of ``markup`` (with the glyphs its MATH table
    stretches them with), written to ``folder`` when it differs from the file there."""
    options = subset.Options(flavor="woff", layout_features=["*"], hinting=False)
    font = subset.load_font(str(Path(root) / MATH_FONT), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=characters(markup))
    subsetter.subset(font)
    data = io.BytesIO()
    subset.save_font(font, data, options)
    path = Path(folder) / FONT_FILE
    if not path.exists() or path.read_bytes() != data.getvalue():
        path.write_bytes(data.getvalue())


def typeset_site(app, exception):
    """After a build: the formulas of every page Sphinx wrote typeset, the page linked to the
    stylesheet; the stylesheet written when it changed."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    texts = edition_pages(outdir, app.config.course_editions)
    found = {p: MATH.findall(text) for p, text in texts.items()}
    formulas = {p: [formula(m[1], m[2], m[3]) for m in found[p]] for p in texts}
    every = [(tex, display) for p in texts for _, _, tex, display in formulas[p]]
    markup = kept_markup(Path(app.doctreedir) / KEPT, every, app.srcdir)
    write_math_font(outdir / "_static", [markup[f] for f in set(every)], app.srcdir)
    for page, matches in found.items():
        if any(not TYPESET.search(m[2]) for m in matches):  # a page Sphinx wrote anew
            text = MATH.sub(lambda m: typeset_formula(m, markup), texts[page])
            page.write_text(with_font_preloaded(text, page, outdir), encoding="utf-8")


def with_font_preloaded(text, page, outdir):
    """A page with formulas asks for the math font with its style sheets, not once it has laid
    the page out with another font: laid out once, in its own font (no second layout of every
    formula, no shift as the font arrives)."""
    depth = len(page.relative_to(outdir).parts) - 1
    link = (
        f'<link rel="preload" href="{"../" * depth}_static/{FONT_FILE}" as="font" '
        'type="font/woff" crossorigin />'
    )
    return text if link in text else text.replace("</head>", f"  {link}\n</head>", 1)


def typeset_formula(match, markup):
    """A formula's element (a MATH match) with its TeX replaced by its MathML; a displayed one
    in a box of its own (``div.formula``), which scrolls sideways when it is wider than the room
    beside its number (``assets/course.css``)."""
    number, source, tex, display = formula(match[2], match[3], match[4])
    opening = TYPESET.sub("", match[1])[:-1] + f' data-tex="{html.escape(source)}">'
    typeset = markup[tex, display]
    if display:
        typeset = f'<div class="formula">{typeset}</div>'
    return f"{opening}{number}{typeset}{match[5]}"


def drop_mathjax_scripts(app, pagename, templatename, context, doctree):
    """No MathJax script (nor its inline configuration) on any page: the math is typeset."""
    context["script_files"] = [
        s
        for s in context.get("script_files", [])
        if "mathjax" not in (s.filename or "") and "MathJax" not in s.attributes.get("body", "")
    ]
