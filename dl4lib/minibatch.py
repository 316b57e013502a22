"""Batch, mini-batch and stochastic gradients of a linear regression, in NumPy.

A linear model without bias predicts x @ w for rows x of shape (N, d); on a batch of B rows its
mean squared error and gradient are

    L_B(w) = mean((x_B @ w - y_B)**2),        grad L_B(w) = 2/B * x_B.T @ (x_B @ w - y_B).

One epoch visits the N rows in the order `np.random.default_rng(seed).permutation(N)`, cut into
consecutive batches of `batch_size` rows; the last batch is smaller when batch_size does not
divide N (as `keras.Model.fit` does). batch_size = N gives (full) batch gradient descent,
batch_size = 1 stochastic gradient descent, anything between mini-batch gradient descent.

A mini-batch gradient is an unbiased estimate of the full gradient g = grad L(w). For a batch of B
distinct rows drawn at random, its mean squared distance from g is

    E ||g_B - g||^2 = sigma^2 / B * (N - B) / (N - 1),   sigma^2 = mean_i ||g_i - g||^2,

where g_i is the gradient on row i alone: the noise falls as 1/B while the cost of a step grows
as B. `gradient_noise` measures the left side over the batches of epochs, `expected_gradient_noise`
computes the right side.
"""

import numpy as np

from dl4lib._validation import check_number


def make_regression(n_samples, n_features, *, noise=0.5, seed=0):
    """Generated regression data: x ~ N(0, I), y = x @ w_true + noise * N(0, 1).

    Args:
        n_samples: number of rows N.
        n_features: number of features d.
        noise: standard deviation of the noise added to the targets.
        seed: seed of the NumPy generator.

    Returns:
        (x, y, w_true): arrays of shapes (N, d), (N,) and (d,); w_true ~ N(0, I).
    """
    rng = np.random.default_rng(seed)
    w_true = rng.normal(size=n_features)
    x = rng.normal(size=(n_samples, n_features))
    y = x @ w_true + noise * rng.normal(size=n_samples)
    return x, y, w_true


def mse(w, x, y):
    """Mean squared error mean((x @ w - y)**2); w: (d,), x: (B, d), y: (B,); returns a float."""
    return float(np.mean((np.asarray(x) @ np.asarray(w) - np.asarray(y)) ** 2))


def mse_gradient(w, x, y):
    """Gradient of mean((x @ w - y)**2) with respect to w: 2/B * x.T @ (x @ w - y).

    Args:
        w: weights, array of shape (d,).
        x: a batch of rows, array of shape (B, d), B >= 1.
        y: targets, array of shape (B,).

    Returns:
        Array of shape (d,).
    """
    x, y, w = (np.asarray(a, dtype=np.float64) for a in (x, y, w))
    return 2.0 / len(y) * x.T @ (x @ w - y)


def minibatch_indices(n, batch_size, seed):
    """The row indices of each batch of one epoch: a list of int arrays.

    Args:
        n: number of rows N.
        batch_size: int >= 1; every batch has batch_size rows except possibly the last.
        seed: seed of `np.random.default_rng`, which shuffles the rows with `permutation(n)`.

    Returns:
        A list of ceil(n / batch_size) arrays; together they hold every index once.
    """
    batch_size = check_number("batch_size", batch_size, low=1, integer=True)
    order = np.random.default_rng(seed).permutation(n)
    return [order[start:start + batch_size] for start in range(0, n, batch_size)]


def minibatch_gradients(w, x, y, batch_size, seed):
    """The gradient on every mini-batch of one epoch, all at the same point w.

    Args:
        w: weights, array of shape (d,).
        x: rows, array of shape (N, d).
        y: targets, array of shape (N,).
        batch_size: int >= 1.
        seed: seed of the shuffle (see `minibatch_indices`).

    Returns:
        Array of shape (ceil(N / batch_size), d); row k is `mse_gradient` on batch k.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return np.array([mse_gradient(w, x[idx], y[idx])
                     for idx in minibatch_indices(len(y), batch_size, seed)])


def sgd_epoch(w, x, y, batch_size, learning_rate, seed):
    """One epoch of mini-batch gradient descent: w <- w - learning_rate * grad L_B(w) per batch.

    Each gradient is taken at the current w, on the batches of `minibatch_indices` in order.

    Args:
        w: starting weights, array of shape (d,); it is not modified.
        x: rows, array of shape (N, d).
        y: targets, array of shape (N,).
        batch_size: int >= 1.
        learning_rate: positive float.
        seed: seed of the shuffle.

    Returns:
        The weights after the epoch, a new array of shape (d,).
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    w = np.array(w, dtype=np.float64)
    for idx in minibatch_indices(len(y), batch_size, seed):
        w = w - learning_rate * mse_gradient(w, x[idx], y[idx])
    return w


def gradient_noise(w, x, y, batch_size, seeds=(0,)):
    """Measured mean of ||g_B - g||^2 over the mini-batches of one epoch per seed.

    g is the full gradient `mse_gradient(w, x, y)` and g_B a mini-batch gradient at the same w.

    Args:
        w, x, y: as in `minibatch_gradients`.
        batch_size: int >= 1.
        seeds: seeds of the epochs to average over.

    Returns:
        A float; round-off only (about 1e-30) for batch_size >= N.
    """
    full = mse_gradient(w, x, y)
    squared = [np.sum((minibatch_gradients(w, x, y, batch_size, seed) - full) ** 2, axis=1)
               for seed in seeds]
    return float(np.mean(np.concatenate(squared)))


def expected_gradient_noise(w, x, y, batch_size):
    """E ||g_B - g||^2 = sigma^2 / B * (N - B) / (N - 1) for B distinct random rows.

    Args:
        w, x, y: as in `minibatch_gradients`.
        batch_size: int between 1 and N.

    Returns:
        A float; sigma^2 = mean_i ||g_i - g||^2 over the per-row gradients g_i.
    """
    x, y, w = (np.asarray(a, dtype=np.float64) for a in (x, y, w))
    n = len(y)
    batch_size = check_number("batch_size", batch_size, low=1, high=n, integer=True)
    per_row = 2.0 * x * (x @ w - y)[:, None]
    sigma2 = np.mean(np.sum((per_row - per_row.mean(axis=0)) ** 2, axis=1))
    return float(sigma2 / batch_size * (n - batch_size) / max(n - 1, 1))
