"""Per-stage timers for ``bench_rg_paper.py --stages``: loaded at start-up by every process.

``bench_rg_paper.py --stages`` puts this folder on ``PYTHONPATH`` and names a log file in
``RSMI_STAGE_LOG``; every Python process it starts, the joblib workers included, then
runs this file first. It wraps the functions of each stage of an RG sweep (sampling,
reference simulations, Theta-RBM training, the log g table, the filter ascent, the
transform, the level measurements) and appends one line per call, ``stage <tab> wall seconds <tab> CPU
seconds``, with the time spent in that stage itself (nested stages are subtracted), to the log.
Functions keep their module and name, so joblib pickles the wrapped ones by reference.
Without ``RSMI_STAGE_LOG`` it does nothing.
"""

import functools
import os
import time

_LOG = os.environ.get("RSMI_STAGE_LOG")
_stack = []  # [label, child wall seconds, child CPU seconds] of the stages open here


def _record(label, wall, cpu):
    with open(_LOG, "a") as handle:  # one short O_APPEND write per call: safe across processes
        handle.write(f"{label}\t{wall:.6f}\t{cpu:.6f}\n")


def _timed(function, label):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        resolved = label(_stack) if callable(label) else label
        _stack.append([resolved, 0.0, 0.0])
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            _, child_wall, child_cpu = _stack.pop()
            if _stack:
                _stack[-1][1] += wall
                _stack[-1][2] += cpu
            _record(resolved, wall - child_wall, cpu - child_cpu)

    return wrapper


def _sampling_label(stack):
    inside_reference = any(entry[0] == "reference simulations, other" for entry in stack)
    return "sampling, reference simulations" if inside_reference else "sampling, flow input"


def _install():
    from sklearn_rsmi.coarse_graining import _coarse_grainer, _theta_rbm_objective
    from sklearn_rsmi.datasets import _ising
    from sklearn_rsmi.rbm import _theta_rbm
    from sklearn_rsmi.rg import _sweep

    _ising._generate = _timed(_ising._generate, _sampling_label)
    _sweep._run_reference = _timed(_sweep._run_reference, "reference simulations, other")
    _sweep._run_temperature = _timed(_sweep._run_temperature, "flow task, other")
    _sweep._measure_level = _timed(_sweep._measure_level, "level measurements")
    _theta_rbm.ThetaRBM.fit = _timed(_theta_rbm.ThetaRBM.fit, "Theta-RBM training")
    grainer = _coarse_grainer.RSMICoarseGrainer
    grainer._ascend = _timed(grainer._ascend, "filter ascent")
    grainer.transform = _timed(grainer.transform, "coarse-graining (transform)")
    route = _theta_rbm_objective.ThetaRBMRoute
    route.__init__ = _timed(route.__init__, "log g table")


if _LOG:
    _install()
