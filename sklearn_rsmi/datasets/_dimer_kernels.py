"""numba kernels of the dimer sampler: directed-loop (worm) updates on the L x L torus.

A covering is stored as ``partner_direction[y, x]``: the direction from vertex ``(y, x)`` to the
vertex it shares its dimer with, ``0 = +x``, ``1 = +y``, ``2 = -x``, ``3 = -y``; ``-1`` marks an
unmatched vertex (only the worm's tail and head are ever unmatched, and only during a worm).

The worm (directed loop without bounces) is the one of REFERENCE.md: remove the dimer of a
uniformly chosen tail vertex ``v0``; the head sits on its former partner. The head picks one of its
three bonds other than the one it arrived along, uniformly; if the far end is the unmatched tail
the dimer is placed and the worm closes; otherwise the dimer is placed, the far end's old dimer is
removed and the head moves to the far end's old partner. Each step has probability 1/3 and the
reversed worm (same tail, opposite orientation) retraces it step by step with the same
probabilities, so detailed balance holds with respect to the uniform distribution over coverings.

Working with directions rather than neighbour identities keeps the two distinct bonds between the
same pair of vertices on a 2 x 2 torus apart.
"""

import numpy as np
from numba import njit

# Step in (dy, dx) for each direction; the opposite of direction d is (d + 2) % 4.
_DY = np.array([0, 1, 0, -1], dtype=np.int64)
_DX = np.array([1, 0, -1, 0], dtype=np.int64)


@njit(cache=True)
def seed_numba(seed):
    """Seed numba's per-thread generator (it is separate from NumPy's)."""
    np.random.seed(seed)


@njit(cache=True)
def columnar_covering(L):
    """Horizontal dimers on the bonds ``(y, x) - (y, x + 1)`` with ``x`` even, in every row."""
    partner_direction = np.empty((L, L), dtype=np.int8)
    for y in range(L):
        for x in range(L):
            partner_direction[y, x] = 0 if x % 2 == 0 else 2
    return partner_direction


@njit(cache=True)
def worm_update(partner_direction):
    """One worm update, in place; returns the number of head moves (worm steps) it took.

    Uses numba's global generator: seed it with :func:`seed_numba` first.
    """
    L = partner_direction.shape[0]
    y0 = np.random.randint(0, L)
    x0 = np.random.randint(0, L)
    d = np.int64(partner_direction[y0, x0])
    hy = (y0 + _DY[d]) % L
    hx = (x0 + _DX[d]) % L
    partner_direction[y0, x0] = -1
    partner_direction[hy, hx] = -1
    arrived = (d + 2) % 4  # the bond the head may not take back
    n_steps = 0
    while True:
        n_steps += 1
        new = (arrived + 1 + np.random.randint(0, 3)) % 4
        ky = (hy + _DY[new]) % L
        kx = (hx + _DX[new]) % L
        k_direction = np.int64(partner_direction[ky, kx])
        partner_direction[hy, hx] = new
        partner_direction[ky, kx] = (new + 2) % 4
        if k_direction < 0:
            # Only the tail is unmatched besides the head: the loop closes.
            return n_steps
        my = (ky + _DY[k_direction]) % L
        mx = (kx + _DX[k_direction]) % L
        partner_direction[my, mx] = -1
        hy = my
        hx = mx
        arrived = (k_direction + 2) % 4


@njit(cache=True)
def run_worms(partner_direction, n_worms):
    """``n_worms`` worm updates in place; returns the total number of worm steps."""
    total = 0
    for _ in range(n_worms):
        total += worm_update(partner_direction)
    return total


@njit(cache=True)
def covering_to_image(partner_direction, image):
    """Write the links of a covering into a ``(2L, 2L)`` image; vertex and face cells are left alone."""
    L = partner_direction.shape[0]
    for y in range(L):
        for x in range(L):
            image[2 * y, 2 * x + 1] = 0
            image[2 * y + 1, 2 * x] = 0
    for y in range(L):
        for x in range(L):
            d = partner_direction[y, x]
            if d == 0:
                image[2 * y, 2 * x + 1] = 1
            elif d == 1:
                image[2 * y + 1, 2 * x] = 1


@njit(cache=True)
def sample_dimer_images(L, n_samples, n_burn_in_worms, n_between_worms, seed):
    """Chain of worm updates from a columnar covering; one image every ``n_between_worms`` worms.

    Returns an int8 array ``(n_samples, 2L, 2L)`` with links filled in and vertex and face cells 0.
    """
    np.random.seed(seed)
    partner_direction = columnar_covering(L)
    run_worms(partner_direction, n_burn_in_worms)
    images = np.zeros((n_samples, 2 * L, 2 * L), dtype=np.int8)
    for s in range(n_samples):
        if s > 0:
            run_worms(partner_direction, n_between_worms)
        covering_to_image(partner_direction, images[s])
    return images
