"""Loops rewritten as matrix products: the references of unit 9's vectorization exercises.

    loss_grid(x, y, W1, W2)     unit 3's level lines: the loss L(w) = mean((x @ w - y)^2) of a
                                linear model at every point (W1[i, j], W2[i, j]) of a grid, as
                                one product x @ [W1.ravel(); W2.ravel()] of shape (N, G);
    pairwise_sq_distances(a, b) |a_i - b_j|^2 = |a_i|^2 + |b_j|^2 - 2 a_i . b_j for every pair of
                                rows, as one product a @ b.T.
"""

import numpy as np

from dl4lib._validation import check_array_shape


def loss_grid(x, y, W1, W2):
    """Mean squared error of the linear model x @ w at every point of a grid of weights.

        Z[i, j] = (1/N) sum_n (x[n, 0] W1[i, j] + x[n, 1] W2[i, j] - y[n])^2.

    Args:
        x: array of shape (N, 2), the inputs.
        y: array of shape (N,), the targets.
        W1, W2: arrays of the same shape (any, typically the (G1, G2) of `np.meshgrid`), the first
            and the second weight at every grid point.

    Returns:
        Float64 array Z of the shape of W1.
    """
    x = check_array_shape("x", np.asarray(x, dtype=np.float64), ("N", 2))
    y = check_array_shape("y", np.asarray(y, dtype=np.float64), (x.shape[0],))
    W1 = np.asarray(W1, dtype=np.float64)
    W2 = check_array_shape("W2", np.asarray(W2, dtype=np.float64), W1.shape)
    predictions = x @ np.vstack([W1.ravel(), W2.ravel()])  # (N, G): one column per grid point
    return np.mean((predictions - y[:, None]) ** 2, axis=0).reshape(W1.shape)


def pairwise_sq_distances(a, b):
    """Squared Euclidean distance between every row of a and every row of b.

        D[i, j] = |a_i - b_j|^2 = |a_i|^2 + |b_j|^2 - 2 a_i . b_j,

    clipped at 0 (round-off can make the expansion slightly negative for equal rows).

    Args:
        a: array of shape (N, K); b: array of shape (M, K).

    Returns:
        Float64 array of shape (N, M).
    """
    a = check_array_shape("a", np.asarray(a, dtype=np.float64), ("N", "K"))
    b = check_array_shape("b", np.asarray(b, dtype=np.float64), ("M", a.shape[1]))
    sq = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :] - 2.0 * a @ b.T
    return np.maximum(sq, 0.0)
