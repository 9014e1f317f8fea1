"""scikit-learn's common estimator checks on every public estimator.

Expected failures are listed per estimator, each with the reason; none is silenced.
"""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rsmi import LatticeFeatures, RSMICoarseGrainer, ThetaRBM
from sklearn_rsmi._rbm import EXPECTED_FAILED_CHECKS as RBM_EXPECTED_FAILURES
from sklearn_rsmi._coarse_grainer import EXPECTED_FAILED_CHECKS as CG_EXPECTED_FAILURES


def _expected_failed_checks(estimator):
    if isinstance(estimator, RSMICoarseGrainer):
        return CG_EXPECTED_FAILURES
    if isinstance(estimator, ThetaRBM):
        return RBM_EXPECTED_FAILURES
    return {}


@parametrize_with_checks(
    [
        LatticeFeatures(),
        LatticeFeatures(block_shape=(1,), pooling="sum"),
        ThetaRBM(n_components=4, n_iter=2, random_state=0),
        RSMICoarseGrainer(
            visible_shape=(2,), buffer_width=0, environment_width=1, n_epochs=2,
            n_windows=200, random_state=0,
        ),
        RSMICoarseGrainer(
            visible_shape=(2,), buffer_width=0, environment_width=1, n_epochs=2,
            n_windows=200, estimator="variational", random_state=0,
        ),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
