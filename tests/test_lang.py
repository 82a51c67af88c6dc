"""backprop.lang: the text a cell draws, in the language BACKPROP_LANGUAGE names."""

import warnings

import numpy as np
import pytest
from IPython.core.formatters import format_display_data
from IPython.display import Markdown
from ipywidgets.widgets import widget
from ipywidgets.widgets.widget_link import Link
from matplotlib import font_manager
from matplotlib.figure import Figure

from backprop import lang, linked, tables
from backprop.exercises import Verdict


@pytest.fixture
def catalogue(monkeypatch):
    """A small Chinese catalogue in place of the repository's."""
    entries = {
        "layer l": "第 l 层",
        "weight scale": "权重尺度",
        "weight scale {0}: {1}": "权重尺度 {0}：{1}",
        "saturated: {0}% of {1}/{2}": "饱和：{1}/{2} 的 {0}%",
        "activation": "激活函数",
        "right": "正确",
        "max": "最大",
    }
    monkeypatch.setattr(lang, "catalogue", lambda language: entries)
    return entries


@pytest.fixture
def chinese(monkeypatch):
    """A kernel told to draw in Chinese, as the Chinese edition's build and notebooks tell it."""
    monkeypatch.setenv(lang.VARIABLE, "zh_CN")


def test_message_takes_the_numbers_out():
    assert lang.message("weight scale 1.5: 1.1e-07 {x}") == "weight scale {0}: {1} {{x}}"


def test_translate_puts_the_numbers_back_in_the_translation_s_order(catalogue):
    with lang.use("zh_CN") as seen:
        assert lang.translate("saturated: 25% of 1/4") == "饱和：1/4 的 25%"
        assert lang.translate("no such message 3") == "no such message 3"
        assert lang.translate("10⁻³ $\\delta^2$ h⁵ 0.25") == "10⁻³ $\\delta^2$ h⁵ 0.25"
    assert seen == {
        "saturated: {0}% of {1}/{2}": "饱和：{1}/{2} 的 {0}%",
        "no such message {0}": "",
    }
    assert lang.translate("saturated: 25% of 1/4") == "saturated: 25% of 1/4"


def test_a_figure_is_drawn_in_chinese_only_inside_use_and_comes_back(catalogue):
    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xlabel("layer l")
    ax.set_xticks([0, 1], ["max", "right"])
    with lang.use("zh_CN"), warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts is a warning
        with lang.translated(fig):
            assert ax.get_xlabel() == "第 l 层"
            assert [t.get_text() for t in ax.get_xticklabels()] == ["最大", "正确"]
        pixels, _ = linked.render(fig, 72)
    assert ax.get_xlabel() == "layer l"
    english, _ = linked.render(fig, 72)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["max", "right"]
    assert not np.array_equal(pixels, english)


def test_the_language_is_read_from_the_environment_each_time(monkeypatch, catalogue):
    monkeypatch.delenv(lang.VARIABLE, raising=False)
    assert lang.current() == "en" and lang.translate("activation") == "activation"
    monkeypatch.setenv(lang.VARIABLE, "zh_CN")
    assert lang.current() == "zh_CN" and lang.translate("activation") == "激活函数"
    with lang.use("en"):
        assert lang.translate("activation") == "activation"


def test_english_draws_the_plain_output(monkeypatch):
    monkeypatch.delenv(lang.VARIABLE, raising=False)
    assert isinstance(tables.table(["a"], [["1"]]), Markdown)


def test_a_table_in_chinese_records_its_messages(catalogue, chinese):
    data, metadata = format_display_data(tables.table(["activation"], [["max"]]))
    assert data["text/markdown"] == "| 激活函数 |\n|---|\n| 最大 |"
    assert metadata[lang.METADATA] == {"zh_CN": {"activation": "激活函数", "max": "最大"}}


def test_a_verdict_displays_in_chinese(catalogue, chinese):
    data, metadata = Verdict(True, "weight scale 2: 0.5")._repr_mimebundle_()
    assert data["text/plain"] == "权重尺度 2：0.5"
    assert metadata[lang.METADATA] == {"zh_CN": {"weight scale {0}: {1}": "权重尺度 {0}：{1}"}}


def test_messages_of_an_inner_output_count_for_the_outer_one(catalogue, chinese):
    def outer():
        inner = lang.drawn(lambda: lang.translate("activation"))
        return [inner, lang.translate("max")]

    recorded = lang.drawn(outer)
    assert list(recorded.messages) == ["activation", "max"]
    assert list(recorded.output[0].messages) == ["activation"]


def draw_scale(scale):
    fig = Figure(figsize=(2, 1))
    fig.text(0.1, 0.5, f"weight scale {scale}: 1")
    return fig


def test_a_linked_figure_in_chinese_has_chinese_controls_and_alt_text(catalogue, chinese):
    control = linked.slider("weight scale", [1, 2, 3], index=1)
    shown = linked.figure(draw_scale, [control], alt=lambda label: f"weight scale {label}: 0")
    box = shown.output
    assert box.children[0] is control and control.description == "权重尺度"
    assert control.english == [("1", 1), ("2", 2), ("3", 3)]  # what draw and alt get
    stack = box.children[-1]
    assert 'alt="权重尺度 1：0"' in stack.children[0].value and stack.selected_index == 1
    links = [w for w in widget._instances.values() if isinstance(w, Link)]
    assert any(k.source[0] is control and k.target[0] is stack for k in links)
    assert "weight scale {0}: {1}" in shown.messages
    assert shown.messages["weight scale"] == "权重尺度"  # the control's, made before the figure


def test_a_linked_figure_in_english_is_the_box_itself(monkeypatch):
    monkeypatch.delenv(lang.VARIABLE, raising=False)
    box = linked.figure(draw_scale, [linked.toggle("weight scale", [1, 2])], alt="layer l")
    assert box.children[0].description == "weight scale"
    assert 'alt="layer l"' in box.children[-1].children[0].value


def test_tick_labels_made_at_draw_time_are_in_chinese_fonts(catalogue):
    """A bar chart's category labels get their text only when drawn: drawn first in Chinese,
    they must still get the CJK font (a missing glyph is a warning, an error here)."""
    fig = Figure()
    fig.add_subplot().bar(["max", "right"], [1, 2])
    with lang.use("zh_CN"), warnings.catch_warnings():
        warnings.simplefilter("error")
        linked.render(fig, 72)


def test_a_missing_font_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(lang.FONTS, "xx", ["DejaVu Sans", "No Such Font"])
    with pytest.raises(RuntimeError, match="No Such Font"):
        lang.fonts("xx")


def test_a_font_installed_after_matplotlib_listed_the_fonts_is_found(monkeypatch):
    """matplotlib caches its font list on its first run: a font installed later (as CI
    installs fonts-noto-cjk) must still be found, not reported missing."""
    manager = font_manager.fontManager
    files = {font.fname for font in manager.ttflist if font.name == lang.FONTS["zh_CN"][-1]}
    stale = [font for font in manager.ttflist if font.fname not in files]
    monkeypatch.setattr(manager, "ttflist", stale)  # the list as a cache from before the install
    manager._findfont_cached.cache_clear()
    lang.fonts.cache_clear()
    assert not lang.installed(lang.FONTS["zh_CN"][-1])
    try:
        assert lang.fonts("zh_CN") == lang.FONTS["zh_CN"]
        assert lang.installed(lang.FONTS["zh_CN"][-1])
    finally:
        lang.fonts.cache_clear()
        manager._findfont_cached.cache_clear()


def test_a_play_control_records_its_texts_in_the_figure_it_drives(catalogue, chinese):
    control = linked.play("weight scale", [1, 2])
    shown = linked.figure(draw_scale, [control], alt="layer l")
    names = {"play weight scale", "stop", "repeat"}  # its buttons' names
    assert {"weight scale", "layer l"} | names <= set(shown.messages)
