"""The result of a temperature sweep: one record per (starting temperature, RG step)."""

import numpy as np

from .._utils.files import write_atomically
from ._flow_analysis import (
    critical_temperature_from_flow,
    exponent_from_collapse,
    exponent_from_linearized_flow,
)

_CSV_ORDER = (
    "temperature", "step", "lattice_size", "effective_temperature", "effective_temperature_error",
    "effective_temperature_onsager", "effective_temperature_onsager_error", "nn_correlation",
    "nn_correlation_error", "diagonal_correlation", "diagonal_correlation_error",
    "abs_magnetization", "mutual_information", "filters", "filter_bias",
)


class RGFlowResult:
    """Tidy result of :func:`rg_flow_sweep`: one record per (starting temperature, step).

    Parameters
    ----------
    records : list of dict
        Each with at least ``temperature``, ``step`` and ``effective_temperature``.
    block_size : int, default=2
        Linear block size b of one RG step.
    reference : str, default="simulation"
        How ``effective_temperature`` was read (see :func:`rg_flow_sweep`).
    reference_tables : dict, optional
        Linear size -> (temperatures, correlations) tables used for the inversion.

    Attributes
    ----------
    records : list of dict
        The rows; ``result["column"]`` gives a column as an array (object arrays for
        ``filters`` and ``filter_bias``).

    Examples
    --------
    >>> from sklearn_rsmi.rg import RGFlowResult
    >>> rows = [{"temperature": 2.0, "step": k, "effective_temperature": 2.0 - 0.2 * k}
    ...         for k in range(3)]
    >>> result = RGFlowResult(rows)
    >>> result.flow().tolist()
    [[2.0, 1.8, 1.6]]
    """

    def __init__(self, records, *, block_size=2, reference="simulation", reference_tables=None):
        self.records = list(records)
        if not self.records:
            raise ValueError("an RGFlowResult needs at least one record.")
        for key in ("temperature", "step", "effective_temperature"):
            if any(key not in r for r in self.records):
                raise ValueError(f"every record needs a {key!r} entry.")
        self.block_size = int(block_size)
        self.reference = reference
        self.reference_tables = dict(reference_tables or {})

    def __len__(self):
        return len(self.records)

    @property
    def columns(self):
        """Column names, in a fixed order (known columns first)."""
        keys = []
        for record in self.records:
            keys.extend(k for k in record if k not in keys)
        return [k for k in _CSV_ORDER if k in keys] + [k for k in keys if k not in _CSV_ORDER]

    def __getitem__(self, name):
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; columns are {self.columns}.")
        values = [r.get(name) for r in self.records]
        if any(v is None or isinstance(v, np.ndarray) for v in values):
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out
        return np.asarray(values)

    @property
    def temperatures(self):
        """Sorted distinct starting temperatures."""
        return np.unique(self["temperature"].astype(float))

    @property
    def n_steps(self):
        return int(self["step"].max())

    def flow(self, column="effective_temperature"):
        """Array of shape (n_temperatures, n_steps + 1): ``column`` per temperature and step."""
        T0 = self.temperatures
        out = np.full((T0.size, self.n_steps + 1), np.nan)
        rows = np.searchsorted(T0, self["temperature"].astype(float))
        out[rows, self["step"].astype(int)] = self[column].astype(float)
        return out

    def flow_error(self):
        """Errors of :meth:`flow` (zeros if the records carry none)."""
        if "effective_temperature_error" not in self.columns:
            return np.zeros((self.temperatures.size, self.n_steps + 1))
        return self.flow("effective_temperature_error")

    def filters(self, temperature, step):
        """The filters of the step that produced level ``step`` at ``temperature``."""
        for record in self.records:
            if record["temperature"] == temperature and record["step"] == step:
                return record.get("filters")
        raise KeyError(f"no record for temperature={temperature}, step={step}.")

    def to_csv(self, path):
        """Write the records as CSV, whole or not at all.

        Arrays (filters) are written as space-separated numbers in C order.

        Parameters
        ----------
        path : str or path-like

        Returns
        -------
        path : str
        """
        columns = self.columns

        def write(handle):
            handle.write(",".join(columns) + "\n")
            for record in self.records:
                handle.write(",".join(_csv_cell(record.get(c)) for c in columns) + "\n")

        return write_atomically(path, write, binary=False)

    # convenience wrappers of the analysis functions
    def critical_temperature(self, **kwargs):
        """:func:`critical_temperature_from_flow` on this flow."""
        return critical_temperature_from_flow(self.temperatures, self.flow(), self.flow_error(),
                                              **kwargs)

    def exponent_from_linearized_flow(self, **kwargs):
        """:func:`exponent_from_linearized_flow` on this flow."""
        kwargs.setdefault("block_size", self.block_size)
        return exponent_from_linearized_flow(self.temperatures, self.flow(), self.flow_error(),
                                             **kwargs)

    def exponent_from_collapse(self, **kwargs):
        """:func:`exponent_from_collapse` on this flow."""
        kwargs.setdefault("block_size", self.block_size)
        return exponent_from_collapse(self.temperatures, self.flow(), self.flow_error(), **kwargs)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, np.ndarray):
        return " ".join(repr(float(v)) for v in value.ravel())
    if isinstance(value, float):
        return repr(value)
    return str(value)


