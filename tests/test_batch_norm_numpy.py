"""Tests for dl4lib.batch_norm_numpy: golden values, properties, and cross-checks against
dl4lib.batch_norm and keras.layers.BatchNormalization over several training steps."""

import keras
import numpy as np
import pytest

from dl4lib import batch_norm_numpy as bn
from dl4lib.batch_norm import BatchNorm, batch_moments, batch_normalize


def batch(shape=(16, 4), seed=0):
    return 3 * np.random.default_rng(seed).standard_normal(shape) + 2


def test_statistics_golden_values():
    x = np.array([[1.0, 0.0], [2.0, 4.0], [6.0, 2.0]])
    mean, var = bn.batch_statistics(x)
    np.testing.assert_allclose(mean, [3.0, 2.0])
    np.testing.assert_allclose(var, [14 / 3, 8 / 3])  # biased: divides by N = 3


def test_statistics_match_numpy_and_keras_ops():
    x = batch()
    mean, var = bn.batch_statistics(x)
    np.testing.assert_allclose(mean, x.mean(axis=0))
    np.testing.assert_allclose(var, x.var(axis=0, ddof=0))
    k_mean, k_var = batch_moments(x)
    np.testing.assert_allclose(mean, np.asarray(k_mean), rtol=1e-12)
    np.testing.assert_allclose(var, np.asarray(k_var), rtol=1e-12)


def test_train_output_is_standardized_per_column():
    x = batch((256, 5))
    y = bn.batch_norm_train(x, np.ones(5), np.zeros(5), epsilon=1e-12)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1, rtol=1e-9)


def test_gamma_and_beta_set_the_scale_and_the_shift():
    x = batch((256, 3))
    gamma, beta = np.array([0.5, 2.0, -1.0]), np.array([1.0, -3.0, 0.0])
    y = bn.batch_norm_train(x, gamma, beta, epsilon=1e-12)
    np.testing.assert_allclose(y.mean(axis=0), beta, atol=1e-12)
    np.testing.assert_allclose(y.std(axis=0), np.abs(gamma), rtol=1e-9)


def test_gamma_std_and_beta_mean_undo_the_normalization():
    x = batch((32, 3))
    mean, var = bn.batch_statistics(x)
    eps = 1e-3
    np.testing.assert_allclose(bn.batch_norm_train(x, np.sqrt(var + eps), mean, eps), x)


def test_constant_column_gives_beta_without_warnings():
    x = np.column_stack([np.full(6, 5.0), np.arange(6.0)])
    with np.errstate(all="raise"):
        y = bn.batch_norm_train(x, np.array([2.0, 1.0]), np.array([0.7, 0.0]))
    np.testing.assert_allclose(y[:, 0], 0.7)


def test_train_matches_keras_ops_version():
    x, gamma, beta = batch((10, 4)), np.linspace(0.5, 2, 4), np.linspace(-1, 1, 4)
    mean, var = batch_moments(x)
    expected = batch_normalize(x, mean, var, gamma, beta, epsilon=1e-3)
    np.testing.assert_allclose(bn.batch_norm_train(x, gamma, beta), np.asarray(expected),
                               rtol=1e-12)


def test_update_moving_average_golden_and_inputs_untouched():
    moving, value = np.array([0.0, 1.0]), np.array([10.0, 3.0])
    new = bn.update_moving_average(moving, value, momentum=0.9)
    np.testing.assert_allclose(new, [1.0, 1.2])
    np.testing.assert_array_equal(moving, [0.0, 1.0])
    np.testing.assert_allclose(bn.update_moving_average(moving, value, 0.0), value)
    np.testing.assert_allclose(bn.update_moving_average(moving, value, 1.0), moving)


def test_moving_average_forgets_the_start_geometrically():
    moving = np.array([0.0])
    for _ in range(50):
        moving = bn.update_moving_average(moving, np.array([1.0]), momentum=0.9)
    np.testing.assert_allclose(moving, 1 - 0.9**50)


def test_inference_rows_are_independent():
    x = batch((5, 3))
    args = (np.array([1.0, 2.0, 3.0]), np.array([4.0, 1.0, 0.25]), np.ones(3), np.zeros(3))
    whole = bn.batch_norm_inference(x, *args)
    for i in range(5):
        np.testing.assert_allclose(bn.batch_norm_inference(x[i:i + 1], *args), whole[i:i + 1])


@pytest.mark.parametrize("reference", [BatchNorm, keras.layers.BatchNormalization])
def test_steps_match_keras_layers(reference):
    """Train and inference passes and moving statistics agree with a Keras layer over 4 steps."""
    d, momentum, epsilon = 3, 0.8, 1e-2
    rng = np.random.default_rng(5)
    gamma, beta = rng.uniform(0.5, 2, d), rng.normal(size=d)
    layer = reference(momentum=momentum, epsilon=epsilon)
    layer.build((None, d))
    layer.set_weights([w.astype("float32") for w in (gamma, beta, np.zeros(d), np.ones(d))])
    moving_mean, moving_var = np.zeros(d), np.ones(d)
    for step in range(4):
        x = batch((8, d), seed=step).astype("float32")
        y = bn.batch_norm_train(x, gamma, beta, epsilon)
        np.testing.assert_allclose(np.asarray(layer(x, training=True)), y, atol=2e-5)
        mean, var = bn.batch_statistics(x)
        moving_mean = bn.update_moving_average(moving_mean, mean, momentum)
        moving_var = bn.update_moving_average(moving_var, var, momentum)
        np.testing.assert_allclose(layer.moving_mean.numpy(), moving_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(layer.moving_variance.numpy(), moving_var, rtol=1e-5)
    x = batch((4, d), seed=9).astype("float32")
    y = bn.batch_norm_inference(x, moving_mean, moving_var, gamma, beta, epsilon)
    np.testing.assert_allclose(np.asarray(layer(x, training=False)), y, atol=2e-5)


@pytest.mark.parametrize("bad", [np.zeros(3), np.zeros((0, 3)), np.zeros((2, 3, 4))])
def test_rejects_a_batch_that_is_not_n_by_d(bad):
    with pytest.raises(ValueError, match="shape \\(N, D\\)"):
        bn.batch_statistics(bad)


def test_rejects_bad_epsilon_and_momentum():
    x = batch((4, 2))
    with pytest.raises(ValueError, match="epsilon"):
        bn.batch_norm_train(x, np.ones(2), np.zeros(2), epsilon=0.0)
    with pytest.raises(ValueError, match="momentum"):
        bn.update_moving_average(np.zeros(2), np.ones(2), momentum=1.5)


def test_fold_batch_norm_matches_keras_dense_and_batch_normalization():
    """A Dense -> BatchNormalization pair with trained-looking state equals one folded Dense."""
    rng = np.random.default_rng(7)
    d_in, d, epsilon = 5, 4, 1e-3
    kernel, bias = rng.normal(size=(d_in, d)), rng.normal(size=d)
    state = (rng.normal(size=d), rng.uniform(0.1, 4.0, d), rng.uniform(0.5, 2.0, d), rng.normal(size=d))
    dense, norm = keras.layers.Dense(d), keras.layers.BatchNormalization(epsilon=epsilon)
    dense.build((None, d_in))
    norm.build((None, d))
    dense.set_weights([kernel.astype("float32"), bias.astype("float32")])
    gamma, beta = state[2], state[3]
    norm.set_weights([w.astype("float32") for w in (gamma, beta, state[0], state[1])])
    x = batch((6, d_in), seed=3).astype("float32")
    expected = np.asarray(norm(dense(x), training=False))
    copies = [a.copy() for a in (kernel, bias, *state)]
    new_kernel, new_bias = bn.fold_batch_norm(kernel, bias, *state, epsilon)
    for before, after in zip(copies, (kernel, bias, *state), strict=True):
        np.testing.assert_array_equal(before, after)
    assert new_kernel.shape == (d_in, d) and new_bias.shape == (d,)
    assert new_kernel.dtype == new_bias.dtype == np.float64
    np.testing.assert_allclose(x @ new_kernel + new_bias, expected, atol=2e-5)


def test_fold_batch_norm_golden_values_and_identity():
    kernel = np.array([[1.0, 2.0], [3.0, -4.0], [0.5, 0.0]])
    # moving_var + epsilon = 4 and 0.25: the scales are gamma / 2 = 1 and gamma / 0.5 = 1.
    new_kernel, new_bias = bn.fold_batch_norm(kernel, np.array([1.0, -1.0]), np.array([3.0, 1.0]),
                                              np.array([3.5, -0.25]), np.array([2.0, 0.5]),
                                              np.array([0.5, 0.0]), epsilon=0.5)
    np.testing.assert_allclose(new_kernel, kernel)
    np.testing.assert_allclose(new_bias, [1.0 - 3.0 + 0.5, -1.0 - 1.0])
    # gamma = sqrt(var + eps) and beta = mean undo the normalization: nothing changes.
    var = np.array([1.0, 3.0])
    new_kernel, new_bias = bn.fold_batch_norm(kernel, np.zeros(2), np.array([0.2, 0.7]), var,
                                              np.sqrt(var + 1e-3), np.array([0.2, 0.7]))
    np.testing.assert_allclose(new_kernel, kernel, rtol=1e-14)
    np.testing.assert_allclose(new_bias, 0.0, atol=1e-15)
