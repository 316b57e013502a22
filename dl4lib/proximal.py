"""The L1 penalty's proximal step (soft thresholding), against plain subgradient descent.

For a loss L(w) + l1 * sum|w_i| a subgradient step is

    w <- w - lr * (grad L(w) + l1 * sign(w)),

which jumps over zero by up to lr * l1 and so almost never lands on it. The proximal step
(ISTA, iterative soft thresholding) takes the gradient step on L only and then solves the L1
part exactly:

    w <- soft_threshold(w - lr * grad L(w), lr * l1),
    soft_threshold(u, t) = sign(u) * max(|u| - t, 0),

which sets every coordinate with |u| <= t to exactly 0. Its fixed points are the minimizers of
the penalized loss (for lr below 2 / the largest curvature of L), which have exact zeros. NumPy
only; unit 5 uses it.

Reference:
    Goodfellow, Bengio and Courville, "Deep Learning", section 7.1.2 (the soft threshold);
    Beck and Teboulle, 2009, "A Fast Iterative Shrinkage-Thresholding Algorithm for Linear
    Inverse Problems", SIAM J. Imaging Sciences 2(1).
"""

import numpy as np

from dl4lib._validation import check_array_shape, check_number


def soft_threshold(u, threshold):
    """sign(u) * max(|u| - threshold, 0), elementwise; u: array of any shape, threshold >= 0."""
    threshold = check_number("threshold", threshold, low=0)
    u = np.asarray(u, dtype=np.float64)
    return np.sign(u) * np.maximum(np.abs(u) - threshold, 0.0)


def l1_proximal_step(w, grad, learning_rate, l1):
    """One proximal-gradient step for a loss plus l1 * sum|w|; arrays of the same shape.

    w+ = argmin_v ||v - u||^2 / (2 * learning_rate) + l1 * ||v||_1 with u = w - learning_rate * grad,
    that is soft_threshold(u, learning_rate * l1). Returns a new float64 array shaped like w.
    """
    u = np.asarray(w, dtype=np.float64) - learning_rate * np.asarray(grad, dtype=np.float64)
    return soft_threshold(u, learning_rate * l1)


def l1_regression_path(x, y, l1, learning_rate, steps, proximal):
    """Minimize mean((x @ w - y)^2) + l1 * sum|w| by `steps` steps from w = 0; return the path.

    Args:
        x: array of shape (N, D). y: array of shape (N,).
        l1: the penalty's strength, >= 0.
        learning_rate: positive float.
        steps: number of steps, a non-negative int.
        proximal: True for the soft-threshold step, False for the subgradient step.

    Returns:
        the weights after 0, 1, ..., steps steps: an array of shape (steps + 1, D).
    """
    x = check_array_shape("x", np.asarray(x, dtype=np.float64), ("N", "D"))
    y = check_array_shape("y", np.asarray(y, dtype=np.float64), (x.shape[0],))
    w = np.zeros(x.shape[1])
    path = [w]
    for _ in range(steps):
        grad = 2.0 / len(y) * x.T @ (x @ w - y)
        if proximal:
            w = l1_proximal_step(w, grad, learning_rate, l1)
        else:
            w = w - learning_rate * (grad + l1 * np.sign(w))
        path.append(w)
    return np.array(path)
