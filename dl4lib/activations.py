"""Reference activation functions and their derivatives, in NumPy.

Every function takes an array `x` of any shape (or a Python number) and returns a float array of
the same shape. All of them are numerically stable: no overflow warning and correct values for
|x| up to at least 1e4 (`exp` is only ever evaluated at non-positive arguments).

At the kinks of ReLU, leaky ReLU, ELU and SELU the derivative takes the left-hand value
(the positive branch is `x > 0`), the convention TensorFlow's gradients follow.

These are the references the unit 1 tests compare a student's functions with; the notebook asks
students to write their own.
"""

import numpy as np

from dl4lib._validation import check_array_shape, invalid_argument

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _as_float_array(x):
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"Expected a real-valued array, got dtype {x.dtype} (value {x!r}).")
    return x.astype(np.float64, copy=False)


def sigmoid(x):
    """Logistic sigmoid s(x) = 1 / (1 + exp(-x)), computed as exp(-|x|) based halves."""
    x = _as_float_array(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_derivative(x):
    """s'(x) = s(x) (1 - s(x))."""
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent tanh(x) = (e^x - e^-x) / (e^x + e^-x) = 2 s(2x) - 1."""
    return np.tanh(_as_float_array(x))


def tanh_derivative(x):
    """tanh'(x) = 1 - tanh(x)^2."""
    return 1.0 - tanh(x) ** 2


def relu(x):
    """ReLU(x) = max(x, 0)."""
    return np.maximum(_as_float_array(x), 0.0)


def relu_derivative(x):
    """ReLU'(x) = 1 if x > 0 else 0."""
    return (_as_float_array(x) > 0).astype(np.float64)


def leaky_relu(x, alpha=0.01):
    """Leaky ReLU(x) = x if x > 0 else alpha * x."""
    x = _as_float_array(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_derivative(x, alpha=0.01):
    """Leaky ReLU'(x) = 1 if x > 0 else alpha."""
    return np.where(_as_float_array(x) > 0, 1.0, alpha)


def elu(x, alpha=1.0):
    """ELU(x) = x if x > 0 else alpha (e^x - 1).  Clevert et al., 2015."""
    x = _as_float_array(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_derivative(x, alpha=1.0):
    """ELU'(x) = 1 if x > 0 else alpha e^x."""
    x = _as_float_array(x)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def selu(x):
    """SELU(x) = lambda * ELU(x, alpha) with alpha ~ 1.6733, lambda ~ 1.0507 (Klambauer et al., 2017)."""
    return SELU_SCALE * elu(x, SELU_ALPHA)


def selu_derivative(x):
    """SELU'(x) = lambda if x > 0 else lambda alpha e^x."""
    return SELU_SCALE * elu_derivative(x, SELU_ALPHA)


def softplus(x):
    """softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|)."""
    x = _as_float_array(x)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def softplus_derivative(x):
    """softplus'(x) = s(x)."""
    return sigmoid(x)


def swish(x):
    """swish(x) = x s(x) (also called SiLU; Ramachandran et al., 2017)."""
    x = _as_float_array(x)
    return x * sigmoid(x)


def swish_derivative(x):
    """swish'(x) = s(x) + x s(x) (1 - s(x))."""
    x = _as_float_array(x)
    s = sigmoid(x)
    return s + x * s * (1.0 - s)


def mish(x):
    """mish(x) = x tanh(softplus(x)) (Misra, 2019)."""
    x = _as_float_array(x)
    return x * np.tanh(softplus(x))


def mish_derivative(x):
    """mish'(x) = tanh(sp(x)) + x (1 - tanh(sp(x))^2) s(x), where sp is softplus."""
    x = _as_float_array(x)
    t = np.tanh(softplus(x))
    return t + x * (1.0 - t**2) * sigmoid(x)


GELU_C = np.sqrt(2.0 / np.pi)
"""sqrt(2 / pi), the slope of the tanh approximation of GELU at 0."""
GELU_CUBIC = 0.044715
"""The cubic coefficient of the tanh approximation of GELU."""


def _gelu_inner(x):
    return GELU_C * (x + GELU_CUBIC * x**3)


def gelu(x):
    """GELU, tanh approximation: 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3).

    Hendrycks and Gimpel, 2016; `keras.activations.gelu(x, approximate=True)`. tanh saturates
    at +-1 instead of overflowing, so this is stable for |x| up to about 1e100 (where x^3
    overflows).
    """
    x = _as_float_array(x)
    return 0.5 * x * (1.0 + np.tanh(_gelu_inner(x)))


def gelu_derivative(x):
    """gelu'(x) = 0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2).

    sech^2 u is written as 1 - tanh^2 u: 1 / cosh(u)^2 would overflow once u > 710, that is
    for |x| above about 27.
    """
    x = _as_float_array(x)
    t = np.tanh(_gelu_inner(x))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * GELU_C * (1.0 + 3.0 * GELU_CUBIC * x**2)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "elu": (elu, elu_derivative),
    "selu": (selu, selu_derivative),
    "softplus": (softplus, softplus_derivative),
    "swish": (swish, swish_derivative),
    "mish": (mish, mish_derivative),
    "gelu": (gelu, gelu_derivative),
}
"""Name -> (function, derivative) for every activation above."""


def plot_activations(functions, x=None, axes=None):
    """Draw each activation (solid) with its derivative (dashed) on its own axes.

    Args:
        functions: dict name -> (function, derivative), e.g. `ACTIVATIONS` or a student's own.
        x: 1-D array of points to draw at; default 401 points on [-5, 5].
        axes: sequence of matplotlib axes, one per function; created in a new figure if None.

    Returns:
        The array of axes drawn on.
    """
    import matplotlib.pyplot as plt

    if not functions:
        raise invalid_argument("functions", "a non-empty dict name -> (function, derivative)",
                               functions)
    x = np.linspace(-5, 5, 401) if x is None else check_array_shape("x", _as_float_array(x), ("N",))
    if axes is None:
        ncols = min(3, len(functions))
        nrows = -(-len(functions) // ncols)
        _, axes = plt.subplots(nrows, ncols, figsize=(4 * ncols, 3 * nrows), squeeze=False)
    axes = np.ravel(axes)
    if axes.size < len(functions):
        raise invalid_argument("axes", f"at least {len(functions)} axes, one per function",
                               axes.size, attribute="size")
    for ax, (name, (f, df)) in zip(axes, functions.items(), strict=False):
        ax.plot(x, f(x), label=name)
        ax.plot(x, df(x), "--", label=f"{name}'")
        ax.axhline(0, color="gray", lw=0.5)
        ax.axvline(0, color="gray", lw=0.5)
        ax.set_title(name)
        ax.legend(loc="upper left")
    for ax in axes[len(functions):]:
        ax.set_visible(False)
    return axes
