"""Dimer physics: exact counts against enumeration and tables, the electric field and winding
numbers of images against hand-made configurations, and the field patterns of a block."""

import math

import numpy as np
import pytest

from sklearn_rsmi.datasets import make_dimers
from sklearn_rsmi.physics import (
    DIMER_ENTROPY_PER_SITE,
    check_dimer_coverings,
    count_dimer_coverings,
    electric_field,
    winding_numbers,
)


def brute_force_dimer_coverings(Lx, Ly, periodic):
    """Count perfect matchings by backtracking; parallel bonds (sides of 2) counted apart."""
    n = Lx * Ly
    edges = [[] for _ in range(n)]
    for y in range(Ly):
        for x in range(Lx):
            site = y * Lx + x
            for dx, dy in ((1, 0), (0, 1)):
                nx, ny = x + dx, y + dy
                if periodic:
                    nx, ny = nx % Lx, ny % Ly
                elif nx >= Lx or ny >= Ly:
                    continue
                other = ny * Lx + nx
                if other != site:
                    edges[site].append(other)
                    edges[other].append(site)
    covered = [False] * n

    def count():
        try:
            first = covered.index(False)
        except ValueError:
            return 1
        total = 0
        covered[first] = True
        for other in edges[first]:
            if not covered[other]:
                covered[other] = True
                total += count()
                covered[other] = False
        covered[first] = False
        return total

    return count()


def float_open_product(m, n):
    """The open-boundary product (Kasteleyn; Temperley and Fisher), evaluated in floating point."""
    j = np.arange(1, math.ceil(m / 2) + 1)[:, None]
    k = np.arange(1, math.ceil(n / 2) + 1)[None, :]
    return np.prod(4 * np.cos(np.pi * j / (m + 1)) ** 2 + 4 * np.cos(np.pi * k / (n + 1)) ** 2)


@pytest.mark.parametrize("Lx, Ly, count", [(4, 4, 272), (4, 6, 3108), (6, 4, 3108), (6, 6, 90176),
                                           (8, 8, 311853312)])
def test_torus_dimer_counts_match_table(Lx, Ly, count):
    result = count_dimer_coverings(Lx, Ly)
    assert result == count and type(result) is int


@pytest.mark.parametrize("L, count", [(2, 2), (4, 36), (6, 6728), (8, 12988816)])
def test_open_dimer_counts_match_table(L, count):
    assert count_dimer_coverings(L, periodic=False) == count


@pytest.mark.parametrize("Lx, Ly, periodic", [(2, 2, True), (2, 4, True), (4, 4, True),
                                              (4, 4, False), (3, 4, False), (1, 6, False),
                                              (5, 2, False)])
def test_dimer_counts_match_enumeration(Lx, Ly, periodic):
    assert count_dimer_coverings(Lx, Ly, periodic=periodic) == brute_force_dimer_coverings(Lx, Ly, periodic)


def test_exact_dimer_counts_match_float_formulas_and_entropy():
    for m, n in [(5, 8), (7, 10), (12, 12)]:
        exact = count_dimer_coverings(m, n, periodic=False)
        assert exact == pytest.approx(float_open_product(m, n), rel=1e-12)
    catalan = sum((-1) ** k / (2 * k + 1) ** 2 for k in range(200000))
    assert DIMER_ENTROPY_PER_SITE == pytest.approx(catalan / math.pi, rel=1e-10)
    big = count_dimer_coverings(48)  # exact beyond float precision
    assert big > 2**53 and math.log(big) / 48**2 == pytest.approx(catalan / math.pi, abs=2e-3)
    assert count_dimer_coverings(48) % 2 == 0


def test_dimer_counts_odd_sites_and_bad_sizes():
    assert count_dimer_coverings(3) == 0
    assert count_dimer_coverings(5, 7, periodic=False) == 0
    with pytest.raises(ValueError, match="even"):
        count_dimer_coverings(3, 4)
    with pytest.raises(TypeError, match="'Lx' parameter of count_dimer_coverings must be an int"):
        count_dimer_coverings(4.0)
    with pytest.raises(TypeError, match="'Ly' parameter of count_dimer_coverings must be an int"):
        count_dimer_coverings(4, "6")
    with pytest.raises(ValueError, match=r"'Lx' .* in the range \[1, inf\)"):
        count_dimer_coverings(0)
    with pytest.raises(TypeError, match="periodic"):
        count_dimer_coverings(4, periodic="yes")


def _touching_counts(image):
    """Dimers touching each vertex of one (2L, 2L) image, by explicit neighbor lookup."""
    L = image.shape[0] // 2
    counts = np.zeros((L, L), dtype=int)
    for y in range(L):
        for x in range(L):
            counts[y, x] += image[2 * y, 2 * x + 1]  # right link of (y, x)
            counts[y, (x + 1) % L] += image[2 * y, 2 * x + 1]
            counts[y, x] += image[2 * y + 1, 2 * x]  # down link of (y, x)
            counts[(y + 1) % L, x] += image[2 * y + 1, 2 * x]
    return counts


def _assert_coverings(images):
    for s, image in enumerate(images):
        counts = _touching_counts(image)
        assert np.all(counts == 1), f"sample {s} is not a covering: {counts}"


def _columnar(L):
    image = np.zeros((2 * L, 2 * L), dtype=np.int8)
    image[0::2, 1::4] = 1  # bonds (y, x) - (y, x + 1), x even, every row
    return image


def _staggered(L):
    image = np.zeros((2 * L, 2 * L), dtype=np.int8)
    for y in range(L):
        for x in range(y % 2, L, 2):  # each row shifted by one: no flippable plaquette
            image[2 * y, 2 * x + 1] = 1
    return image


def test_check_dimer_coverings_rejects_broken_coverings():
    images = make_dimers(3, 4, random_state=2, cache=False)
    removed = images.copy()
    row, col = np.argwhere(removed[1] * (np.indices(removed[1].shape).sum(axis=0) % 2))[0]
    removed[1, row, col] = 0  # the first occupied link (links are the cells with odd row + col)
    with pytest.raises(ValueError, match=r"configuration 1 .* touches 0 dimers"):
        check_dimer_coverings(removed)

    added = images.copy()
    added[2, 0::2, 1::2] = 1  # every horizontal link occupied: every vertex touches >= 2
    message = r"configuration 2 .*vertex \(y=0, x=0\) touches [234] dimers"
    with pytest.raises(ValueError, match=message):
        check_dimer_coverings(added)

    one_extra = images.copy()
    # Add a single dimer next to an existing one: its two ends touch two dimers.
    cell = (0, 1) if one_extra[0, 0, 1] == 0 else (1, 0)
    one_extra[(0,) + cell] = 1
    with pytest.raises(ValueError, match=r"configuration 0 .* touches 2 dimers"):
        check_dimer_coverings(one_extra)
    check_dimer_coverings(images)  # the originals were not modified


def test_electric_field_is_divergence_free_and_winding_independent_of_cut():
    images = make_dimers(40, 8, random_state=6, cache=False)
    E_x, E_y = electric_field(images)
    divergence = E_x - np.roll(E_x, 1, axis=2) + E_y - np.roll(E_y, 1, axis=1)
    np.testing.assert_allclose(divergence, 0, atol=1e-12)
    column_fluxes = E_x.sum(axis=1)  # one value per cut x
    row_fluxes = E_y.sum(axis=2)  # one value per cut y
    np.testing.assert_allclose(column_fluxes, column_fluxes[:, :1].repeat(8, axis=1), atol=1e-12)
    np.testing.assert_allclose(row_fluxes, row_fluxes[:, :1].repeat(8, axis=1), atol=1e-12)
    windings = winding_numbers(images)
    np.testing.assert_allclose(windings[:, 0], column_fluxes[:, 3])
    np.testing.assert_allclose(windings[:, 1], row_fluxes[:, 5])
    assert np.abs(windings).max() >= 1  # the worms do leave the W = 0 sector


def test_electric_field_values_by_hand():
    image = _columnar(2)[None]  # dimers on bonds (0,0)-(0,1) and (1,0)-(1,1)
    E_x, E_y = electric_field(image)
    # eta = +1 on (0,0), (1,1) and -1 on (0,1), (1,0)
    np.testing.assert_allclose(E_x[0], [[0.75, 0.25], [-0.75, -0.25]])
    np.testing.assert_allclose(E_y[0], [[-0.25, 0.25], [0.25, -0.25]])
    np.testing.assert_array_equal(winding_numbers(image), [[0, 0]])


@pytest.mark.parametrize("L", [2, 4, 8])
def test_staggered_has_maximal_winding_and_columnar_none(L):
    staggered = _staggered(L)
    _assert_coverings(staggered[None])
    W = winding_numbers(np.stack([staggered, staggered.transpose(), _columnar(L), _columnar(L).T]))
    np.testing.assert_array_equal(np.abs(W[0]), [L // 2, 0])
    np.testing.assert_array_equal(np.abs(W[1]), [0, L // 2])
    np.testing.assert_array_equal(W[2:], 0)
    E_x, _ = electric_field(staggered[None])
    assert np.allclose(np.abs(E_x.sum(axis=1)), L / 2)  # |W| = L/2 on every cut
    # No sampled covering exceeds the staggered flux.
    sampled = winding_numbers(make_dimers(200, L, random_state=L, cache=False))
    assert np.abs(sampled).max() <= L // 2


def test_spin_valued_images_are_read_as_occupations():
    images = make_dimers(5, 4, random_state=8, cache=False)
    spins = 2 * images.astype(np.int64) - 1
    np.testing.assert_array_equal(winding_numbers(spins), winding_numbers(images))
    for a, b in zip(electric_field(spins), electric_field(images)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "images, error, message",
    [
        (np.zeros((8, 8)), ValueError, "shape \\(n_samples, 2L, 2L\\).*image\\[None\\]"),
        (np.zeros((2, 8, 6)), ValueError, "shape \\(n_samples, 2L, 2L\\)"),
        (np.zeros((2, 6, 6)), ValueError, "L = 3, which is odd"),
        (np.zeros((2, 2, 2)), ValueError, "L even and >= 2"),
        (np.full((1, 8, 8), 2), ValueError, "binary"),
        (np.full((1, 8, 8), np.nan), ValueError, "NaN"),
        (np.full((1, 8, 8), "a"), TypeError, "numeric"),
    ],
)
@pytest.mark.parametrize("function", [check_dimer_coverings, electric_field, winding_numbers])
def test_observables_reject_bad_images(function, images, error, message):
    with pytest.raises(error, match=message):
        function(images)


def test_winding_numbers_refuse_non_coverings_and_nothing_is_modified():
    images = make_dimers(4, 4, noise_coupling=1.0, random_state=15, cache=False)
    broken = images.copy()
    broken[3] = 0
    before = broken.copy()
    electric_field(broken)  # any link pattern has a field
    with pytest.raises(ValueError, match="configuration 3 is not a dimer covering"):
        winding_numbers(broken)
    np.testing.assert_array_equal(broken, before)


def test_dimer_block_patterns_are_the_staggered_fields():
    from sklearn_rsmi.physics import dimer_block_patterns

    patterns, noise = dimer_block_patterns(8)
    assert noise.sum() == 32 and not np.any(patterns[:, noise])
    for mu, (r0, c0) in enumerate([(0, 1), (1, 0)]):  # E_x on horizontal, E_y on vertical links
        expected = np.zeros((8, 8))
        for y in range(4):
            for x in range(4):
                expected[2 * y + r0, 2 * x + c0] = (-1.0) ** (x + y)
        np.testing.assert_array_equal(patterns[mu], expected)
