"""Searching for hyper-parameters: log-uniform sampling for a random search.

The sampler works with any framework: it draws from a NumPy generator. The learning-rate range
test, the other search of unit 10, is `dl4lib.lr_range_test`.

Reference:
    Bergstra and Bengio, "Random Search for Hyper-Parameter Optimization", JMLR 13, 2012.
"""

import numpy as np

from dl4lib._validation import check_number


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
    low = check_number("low", low, low=0.0, low_open=True)
    high = check_number("high", high, low=("low", low), low_open=True)
    return np.exp(rng.uniform(np.log(low), np.log(high), size))
