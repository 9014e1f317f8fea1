"""Tests of sklearn_rsmi.plotting."""

import subprocess
import sys

import numpy as np
import pytest

from sklearn_rsmi.physics import CRITICAL_TEMPERATURE as TC
from sklearn_rsmi.rg import RGFlowResult


def _result():
    rows = []
    for T in (0.9 * TC, 1.1 * TC):
        for k in range(3):
            T_eff = TC + 2**k * (T - TC)
            rows.append({"temperature": T, "step": k, "effective_temperature": T_eff,
                         "effective_temperature_error": 0.01 * k})
    return RGFlowResult(rows)


def test_importing_plotting_does_not_import_matplotlib():
    code = "import sys, sklearn_rsmi.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_plot_rg_flow_draws_one_line_per_temperature_in_units_of_tc():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_rsmi.plotting import plot_rg_flow

    fig, ax = plt.subplots()
    assert plot_rg_flow(_result(), ax=ax, errorbars=False) is ax
    data_lines = [line for line in ax.get_lines() if list(line.get_ydata()) != [1.0, 1.0]]
    assert len(data_lines) == 2
    expected = {0.9: [0.9, 0.8, 0.6], 1.1: [1.1, 1.2, 1.4]}
    for line in data_lines:
        y = np.asarray(line.get_ydata())
        np.testing.assert_allclose(y, expected[round(y[0], 6)], rtol=1e-12)
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
    # With errors: one errorbar container per starting temperature.
    _, ax = plt.subplots()
    plot_rg_flow(_result(), ax=ax)
    assert len(ax.containers) == 2
    plt.close("all")


def test_plot_rg_flow_skips_infinite_levels_and_rejects_bad_input():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_rsmi.plotting import plot_rg_flow

    rows = [{"temperature": 3.0, "step": k, "effective_temperature": v}
            for k, v in enumerate([3.0, 6.0, np.inf])]
    ax = plot_rg_flow(RGFlowResult(rows))
    data_lines = [line for line in ax.get_lines() if list(line.get_ydata()) != [1.0, 1.0]]
    assert len(data_lines) == 1
    np.testing.assert_allclose(data_lines[0].get_ydata(), [3.0 / TC, 6.0 / TC])
    with pytest.raises(TypeError, match="RGFlowResult"):
        plot_rg_flow(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="critical_temperature"):
        plot_rg_flow(_result(), critical_temperature=0.0)
    plt.close("all")


def test_filters_are_centred_on_zero_one_panel_per_hidden_unit():
    from sklearn_rsmi.plotting import plot_filters

    filters = np.array([[[1.0, -0.5], [0.25, 0.0]], [[-2.0, 0.0], [0.0, 1.0]]])
    axes = plot_filters(filters)
    assert len(axes) == 2
    for ax, expected in zip(axes, filters):
        image = ax.get_images()[0]
        np.testing.assert_allclose(image.get_array(), expected / np.abs(expected).max())
        assert image.norm.vcenter == 0.0 and image.norm.vmin == -image.norm.vmax
        assert ax.get_xlabel() == "x (site)"
    # Chains: one row per unit.
    assert plot_filters(np.array([[1.0, 0.0, 0.0, 1.0]]))[0].get_images()[0].get_array().shape == (1, 4)


@pytest.mark.parametrize("bad, match", [(np.ones(3), "shape"), (np.full((1, 2, 2), np.nan), "NaN")])
def test_bad_filters_are_rejected(bad, match):
    from sklearn_rsmi.plotting import plot_filters

    with pytest.raises(ValueError, match=match):
        plot_filters(bad)


def test_mutual_information_history():
    from sklearn_rsmi.plotting import plot_mutual_information

    ax = plot_mutual_information([0.0, 0.4, 0.5])
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [0.0, 0.4, 0.5])
    assert ax.get_xlabel() == "epoch"
    with pytest.raises(ValueError, match="non-empty 1D"):
        plot_mutual_information([])
