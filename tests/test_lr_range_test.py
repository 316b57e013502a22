"""The learning-rate range test on synthetic losses."""

import numpy as np
import pytest

from dl4lib.lr_range_test import lr_range_test, steepest_learning_rate


def test_rates_grow_geometrically_from_lr_min_to_lr_max():
    rates, losses = lr_range_test(lambda lr: 1.0, lr_min=1e-4, lr_max=1.0, steps=5)
    np.testing.assert_allclose(rates, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    np.testing.assert_allclose(losses, 1.0)  # bias-corrected: a constant loss stays constant


def test_stops_once_the_smoothed_loss_exceeds_four_times_its_minimum():
    seen = []

    def exploding(lr):
        seen.append(lr)
        return 1.0 if lr < 0.1 else 1e3

    rates, losses = lr_range_test(exploding, lr_min=1e-3, lr_max=10.0, steps=100, beta=0.5)
    assert len(rates) == len(losses) == len(seen) < 100
    assert losses[-1] > 4 * losses.min() and np.all(losses[:-1] <= 4 * losses.min())


def test_stops_at_a_non_finite_loss():
    rates, losses = lr_range_test(lambda lr: np.inf if lr > 1 else 1.0, lr_min=0.01, lr_max=100,
                                  steps=5)
    np.testing.assert_allclose(rates, [0.01, 0.1, 1.0])
    assert np.all(np.isfinite(losses))


def test_steepest_learning_rate_on_a_sigmoid_shaped_curve():
    rates = np.logspace(-5, 1, 61)
    losses = 2.0 - 1.0 / (1.0 + np.exp(-3 * (np.log10(rates) + 2)))  # falls fastest at 1e-2
    assert steepest_learning_rate(rates, losses) == pytest.approx(1e-2)


@pytest.mark.parametrize("kwargs, match", [({"lr_min": 1.0, "lr_max": 0.1}, "lr_min=1.0"),
                                           ({"steps": 1}, "steps=1"),
                                           ({"stop_factor": 1.0}, "stop_factor=1.0")])
def test_bad_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lr_range_test(lambda lr: 1.0, **kwargs)
