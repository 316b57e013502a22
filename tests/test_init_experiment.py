"""Tests for dl4lib.init_experiment: backprop against finite differences, the signal in deep MLPs
(SELU self-normalizes, ReLU with LeCun init vanishes, He init fixes ReLU), and the plot."""

import functools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from dl4lib import initializers
from dl4lib.init_experiment import (
    STATISTICS,
    forward_backward,
    init_weights,
    layer_statistics,
    plot_layer_statistics,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_init_weights_shapes_follow_the_layers():
    weights = init_weights(in_features=7, width=5, depth=3, initializer="he_normal", seed=0)
    assert [w.shape for w in weights] == [(7, 5), (5, 5), (5, 5)]
    assert not np.array_equal(weights[1], weights[2])


def test_init_weights_uses_the_initializer_scale():
    weights = init_weights(400, 400, 2, initializer="he_uniform", seed=0)
    assert weights[1].var() == pytest.approx(2 / 400, rel=0.02)


@pytest.mark.parametrize("kwargs", [{"depth": 0}, {"width": -1}, {"in_features": 2.5}])
def test_init_weights_rejects_bad_sizes(kwargs):
    sizes = {"in_features": 3, "width": 4, "depth": 2, **kwargs}
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=f"argument `{name}`"):
        init_weights(**sizes)


def test_forward_pass_applies_activation_after_each_kernel():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4))
    weights = init_weights(4, 5, 2, seed=1)
    activations, _ = forward_backward(x, weights, "tanh", np.zeros((6, 5)))
    np.testing.assert_allclose(activations[1], np.tanh(np.tanh(x @ weights[0]) @ weights[1]))


@pytest.mark.parametrize("activation", ["tanh", "selu", "sigmoid"])
def test_weight_gradients_match_finite_differences(activation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4))
    grad_output = rng.standard_normal((6, 5))
    weights = init_weights(4, 5, 3, initializer="glorot_normal", seed=1)

    def loss():
        return np.sum(grad_output * forward_backward(x, weights, activation, grad_output)[0][-1])

    _, grads = forward_backward(x, weights, activation, grad_output)
    h = 1e-6
    for w, g in zip(weights, grads, strict=True):
        numeric = np.zeros_like(w)
        for idx in np.ndindex(w.shape):
            old = w[idx]
            w[idx] = old + h
            plus = loss()
            w[idx] = old - h
            minus = loss()
            w[idx] = old
            numeric[idx] = (plus - minus) / (2 * h)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


def test_layer_statistics_returns_one_value_per_layer():
    stats = layer_statistics(depth=4, width=8, batch_size=50, in_features=6)
    assert set(stats) == set(STATISTICS)
    assert all(stats[key].shape == (4,) for key in STATISTICS)


def test_layer_statistics_is_reproducible_with_a_seed():
    a = layer_statistics(depth=3, width=8, batch_size=50, seed=5)
    b = layer_statistics(depth=3, width=8, batch_size=50, seed=5)
    c = layer_statistics(depth=3, width=8, batch_size=50, seed=6)
    np.testing.assert_array_equal(a["std"], b["std"])
    assert not np.array_equal(a["std"], c["std"])


def test_selu_with_lecun_normal_is_self_normalizing_through_20_layers():
    stats = layer_statistics(depth=20, width=100, activation="selu",
                             initializer="lecun_normal", batch_size=2000, seed=0)
    assert np.abs(stats["mean"]).max() < 0.1
    assert np.abs(stats["std"] - 1).max() < 0.1


def test_relu_with_lecun_normal_loses_the_signal():
    stats = layer_statistics(depth=20, width=100, activation="relu",
                             initializer="lecun_normal", batch_size=2000, seed=0)
    # Var halves at every ReLU layer: std ~ 2 ** (-l / 2).
    assert stats["std"][-1] < 0.01
    assert stats["std"][-1] / stats["std"][9] == pytest.approx(2.0**-5, rel=0.5)


def test_relu_with_he_normal_keeps_the_scale_of_the_signal():
    stats = layer_statistics(depth=20, width=100, activation="relu",
                             initializer="he_normal", batch_size=2000, seed=0)
    assert 0.5 < stats["std"].min() and stats["std"].max() < 2
    assert stats["grad_std"].max() / stats["grad_std"].min() < 3


def test_tiny_weights_make_tanh_signal_and_gradients_vanish():
    small = functools.partial(initializers.normal, stddev=0.01)
    stats = layer_statistics(depth=10, width=100, activation="tanh", initializer=small)
    assert stats["std"][-1] < 1e-8
    assert stats["grad_std"][0] < 1e-8


def test_unknown_activation_raises():
    with pytest.raises(ValueError, match="activation='softmax'"):
        layer_statistics(depth=2, activation="softmax")


def test_plot_draws_one_point_per_layer_on_a_log_scale():
    stats = layer_statistics(depth=5, width=10, batch_size=20)
    _, ax = plt.subplots()
    returned = plot_layer_statistics(stats, key="grad_std", ax=ax, label="glorot")
    assert returned is ax
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 6))
    np.testing.assert_array_equal(line.get_ydata(), stats["grad_std"])
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["glorot"]


def test_plot_of_means_is_linear_and_defaults_to_current_axes():
    stats = layer_statistics(depth=3, width=10, batch_size=20)
    plt.figure()
    ax = plot_layer_statistics(stats, key="mean")
    assert ax is plt.gca()
    assert ax.get_yscale() == "linear"
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), stats["mean"])


def test_plot_rejects_unknown_key():
    with pytest.raises(ValueError, match="key='var'"):
        plot_layer_statistics({}, key="var", ax=plt.figure().gca())
