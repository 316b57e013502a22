"""dl4lib.losses: label-smoothing cross-entropy against Keras, stability."""

import keras
import numpy as np
import pytest

from dl4lib.losses import log_softmax, smoothed_cross_entropy


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
def test_matches_keras_categorical_crossentropy(smoothing):
    rng = np.random.default_rng(1)
    logits, labels = rng.normal(0, 3, size=(16, 10)), rng.integers(0, 10, 16)
    keras_loss = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=smoothing)
    expected = float(keras_loss(np.eye(10)[labels], logits.astype("float32")))
    assert smoothed_cross_entropy(logits, labels, smoothing) == pytest.approx(expected, rel=1e-5)


def test_large_logits_do_not_overflow():
    logits = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = smoothed_cross_entropy(logits, np.array([0]), 0.3)
    # target (0.8, 0.1, 0.1); log softmax (0, -1000, -2000)
    assert loss == pytest.approx(0.1 * 1000 + 0.1 * 2000)
    np.testing.assert_allclose(np.exp(log_softmax(logits)).sum(), 1.0)


@pytest.mark.parametrize("smoothing", [-0.1, 1.0])
def test_rejects_smoothing_outside_0_1(smoothing):
    with pytest.raises(ValueError, match=f"smoothing={smoothing}"):
        smoothed_cross_entropy(np.zeros((1, 3)), np.array([0]), smoothing)
