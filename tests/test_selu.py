"""Tests for dl4lib.selu: the constants' fixed point, the activation and its derivative against
Keras and autodiff, AlphaDropout against the paper's formula and keras.layers.AlphaDropout."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from dl4lib import activations
from dl4lib.selu import (
    SELU_SATURATION,
    AlphaDropout,
    alpha_dropout_affine,
    selu,
    selu_derivative,
)

RATES = [0.05, 0.1, 0.2, 0.5]


def test_selu_constants_make_mean_zero_variance_one_a_fixed_point():
    # E[selu(z)] = 0 and E[selu(z)^2] = 1 for z ~ N(0, 1), by quadrature on a fine grid.
    z = np.linspace(-12, 12, 200_001)
    density = np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi) * (z[1] - z[0])
    y = np.asarray(selu(z))
    assert np.sum(y * density) == pytest.approx(0, abs=1e-9)
    assert np.sum(y**2 * density) == pytest.approx(1, abs=1e-9)


def test_saturation_value_is_minus_lambda_alpha():
    assert SELU_SATURATION == pytest.approx(-1.0507009873554805 * 1.6732632423543772, rel=1e-15)
    assert float(np.asarray(selu(np.float64(-50.0)))) == pytest.approx(SELU_SATURATION)


def test_selu_matches_keras_and_numpy_reference():
    x = np.linspace(-10, 10, 1001).astype("float32")
    ours = np.asarray(selu(x))
    np.testing.assert_allclose(ours, np.asarray(keras.activations.selu(x)), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ours, activations.selu(x), rtol=1e-6, atol=1e-6)


def test_selu_derivative_matches_autodiff_and_numpy_reference():
    x = tf.constant(np.linspace(-10, 10, 1000), dtype="float64")  # 0 is not on the grid
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = selu(x)
    autodiff = tape.gradient(y, x).numpy()
    np.testing.assert_allclose(np.asarray(selu_derivative(x)), autodiff, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(selu_derivative(x)), activations.selu_derivative(x),
                               rtol=1e-12)


def test_selu_derivative_at_zero_takes_the_left_hand_value():
    assert float(np.asarray(selu_derivative(0.0))) == pytest.approx(-SELU_SATURATION)


@pytest.mark.parametrize("rate", RATES)
def test_alpha_dropout_affine_matches_the_papers_formula(rate):
    q = 1 - rate  # the paper's keep probability
    alpha_p = -1.0507009873554805 * 1.6732632423543772
    a = (q + alpha_p**2 * q * (1 - q)) ** -0.5
    b = -a * (1 - q) * alpha_p
    assert alpha_dropout_affine(rate) == pytest.approx((a, b), rel=1e-12)


@pytest.mark.parametrize("rate", RATES)
def test_alpha_dropout_affine_restores_mean_zero_and_variance_one(rate):
    # For x with mean 0 and variance 1, d = m x + (1 - m) alpha' has
    # E[d] = rate alpha' and Var[d] = (1 - rate) + rate alpha'^2 - (rate alpha')^2.
    a, b = alpha_dropout_affine(rate)
    mean = rate * SELU_SATURATION
    var = (1 - rate) + rate * SELU_SATURATION**2 - mean**2
    assert a * mean + b == pytest.approx(0, abs=1e-12)
    assert a**2 * var == pytest.approx(1, rel=1e-12)


@pytest.fixture(scope="module")
def selu_activations():
    """SELU of a standard normal batch of shape (1000, 500): mean ~ 0, variance ~ 1."""
    z = np.random.default_rng(0).standard_normal((1000, 500)).astype("float32")
    return np.asarray(selu(z))


@pytest.mark.parametrize("rate", [0.1, 0.3])
def test_alpha_dropout_keeps_mean_and_variance_of_selu_activations(selu_activations, rate):
    y = np.asarray(AlphaDropout(rate, seed=1)(selu_activations, training=True))
    assert y.shape == selu_activations.shape
    assert y.mean() == pytest.approx(selu_activations.mean(), abs=0.01)
    assert y.var() == pytest.approx(selu_activations.var(), abs=0.01)


def test_alpha_dropout_matches_keras_statistics(selu_activations):
    rate = 0.2
    a, b = alpha_dropout_affine(rate)
    dropped_value = a * SELU_SATURATION + b
    outputs = [np.asarray(layer(selu_activations, training=True))
               for layer in (AlphaDropout(rate, seed=1), keras.layers.AlphaDropout(rate, seed=1))]
    for y in outputs:
        dropped = np.isclose(y, dropped_value, rtol=0, atol=1e-6)
        assert dropped.mean() == pytest.approx(rate, abs=0.005)
        np.testing.assert_allclose(y[~dropped], a * selu_activations[~dropped] + b, rtol=1e-5,
                                   atol=1e-6)
    assert outputs[0].mean() == pytest.approx(outputs[1].mean(), abs=0.01)
    assert outputs[0].var() == pytest.approx(outputs[1].var(), abs=0.01)


def test_alpha_dropout_is_identity_at_inference(selu_activations):
    layer = AlphaDropout(0.5, seed=1)
    np.testing.assert_array_equal(np.asarray(layer(selu_activations)), selu_activations)


@pytest.mark.parametrize("rate", [-0.1, 1.0])
def test_alpha_dropout_rejects_rate_outside_zero_one(rate):
    with pytest.raises(ValueError, match=f"argument `rate`.*Received: rate={rate}"):
        AlphaDropout(rate)


def test_selu_model_survives_save_and_load(tmp_path):
    x = np.random.default_rng(1).standard_normal((32, 6)).astype("float32")
    model = keras.Sequential([
        keras.Input((6,)),
        keras.layers.Dense(8, activation=selu, kernel_initializer="lecun_normal"),
        AlphaDropout(0.1, seed=3),
        keras.layers.Dense(1),
    ])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x[:, :1], batch_size=8, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.layers[0].activation is selu
    assert type(loaded.layers[1]) is AlphaDropout
    assert loaded.layers[1].get_config() == model.layers[1].get_config()
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
