"""dl4lib's Keras layers use keras.ops only, so they run under any Keras 3 backend.

These tests use Keras and NumPy alone (no TensorFlow calls). CI runs them under the TensorFlow
backend; on a GPU machine they run unchanged with KERAS_BACKEND=jax (see README.md).
"""

import keras
import numpy as np
import pytest

from dl4lib.batch_norm import BatchNorm
from dl4lib.dropout import Dropout
from dl4lib.selu import AlphaDropout, selu


def to_numpy(x):
    return keras.ops.convert_to_numpy(x)


def test_batch_norm_matches_keras_in_training_and_inference():
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(64, 5)).astype("float32")
    ours, theirs = BatchNorm(momentum=0.9), keras.layers.BatchNormalization(momentum=0.9)
    for _ in range(3):
        np.testing.assert_allclose(to_numpy(ours(x, training=True)),
                                   to_numpy(theirs(x, training=True)), atol=1e-5)
    np.testing.assert_allclose(to_numpy(ours(x, training=False)),
                               to_numpy(theirs(x, training=False)), atol=1e-5)
    np.testing.assert_allclose(to_numpy(ours.moving_mean), to_numpy(theirs.moving_mean), rtol=1e-5)


@pytest.mark.parametrize("layer_cls", [Dropout, AlphaDropout])
def test_dropout_layers_are_identity_at_inference_and_random_in_training(layer_cls):
    x = np.ones((200, 50), "float32")
    layer = layer_cls(0.3, seed=1)
    np.testing.assert_array_equal(to_numpy(layer(x, training=False)), x)
    y = to_numpy(layer(x, training=True))
    assert abs((y != y.max()).mean() - 0.3) < 0.03  # kept units share the largest value


def test_self_normalizing_network_trains_and_survives_saving(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((8,)),
        keras.layers.Dense(16, activation=selu, kernel_initializer="lecun_normal"),
        AlphaDropout(0.05, seed=2),
        keras.layers.Dense(16),
        BatchNorm(),
        Dropout(0.1, seed=3),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(to_numpy(loaded(x[:4])), to_numpy(model(x[:4])), atol=1e-6)
