"""The language of the text a cell draws: figure labels, alt text, controls, tables, verdicts.

Sphinx translates a chapter's prose from its catalogue; the text a cell renders never reaches
Sphinx, so the package translates it, from ``locales/<language>/LC_MESSAGES/figures.po``.

The language is set in one place: the environment variable ``BACKPROP_LANGUAGE`` (``en`` when
unset), read each time a text is drawn. The book's build sets it for the kernels of each
edition (every edition executes its chapters in its own language); a reader's kernel sets it with
``%env BACKPROP_LANGUAGE=zh_CN`` (the first cell of a Chinese notebook does) or by starting
Jupyter with it.

A message is a text with its numbers taken out: "weight scale 1.5: 1.1e-07" is looked up as
"weight scale {0}: {1}", so a run's numbers never make an entry stale, and a translation may put
them in another order. The messages an output looked up are kept in its metadata (:func:`drawn`),
where ``make catalogues`` finds them for the catalogue and the tests check each is translated.
"""

import os
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from IPython.core.formatters import format_display_data
from IPython.display import Pretty
from matplotlib import font_manager, rcParams
from matplotlib.text import Text
from matplotlib.ticker import Formatter

ENGLISH = "en"  #: the language of the sources
LOCALES = Path(__file__).resolve().parents[2] / "locales"  #: the repository's catalogues
NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:e[-+][0-9]+)?")
WORD = re.compile(r"[A-Za-z]{2,}")  # a text with no Latin word (of 2 letters or more) outside
MATHS = re.compile(r"\$[^$]*\$")  # its maths has nothing to translate: "10⁻³", "$\delta^2$", "h⁵"
FONTS = {"zh_CN": ["DejaVu Sans", "Noto Sans CJK SC"]}  #: Latin and Greek as in English; CJK
VARIABLE = "BACKPROP_LANGUAGE"  #: the environment variable that sets the language drawn
METADATA = "backprop-messages"  #: an output's metadata key: {language: {msgid: msgstr}}
_state = {"language": None, "seen": {}}  # a language set by use() (else VARIABLE's); lookups


def current():
    """The language being drawn now: :func:`use`'s inside its block, else ``BACKPROP_LANGUAGE``."""
    return _state["language"] or os.environ.get(VARIABLE) or ENGLISH


@contextmanager
def use(language):
    """Draw in ``language`` inside the block; yields the messages it looks up ({msgid: msgstr})."""
    previous = dict(_state)
    _state.update(language=language, seen={})
    try:
        yield _state["seen"]
    finally:
        _state.update(previous)


@contextmanager
def recording():
    """Inside the block, the messages looked up are collected in the dict it yields, each with the
    translation it had, "" for none (and they still count for an enclosing block)."""
    previous = _state["seen"]
    _state["seen"] = {}
    try:
        yield _state["seen"]
    finally:
        previous |= _state["seen"]
        _state["seen"] = previous


@cache
def catalogue(language):
    """msgid -> msgstr of the translated entries of ``language``'s figures.po ({} if none)."""
    import polib  # noqa: PLC0415 (only a build of the site's editions needs it)

    path = LOCALES / language / "LC_MESSAGES" / "figures.po"
    if not path.exists():
        return {}
    return {e.msgid: e.msgstr for e in polib.pofile(path) if e.translated() and not e.obsolete}


def note(messages):
    """Count ``messages`` ({msgid: msgstr}, looked up earlier: the texts of a control made before
    the figure it drives) as looked up now, so the output drawn now records them too."""
    _state["seen"] |= messages


def message(text):
    """The catalogue's msgid of ``text``: its numbers replaced by {0}, {1}, ..."""
    count = iter(range(len(text)))
    return NUMBER.sub(lambda _: "{%d}" % next(count), text.replace("{", "{{").replace("}", "}}"))


def translate(text):
    """``text`` in the current language; its numbers pass through; a message the catalogue lacks
    stays English (and the tests name it)."""
    if current() == ENGLISH or not WORD.search(NUMBER.sub("", MATHS.sub("", text))):
        return text
    msgid = message(text)
    msgstr = _state["seen"][msgid] = catalogue(current()).get(msgid, "")
    return msgstr.format(*NUMBER.findall(text)) if msgstr else text


class TranslatedTicks(Formatter):
    """An axis's tick formatter whose labels come out translated (tick labels are made anew from
    their formatter at each draw, so translating their texts beforehand would not last)."""

    def __init__(self, formatter):
        self.formatter = formatter

    def __call__(self, x, pos=None):
        return translate(self.formatter(x, pos))

    def format_ticks(self, values):
        return [translate(label) for label in self.formatter.format_ticks(values)]

    def get_offset(self):
        return translate(self.formatter.get_offset())


@cache
def fonts(language):
    """The font families of ``language``'s figure texts; raises a clear error if its last one
    (the one with the language's glyphs) is not installed, rather than drawing empty boxes."""
    family = FONTS[language]
    if not installed(family[-1]):
        add_system_fonts()  # matplotlib's cached font list may predate the font's install
        if not installed(family[-1]):
            raise RuntimeError(
                f"the {language} figures need the font {family[-1]!r}: install it "
                "(Debian/Ubuntu: apt-get install fonts-noto-cjk), then rebuild"
            )
    return family


def installed(family):
    """Whether matplotlib knows a font of ``family``."""
    try:
        font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    except ValueError:
        return False
    return True


def add_system_fonts():
    """Add to matplotlib's font list the system fonts it lacks: matplotlib lists them once and
    caches the list, so a font installed after its first run is otherwise never found."""
    known = {font.fname for font in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):  # a file FreeType cannot read, as matplotlib skips it
                continue


@contextmanager
def translated(fig):
    """Inside the block, ``fig``'s texts and tick labels are in the current language, in its
    fonts; after it they are as they were (a widget redraws one figure frame after frame)."""
    texts, axes = [], [a for ax in fig.axes for a in (ax.xaxis, ax.yaxis)]
    if current() != ENGLISH:
        for text in fig.findobj(Text):
            if (new := translate(text.get_text())) != text.get_text():
                texts.append((text, text.get_text(), text.get_fontfamily()))
                text.set_text(new)
                text.set_fontfamily(fonts(current()))
        for axis in axes:  # tick labels get their text at draw time: their font too
            axis.major.formatter = TranslatedTicks(axis.major.formatter)
            axis.set_tick_params(labelfontfamily=fonts(current()))
    try:
        yield fig
    finally:
        for text, old, family in texts:
            text.set_text(old)
            text.set_fontfamily(family)
        for axis in axes:
            if isinstance(axis.major.formatter, TranslatedTicks):
                axis.major.formatter = axis.major.formatter.formatter
                axis.set_tick_params(labelfontfamily=rcParams["font.family"])


def bcp47(language):
    """The tag of a Sphinx language in HTML and in mime types: zh_CN -> zh-CN."""
    return language.replace("_", "-")


class Recorded:
    """An output and the messages drawing it looked up: it displays as the output, with the
    messages in its metadata (``{language: {msgid: msgstr}}``)."""

    def __init__(self, output, language, messages):
        self.output, self.language, self.messages = output, language, messages

    def _repr_mimebundle_(self, include=None, exclude=None):
        data, metadata = format_display_data(self.output)
        return data, {**metadata, METADATA: {self.language: self.messages}}


def drawn(make):
    """``make()`` drawn in the current language: in English the output itself, else a
    :class:`Recorded` of it, which displays the same and records the messages it looked up."""
    if current() == ENGLISH:
        return make()
    with recording() as seen:
        output = make()
    return Recorded(output, current(), seen)


def text_bundle(text):
    """The mime bundle (data, metadata) of a plain ``text`` in the current language."""
    return format_display_data(drawn(lambda: Pretty(translate(text))))
