"""The site's icon fonts: subsets of the theme's Font Awesome 6 with only the icons the pages show.

The theme loads Font Awesome as a 1.5 MB script that turns every icon into an <svg>; its CSS
already styles icons as font glyphs (and draws its admonition and link icons from the font), so
the site drops the script (``course_site.ThemeTemplates``) and serves these subsets, a
few kilobytes each, which ``assets/course.css`` declares after the theme's full fonts (so the full
fonts are never fetched; the site tests check it). The widget manager's Play buttons use
the same glyphs. ``tests/test_site.py`` checks that every icon class on a built page is here.

Usage: python tools/icons.py OUTPUT_FOLDER
"""

import re
import sys
from pathlib import Path

import pydata_sphinx_theme
import sphinx_book_theme
from fontTools import subset

THEME = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
BOOK_THEME_CSS = (
    Path(sphinx_book_theme.__file__).parent
    / "theme/sphinx_book_theme/static/styles/sphinx-book-theme.css"
)
#: the icons of the theme's header, sidebars and buttons, and of the widgets' Play buttons
ICONS = {
    "solid": [
        *("angle-left", "angle-right", "arrow-up", "bars", "circle-half-stroke", "list"),
        *("magnifying-glass", "moon", "outdent", "sun", "xmark", "code", "download", "expand"),
        *("file", "file-pdf", "rocket", "play", "pause", "stop", "retweet", "caret-down"),
        *("caret-right", "check", "times"),
    ],
    "brands": ["github"],
}
FONTS = {"solid": "fa-solid-900.ttf", "brands": "fa-brands-400.ttf"}


def theme_icons():
    """{icon name: code point} of every icon of the theme's CSS (.fa-bars:before{content:...})."""
    css = (THEME / "styles" / "pydata-sphinx-theme.css").read_text()
    found = {}
    for selectors, code in re.findall(r'([^{}]+)\{content:"\\([0-9a-f]+)"\}', css):
        for name in re.findall(r"\.fa-([a-z0-9-]+):before", selectors):
            found.setdefault(name, int(code, 16))
    return found


def codepoints(names):
    """The code points of the named icons."""
    found = theme_icons()
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"icons not in the theme's Font Awesome: {missing}")
    return [found[name] for name in names]


def theme_glyphs():
    """The glyphs the themes' CSS draws by itself: the admonition, external-link, breadcrumb and
    download icons (pydata's --pst-icon-* variables hold the characters) and the book theme's
    dropdown arrows (content:"\\f107")."""
    pydata = (THEME / "styles" / "pydata-sphinx-theme.css").read_text()
    book = BOOK_THEME_CSS.read_text()
    literal = {ord(c) for c in re.findall(r"[\ue000-\uf8ff]", pydata)}
    return literal | {int(c, 16) for c in re.findall(r'content:"\\(f[0-9a-f]{3})"', book)}


def main(output):
    Path(output).mkdir(parents=True, exist_ok=True)
    for style, names in ICONS.items():
        options = subset.Options(flavor="woff", layout_features=[], name_IDs=[0, 1, 2])
        font = subset.load_font(
            str(THEME / "vendor" / "fontawesome" / "webfonts" / FONTS[style]), options
        )
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=set(codepoints(names)) | theme_glyphs())
        subsetter.subset(font)
        subset.save_font(font, str(Path(output) / f"fa-{style}.woff"), options)


if __name__ == "__main__":
    main(sys.argv[1])
