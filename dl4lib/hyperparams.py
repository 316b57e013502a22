"""Searching for hyper-parameters: log-uniform sampling for a random search.

The sampler works with any framework: it draws from a NumPy generator. The learning-rate range
test, the other search of unit 10, is `dl4lib.lr_range_test`.

Reference:
    Bergstra and Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 13, 2012.
"""

import math
import numbers

import numpy as np


def _check_positive(name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value) \
            or value <= 0:
        raise ValueError(f"Invalid value received for argument `{name}`. Expected a positive "
                         f"float. Received: {name}={value!r}")


def _check_range(low_name, low, high_name, high):
    _check_positive(low_name, low)
    _check_positive(high_name, high)
    if high <= low:
        raise ValueError(f"Invalid value received for argument `{high_name}`. Expected a float "
                         f"> {low_name}={low}. Received: {high_name}={high!r}")


def log_uniform(rng, low, high, size=None):
    """Samples whose logarithm is uniform: log x ~ U(log low, log high).

    Every decade between low and high is equally likely, which suits learning rates and
    weight decays. One uniform number is drawn from `rng` per sample:
    x = exp(rng.uniform(log low, log high, size)).

    Args:
        rng: a `np.random.Generator`.
        low, high: positive floats, low < high.
        size: None (one float) or the shape of the array of samples.

    Returns:
        A float, or a float64 array of shape `size`.
    """
    _check_range("low", low, "high", high)
    return np.exp(rng.uniform(np.log(low), np.log(high), size))
