"""dl4lib.hyperparams: the learning-rate range test and the log-uniform sampler."""

import math

import numpy as np
import pytest

from dl4lib.hyperparams import log_uniform, lr_range_test


def quadratic_step(curvature=2.0, w0=3.0):
    """One gradient step on f(w) = curvature / 2 * w^2; returns the loss before the step.
    It diverges once lr > 2 / curvature = 1."""
    state = {"w": w0}

    def step(lr):
        w = state["w"]
        state["w"] = w - lr * curvature * w
        return curvature / 2 * w ** 2

    return step


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


@pytest.mark.parametrize("kwargs, message", [
    (dict(lr_min=0.0), "lr_min=0.0"), (dict(lr_min=1.0, lr_max=0.5), "lr_max=0.5"),
    (dict(num_steps=1), "num_steps=1"),
])
def test_range_test_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lr_range_test(lambda lr: 1.0, **kwargs)


def test_log_uniform_draws_one_uniform_per_sample():
    got = log_uniform(np.random.default_rng(5), 1e-4, 1e-1, size=(3, 4))
    u = np.random.default_rng(5).random((3, 4))
    np.testing.assert_allclose(got, 1e-4 * 1000.0 ** u, rtol=1e-12)
    assert isinstance(log_uniform(np.random.default_rng(0), 1.0, 2.0), float)


def test_log_uniform_is_uniform_in_the_log():
    x = log_uniform(np.random.default_rng(0), 1e-5, 1e-1, size=100_000)
    assert x.min() >= 1e-5 and x.max() <= 1e-1
    counts = np.histogram(np.log10(x), bins=4, range=(-5, -1))[0]
    assert np.all(np.abs(counts / 25_000 - 1) < 0.03)  # each decade equally likely


@pytest.mark.parametrize("low, high, message", [(0.0, 1.0, "low=0.0"), (1e-2, 1e-3, "high=0.001")])
def test_log_uniform_rejects_bad_ranges(low, high, message):
    with pytest.raises(ValueError, match=message):
        log_uniform(np.random.default_rng(0), low, high)
