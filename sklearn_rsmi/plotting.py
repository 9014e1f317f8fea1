"""Figures. matplotlib is imported inside each function, only when a figure is drawn."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions, validate_params

from .physics import CRITICAL_TEMPERATURE

__all__ = ["plot_filters", "plot_mutual_information", "plot_rg_flow"]


@validate_params(
    {
        "result": [HasMethods(["flow", "flow_error"])],
        "ax": "no_validation",
        "critical_temperature": [Interval(Real, 0, None, closed="neither")],
        "cmap": [str],
        "errorbars": ["boolean"],
        "legend": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def plot_rg_flow(result, ax=None, *, critical_temperature=CRITICAL_TEMPERATURE, cmap="coolwarm",
                 errorbars=True, legend=True):
    """RG flow, T/T_c against the RG step, as in Koch-Janusz and Ringel (2018), figure 5.

    One line per starting temperature, colored from cold (blue) to hot (red). Levels
    that flowed to ``T = 0`` or ``inf`` are left out of their line.

    Parameters
    ----------
    result : RGFlowResult
        From :func:`sklearn_rsmi.rg.rg_flow_sweep`.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; ``None`` creates a new figure.
    critical_temperature : float, default=CRITICAL_TEMPERATURE
        The unit of the vertical axis (Onsager's T_c by default).
    cmap : str, default="coolwarm"
        Colormap over the starting temperatures.
    errorbars : bool, default=True
        Draw the effective temperatures' errors where the result has them.
    legend : bool, default=True
        Label the lines with their starting temperatures (a legend beside the axes).

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rsmi.rg import RGFlowResult
    >>> from sklearn_rsmi.plotting import plot_rg_flow
    >>> rows = [{"temperature": T, "step": k, "effective_temperature": 2.27 + 2**k * (T - 2.27)}
    ...         for T in (2.2, 2.3) for k in range(3)]
    >>> ax = plot_rg_flow(RGFlowResult(rows))
    >>> len(ax.get_lines()) >= 2
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib import colormaps

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    flow = result.flow() / critical_temperature
    errors = result.flow_error() / critical_temperature if errorbars else None
    temperatures = result.temperatures
    colors = colormaps[cmap](np.linspace(0, 1, max(len(temperatures), 2)))
    steps = np.arange(flow.shape[1])
    for i, T in enumerate(temperatures):
        shown = np.isfinite(flow[i]) & (flow[i] > 0)
        label = f"T = {T / critical_temperature:.3f} T_c"
        if errors is not None and np.any(errors[i, shown] > 0):
            ax.errorbar(steps[shown], flow[i, shown], yerr=errors[i, shown], color=colors[i],
                        marker="o", ms=3, capsize=2, label=label)
        else:
            ax.plot(steps[shown], flow[i, shown], color=colors[i], marker="o", ms=3, label=label)
    ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
    if legend:
        ax.legend(title="starting T", fontsize=7, title_fontsize=8, loc="center left",
                  bbox_to_anchor=(1.02, 0.5), frameon=False)
    ax.set_xticks(steps)
    ax.set_xlabel("RG step")
    ax.set_ylabel(r"$T / T_c$")
    ax.set_title("RG flow")
    finite = flow[np.isfinite(flow)]
    if finite.size:
        ax.set_ylim(max(0.0, min(finite.min(), 1.0) - 0.05), min(max(finite.max(), 1.0) + 0.05, 3.0))
    return ax


@validate_params(
    {
        "filters": ["array-like", HasMethods(["transform"])],
        "axes": "no_validation",
        "cmap": [str],
        "normalize": ["boolean"],
        "colorbar": ["boolean"],
        "lattice": [StrOptions({"square", "dimer"})],
    },
    prefer_skip_nested_validation=True,
)
def plot_filters(filters, axes=None, *, cmap="RdBu_r", normalize=True, colorbar=True,
                 lattice="square"):
    """Filters, one panel per hidden unit, on a diverging colormap centered on zero.

    With ``lattice="square"`` each filter is a heat map over the block's sites; a filter of
    a 3D block ``(bz, by, bx)`` is drawn as its ``bz`` slices of constant ``z``, side by
    side, one row per hidden unit, all on one color scale. With
    ``lattice="dimer"`` the block is read as a piece of a dimer image (layout of
    :func:`sklearn_rsmi.datasets.make_dimers`) and drawn on the dimer lattice, as in Fig. 4
    of Koch-Janusz and Ringel (2018): every link cell is a bar between its two vertices,
    every vertex cell a disc on its vertex and every face cell a square in its face, each
    colored by its weight. Vertex and face cells are where the papers' noise spins sit, so
    their color shows how much weight the filter puts on the noise.

    Parameters
    ----------
    filters : array-like of shape (n_hidden,) + visible_shape, or an RSMICoarseGrainer
        Filters of 1D blocks ``(n_hidden, b)``, 2D blocks ``(n_hidden, by, bx)`` or 3D
        blocks ``(n_hidden, bz, by, bx)``; a fitted coarse-grainer's ``filters_`` are used.
    axes : sequence of matplotlib Axes or None, default=None
        One Axes per hidden unit (per hidden unit and ``z`` slice for 3D blocks, unit by
        unit); ``None`` creates a figure with a row of panels (a row per hidden unit for
        3D blocks).
    cmap : str, default="RdBu_r"
        A diverging colormap; its center is pinned to zero weight.
    normalize : bool, default=True
        Divide each filter by its largest ``|weight|`` (weights grow without bound as the
        coarse-graining becomes deterministic, so only their ratios are meaningful); a 3D
        filter by the largest over all its slices.
    colorbar : bool, default=True
        Draw a colorbar beside the panels (leave it to the caller when composing figures).
    lattice : {"square", "dimer"}, default="square"
        ``"square"``: heat maps. ``"dimer"``: links, vertices and faces of a dimer lattice;
        needs 2D blocks with even sides whose cell ``(0, 0)`` is a vertex, as for blocks
        anchored on a dimer image with ``unit_cell=(2, 2)``. The block then holds the
        vertices ``(y, x)`` with ``y < by / 2``, ``x < bx / 2`` and the links leaving them
        in +x and +y; the far ends of the last links are drawn as gray dots.

    Returns
    -------
    axes : list of matplotlib Axes
        The panels, in the order of the hidden units (for 3D blocks ``n_hidden * bz``
        panels: unit 0's slices ``z = 0, 1, ...``, then unit 1's). With ``lattice="dimer"``
        each holds
        three collections labeled ``"links"``, ``"vertices"`` and ``"faces"``, whose
        ``get_array()`` are the (normalized) weights of those cells in C order.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rsmi.plotting import plot_filters
    >>> axes = plot_filters(np.array([[[1.0, 0.9], [1.1, 1.0]]]))
    >>> axes[0].get_xlabel()
    'x (site)'
    >>> axes = plot_filters(np.eye(4)[None], lattice="dimer")
    >>> [c.get_label() for c in axes[0].collections[:3]]
    ['links', 'vertices', 'faces']
    >>> axes = plot_filters(np.ones((1, 2, 2, 2)))  # a 2x2x2 block: two slices
    >>> [ax.get_title() for ax in axes]
    ['unit 0, z = 0', 'unit 0, z = 1']
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    filters = getattr(filters, "filters_", filters)
    filters = np.asarray(filters, dtype=float)
    if filters.ndim not in (2, 3, 4):
        raise ValueError(
            "filters must have shape (n_hidden, b), (n_hidden, by, bx) or (n_hidden, bz, by, "
            f"bx), got {filters.shape}."
        )
    if not np.all(np.isfinite(filters)):
        raise ValueError("filters contain NaN or infinity.")
    if lattice == "dimer" and (filters.ndim != 3 or filters.shape[1] % 2 or filters.shape[2] % 2):
        raise ValueError(
            "lattice='dimer' needs 2D blocks with even sides (a vertex, its two links and its "
            f"face per 2x2 cell of the dimer image), got filters of shape {filters.shape}."
        )
    if normalize:
        scale = np.abs(filters).reshape(len(filters), -1).max(axis=1)
        scale = np.where(scale > 0, scale, 1.0)
        filters = filters / scale.reshape((-1,) + (1,) * (filters.ndim - 1))
    if filters.ndim == 4:
        # one panel per (unit, z) slice, unit-major, so a row of the figure is one unit
        n_rows, n_columns = filters.shape[:2]
        grids = filters.reshape(n_rows * n_columns, *filters.shape[2:])
        titles = [f"unit {j}, z = {k}" for j in range(n_rows) for k in range(n_columns)]
    else:
        n_rows, n_columns = 1, len(filters)
        grids = filters[:, None, :] if filters.ndim == 2 else filters
        titles = [f"hidden unit {j}" for j in range(len(grids))]
    if axes is None:
        # Constrained layout keeps rows of slices, and a caller's suptitle, off the titles.
        height = 2.8 if n_rows == 1 else 2.9 * n_rows
        _, axes = plt.subplots(n_rows, n_columns, figsize=(2.6 * n_columns + 0.6, height),
                               squeeze=False, layout="constrained")
    axes = list(np.ravel(axes))
    if len(axes) < len(grids):
        raise ValueError(f"{len(grids)} filter panels need as many axes, got {len(axes)}.")
    limit = max(float(np.abs(grids).max()), 1e-12)
    for j, (grid, ax) in enumerate(zip(grids, axes)):
        norm = TwoSlopeNorm(0.0, -limit, limit)
        if lattice == "dimer":
            mappable = _draw_dimer_filter(ax, grid, cmap, norm)
            ax.set_xlabel("x (vertex)")
            ax.set_ylabel("y (vertex)" if j == 0 else "")
        else:
            mappable = ax.imshow(grid, cmap=cmap, norm=norm)
            ax.set_xlabel("x (site)")
            ax.set_ylabel("y (site)" if filters.ndim >= 3 and j % n_columns == 0 else "")
            ax.set_xticks(_site_ticks(grid.shape[1]))
            ax.set_yticks(_site_ticks(grid.shape[0]) if filters.ndim >= 3 else [])
        ax.set_title(titles[j])
    if colorbar:
        label = "weight / max |weight|" if normalize else "weight"
        axes[0].figure.colorbar(mappable, ax=axes[: len(grids)], shrink=0.8, label=label)
    return axes[: len(grids)]


def _site_ticks(n_sites):
    # A tick per site stays readable up to a dozen sites; beyond, labels would overlap.
    step = 1 if n_sites <= 12 else int(np.ceil(n_sites / 8))
    return range(0, n_sites, step)


def _draw_dimer_filter(ax, grid, cmap, norm):
    """Draw one (by, bx) filter on the dimer lattice; return the links' collection (for a colorbar).

    Lengths are in lattice spacings (vertex to vertex), y pointing down as in the image.
    Every cell gets a gray outline: a weight near zero is then a pale shape, not a gap.
    """
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Circle, Rectangle

    rows, cols = np.indices(grid.shape)
    is_vertex = (rows % 2 == 0) & (cols % 2 == 0)
    is_face = (rows % 2 == 1) & (cols % 2 == 1)
    is_link = ~(is_vertex | is_face)
    half_width, gap = 0.11, 0.17  # bars stop short of the vertex discs
    bars = []
    for r, c in zip(rows[is_link], cols[is_link]):
        x, y = c // 2, r // 2  # the vertex the link leaves
        if r % 2 == 0:  # horizontal link (y, x) - (y, x + 1)
            bars.append(Rectangle((x + gap, y - half_width), 1 - 2 * gap, 2 * half_width))
        else:  # vertical link (y, x) - (y + 1, x)
            bars.append(Rectangle((x - half_width, y + gap), 2 * half_width, 1 - 2 * gap))
    discs = [Circle((c // 2, r // 2), 0.13) for r, c in zip(rows[is_vertex], cols[is_vertex])]
    squares = [Rectangle((c // 2 + 0.5 - 0.15, r // 2 + 0.5 - 0.15), 0.3, 0.3)
               for r, c in zip(rows[is_face], cols[is_face])]
    mappable = None
    for label, patches, mask in (("links", bars, is_link), ("vertices", discs, is_vertex),
                                 ("faces", squares, is_face)):
        collection = PatchCollection(patches, cmap=cmap, norm=norm, edgecolor="0.55",
                                     linewidth=0.5, label=label)
        collection.set_array(grid[mask])
        ax.add_collection(collection)
        if mappable is None:
            mappable = collection
    n_y, n_x = grid.shape[0] // 2, grid.shape[1] // 2
    # The far ends of the block's last links: vertices of the next blocks.
    ends = [(x, n_y) for x in range(n_x)] + [(n_x, y) for y in range(n_y)]
    ax.scatter(*np.transpose(ends), s=6, color="0.6", zorder=0, label="outside vertices")
    ax.set_xlim(-0.4, n_x + 0.4)
    ax.set_ylim(n_y + 0.4, -0.4)
    ax.set_aspect("equal")
    ax.set_xticks(range(n_x + 1))
    ax.set_yticks(range(n_y + 1))
    return mappable


@validate_params(
    {"history": ["array-like", HasMethods(["fit"])], "ax": "no_validation"},
    prefer_skip_nested_validation=True,
)
def plot_mutual_information(history, ax=None):
    """The mutual information I(H:E) during training, as in figure 5 of the arXiv paper.

    Parameters
    ----------
    history : array-like of shape (n_epochs + 1,) or an RSMICoarseGrainer
        ``mutual_information_history_`` (bits, before training and after every epoch).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    ax : matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rsmi.plotting import plot_mutual_information
    >>> plot_mutual_information([0.0, 0.3, 0.5, 0.55]).get_ylabel()
    'I(H : E) (bits)'
    """
    import matplotlib.pyplot as plt

    history = getattr(history, "mutual_information_history_", history)
    history = np.asarray(history, dtype=float)
    if history.ndim != 1 or history.size == 0:
        raise ValueError(f"history must be a non-empty 1D array, got shape {history.shape}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.2))
    ax.plot(np.arange(history.size), history, marker="o", ms=3)
    ax.set_xlabel("epoch")
    ax.set_ylabel("I(H : E) (bits)")
    ax.set_title("Mutual information during training")
    return ax
