"""A Sphinx extension of the course's site: what a search engine, a shared link and a lost reader
find. Each edition is built on its own (``tools/build.py``); this runs in each.

- The site's published address is GitHub Pages' address of ``_config.yml``'s repository
  (``sitetools.base_url``): it becomes the edition's ``html_baseurl``, from which Sphinx writes
  each page's ``<link rel="canonical">``.
- Every page says what it is about in its language: a ``<meta name="description">``, its own
  first paragraph (the translated one in a translated edition), and the same in Open Graph's
  title, description and image (a card the build draws in the edition's language,
  ``_static/card.png``), so that a shared link shows a card. The pages Sphinx makes (the index,
  the search) describe the book with its first page's paragraph.
- Every page names itself in every edition with ``<link rel="alternate" hreflang>`` at its
  published address, and ``x-default`` (the English edition) for a reader of another language;
  ``editions.py`` adds the other edition's link, which its switch uses.
- ``sitemap.xml`` at the site's root lists every page of every edition with its alternates.
- ``index.html``, the address of each edition, is a redirect to the book's first page: it
  carries that page's description and card too (a link's preview does not follow a redirect).
- ``404.html`` in each edition: GitHub Pages answers any missing address with the root one, so
  its links are made absolute from the site's path (they work at any depth), and under another
  edition's folder it sends the reader to that edition's 404 page. It lists the book's pages.

The few texts of its own (the 404 page's, and those ``selfcheck.py`` adds to
:data:`SITE_MESSAGES`) are translated from
``locales/<language>/LC_MESSAGES/site.po``: the gettext build (``make catalogues``) writes their
template, ``site.pot``, which sphinx-intl merges as it does the pages'.
"""

import functools
import html
import json
import re
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import polib
from docutils import nodes

from backprop.lang import ENGLISH, FONTS, bcp47

#: the texts of this extension: translated from site.po
MESSAGES = {
    "not found": "Page not found",
    "not here": "There is no page at this address. These are the pages of the course:",
}
#: every extension's texts that site.po translates: {the extension's file: its messages}
SITE_MESSAGES = {"_ext/seo.py": MESSAGES}
NOT_FOUND = "404"  #: the pagename of the page a missing address shows
#: the longest description, in columns (a CJK character takes two): what search results show
DESCRIPTION_COLUMNS = 160
SHORTEST = 40  #: the shortest description, in columns: shorter, the next paragraph is taken
MATHS = "\x00"  #: where a formula sat in a paragraph's text
SENTENCE_ENDS = (". ", "。", "！", "？", "! ", "? ")
CLAUSE_ENDS = (*SENTENCE_ENDS, "；", "; ", "：", ": ", "，", ", ")
CARD = "_static/card.png"  #: the Open Graph image, drawn by :func:`draw_card`
CARD_SIZE = (1200, 630)  #: pixels: the size the sites that show cards ask for
OG_LOCALES = {ENGLISH: "en_US"}  #: Open Graph's locale of a Sphinx language, where they differ
#: an attribute holding a URL relative to the page (not absolute, not a #fragment)
RELATIVE_URL = re.compile(
    r'\b(href|src|data-content_root|data-relative)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/|#)'
)


def published_address(app, config):
    """The edition's ``html_baseurl``: the site's published address and the edition's folder."""
    import sitetools  # noqa: PLC0415 (tools/, on the path of tools/build.py, which runs this build)

    folder = config.course_editions[config.language or ENGLISH][0]
    config.html_baseurl = sitetools.base_url() + folder


def site_root(config):
    """The site's published address, whatever the edition."""
    folder = config.course_editions[config.language or ENGLISH][0]
    return config.html_baseurl.removesuffix(folder)


def translate(app, key):
    """One of :data:`MESSAGES` in the edition's language (English when untranslated)."""
    return translate_message(app, MESSAGES, key)


@functools.lru_cache
def site_catalogue(path, modified):
    """msgid -> msgstr of site.po's translated entries (none fuzzy), read once per version of the
    file (``modified``: its modification time)."""
    return {e.msgid: e.msgstr for e in polib.pofile(path).translated_entries()}


def translate_message(app, messages, key):
    """``messages[key]`` in the edition's language, from site.po (English when untranslated);
    ``messages`` is one of :data:`SITE_MESSAGES`."""
    po = Path(app.confdir, "locales", app.config.language or ENGLISH, "LC_MESSAGES", "site.po")
    translations = site_catalogue(str(po), po.stat().st_mtime_ns) if po.exists() else {}
    return translations.get(messages[key]) or messages[key]


def columns(text):
    """The width of ``text`` in columns: a CJK character takes two."""
    return sum(2 if "\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" else 1 for c in text)


def shortened(text, limit=DESCRIPTION_COLUMNS):
    """``text`` within ``limit`` columns: its whole sentences if they fill half of it, else cut
    at a word (anywhere in Chinese) with an ellipsis."""
    if columns(text) <= limit:
        return text
    cut = text
    while columns(cut) > limit - 1:
        cut = cut[:-1]
    end = max(cut.rfind(mark) for mark in SENTENCE_ENDS)
    if end > len(cut) // 2:
        return cut[: end + 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(",;:，、；：") + "…"


def before_maths(text):
    """The prose of ``text`` before its first formula (:data:`MATHS`), to the end of the last
    clause before it: a description shows no formula (its LaTeX, or a gap)."""
    if MATHS not in text:
        return text
    head = text[: text.index(MATHS)]
    end = max(head.rfind(mark) for mark in CLAUSE_ENDS)
    if end <= 0:
        return ""
    if head[end] in ".。":  # a whole sentence
        return head[: end + 1]
    return head[:end].rstrip(",;:，、；：") + "…"


def first_paragraph(doctree):
    """The document's first paragraph of prose (not in a cell, an admonition or a table), up to
    its first formula, with at least :data:`SHORTEST` columns; "" if none."""
    skipped = (nodes.Admonition, nodes.table, nodes.container, nodes.field_list)
    for paragraph in doctree.findall(nodes.paragraph):
        if any(isinstance(a, skipped) for a in ancestors(paragraph)):
            continue
        words = paragraph.findall(lambda n: isinstance(n, (nodes.math, nodes.Text)))
        text = "".join(
            MATHS if isinstance(n, nodes.math) else n.astext()
            for n in words
            if not any(isinstance(a, nodes.math) for a in ancestors(n))
        )
        prose = before_maths(" ".join(text.split()))
        if columns(prose) >= SHORTEST:
            return prose
    return ""


def ancestors(node):
    """The node's parents, up to the document."""
    while node.parent is not None:
        node = node.parent
        yield node


def description(app, doctree):
    """The page's description: its first paragraph, or the book's first page's."""
    text = first_paragraph(doctree) if doctree is not None else ""
    if not text:
        text = first_paragraph(app.env.get_doctree(app.config.root_doc))
    return shortened(text)


def plain(title):
    """A page's title as text (the theme's context holds it as HTML)."""
    return html.unescape(re.sub(r"<[^>]+>", "", title or "")).strip()


def head_tags(app, pagename, title, doctree):
    """The page's description and Open Graph card, as <head> tags."""
    config, here = app.config, app.config.language or ENGLISH
    text = description(app, doctree)
    meta = {
        "description": text,
        "og:type": "website",
        "og:site_name": config.html_title,
        "og:title": plain(title) or config.html_title,
        "og:description": text,
        "og:url": f"{config.html_baseurl}{pagename}.html",
        "og:image": config.html_baseurl + CARD,
        "og:image:width": str(CARD_SIZE[0]),
        "og:image:height": str(CARD_SIZE[1]),
        "og:image:alt": config.html_title,
        "og:locale": OG_LOCALES.get(here, here),
        "twitter:card": "summary_large_image",
    }
    tags = [
        f'<meta {"name" if key in ("description", "twitter:card") else "property"}="{key}" '
        f'content="{html.escape(value)}">'
        for key, value in meta.items()
    ]
    tags += [
        f'<meta property="og:locale:alternate" content="{OG_LOCALES.get(language, language)}">'
        for language in config.course_editions
        if language != here
    ]
    return "\n".join(tags)


def alternates(config, pagename, languages):
    """<link rel="alternate" hreflang> to the page in each of ``languages`` (``None``: the
    default for other languages, the English edition), at their published addresses."""
    editions, site = config.course_editions, site_root(config)
    return "\n".join(
        f'<link rel="alternate" hreflang="{bcp47(language) if language else "x-default"}" '
        f'href="{site}{editions[language or ENGLISH][0]}{pagename}.html">'
        for language in languages
    )


def add_head_tags(app, pagename, templatename, context, doctree):
    """The page's description, card and alternates: its own edition's and x-default, after
    ``editions.switch_link``'s link to the other edition (the switch takes the first)."""
    here = app.config.language or ENGLISH
    tags = head_tags(app, pagename, context.get("title"), doctree)
    links = alternates(app.config, pagename, [here, None])
    context["metatags"] = f"{context.get('metatags', '')}\n{tags}\n{links}"
    if pagename == NOT_FOUND:
        context["pageurl"] = None  # no canonical address: it is shown at any missing one


def book_pages(env):
    """The book's pages in their order: the root, then what its toctrees include, depth first."""
    pages, todo = [], [env.config.root_doc]
    while todo:
        page = todo.pop(0)
        pages.append(page)
        todo[:0] = env.toctree_includes.get(page, [])
    return pages


def not_found_page(app):
    """The 404 page (Sphinx's ``html-collect-pages``): in the edition's language, a list of the
    book's pages; at the site's root, a script that sends a reader whose missing address is under
    another edition's folder to that edition's 404 page."""
    env, builder = app.env, app.builder
    items = "".join(
        f'<li><a href="{builder.get_relative_uri(NOT_FOUND, page)}">'
        f"{html.escape(env.titles[page].astext())}</a></li>"
        for page in book_pages(env)
    )
    body = (
        f'<section id="page-not-found"><h1>{html.escape(translate(app, "not found"))}</h1>'
        f"<p>{html.escape(translate(app, 'not here'))}</p><ul>{items}</ul></section>"
    )
    if not app.config.course_editions[app.config.language or ENGLISH][0]:
        body += f"<script>{other_edition_script(app)}</script>"
    yield NOT_FOUND, {"title": translate(app, "not found"), "body": body}, "page.html"


def other_edition_script(app):
    """JavaScript: under another edition's folder, go to that edition's 404 page."""
    import sitetools  # noqa: PLC0415 (tools/, see published_address)

    base = json.dumps(sitetools.BASE_PATH)
    folders = json.dumps([f for f, _ in app.config.course_editions.values() if f])
    page = json.dumps(f"{NOT_FOUND}.html")
    return (
        f"{folders}.forEach(function (folder) {{"
        f" if (location.pathname.startsWith({base} + folder)) {{"
        f" location.replace({base} + folder + {page}); }} }});"
    )


def absolute_links(app):
    """The 404 page's relative URLs made absolute from the site's path: it is shown at any
    missing address, at any depth."""
    import sitetools  # noqa: PLC0415 (tools/, see published_address)

    folder = app.config.course_editions[app.config.language or ENGLISH][0]
    page = Path(app.outdir, f"{NOT_FOUND}.html")
    root = sitetools.BASE_PATH + folder
    page.write_text(RELATIVE_URL.sub(rf'\1="{root}', page.read_text(encoding="utf-8")), "utf-8")


def sitemap(app):
    """sitemap.xml at the site's root (written by the edition at the root): every page of every
    edition (the editions have the same pages), each with its alternates."""
    config = app.config
    site = site_root(config)
    editions = {bcp47(language): folder for language, (folder, _) in config.course_editions.items()}
    urls = []
    for page in book_pages(app.env):
        address = {
            tag: xml_escape(f"{site}{folder}{page}.html") for tag, folder in editions.items()
        }
        links = "".join(
            f'<xhtml:link rel="alternate" hreflang="{tag}" href="{href}"/>'
            for tag, href in address.items()
        )
        urls += [f"<url><loc>{href}</loc>{links}</url>" for href in address.values()]
    Path(app.outdir, "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n' + "\n".join(urls) + "\n</urlset>\n",
        encoding="utf-8",
    )


def wrapped(text, width):
    """``text`` in lines of at most ``width`` characters: at spaces, or anywhere in a text
    without them (Chinese)."""
    if " " in text:
        return textwrap.wrap(text, width)
    return [text[i : i + width] for i in range(0, len(text), width)]


def draw_card(app):
    """The Open Graph image (:data:`CARD`): the book's title and its first page's description,
    in the edition's language and fonts, beside a small network whose error flows back."""
    import matplotlib  # noqa: PLC0415 (seconds to import: only when a site is written)

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # noqa: PLC0415

    language = app.config.language or ENGLISH
    fonts = FONTS.get(language, ["DejaVu Sans"])
    fig = Figure(figsize=(CARD_SIZE[0] / 100, CARD_SIZE[1] / 100), dpi=100, facecolor="white")
    ax = fig.add_axes((0, 0, 1, 1), xlim=(0, 12), ylim=(0, 6.3))
    ax.set_axis_off()
    layers = [(9.0, [1.6, 3.15, 4.7]), (10.2, [2.2, 4.1]), (11.4, [3.15])]
    arrow = {"arrowstyle": "-|>", "color": "#d1495b", "lw": 2, "shrinkA": 16, "shrinkB": 16}
    for (x0, ys0), (x1, ys1) in zip(layers, layers[1:]):
        for y0 in ys0:
            for y1 in ys1:  # the error flows from the output back
                ax.annotate("", (x0, y0), (x1, y1), arrowprops=arrow)
    for x, ys in layers:
        ax.scatter([x] * len(ys), ys, s=900, color="#2e5c8a", zorder=3)
    text = shortened(first_paragraph(app.env.get_doctree(app.config.root_doc)), 130)
    width = 42 if " " in text else 24
    ax.text(0.6, 5.3, app.config.html_title, fontsize=40, weight="bold", family=fonts, va="top")
    ax.text(
        0.6,
        3.9,
        "\n".join(wrapped(text, width)[:5]),
        fontsize=22,
        family=fonts,
        va="top",
        color="#333333",
        linespacing=1.4,
    )
    card = Path(app.outdir, CARD)
    card.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(card, dpi=100, facecolor="white", pil_kwargs={"optimize": True})


def template(app):
    """site.pot: :data:`SITE_MESSAGES`, for ``make catalogues`` (the gettext build) to merge."""
    pot = polib.POFile()
    pot.metadata = {"Content-Type": "text/plain; charset=utf-8"}
    for where, messages in SITE_MESSAGES.items():
        for message in messages.values():
            pot.append(polib.POEntry(msgid=message, msgstr="", occurrences=[(where, "")]))
    pot.save(str(Path(app.outdir, "site.pot")))


def redirect_page(app):
    """index.html, the edition's address: a redirect to the book's first page (as the bare one
    sphinx-external-toc writes), with that page's language, title, canonical address,
    description and card, which a link's preview reads (it does not follow a redirect)."""
    root, config = app.config.root_doc, app.config
    title = html.escape(app.env.titles[root].astext())
    first = app.builder.get_target_uri(root)
    tags = head_tags(app, root, title, app.env.get_doctree(root))
    links = alternates(config, root, [*config.course_editions, None])
    Path(app.outdir, "index.html").write_text(
        f'<!DOCTYPE html>\n<html lang="{bcp47(config.language or ENGLISH)}">\n<head>\n'
        f'<meta charset="utf-8">\n<title>{title}</title>\n'
        f'<link rel="canonical" href="{config.html_baseurl}{first}">\n{tags}\n{links}\n'
        f'<meta http-equiv="Refresh" content="0; url={first}">\n</head>\n'
        f'<body><p><a href="{first}">{title}</a></p></body>\n</html>\n',
        encoding="utf-8",
    )


def finish(app, exception):
    if exception:
        return
    if app.builder.name == "gettext":
        template(app)
    if app.builder.format != "html":
        return
    absolute_links(app)
    redirect_page(app)
    draw_card(app)
    if not app.config.course_editions[app.config.language or ENGLISH][0]:
        sitemap(app)


def setup(app):
    app.connect("config-inited", published_address)
    app.connect("html-page-context", add_head_tags, priority=600)
    app.connect("html-collect-pages", not_found_page)
    app.connect("build-finished", finish, priority=600)  # after sphinx-external-toc's index.html
    return {"parallel_read_safe": True, "parallel_write_safe": True}
