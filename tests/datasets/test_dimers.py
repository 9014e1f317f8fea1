"""The dimer sampler, against exact enumeration, transfer matrices and the exact winding
distribution; its noise spins, caching and progress lines."""

import os
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chisquare

from sklearn_rsmi.datasets import _dimer_kernels, make_dimers
from sklearn_rsmi.physics import check_dimer_coverings, winding_numbers


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


def _ring_tilings(free, L):
    """Horizontal tilings of the free vertices of a periodic row; for each, is bond (0, 1) used."""
    if free == (1 << L) - 1:
        return [1, 0]
    start = next(v for v in range(L) if not (free >> v) & 1)
    segments, current = [], []
    for i in range(1, L + 1):
        v = (start + i) % L
        if (free >> v) & 1:
            current.append(v)
        else:
            segments.append(current)
            current = []
    if any(len(seg) % 2 for seg in segments):
        return []
    uses_01 = any(
        seg[i] == 0 and seg[i + 1] == 1 for seg in segments for i in range(0, len(seg), 2)
    )
    return [int(uses_01)]


def _exact_winding_distribution(L):
    """Number of coverings and P(W_x) on the L x L torus, by a row transfer matrix.

    The state is the set of vertices of a row already covered from the row above. The flux
    through the cut at x = 0 gets eta = (-1)^y from every horizontal dimer on bond (y, 0)-(y, 1)
    (the -1/4 terms cancel over an even column), so a generating variable z marks it, and a
    discrete Fourier transform over z on the unit circle separates the winding sectors.
    """
    n = 1 << L
    A0 = np.zeros((n, n))
    A1 = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            if a & b:
                continue
            for uses_01 in _ring_tilings((n - 1) & ~(a | b), L):
                (A1 if uses_01 else A0)[a, b] += 1
    M = 2 * L + 2
    zs = np.exp(2j * np.pi * np.arange(M) / M)
    Z = np.array(
        [np.trace(np.linalg.matrix_power((A0 + z * A1) @ (A0 + A1 / z), L // 2)) for z in zs]
    )
    W = np.arange(-(L // 2), L // 2 + 1)
    counts = np.array([(Z * zs ** (-w)).sum().real / M for w in W])
    return round(Z[0].real), W, counts / counts.sum()


def _covering_frequencies(images):
    keys = np.packbits(images.reshape(len(images), -1), axis=1)
    _, counts = np.unique(keys, axis=0, return_counts=True)
    return counts


_PROGRESS = re.compile(r"^\[make_dimers\] (\d+)/(\d+) samples, \d+\.\d s$", re.MULTILINE)


def test_samples_are_coverings_checked_independently():
    images = make_dimers(50, 6, noise_coupling=0.7, random_state=1, cache=False)
    assert images.shape == (50, 12, 12) and images.dtype == np.int8
    assert set(np.unique(images)) <= {0, 1}
    _assert_coverings(images)
    check_dimer_coverings(images)


def test_neighbor_table():
    neighbors = _dimer_kernels.neighbor_table(4)
    # (0,0): right (0,1), down (1,0), left (0,3), up (3,0)
    assert neighbors[0].tolist() == [1, 4, 3, 12]
    assert neighbors[15].tolist() == [12, 3, 14, 11]  # (3,3): right (3,0), down (0,3), ...
    for d in range(4):  # stepping back undoes a step
        np.testing.assert_array_equal(neighbors[neighbors[:, d], (d + 2) % 4], np.arange(16))


def test_every_worm_leaves_a_covering():
    _dimer_kernels.seed_numba(7)
    partner = _dimer_kernels.columnar_covering(6)
    neighbors = _dimer_kernels.neighbor_table(6)
    image = np.zeros((12, 12), dtype=np.int8)
    lengths = []
    for _ in range(300):
        lengths.append(_dimer_kernels.worm_update(partner, neighbors))
        assert partner.min() >= 0
        _dimer_kernels.covering_to_image(partner, image)
        assert np.all(_touching_counts(image) == 1)
    assert min(lengths) >= 1 and max(lengths) > 3


@settings(max_examples=15)
@given(
    n_samples=st.integers(1, 12),
    cuts=st.lists(st.integers(1, 11), max_size=6),
    seed=st.integers(0, 2**31 - 2),
)
def test_recording_in_any_chunks_gives_the_single_call_images(n_samples, cuts, seed):
    L = 4
    state = _dimer_kernels.start_dimer_chain(L, 20, seed)
    images = np.zeros((n_samples, 2 * L, 2 * L), dtype=np.int8)
    bounds = [0, *sorted({cut for cut in cuts if cut < n_samples}), n_samples]
    for first, stop in zip(bounds, bounds[1:]):
        _dimer_kernels.record_dimer_images(*state, 3, images, first, stop)
    single = _dimer_kernels.sample_dimer_images(L, n_samples, 20, 3, seed)
    np.testing.assert_array_equal(images, single)


def test_burn_in_zero_starts_columnar():
    images = make_dimers(1, 8, n_burn_in=0, random_state=0, cache=False)
    np.testing.assert_array_equal(images[0], _columnar(8))


@settings(max_examples=12)
@given(
    L=st.sampled_from([2, 4, 6, 8]),
    n_samples=st.integers(1, 3),
    seed=st.integers(0, 2**31 - 2),
    noise=st.one_of(st.none(), st.floats(0, 5)),
)
def test_any_even_size_and_seed_gives_valid_coverings(L, n_samples, seed, noise):
    images = make_dimers(n_samples, L, noise_coupling=noise, random_state=seed, cache=False)
    assert images.shape == (n_samples, 2 * L, 2 * L)
    assert images.dtype == np.int8
    assert np.isin(images, (0, 1)).all()
    _assert_coverings(images)
    if noise is None:
        assert not images[:, 0::2, 0::2].any() and not images[:, 1::2, 1::2].any()


@pytest.mark.parametrize("L, n_coverings, n_samples", [(2, 8, 8000), (4, 272, 80000)])
def test_all_coverings_equally_likely(L, n_coverings, n_samples):
    images = make_dimers(n_samples, L, random_state=3, cache=False)
    counts = _covering_frequencies(images)
    assert len(counts) == n_coverings  # exact counts (Kasteleyn), and the transfer matrix below
    assert chisquare(counts).pvalue > 1e-3


def test_transfer_matrix_reproduces_known_counts():
    # Guards the independent reference used below (Kasteleyn's counts).
    assert _exact_winding_distribution(4)[0] == 272
    assert _exact_winding_distribution(6)[0] == 90176


def test_winding_distribution_matches_exact_finite_size_result():
    L = 8
    n_coverings, W, exact = _exact_winding_distribution(L)
    assert n_coverings == 311853312
    images = make_dimers(12000, L, random_state=4, cache=False)
    windings = winding_numbers(images)
    for column in (0, 1):  # W_x and W_y
        w = windings[:, column]
        # Sectors with |W| >= 3 have exact probability < 1e-5: test |W| <= 2.
        sectors = np.abs(W) <= 2
        observed = np.array([(w == k).sum() for k in W[sectors]])
        assert observed.sum() >= len(w) - 2
        expected = exact[sectors] / exact[sectors].sum() * observed.sum()
        stat = chisquare(observed, expected)
        assert stat.pvalue > 1e-3
    # The Gaussian height-field limit gives P(0) ~ 0.70, P(+-1) ~ 0.15, <W^2> ~ 0.30 on large tori
    # (exp(-pi W^2 / 2): 0.7045, 0.1465, 0.303); the exact 8 x 8 values are 0.7113, 0.1424,
    # 0.3006, well within these tolerances (the standard error of P(0) here is 0.003).
    w = windings.ravel()
    assert abs(np.mean(w == 0) - 0.70) < 0.025
    assert abs(np.mean(w == 1) - 0.15) < 0.015
    assert abs(np.mean(w == -1) - 0.15) < 0.015
    assert abs(np.mean(w**2) - 0.30) < 0.03


@pytest.mark.slow
def test_winding_distribution_at_large_size_matches_reference():
    images = make_dimers(4000, 32, random_state=5, cache=False)
    w = winding_numbers(images).ravel()
    assert abs(np.mean(w == 0) - 0.7045) < 0.02
    assert abs(np.mean(np.abs(w) == 1) / 2 - 0.1465) < 0.01
    assert abs(np.mean(w**2) - 0.303) < 0.03


@pytest.mark.parametrize("K", [0.4, 1.3])
def test_noise_pairs_agree_with_the_right_frequency_and_ignore_the_dimers(K):
    images = make_dimers(2000, 8, noise_coupling=K, random_state=9, cache=False)
    vertex = images[:, 0::2, 0::2].astype(float)
    face = images[:, 1::2, 1::2].astype(float)
    agree = (vertex == face).astype(float)
    n = agree.size
    p = (1 + np.tanh(K)) / 2
    assert abs(agree.mean() - p) < 4 * np.sqrt(p * (1 - p) / n)
    assert abs(vertex.mean() - 0.5) < 4 * 0.5 / np.sqrt(n)
    assert abs(face.mean() - 0.5) < 4 * 0.5 / np.sqrt(n)

    def corr(a, b):
        a = a.ravel() - a.mean()
        b = b.ravel() - b.mean()
        return (a @ b) / np.sqrt((a @ a) * (b @ b))

    tolerance = 4 / np.sqrt(n)
    right_link = images[:, 0::2, 1::2].astype(float)  # link to the right of the vertex
    down_link = images[:, 1::2, 0::2].astype(float)
    for noise in (vertex, face, agree):
        assert abs(corr(noise, right_link)) < tolerance
        assert abs(corr(noise, down_link)) < tolerance
    # Pairs are independent of each other: neighboring vertex spins, and a face with the next
    # pair's vertex.
    assert abs(corr(vertex, np.roll(vertex, 1, axis=2))) < tolerance
    assert abs(corr(face, np.roll(vertex, -1, axis=2))) < tolerance


def test_noise_limits_and_unchanged_dimers():
    """Locked pairs (K = inf) agree always, and each pair is still up with probability 1/2:
    400 samples of 16 pairs pin the up-fraction to 0.0125 (one standard error), so a
    sampler that favors up (or down) by more than 0.05 fails."""
    plain = make_dimers(400, 4, random_state=10, cache=False)
    assert not plain[:, 0::2, 0::2].any() and not plain[:, 1::2, 1::2].any()
    locked = make_dimers(400, 4, noise_coupling=np.inf, random_state=10, cache=False)
    np.testing.assert_array_equal(locked[:, 0::2, 0::2], locked[:, 1::2, 1::2])
    assert abs(locked[:, 0::2, 0::2].mean() - 0.5) < 4 * 0.5 / np.sqrt(400 * 16)
    free = make_dimers(400, 4, noise_coupling=0.0, random_state=10, cache=False)
    # The noise draws use their own seed: the dimers are the same with or without it.
    for noisy in (locked, free):
        np.testing.assert_array_equal(noisy[:, 0::2, 1::2], plain[:, 0::2, 1::2])
        np.testing.assert_array_equal(noisy[:, 1::2, 0::2], plain[:, 1::2, 0::2])


def test_same_random_state_same_output():
    a = make_dimers(10, 6, noise_coupling=1.0, random_state=11, cache=False)
    b = make_dimers(10, 6, noise_coupling=1.0, random_state=11, cache=False)
    c = make_dimers(10, 6, noise_coupling=1.0, random_state=12, cache=False)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    d = make_dimers(10, 6, noise_coupling=1.0, random_state=np.random.RandomState(11), cache=False)
    e = make_dimers(10, 6, noise_coupling=1.0, random_state=np.random.RandomState(11), cache=False)
    np.testing.assert_array_equal(d, e)


def test_cache_returns_equal_arrays_without_sampling_again(tmp_path, monkeypatch):
    kwargs = dict(noise_coupling=0.5, random_state=13, data_home=tmp_path)
    first = make_dimers(30, 6, **kwargs)
    assert os.listdir(tmp_path / "joblib")

    def forbidden(*args):
        raise AssertionError("the sampler ran although the result is cached")

    monkeypatch.setattr(_dimer_kernels, "start_dimer_chain", forbidden)
    np.testing.assert_array_equal(make_dimers(30, 6, **kwargs), first)
    # Every parameter is part of the key: a change is not served from the cache.
    for changed in (dict(n_between=0.5), dict(noise_coupling=0.6), dict(random_state=14)):
        with pytest.raises(AssertionError, match="sampler ran"):
            make_dimers(30, 6, **{**kwargs, **changed})
    with pytest.raises(AssertionError, match="sampler ran"):
        make_dimers(31, 6, **kwargs)


def test_no_cache_without_seed_or_when_disabled(tmp_path):
    make_dimers(3, 4, data_home=tmp_path)
    make_dimers(3, 4, random_state=0, data_home=tmp_path, cache=False)
    assert not (tmp_path / "joblib").exists()


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((10, 5), {}, ValueError, "lattice_size must be even.*odd number"),
        ((10, 0), {}, ValueError, r"'lattice_size' .* in the range \[2, inf\)"),
        ((10, 4.0), {}, TypeError, "'lattice_size' parameter of make_dimers must be an int"),
        ((0, 4), {}, ValueError, r"'n_samples' .* in the range \[1, inf\)"),
        ((2.5, 4), {}, TypeError, "'n_samples' parameter of make_dimers must be an int"),
        ((2, 4), {"noise_coupling": -0.1}, ValueError, "'noise_coupling' parameter"),
        ((2, 4), {"noise_coupling": float("nan")}, ValueError, "'noise_coupling' parameter"),
        ((2, 4), {"noise_coupling": "strong"}, TypeError, "'noise_coupling' parameter"),
        ((2, 4), {"n_between": 0}, ValueError, r"'n_between' .* in the range \(0.0, inf\)"),
        ((2, 4), {"n_between": "often"}, ValueError, r"'n_between' .* \{'auto'\}"),
        ((2, 4), {"return_statistics": 1.0}, TypeError, "'return_statistics' parameter"),
        ((2, 4), {"n_burn_in": -1}, ValueError, r"'n_burn_in' .* in the range \[0.0, inf\)"),
        ((2, 4), {"n_burn_in": float("inf")}, ValueError, "'n_burn_in' parameter"),
        ((2, 4), {"cache": "yes"}, TypeError, "'cache' parameter"),
        ((2, 4), {"verbose": -2}, ValueError, "'verbose' parameter"),
        ((2, 4), {"verbose": 0.5}, TypeError, "'verbose' parameter"),
    ],
)
def test_make_dimers_rejects_bad_parameters(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        make_dimers(*args, **kwargs)


def test_winding_classification_labels_the_flux_sign():
    from sklearn_rsmi.datasets import make_winding_classification

    images, y = make_winding_classification(300, 8, noise_coupling=1.0, random_state=4)
    flux = winding_numbers(images)[:, 0]
    assert images.shape == (300, 16, 16) and y.shape == (300,)
    assert np.all(flux != 0)
    np.testing.assert_array_equal(y, (flux > 0).astype(int))
    # Reflection x -> -x maps W_x to -W_x: the classes are equally likely (binomial 3 sigma).
    assert abs(y.mean() - 0.5) < 3 * 0.5 / np.sqrt(300)
    # Noise sites are present and the same seed gives the same data.
    assert images[:, 0::2, 0::2].any()
    again, y_again = make_winding_classification(300, 8, noise_coupling=1.0, random_state=4)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(y_again, y)


@pytest.mark.parametrize("n_samples", [3, 23])
def test_verbose_reports_progress_and_leaves_the_noisy_images_alone(n_samples, capsys):
    kwargs = dict(noise_coupling=0.8, n_burn_in=0.5, random_state=8, cache=False)
    quiet = make_dimers(n_samples, 6, **kwargs)
    assert capsys.readouterr().out == ""
    loud = make_dimers(n_samples, 6, verbose=1, **kwargs)
    out = capsys.readouterr().out
    np.testing.assert_array_equal(loud, quiet)
    lines = out.splitlines()
    assert re.fullmatch(r"\[make_dimers\] burn-in done \(18 worms\), \d+\.\d s", lines[0])
    done = [int(k) for k, _ in _PROGRESS.findall(out)]
    assert len(done) == len(lines) - 1 == min(n_samples, 10) and done[-1] == n_samples


def test_verbose_is_not_part_of_the_cache_key(tmp_path, capsys, monkeypatch):
    kwargs = dict(noise_coupling=0.5, random_state=21, data_home=tmp_path)
    first = make_dimers(9, 4, verbose=1, **kwargs)
    assert len(_PROGRESS.findall(capsys.readouterr().out)) == 9

    def forbidden(*args):
        raise AssertionError("the sampler ran although the result is cached")

    monkeypatch.setattr(_dimer_kernels, "start_dimer_chain", forbidden)
    np.testing.assert_array_equal(make_dimers(9, 4, **kwargs), first)
    assert capsys.readouterr().out == ""
    np.testing.assert_array_equal(make_dimers(9, 4, verbose=2, **kwargs), first)
    out = capsys.readouterr().out
    assert out.startswith(f"[make_dimers] 9 samples from the cache in {tmp_path / 'joblib'}, ")
    assert len(out.splitlines()) == 1


# ---------------------------------------------------------------------------
# n_between="auto" and the statistics record


def test_kernel_windings_agree_with_the_physics_module():
    for L, seed in ((4, 0), (6, 1), (8, 2)):
        partner_direction, neighbors = _dimer_kernels.start_dimer_chain(L, 50 * L * L, seed)
        image = np.zeros((2 * L, 2 * L), dtype=np.int8)
        _dimer_kernels.covering_to_image(partner_direction, image)
        expected = winding_numbers(image[None])[0]
        assert _dimer_kernels.covering_windings(partner_direction, L) == tuple(expected)


def test_auto_spacing_and_statistics():
    images, stats = make_dimers(40, 8, n_between="auto", random_state=3, cache=False,
                                return_statistics=True)
    _assert_coverings(images)
    assert stats.algorithm == "worm" and stats.unit == "worms per site"
    assert set(stats.autocorrelation_times) == {"winding_x", "winding_y"}
    slowest = max(t.tau_int for t in stats.autocorrelation_times.values())
    assert stats.n_between * 64 == max(1, int(np.ceil(3.0 * slowest * 64 - 1e-9)))
    assert stats.n_calibration == pytest.approx(10.0, rel=0.05)
    assert stats.move_statistics["mean_worm_length"] >= 1.0
    windings = winding_numbers(images)
    assert stats.observables["winding_x"].mean == pytest.approx(windings[:, 0].mean())
    assert stats.observables["winding_y"].mean == pytest.approx(windings[:, 1].mean())
    again = make_dimers(40, 8, n_between="auto", random_state=3, cache=False)
    np.testing.assert_array_equal(images, again)


def test_fixed_spacing_has_no_calibration():
    _, stats = make_dimers(10, 4, random_state=0, cache=False, return_statistics=True)
    assert stats.autocorrelation_times == {} and stats.n_calibration == 0
    assert stats.n_between == pytest.approx(0.25)


def test_unconverged_calibration_warns(monkeypatch):
    from sklearn_rsmi.datasets import _dimers

    monkeypatch.setattr(_dimers, "_CALIBRATION_WORMS_PER_SITE", 0.05)
    with pytest.warns(Warning, match=r"winding_[xy] did not converge within the calibration "
                      r"stretch of .* needs a stretch of at least"):
        make_dimers(3, 16, n_between="auto", random_state=0, cache=False)
