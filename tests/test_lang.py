"""backprop.lang: one execution, both languages."""

import warnings

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
from IPython.display import Markdown  # noqa: E402

from backprop import lang  # noqa: E402


def test_message_takes_the_numbers_out():
    assert lang.message("weight scale 1.5: 1.1e-07 {x}") == "weight scale {0}: {1} {{x}}"


def test_translate_puts_the_numbers_back_in_the_translation_s_order():
    with lang.use("zh_CN"):
        assert lang.translate("saturated: σ′ < 1% of 1/4") == "饱和：σ′ < 1/4 的 1%"
        assert lang.translate("no such message 3") == "no such message 3"
    assert lang.translate("saturated: σ′ < 1% of 1/4") == "saturated: σ′ < 1% of 1/4"


def test_figures_are_drawn_in_chinese_only_inside_use():
    fig, ax = plt.subplots()
    ax.set_xlabel("layer l")
    with lang.use("zh_CN"), warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the fonts is a warning
        fig.canvas.draw()
    assert ax.get_xlabel() == "第 l 层"
    plt.close(fig)


def test_both_tags_the_chinese_mime_types():
    bundle = lang.Both(Markdown("| a |"), Markdown("| 甲 |"))._repr_mimebundle_()
    assert bundle["text/markdown"] == "| a |"
    assert bundle["text/x-zh-CN.markdown"] == "| 甲 |"
