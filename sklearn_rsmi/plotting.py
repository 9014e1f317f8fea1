"""Figures. matplotlib is imported inside each function, only when a figure is drawn."""

import numpy as np

from .physics import CRITICAL_TEMPERATURE

__all__ = ["plot_rg_flow"]


def plot_rg_flow(result, ax=None, *, critical_temperature=CRITICAL_TEMPERATURE, cmap="coolwarm",
                 errorbars=True):
    """RG flow as in Fig. 5 of Koch-Janusz & Ringel (2018): T/T_c against the RG step.

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
