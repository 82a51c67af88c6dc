"""The test suite's one criterion for "this gradient matches finite differences"."""

import numpy as np

from backprop.gradcheck import rel_error


def assert_gradient(analytic, numeric):
    """rel_error < 1e-7 on entries with |a| + |n| >= 1e-2; absolute error < 1e-9 on smaller ones.

    With eps = 1e-5, central differences of the losses tested here carry an absolute error of up
    to ~1e-10 (round-off ulp(L)/eps, plus truncation eps^2 |L'''|/6). That is a 1e-7 relative
    error only for entries of 1e-3 or more, and random parameters put some gradient entries
    below that (products of small factors), so entries under 1e-2 are compared in absolute
    terms. (Over 1400 random RNN problems the worst error on this scale was 1.4e-8.)
    """
    assert analytic.shape == numeric.shape, (analytic.shape, numeric.shape)
    big = np.abs(analytic) + np.abs(numeric) >= 1e-2
    if big.any():
        assert rel_error(analytic[big], numeric[big]) < 1e-7
    assert np.max(np.abs(analytic - numeric)[~big], initial=0.0) < 1e-9
