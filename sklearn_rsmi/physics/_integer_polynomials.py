"""Exact integer polynomial algebra for counting dimer coverings (Kasteleyn's products as resultants)."""

def integer_determinant(matrix):
    """Determinant of a square matrix of Python ints (Bareiss, fraction-free, exact)."""
    M = [list(row) for row in matrix]
    n = len(M)
    if n == 0:
        return 1
    sign, previous = 1, 1
    for k in range(n - 1):
        if M[k][k] == 0:
            swap = next((i for i in range(k + 1, n) if M[i][k] != 0), None)
            if swap is None:
                return 0
            M[k], M[swap] = M[swap], M[k]
            sign = -sign
        pivot = M[k][k]
        for i in range(k + 1, n):
            for j in range(k + 1, n):
                M[i][j] = (M[i][j] * pivot - M[i][k] * M[k][j]) // previous
        previous = pivot
    return sign * M[n - 1][n - 1]


def resultant(a, b):
    """Resultant of integer polynomials (coefficient lists, highest degree first).

    For monic ``a`` this is the product of ``b`` over the roots of ``a``.
    """
    da, db = len(a) - 1, len(b) - 1
    size = da + db
    rows = [[0] * i + list(a) + [0] * (size - da - 1 - i) for i in range(db)]
    rows += [[0] * i + list(b) + [0] * (size - db - 1 - i) for i in range(da)]
    return integer_determinant(rows)


def poly_mul_x(p):
    return list(p) + [0]


def poly_add(p, q):
    n = max(len(p), len(q))
    p = [0] * (n - len(p)) + list(p)
    q = [0] * (n - len(q)) + list(q)
    return [x + y for x, y in zip(p, q)]


def poly_neg_argument(p):
    """Coefficients of ``p(-x)`` (highest degree first)."""
    d = len(p) - 1
    return [c * (-1) ** (d - i) for i, c in enumerate(p)]


def chebyshev_u(n):
    """Monic ``U_n(x/2)``: roots ``2 cos(pi k / (n + 1))``, ``k = 1..n``."""
    previous, current = [1], [1, 0]
    if n == 0:
        return previous
    for _ in range(n - 1):
        previous, current = current, poly_add(poly_mul_x(current), [-c for c in previous])
    return current


def lucas_v(n):
    """Monic ``2 T_n(z/2)`` (``z^n + ...``): equals ``w^n + w^-n`` at ``z = w + 1/w``."""
    previous, current = [2], [1, 0]
    if n == 0:
        return previous
    for _ in range(n - 1):
        previous, current = current, poly_add(poly_mul_x(current), [-c for c in previous])
    return current


def open_factor(n):
    """Monic polynomial in y whose roots are ``4 cos^2(pi k/(n+1))``, ``k = 1..ceil(n/2)``."""
    u = chebyshev_u(n)
    if n % 2:
        u = poly_mul_x(u)  # x U_n(x/2) is even, with an extra root x^2 = 0 for the middle k
    return u[::2]  # even polynomial in x -> polynomial in y = x^2


def shift(p, s):
    """Coefficients of ``p(x + s)`` (highest degree first), exact."""
    result = []
    for c in p:  # Horner in the polynomial ring
        result = poly_add(poly_add(poly_mul_x(result), [s * r for r in result]), [c])
    return result


def torus_factor(n, antiperiodic):
    """Monic ``prod_k (x + 4 sin^2(pi (k + phi) / n))``, ``phi = 1/2`` if antiperiodic else 0.

    With ``z = x + 2`` the product is ``V_n(z) - 2 cos(2 pi phi)``.
    """
    p = lucas_v(n)
    p = shift(p, 2)
    p[-1] += 2 if antiperiodic else -2
    return p


