"""Tests for dl4lib.dropout.Dropout: inverted-dropout statistics, inference, seeds, noise_shape,
bad arguments, and a save/load round trip; cross-checked against keras.layers.Dropout."""

import keras
import numpy as np
import pytest

from dl4lib.dropout import Dropout

RATE = 0.3


@pytest.fixture
def x():
    """200,000 units: the dropped fraction is within 0.003 of `rate` (three standard errors)."""
    return np.random.default_rng(0).uniform(0.5, 1.5, size=(400, 500)).astype("float32")


def test_dropout_zeroes_a_fraction_rate_of_units(x):
    y = np.asarray(Dropout(RATE, seed=1)(x, training=True))
    assert y.shape == x.shape
    assert (y == 0).mean() == pytest.approx(RATE, abs=0.003)


def test_dropout_rescales_kept_units(x):
    y = np.asarray(Dropout(RATE, seed=1)(x, training=True))
    kept = y != 0
    np.testing.assert_allclose(y[kept], x[kept] / (1 - RATE), rtol=1e-6)


def test_dropout_keeps_expected_sum(x):
    y = np.asarray(Dropout(RATE, seed=1)(x, training=True))
    assert y.sum() == pytest.approx(x.sum(), rel=0.005)


def test_dropout_matches_keras_statistics(x):
    ours = np.asarray(Dropout(RATE, seed=1)(x, training=True))
    theirs = np.asarray(keras.layers.Dropout(RATE, seed=1)(x, training=True))
    assert (ours == 0).mean() == pytest.approx((theirs == 0).mean(), abs=0.005)
    assert ours.sum() == pytest.approx(theirs.sum(), rel=0.01)
    np.testing.assert_allclose(ours[ours != 0] / x[ours != 0], 1 / (1 - RATE), rtol=1e-6)
    np.testing.assert_allclose(theirs[theirs != 0] / x[theirs != 0], 1 / (1 - RATE), rtol=1e-6)


def test_dropout_is_identity_at_inference(x):
    layer = Dropout(0.9, seed=1)
    np.testing.assert_array_equal(np.asarray(layer(x)), x)
    np.testing.assert_array_equal(np.asarray(layer(x, training=False)), x)


def test_rate_zero_is_identity_in_training(x):
    np.testing.assert_array_equal(np.asarray(Dropout(0.0)(x, training=True)), x)


def test_dropout_draws_a_new_mask_at_each_call_and_repeats_with_the_seed(x):
    first, second = Dropout(RATE, seed=7), Dropout(RATE, seed=7)
    a1, a2 = (np.asarray(first(x, training=True)) for _ in range(2))
    b1 = np.asarray(second(x, training=True))
    assert not np.array_equal(a1 == 0, a2 == 0)
    np.testing.assert_array_equal(a1, b1)


def test_noise_shape_shares_the_mask_along_an_axis():
    x = np.ones((64, 10, 6), dtype="float32")
    y = np.asarray(Dropout(0.5, noise_shape=(None, 1, None), seed=0)(x, training=True))
    assert (y == y[:, :1, :]).all()
    assert 0.4 < (y == 0).mean() < 0.6


def test_dropout_has_no_weights_like_keras():
    ours, theirs = Dropout(RATE), keras.layers.Dropout(RATE)
    ours.build((None, 4))
    assert len(ours.trainable_weights) == len(theirs.trainable_weights) == 0
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights) == 0


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "0.5", True, None])
def test_dropout_rejects_rate_outside_zero_one(rate):
    with pytest.raises(ValueError, match=rf"argument `rate`.*\[0, 1\).*Received: rate={rate!r}"):
        Dropout(rate)


@pytest.mark.parametrize("noise_shape", ["abc", 3, (0, 4), (2.5, 4), (-1, None)])
def test_dropout_rejects_bad_noise_shape(noise_shape):
    with pytest.raises(ValueError, match="argument `noise_shape`"):
        Dropout(RATE, noise_shape=noise_shape)


def test_noise_shape_of_the_wrong_rank_fails_at_call():
    layer = Dropout(RATE, noise_shape=(None, 1))
    with pytest.raises(ValueError, match="Expected 3 entries"):
        layer(np.ones((2, 3, 4), dtype="float32"), training=True)


def test_config_round_trip_keeps_arguments():
    layer = Dropout(0.25, noise_shape=[None, 1], seed=3, name="drop")
    config = layer.get_config()
    assert (config["rate"], config["noise_shape"], config["seed"]) == (0.25, (None, 1), 3)
    assert Dropout.from_config(config).get_config() == config


def test_model_with_dropout_trains_and_survives_save_and_load(tmp_path, x):
    model = keras.Sequential([keras.Input((500,)), keras.layers.Dense(3),
                              Dropout(0.5, seed=2)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x[:64], np.zeros((64, 3)), batch_size=16, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[-1]) is Dropout
    assert loaded.layers[-1].get_config() == model.layers[-1].get_config()
    np.testing.assert_array_equal(loaded.predict(x[:8], verbose=0), model.predict(x[:8], verbose=0))
