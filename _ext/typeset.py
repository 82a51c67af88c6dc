"""Math typeset when the site is built, not in the reader's browser.

MathJax in the browser costs every page about 0.8 MB of script (core, TeX input, HTML output, font
data). Here MathJax itself (the npm package ``mathjax-full``, run by Node.js in ``typeset.js``)
turns every formula Sphinx wrote (``<span class="math">\\(...\\)</span>``, ``<div class="math">``
with ``\\[...\\]`` or an amsmath environment) into the same CommonHTML markup it would produce in
the page, with hidden MathML for screen readers; one stylesheet, ``_static/typeset.css``, holds the
styles of every formula on the site and points at MathJax's fonts. The pages load no MathJax script.

Only the pages Sphinx wrote in this build are typeset: the markup of each formula is kept beside
the doctrees (``typeset.json``), and Node runs only when the site has a formula it lacks (then
for every formula of the site, so the stylesheet holds exactly what they need).
"""

import html
import json
import re
import subprocess
from pathlib import Path

MATH = re.compile(r'(<(span|div) class="math notranslate nohighlight"([^>]*)>)(.*?)(</\2>)', re.S)
EQNO = re.compile(r'^(\s*<span class="eqno">.*?</span>)?(.*)$', re.S)
TYPESET = re.compile(r' data-tex="([^"]*)"')  # the TeX of a formula already typeset
NODE_SCRIPT = Path(__file__).with_name("typeset.js")
FONTS = "mathjax/output/chtml/fonts/woff-v2"  # under _static, beside typeset.css
STYLESHEET = "typeset.css"
KEPT = "typeset.json"  # beside the doctrees: {"markup": [[TeX, display, markup], ...], "css": ...}


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
    """The CommonHTML markup of each (TeX, display) and the stylesheet for all of them."""
    result = subprocess.run(
        ["node", str(NODE_SCRIPT)],
        input=json.dumps([{"tex": tex, "display": display} for tex, display in formulas]),
        capture_output=True,
        text=True,
        check=True,
        cwd=root,  # node finds mathjax-full in the repository's node_modules
    )
    out = json.loads(result.stdout)
    return out["html"], out["css"].replace("FONT_URL", FONTS)


def edition_pages(outdir, editions):
    """{page: its text} of the edition built in ``outdir`` (not another edition's inside it)."""
    others = {outdir / folder for folder, _ in editions.values() if folder}
    return {
        p: p.read_text(encoding="utf-8")
        for p in outdir.rglob("*.html")
        if not others.intersection(p.parents)
    }


def kept_markup(path, formulas, root):
    """({(TeX, display): markup}, css) covering ``formulas``: read from ``path``, or, when a
    formula is missing there, typeset anew for exactly ``formulas`` and kept in ``path``."""
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"markup": []}
    markup = {(tex, display): html for tex, display, html in kept["markup"]}
    if not set(formulas) <= markup.keys():
        ordered = sorted(set(formulas))
        html, css = typeset(ordered, root)
        markup = dict(zip(ordered, html))
        kept = {"markup": [[*key, value] for key, value in markup.items()], "css": css}
        path.write_text(json.dumps(kept), encoding="utf-8")
    return markup, kept["css"]


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
    markup, css = kept_markup(Path(app.doctreedir) / KEPT, every, app.srcdir)
    stylesheet = outdir / "_static" / STYLESHEET
    if not stylesheet.exists() or stylesheet.read_text(encoding="utf-8") != css:
        stylesheet.write_text(css, encoding="utf-8")
    for page, matches in found.items():
        if any(not TYPESET.search(m[2]) for m in matches):  # a page Sphinx wrote anew
            page.write_text(typeset_page(page, outdir, texts[page], markup), encoding="utf-8")


def typeset_page(page, outdir, text, markup):
    """The page's text with every formula replaced by its markup, linked to the stylesheet."""
    depth = len(page.relative_to(outdir).parts) - 1
    link = f'<link rel="stylesheet" href="{"../" * depth}_static/{STYLESHEET}" />'

    def replace(match):
        number, source, tex, display = formula(match[2], match[3], match[4])
        opening = TYPESET.sub("", match[1])[:-1] + f' data-tex="{html.escape(source)}">'
        return f"{opening}{number}{markup[tex, display]}{match[5]}"

    text = MATH.sub(replace, text)
    return text if link in text else text.replace("</head>", f"  {link}\n</head>", 1)


def drop_mathjax_scripts(app, pagename, templatename, context, doctree):
    """No MathJax script (nor its inline configuration) on any page: the math is typeset."""
    context["script_files"] = [
        s
        for s in context.get("script_files", [])
        if "mathjax" not in (s.filename or "") and "MathJax" not in s.attributes.get("body", "")
    ]
