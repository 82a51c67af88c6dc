"""Math typeset when the site is built, not in the reader's browser.

MathJax in the browser costs every page about 0.8 MB of script (core, TeX input, HTML output, font
data). Here MathJax itself (the npm package ``mathjax-full``, run by Node.js in ``typeset.js``)
turns every formula Sphinx wrote (``<span class="math">\\(...\\)</span>``, ``<div class="math">``
with ``\\[...\\]`` or an amsmath environment) into the same CommonHTML markup it would produce in
the page, with hidden MathML for screen readers; one stylesheet, ``_static/typeset.css``, holds the
styles of every formula on the site and points at MathJax's fonts. The pages load no MathJax script.
"""

import html
import json
import re
import subprocess
from pathlib import Path

from sitetools import EDITIONS

MATH = re.compile(r'(<(span|div) class="math notranslate nohighlight"([^>]*)>)(.*?)(</\2>)', re.S)
EQNO = re.compile(r'^(\s*<span class="eqno">.*?</span>)?(.*)$', re.S)
TYPESET = re.compile(r' data-tex="([^"]*)"')  # the TeX of a formula already typeset
NODE_SCRIPT = Path(__file__).with_name("typeset.js")
FONTS = "mathjax/output/chtml/fonts/woff-v2"  # under _static, beside typeset.css
STYLESHEET = "typeset.css"


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


def typeset_site(app, exception):
    """After a build: every page's formulas typeset, the page linked to the stylesheet."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    others = {outdir / folder for folder, _ in EDITIONS.values() if folder}  # other editions' sites
    texts = {
        p: p.read_text(encoding="utf-8")
        for p in outdir.rglob("*.html")
        if not others.intersection(p.parents)
    }
    found = {p: MATH.findall(text) for p, text in texts.items()}
    pages = [p for p in texts if found[p]]  # the pages with math, each read once
    formulas = [formula(m[1], m[2], m[3]) for p in pages for m in found[p]]
    markup, css = typeset([(tex, display) for _, _, tex, display in formulas], app.srcdir)
    (outdir / "_static" / STYLESHEET).write_text(css, encoding="utf-8")
    rendered = iter(zip(formulas, markup))
    for page in pages:
        depth = len(page.relative_to(outdir).parts) - 1
        link = f'<link rel="stylesheet" href="{"../" * depth}_static/{STYLESHEET}" />'

        def replace(match):
            (number, source, _, _), container = next(rendered)
            opening = TYPESET.sub("", match[1])[:-1] + f' data-tex="{html.escape(source)}">'
            return f"{opening}{number}{container}{match[5]}"

        text = MATH.sub(replace, texts[page])
        if link not in text:
            text = text.replace("</head>", f"  {link}\n</head>", 1)
        page.write_text(text, encoding="utf-8")


def drop_mathjax_scripts(app, pagename, templatename, context, doctree):
    """No MathJax script (nor its inline configuration) on any page: the math is typeset."""
    context["script_files"] = [
        s
        for s in context.get("script_files", [])
        if "mathjax" not in (s.filename or "") and "MathJax" not in s.attributes.get("body", "")
    ]
