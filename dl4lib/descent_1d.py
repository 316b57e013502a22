"""Plain gradient descent on a function of one (or a few) variables, and two test functions.

The reference for unit 6 ("choosing the learning rate"). Everything is NumPy and float64:

    path = gradient_descent(lambda x: 2 * x, x0=1.0, learning_rate=0.9, steps=20)

returns every iterate x_0, x_1, ..., x_steps, the start point first, so a path can be plotted
as it is. `armijo_step_size` chooses a step by backtracking instead of a fixed learning rate.
Learning-rate schedules and clipping live in `dl4lib.schedules` and `dl4lib.clipping`
(TensorFlow); this module needs neither.
"""

import numpy as np

from dl4lib._validation import check_number


def gradient_descent(grad, x0, learning_rate, steps):
    """Iterate x_{t+1} = x_t - learning_rate * grad(x_t) and return every iterate.

    On a quadratic f(x) = L x^2 / 2 (grad = L x) this is x_{t+1} = (1 - learning_rate L) x_t:
    monotone convergence for learning_rate < 1/L, oscillating convergence between 1/L and 2/L,
    divergence above 2/L.

    Args:
        grad: callable, the derivative (or gradient): array of shape S -> array of shape S.
        x0: float, or array of shape (d,), the start point.
        learning_rate: float, the step size.
        steps: non-negative int, the number of updates.

    Returns:
        float64 array of shape (steps + 1,) for a scalar x0, (steps + 1, d) for x0 of shape
        (d,); row 0 is x0 and row t the point after t updates.
    """
    steps = check_number("steps", steps, low=0, integer=True)
    x = np.asarray(x0, dtype=np.float64)
    path = [x]
    for _ in range(steps):
        x = x - learning_rate * np.asarray(grad(x), dtype=np.float64)
        path.append(x)
    return np.array(path)


def armijo_step_size(f, x, g, alpha0=1.0, c1=1e-4, rho=0.5):
    """Backtracking (Armijo) line search: the first step alpha0 * rho^k that decreases f enough.

    Along the ray x - alpha g, phi(alpha) = f(x - alpha g) has the slope phi'(0) = -g . g when
    g is the gradient of f at x. A step is accepted when f falls by at least the fraction c1 of
    what the tangent line promises (the sufficient-decrease or Armijo condition):

        f(x - alpha g) <= f(x) - c1 * alpha * (g . g),

    tried for alpha = alpha0, rho alpha0, rho^2 alpha0, ... For g != 0 a small enough alpha
    always passes; the loop also ends if alpha underflows to 0.

    Args:
        f: callable, float or array of shape (d,) -> float.
        x: float, or array of shape (d,), the current point (not modified).
        g: the gradient of f at x, the same shape as x (not modified).
        alpha0: positive float, the first step tried.
        c1: float in (0, 1), the fraction of the predicted decrease that is demanded.
        rho: float in (0, 1), the factor a rejected step is multiplied by.

    Returns:
        float, the accepted step alpha.

    Reference:
        Nocedal and Wright, "Numerical Optimization", 2nd ed., algorithm 3.1.
    """
    alpha0 = check_number("alpha0", alpha0, low=0, low_open=True)
    c1 = check_number("c1", c1, low=0, high=1, low_open=True, high_open=True)
    rho = check_number("rho", rho, low=0, high=1, low_open=True, high_open=True)
    x = np.asarray(x, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    fx, decrease = float(f(x)), float(np.sum(g * g))
    alpha = alpha0
    while float(f(x - alpha * g)) > fx - c1 * alpha * decrease:
        alpha *= rho
    return alpha


def quartic(x):
    """f(x) = x^4 - 3 x^2 + x: a global minimum near -1.30 and a local one near 1.13."""
    x = np.asarray(x, dtype=np.float64)
    return x**4 - 3 * x**2 + x


def quartic_derivative(x):
    """f'(x) = 4 x^3 - 6 x + 1."""
    x = np.asarray(x, dtype=np.float64)
    return 4 * x**3 - 6 * x + 1
