"""Linear regression without bias, its mean squared error and plain gradient descent (NumPy).

The model of unit 3: predictions X @ w for features X of shape (N, D) and weights w of shape (D,),

    L(w) = mean((X @ w - y)**2),    grad L(w) = 2/N * X.T @ (X @ w - y),    H = 2/N * X.T @ X.

L is exactly quadratic, so the Hessian H does not depend on w. Gradient descent with a fixed
learning rate lr multiplies the distance to the optimum along the eigenvector of H with
eigenvalue lambda by (1 - lr * lambda) at every step: it converges if and only if
lr < 2 / lambda_max, and its slowest direction shrinks by (1 - lr * lambda_min). The condition
number kappa = lambda_max / lambda_min therefore sets how many steps it needs. Standardizing the
features (each column to mean 0 and standard deviation 1) makes the diagonal of H equal to 2 and,
for uncorrelated features, kappa close to 1. Newton's step w - H^-1 grad L(w) uses the curvature
itself and reaches the minimum of the quadratic in one step, for any kappa.

These are the references the unit 3 notebook compares the students' functions with.
"""

import numpy as np

from dl4lib._validation import check_array_shape


def _as_problem(X, y=None):
    X = check_array_shape("X", np.asarray(X, dtype=np.float64), ("N", "D"))
    if y is None:
        return X
    return X, check_array_shape("y", np.asarray(y, dtype=np.float64), (X.shape[0],))


def mse(w, X, y):
    """Mean squared error L(w) = mean((X @ w - y)**2).

    Args:
        w: weights, array of shape (D,).
        X: features, array of shape (N, D).
        y: targets, array of shape (N,).

    Returns:
        A float.
    """
    X, y = _as_problem(X, y)
    residual = X @ np.asarray(w, dtype=np.float64) - y
    return float(np.mean(residual**2))


def mse_gradient(w, X, y):
    """Gradient of `mse` with respect to w: 2/N * X.T @ (X @ w - y), array of shape (D,)."""
    X, y = _as_problem(X, y)
    residual = X @ np.asarray(w, dtype=np.float64) - y
    return 2.0 / len(y) * (X.T @ residual)


def mse_hessian(X):
    """Hessian of `mse`: H = 2/N * X.T @ X, array of shape (D, D), the same for every w."""
    X = _as_problem(X)
    return 2.0 / len(X) * (X.T @ X)


def hessian_eigenvalues(X):
    """Eigenvalues of `mse_hessian(X)` in increasing order, array of shape (D,)."""
    return np.linalg.eigvalsh(mse_hessian(X))


def condition_number(X):
    """kappa = lambda_max / lambda_min of the Hessian (inf when X has dependent columns)."""
    eigenvalues = hessian_eigenvalues(X)
    if eigenvalues[0] <= 0:
        return np.inf
    return float(eigenvalues[-1] / eigenvalues[0])


def max_stable_lr(X):
    """The largest learning rate for which gradient descent on `mse` converges: 2 / lambda_max.

    Along the eigenvector of lambda_max one step multiplies the error by (1 - lr * lambda_max),
    whose absolute value is below 1 exactly when 0 < lr < 2 / lambda_max.
    """
    return float(2.0 / hessian_eigenvalues(X)[-1])


def newton_step(w, grad, hessian):
    """One Newton step: the w+ that solves hessian @ (w+ - w) = -grad, that is w - H^-1 g.

    On a quadratic loss, where grad L(w) = H (w - w*) for every w, this lands on the minimum w*
    in one step from any w, whatever the condition number of H.

    Args:
        w: the current weights, array of shape (D,); it is not modified.
        grad: the gradient of the loss at w, array of shape (D,).
        hessian: the Hessian of the loss, symmetric positive definite, array of shape (D, D).

    Returns:
        The new weights, a float64 array of shape (D,).
    """
    w = np.asarray(w, dtype=np.float64)
    return w - np.linalg.solve(np.asarray(hessian, dtype=np.float64),
                               np.asarray(grad, dtype=np.float64))


def gradient_descent(w0, X, y, lr, steps):
    """Plain gradient descent on `mse`: w <- w - lr * grad L(w), `steps` times.

    Args:
        w0: starting weights, array of shape (D,); it is not modified.
        X: features, array of shape (N, D).
        y: targets, array of shape (N,).
        lr: the learning rate, a positive float.
        steps: the number of updates, an int >= 0.

    Returns:
        The trajectory, array of shape (steps + 1, D): row 0 is w0, row k the weights after
        k updates.
    """
    X, y = _as_problem(X, y)
    w = np.array(w0, dtype=np.float64)
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * mse_gradient(w, X, y)
        path.append(w)
    return np.stack(path)


def standardize(X):
    """Scale every column of X to mean 0 and standard deviation 1: (X - mean) / std.

    The mean and the population standard deviation (ddof=0, `np.std`'s default) are taken over
    the samples, axis 0. A column whose values are all equal has std 0; it is divided by 1
    instead, so it becomes a column of zeros.

    Args:
        X: features, array of shape (N, D).

    Returns:
        Array of shape (N, D).
    """
    X = _as_problem(X)
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    return (X - mean) / np.where(std == 0, 1.0, std)
