"""The figure recipes behind ``rsmi reproduce`` (reduced sizes; slow)."""

import numpy as np
import pytest

from sklearn_rsmi._reproduce import reproduce
from sklearn_rsmi.physics import CRITICAL_TEMPERATURE


def test_unknown_figure_is_an_error():
    with pytest.raises(ValueError, match="unknown figure 'fig3'"):
        reproduce("fig3")


@pytest.mark.slow
def test_fig2_reduced():
    """About 20 s: Kadanoff filter uniform, four units on four different spins."""
    figure, summary = reproduce("fig2", verbose=0)
    kadanoff = np.abs(summary["2x2, one hidden unit (paper estimator)"]["filters"])
    assert kadanoff.min() > 0.75
    per_spin = np.abs(summary["2x2, four hidden units (exact estimator)"]["filters"]).reshape(4, 4)
    assert sorted(per_spin.argmax(axis=1)) == [0, 1, 2, 3]
    assert len(figure.axes) >= 6


@pytest.mark.slow
def test_fig5_reduced():
    """About a minute on two cores: T_c within 2 % and nu within 0.3 of 1."""
    _, summary = reproduce("fig5", verbose=0, n_jobs=2)
    tc, tc_error = summary["critical_temperature"]
    assert abs(tc / CRITICAL_TEMPERATURE - 1) < 0.02
    assert abs(summary["nu_collapse"][0] - 1.0) < 0.3
