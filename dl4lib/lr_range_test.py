"""The learning-rate range test (Smith, 2017): one short run with a learning rate that grows.

Train for up to `num_steps` steps while the learning rate grows geometrically from `lr_min` to
`lr_max`,

    lr_i = lr_min * (lr_max / lr_min) ** (i / (num_steps - 1)),    i = 0, ..., num_steps - 1,

and record the loss of every step, optionally smoothed by a bias-corrected exponential moving
average (the correction of Adam, unit 8; `beta = 0` records the raw losses):

    s_i = beta * s_{i-1} + (1 - beta) * loss_i,    smoothed_i = s_i / (1 - beta ** (i + 1)).

Stop right after the first recorded loss that is not finite or exceeds `stop_factor` times the
lowest one before it (that loss is kept): the rate is then far too large. Two choices of rate
follow from the curve: a tenth of the rate with the lowest loss (unit 10, returned as
`suggested`), or the rate where the loss falls fastest (`steepest_learning_rate`, unit 6).

The test does not depend on a framework: it calls `step(learning_rate) -> loss`, which takes one
training step at that rate. NumPy only; units 6 and 10 use it with Keras, and unit 10's students
write the raw-loss version themselves (`dl4lib.checks.models.check_lr_range_test` grades it
against this one).

Reference:
    Smith, 2017, "Cyclical Learning Rates for Training Neural Networks", WACV, section 3.3.
"""

import math

import numpy as np

from dl4lib._validation import check_array_shape, check_number, invalid_argument


def lr_range_test(step, lr_min=1e-5, lr_max=10.0, num_steps=100, stop_factor=4.0, *, beta=0.0):
    """Run the range test; return (lrs, losses, suggested).

    `step(lr_i)` is called for i = 0, 1, ... in order; the sweep stops after the first recorded
    loss that is not finite or exceeds `stop_factor` times the lowest recorded loss before it.

    Args:
        step: function(learning_rate: float) -> loss (a float), one training step at that rate.
        lr_min, lr_max: finite floats, 0 < lr_min < lr_max: the first and last learning rate.
        num_steps: int >= 2, the number of steps if the sweep does not stop early.
        stop_factor: float > 1.
        beta: smoothing factor of the recorded losses in [0, 1); 0 records the raw losses.

    Returns:
        (lrs, losses, suggested): float64 arrays of shape (K,), K <= num_steps, the rates used
        and their (smoothed) losses, the last possibly not finite; and a tenth of the rate with
        the lowest finite loss.
    """
    lr_min = check_number("lr_min", lr_min, low=0.0, low_open=True)
    lr_max = check_number("lr_max", lr_max, low=("lr_min", lr_min), low_open=True)
    num_steps = check_number("num_steps", num_steps, low=2, integer=True)
    stop_factor = check_number("stop_factor", stop_factor, low=1.0, low_open=True)
    beta = check_number("beta", beta, low=0.0, high=1.0, high_open=True)
    rates = lr_min * (lr_max / lr_min) ** (np.arange(num_steps) / (num_steps - 1))
    average, losses, best = 0.0, [], math.inf
    for i, rate in enumerate(rates):
        average = beta * average + (1 - beta) * float(step(float(rate)))
        losses.append(average / (1 - beta ** (i + 1)))
        if not math.isfinite(losses[-1]) or losses[-1] > stop_factor * best:
            break
        best = min(best, losses[-1])
    losses = np.array(losses)
    lrs = rates[:len(losses)]
    return lrs, losses, float(lrs[np.argmin(np.where(np.isfinite(losses), losses, np.inf))] / 10)


def steepest_learning_rate(learning_rates, losses):
    """The learning rate at which the loss falls fastest per factor of learning rate.

    That is the minimum of d loss / d ln(lr), by finite differences over the finite losses (a
    range test's last loss may be nan or inf).

    Args:
        learning_rates, losses: arrays of shape (K,), with at least 2 finite losses.
    """
    learning_rates, losses = np.asarray(learning_rates, float), np.asarray(losses, float)
    check_array_shape("learning_rates", learning_rates, ("K",))
    check_array_shape("losses", losses, learning_rates.shape)
    finite = np.isfinite(losses)
    if finite.sum() < 2:
        raise invalid_argument("losses", "at least 2 finite values", losses)
    learning_rates, losses = learning_rates[finite], losses[finite]
    slope = np.gradient(losses, np.log(learning_rates))
    return float(learning_rates[int(np.argmin(slope))])
