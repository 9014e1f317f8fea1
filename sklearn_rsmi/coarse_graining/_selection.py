"""How many coarse variables: the mutual information gained by every added hidden unit.

The mutual information cannot fall when a unit is added (the new unit may copy an old
one), so selecting ``n_hidden`` by the score always picks the largest value tried. What
does fall is the gain: the block's relevant degrees of freedom each bring a comparable
gain, and the first unit beyond them brings much less (an information-bottleneck elbow).
This module measures that curve on held-out samples and reads the elbow off it.
"""

from collections import namedtuple
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import HasMethods, Interval, validate_params

from .._utils.seeding import draw_seed

__all__ = ["InformationCurve", "information_per_unit"]

InformationCurve = namedtuple(
    "InformationCurve", ["n_hidden", "mutual_information", "gain", "suggested_n_hidden"]
)
InformationCurve.__doc__ = """The held-out I(H:E) against the number of hidden units.

n_hidden : ndarray of int
    The numbers of hidden units fitted, 1, 2, ...
mutual_information : ndarray
    Held-out I(H:E) in bits of each fit.
gain : ndarray
    What each unit added: ``mutual_information`` minus the previous entry (the first entry
    is the first unit's information).
suggested_n_hidden : int
    The elbow: the number of units after which the gain drops the most (the largest ratio
    of a unit's gain to the next one's). With one unit fitted, 1.
"""


@validate_params(
    {
        "X": ["array-like"],
        "max_hidden": [Interval(Integral, 1, None, closed="left")],
        "coarse_grainer": [HasMethods(["fit", "score"]), None],
        "test_size": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=False,
)
def information_per_unit(X, max_hidden=4, *, coarse_grainer=None, test_size=0.25,
                         random_state=None):
    """Fit 1 to ``max_hidden`` hidden units and measure what each adds to the held-out MI.

    The samples are split into training and held-out configurations; for every
    ``n_hidden`` a clone of ``coarse_grainer`` is fitted on the first and scored on the
    second (:meth:`~sklearn_rsmi.RSMICoarseGrainer.score`). The suggested number of
    coarse variables is the elbow of the curve, where the gain drops the most from one unit
    to the next. On the 2D Ising model at T_c with 2x2 blocks this is one unit (the block
    spin); on noisy dimers with 8x8 blocks, two (the two components of the electric field);
    see the user guide's page on the mutual information for the measured curves. A curve
    whose gains fall evenly has no elbow: look at it rather than at the suggestion.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Lattice samples, as for :meth:`~sklearn_rsmi.RSMICoarseGrainer.fit`.
    max_hidden : int, default=4
        The largest number of hidden units fitted.
    coarse_grainer : RSMICoarseGrainer or None, default=None
        The template, cloned for every fit with its ``n_hidden`` set; ``None`` means
        ``RSMICoarseGrainer(objective="variational")``, whose held-out bound is cheap and
        needs no Theta-RBMs.
    test_size : float in (0, 1), default=0.25
        Fraction of the configurations held out for scoring.
    random_state : int, RandomState instance or None, default=None
        Seeds the split and every fit (those whose template has no ``random_state``).

    Returns
    -------
    curve : InformationCurve

    Examples
    --------
    >>> from sklearn_rsmi.coarse_graining import information_per_unit
    >>> from sklearn_rsmi.datasets import make_ising
    >>> from sklearn_rsmi import RSMICoarseGrainer
    >>> X = make_ising(200, 16, 2.269, random_state=2)
    >>> curve = information_per_unit(X, max_hidden=3, random_state=0,
    ...     coarse_grainer=RSMICoarseGrainer(objective="variational", n_epochs=10))
    >>> curve.n_hidden.tolist(), curve.suggested_n_hidden
    ([1, 2, 3], 1)
    """
    from ._coarse_grainer import RSMICoarseGrainer

    rng = np.random.RandomState(draw_seed(random_state))
    X_train, X_test = train_test_split(np.asarray(X), test_size=test_size,
                                       random_state=draw_seed(rng))
    template = (RSMICoarseGrainer(objective="variational") if coarse_grainer is None
                else coarse_grainer)
    seed = draw_seed(rng)
    values = []
    for n_hidden in range(1, max_hidden + 1):
        model = clone(template).set_params(n_hidden=n_hidden)
        if model.get_params().get("random_state", 0) is None:
            model.set_params(random_state=seed)
        values.append(float(model.fit(X_train).score(X_test)))
    values = np.array(values)
    gain = np.diff(values, prepend=0.0)
    suggested = 1
    if len(gain) > 1:
        # A gain at or below zero is noise around nothing: it makes the drop before it large.
        drops = gain[:-1] / np.maximum(gain[1:], 1e-3)
        suggested = int(np.argmax(drops)) + 1
    return InformationCurve(np.arange(1, max_hidden + 1), values, gain, suggested)
