"""sklearn-rsmi: real-space mutual information coarse-graining and renormalization group.

Learns the physically relevant degrees of freedom of a lattice system from Monte Carlo
samples (Koch-Janusz & Ringel, Nature Physics 14, 578 (2018)), with scikit-learn estimators.
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
