"""RGFlowResult: its CSV round trip, written whole or not at all."""

import csv
import os

import numpy as np
import pytest

from sklearn_rsmi import rg
from sklearn_rsmi.rg import (
    RGFlowResult,
)


def test_to_csv_round_trips_and_is_atomic(tmp_path, monkeypatch):
    rows = [{"temperature": 2.0, "step": k, "effective_temperature": 2.0 + 0.1 * k,
             "filters": None if k == 0 else np.array([[0.5, 1.0], [1.5, 2.0]])} for k in range(2)]
    result = RGFlowResult(rows)
    path = tmp_path / "flow.csv"
    result.to_csv(path)
    with open(path, newline="") as handle:
        table = list(csv.DictReader(handle))
    assert [float(r["effective_temperature"]) for r in table] == [2.0, 2.1]
    assert table[1]["filters"] == "0.5 1.0 1.5 2.0"

    def fail(value):
        raise RuntimeError("disk full")

    monkeypatch.setattr(rg._result, "_csv_cell", fail)
    with pytest.raises(RuntimeError):
        result.to_csv(tmp_path / "other.csv")
    assert sorted(os.listdir(tmp_path)) == ["flow.csv"]
