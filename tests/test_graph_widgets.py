"""The graph chapter's widget (the two passes through the fan-out graph) and its cost still."""

import re

import numpy as np
import pytest

from backprop import linked
from backprop.graph_exercises import fan_out_graph
from backprop.graph_plots import GraphFigure, cost_figure
from backprop.graph_widgets import POSITIONS, cost_static, pass_frames, pass_widget
from test_mlp_widgets import check_panels, images


def test_frames_are_the_inputs_then_each_operation_forward_then_backward():
    root = fan_out_graph()[-1]
    frames = pass_frames(root)
    assert len(frames) == 1 + 2 * 3  # the inputs, 3 operations forward, 3 backward
    assert frames[0]["values"]["μ"] is None and frames[0]["grads"]["β"] is None
    assert [f["active"] for f in frames[4:]] == ["C", "ν", "μ"]  # from the output back
    last = frames[-1]["grads"]
    assert last["β"] == "∂C/∂β = 3 + 5 = 8"  # the two terms of the fan-out, added
    assert last["γ"] == "∂C/∂γ = 0" and last["α"] == "∂C/∂α = 5"


@pytest.mark.filterwarnings("error")
def test_the_widget_has_a_frame_per_step_each_with_its_numbers_in_its_alt_text():
    shown = images(pass_widget())
    assert len(shown) == 7 == len(set(shown))  # every step changes the picture
    check_panels(shown, 1)
    alts = [re.search(r'alt="([^"]+)"', f).group(1) for f in shown]
    assert len(set(alts)) == 7 and all("α = −2" in a for a in alts)
    assert "∂C/∂β = 3 + 5 = 8" in alts[-1] and "∂C/∂β" not in alts[0]


def not_blank(fig):
    pixels = linked.render(fig, 72)[0][..., :3]
    return (pixels < 128).mean() > 0.01  # some dark ink: text and lines


@pytest.mark.filterwarnings("error")
def test_the_graph_figure_draws_at_both_ends_of_the_pass():
    root = fan_out_graph()[-1]
    frames = pass_frames(root)
    edges = [(p.label, n.label) for n in (root, *root._prev) for p in n._prev]
    figure = GraphFigure(POSITIONS, edges)
    for f in (frames[0], frames[-1]):
        fig = figure.draw(
            "title", f["subtitle"], f["values"], f["grads"], f["active"], f["hot"], f["edge_labels"]
        )
        assert not_blank(fig)


@pytest.mark.filterwarnings("error")
def test_the_cost_still_is_one_readable_panel_with_its_numbers():
    n, fd, bp = np.array([9, 369]), np.array([3e-3, 0.15]), np.array([2e-4, 3e-4])
    assert not_blank(cost_figure(n, fd, bp))
    html = cost_static(n, fd, bp).data
    check_panels([html], 1)
    assert "9 to 369 parameters" in html and "0.15 s" in html
