"""Tests for dl4lib.regularization: inverted dropout in NumPy (statistics, the drawing contract,
inference, bad rates), L1/L2 penalties against Keras and finite differences, Monte-Carlo dropout."""

import keras
import numpy as np
import pytest

from dl4lib import regularization as R
from dl4lib.dropout import Dropout

RATE = 0.3


@pytest.fixture
def x():
    """200,000 positive units: the dropped fraction is within 0.003 of `rate`."""
    return np.random.default_rng(0).uniform(0.5, 1.5, size=(400, 500))


def numerical_gradient(f, w, h=1e-6):
    grad = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[i] = h
        grad[i] = (f(w + step) - f(w - step)) / (2 * h)
    return grad


# ---------------------------------------------------------------- dropout_forward

def test_dropout_zeroes_a_fraction_rate_of_units(x):
    y = R.dropout_forward(x, RATE, True, np.random.default_rng(1))
    assert y.shape == x.shape
    assert (y == 0).mean() == pytest.approx(RATE, abs=0.003)


def test_dropout_rescales_kept_units_and_keeps_the_expected_sum(x):
    y = R.dropout_forward(x, RATE, True, np.random.default_rng(1))
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / (1 - RATE), rtol=1e-15)
    assert y.sum() == pytest.approx(x.sum(), rel=0.005)


def test_dropout_follows_the_drawing_contract():
    x = np.arange(1.0, 25.0).reshape(2, 3, 4)
    u = np.random.default_rng(7).random(x.shape)
    expected = np.where(u >= 0.4, x / 0.6, 0.0)
    np.testing.assert_array_equal(R.dropout_forward(x, 0.4, True, np.random.default_rng(7)), expected)


def test_dropout_matches_the_keras_layer_statistics(x):
    ours = R.dropout_forward(x, RATE, True, np.random.default_rng(1))
    theirs = np.asarray(Dropout(RATE, seed=1)(x.astype("float32"), training=True))
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.006)
    assert ours.mean() == pytest.approx(theirs.mean(), rel=0.01)


def test_dropout_is_identity_at_inference_and_draws_nothing(x):
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    y = R.dropout_forward(x, 0.9, False, rng)
    np.testing.assert_array_equal(y, x)
    assert y is not x
    assert rng.bit_generator.state == state


def test_rate_zero_is_identity_in_training(x):
    np.testing.assert_array_equal(R.dropout_forward(x, 0.0, True, np.random.default_rng(0)), x)


def test_dropout_does_not_modify_its_input(x):
    before = x.copy()
    R.dropout_forward(x, RATE, True, np.random.default_rng(0))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", True, None])
def test_dropout_rejects_rate_outside_zero_one(rate, training):
    with pytest.raises(ValueError, match=rf"argument `rate`.*\[0, 1\).*Received: rate={rate!r}"):
        R.dropout_forward(np.ones(3), rate, training, np.random.default_rng(0))


def test_check_rate_returns_a_float():
    assert R.check_rate(np.float32(0.25)) == 0.25
    assert isinstance(R.check_rate(0), float)


# ---------------------------------------------------------------- penalties

W = np.random.default_rng(2).normal(size=(4, 3))


def test_l2_penalty_matches_keras():
    assert R.l2_penalty(W, 0.01) == pytest.approx(float(keras.regularizers.L2(0.01)(W)), rel=1e-6)


def test_l1_penalty_matches_keras():
    assert R.l1_penalty(W, 0.01) == pytest.approx(float(keras.regularizers.L1(0.01)(W)), rel=1e-6)


def test_l2_gradient_is_the_derivative_of_the_penalty():
    np.testing.assert_allclose(R.l2_gradient(W, 0.3), numerical_gradient(lambda v: R.l2_penalty(v, 0.3), W),
                               atol=1e-8)
    np.testing.assert_allclose(R.l2_gradient(W, 0.3), 2 * 0.3 * W)


def test_l1_gradient_is_the_derivative_of_the_penalty_away_from_zero():
    np.testing.assert_allclose(R.l1_gradient(W, 0.3), numerical_gradient(lambda v: R.l1_penalty(v, 0.3), W),
                               atol=1e-8)


def test_l1_subgradient_is_zero_at_zero_like_tensorflow():
    import tensorflow as tf

    w = tf.constant([-2.0, 0.0, 3.0], dtype="float64")
    with tf.GradientTape() as tape:
        tape.watch(w)
        loss = keras.regularizers.L1(0.5)(w)
    np.testing.assert_allclose(R.l1_gradient(w.numpy(), 0.5), tape.gradient(loss, w).numpy())
    np.testing.assert_array_equal(R.l1_gradient(np.zeros(3), 0.5), 0.0)


def test_penalties_accept_any_shape_and_return_floats():
    w = np.arange(24.0).reshape(2, 3, 4) - 12
    assert R.l2_penalty(w, 1.0) == pytest.approx(np.sum(w**2))
    assert R.l1_penalty(w, 1.0) == pytest.approx(np.sum(np.abs(w)))
    assert isinstance(R.l2_penalty(w, 1.0), float) and isinstance(R.l1_penalty(w, 1.0), float)
    assert R.l2_gradient(w, 1.0).shape == R.l1_gradient(w, 1.0).shape == w.shape


# ---------------------------------------------------------------- Monte-Carlo dropout

PARAMS = R.random_mlp_params(n_in=3, n_hidden=32, n_out=2, seed=0)
X = np.random.default_rng(1).normal(size=(6, 3))


def test_random_mlp_params_are_seeded_and_shaped():
    again = R.random_mlp_params(n_in=3, n_hidden=32, n_out=2, seed=0)
    assert [p.shape for p in PARAMS] == [(3, 32), (32,), (32, 2), (2,)]
    for a, b in zip(PARAMS, again, strict=True):
        np.testing.assert_array_equal(a, b)


def test_mlp_forward_at_inference_is_the_plain_network():
    w1, b1, w2, b2 = PARAMS
    expected = np.maximum(X @ w1 + b1, 0) @ w2 + b2
    np.testing.assert_allclose(R.dropout_mlp_forward(X, PARAMS, 0.5, False, None), expected)
    np.testing.assert_allclose(R.dropout_mlp_forward(X, PARAMS, 0.0, True, np.random.default_rng(0)),
                               expected)


def test_mlp_forward_drops_hidden_units_with_one_mask():
    w1, b1, w2, b2 = PARAMS
    h = np.maximum(X @ w1 + b1, 0)
    u = np.random.default_rng(4).random(h.shape)
    expected = np.where(u >= 0.5, h / 0.5, 0) @ w2 + b2
    got = R.dropout_mlp_forward(X, PARAMS, 0.5, True, np.random.default_rng(4))
    np.testing.assert_allclose(got, expected)


def test_mc_with_one_sample_is_one_training_pass():
    np.testing.assert_array_equal(
        R.mc_dropout_predict(X, PARAMS, 0.5, 1, np.random.default_rng(5)),
        R.dropout_mlp_forward(X, PARAMS, 0.5, True, np.random.default_rng(5)))


def test_mc_average_draws_a_new_mask_per_sample():
    rng = np.random.default_rng(6)
    passes = [R.dropout_mlp_forward(X, PARAMS, 0.5, True, rng) for _ in range(3)]
    np.testing.assert_allclose(R.mc_dropout_predict(X, PARAMS, 0.5, 3, np.random.default_rng(6)),
                               np.mean(passes, axis=0))


def test_mc_average_converges_to_the_inference_output():
    exact = R.dropout_mlp_forward(X, PARAMS, 0.5, False, None)
    errors = [np.sqrt(np.mean((R.mc_dropout_predict(X, PARAMS, 0.5, n, np.random.default_rng(n))
                               - exact) ** 2)) for n in (10, 10_000)]
    assert errors[1] < errors[0] / 10
    assert errors[1] < 0.02


@pytest.mark.parametrize("n_samples", [0, -1, 2.0, True])
def test_mc_rejects_bad_sample_counts(n_samples):
    with pytest.raises(ValueError, match="n_samples"):
        R.mc_dropout_predict(X, PARAMS, 0.5, n_samples, np.random.default_rng(0))
