r"""Monte Carlo renormalization group: the linearized RG of a fitted pipeline, and T_c by matching.

Write the Hamiltonian of every level as ``H = sum_a K_a S_a`` with ``S_a`` the lattice sums
of operators (:mod:`._operators`). For any normalized blocking ``P(s' | s)``, level ``n + 1``
from level ``n`` (Swendsen, PRL 42, 859 (1979)),

.. math::

    \frac{\partial \langle S^{(n+1)}_g \rangle}{\partial K^{(n)}_b}
        = \langle S^{(n+1)}_g S^{(n)}_b \rangle - \langle S^{(n+1)}_g \rangle
          \langle S^{(n)}_b \rangle = \sum_a A_{ga} T_{ab},
    \qquad
    A_{ga} = \langle S^{(n+1)}_g S^{(n+1)}_a \rangle
          - \langle S^{(n+1)}_g \rangle \langle S^{(n+1)}_a \rangle,

so the linearized RG matrix ``T_ab = dK^(n+1)_a / dK^(n)_b`` is ``A^-1 B`` with ``B`` the
cross-level connected correlations. Both come from the same samples. Its eigenvalues are
``b^y``: the leading even one gives the thermal exponent ``y_t = 1 / nu``, the leading odd
one the magnetic exponent ``y_h``. Even and odd operators do not mix under a spin flip, so
each sector has its own matrix, provided the blocking respects that symmetry.

Errors are jackknife errors over contiguous blocks of samples (Monte Carlo time), which
keeps the autocorrelation of a chain inside a block.
"""

import copy
import dataclasses
import math
import numbers
import time
from collections import namedtuple

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)

from .._utils.threads import numba_threads
from .._utils.validation import SPIN, infer_value_convention
from ._operators import LatticeOperator, _check_operators, _Layout, default_operators
from ._pipeline import _rg_steps

__all__ = [
    "LinearizedRG",
    "MCRGEstimate",
    "OperatorSums",
    "TwoLatticeMatching",
    "linearized_rg",
    "match_two_lattices",
    "measure_operators",
]

SECTORS = ("even", "odd")

#: A final number of the Monte Carlo RG with its error budget.
MCRGEstimate = namedtuple(
    "MCRGEstimate",
    ["value", "error", "statistical_error", "systematic_error", "level", "n_operators",
     "n_candidates"],
)
MCRGEstimate.__doc__ = """A final MCRG number with its error budget.

``error = sqrt(statistical_error**2 + systematic_error**2)``. ``level`` lists the level
pairs ``(n, n + 1)`` (linearized RG) or the large lattice's levels (matching) the value is
read from, ``n_operators`` the operator counts (linearized RG) or the operators' names
(matching); ``n_candidates`` counts the entries whose spread makes the systematic error.
"""


# --------------------------------------------------------------------------- measurement
@dataclasses.dataclass
class OperatorSums:
    """Lattice sums of operators at every level of an RG pipeline, per sample.

    Made by :func:`measure_operators`; the input of :func:`linearized_rg` and
    :func:`match_two_lattices`.

    Attributes
    ----------
    operators : tuple of LatticeOperator
        The operators, in the order of the last axis of ``sums``.
    sums : list of ndarray of shape (n_samples, n_operators)
        ``sums[n]`` holds the lattice sums at level ``n`` (0 is the input), int64. Odd
        operators are multiplied by ``orientation[n]``.
    nearest_neighbor_sum : ndarray of shape (n_samples,)
        The nearest-neighbor sum of the input lattice, the operator that the inverse
        temperature ``K = 1 / T`` multiplies in the sampled ensemble.
    lattice_shapes : list of tuple
        The lattice shape of every level.
    block_size : int
        Linear size ``b`` of a block (the same along every axis and at every step).
    orientation : ndarray of shape (n_levels,)
        The running product of the steps' signs, +-1: a step whose coarse spin is up when
        its block is mostly down (a learned filter of negative weights) flips the sign of
        every odd operator, which would make the odd eigenvalue negative.
    blocking : {'sample', 'most-likely'}
        How the coarse levels were made.
    """

    operators: tuple
    sums: list
    nearest_neighbor_sum: np.ndarray
    lattice_shapes: list
    block_size: int
    orientation: np.ndarray
    blocking: str = "sample"

    @property
    def n_samples(self):
        return self.nearest_neighbor_sum.shape[0]

    @property
    def n_levels(self):
        return len(self.sums)

    def sector(self, parity):
        """Indices (into ``operators``) of the operators of one sector, in order."""
        return [a for a, op in enumerate(self.operators) if op.parity == parity]


def _coarse_shape_and_block(fine_shape, coarse, step_index):
    coarse_shape = coarse.shape[1:]
    if len(coarse_shape) != len(fine_shape):
        raise ValueError(
            f"RG step {step_index} maps lattices {fine_shape} to outputs of shape {coarse_shape}: "
            "the Monte Carlo RG needs one coarse spin per block (n_hidden=1)."
        )
    ratios = {f / c for f, c in zip(fine_shape, coarse_shape)}
    if len(ratios) != 1 or not float(next(iter(ratios))).is_integer():
        raise ValueError(
            f"RG step {step_index} maps lattices {fine_shape} to {coarse_shape}: the analysis "
            "needs a block of the same integer size along every axis."
        )
    return tuple(coarse_shape), int(next(iter(ratios)))


def _block_magnetization(fine_spins, block_size):
    """Sum of the spins of every block, ``(n, *coarse_shape)``."""
    n, *shape = fine_spins.shape
    split = [n]
    for size in shape:
        split += [size // block_size, block_size]
    return fine_spins.reshape(split).sum(axis=tuple(range(2, 2 * len(shape) + 1, 2)),
                                         dtype=np.int64)


def _as_spins(level):
    return np.where(np.asarray(level) > 0, 1, -1).astype(np.int8)


def _step_sign(fine, coarse, block_size):
    """+1 when the coarse spins follow their blocks' magnetization, -1 when they oppose it."""
    overlap = np.sum(_block_magnetization(_as_spins(fine), block_size) * _as_spins(coarse))
    return -1 if overlap < 0 else 1


def _most_likely(step):
    """A transform that gives each block its most likely coarse value (ties go up)."""
    params = step.get_params(deep=False) if hasattr(step, "get_params") else {}
    if params.get("output") not in ("sample", "probability"):
        raise ValueError(
            f"blocking='most-likely' needs steps that can output probabilities (an "
            f"output='probability' parameter); {type(step).__name__} has none."
        )
    probable = copy.copy(step).set_params(output="probability")
    spins = getattr(step, "value_convention_", SPIN) == SPIN

    def transform(X):
        up = probable.transform(X) >= 0.5
        return (2 * up.astype(np.int8) - 1) if spins else up.astype(np.int8)

    return transform


@validate_params(
    {
        "pipeline": [HasMethods(["transform"])],
        "X": ["array-like"],
        "operators": ["array-like", None],
        "n_steps": [Interval(numbers.Integral, 1, None, closed="left"), None],
        "blocking": [StrOptions({"sample", "most-likely"})],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
    },
    prefer_skip_nested_validation=True,
)
def measure_operators(pipeline, X, operators=None, *, n_steps=None, blocking="sample",
                      batch_size=1000, n_jobs=None, verbose=0):
    """Lattice sums of operators at every level of a fitted RG pipeline.

    The samples go through the pipeline's fitted steps in batches (the coarse lattices are
    never all in memory at once), and every level's lattice sums are kept per sample.

    Parameters
    ----------
    pipeline : Pipeline or transformer
        A fitted RG pipeline (:func:`make_rg_pipeline`, with
        :class:`~sklearn_rsmi.RSMICoarseGrainer` or
        :class:`~sklearn_rsmi.coarse_graining.MajorityRuleCoarseGrainer` steps, or any
        transformers that map a lattice to one coarse spin per block).
    X : array-like of shape (n_samples, L) or (n_samples, Ly, Lx)
        Binary samples of one ensemble (spins, or occupations read as ``s = 2x - 1``), in
        the order they were generated: the jackknife blocks of the analysis are
        contiguous runs of samples.
    operators : sequence of LatticeOperator or None, default=None
        ``None`` means :func:`default_operators` of the lattice's dimension. Every
        operator must fit every level measured.
    n_steps : int or None, default=None
        Use the first ``n_steps`` steps of the pipeline (all when None). One step gives
        two levels, one level pair; the exponents need two pairs or more, since the first
        carries the largest transient.
    blocking : {'sample', 'most-likely'}, default='sample'
        ``'sample'`` uses the steps' ``transform`` (coarse spins drawn from ``P(H | V)``);
        ``'most-likely'`` gives every block its most likely coarse value instead (ties go
        up), which needs steps with an ``output='probability'`` mode.
    batch_size : int, default=1000
        Samples pushed through the pipeline at once (memory, not results).
    n_jobs : int or None, default=None
        numba threads of the lattice sums; the steps' transforms use their own ``n_jobs``.
        Results do not depend on it.
    verbose : int, default=0
        Print a progress line per tenth of the samples.

    Returns
    -------
    sums : OperatorSums

    Examples
    --------
    >>> from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer
    >>> from sklearn_rsmi.datasets import make_ising
    >>> from sklearn_rsmi.rg import make_rg_pipeline, measure_operators
    >>> X = make_ising(200, 16, 2.269, random_state=0)
    >>> pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(),
    ...                         random_state=0).fit(X)
    >>> sums = measure_operators(pipe, X)
    >>> sums.lattice_shapes
    [(16, 16), (8, 8), (4, 4)]
    >>> sums.sums[1].shape
    (200, 11)
    """
    return _measure([(pipeline, blocking)], X, operators, n_steps=n_steps,
                    batch_size=batch_size, n_jobs=n_jobs, verbose=verbose)[0]


class _Chain:
    """The transforms of one (pipeline, blocking) and what the first batch tells of them."""

    def __init__(self, pipeline, blocking, n_steps, first):
        steps = [step for _, step in _rg_steps(pipeline)]
        if n_steps is not None:
            if n_steps > len(steps):
                raise ValueError(f"n_steps={n_steps} but the pipeline has {len(steps)} steps.")
            steps = steps[:n_steps]
        if not steps:
            raise ValueError(
                "the Monte Carlo RG needs at least two levels, the input and one coarse level: "
                "give a pipeline of at least one RG step."
            )
        self.blocking = blocking
        self.transforms = [_most_likely(step) if blocking == "most-likely" else step.transform
                           for step in steps]
        levels = self.levels(first)
        self.shapes, sizes = [tuple(first.shape[1:])], set()
        for k, level in enumerate(levels[1:], start=1):
            shape, size = _coarse_shape_and_block(self.shapes[-1], level, k)
            self.shapes.append(shape)
            sizes.add(size)
        if len(sizes) != 1:
            raise ValueError(f"every RG step must use the same block size, got {sorted(sizes)}.")
        self.block_size = sizes.pop()
        signs = [_step_sign(levels[k], levels[k + 1], self.block_size)
                 for k in range(len(self.transforms))]
        self.orientation = np.cumprod([1] + signs).astype(np.int64)
        self.first_levels = levels

    def levels(self, X):
        levels = [X]
        for transform in self.transforms:
            levels.append(transform(levels[-1]))
        return levels


def _measure(runs, X, operators=None, *, n_steps=None, batch_size=1000, n_jobs=None,
             verbose=0):
    """:func:`measure_operators` for several ``(pipeline, blocking)`` on the same samples.

    The input level's sums are computed once for all of them.
    """
    infer_value_convention(X, name="X")
    X = np.asarray(X)
    if X.ndim < 2:
        raise ValueError(f"X must have shape (n_samples, *lattice), got shape {X.shape}.")
    n_samples = X.shape[0]
    start = time.perf_counter()
    # Shapes, block size and orientation from the first batch; checked before the long pass.
    first = X[: min(batch_size, n_samples)]
    chains = [_Chain(pipeline, blocking, n_steps, first) for pipeline, blocking in runs]
    if operators is None:
        operators = default_operators(X.ndim - 1)
    operators = tuple(operators)
    layouts = {}
    for chain in chains:
        for n, shape in enumerate(chain.shapes):
            _check_operators(operators, shape, where=f" of level {n}")
            layouts.setdefault(shape, _Layout(operators, shape))
    odd = np.array([op.parity == "odd" for op in operators])
    ndim = X.ndim - 1
    nearest = _Layout([LatticeOperator("nearest neighbor", [(0,) * ndim, (0,) * (ndim - 1) + (1,)])],
                      X.shape[1:])

    sums = [[np.empty((n_samples, len(operators)), dtype=np.int64) for _ in chain.shapes]
            for chain in chains]
    nearest_sum = np.empty(n_samples, dtype=np.int64)
    reports = sorted({-(-i * n_samples // 10) for i in range(1, 11)})
    with numba_threads(n_jobs):
        for lo in range(0, n_samples, batch_size):
            hi = min(lo + batch_size, n_samples)
            batch = X[lo:hi]
            input_sums = layouts[tuple(X.shape[1:])].sums(batch)
            nearest_sum[lo:hi] = nearest.sums(batch)[:, 0]
            for chain, chain_sums in zip(chains, sums):
                levels = chain.first_levels if lo == 0 else chain.levels(batch)
                chain_sums[0][lo:hi] = input_sums
                for n in range(1, len(levels)):
                    level_sums = layouts[chain.shapes[n]].sums(levels[n])
                    level_sums[:, odd] *= chain.orientation[n]
                    chain_sums[n][lo:hi] = level_sums
            if verbose and any(lo < r <= hi for r in reports):
                print(f"[measure_operators] {hi}/{n_samples} samples, "
                      f"{time.perf_counter() - start:.1f} s", flush=True)
    for chain in chains:
        chain.first_levels = None
    return [OperatorSums(operators, chain_sums, nearest_sum, chain.shapes, chain.block_size,
                         chain.orientation, chain.blocking)
            for chain, chain_sums in zip(chains, sums)]


# --------------------------------------------------------------------------- resampling
def _check_blocks(n_samples, n_blocks, n_operators, what="samples"):
    if n_blocks < 2:
        raise ValueError(f"the jackknife needs n_blocks >= 2, got {n_blocks}.")
    if n_samples < 2 * n_blocks or n_samples - n_samples // n_blocks <= n_operators + 1:
        raise ValueError(
            f"too few {what} for the resampling: {n_samples} in {n_blocks} jackknife blocks "
            f"of {n_samples // n_blocks}; each block needs at least 2 samples and the rest "
            f"more than {n_operators + 1} (the operators' covariance must be invertible). "
            "Use more samples or fewer blocks."
        )


def _block_moments(columns, n_blocks):
    """Per-block sums of the columns and of their products, and the block counts.

    ``columns`` is ``(n_samples, p)``, centered by the caller (moments of centered data keep
    the connected correlations free of cancellation). Returns ``(counts (n_blocks,),
    first (n_blocks, p), second (n_blocks, p, p))``.
    """
    bounds = np.linspace(0, columns.shape[0], n_blocks + 1).round().astype(int)
    counts = np.diff(bounds).astype(np.float64)
    first = np.add.reduceat(columns, bounds[:-1], axis=0)
    second = np.stack([columns[a:b].T @ columns[a:b] for a, b in zip(bounds[:-1], bounds[1:])])
    return counts, first, second


def _replicas(counts, first, second):
    """Moments of the full sample (index 0) and of every leave-one-block-out replica."""
    total_n, total_1, total_2 = counts.sum(), first.sum(axis=0), second.sum(axis=0)
    n = np.concatenate([[total_n], total_n - counts])
    mean = np.concatenate([total_1[None], total_1[None] - first]) / n[:, None]
    product = np.concatenate([total_2[None], total_2[None] - second]) / n[:, None, None]
    return mean, product - mean[:, :, None] * mean[:, None, :]


def _jackknife_error(replicas):
    """Jackknife error from leave-one-out values ``(n_blocks, ...)``; nan if any is nan."""
    n = replicas.shape[0]
    return np.sqrt((n - 1) / n * np.sum((replicas - replicas.mean(axis=0)) ** 2, axis=0))


def _leading_eigenvalue(T):
    """The eigenvalue of largest real part of each matrix in a stack, as a real number."""
    values = np.linalg.eigvals(T)
    index = np.argmax(values.real, axis=-1)
    leading = np.take_along_axis(values, index[..., None], axis=-1)[..., 0]
    # A complex leading pair means the truncated matrix has no clean relevant direction.
    return np.where(np.abs(leading.imag) > 1e-9 * np.abs(leading.real), np.nan, leading.real)


def _exponent(eigenvalue, block_size):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(eigenvalue > 0, np.log(eigenvalue) / np.log(block_size), np.nan)


# --------------------------------------------------------------------------- linearized RG
class LinearizedRG:
    """Exponents of the linearized RG, per level pair and operator count, with jackknife errors.

    Made by :func:`linearized_rg`.

    Attributes
    ----------
    level_pairs : list of tuple
        ``(n, n + 1)`` for every pair of consecutive levels.
    coarse_shapes : list of tuple
        The lattice shape of level ``n + 1`` of every pair.
    operator_names : dict
        ``{'even': [...], 'odd': [...]}``, the operators of each sector in the order they
        are added.
    exponents : dict
        ``{sector: ndarray of shape (n_pairs, n_operators_of_sector)}``: the exponent
        ``y = ln(lambda) / ln(b)`` of the leading eigenvalue ``lambda`` of ``T`` built from
        the first ``k`` operators of the sector (column ``k - 1``); nan where that
        eigenvalue is not real and positive.
    errors : dict
        Jackknife errors of ``exponents``, same shapes.
    eigenvalues : dict
        ``{sector: ndarray of shape (n_pairs, k_max, k_max)}``: all eigenvalues of each
        ``T`` (complex), largest real part first, padded with nan.
    replicas : dict
        ``{sector: ndarray of shape (n_blocks, n_pairs, k_max)}``: the exponents with each
        jackknife block left out in turn, for the errors of combinations of entries.
    block_size : int
    n_samples, n_blocks : int
    blocking : str
    """

    def __init__(self, level_pairs, coarse_shapes, operator_names, exponents, errors,
                 eigenvalues, replicas, block_size, n_samples, n_blocks, blocking):
        self.level_pairs = level_pairs
        self.coarse_shapes = coarse_shapes
        self.operator_names = operator_names
        self.exponents = exponents
        self.errors = errors
        self.eigenvalues = eigenvalues
        self.replicas = replicas
        self.block_size = block_size
        self.n_samples = n_samples
        self.n_blocks = n_blocks
        self.blocking = blocking

    def estimate(self, sector, *, min_level=1, min_coarse_size=None, min_operators=2,
                 transient_ratio=None):
        """The final exponent of a sector, by a rule fixed before the benchmark it judges.

        Candidates are the level pairs ``(n, n + 1)`` with ``n >= min_level`` whose level
        ``n + 1`` has at least ``min_coarse_size`` sites along every axis, each with every
        operator count ``k >= min_operators``. The value is the mean of the candidates;
        its statistical error is the jackknife error of that mean (the candidates come
        from the same samples and are correlated; the jackknife sees that). The
        systematic error is the largest distance of a candidate from the value: the
        spread over the level pairs and operator counts the value is read from. The two
        add in quadrature. The defaults leave out the first level pair (the largest
        transient of the blocking), coarse lattices below 8x8 on the square lattice (finite
        size) and a single operator (a projection onto one coupling, which reads ``y_t``
        several percent low). On the cubic lattice they keep coarse lattices down to
        4x4x4: the transient of the blocking decays there by only about ``2**-0.83`` per
        level (the leading irrelevant exponent is 0.83, against 2 on the square lattice),
        so the deepest pair is the one least affected by it, and the spread between it and
        the shallower pairs, finite size included, is the systematic error.

        A transient that decays geometrically, by ``transient_ratio`` per level, moves the
        exponent on after the deepest pair by ``|d| * q / (1 - q)`` (``d`` the change of the
        mean over the operator counts from the second-deepest candidate pair to the deepest,
        ``q = transient_ratio``): when the candidates approach the limit from one side,
        their spread alone does not reach it. That remainder is added to the systematic
        error. Its default is 0 on the square lattice (the rule of the 2D benchmark) and
        ``2**-0.83`` on the cubic one, from the published correction exponent; the 3D
        benchmark showed the need for it (see the 3D page of the user guide).

        Parameters
        ----------
        sector : {'even', 'odd'}
            ``'even'`` gives ``y_t``, ``'odd'`` gives ``y_h``.
        min_level : int, default=1
        min_coarse_size : int or None, default=None
            None means 8 for square lattices (and chains), 4 for cubic ones.
        min_operators : int, default=2
        transient_ratio : float or None, default=None
            ``q`` above, in ``[0, 1)``; None means 0 for square lattices (and chains),
            ``2**-0.83`` for cubic ones.

        Returns
        -------
        estimate : MCRGEstimate
        """
        table = self.exponents[sector]
        if min_coarse_size is None:
            min_coarse_size = 4 if len(self.coarse_shapes[0]) == 3 else 8
        pairs = [p for p, ((n, _), shape) in enumerate(zip(self.level_pairs, self.coarse_shapes))
                 if n >= min_level and min(shape) >= min_coarse_size]
        counts = list(range(min_operators - 1, table.shape[1]))
        if not pairs or not counts:
            raise ValueError(
                f"no candidate for the {sector} exponent: level pairs from n = {min_level} "
                f"with coarse lattices of at least {min_coarse_size} sites per axis, and at "
                f"least {min_operators} operators, among {self.level_pairs} (coarse shapes "
                f"{self.coarse_shapes}) and {table.shape[1]} operators. Use more RG steps or "
                "a larger lattice, or relax the rule's limits."
            )
        candidates = table[np.ix_(pairs, counts)]
        value = candidates.mean()
        statistical = _jackknife_error(
            self.replicas[sector][:, pairs][:, :, counts].reshape(self.n_blocks, -1).mean(axis=1))
        systematic = np.max(np.abs(candidates - value))
        if transient_ratio is None:
            transient_ratio = 2.0 ** -0.83 if len(self.coarse_shapes[0]) == 3 else 0.0
        if not 0 <= transient_ratio < 1:
            raise ValueError(f"transient_ratio must lie in [0, 1), got {transient_ratio!r}.")
        if len(pairs) >= 2 and transient_ratio > 0:
            step = candidates[-1].mean() - candidates[-2].mean()
            systematic += abs(step) * transient_ratio / (1 - transient_ratio)
        return MCRGEstimate(float(value), float(math.hypot(statistical, systematic)),
                            float(statistical), float(systematic),
                            [self.level_pairs[p] for p in pairs],
                            [k + 1 for k in counts], int(candidates.size))

    def table(self, sector):
        """The exponents as text: a row per level pair, a column per number of operators."""
        table, errors = self.exponents[sector], self.errors[sector]
        header = "level pair  coarse  " + "  ".join(
            f"{'k = ' + str(k + 1):>14}" for k in range(table.shape[1]))
        lines = [header]
        for p, ((n, m), shape) in enumerate(zip(self.level_pairs, self.coarse_shapes)):
            cells = "  ".join(f"{_format(table[p, k], errors[p, k]):>14}"
                              for k in range(table.shape[1]))
            lines.append(f"{n} -> {m:<6}  {'x'.join(map(str, shape)):>6}  {cells}")
        return "\n".join(lines)

    def to_dict(self):
        """The tables as plain lists (JSON), nan as None."""
        return {
            "level_pairs": [list(p) for p in self.level_pairs],
            "coarse_shapes": [list(s) for s in self.coarse_shapes],
            "operators": self.operator_names,
            "exponents": {s: _json(self.exponents[s]) for s in SECTORS},
            "errors": {s: _json(self.errors[s]) for s in SECTORS},
            "block_size": self.block_size, "n_samples": self.n_samples,
            "n_blocks": self.n_blocks, "blocking": self.blocking,
        }

    def plot(self, sector, ax=None, *, exact=None, exact_label="exact"):
        """Exponent against level pair, one line per operator count; ``exact`` drawn dashed.

        ``exact_label`` names that line in the legend (``'published'`` where no exact value
        exists, as in 3D). Needs matplotlib. Returns the axes.
        """
        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.figure(figsize=(5, 3.5)).add_subplot()
        table, errors = self.exponents[sector], self.errors[sector]
        x = np.array([n for n, _ in self.level_pairs], dtype=float)
        n_ops = table.shape[1]
        for k in range(n_ops):
            shift = 0.06 * (k - (n_ops - 1) / 2)
            ax.errorbar(x + shift, table[:, k], yerr=errors[:, k], marker="o", ms=3,
                        capsize=2, lw=1, label=f"{k + 1} op." if k else "1 operator")
        if exact is not None:
            ax.axhline(exact, color="k", ls="--", lw=1, label=f"{exact_label} {exact:g}")
        ax.set_xticks(x, [f"{n}→{m}" for n, m in self.level_pairs])
        ax.set_xlabel("level pair")
        ax.set_ylabel("$y_t$" if sector == "even" else "$y_h$")
        ax.legend(fontsize=7, ncol=2)
        return ax


def _format(value, error):
    if not np.isfinite(value):
        return "nan"
    if not np.isfinite(error) or error <= 0:
        return f"{value:.4f}"
    digits = max(0, min(6, 1 - int(math.floor(math.log10(error)))))
    return f"{value:.{digits}f}({round(error * 10 ** digits):d})"


def _json(array):
    return [[None if not np.isfinite(v) else float(v) for v in row] for row in np.asarray(array)]


@validate_params(
    {
        "operator_sums": [OperatorSums],
        "n_blocks": [Interval(numbers.Integral, 2, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def linearized_rg(operator_sums, *, n_blocks=20):
    """Swendsen's linearized RG matrix between consecutive levels, and its exponents.

    For every level pair ``(n, n + 1)``, every sector and every ``k`` from 1 to the number
    of operators of the sector, ``T = A^-1 B`` is built from the first ``k`` operators,
    with ``A`` the connected correlations of level ``n + 1`` with itself and ``B`` those of
    level ``n + 1`` with level ``n``; its leading eigenvalue gives ``y = ln(lambda) /
    ln(b)``. The even sector's is the thermal exponent ``y_t = 1 / nu``, the odd
    sector's the magnetic exponent ``y_h`` (2D Ising: 1 and 15/8).

    Parameters
    ----------
    operator_sums : OperatorSums
        From :func:`measure_operators`.
    n_blocks : int, default=20
        Jackknife blocks: contiguous runs of samples, each left out in turn.

    Returns
    -------
    result : LinearizedRG

    Examples
    --------
    >>> from sklearn_rsmi.coarse_graining import MajorityRuleCoarseGrainer
    >>> from sklearn_rsmi.datasets import make_ising
    >>> from sklearn_rsmi.rg import linearized_rg, make_rg_pipeline, measure_operators
    >>> X = make_ising(2000, 16, 2.269185, random_state=0)
    >>> pipe = make_rg_pipeline(2, coarse_grainer=MajorityRuleCoarseGrainer(),
    ...                         random_state=0).fit(X)
    >>> result = linearized_rg(measure_operators(pipe, X), n_blocks=10)
    >>> bool(0.7 < result.exponents["even"][1, 1] < 1.2)
    True
    """
    s = operator_sums
    n_operators = {sector: len(s.sector(sector)) for sector in SECTORS}
    _check_blocks(s.n_samples, n_blocks, max(n_operators.values()))
    pairs = [(n, n + 1) for n in range(s.n_levels - 1)]
    exponents, errors, eigenvalues, replicas = {}, {}, {}, {}
    centered = [level - level.mean(axis=0) for level in (x.astype(np.float64) for x in s.sums)]
    for sector in SECTORS:
        index = s.sector(sector)
        k_max = len(index)
        exponents[sector] = np.full((len(pairs), k_max), np.nan)
        errors[sector] = np.full((len(pairs), k_max), np.nan)
        eigenvalues[sector] = np.full((len(pairs), k_max, k_max), np.nan, dtype=complex)
        replicas[sector] = np.full((n_blocks, len(pairs), k_max), np.nan)
        if not k_max:
            continue
        for p, (n, m) in enumerate(pairs):
            columns = np.hstack([centered[m][:, index], centered[n][:, index]])
            _, covariance = _replicas(*_block_moments(columns, n_blocks))
            A_all, B_all = covariance[:, :k_max, :k_max], covariance[:, :k_max, k_max:]
            for k in range(1, k_max + 1):
                try:
                    T = np.linalg.solve(A_all[:, :k, :k], B_all[:, :k, :k])
                except np.linalg.LinAlgError:
                    # An operator constant on these samples (a frozen or tiny level): no T.
                    continue
                y = _exponent(_leading_eigenvalue(T), s.block_size)
                exponents[sector][p, k - 1] = y[0]
                errors[sector][p, k - 1] = _jackknife_error(y[1:])
                replicas[sector][:, p, k - 1] = y[1:]
                values = np.linalg.eigvals(T[0])
                eigenvalues[sector][p, k - 1, :k] = values[np.argsort(-values.real)]
    return LinearizedRG(pairs, [s.lattice_shapes[m] for _, m in pairs],
                        {sector: [s.operators[a].name for a in s.sector(sector)]
                         for sector in SECTORS},
                        exponents, errors, eigenvalues, replicas, s.block_size, s.n_samples,
                        n_blocks, s.blocking)


# --------------------------------------------------------------------------- matching
class TwoLatticeMatching:
    """Critical temperature from two-lattice matching, per level and operator, with errors.

    Made by :func:`match_two_lattices`.

    Attributes
    ----------
    levels : list of int
        The large lattice's levels ``n`` matched with level ``n - 1`` of the small one.
    coarse_shapes : list of tuple
        The lattice shape where each match is made.
    operator_names : list of str
        The even operators, in order.
    critical_temperatures : ndarray of shape (n_levels, n_operators)
        The estimate of ``T_c`` from each operator at each matched level.
    errors : ndarray of shape (n_levels, n_operators)
        Their jackknife errors.
    replicas : ndarray of shape (n_blocks, n_levels, n_operators)
        The estimates with each jackknife block (of both sample sets) left out in turn.
    temperature : float
        The temperature the samples were drawn at.
    """

    def __init__(self, levels, coarse_shapes, operator_names, critical_temperatures, errors,
                 replicas, temperature, n_blocks):
        self.levels = levels
        self.coarse_shapes = coarse_shapes
        self.operator_names = operator_names
        self.critical_temperatures = critical_temperatures
        self.errors = errors
        self.replicas = replicas
        self.temperature = temperature
        self.n_blocks = n_blocks

    def estimate(self, *, n_levels=2):
        """The final ``T_c``, by a rule fixed before the benchmark it judges.

        The value is the mean, over the even operators, of the estimates at the deepest
        matched level, where both lattices have been blocked the most and their irrelevant
        couplings have decayed the most; its statistical error is the jackknife error of
        that mean. The systematic error is the largest distance from the value of any
        single operator's estimate at the ``n_levels`` deepest matched levels: how far
        the matching still moves with the level and the operator. The two add in
        quadrature.

        Returns
        -------
        estimate : MCRGEstimate
        """
        if len(self.levels) < n_levels:
            raise ValueError(
                f"the rule compares the {n_levels} deepest matched levels, but only "
                f"{self.levels} were matched: block the lattices further."
            )
        deepest = self.critical_temperatures[-1]
        value = deepest.mean()
        statistical = _jackknife_error(self.replicas[:, -1].mean(axis=1))
        candidates = self.critical_temperatures[-n_levels:]
        systematic = np.max(np.abs(candidates - value))
        return MCRGEstimate(float(value), float(math.hypot(statistical, systematic)),
                            float(statistical), float(systematic), self.levels[-n_levels:],
                            list(self.operator_names), int(candidates.size))

    def table(self):
        """The estimates as text: a row per matched level, a column per operator."""
        lines = ["level (L vs L/b)  lattice  " + "  ".join(
            f"{name[:16]:>16}" for name in self.operator_names)]
        for i, (n, shape) in enumerate(zip(self.levels, self.coarse_shapes)):
            cells = "  ".join(f"{_format(t, e):>16}" for t, e in
                              zip(self.critical_temperatures[i], self.errors[i]))
            lines.append(f"{n} vs {n - 1:<12}  {'x'.join(map(str, shape)):>7}  {cells}")
        return "\n".join(lines)

    def to_dict(self):
        """The table as plain lists (JSON), nan as None."""
        return {"levels": list(self.levels), "coarse_shapes": [list(s) for s in self.coarse_shapes],
                "operators": list(self.operator_names),
                "critical_temperatures": _json(self.critical_temperatures),
                "errors": _json(self.errors), "temperature": self.temperature,
                "n_blocks": self.n_blocks}


@validate_params(
    {
        "large": [OperatorSums],
        "small": [OperatorSums],
        "temperature": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_blocks": [Interval(numbers.Integral, 2, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def match_two_lattices(large, small, temperature, *, n_blocks=20):
    """Critical temperature by matching the levels of an ``L`` lattice and an ``L / b`` one.

    Both sample sets are drawn at the same ``temperature`` (coupling ``K = 1 / T`` on the
    nearest-neighbor sum) and blocked by the same transformation. At ``K_c`` the ``n``-th
    level of the large lattice and the ``(n - 1)``-th of the small one, which have the same
    size, describe the same Hamiltonian (up to irrelevant terms that decay with ``n``).
    Off ``K_c`` their averages differ; to first order in ``dK = K_c - K``,
    ``<S_a^(n)>_L + D_a^L dK = <S_a^(n-1)>_(L/b) + D_a^(L/b) dK`` with ``D_a =
    <S_a N> - <S_a><N>`` (``N`` the nearest-neighbor sum of the sampled lattice), which gives
    one estimate of ``K_c`` per even operator and matched level (Swendsen's two-lattice
    method). Errors are jackknife errors, the ``i``-th block of both sample sets left out
    together.

    Parameters
    ----------
    large, small : OperatorSums
        From :func:`measure_operators` on lattices of linear sizes ``L`` and ``L / b``,
        with the same operators and block size.
    temperature : float
        The temperature of both sample sets.
    n_blocks : int, default=20
        Jackknife blocks of each sample set.

    Returns
    -------
    result : TwoLatticeMatching
    """
    if [op.name for op in large.operators] != [op.name for op in small.operators]:
        raise ValueError("large and small must be measured with the same operators.")
    if large.block_size != small.block_size:
        raise ValueError(
            f"large and small use blocks of {large.block_size} and {small.block_size}; the "
            "matching needs the same transformation on both."
        )
    even = large.sector("even")
    if not even:
        raise ValueError("the matching needs even operators (odd ones average to zero).")
    levels = [n for n in range(1, large.n_levels)
              if n - 1 < small.n_levels and large.lattice_shapes[n] == small.lattice_shapes[n - 1]]
    if not levels:
        raise ValueError(
            f"no level of the large lattice {large.lattice_shapes} has the shape of the next "
            f"shallower level of the small one {small.lattice_shapes}: give an L and an L/b "
            "lattice."
        )
    for what, s in (("large", large), ("small", small)):
        _check_blocks(s.n_samples, n_blocks, 1, what=f"samples in {what}")
    estimates = []
    for sums in (large, small):
        offset = 0 if sums is large else 1
        nn = sums.nearest_neighbor_sum.astype(np.float64)
        nn -= nn.mean()
        per_level = []
        for n in levels:
            values = sums.sums[n - offset][:, even].astype(np.float64)
            shift = values.mean(axis=0)
            columns = np.hstack([values - shift, nn[:, None]])
            counts, first, second = _block_moments(columns, n_blocks)
            mean, covariance = _replicas(counts, first, second)
            per_level.append((mean[:, :-1] + shift, covariance[:, :-1, -1]))
        estimates.append(per_level)
    K = 1.0 / float(temperature)
    critical, errors, replicas = [], [], []
    for (mean_l, slope_l), (mean_s, slope_s) in zip(*estimates):
        with np.errstate(divide="ignore", invalid="ignore"):
            tc = 1.0 / (K + (mean_s - mean_l) / (slope_l - slope_s))
        critical.append(tc[0])
        errors.append(_jackknife_error(tc[1:]))
        replicas.append(tc[1:])
    return TwoLatticeMatching(levels, [large.lattice_shapes[n] for n in levels],
                              [large.operators[a].name for a in even], np.array(critical),
                              np.array(errors), np.stack(replicas, axis=1), float(temperature),
                              n_blocks)


# --------------------------------------------------------------------------- the Ising recipe
#: Sizes of ``rsmi exponents`` (and of ``benchmarks/bench_mcrg.py`` with ``--full``): the
#: large lattice L, samples of L and of L/2, Wolff sweeps between samples, the samples the
#: RSMI steps are fitted on, epochs per step (None: the estimator's), jackknife blocks,
#: and Markov chains per lattice (the joblib tasks).
EXPONENTS_SETTINGS = {
    "reduced": dict(lattice_size=32, n_samples=20000, n_small_samples=20000, n_between=3,
                    n_fit_samples=2000, n_epochs=None, n_blocks=20, n_chains=4),
    "full": dict(lattice_size=64, n_samples=160000, n_small_samples=160000, n_between=3,
                 n_fit_samples=2000, n_epochs=None, n_blocks=20, n_chains=8),
}

#: The same for the simple cubic lattice (``rsmi exponents --dimension 3``, and
#: ``benchmarks/bench_mcrg_3d.py``): a sample of L^3 costs L times one of L^2, so the
#: reduced run is 16^3 against 8^3, and the full one the benchmark's 32^3 against 16^3.
EXPONENTS_SETTINGS_3D = {
    "reduced": dict(lattice_size=16, n_samples=8000, n_small_samples=8000, n_between=3,
                    n_fit_samples=1000, n_epochs=None, n_blocks=20, n_chains=2),
    "full": dict(lattice_size=32, n_samples=48000, n_small_samples=48000, n_between=3,
                 n_fit_samples=2000, n_epochs=None, n_blocks=20, n_chains=8),
}

def _concatenate(parts):
    """One OperatorSums from several sample sets measured the same way, in order."""
    first = parts[0]
    for part in parts[1:]:
        if (part.lattice_shapes != first.lattice_shapes or part.operators != first.operators
                or not np.array_equal(part.orientation, first.orientation)):
            raise ValueError("the sample sets were not measured the same way.")
    return dataclasses.replace(
        first,
        sums=[np.concatenate([p.sums[n] for p in parts]) for n in range(first.n_levels)],
        nearest_neighbor_sum=np.concatenate([p.nearest_neighbor_sum for p in parts]),
    )


def _measure_chain(lattice_size, n_samples, temperature, n_between, seed, pipelines, n_steps,
                   blockings, data_home, dimension=2):
    """Sample one Markov chain and measure it with every (pipeline, blocking); one core."""
    from threadpoolctl import threadpool_limits

    from ..datasets import make_ising

    with numba_threads(1), threadpool_limits(1):
        X = make_ising(n_samples, lattice_size, temperature, n_between=n_between,
                       dimension=dimension, random_state=seed, data_home=data_home)
        keys = [(name, blocking) for name in pipelines for blocking in blockings]
        measured = _measure([(pipelines[name], blocking) for name, blocking in keys], X,
                            n_steps=n_steps)
        return dict(zip(keys, measured))


def _ising_mcrg(lattice_size, n_samples, *, temperature=None, n_small_samples=None,
                n_chains=4, n_between=3, n_fit_samples=2000, n_epochs=None,
                blockings=("sample",), n_comparison_chains=None, n_blocks=20, random_state=0,
                n_jobs=None, verbose=0, data_home=None, keep_sums=False, dimension=2,
                coarse_grainer_params=None):
    """MCRG of the Ising model with learned RSMI steps and the majority rule side by side.

    Samples ``n_samples`` configurations of ``L x L`` (``L x L x L`` with ``dimension=3``)
    and ``n_small_samples`` of ``L/2`` at ``temperature`` (T_c of the lattice when None;
    ``n_chains`` Wolff chains each, ``n_between`` sweeps apart, run as joblib tasks that
    also measure, so no lattice set is held whole), fits an RG pipeline of RSMI
    coarse-grainers (blocks of 2 along every axis, one hidden unit, spin-flip symmetric,
    further parameters from ``coarse_grainer_params``) on a separate chain of
    ``n_fit_samples``, and measures both pipelines down to a lattice of 4 along every axis.
    The first blocking is measured on every chain, the others on the first
    ``n_comparison_chains`` chains of each lattice only (all when None); ``keep_sums`` keeps
    the large lattice's OperatorSums under ``"sums"``. Returns ``{name: {blocking: {"linearized": LinearizedRG, "matching":
    TwoLatticeMatching}}}`` for ``name`` in ``('learned', 'majority rule')``, with the
    fitted pipelines and the timings under ``"pipelines"`` and ``"seconds"``.
    """
    import joblib

    from .._utils.seeding import as_seed_sequence, seed_of
    from ..coarse_graining import MajorityRuleCoarseGrainer, RSMICoarseGrainer
    from ..datasets import make_ising
    from ..physics import CRITICAL_TEMPERATURE, CRITICAL_TEMPERATURE_3D
    from ._pipeline import make_rg_pipeline

    if dimension not in (2, 3):
        raise ValueError(f"dimension must be 2 (square lattice) or 3 (simple cubic), got "
                         f"{dimension!r}.")
    if temperature is None:
        temperature = CRITICAL_TEMPERATURE if dimension == 2 else CRITICAL_TEMPERATURE_3D
    temperature = float(temperature)
    n_small_samples = n_samples if n_small_samples is None else n_small_samples
    n_steps = int(round(math.log2(max(lattice_size, 1) / 4)))
    # Two matched levels for T_c need an L/2 lattice blocked at least once more than 4:
    # L >= 32 in 2D; a cubic lattice costs L^3 per sample, so 16 is allowed for tests.
    min_steps = 3 if dimension == 2 else 2
    if lattice_size != 4 * 2 ** n_steps or n_steps < min_steps:
        sizes = "32, 64, 128, ..." if dimension == 2 else "16, 32, 64, ..."
        raise ValueError(f"lattice_size must be 4 * 2**k with k >= {min_steps} ({sizes}) in "
                         f"{dimension}D, got {lattice_size}.")
    block = (2,) * dimension
    shape = "x".join([str(lattice_size)] * dimension)
    fit_seq, large_seq, small_seq, step_seq = as_seed_sequence(random_state).spawn(4)
    seconds = {}
    start = time.perf_counter()

    def log(message):
        if verbose:
            print(f"[mcrg] {message}, {time.perf_counter() - start:.1f} s", flush=True)

    with numba_threads(n_jobs):
        X_fit = make_ising(n_fit_samples, lattice_size, temperature, n_between=n_between,
                           dimension=dimension, random_state=seed_of(fit_seq),
                           data_home=data_home)
        seconds["fit samples"] = time.perf_counter() - start
        log(f"{n_fit_samples} samples of {shape} to fit on")
        tick = time.perf_counter()
        learned = make_rg_pipeline(
            n_steps, coarse_grainer=RSMICoarseGrainer(
                visible_shape=block, **(coarse_grainer_params or {}),
                **({} if n_epochs is None else {"n_epochs": n_epochs})),
            random_state=seed_of(step_seq)).fit(X_fit)
        majority = make_rg_pipeline(
            n_steps, coarse_grainer=MajorityRuleCoarseGrainer(visible_shape=block),
            random_state=seed_of(step_seq)).fit(X_fit)
        seconds["fit"] = time.perf_counter() - tick
        log(f"fitted {n_steps} RSMI steps")
    del X_fit
    pipelines = {"learned": learned, "majority rule": majority}

    tasks, owners = [], []
    compared = n_chains if n_comparison_chains is None else n_comparison_chains
    for size, total, seq, steps in ((lattice_size, n_samples, large_seq, n_steps),
                                    (lattice_size // 2, n_small_samples, small_seq, n_steps - 1)):
        bounds = np.linspace(0, total, n_chains + 1).round().astype(int)
        for chain, (seed_seq, n) in enumerate(zip(seq.spawn(n_chains), np.diff(bounds))):
            measured = tuple(blockings) if chain < compared else tuple(blockings[:1])
            tasks.append(joblib.delayed(_measure_chain)(
                size, int(n), temperature, n_between, seed_of(seed_seq), pipelines, steps,
                measured, data_home, dimension))
            owners.append(size)
    tick = time.perf_counter()
    outputs = joblib.Parallel(n_jobs=n_jobs, verbose=max(0, verbose - 1))(tasks)
    seconds["sample and measure"] = time.perf_counter() - tick
    log(f"sampled and measured {n_samples} + {n_small_samples} configurations")

    results = {"pipelines": pipelines}
    for name in pipelines:
        results[name] = {}
        for blocking in blockings:
            large = _concatenate([o[name, blocking] for o, s in zip(outputs, owners)
                                  if s == lattice_size and (name, blocking) in o])
            small = _concatenate([o[name, blocking] for o, s in zip(outputs, owners)
                                  if s != lattice_size and (name, blocking) in o])
            results[name][blocking] = {
                "linearized": linearized_rg(large, n_blocks=n_blocks),
                "matching": match_two_lattices(large, small, temperature, n_blocks=n_blocks),
                "orientation": large.orientation.tolist(),
                "n_samples": (large.n_samples, small.n_samples),
            }
            if keep_sums:
                results[name][blocking]["sums"] = large
    seconds["total"] = time.perf_counter() - start
    results["seconds"] = seconds
    log("done")
    return results


def _estimates(entry):
    """The final numbers of one (transformation, blocking): y_t, y_h, nu and T_c, with errors.

    An estimate whose rule finds no candidate is None, with the reason under ``"notes"``.
    """
    out, notes = {}, []
    readings = (("y_t", lambda: entry["linearized"].estimate("even")),
                ("y_h", lambda: entry["linearized"].estimate("odd")),
                ("critical_temperature", lambda: entry["matching"].estimate()))
    for key, read in readings:
        try:
            estimate = read()
        except ValueError as exc:
            notes.append(f"{key}: {exc}")
            estimate = None
        out[key] = None if estimate is None else estimate.value
        out[f"{key}_error"] = None if estimate is None else estimate.error
        out[f"{key}_statistical_error"] = None if estimate is None else estimate.statistical_error
        out[f"{key}_systematic_error"] = None if estimate is None else estimate.systematic_error
    for part in ("", "_statistical", "_systematic"):
        y_t, error = out["y_t"], out[f"y_t{part}_error"]
        out[f"nu{part}_error"] = None if y_t is None else error / y_t**2
    out["nu"] = None if out["y_t"] is None else 1.0 / out["y_t"]
    out["notes"] = notes
    return out


def _summary(results, **settings):
    """The JSON record of :func:`_ising_mcrg`: the learned steps' numbers at the top level,
    every (transformation, blocking) in full below, with the tables."""
    record = {}
    for name in ("learned", "majority rule"):
        for blocking, entry in results[name].items():
            key = name.replace(" ", "_") + ("" if blocking == "sample" else "_most_likely")
            record[key] = {**_estimates(entry),
                           "n_samples": list(entry["n_samples"]),
                           "linearized_rg": entry["linearized"].to_dict(),
                           "two_lattice_matching": entry["matching"].to_dict(),
                           "orientation": entry["orientation"]}
    top = {k: v for k, v in record["learned"].items()
           if k not in ("linearized_rg", "two_lattice_matching", "orientation", "n_samples")}
    filters = [dict(filters=step.filters_.tolist(), filter_bias=step.filter_bias_.tolist(),
                    mutual_information_bits=float(step.mutual_information_))
               for _, step in results["pipelines"]["learned"].steps]
    return {**top, **settings, "learned_filters": filters, **record,
            "seconds": results["seconds"]}
