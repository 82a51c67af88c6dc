"""Tests of backprop.cnn_plots: bad input to the figures gets a clear error."""

import pytest

from backprop.cnn_plots import FeatureFigure


def test_feature_figure_refuses_more_filters_than_a_panel_holds():
    FeatureFigure(8, 3, 8, 10, "tanh")  # two rows of four tiles
    with pytest.raises(ValueError, match="at most 8 filters .* got 9"):
        FeatureFigure(9, 3, 8, 10, "tanh")
