"""The figure recipes behind ``rsmi reproduce`` (reduced sizes; slow)."""

import numpy as np
import pytest

from sklearn_rsmi.physics import CRITICAL_TEMPERATURE, CRITICAL_TEMPERATURE_3D
from sklearn_rsmi.reproduce import reproduce


def test_unknown_figure_is_an_error():
    with pytest.raises(ValueError, match="unknown figure 'fig3'"):
        reproduce("fig3")


@pytest.mark.parametrize("name, match", [("fig2", "no 3D version"), ("fig4", "dimer"),
                                         ("fig6", "dimer")])
def test_square_lattice_and_dimer_figures_are_refused_in_3d(name, match):
    with pytest.raises(ValueError, match=match):
        reproduce(name, dimension=3)


def test_dimension_beyond_three_is_an_error():
    with pytest.raises(ValueError, match="dimension must be 2 .* or 3"):
        reproduce("fig5", dimension=4)


@pytest.mark.slow
def test_fig5_reduced_on_the_cubic_lattice():
    """The flow on 16^3 with 2x2x2 blocks: T_c within 1 % of the published 4.5115."""
    figure, summary = reproduce("fig5", verbose=0, n_jobs=2, dimension=3)
    tc, tc_error = summary["critical_temperature"]
    assert abs(tc / CRITICAL_TEMPERATURE_3D - 1) < 0.01, (tc, tc_error)
    assert figure.axes


@pytest.mark.slow
def test_fig2_reduced():
    """About 20 s: Kadanoff filter uniform, four units on four different spins."""
    figure, summary = reproduce("fig2", verbose=0)
    kadanoff = np.abs(summary["2x2, one hidden unit (paper objective)"]["filters"])
    assert kadanoff.min() > 0.75
    per_spin = np.abs(summary["2x2, four hidden units (exact objective)"]["filters"]).reshape(4, 4)
    assert sorted(per_spin.argmax(axis=1)) == [0, 1, 2, 3]
    boundary = np.abs(summary["4x4, one hidden unit (variational objective)"]["filters"][0])
    interior = np.zeros((4, 4), dtype=bool)
    interior[1:3, 1:3] = True
    assert boundary[~interior].mean() > 2 * boundary[interior].mean()
    assert len(figure.axes) >= 6


def test_fig4_reduced():
    """About 7 s: both filters in span(E_x, E_y), noise sites under 10 % of the largest weight.

    Measured for seed 0: span shares 0.94 and 0.96, noise shares 0.061 and 0.059.
    """
    figure, summary = reproduce("fig4", verbose=0)
    assert np.all(np.array(summary["span_share"]) > 0.8), summary["span_share"]
    assert np.all(np.array(summary["noise_share"]) < 0.1), summary["noise_share"]
    assert 0.2 < summary["mutual_information_bits"] <= 2.0
    assert np.array(summary["filters"]).shape == (2, 8, 8)
    panels = [ax for ax in figure.axes if ax.get_label() != "<colorbar>"]
    assert len(panels) == 2
    for ax in panels:
        assert "span(E_x, E_y)" in ax.get_title()
        assert {c.get_label() for c in ax.collections} >= {"links", "vertices", "faces"}


def test_fig6_reduced():
    """About 6 s: CD-RBMs with 4 or more units put a large share of their weight on the noise
    sites, RSMI's filters almost none.

    Measured for seed 0: RBMs with 1, 2, 4, 8, 16 units 0.00, 0.00, 0.35, 0.56, 0.90; RSMI
    0.001 (0.003 before the cosine schedule). Evenly spread weights would give 0.5.
    """
    figure, summary = reproduce("fig6", verbose=0)
    shares = summary["noise_share"]
    rsmi = shares.pop("RSMI, 2 filters")
    assert rsmi < 0.02
    assert shares["ThetaRBM, 8 units"] > 0.3 and shares["ThetaRBM, 16 units"] > 0.3, shares
    assert np.array(summary["filters"]).shape == (2, 8, 8)
    assert np.array(summary["rbm_components"][8]).shape == (8, 8, 8)
    titles = [ax.get_title() for ax in figure.axes if ax.get_label() != "<colorbar>"]
    assert sum("CD-RBM unit" in t for t in titles) == 8
    assert sum("RSMI filter" in t for t in titles) == 2


@pytest.mark.slow
def test_fig5_reduced():
    """About a minute on two cores: T_c within 2 % and nu within 0.3 of 1."""
    _, summary = reproduce("fig5", verbose=0, n_jobs=2)
    tc, tc_error = summary["critical_temperature"]
    assert abs(tc / CRITICAL_TEMPERATURE - 1) < 0.02
    assert abs(summary["nu_collapse"][0] - 1.0) < 0.3


def test_size_table_is_valid_restructuredtext():
    """The CLI guide sends readers to this table; a misaligned column breaks it."""
    import io

    docutils_core = pytest.importorskip("docutils.core")
    from sklearn_rsmi import reproduce as _reproduce

    doctree = docutils_core.publish_doctree(
        _reproduce.__doc__, settings_overrides={"report_level": 5, "warning_stream": io.StringIO()}
    )
    problems = [node.astext() for node in doctree.findall() if node.tagname == "system_message"]
    assert not problems, problems
    table_rows = [row.astext().split()[0] for row in doctree.findall()
                  if row.tagname == "row"][1:]
    assert table_rows == list(_reproduce.FIGURES)
