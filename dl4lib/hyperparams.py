"""Searching for hyper-parameters: the learning-rate range test and log-uniform sampling.

Both work with any framework: the range test calls a function that trains one step, and the
sampler draws from a NumPy generator.

References:
    Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017 (the range test).
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


def lr_range_test(step, lr_min=1e-5, lr_max=10.0, num_steps=100, stop_factor=4.0):
    """Train with an exponentially growing learning rate until the loss blows up.

        lr_i = lr_min * (lr_max / lr_min) ** (i / (num_steps - 1)),   i = 0 .. num_steps - 1

    `step(lr_i)` is called for i = 0, 1, ... in order; the sweep stops after the first loss that
    is not finite or exceeds `stop_factor` times the lowest loss so far (that loss is kept).
    The suggested learning rate is a tenth of the rate with the lowest loss.

    Args:
        step: function lr -> loss (float) that trains one mini-batch step at learning rate lr.
        lr_min, lr_max: positive floats, lr_min < lr_max: the ends of the sweep.
        num_steps: int >= 2, the length of the full sweep.
        stop_factor: float > 1.

    Returns:
        (lrs, losses, suggested): float64 arrays of the same length (the steps taken) and a float.
    """
    _check_range("lr_min", lr_min, "lr_max", lr_max)
    if not isinstance(num_steps, numbers.Integral) or isinstance(num_steps, bool) or num_steps < 2:
        raise ValueError("Invalid value received for argument `num_steps`. Expected an int >= 2. "
                         f"Received: num_steps={num_steps!r}")
    rates = lr_min * (lr_max / lr_min) ** (np.arange(num_steps) / (num_steps - 1))
    lrs, losses, best = [], [], math.inf
    for lr in rates:
        loss = float(step(float(lr)))
        lrs.append(lr)
        losses.append(loss)
        if not math.isfinite(loss) or loss > stop_factor * best:
            break
        best = min(best, loss)
    losses = np.array(losses)
    finite = np.where(np.isfinite(losses), losses, np.inf)
    return np.array(lrs), losses, float(lrs[int(np.argmin(finite))] / 10)


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
