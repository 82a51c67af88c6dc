"""The helpers shared by the figures: plain-text tick labels and the frame canvas."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from backprop.plotting import FrameCanvas, power_of_ten, scientific, superscript


def test_superscripts_and_powers_of_ten_are_plain_text():
    assert superscript(-12) == "⁻¹²" and power_of_ten(1e-3) == "10⁻³"


def frame(canvas_class, ys, seed_line=None):
    """A figure with a moving line drawn at each of ``ys`` (y values) in turn: the last pixels."""
    fig = Figure(figsize=(2, 1.5), dpi=50)
    ax = fig.add_axes((0.2, 0.2, 0.7, 0.7), xlim=(0, 3), ylim=(0, 1), title="still text")
    (line,) = ax.plot([], [], lw=3)
    title = fig.suptitle("")
    canvas = (
        canvas_class(fig, [line, title]) if canvas_class is FrameCanvas else FigureCanvasAgg(fig)
    )
    for y in ys:
        line.set_data([0, 1, 2, 3], y)
        title.set_text(f"{y[0]:.1f}")
        canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_a_frame_drawn_over_the_kept_still_part_is_the_full_drawing():
    later = [[0.1, 0.9, 0.2, 0.8], [0.5, 0.0, 1.0, 0.3]]
    assert not np.array_equal(frame(FrameCanvas, later[:1]), frame(FrameCanvas, later))
    np.testing.assert_array_equal(frame(FrameCanvas, later), frame(FigureCanvasAgg, later[1:]))


def test_scientific_writes_a_power_of_ten_from_its_log():
    assert scientific(-16.6) == "2.5×10⁻¹⁷"
    assert scientific(13.7) == "5.0×10¹³"
    assert scientific(2.99999) == "1.0×10³"  # a mantissa that rounds to 10 moves up a power
    assert scientific(400.0) == "1.0×10⁴⁰⁰"  # from the log: no overflow
