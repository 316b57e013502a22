"""Tests for dl4lib.batch_norm: cross-checks against keras.layers.BatchNormalization (outputs,
moving statistics, gradients), finite differences, properties, bad input and save/load."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from dl4lib.batch_norm import BatchNorm, batch_moments, batch_normalize

ATOL = 1e-5  # float32 round-off on outputs of order 1-10


def batches(shape, n=3, seed=0):
    """`n` float32 batches of `shape` with per-feature means around 2 and stds around 3."""
    rng = np.random.default_rng(seed)
    return [(3 * rng.standard_normal(shape) + 2).astype("float32") for _ in range(n)]


def twin_layers(shape, axis=-1, seed=1):
    """Our layer and Keras' one, built for `shape` with the same random gamma and beta."""
    ours, theirs = BatchNorm(axis=axis), keras.layers.BatchNormalization(axis=axis)
    ours.build(shape)
    theirs.build(shape)
    rng = np.random.default_rng(seed)
    size = shape[axis]
    weights = [rng.uniform(0.5, 2, size), rng.normal(size=size), np.zeros(size), np.ones(size)]
    for layer in (ours, theirs):
        layer.set_weights([w.astype("float32") for w in weights])
    return ours, theirs


def test_layer_has_two_trainable_and_two_moving_weights():
    layer = BatchNorm()
    y = layer(np.ones((4, 3), dtype="float32"))
    assert y.shape == (4, 3)
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    assert all(w.shape == (3,) for w in layer.weights)


def test_training_output_has_zero_mean_and_unit_variance_per_feature():
    (x,) = batches((256, 4), n=1)
    y = np.asarray(BatchNorm(epsilon=1e-6)(x, training=True))
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=0), 1, atol=1e-4)


@pytest.mark.parametrize(("shape", "axis"), [((32, 5), -1), ((4, 3, 5, 5), 1), ((6, 5, 4), 2)])
def test_training_matches_keras_over_several_steps(shape, axis):
    ours, theirs = twin_layers(shape, axis)
    for x in batches(shape):
        np.testing.assert_allclose(ours(x, training=True), theirs(x, training=True), atol=ATOL)
        for a, b in zip(ours.non_trainable_weights, theirs.non_trainable_weights, strict=True):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)
    (x,) = batches(shape, n=1, seed=9)
    np.testing.assert_allclose(ours(x), theirs(x), atol=ATOL)


def test_moving_statistics_follow_the_momentum_formula():
    x1, x2 = batches((16, 3), n=2)
    layer = BatchNorm(momentum=0.9)
    layer(x1, training=True)
    layer(x2, training=True)
    mean, var = np.zeros(3), np.ones(3)
    for x in (x1, x2):
        mean = mean * 0.9 + x.mean(axis=0) * 0.1
        var = var * 0.9 + x.var(axis=0) * 0.1
    np.testing.assert_allclose(layer.moving_mean.numpy(), mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), var, rtol=1e-5)


def test_inference_uses_moving_statistics_and_leaves_them_alone():
    (x,) = batches((8, 3), n=1)
    layer = BatchNorm(epsilon=0.01)
    y = layer(x)  # fresh layer: moving mean 0, moving variance 1
    np.testing.assert_allclose(y, x / np.sqrt(1.01), rtol=1e-6)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), np.zeros(3))
    np.testing.assert_array_equal(layer.moving_variance.numpy(), np.ones(3))


def test_frozen_layer_uses_moving_statistics_even_in_training():
    x1, x2 = batches((16, 3), n=2)
    layer = BatchNorm()
    layer(x1, training=True)
    before = [w.numpy() for w in layer.weights]
    layer.trainable = False
    np.testing.assert_allclose(layer(x2, training=True), layer(x2, training=False))
    for a, b in zip(before, layer.weights, strict=True):
        np.testing.assert_array_equal(a, b.numpy())


def test_functional_helpers_reproduce_the_training_forward_pass():
    (x,) = batches((4, 3, 5, 5), n=1)
    layer, _ = twin_layers(x.shape, axis=1)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
    mean, var = batch_moments(x, axis=1)
    np.testing.assert_allclose(mean, x.mean(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(var, x.var(axis=(0, 2, 3)), rtol=1e-5)
    y = batch_normalize(x, mean, var, gamma, beta, epsilon=1e-3, axis=1)
    np.testing.assert_allclose(y, layer(x, training=True), atol=ATOL)


def gradients(layer, x, upstream):
    """d sum(upstream * layer(x, training=True)) / d (x, gamma, beta)."""
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(upstream * layer(x, training=True))
    return [g.numpy() for g in tape.gradient(loss, [x, layer.gamma, layer.beta])]


def test_gradients_match_keras():
    (x,) = batches((32, 5), n=1)
    upstream = np.random.default_rng(2).standard_normal(x.shape).astype("float32")
    ours, theirs = twin_layers(x.shape)
    for a, b in zip(gradients(ours, x, upstream), gradients(theirs, x, upstream), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    x = 3 * rng.standard_normal((6, 3)) + 1
    upstream = rng.standard_normal((6, 3))
    layer = BatchNorm(dtype="float64")
    layer.build(x.shape)
    layer.set_weights([rng.uniform(0.5, 2, 3), rng.normal(size=3), np.zeros(3), np.ones(3)])
    analytic = gradients(layer, x, upstream)
    gamma, beta = layer.gamma.numpy(), layer.beta.numpy()

    def loss(x, gamma, beta):
        return np.sum(upstream * np.asarray(batch_normalize(x, *batch_moments(x), gamma, beta)))

    h = 1e-6
    for k, array in enumerate((x, gamma, beta)):
        numeric = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            args = [x.copy(), gamma.copy(), beta.copy()]
            args[k][idx] += h
            plus = loss(*args)
            args[k][idx] -= 2 * h
            numeric[idx] = (plus - loss(*args)) / (2 * h)
        np.testing.assert_allclose(analytic[k], numeric, rtol=1e-6, atol=1e-8)


def test_training_batch_of_one_gives_beta_like_keras():
    x = np.array([[5.0, -2.0, 0.5]], dtype="float32")
    ours, theirs = twin_layers(x.shape)
    y = ours(x, training=True)
    np.testing.assert_allclose(y, ours.beta.numpy()[None, :], atol=1e-6)
    # Keras computes x * inv + (beta - mean * inv), equal to beta up to round-off.
    np.testing.assert_allclose(y, theirs(x, training=True), atol=ATOL)
    np.testing.assert_allclose(ours.moving_variance.numpy(), 0.99 * np.ones(3), rtol=1e-6)
    np.testing.assert_allclose(ours.moving_variance.numpy(), theirs.moving_variance.numpy())


@pytest.mark.parametrize("momentum", [0, 1, -0.5, 1.5, "0.9"])
def test_momentum_outside_zero_one_raises(momentum):
    with pytest.raises(ValueError, match=rf"argument `momentum`.*\(0, 1\).*momentum={momentum!r}"):
        BatchNorm(momentum=momentum)


@pytest.mark.parametrize("epsilon", [0, -1e-3])
def test_non_positive_epsilon_raises(epsilon):
    with pytest.raises(ValueError, match=f"argument `epsilon`.*epsilon={epsilon}"):
        BatchNorm(epsilon=epsilon)


@pytest.mark.parametrize("axis", ["-1", 1.0, None])
def test_axis_that_is_not_an_int_raises(axis):
    with pytest.raises(ValueError, match="argument `axis`. Expected an int"):
        BatchNorm(axis=axis)


@pytest.mark.parametrize("axis", [2, -3])
def test_axis_that_does_not_exist_in_the_input_raises(axis):
    with pytest.raises(ValueError, match=rf"`axis`. Expected an integer value in \[-2, 2\). "
                                         rf"Received: axis={axis}"):
        BatchNorm(axis=axis)(np.ones((4, 3), dtype="float32"))
    with pytest.raises(ValueError, match=f"Received: axis={axis}"):
        batch_moments(np.ones((4, 3), dtype="float32"), axis=axis)


def test_feature_axis_of_unknown_size_raises():
    with pytest.raises(ValueError, match="known size"):
        BatchNorm().build((None, None))


def test_config_round_trip_keeps_arguments():
    layer = BatchNorm(axis=1, momentum=0.9, epsilon=1e-5, name="bn")
    config = layer.get_config()
    assert (config["axis"], config["momentum"], config["epsilon"]) == (1, 0.9, 1e-5)
    assert BatchNorm.from_config(config).get_config() == config


def test_model_with_batch_norm_trains_and_survives_save_and_load(tmp_path):
    x, y = batches((64, 4), n=2)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), BatchNorm(momentum=0.5)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y[:, :3], batch_size=16, epochs=2, verbose=0)
    assert not np.allclose(model.layers[-1].moving_mean.numpy(), 0)  # fit updated them
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded.layers[-1]) is BatchNorm
    for a, b in zip(model.layers[-1].weights, loaded.layers[-1].weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
