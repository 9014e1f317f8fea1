"""Figures. matplotlib is imported inside each function, only when a figure is drawn."""

import numpy as np

from .physics import CRITICAL_TEMPERATURE

__all__ = ["plot_filters", "plot_mutual_information", "plot_rg_flow"]


def plot_rg_flow(result, ax=None, *, critical_temperature=CRITICAL_TEMPERATURE, cmap="coolwarm",
                 errorbars=True):
    """RG flow, T/T_c against the RG step, as in Koch-Janusz and Ringel (2018), figure 5.

    One line per starting temperature, coloured from cold (blue) to hot (red). Levels
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

    if not hasattr(result, "flow") or not hasattr(result, "temperatures"):
        raise TypeError(f"result must be an RGFlowResult, got {type(result).__name__}.")
    if not (np.isfinite(critical_temperature) and critical_temperature > 0):
        raise ValueError(f"critical_temperature must be > 0, got {critical_temperature!r}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    flow = result.flow() / critical_temperature
    errors = result.flow_error() / critical_temperature if errorbars else None
    temperatures = result.temperatures
    colours = colormaps[cmap](np.linspace(0, 1, max(len(temperatures), 2)))
    steps = np.arange(flow.shape[1])
    for i, T in enumerate(temperatures):
        shown = np.isfinite(flow[i]) & (flow[i] > 0)
        label = f"T = {T / critical_temperature:.3f} T_c"
        if errors is not None and np.any(errors[i, shown] > 0):
            ax.errorbar(steps[shown], flow[i, shown], yerr=errors[i, shown], color=colours[i],
                        marker="o", ms=3, capsize=2, label=label)
        else:
            ax.plot(steps[shown], flow[i, shown], color=colours[i], marker="o", ms=3, label=label)
    ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
    ax.set_xticks(steps)
    ax.set_xlabel("RG step")
    ax.set_ylabel(r"$T / T_c$")
    ax.set_title("RG flow")
    finite = flow[np.isfinite(flow)]
    if finite.size:
        ax.set_ylim(max(0.0, min(finite.min(), 1.0) - 0.05), min(max(finite.max(), 1.0) + 0.05, 3.0))
    return ax


def plot_filters(filters, axes=None, *, cmap="RdBu_r", normalise=True, colorbar=True):
    """Filters as heat maps, one panel per hidden unit, on a diverging colormap centred on zero.

    Parameters
    ----------
    filters : array-like of shape (n_hidden,) + visible_shape, or an RSMICoarseGrainer
        Filters of 1D blocks ``(n_hidden, b)`` or 2D blocks ``(n_hidden, by, bx)``; a fitted
        coarse-grainer's ``filters_`` are used.
    axes : sequence of matplotlib Axes or None, default=None
        One Axes per hidden unit; ``None`` creates a figure with a row of panels.
    cmap : str, default="RdBu_r"
        A diverging colormap; its centre is pinned to zero weight.
    normalise : bool, default=True
        Divide each filter by its largest ``|weight|`` (weights grow without bound as the
        coarse-graining becomes deterministic, so only their ratios are meaningful).
    colorbar : bool, default=True
        Draw a colorbar beside the panels (leave it to the caller when composing figures).

    Returns
    -------
    axes : list of matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_rsmi.plotting import plot_filters
    >>> axes = plot_filters(np.array([[[1.0, 0.9], [1.1, 1.0]]]))
    >>> axes[0].get_xlabel()
    'x (site)'
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    filters = getattr(filters, "filters_", filters)
    filters = np.asarray(filters, dtype=float)
    if filters.ndim not in (2, 3):
        raise ValueError(
            f"filters must have shape (n_hidden, b) or (n_hidden, by, bx), got {filters.shape}."
        )
    if not np.all(np.isfinite(filters)):
        raise ValueError("filters contain NaN or infinity.")
    grids = filters[:, None, :] if filters.ndim == 2 else filters
    if normalise:
        scale = np.abs(grids).reshape(len(grids), -1).max(axis=1)
        grids = grids / np.where(scale > 0, scale, 1.0)[:, None, None]
    if axes is None:
        n = len(grids)
        _, axes = plt.subplots(1, n, figsize=(2.6 * n + 0.6, 2.6), squeeze=False)
        axes = list(axes[0])
    axes = list(np.ravel(axes))
    if len(axes) < len(grids):
        raise ValueError(f"{len(grids)} filters need as many axes, got {len(axes)}.")
    limit = max(float(np.abs(grids).max()), 1e-12)
    for j, (grid, ax) in enumerate(zip(grids, axes)):
        image = ax.imshow(grid, cmap=cmap, norm=TwoSlopeNorm(0.0, -limit, limit))
        ax.set_title(f"hidden unit {j}")
        ax.set_xlabel("x (site)")
        ax.set_ylabel("y (site)" if filters.ndim == 3 and j == 0 else "")
        ax.set_xticks(range(grid.shape[1]))
        ax.set_yticks(range(grid.shape[0]) if filters.ndim == 3 else [])
    if colorbar:
        label = "weight / max |weight|" if normalise else "weight"
        axes[0].figure.colorbar(image, ax=axes[: len(grids)], shrink=0.8, label=label)
    return axes[: len(grids)]


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
