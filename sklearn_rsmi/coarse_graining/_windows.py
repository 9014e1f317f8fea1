"""Window geometry of RSMI: the visible block V, its buffer B and its environment E.

A window is cut around a visible block ``V`` of shape ``visible_shape``. Around ``V``
sits a buffer ``B``, a shell of width ``buffer_width`` that is discarded (it keeps the
short-range correlations of ``V`` with its immediate vicinity out of the objective),
and around that the environment ``E``, a shell of width ``environment_width``. For a
2x2 block, ``buffer_width=1`` and ``environment_width=1`` the 6x6 window is::

        x ->
    y   E E E E E E        A : the anchor of the window, V's top-left site, at
    |   E B B B B E            offset (0, 0); the window's top-left corner is at
    v   E B A V B E            offset (-(b + e), -(b + e)) = (-2, -2).
        E B V V B E
        E B B B B E        V : 4 sites, B : 12 sites (discarded), E : 20 sites.
        E E E E E E

In one dimension the same words hold along the single axis: the window of a block of
``v`` sites is ``[E][B][V][B][E]``, with ``environment_width`` sites of ``E`` and
``buffer_width`` sites of ``B`` on each side. In three dimensions ``B`` and ``E`` are cubic
shells: a 2x2x2 block with ``buffer_width=1`` and ``environment_width=1`` sits in a 6x6x6
window, 8 sites of ``V``, 56 of ``B`` and 152 of ``E``. In any dimension a site at offset ``d`` from
the anchor has Chebyshev distance ``max_axis max(0, -d, d - (v - 1))`` from ``V``: ``V`` is
distance 0, ``B`` is ``1 .. buffer_width``, ``E`` is
``buffer_width + 1 .. buffer_width + environment_width``. ``E`` never contains a site of
``V`` or ``B``.

Site order: the sites of ``V`` and of ``E`` are listed in C (row-major) order over the
window, that is ``V`` in C order over the block and ``E`` row by row from the window's
top-left corner (in 3D, plane by plane along the first axis, ``z``, then row by row).
:func:`tile_blocks` uses the same order for the sites of each block, so filters learned on
windows apply unchanged to the tiled lattice.

Boundaries are periodic: window sites past an edge wrap around. A lattice smaller than the
window along some axis is refused, since a window wrapping onto itself would count some
sites twice (in ``V`` and ``E`` at once, for instance).
"""

import dataclasses
import math
import numbers

import numpy as np
from .._utils.validation import check_positive_int

__all__ = ["WindowGeometry", "tile_blocks"]

# Windows are gathered in chunks whose index temporaries hold at most this many entries
# (8 MB of intp), so memory follows the windows asked for, not the whole lattice set.
_CHUNK_ELEMENTS = 1 << 20


def _as_shape(value, name, *, ndim=None):
    """Return ``value`` as a tuple of positive ints.

    An integer becomes ``(value,)`` when ``ndim`` is None and ``(value,) * ndim`` otherwise;
    a sequence must then have ``ndim`` entries.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = (value,) * (1 if ndim is None else ndim)
    elif isinstance(value, np.ndarray) and value.ndim == 1:
        value = tuple(value.tolist())
    elif not isinstance(value, (tuple, list)):
        raise TypeError(
            f"{name} must be an integer or a tuple of integers, got {value!r} of type "
            f"{type(value).__name__}."
        )
    shape = tuple(check_positive_int(v, f"{name}[{i}]") for i, v in enumerate(value))
    if ndim is not None and len(shape) != ndim:
        raise ValueError(
            f"{name} must have {ndim} entr{'y' if ndim == 1 else 'ies'} (one per lattice "
            f"axis), got {len(shape)}: {tuple(value)!r}."
        )
    return shape


def _format_shape(shape):
    return "x".join(str(s) for s in shape)


# The lattice axes of each dimension, as shapes are written in messages.
_AXES = {1: "L", 2: "Ly, Lx", 3: "Lz, Ly, Lx"}


@dataclasses.dataclass(frozen=True)
class WindowGeometry:
    """Visible block, buffer and environment of an RSMI window, and how to cut them.

    Build it with :meth:`from_params`; the module docstring draws the window.

    Parameters
    ----------
    visible_shape : int or tuple of 1, 2 or 3 int
        Shape of the visible block ``V``; an int means a 1D block of that many sites.
    buffer_width : int
        Width of the discarded buffer shell ``B`` around ``V``, ``>= 0``.
    environment_width : int
        Width of the environment shell ``E`` around ``B``, ``>= 1``.
    unit_cell : int or tuple of int, default=None
        Translations under which the data are invariant; anchors of windows sit on
        multiples of it. None means all ones (every site equivalent); an int applies to
        every axis. ``visible_shape`` must be a multiple of it along every axis.

    Attributes
    ----------
    ndim : int
        Lattice dimension, 1, 2 or 3.
    window_shape : tuple of int
        ``visible_shape + 2 * (buffer_width + environment_width)`` per axis.
    visible_offsets : ndarray of shape (n_visible, ndim)
        Positions of the sites of ``V`` relative to the anchor (``V``'s top-left site),
        in C order over the block. Read-only.
    buffer_offsets : ndarray of shape (n_buffer, ndim)
        Positions of the sites of ``B`` relative to the anchor, in C order over the window.
        Read-only.
    environment_offsets : ndarray of shape (n_environment, ndim)
        Positions of the sites of ``E`` relative to the anchor (negative entries are left
        of or above ``V``), in C order over the window. Read-only.
    n_visible, n_buffer, n_environment : int
        Number of sites of ``V``, ``B`` and ``E``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.coarse_graining import WindowGeometry
    >>> geometry = WindowGeometry.from_params((2, 2), 1, 1)
    >>> geometry.window_shape, geometry.n_visible, geometry.n_environment
    ((6, 6), 4, 20)
    >>> X = np.arange(64).reshape(1, 8, 8)
    >>> V, E = geometry.cut(X, [[0, 0]])
    >>> V
    array([[0, 1, 8, 9]])
    >>> E[0, :6]  # the window's top row: row 6, columns 6, 7, 0, 1, 2, 3 (wrapped)
    array([54, 55, 48, 49, 50, 51])
    >>> cube = WindowGeometry.from_params((2, 2, 2), 1, 1)
    >>> cube.window_shape, cube.n_visible, cube.n_buffer, cube.n_environment
    ((6, 6, 6), 8, 56, 152)
    """

    visible_shape: tuple
    buffer_width: int
    environment_width: int
    unit_cell: tuple = None
    ndim: int = dataclasses.field(init=False, compare=False)
    window_shape: tuple = dataclasses.field(init=False, compare=False)
    visible_offsets: np.ndarray = dataclasses.field(init=False, compare=False, repr=False)
    buffer_offsets: np.ndarray = dataclasses.field(init=False, compare=False, repr=False)
    environment_offsets: np.ndarray = dataclasses.field(init=False, compare=False, repr=False)
    n_visible: int = dataclasses.field(init=False, compare=False, repr=False)
    n_buffer: int = dataclasses.field(init=False, compare=False, repr=False)
    n_environment: int = dataclasses.field(init=False, compare=False, repr=False)

    @classmethod
    def from_params(cls, visible_shape, buffer_width, environment_width, unit_cell=None):
        """Validate the parameters and build the geometry.

        Parameters
        ----------
        visible_shape : int or tuple of 1, 2 or 3 int
            Shape of ``V``; an int means a 1D block.
        buffer_width : int
            Width of ``B``, ``>= 0``.
        environment_width : int
            Width of ``E``, ``>= 1``.
        unit_cell : int or tuple of int, default=None
            Anchor spacing; None means all ones.

        Returns
        -------
        geometry : WindowGeometry
            The validated geometry.

        Examples
        --------
        >>> from sklearn_rsmi.coarse_graining import WindowGeometry
        >>> WindowGeometry.from_params(4, 0, 2)
        WindowGeometry(visible_shape=(4,), buffer_width=0, environment_width=2, unit_cell=(1,), ndim=1, window_shape=(8,))
        """
        return cls(visible_shape, buffer_width, environment_width, unit_cell)

    def __post_init__(self):
        visible_shape = _as_shape(self.visible_shape, "visible_shape")
        ndim = len(visible_shape)
        if ndim not in (1, 2, 3):
            raise ValueError(
                f"visible_shape must describe a 1D, 2D or 3D block, got {ndim} entries: "
                f"{visible_shape}."
            )
        buffer_width = check_positive_int(self.buffer_width, "buffer_width", minimum=0)
        environment_width = check_positive_int(
            self.environment_width, "environment_width", minimum=1
        )
        unit_cell = _as_shape(1 if self.unit_cell is None else self.unit_cell, "unit_cell",
                              ndim=ndim)
        off = [a for a in range(ndim) if visible_shape[a] % unit_cell[a]]
        if off:
            details = ", ".join(
                f"axis {a}: {visible_shape[a]} % {unit_cell[a]} = "
                f"{visible_shape[a] % unit_cell[a]}" for a in off
            )
            raise ValueError(
                f"visible_shape {_format_shape(visible_shape)} is not a multiple of unit_cell "
                f"{_format_shape(unit_cell)} ({details}); tiled blocks would not all see the "
                "same arrangement of the unit cell."
            )
        margin = buffer_width + environment_width
        window_shape = tuple(v + 2 * margin for v in visible_shape)

        # Every window site relative to the anchor, in C order over the window.
        offsets = np.indices(window_shape).reshape(ndim, -1).T - margin
        excess = np.maximum(np.maximum(-offsets, offsets - (np.array(visible_shape) - 1)), 0)
        distance = excess.max(axis=1)  # Chebyshev distance from the block V
        regions = {
            "visible_offsets": offsets[distance == 0],
            "buffer_offsets": offsets[(distance > 0) & (distance <= buffer_width)],
            "environment_offsets": offsets[distance > buffer_width],
        }
        set_ = object.__setattr__  # the dataclass is frozen: set derived fields once, here
        for name, value in regions.items():
            value = np.ascontiguousarray(value, dtype=np.intp)
            value.flags.writeable = False
            set_(self, name, value)
        set_(self, "visible_shape", visible_shape)
        set_(self, "buffer_width", buffer_width)
        set_(self, "environment_width", environment_width)
        set_(self, "unit_cell", unit_cell)
        set_(self, "ndim", ndim)
        set_(self, "window_shape", window_shape)
        set_(self, "n_visible", len(regions["visible_offsets"]))
        set_(self, "n_buffer", len(regions["buffer_offsets"]))
        set_(self, "n_environment", len(regions["environment_offsets"]))

    # ---------------------------------------------------------------- lattices
    def _lattice_shape(self, lattice_shape):
        if isinstance(lattice_shape, numbers.Integral) and not isinstance(lattice_shape, bool):
            lattice_shape = (lattice_shape,)
        if not isinstance(lattice_shape, (tuple, list, np.ndarray)):
            raise TypeError(
                f"lattice_shape must be a tuple of integers, got {lattice_shape!r}."
            )
        if len(lattice_shape) != self.ndim:
            raise ValueError(
                f"lattice_shape {tuple(lattice_shape)} has {len(lattice_shape)} axes but the "
                f"visible block {_format_shape(self.visible_shape)} is {self.ndim}D."
            )
        lattice = _as_shape(lattice_shape, "lattice_shape", ndim=self.ndim)
        for axis, (size, side) in enumerate(zip(lattice, self.window_shape)):
            if size < side:
                raise ValueError(
                    f"lattice size {size} along axis {axis} is smaller than the window size "
                    f"{side} (visible {self.visible_shape[axis]} + 2 * buffer_width "
                    f"{self.buffer_width} + 2 * environment_width {self.environment_width}): "
                    "a window would wrap onto itself and count sites twice."
                )
        for axis, (size, cell) in enumerate(zip(lattice, self.unit_cell)):
            if size % cell:
                raise ValueError(
                    f"lattice size {size} along axis {axis} is not a multiple of the unit "
                    f"cell {cell} ({size} % {cell} = {size % cell}): the periodic lattice "
                    "would not be invariant under translations by the unit cell."
                )
        return lattice

    def check_lattice(self, lattice_shape):
        """Raise a ValueError unless windows can be cut from lattices of this shape.

        The lattice must have the block's rank, hold a whole window along every axis (a
        window wrapping onto itself would double-count sites) and be a multiple of the
        unit cell.

        Parameters
        ----------
        lattice_shape : tuple of int
            Shape of one lattice sample, ``(L,)``, ``(Ly, Lx)`` or ``(Lz, Ly, Lx)``.

        Examples
        --------
        >>> from sklearn_rsmi.coarse_graining import WindowGeometry
        >>> geometry = WindowGeometry.from_params((2, 2), 1, 1)
        >>> geometry.check_lattice((6, 8))
        >>> geometry.check_lattice((6, 5))
        Traceback (most recent call last):
        ...
        ValueError: lattice size 5 along axis 1 is smaller than the window size 6 ...
        """
        self._lattice_shape(lattice_shape)

    def _steps(self, stride):
        stride = _as_shape(1 if stride is None else stride, "stride", ndim=self.ndim)
        return tuple(c * s for c, s in zip(self.unit_cell, stride))

    def anchor_positions(self, lattice_shape, stride=None):
        """Every allowed anchor: the multiples of ``unit_cell * stride`` in the lattice.

        Where the lattice size is not a multiple of ``unit_cell * stride`` the last gap,
        across the periodic seam, is shorter than the others.

        Parameters
        ----------
        lattice_shape : tuple of int
            Shape of one lattice sample.
        stride : int or tuple of int, default=None
            Spacing of anchors in unit cells, per axis or one for all; None means 1.

        Returns
        -------
        anchors : ndarray of shape (n_positions, ndim)
            Anchor positions in C order.

        Examples
        --------
        >>> from sklearn_rsmi.coarse_graining import WindowGeometry
        >>> geometry = WindowGeometry.from_params((2, 2), 1, 1, unit_cell=(2, 2))
        >>> geometry.anchor_positions((8, 6), stride=(2, 1)).tolist()
        [[0, 0], [0, 2], [0, 4], [4, 0], [4, 2], [4, 4]]
        """
        lattice = self._lattice_shape(lattice_shape)
        axes = [np.arange(0, size, step) for size, step in zip(lattice, self._steps(stride))]
        grid = np.meshgrid(*axes, indexing="ij")
        return np.stack([g.ravel() for g in grid], axis=1).astype(np.intp)

    # ----------------------------------------------------------------- cutting
    def cut(self, X, anchors):
        """Cut the ``V`` and ``E`` sites of windows at the given anchors, wrapping periodically.

        Only the requested windows are gathered, in chunks, so memory follows the output.

        Parameters
        ----------
        X : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
            Lattice samples; values and dtype are kept as they are.
        anchors : array-like of int, of shape (n_positions, ndim) or \
                (n_samples, n_per_sample, ndim)
            Positions of ``V``'s top-left site: shared by every sample, or one set per
            sample. Taken modulo the lattice shape (periodic boundaries). They need not
            sit on the unit cell here; :meth:`anchor_positions` gives ones that do.

        Returns
        -------
        V : ndarray of shape (n_windows, n_visible)
            Sites of ``V`` in ``X``'s dtype, in the order of :attr:`visible_offsets`.
        E : ndarray of shape (n_windows, n_environment)
            Sites of ``E`` in the order of :attr:`environment_offsets`.
            Windows are ordered sample-major: window ``i * n_positions + j`` is anchor
            ``j`` of sample ``i``.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rsmi.coarse_graining import WindowGeometry
        >>> geometry = WindowGeometry.from_params(2, 0, 1)
        >>> X = np.array([[10, 11, 12, 13, 14, 15]])
        >>> geometry.cut(X, [[0], [5]])
        (array([[10, 11],
               [15, 10]]), array([[15, 12],
               [14, 11]]))
        """
        X = np.asarray(X)
        if X.ndim != self.ndim + 1:
            raise ValueError(
                f"X must have shape (n_samples, {_AXES[self.ndim]}) for the {self.ndim}D "
                f"block {_format_shape(self.visible_shape)}, got shape {X.shape}."
            )
        lattice = self._lattice_shape(X.shape[1:])
        n_samples = X.shape[0]
        anchors = np.asarray(anchors)
        if anchors.size and not np.issubdtype(anchors.dtype, np.integer):
            raise TypeError(f"anchors must be integers, got dtype {anchors.dtype}.")
        if anchors.ndim == 2 and anchors.shape[1] == self.ndim:
            per_sample = False
            n_per_sample = anchors.shape[0]
        elif (anchors.ndim == 3 and anchors.shape[0] == n_samples
              and anchors.shape[2] == self.ndim):
            per_sample = True
            n_per_sample = anchors.shape[1]
        else:
            raise ValueError(
                f"anchors must have shape (n_positions, {self.ndim}) or (n_samples="
                f"{n_samples}, n_per_sample, {self.ndim}), got shape {anchors.shape}."
            )
        # Reduce once so the offset sums below stay small; also maps negatives onto the torus.
        anchors = (anchors.reshape(-1, self.ndim).astype(np.intp)
                   % np.array(lattice, dtype=np.intp))
        n_windows = n_samples * n_per_sample

        def locate(window):
            return (window // n_per_sample,
                    anchors[window] if per_sample else anchors[window % n_per_sample])

        return self._gather(X, lattice, n_windows, locate)

    def _cut_pairs(self, X, sample_index, anchors):
        """:meth:`cut` of one window per (sample, anchor) pair: ``anchors[k]`` in sample
        ``sample_index[k]``.

        For validated input (``X`` of a checked lattice, anchors on the torus): in one
        gather, where :meth:`cut` per sample would pay its checks once per sample.
        """
        X = np.asarray(X)
        lattice = tuple(X.shape[1:])
        sample_index = np.asarray(sample_index, dtype=np.intp)
        anchors = np.asarray(anchors, dtype=np.intp).reshape(-1, self.ndim)
        return self._gather(X, lattice, sample_index.size,
                            lambda window: (sample_index[window], anchors[window]))

    def _gather(self, X, lattice, n_windows, locate):
        """V and E of ``n_windows`` windows; ``locate(window indices)`` gives their samples
        and anchors (reduced onto the torus)."""
        V = np.empty((n_windows, self.n_visible), dtype=X.dtype)
        E = np.empty((n_windows, self.n_environment), dtype=X.dtype)
        if n_windows == 0:
            return V, E

        flat = X.reshape(-1)  # a view for contiguous X; never written to
        n_sites = math.prod(lattice)
        site_strides = [math.prod(lattice[axis + 1:]) for axis in range(self.ndim)]
        margin = self.buffer_width + self.environment_width
        # Where V and E sit in the flattened window.
        visible_in_window, environment_in_window = (
            np.ravel_multi_index(tuple((offsets + margin).T), self.window_shape)
            for offsets in (self.visible_offsets, self.environment_offsets)
        )
        # Whole windows are gathered first: their index is a broadcast sum of per-axis
        # wrapped coordinates, a few times cheaper than wrapping every V and E site.
        window_size = math.prod(self.window_shape)
        chunk = max(1, _CHUNK_ELEMENTS // window_size)
        for start in range(0, n_windows, chunk):
            window = np.arange(start, min(start + chunk, n_windows), dtype=np.intp)
            sample, anchor = locate(window)
            index = (sample * n_sites).reshape((-1,) + (1,) * self.ndim)
            for axis, side in enumerate(self.window_shape):
                steps = np.arange(-margin, side - margin, dtype=np.intp)
                coordinate = (anchor[:, axis, None] + steps) % lattice[axis] * site_strides[axis]
                shape = [window.size] + [1] * self.ndim
                shape[1 + axis] = side
                index = index + coordinate.reshape(shape)
            # Indices are in range by construction; "clip" avoids take's buffered raise path.
            sites = np.take(flat, index.reshape(window.size, -1), mode="clip")
            stop = start + window.size
            np.take(sites, visible_in_window, axis=1, out=V[start:stop])
            np.take(sites, environment_in_window, axis=1, out=E[start:stop])
        return V, E


# ------------------------------------------------------------------- tiling
def _check_blocks(visible_shape, ndim, what, shape):
    visible_shape = _as_shape(visible_shape, "visible_shape")
    if len(visible_shape) not in (1, 2, 3):
        raise ValueError(
            f"visible_shape must describe a 1D, 2D or 3D block, got {visible_shape}."
        )
    if ndim != len(visible_shape):
        raise ValueError(
            f"{what} has shape {shape}, which does not match the {len(visible_shape)}D "
            f"visible_shape {_format_shape(visible_shape)}."
        )
    return visible_shape


def tile_blocks(X, visible_shape):
    """Cut every sample into non-overlapping blocks of ``visible_shape``, starting at 0.

    Parameters
    ----------
    X : array-like of shape (n_samples, L), (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
        Lattice samples; values and dtype are kept as they are.
    visible_shape : int or tuple of int
        Block shape; it must divide the lattice shape along every axis.

    Returns
    -------
    blocks : ndarray of shape (n_samples, L // v, v), \
            (n_samples, Ly // vy, Lx // vx, vy * vx) or \
            (n_samples, Lz // vz, Ly // vy, Lx // vx, vz * vy * vx)
        ``blocks[n, i, j]`` holds ``X[n, i*vy:(i+1)*vy, j*vx:(j+1)*vx]`` in C order, the
        order of :attr:`WindowGeometry.visible_offsets` (likewise ``blocks[n, k, i, j]`` in
        3D, the block starting at ``(k*vz, i*vy, j*vx)``). A new array: writing to it leaves
        ``X`` unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rsmi.coarse_graining import tile_blocks
    >>> X = np.arange(16).reshape(1, 4, 4)
    >>> tile_blocks(X, (2, 2))[0, 0, 1]
    array([2, 3, 6, 7])
    """
    X = np.asarray(X)
    visible_shape = _check_blocks(visible_shape, X.ndim - 1, "X", X.shape)
    lattice = X.shape[1:]
    off = [axis for axis in range(len(lattice)) if lattice[axis] % visible_shape[axis]]
    if off:
        details = ", ".join(
            f"{lattice[a]} % {visible_shape[a]} = {lattice[a] % visible_shape[a]}" for a in off
        )
        raise ValueError(
            f"lattice {_format_shape(lattice)} is not tiled by blocks "
            f"{_format_shape(visible_shape)}: {details}."
        )
    ndim = len(visible_shape)
    counts = [size // v for size, v in zip(lattice, visible_shape)]
    split = [X.shape[0]] + [n for pair in zip(counts, visible_shape) for n in pair]
    order = [0] + [1 + 2 * a for a in range(ndim)] + [2 + 2 * a for a in range(ndim)]
    blocks = X.reshape(split).transpose(order).reshape(X.shape[0], *counts, -1)
    if np.shares_memory(blocks, X):  # the 1D reshape is a view; callers may write to blocks
        blocks = blocks.copy()
    return blocks
