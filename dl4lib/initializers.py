"""Weight initializers in NumPy: constant, random, and the fan-based Glorot, He and LeCun rules.

Every initializer takes a `shape` and returns a float64 array of that shape; the random ones also
take `seed` (see `make_rng`). The fan-based rules scale the weights of a dense layer with
`W` of shape (fan_in, fan_out), so that `x @ W` has the variance the rule asks for:

    rule     variance                 uniform bound, Var(U(-L, L)) = L^2 / 3
    Glorot   2 / (fan_in + fan_out)   L = sqrt(6 / (fan_in + fan_out))
    He       2 / fan_in               L = sqrt(6 / fan_in)
    LeCun    1 / fan_in               L = sqrt(3 / fan_in)

The `*_normal` rules draw from a normal distribution truncated at two standard deviations and
rescaled so that the standard deviation *after* truncation is the one in the table, exactly as
`keras.initializers.GlorotNormal`, `HeNormal` and `LecunNormal` do. Plain `normal` is not
truncated; `truncated_normal(stddev=s)` takes the standard deviation *before* truncation, like
`keras.initializers.TruncatedNormal`, so its result has standard deviation `s * TRUNCATED_STD`.

References:
    Glorot and Bengio, 2010, "Understanding the difficulty of training deep feedforward neural
    networks". He et al., 2015, "Delving deep into rectifiers", https://arxiv.org/abs/1502.01852.
    LeCun et al., 1998, "Efficient BackProp".
"""

import math
import numbers

import numpy as np

from dl4lib._validation import check_number, check_shape, invalid_argument

TRUNCATED_STD = 0.87962566103423978
"""Standard deviation of a standard normal truncated to [-2, 2]."""


def make_rng(seed=None):
    """Return a NumPy Generator for `seed`.

    Args:
        seed: None, a non-negative int, or a `np.random.Generator` (returned as it is, so one
            generator can be threaded through several calls). None draws a seed from NumPy's
            global state, so `dl4lib.utils.set_seed` makes unseeded calls reproducible.

    Returns:
        A `np.random.Generator`.
    """
    if seed is None:
        seed = int(np.random.randint(0, 2**31 - 1))
    return np.random.default_rng(seed)


def _check_shape(shape):
    """`shape` as a tuple of non-negative ints; an int n is the shape (n,), as in NumPy."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    return check_shape("shape", shape, allow_zero=True)


def compute_fans(shape):
    """Return (fan_in, fan_out) of a dense kernel.

    Args:
        shape: (fan_in, fan_out), both positive ints: the kernel of a layer computing `x @ W`
            with x of shape (N, fan_in).

    Returns:
        The tuple (fan_in, fan_out) of ints.
    """
    return check_shape("shape", shape, ndim=2)


def zeros(shape):
    """All zeros, e.g. for biases. Returns an array of shape `shape`."""
    return np.zeros(_check_shape(shape))


def constant(shape, value):
    """All entries equal to the float `value`. Returns an array of shape `shape`."""
    return np.full(_check_shape(shape), float(value))


def normal(shape, mean=0.0, stddev=0.05, seed=None):
    """Samples of N(mean, stddev^2) (not truncated). Returns an array of shape `shape`."""
    stddev = check_number("stddev", stddev, low=0)
    return make_rng(seed).normal(mean, stddev, size=_check_shape(shape))


def uniform(shape, minval=-0.05, maxval=0.05, seed=None):
    """Samples of U(minval, maxval). Returns an array of shape `shape`."""
    minval = check_number("minval", minval)
    maxval = check_number("maxval", maxval, low=("minval", minval))
    return make_rng(seed).uniform(minval, maxval, size=_check_shape(shape))


def truncated_normal(shape, mean=0.0, stddev=0.05, seed=None):
    """Samples of N(mean, stddev^2) conditioned on |x - mean| <= 2 stddev.

    Samples outside two standard deviations are redrawn until none is left. The result has
    standard deviation `stddev * TRUNCATED_STD`.

    Returns:
        An array of shape `shape`.
    """
    stddev = check_number("stddev", stddev, low=0)
    rng = make_rng(seed)
    z = rng.standard_normal(_check_shape(shape))
    outside = np.abs(z) > 2
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > 2
    return mean + stddev * z


def _scaled_uniform(shape, variance, seed):
    limit = math.sqrt(3.0 * variance)
    return uniform(shape, -limit, limit, seed=seed)


def _scaled_normal(shape, variance, seed):
    return truncated_normal(shape, stddev=math.sqrt(variance) / TRUNCATED_STD, seed=seed)


def glorot_uniform(shape, seed=None):
    """U(-L, L) with L = sqrt(6 / (fan_in + fan_out)); `shape` = (fan_in, fan_out)."""
    fan_in, fan_out = compute_fans(shape)
    return _scaled_uniform(shape, 2.0 / (fan_in + fan_out), seed)


def glorot_normal(shape, seed=None):
    """Truncated normal with std sqrt(2 / (fan_in + fan_out)); `shape` = (fan_in, fan_out)."""
    fan_in, fan_out = compute_fans(shape)
    return _scaled_normal(shape, 2.0 / (fan_in + fan_out), seed)


def he_uniform(shape, seed=None):
    """U(-L, L) with L = sqrt(6 / fan_in); `shape` = (fan_in, fan_out)."""
    fan_in, _ = compute_fans(shape)
    return _scaled_uniform(shape, 2.0 / fan_in, seed)


def he_normal(shape, seed=None):
    """Truncated normal with std sqrt(2 / fan_in); `shape` = (fan_in, fan_out)."""
    fan_in, _ = compute_fans(shape)
    return _scaled_normal(shape, 2.0 / fan_in, seed)


def lecun_uniform(shape, seed=None):
    """U(-L, L) with L = sqrt(3 / fan_in); `shape` = (fan_in, fan_out)."""
    fan_in, _ = compute_fans(shape)
    return _scaled_uniform(shape, 1.0 / fan_in, seed)


def lecun_normal(shape, seed=None):
    """Truncated normal with std sqrt(1 / fan_in) (for SELU); `shape` = (fan_in, fan_out)."""
    fan_in, _ = compute_fans(shape)
    return _scaled_normal(shape, 1.0 / fan_in, seed)


def leaky_he_normal(shape, negative_slope, seed=None):
    """He's rule for leaky ReLU: truncated normal with variance 2 / ((1 + a^2) * fan_in).

    Leaky ReLU with negative slope a keeps a fraction (1 + a^2) / 2 of the second moment of a
    pre-activation that is symmetric around 0, so a layer multiplies the signal's second moment
    by fan_in * Var(w) * (1 + a^2) / 2; this variance makes that factor 1. a = 0 gives
    `he_normal`, a = 1 (a linear unit) `lecun_normal`. PyTorch's `kaiming_normal_(w, a=a)` uses
    the same variance (untruncated). `shape` = (fan_in, fan_out).
    """
    fan_in, _ = compute_fans(shape)
    return _scaled_normal(shape, 2.0 / ((1.0 + negative_slope**2) * fan_in), seed)


INITIALIZERS = {
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "lecun_uniform": lecun_uniform,
    "lecun_normal": lecun_normal,
}
"""Name -> fan-based initializer `f(shape, seed=None)`, the names Keras uses."""


def get(identifier):
    """Return the initializer `f(shape, seed=None)` named `identifier`, or `identifier` if callable.

    Use `functools.partial(normal, stddev=0.01)` for a fixed-scale initializer.
    """
    if callable(identifier):
        return identifier
    if identifier not in INITIALIZERS:
        raise invalid_argument("initializer", f"a callable or one of "
                               f"{', '.join(map(repr, sorted(INITIALIZERS)))}", identifier)
    return INITIALIZERS[identifier]
