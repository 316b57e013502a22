"""dl4lib.lr_range_test: the learning-rate range test (units 6 and 10) on synthetic losses."""

import math

import numpy as np
import pytest

from dl4lib.lr_range_test import lr_range_test, steepest_learning_rate


def quadratic_step(curvature=2.0, w0=3.0):
    """One gradient step on f(w) = curvature / 2 * w^2; returns the loss before the step.
    It diverges once lr > 2 / curvature = 1."""
    state = {"w": w0}

    def step(lr):
        w = state["w"]
        state["w"] = w - lr * curvature * w
        return curvature / 2 * w ** 2

    return step


# --- raw losses (unit 10, the reference of its exercise) -----------------------------------------

def test_rates_grow_geometrically_and_the_sweep_stops_at_divergence():
    lrs, losses, suggested = lr_range_test(quadratic_step(), 1e-3, 100.0, num_steps=51)
    full = 1e-3 * (1e5) ** (np.arange(51) / 50)
    np.testing.assert_allclose(lrs, full[:len(lrs)], rtol=1e-12)
    assert len(lrs) == len(losses) < 51
    assert losses[-1] > 4 * losses[:-1].min()
    assert np.all(losses[:-1] <= 4 * np.minimum.accumulate(losses[:-1]))
    assert lrs[-1] > 1.0  # the quadratic diverges above lr = 1
    assert suggested == pytest.approx(lrs[np.argmin(losses)] / 10)


def test_full_sweep_when_nothing_diverges_and_nan_stops():
    lrs, losses, _ = lr_range_test(lambda lr: 1.0 / (1 + lr), 1e-4, 1.0, num_steps=7)
    assert len(lrs) == 7 and lrs[-1] == pytest.approx(1.0) and lrs[0] == pytest.approx(1e-4)
    scripted = iter([5.0, 4.0, 3.0, math.nan, 1.0])
    lrs, losses, suggested = lr_range_test(lambda lr: next(scripted), 1e-3, 1.0, num_steps=5)
    assert len(losses) == 4 and math.isnan(losses[-1])
    assert suggested == pytest.approx(lrs[2] / 10)


def test_the_loss_that_stops_the_sweep_is_compared_with_the_lowest_before_it():
    scripted = iter([5.0, 3.0, 2.0, 9.0, 1.0])
    lrs, losses, _ = lr_range_test(lambda lr: next(scripted), 1e-3, 10.0, 5)
    np.testing.assert_array_equal(losses, [5.0, 3.0, 2.0, 9.0])  # 9 > 4 * 2 stops, and is kept


# --- smoothed losses (unit 6) --------------------------------------------------------------------

def test_rates_grow_geometrically_from_lr_min_to_lr_max():
    rates, losses, _ = lr_range_test(lambda lr: 1.0, lr_min=1e-4, lr_max=1.0, num_steps=5,
                                     beta=0.98)
    np.testing.assert_allclose(rates, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    np.testing.assert_allclose(losses, 1.0)  # bias-corrected: a constant loss stays constant


def test_smoothing_is_a_bias_corrected_moving_average():
    raw = [4.0, 2.0, 3.0]
    scripted = iter(raw)
    _, losses, _ = lr_range_test(lambda lr: next(scripted), 1e-3, 1.0, 3, beta=0.5)
    np.testing.assert_allclose(losses, [4.0, (1.0 + 2.0 * 0.5) / 0.75,
                                        (0.5 * 2.0 + 0.5 * 3.0) / 0.875])


def test_stops_once_the_smoothed_loss_exceeds_four_times_its_minimum():
    seen = []

    def exploding(lr):
        seen.append(lr)
        return 1.0 if lr < 0.1 else 1e3

    rates, losses, _ = lr_range_test(exploding, lr_min=1e-3, lr_max=10.0, num_steps=100,
                                     beta=0.5)
    assert len(rates) == len(losses) == len(seen) < 100
    assert losses[-1] > 4 * losses.min() and np.all(losses[:-1] <= 4 * losses.min())


def test_stops_at_a_non_finite_loss_and_keeps_it():
    rates, losses, suggested = lr_range_test(lambda lr: np.inf if lr > 1 else 1.0 / (1 + lr),
                                             lr_min=0.01, lr_max=100, num_steps=5, beta=0.98)
    np.testing.assert_allclose(rates, [0.01, 0.1, 1.0, 10.0])
    assert np.all(np.isfinite(losses[:-1])) and losses[-1] == np.inf
    assert suggested == pytest.approx(0.1)  # a tenth of the rate with the lowest finite loss


def test_steepest_learning_rate_on_a_sigmoid_shaped_curve():
    rates = np.logspace(-5, 1, 61)
    losses = 2.0 - 1.0 / (1.0 + np.exp(-3 * (np.log10(rates) + 2)))  # falls fastest at 1e-2
    assert steepest_learning_rate(rates, losses) == pytest.approx(1e-2)
    # the loss that stopped a range test (nan or inf) is left out
    assert steepest_learning_rate(rates, np.append(losses[:-1], np.nan)) == pytest.approx(1e-2)


def test_steepest_learning_rate_needs_two_finite_losses():
    with pytest.raises(ValueError, match="at least 2 finite"):
        steepest_learning_rate([1e-3, 1e-2], [1.0, np.inf])
    with pytest.raises(ValueError, match=r"`losses`. Expected an array of shape \(2,\). "
                                         r"Received: losses.shape=\(3,\)"):
        steepest_learning_rate([1e-3, 1e-2], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr_min=0.0), "lr_min=0.0"), (dict(lr_min=1.0, lr_max=0.5), "lr_max=0.5"),
    (dict(lr_max=math.inf), "lr_max=inf"), (dict(lr_min=math.nan), "lr_min=nan"),
    (dict(num_steps=1), "num_steps=1"), (dict(num_steps=2.0), "num_steps=2.0"),
    (dict(stop_factor=1.0), "stop_factor=1.0"), (dict(beta=1.0), "beta=1.0"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=f"argument `{message.split('=')[0]}`.*{message}"):
        lr_range_test(lambda lr: 1.0, **kwargs)
