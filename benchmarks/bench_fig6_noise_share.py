"""Fig. 6 with few units, revisited: where a CD-trained ThetaRBM couples to the noise pairs.

The papers (arXiv:1704.06279, Fig. 6) show that a ThetaRBM trained by contrastive
divergence on noisy dimer blocks spends its weights on the noise pairs, which RSMI
discards. Here the share of the squared weight norm on the noise sites
(:func:`sklearn_rsmi.physics.noise_weight_share`, as in ``rsmi reproduce fig6`` and
benchmarks/bench_noise_filtering.py) is measured over the noise coupling K of the pairs
(1, 2, 4 and infinity, i.e. locked pairs) and over the number of hidden units (1-16).

Data: make_dimers(2000, 16, noise_coupling=K, random_state=0), the size of
bench_noise_filtering.py and of ``rsmi reproduce fig6 --full``; the dimers are the same for
every K (the noise has its own seed stream), only the pairs' agreement changes. The
ThetaRBM sees the 8x8 tiles anchored on the unit cell (32,000 tiles of 64 sites, 32 of them
noise sites) and is trained with the package defaults (persistent CD-1) for 20 epochs, as
in figure6. Each cell is the median over seeds 0, 1, 2 of the RBM's random_state, with
[min, max].

Run: ``python benchmarks/bench_fig6_noise_share.py [--quick]``.
"""

import argparse
import time

import numpy as np

from sklearn_rsmi import ThetaRBM
from sklearn_rsmi.datasets import make_dimers
from sklearn_rsmi.physics import noise_weight_share

COUPLINGS = (1.0, 2.0, 4.0, np.inf)
UNIT_COUNTS = (1, 2, 4, 8, 16)


def tiles_of(X):
    # The same anchoring as figure6: each 8x8 tile starts on a vertex cell, so the noise
    # sites are the same 32 of 64 in every tile.
    return X.reshape(len(X), 4, 8, 4, 8).transpose(0, 1, 3, 2, 4).reshape(-1, 64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed, 500 images")
    args = parser.parse_args()
    seeds, n_images = ([0], 500) if args.quick else ([0, 1, 2], 2000)
    start = time.perf_counter()
    table = {}
    for coupling in COUPLINGS:
        tiles = tiles_of(make_dimers(n_images, 16, noise_coupling=coupling, random_state=0))
        for n_units in UNIT_COUNTS:
            values = [noise_weight_share(
                ThetaRBM(n_components=n_units, n_epochs=20, random_state=s).fit(tiles).components_)
                for s in seeds]
            table[coupling, n_units] = values
            print(f"  K={coupling:g}, {n_units:2d} units: {np.round(values, 3)} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)

    print(f"\nshare of the squared weight norm on noise sites (32 of 64), median [min, max] over "
          f"{len(seeds)} seed{'s' if len(seeds) > 1 else ''}; {len(tiles)} tiles")
    print(f"{'units':>6s} " + " ".join(f"{f'K = {k:g}':>20s}" for k in COUPLINGS))
    for n_units in UNIT_COUNTS:
        cells = []
        for coupling in COUPLINGS:
            values = table[coupling, n_units]
            cells.append(f"{np.median(values):.3f} [{min(values):.2f}, {max(values):.2f}]")
        print(f"{n_units:>6d} " + " ".join(f"{cell:>20s}" for cell in cells))
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
