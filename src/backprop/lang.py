"""Outputs in both languages from one execution (the site's English and Chinese editions).

The text a cell renders (figure labels, titles, alt text, table headers) cannot reach Sphinx's
catalogues, so the package translates it itself, from ``locales/zh_CN/LC_MESSAGES/figures.po``.
``both(make)`` calls ``make()`` once per language and returns one output holding both: each
mime type of the Chinese one is tagged (``text/markdown`` -> ``text/x-zh-CN.markdown``; a JSON
type stays one for nbformat), and each edition of the site keeps its own (``_ext/editions.py``).
A notebook front end shows the English one.

A message is a text with its numbers taken out: "weight scale 1: 1.1e-07" is looked up as
"weight scale {0}: {1}", so a run's numbers never make an entry stale (and a translation may
put them in another order).
"""

import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import matplotlib.text
from IPython.core.formatters import format_display_data
from matplotlib.backends.backend_agg import FigureCanvasAgg

ZH = "/x-zh-CN."  # text/markdown -> text/x-zh-CN.markdown: the Chinese variant of a mime type
CATALOGUE = Path(__file__).resolve().parents[2] / "locales/zh_CN/LC_MESSAGES/figures.po"
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?")
FONTS = {"zh_CN": ["DejaVu Sans", "Noto Sans CJK SC"]}  # Latin as in English; CJK from Noto
_language = ["en"]


@cache
def _messages():
    """msgid -> msgstr of the translated entries; empty when the catalogue is not there."""
    import polib  # noqa: PLC0415 (only a build of the site needs it)

    if not CATALOGUE.exists():
        return {}
    return {e.msgid: e.msgstr for e in polib.pofile(CATALOGUE).translated_entries()}


def message(text):
    """The catalogue's msgid of ``text``: its numbers replaced by {0}, {1}, ..."""
    count = iter(range(len(text)))
    return NUMBER.sub(lambda _: "{%d}" % next(count), text.replace("{", "{{").replace("}", "}}"))


def translate(text):
    """``text`` in the current language; numbers pass through, unknown messages stay English."""
    if _language[0] == "en" or not text:
        return text
    msgstr = _messages().get(message(text))
    return msgstr.format(*NUMBER.findall(text)) if msgstr else text


@contextmanager
def use(language):
    """Draw in ``language``: every figure's texts are translated just before it is rasterised,
    and the alt text of its image. (Spike: the full design calls translate in linked.png and
    linked.image, its one place for frames, instead of patching them here.)"""
    from backprop import linked  # noqa: PLC0415

    draw, image = FigureCanvasAgg.draw, linked.image

    def translated_draw(canvas, *args, **kwargs):
        for text in canvas.figure.findobj(matplotlib.text.Text):
            translated = translate(text.get_text())
            if translated != text.get_text():  # a figure made before use() has Latin fonts only
                text.set_text(translated)
                text.set_fontfamily(FONTS[language])
        return draw(canvas, *args, **kwargs)

    _language[0] = language
    FigureCanvasAgg.draw = translated_draw
    linked.image = lambda png_bytes, alt: image(png_bytes, translate(alt))
    try:
        yield
    finally:
        _language[0] = "en"
        FigureCanvasAgg.draw, linked.image = draw, image


class Both:
    """One output in two languages (see the module's docstring)."""

    def __init__(self, en, zh):
        self.en, self.zh = en, zh

    def _repr_mimebundle_(self, include=None, exclude=None):
        en, _ = format_display_data(self.en)
        zh, _ = format_display_data(self.zh)
        zh = {mime.replace("/", ZH, 1): data for mime, data in zh.items() if mime != "text/plain"}
        return {**en, **zh}


def both(make):
    """``make()`` in English and in Chinese, as one output (``make`` draws the figure anew)."""
    en = make()
    with use("zh_CN"):
        zh = make()
    return Both(en, zh)
