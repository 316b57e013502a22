import warnings

import numpy as np
import pytest

from dl4lib import activations as A
from dl4lib.checks import numerical_derivative

NAMES = list(A.ACTIVATIONS)
EXTREME = np.array([-1e4, -1000.0, -745.0, -30.0, 0.0, 30.0, 745.0, 1000.0, 1e4])


def keras_reference(name, x):
    import keras

    fn = {"leaky_relu": lambda t: keras.activations.leaky_relu(t, negative_slope=0.01),
          "swish": keras.activations.silu,
          "gelu": lambda t: keras.activations.gelu(t, approximate=True),
          }.get(name, getattr(keras.activations, name, None))
    return keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(x, dtype="float64")))


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras(name):
    x = np.linspace(-8, 8, 161)
    f, _ = A.ACTIVATIONS[name]
    np.testing.assert_allclose(f(x), keras_reference(name, x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    f, df = A.ACTIVATIONS[name]
    x = np.linspace(-6, 6, 48)  # even count: 0 is not a sample, the kinks are avoided
    np.testing.assert_allclose(df(x), numerical_derivative(f, x), atol=1e-8)


@pytest.mark.parametrize("name", NAMES)
def test_stable_for_large_inputs(name):
    f, df = A.ACTIVATIONS[name]
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        y, dy = f(EXTREME), df(EXTREME)
    assert np.isfinite(y).all() and np.isfinite(dy).all()


def test_sigmoid_limits_and_symmetry():
    np.testing.assert_array_equal(A.sigmoid(np.array([-1e4, 0.0, 1e4])), [0.0, 0.5, 1.0])
    x = np.linspace(-20, 20, 81)
    np.testing.assert_allclose(A.sigmoid(x) + A.sigmoid(-x), 1.0, rtol=1e-15)


def test_kinks_take_the_left_hand_derivative():
    assert A.relu_derivative(0.0) == 0.0
    assert A.leaky_relu_derivative(0.0, alpha=0.2) == 0.2
    assert A.elu_derivative(0.0, alpha=0.5) == 0.5
    assert A.selu_derivative(0.0) == pytest.approx(A.SELU_SCALE * A.SELU_ALPHA)


def test_selu_constants_are_the_papers():
    assert A.SELU_ALPHA == pytest.approx(1.6733, abs=1e-4)
    assert A.SELU_SCALE == pytest.approx(1.0507, abs=1e-4)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)])
def test_shape_is_kept(shape):
    x = np.random.default_rng(0).normal(size=shape)
    for f, df in A.ACTIVATIONS.values():
        assert np.shape(f(x)) == shape and np.shape(df(x)) == shape


@pytest.mark.parametrize("bad", [np.array(["a", "b"]), np.array([1 + 2j]), None])
def test_non_real_input_is_refused(bad):
    with pytest.raises(TypeError, match="real-valued"):
        A.sigmoid(bad)


def test_plot_activations_draws_function_and_derivative():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    axes = A.plot_activations({"relu": A.ACTIVATIONS["relu"], "tanh": A.ACTIVATIONS["tanh"]})
    lines = axes[0].get_lines()
    np.testing.assert_allclose(lines[1].get_ydata(), A.relu_derivative(lines[1].get_xdata()))
    assert axes[1].get_title() == "tanh"
    plt.close("all")
    with pytest.raises(ValueError, match="empty"):
        A.plot_activations({})
    with pytest.raises(ValueError, match=r"shape \(N,\). Received: x.shape=\(2, 2\)"):
        A.plot_activations(A.ACTIVATIONS, x=np.zeros((2, 2)))


def test_gelu_derivative_golden_values_and_tails():
    # At 0: 0.5 (1 + tanh 0) + 0 = 0.5; far out the slope is that of ReLU.
    assert A.gelu_derivative(0.0) == 0.5
    np.testing.assert_array_equal(A.gelu_derivative(np.array([-1e4, -30.0, 30.0, 1e4])), [0, 0, 1, 1])
    # The slope dips below 0 and rises above 1: GELU is not monotonic.
    x = np.linspace(-3, 3, 6001)
    slope = A.gelu_derivative(x)
    assert slope.min() == pytest.approx(-0.129, abs=2e-3) and slope.max() == pytest.approx(1.129, abs=2e-3)
    # The derivative of the tanh form is close to that of the exact x * Phi(x).
    import math

    exact = np.array([0.5 * (1 + math.erf(v / math.sqrt(2)))
                      + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi) for v in x[::100]])
    np.testing.assert_allclose(slope[::100], exact, atol=1e-2)
