"""RG pipelines: one fitted coarse-grainer per step, iterated as a scikit-learn Pipeline."""

import numbers
from numbers import Integral

from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import HasMethods, Interval, validate_params


def _default_coarse_grainer():
    # Imported here: the coarse-grainer pulls in the RBM and objective machinery.
    from ..coarse_graining import RSMICoarseGrainer

    return RSMICoarseGrainer()


@validate_params(
    {
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "coarse_grainer": [HasMethods(["fit", "transform"]), None],
    },
    prefer_skip_nested_validation=True,
)
def make_rg_pipeline(n_steps=2, *, coarse_grainer=None, **coarse_grainer_params):
    """Build a Pipeline of ``n_steps`` coarse-graining steps, named ``rg1`` to ``rgN``.

    ``fit_transform`` on the pipeline performs iterated RG: every step learns its own
    filters on the output of the previous one.

    Parameters
    ----------
    n_steps : int, default=2
        Number of RG steps.
    coarse_grainer : estimator or None, default=None
        Template for every step, cloned once per step; ``None`` means
        :class:`~sklearn_rsmi.RSMICoarseGrainer`. Any transformer mapping lattices to
        coarser lattices works (e.g. a fixed majority rule, to compare against).
    **coarse_grainer_params
        Set on every step (e.g. ``n_epochs=10``, ``random_state=0``; for cubic lattices
        ``visible_shape=(2, 2, 2)``, since the default block is the square 2x2).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline

    Examples
    --------
    >>> from sklearn_rsmi.rg import make_rg_pipeline
    >>> pipe = make_rg_pipeline(3, n_epochs=5, random_state=0)
    >>> [name for name, _ in pipe.steps]
    ['rg1', 'rg2', 'rg3']
    >>> pipe.named_steps["rg2"].n_epochs
    5
    >>> make_rg_pipeline(2, visible_shape=(2, 2, 2)).named_steps["rg1"].visible_shape
    (2, 2, 2)
    """
    template = _default_coarse_grainer() if coarse_grainer is None else coarse_grainer
    steps = []
    for k in range(1, n_steps + 1):
        step = clone(template)
        if coarse_grainer_params:
            step.set_params(**coarse_grainer_params)
        steps.append((f"rg{k}", step))
    return Pipeline(steps)


def _rg_steps(pipeline):
    """The list of (name, step) of a Pipeline, or of a single coarse-grainer."""
    if isinstance(pipeline, Pipeline):
        return [(name, step) for name, step in pipeline.steps if step not in (None, "passthrough")]
    if hasattr(pipeline, "transform"):
        return [("rg1", pipeline)]
    raise TypeError(f"expected a Pipeline of coarse-grainers, got {type(pipeline).__name__}.")


@validate_params(
    {"pipeline": [Pipeline, HasMethods(["transform"])], "X": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def rg_levels(pipeline, X):
    """Coarse samples at every level of a fitted RG pipeline: ``[X, level1, ..., levelN]``.

    Each level is the previous one transformed by the next fitted step, so
    ``rg_levels(pipe, X)[-1]`` equals ``pipe.transform(X)``. With sampled coarse spins the
    draws are those of ``transform``, which are a deterministic function of the step's
    ``random_state``.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted pipeline (e.g. from :func:`make_rg_pipeline`).
    X : array-like of shape (n_samples, Ly, Lx) or (n_samples, Lz, Ly, Lx)
        Lattice samples.

    Returns
    -------
    levels : list of ndarray
        ``n_steps + 1`` arrays, the input first (as given, not copied).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sklearn_rsmi.rg import make_rg_pipeline, rg_levels
    >>> decimate = FunctionTransformer(lambda X: X[:, ::2, ::2])
    >>> pipe = make_rg_pipeline(2, coarse_grainer=decimate)
    >>> X = np.ones((3, 8, 8), dtype=np.int8)
    >>> [level.shape for level in rg_levels(pipe.fit(X), X)]
    [(3, 8, 8), (3, 4, 4), (3, 2, 2)]
    """
    levels = [X]
    for _, step in _rg_steps(pipeline):
        levels.append(step.transform(levels[-1]))
    return levels


def _block_size(steps, default=2):
    """Linear block size b of the steps (their ``visible_shape``), which must agree."""
    sizes = set()
    for _, step in steps:
        shape = getattr(step, "visible_shape", None)
        if shape is None:
            sizes.add(default)
            continue
        shape = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        if len(set(shape)) != 1:
            raise ValueError(
                f"the RG analysis needs square or cubic blocks (one side on every axis), got "
                f"visible_shape={shape}."
            )
        sizes.add(int(shape[0]))
    if len(sizes) != 1:
        raise ValueError(f"every RG step must use the same block size, got {sorted(sizes)}.")
    return sizes.pop()


def _check_lattice_can_halve(lattice_size, block_size, n_steps):
    if block_size < 2:
        raise ValueError(f"an RG step must reduce the lattice: block size {block_size} < 2.")
    size = lattice_size
    for k in range(1, n_steps + 1):
        if size % block_size or size // block_size < 2:
            raise ValueError(
                f"{n_steps} RG steps of block size {block_size} need a lattice of linear size "
                f"divisible by {block_size}**{n_steps} = {block_size ** n_steps} and leaving at "
                f"least 2 sites; {lattice_size} allows only {k - 1}."
            )
        size //= block_size


