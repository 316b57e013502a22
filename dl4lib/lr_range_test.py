"""The learning-rate range test (Smith, 2017): one short run with a learning rate that grows.

Train for up to `steps` steps while the learning rate grows geometrically from `lr_min` to
`lr_max`,

    lr_k = lr_min * (lr_max / lr_min) ** (k / (steps - 1)),    k = 0, ..., steps - 1,

and record the loss of every step, smoothed by a bias-corrected exponential moving average
(the correction of Adam, unit 8):

    s_k = beta * s_{k-1} + (1 - beta) * loss_k,    smoothed_k = s_k / (1 - beta ** (k + 1)).

Stop early once the smoothed loss exceeds `stop_factor` times its minimum: the rate is then far
too large. A good constant rate lies somewhat below the one where the smoothed loss falls
fastest (`steepest_learning_rate`); the peak of a one-cycle schedule near the largest rate that
still lowers the loss.

The test does not depend on a framework: it calls `train_step(learning_rate) -> loss`, which
takes one training step at that rate. NumPy only; units 6 and 10 use it with Keras.

Reference:
    Smith, 2017, "Cyclical Learning Rates for Training Neural Networks", WACV, section 3.3.
"""

import math

import numpy as np


def lr_range_test(train_step, lr_min=1e-5, lr_max=10.0, steps=200, beta=0.98, stop_factor=4.0):
    """Run the range test; return (learning_rates, smoothed_losses), arrays of equal length.

    Args:
        train_step: function(learning_rate: float) -> loss (a finite or infinite number).
        lr_min, lr_max: 0 < lr_min < lr_max, the first and last learning rate.
        steps: int >= 2, the number of steps if the test does not stop early.
        beta: smoothing factor in [0, 1).
        stop_factor: stop when the smoothed loss exceeds stop_factor * its minimum (> 1).
    """
    if not 0 < lr_min < lr_max:
        raise ValueError(f"Expected 0 < lr_min < lr_max. Received: lr_min={lr_min}, lr_max={lr_max}")
    if not isinstance(steps, int) or steps < 2:
        raise ValueError(f"Invalid value received for argument `steps`. Expected an int >= 2. "
                         f"Received: steps={steps!r}")
    if not 0 <= beta < 1 or not stop_factor > 1:
        raise ValueError(f"Expected 0 <= beta < 1 and stop_factor > 1. Received: beta={beta}, "
                         f"stop_factor={stop_factor}")
    rates = lr_min * (lr_max / lr_min) ** (np.arange(steps) / (steps - 1))
    average, smoothed = 0.0, []
    for k, rate in enumerate(rates):
        loss = float(train_step(float(rate)))
        if not math.isfinite(loss):
            break
        average = beta * average + (1 - beta) * loss
        smoothed.append(average / (1 - beta ** (k + 1)))
        if smoothed[-1] > stop_factor * min(smoothed):
            break
    return rates[:len(smoothed)], np.array(smoothed)


def steepest_learning_rate(learning_rates, losses):
    """The learning rate at which the loss falls fastest per factor of learning rate.

    That is the minimum of d loss / d ln(lr), by finite differences. Arrays of shape (K,), K >= 2.
    """
    learning_rates, losses = np.asarray(learning_rates, float), np.asarray(losses, float)
    if learning_rates.shape != losses.shape or learning_rates.size < 2:
        raise ValueError(f"Expected two arrays of the same shape (K,), K >= 2. Received shapes "
                         f"{learning_rates.shape} and {losses.shape}")
    slope = np.gradient(losses, np.log(learning_rates))
    return float(learning_rates[int(np.argmin(slope))])
