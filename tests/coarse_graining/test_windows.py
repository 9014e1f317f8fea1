"""V/B/E window geometry, periodic window cutting and block tiling, against independent
computations: explicit box membership, brute-force distances, np.pad/np.tile/np.roll."""

import itertools
import math
import pickle
import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_rsmi.coarse_graining import _windows as _regions
from sklearn_rsmi.coarse_graining._windows import WindowGeometry, tile_blocks
from tests._helpers import random_anchors, untile_blocks

# ---------------------------------------------------------------------------
# strategies


@st.composite
def geometries(draw, ndim=None):
    if ndim is None:
        ndim = draw(st.sampled_from([1, 2, 3]))
    # Cubic windows grow as the cube of their side: smaller ranges keep the brute-force
    # references below (a Python loop over window sites) fast.
    largest = 3 if ndim < 3 else 2
    unit_cell = tuple(draw(st.integers(1, largest)) for _ in range(ndim))
    visible_shape = tuple(c * draw(st.integers(1, largest)) for c in unit_cell)
    buffer_width = draw(st.integers(0, largest - 1))
    environment_width = draw(st.integers(1, 2 if ndim < 3 else 1))
    passed_cell = None if all(c == 1 for c in unit_cell) and draw(st.booleans()) else unit_cell
    passed_shape = visible_shape[0] if ndim == 1 and draw(st.booleans()) else visible_shape
    return WindowGeometry.from_params(passed_shape, buffer_width, environment_width, passed_cell)


@st.composite
def geometry_and_lattice(draw, ndim=None):
    geometry = draw(geometries(ndim))
    lattice = []
    for side, cell in zip(geometry.window_shape, geometry.unit_cell):
        smallest = -(-side // cell) * cell
        lattice.append(smallest + cell * draw(st.integers(0, 2 if geometry.ndim < 3 else 1)))
    return geometry, tuple(lattice)


def coordinate_lattice(n_samples, lattice_shape):
    """Samples whose value at each site is its flat index in the whole array."""
    return np.arange(n_samples * math.prod(lattice_shape)).reshape(n_samples, *lattice_shape)


def reference_window(X_sample, anchor, geometry):
    """V and E of one window, by padding periodically and testing box membership."""
    margin = geometry.buffer_width + geometry.environment_width
    # A whole extra lattice on the far side, so that windows anchored anywhere fit.
    padded = np.pad(X_sample, [(margin, margin + size) for size in X_sample.shape], mode="wrap")
    # Padded index p is lattice index p - margin, so the window starting at anchor - margin
    # starts at padded index anchor.
    window = padded[tuple(slice(a, a + w) for a, w in zip(anchor, geometry.window_shape))]
    V, E = [], []
    for site in itertools.product(*(range(w) for w in geometry.window_shape)):
        in_visible = all(margin <= s < margin + v for s, v in zip(site, geometry.visible_shape))
        in_inner_box = all(
            margin - geometry.buffer_width <= s < margin + v + geometry.buffer_width
            for s, v in zip(site, geometry.visible_shape)
        )
        if in_visible:
            V.append(window[site])
        elif not in_inner_box:
            E.append(window[site])
    return np.array(V), np.array(E)


def anchors_for(draw, geometry, lattice, n):
    return np.array(
        [[draw(st.integers(0, size - 1)) for size in lattice] for _ in range(n)], dtype=np.int64
    ).reshape(n, geometry.ndim)


# ---------------------------------------------------------------------------
# geometry


@given(geometries())
def test_regions_partition_the_window(geometry):
    v = np.array(geometry.visible_shape)
    b, e = geometry.buffer_width, geometry.environment_width
    window = v + 2 * (b + e)
    assert geometry.window_shape == tuple(window)
    assert geometry.n_visible == np.prod(v) == len(geometry.visible_offsets)
    assert geometry.n_buffer == np.prod(v + 2 * b) - np.prod(v) == len(geometry.buffer_offsets)
    assert geometry.n_environment == np.prod(window) - np.prod(v + 2 * b)
    assert geometry.n_environment == len(geometry.environment_offsets)

    regions = [
        {tuple(o) for o in offsets}
        for offsets in (geometry.visible_offsets, geometry.buffer_offsets,
                        geometry.environment_offsets)
    ]
    assert sum(len(r) for r in regions) == np.prod(window)  # no duplicates inside a region
    assert not (regions[0] & regions[1] or regions[0] & regions[2] or regions[1] & regions[2])
    margin = b + e
    everything = set(itertools.product(*(range(-margin, s + margin) for s in v)))
    assert regions[0] | regions[1] | regions[2] == everything

    visible = geometry.visible_offsets
    for site in geometry.environment_offsets:
        distance = np.abs(visible - site).max(axis=1).min()  # brute-force Chebyshev to V
        assert b < distance <= b + e
    for site in geometry.buffer_offsets:
        assert 0 < np.abs(visible - site).max(axis=1).min() <= b


@given(geometries())
def test_site_order_is_c_order(geometry):
    expected_visible = list(itertools.product(*(range(s) for s in geometry.visible_shape)))
    assert [tuple(o) for o in geometry.visible_offsets] == expected_visible
    environment = [tuple(o) for o in geometry.environment_offsets]
    assert environment == sorted(environment)  # lexicographic == C order over the window


def test_one_dimensional_shell_sits_on_both_sides():
    geometry = WindowGeometry.from_params(3, 1, 2)
    assert geometry.visible_shape == (3,) and geometry.ndim == 1
    assert geometry.window_shape == (9,)
    assert geometry.visible_offsets[:, 0].tolist() == [0, 1, 2]
    assert geometry.buffer_offsets[:, 0].tolist() == [-1, 3]
    assert geometry.environment_offsets[:, 0].tolist() == [-3, -2, 4, 5]


def test_published_two_by_two_window():
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    assert geometry.window_shape == (6, 6)
    assert (geometry.n_visible, geometry.n_buffer, geometry.n_environment) == (4, 12, 20)
    assert geometry.unit_cell == (1, 1)


def test_cubic_window_shells():
    # 2x2x2 block, buffer 1, environment 1: V = 8, V + B = 4^3 = 64, window = 6^3 = 216
    geometry = WindowGeometry.from_params((2, 2, 2), 1, 1)
    assert geometry.ndim == 3 and geometry.window_shape == (6, 6, 6)
    assert (geometry.n_visible, geometry.n_buffer, geometry.n_environment) == (8, 56, 152)
    # E is the outer face of the 6x6x6 cube, B the outer face of the inner 4x4x4 cube
    assert np.array_equal(np.abs(geometry.environment_offsets - 0.5).max(axis=1),
                          np.full(152, 2.5))
    assert np.array_equal(np.abs(geometry.buffer_offsets - 0.5).max(axis=1), np.full(56, 1.5))


def test_cut_cubic_window_by_hand():
    geometry = WindowGeometry.from_params((2, 2, 2), 0, 1)
    X = np.arange(4**3).reshape(1, 4, 4, 4)  # site (z, y, x) holds 16 z + 4 y + x
    V, E = geometry.cut(X, [[3, 3, 3]])
    # V wraps on every axis: z, y, x in {3, 0}
    assert V.tolist() == [[63, 60, 51, 48, 15, 12, 3, 0]]
    # The first E site is the window's corner (2, 2, 2), the last (1, 1, 1)
    assert E[0, 0] == 42 and E[0, -1] == 21 and E.shape == (1, 64 - 8)


def test_geometry_is_immutable_hashable_and_picklable():
    geometry = WindowGeometry.from_params((4, 2), 1, 2, unit_cell=(2, 2))
    with pytest.raises(ValueError, match="read-only"):
        geometry.environment_offsets[0, 0] = 99
    with pytest.raises(AttributeError):
        geometry.buffer_width = 3
    again = pickle.loads(pickle.dumps(geometry))
    assert again == geometry and hash(again) == hash(geometry)
    np.testing.assert_array_equal(again.environment_offsets, geometry.environment_offsets)
    assert geometry != WindowGeometry.from_params((4, 2), 1, 3, unit_cell=(2, 2))
    assert WindowGeometry.from_params([2, 2], 1, 1, np.array([1, 1])) == WindowGeometry(
        (2, 2), 1, 1)


# ---------------------------------------------------------------------------
# cutting


@given(st.data())
def test_cut_returns_the_expected_sites(data):
    geometry, lattice = data.draw(geometry_and_lattice())
    n_samples = data.draw(st.integers(1, 3))
    X = coordinate_lattice(n_samples, lattice)
    per_sample = data.draw(st.booleans())
    n_anchors = data.draw(st.integers(0, 4))
    if per_sample:
        anchors = np.stack([anchors_for(data.draw, geometry, lattice, n_anchors)
                            for _ in range(n_samples)])
    else:
        anchors = anchors_for(data.draw, geometry, lattice, n_anchors)
    V, E = geometry.cut(X, anchors)
    assert V.shape == (n_samples * n_anchors, geometry.n_visible)
    assert E.shape == (n_samples * n_anchors, geometry.n_environment)
    for sample in range(n_samples):
        for j in range(n_anchors):
            anchor = anchors[sample, j] if per_sample else anchors[j]
            expected_V, expected_E = reference_window(X[sample], anchor, geometry)
            row = sample * n_anchors + j  # sample-major
            np.testing.assert_array_equal(V[row], expected_V)
            np.testing.assert_array_equal(E[row], expected_E)


@given(st.data())
def test_cut_commutes_with_periodic_translation(data):
    geometry, lattice = data.draw(geometry_and_lattice())
    X = np.asarray(data.draw(st.lists(st.sampled_from([-1, 1]), min_size=2 * math.prod(lattice),
                                      max_size=2 * math.prod(lattice))), dtype=np.int8)
    X = X.reshape(2, *lattice)
    anchors = anchors_for(data.draw, geometry, lattice, 3)
    shift = np.array([data.draw(st.integers(-2 * size, 2 * size)) for size in lattice])
    rolled = np.roll(X, tuple(shift), axis=tuple(range(1, geometry.ndim + 1)))
    V, E = geometry.cut(X, anchors)
    V_rolled, E_rolled = geometry.cut(rolled, anchors + shift)  # out-of-range anchors wrap
    np.testing.assert_array_equal(V, V_rolled)
    np.testing.assert_array_equal(E, E_rolled)


@given(st.data())
def test_edge_window_equals_window_in_tiled_lattice(data):
    geometry, lattice = data.draw(geometry_and_lattice())
    X = coordinate_lattice(1, lattice)
    tiled = np.tile(X[0], (3,) * geometry.ndim)
    # Anchors within a window of an edge, where wrapping happens.
    margin = geometry.buffer_width + geometry.environment_width
    anchor = np.array([
        data.draw(st.sampled_from(sorted({0, 1, size - 1, size - v, size - v - margin})))
        for size, v in zip(lattice, geometry.visible_shape)
    ]) % np.array(lattice)
    V, E = geometry.cut(X, anchor[None, :])
    start = anchor + np.array(lattice) - margin  # the same window, unwrapped, in the middle tile
    window = tiled[tuple(slice(s, s + w) for s, w in zip(start, geometry.window_shape))]
    np.testing.assert_array_equal(V[0], window[tuple((geometry.visible_offsets + margin).T)])
    np.testing.assert_array_equal(E[0], window[tuple((geometry.environment_offsets + margin).T)])


def test_cut_one_dimensional_by_hand():
    geometry = WindowGeometry.from_params(2, 1, 1)
    X = np.array([[0, 1, 2, 3, 4, 5, 6]])
    V, E = geometry.cut(X, [[0], [5], [3]])
    assert V.tolist() == [[0, 1], [5, 6], [3, 4]]
    # E: two sites left of V beyond one buffer site, and the symmetric site on the right.
    assert E.tolist() == [[5, 3], [3, 1], [1, 6]]


def test_cut_with_small_chunks_matches(monkeypatch, rng):
    geometry = WindowGeometry.from_params((2, 2), 1, 2)
    X = rng.integers(0, 2, size=(5, 12, 10)).astype(np.uint8)
    anchors = rng.integers(0, 10, size=(5, 7, 2))
    V, E = geometry.cut(X, anchors)
    monkeypatch.setattr(_regions, "_CHUNK_ELEMENTS", 200)  # 3 windows (8x8) a chunk, ragged end
    V_small, E_small = geometry.cut(X, anchors)
    monkeypatch.setattr(_regions, "_CHUNK_ELEMENTS", 1)  # one window per chunk
    V_one, E_one = geometry.cut(X, anchors)
    for a, b, c in ((V, V_small, V_one), (E, E_small, E_one)):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)


def test_cut_pairs_matches_cut_one_pair_at_a_time(monkeypatch, rng):
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    X = rng.integers(0, 2, size=(6, 10, 12)).astype(np.int8)
    sample_index = np.sort(rng.integers(0, 6, size=25))
    anchors = np.stack([rng.integers(0, 10, size=25), rng.integers(0, 12, size=25)], axis=1)
    monkeypatch.setattr(_regions, "_CHUNK_ELEMENTS", 300)  # several chunks, ragged end
    V, E = geometry._cut_pairs(X, sample_index, anchors)
    for k, (sample, anchor) in enumerate(zip(sample_index, anchors)):
        v, e = geometry.cut(X[sample : sample + 1], anchor[None])
        np.testing.assert_array_equal(V[k], v[0])
        np.testing.assert_array_equal(E[k], e[0])


def test_cut_memory_follows_the_requested_windows(rng):
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    X = rng.integers(0, 2, size=(2000, 32, 32)).astype(np.int8)  # 2 MB
    anchors = random_anchors(geometry, (32, 32), 2000, 1, rng)
    # All anchors of all samples would be 2000 * 1024 * 24 bytes = 49 MB; ask for 2000.
    tracemalloc.start()
    try:
        V, E = geometry.cut(X, anchors)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert V.shape == (2000, 4) and E.shape == (2000, 20)
    assert peak < 3_000_000


@pytest.mark.parametrize(
    "values, dtype",
    [((-1, 1), np.int8), ((0, 1), np.uint8), ((0, 1), np.int8), ((0.0, 1.0), np.float32),
     ((-1.0, 1.0), np.float64)],
)
def test_dtype_and_values_preserved_and_input_untouched(values, dtype, rng):
    geometry = WindowGeometry.from_params((2, 2), 0, 1, unit_cell=(2, 2))
    X = rng.choice(np.array(values, dtype=dtype), size=(3, 8, 6))
    X_before = X.copy()
    V, E = geometry.cut(X, geometry.anchor_positions((8, 6)))
    blocks = tile_blocks(X, (2, 2))
    back = untile_blocks(blocks, (2, 2))
    for out in (V, E, blocks, back):
        assert out.dtype == dtype
        assert set(np.unique(out)) <= set(values)
        assert not np.shares_memory(out, X)
    np.testing.assert_array_equal(X, X_before)
    # Writing to the outputs leaves the input alone (1D tiling is a reshape: check the copy).
    X1 = X.reshape(3, -1)
    blocks1 = tile_blocks(X1, 4)
    blocks1[...] = 7
    np.testing.assert_array_equal(X, X_before)
    blocks1_before = blocks1.copy()
    untile_blocks(blocks1, 4)[...] = 0
    np.testing.assert_array_equal(blocks1, blocks1_before)


def test_cut_accepts_non_contiguous_samples_and_lists(rng):
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    X = rng.integers(0, 2, size=(3, 8, 8))
    anchors = [[0, 0], [7, 3]]
    expected = geometry.cut(np.ascontiguousarray(X[:, ::-1, :]), anchors)
    for got, want in zip(geometry.cut(X[:, ::-1, :], anchors), expected):
        np.testing.assert_array_equal(got, want)
    for got, want in zip(geometry.cut(X.tolist(), anchors), geometry.cut(X, anchors)):
        np.testing.assert_array_equal(got, want)


def test_cut_empty_requests():
    geometry = WindowGeometry.from_params(2, 0, 1)
    X = np.zeros((3, 6), dtype=np.int8)
    V, E = geometry.cut(X, np.empty((0, 1), dtype=int))
    assert V.shape == (0, 2) and E.shape == (0, 2) and V.dtype == np.int8
    V, E = geometry.cut(X, np.empty((3, 0, 1), dtype=int))
    assert V.shape == (0, 2) and E.shape == (0, 2)


# ---------------------------------------------------------------------------
# anchors


@given(geometry_and_lattice(), st.integers(1, 3), st.booleans())
def test_anchor_positions_respect_unit_cell_and_stride(geometry_lattice, stride, per_axis):
    geometry, lattice = geometry_lattice
    strides = tuple(stride + a for a in range(geometry.ndim)) if per_axis else stride
    anchors = geometry.anchor_positions(lattice, stride=strides)
    steps = [c * (stride + a if per_axis else stride) for a, c in enumerate(geometry.unit_cell)]
    expected = list(itertools.product(*(range(0, size, s) for size, s in zip(lattice, steps))))
    assert anchors.shape == (len(expected), geometry.ndim)
    assert [tuple(a) for a in anchors] == expected
    assert np.issubdtype(anchors.dtype, np.integer)


def test_anchor_positions_default_every_site():
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    anchors = geometry.anchor_positions((6, 7))
    assert anchors.shape == (42, 2)
    assert len({tuple(a) for a in anchors}) == 42


# ---------------------------------------------------------------------------
# tiling


@st.composite
def tiled_lattices(draw):
    ndim = draw(st.sampled_from([1, 2, 3]))
    largest = 4 if ndim < 3 else 3
    visible = tuple(draw(st.integers(1, largest)) for _ in range(ndim))
    counts = tuple(draw(st.integers(1, largest)) for _ in range(ndim))
    n = draw(st.integers(1, 3))
    X = coordinate_lattice(n, tuple(c * v for c, v in zip(counts, visible)))
    return X, visible, counts


@given(tiled_lattices())
def test_tile_blocks_cuts_the_right_blocks_and_inverts(case):
    X, visible, counts = case
    blocks = tile_blocks(X, visible if len(visible) > 1 else visible[0])
    assert blocks.shape == (X.shape[0], *counts, math.prod(visible))
    for index in itertools.product(*(range(c) for c in counts)):
        region = tuple(slice(i * v, (i + 1) * v) for i, v in zip(index, visible))
        for n in range(X.shape[0]):
            np.testing.assert_array_equal(blocks[(n, *index)], X[(n, *region)].ravel())
    np.testing.assert_array_equal(untile_blocks(blocks, visible), X)


@given(st.data())
def test_tiled_block_order_matches_window_order(data):
    geometry, lattice = data.draw(geometry_and_lattice())
    counts = [size // v for size, v in zip(lattice, geometry.visible_shape)]
    lattice = tuple(c * v for c, v in zip(counts, geometry.visible_shape))
    if any(size < w for size, w in zip(lattice, geometry.window_shape)):
        lattice = tuple(size + v for size, v in zip(lattice, geometry.visible_shape))
    X = coordinate_lattice(2, lattice)
    blocks = tile_blocks(X, geometry.visible_shape)
    index = tuple(data.draw(st.integers(0, c - 1)) for c in blocks.shape[1:-1])
    anchor = np.array(index) * np.array(geometry.visible_shape)
    V, _ = geometry.cut(X, anchor[None, :])
    np.testing.assert_array_equal(V, blocks[(slice(None), *index)])


# ---------------------------------------------------------------------------
# errors


def test_lattice_smaller_than_window():
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    with pytest.raises(ValueError, match=r"lattice size 5 along axis 1 .* window size 6"):
        geometry.check_lattice((8, 5))
    with pytest.raises(ValueError, match=r"along axis 0 .* window size 6"):
        geometry.cut(np.zeros((1, 4, 8)), [[0, 0]])
    with pytest.raises(ValueError, match=r"lattice size 8 along axis 0 .* window size 10"):
        WindowGeometry.from_params(4, 1, 2).anchor_positions((8,))
    geometry.check_lattice((6, 6))  # exactly one window is fine


def test_lattice_not_a_multiple_of_unit_cell():
    geometry = WindowGeometry.from_params((2, 2), 1, 1, unit_cell=(2, 2))
    with pytest.raises(ValueError, match=r"lattice size 9 along axis 1 .* unit cell 2"):
        geometry.check_lattice((8, 9))


def test_rank_mismatch():
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, Ly, Lx\)"):
        geometry.cut(np.zeros((2, 8)), [[0, 0]])
    with pytest.raises(ValueError, match=r"has 1 axes but the visible block 2x2 is 2D"):
        geometry.check_lattice((8,))
    with pytest.raises(ValueError, match=r"anchors must have shape"):
        geometry.cut(np.zeros((2, 8, 8)), [0, 0])
    with pytest.raises(ValueError, match=r"anchors must have shape"):
        geometry.cut(np.zeros((2, 8, 8)), np.zeros((3, 1, 2), dtype=int))
    with pytest.raises(TypeError, match=r"anchors must be integers"):
        geometry.cut(np.zeros((2, 8, 8)), [[0.5, 0.0]])
    with pytest.raises(ValueError, match=r"does not match the 2D visible_shape 2x2"):
        tile_blocks(np.zeros((2, 8)), (2, 2))
    with pytest.raises(ValueError, match=r"stride must have 2 entries"):
        geometry.anchor_positions((8, 8), stride=(1, 1, 1))


def test_rank_mismatch_between_cubic_and_square():
    cube = WindowGeometry.from_params((2, 2, 2), 1, 1)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, Lz, Ly, Lx\) for the "
                                         r"3D block 2x2x2"):
        cube.cut(np.zeros((2, 8, 8)), [[0, 0, 0]])
    square = WindowGeometry.from_params((2, 2), 1, 1)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, Ly, Lx\) for the "
                                         r"2D block 2x2"):
        square.cut(np.zeros((2, 8, 8, 8)), [[0, 0]])
    with pytest.raises(ValueError, match=r"does not match the 3D visible_shape 2x2x2"):
        tile_blocks(np.zeros((2, 8, 8)), (2, 2, 2))
    with pytest.raises(ValueError, match=r"does not match the 2D visible_shape 2x2"):
        tile_blocks(np.zeros((2, 8, 8, 8)), (2, 2))
    with pytest.raises(ValueError, match=r"has 2 axes but the visible block 2x2x2 is 3D"):
        cube.check_lattice((8, 8))


def test_cubic_blocks_that_do_not_tile():
    with pytest.raises(ValueError, match=r"lattice 6x6x5 is not tiled by blocks 2x2x2: 5 % 2 = 1"):
        tile_blocks(np.zeros((1, 6, 6, 5)), (2, 2, 2))
    with pytest.raises(ValueError, match=r"lattice size 5 along axis 0 .* window size 6"):
        WindowGeometry.from_params((2, 2, 2), 1, 1).check_lattice((5, 8, 8))


def test_blocks_that_do_not_tile():
    with pytest.raises(ValueError, match=r"lattice 10x12 is not tiled by blocks 4x4: 10 % 4 = 2"):
        tile_blocks(np.zeros((1, 10, 12)), (4, 4))
    with pytest.raises(ValueError, match=r"lattice 10x13 is not tiled by blocks 4x4: "
                                         r"10 % 4 = 2, 13 % 4 = 1"):
        tile_blocks(np.zeros((1, 10, 13)), (4, 4))
    with pytest.raises(ValueError, match=r"lattice 3 is not tiled by blocks 4: 3 % 4 = 3"):
        tile_blocks(np.zeros((2, 3)), 4)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(buffer_width=-1), ValueError, r"buffer_width must be >= 0, got -1"),
        (dict(buffer_width=1.5), TypeError, r"buffer_width must be an integer"),
        (dict(buffer_width=True), TypeError, r"buffer_width must be an integer"),
        (dict(environment_width=0), ValueError, r"environment_width must be >= 1, got 0"),
        (dict(environment_width=2.0), TypeError, r"environment_width must be an integer"),
        (dict(visible_shape=(0, 2)), ValueError, r"visible_shape\[0\] must be >= 1, got 0"),
        (dict(visible_shape=-3), ValueError, r"visible_shape\[0\] must be >= 1, got -3"),
        (dict(visible_shape=(2, 2.0)), TypeError, r"visible_shape\[1\] must be an integer"),
        (dict(visible_shape="2x2"), TypeError, r"visible_shape must be an integer or a tuple"),
        (dict(visible_shape=()), ValueError, r"1D, 2D or 3D block, got 0"),
        (dict(visible_shape=(2, 2, 2, 2)), ValueError, r"1D, 2D or 3D block, got 4"),
        (dict(unit_cell=(2, 0)), ValueError, r"unit_cell\[1\] must be >= 1, got 0"),
        (dict(unit_cell=(2,)), ValueError, r"unit_cell must have 2 entries"),
        (dict(unit_cell=(3, 1)), ValueError,
         r"visible_shape 2x2 is not a multiple of unit_cell 3x1 \(axis 0: 2 % 3 = 2\)"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    params = dict(visible_shape=(2, 2), buffer_width=1, environment_width=1, unit_cell=None)
    params.update(kwargs)
    with pytest.raises(error, match=match):
        WindowGeometry.from_params(**params)


def test_bad_counts_and_strides():
    geometry = WindowGeometry.from_params((2, 2), 1, 1)
    with pytest.raises(ValueError, match=r"stride\[0\] must be >= 1, got 0"):
        geometry.anchor_positions((8, 8), stride=0)
    with pytest.raises(ValueError, match=r"lattice_shape\[1\] must be >= 1, got 0"):
        geometry.check_lattice((8, 0))
