"""Numerical gradients by centred differences, and the relative error that compares them.

A student's tool (unit 9, and unit 1's derivatives): it checks an analytic gradient against the
definition of the derivative. For a step h the centred difference

    df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2h)

has an error O(h^2) (a one-sided difference has O(h)); with h = 1e-5 and float64 the truncation
and round-off errors are both around 1e-10 for well-scaled functions. Two gradients agree when

    rel_error(a, b) = max_i |a_i - b_i| / max(|a_i| + |b_i|, tiny)

is small: around 1e-7 or less for a correct gradient of a smooth function, 1e-2 or more for a
wrong one. This is the measure CS231n's assignments use; unlike |a - b| it does not depend on the
scale of the gradient, and `tiny` keeps it defined where both are 0.

    numerical_derivative(f, x)            elementwise f: the derivative at every entry of x
    numerical_gradient(f, x)              scalar f(x): the gradient, of the shape of x
    numerical_gradient_array(f, x, dout)  array f(x): the gradient of sum(f(x) * dout), i.e. the
                                          vector-Jacobian product that a node's backward computes

Every function evaluates `f` on fresh float64 copies of `x` (an integer x would otherwise round
the step h away), never changes `x`, and raises ValueError when `f` returns nan or inf.
"""

import numpy as np

from dl4lib._validation import check_array_shape, invalid_argument

TINY = 1e-8
"""The floor of the denominator of `rel_error`, as in CS231n."""


def _as_float(x):
    x = np.array(x, dtype=np.float64)  # a copy: x itself is never changed
    if not np.isfinite(x).all():
        raise invalid_argument("x", "finite values", x)
    return x


def _finite(value, where):
    value = np.asarray(value, dtype=np.float64)
    if not np.isfinite(value).all():
        raise ValueError(f"f returned a non-finite value ({value!r}) at {where}; the numerical "
                         "gradient is not defined there. Check f for overflow or division by zero.")
    return value


def numerical_derivative(func, x, h=1e-5):
    """Centred difference (f(x + h) - f(x - h)) / (2h) of an elementwise function, at every entry.

    Args:
        func: an elementwise function (like `np.tanh`): f(x)[i] depends on x[i] only.
        x: array of any shape (or a number).
        h: float > 0, the step.

    Returns:
        Float64 array of the shape of x; the error is O(h^2).
    """
    x = _as_float(x)
    plus = _finite(func(x + h), "x + h")
    minus = _finite(func(x - h), "x - h")
    if plus.shape != x.shape:
        raise ValueError(f"An elementwise f must return the shape of x: x has shape {x.shape}, "
                         f"f(x) has shape {plus.shape}.")
    return (plus - minus) / (2 * h)


def _shifted(f, x, index, delta):
    x_shifted = x.copy()
    x_shifted[index] += delta
    return f(x_shifted)


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function by centred differences, one entry of x at a time.

    Args:
        f: function of an array of the shape of x, returning a number (the loss).
        x: array of any shape.
        h: float > 0, the step.

    Returns:
        Float64 array of the shape of x: entry i is (f(x + h e_i) - f(x - h e_i)) / (2h).

    Raises:
        ValueError: when f returns more than one number, or nan or inf.
    """
    x = _as_float(x)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        values = []
        for delta in (h, -h):
            value = _finite(_shifted(f, x, index, delta), f"x{list(index)} {delta:+g}")
            if value.size != 1:
                raise ValueError(f"numerical_gradient needs a scalar f, but f returned shape "
                                 f"{value.shape}; use numerical_gradient_array for an array f.")
            values.append(float(value.ravel()[0]))
        grad[index] = (values[0] - values[1]) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of sum(f(x) * dout) for an array-valued f: what `backward(dout)` should return.

    Args:
        f: function of an array of the shape of x, returning an array of the shape of dout.
        x: array of any shape.
        dout: array, the upstream gradient dL/d f(x).
        h: float > 0, the step.

    Returns:
        Float64 array of the shape of x: entry i is sum((f(x + h e_i) - f(x - h e_i)) * dout) / (2h).

    Raises:
        ValueError: when f(x) and dout have different shapes (both are named), or f returns nan
            or inf.
    """
    x = _as_float(x)
    dout = np.asarray(dout, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus = _finite(_shifted(f, x, index, h), f"x{list(index)} + {h:g}")
        minus = _finite(_shifted(f, x, index, -h), f"x{list(index)} - {h:g}")
        check_array_shape("dout", dout, plus.shape)  # the shape of f(x)
        grad[index] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def rel_error(a, b, tiny=TINY):
    """Largest relative error max_i |a_i - b_i| / max(|a_i| + |b_i|, tiny) of two arrays.

    Args:
        a, b: arrays of the same shape (or numbers).
        tiny: float > 0, the floor of the denominator, so that two zeros agree.

    Returns:
        A float in [0, 1]: 0 for equal arrays, 1 when they have opposite signs or one is 0
        (and the other is not tiny); about 1e-7 or less for a correct gradient against its
        numerical estimate.

    Raises:
        ValueError: when the shapes differ (the message gives both) or a value is nan.
    """
    a = np.asarray(a, dtype=np.float64)
    b = check_array_shape("b", np.asarray(b, dtype=np.float64), a.shape)
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("rel_error got nan values; the gradient is not defined there.")
    if a.size == 0:
        return 0.0
    with np.errstate(invalid="ignore"):
        errors = np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), tiny)
    errors = np.where(a == b, 0.0, errors)  # equal infinities agree
    return float(np.max(errors))
