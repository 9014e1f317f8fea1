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
    with pytest.raises(TypeError, match="'result' parameter of plot_rg_flow must be an object implementing 'flow'"):
        plot_rg_flow(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="critical_temperature"):
        plot_rg_flow(_result(), critical_temperature=0.0)
    plt.close("all")


def test_filters_are_centered_on_zero_one_panel_per_hidden_unit():
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


def test_cubic_filters_are_drawn_as_z_slices_one_row_per_unit():
    from sklearn_rsmi.plotting import plot_filters

    rng = np.random.default_rng(0)
    filters = rng.normal(size=(2, 3, 2, 4))  # two units of a 3x2x4 block
    axes = plot_filters(filters)
    assert len(axes) == 6
    # the figure's grid: a row per unit, a column per slice
    positions = sorted({(round(ax.get_position().y0, 3), round(ax.get_position().x0, 3))
                        for ax in axes})
    assert len({y for y, _ in positions}) == 2 and len({x for _, x in positions}) == 3
    for j in range(2):
        scale = np.abs(filters[j]).max()  # one scale per unit, over all its slices
        for k in range(3):
            ax = axes[3 * j + k]
            np.testing.assert_allclose(ax.get_images()[0].get_array(), filters[j, k] / scale)
            assert ax.get_title() == f"unit {j}, z = {k}"
            assert ax.get_ylabel() == ("y (site)" if k == 0 else "")
    raw = plot_filters(filters, normalize=False, colorbar=False)
    np.testing.assert_allclose(raw[4].get_images()[0].get_array(), filters[1, 1])
    with pytest.raises(ValueError, match="6 filter panels need as many axes, got 2"):
        plot_filters(filters, axes=axes[:2])
    with pytest.raises(ValueError, match=r"lattice='dimer' needs 2D blocks"):
        plot_filters(np.ones((1, 2, 2, 2)), lattice="dimer")


@pytest.mark.parametrize("n_sites", [2, 8, 12, 13, 32, 64])
def test_filter_ticks_stay_readable(n_sites):
    """A tick per site on small blocks, at most about eight on large ones, always from 0."""
    from sklearn_rsmi.plotting import plot_filters

    ax = plot_filters(np.ones((1, n_sites, n_sites)))[0]
    for ticks in (ax.get_xticks(), ax.get_yticks()):
        assert ticks[0] == 0 and np.all(ticks < n_sites)
        if n_sites <= 12:
            np.testing.assert_array_equal(ticks, np.arange(n_sites))
        else:
            assert 4 <= len(ticks) <= 9


@pytest.mark.parametrize("bad, match", [(np.ones(3), "shape"), (np.ones((1, 2, 2, 2, 2)), "shape"),
                                        (np.full((1, 2, 2), np.nan), "NaN")])
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


def _dimer_test_filter():
    """A 4x4 dimer block (2x2 vertices) with a distinct weight on every cell, largest 16."""
    return np.arange(1.0, 17.0).reshape(1, 4, 4) * np.where(np.arange(16) % 3, 1, -1).reshape(4, 4)


def test_dimer_filters_are_drawn_on_links_vertices_and_faces():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import colormaps

    from sklearn_rsmi.plotting import plot_filters

    filters = _dimer_test_filter()
    ax = plot_filters(filters, lattice="dimer")[0]
    cells = {c.get_label(): c for c in ax.collections}
    grid = filters[0] / 16.0
    rows, cols = np.indices((4, 4))
    vertex, face = (rows % 2 == 0) & (cols % 2 == 0), (rows % 2 == 1) & (cols % 2 == 1)
    np.testing.assert_allclose(cells["links"].get_array(), grid[~(vertex | face)])
    np.testing.assert_allclose(cells["vertices"].get_array(), grid[vertex])
    np.testing.assert_allclose(cells["faces"].get_array(), grid[face])
    # Geometry, in lattice spacings with y down: the link cells in C order, (0, 1), (0, 3),
    # (1, 0), (1, 2), (2, 1), (2, 3), (3, 0), (3, 2), are these bonds from (x0, y0) to (x1, y1).
    bonds = [(0, 0, 1, 0), (1, 0, 2, 0), (0, 0, 0, 1), (1, 0, 1, 1),
             (0, 1, 1, 1), (1, 1, 2, 1), (0, 1, 0, 2), (1, 1, 1, 2)]
    for path, (x0, y0, x1, y1) in zip(cells["links"].get_paths(), bonds, strict=True):
        (left, top), (right, bottom) = path.vertices.min(axis=0), path.vertices.max(axis=0)
        np.testing.assert_allclose([(left + right) / 2, (top + bottom) / 2],
                                   [(x0 + x1) / 2, (y0 + y1) / 2])
        along, across = (right - left, bottom - top) if y0 == y1 else (bottom - top, right - left)
        assert 0.5 < along < 1.0 and across < 0.5 * along  # a bar between the two vertices
    centers = [p.vertices.mean(axis=0) for p in cells["faces"].get_paths()]
    np.testing.assert_allclose(np.round(centers, 6), [[0.5, 0.5], [1.5, 0.5], [0.5, 1.5],
                                                      [1.5, 1.5]], atol=0.05)
    # Colors: the diverging map centered on zero, the largest weight at its end.
    ax.figure.canvas.draw()
    norm = cells["links"].norm
    assert norm.vcenter == 0.0 and norm.vmin == -norm.vmax == -1.0
    expected = colormaps["RdBu_r"](norm(cells["links"].get_array()))
    np.testing.assert_allclose(cells["links"].get_facecolors(), expected)
    # The whole lattice in view, y pointing down as in the image; both axes labeled.
    assert ax.get_xlim() == pytest.approx((-0.4, 2.4))
    assert ax.get_ylim() == pytest.approx((2.4, -0.4))
    assert ax.get_xlabel() == "x (vertex)" and ax.get_ylabel() == "y (vertex)"
    plt.close("all")


def test_dimer_noise_cells_with_zero_weight_are_pale_but_outlined():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_rsmi.plotting import plot_filters

    filters = np.zeros((2, 4, 4))
    filters[:, 0, 1] = [1.0, -3.0]  # one link each; vertices and faces hold no weight
    axes = plot_filters(filters, lattice="dimer", colorbar=False)
    axes[0].figure.canvas.draw()
    for ax, sign in zip(axes, (1, -1)):
        cells = {c.get_label(): c for c in ax.collections}
        for name in ("vertices", "faces"):
            colors = cells[name].get_facecolors()[:, :3]
            assert np.all(colors > 0.9), (name, colors)  # near white: the map's center
            assert np.all(cells[name].get_edgecolors()[:, :3] < 0.8)  # still visible
        strong = cells["links"].get_facecolors()[0, :3]
        assert (strong[0] > strong[2]) == (sign > 0)  # red for +, blue for -
    plt.close("all")


@pytest.mark.parametrize("bad, lattice, match", [
    (np.ones((1, 3, 4)), "dimer", "even sides"),
    (np.ones((1, 4)), "dimer", "2D blocks"),
    (np.ones((1, 4, 4)), "kagome", "'lattice' parameter of plot_filters must be a str among"),
])
def test_bad_lattice_is_rejected(bad, lattice, match):
    from sklearn_rsmi.plotting import plot_filters

    with pytest.raises(ValueError, match=match):
        plot_filters(bad, lattice=lattice)


def test_the_flow_plot_names_its_starting_temperatures():
    """rg_flow.png had no legend: its lines could not be told apart."""
    import matplotlib

    matplotlib.use("Agg")
    from sklearn_rsmi.plotting import plot_rg_flow
    from sklearn_rsmi.rg import RGFlowResult

    rows = [{"temperature": T, "step": k, "effective_temperature": 2.27 + 2**k * (T - 2.27)}
            for T in (2.2, 2.3) for k in range(3)]
    ax = plot_rg_flow(RGFlowResult(rows))
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == [f"T = {T / 2.269185314213022:.3f} T_c" for T in (2.2, 2.3)]
    assert plot_rg_flow(RGFlowResult(rows), legend=False).get_legend() is None


def test_a_title_over_the_filters_does_not_cover_the_panels():
    """rsmi fit's filters.png had its title over the first panel's title."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sklearn_rsmi.plotting import plot_filters

    axes = plot_filters(np.ones((2, 2, 2)))
    figure = axes[0].figure
    title = figure.suptitle("RSMI filters, I(H:E) = 0.573 bits")
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    top = title.get_window_extent(renderer)
    for ax in axes:
        assert not top.overlaps(ax.title.get_window_extent(renderer))
    plt.close(figure)
