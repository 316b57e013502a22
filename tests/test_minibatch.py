"""Tests for dl4lib.minibatch: gradients against finite differences, batching, noise vs theory."""

import numpy as np
import pytest

from dl4lib.checks import numerical_derivative
from dl4lib.minibatch import (
    expected_gradient_noise,
    gradient_noise,
    make_regression,
    minibatch_gradients,
    minibatch_indices,
    mse,
    mse_gradient,
    sgd_epoch,
)

X, Y, W_TRUE = make_regression(37, 4, noise=0.3, seed=3)
W = np.array([0.5, -1.0, 2.0, 0.0])


def test_make_regression_is_seeded_and_shaped():
    x, y, w = make_regression(20, 3, seed=1)
    assert x.shape == (20, 3) and y.shape == (20,) and w.shape == (3,)
    x2, y2, w2 = make_regression(20, 3, seed=1)
    np.testing.assert_array_equal(x, x2)
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(w, w2)


def test_mse_gradient_equals_finite_differences():
    for i in range(4):
        def along(t, i=i):
            return np.array([mse(W + np.eye(4)[i] * ti, X, Y) for ti in np.atleast_1d(t)])
        numeric = numerical_derivative(along, np.array([0.0]))[0]
        assert mse_gradient(W, X, Y)[i] == pytest.approx(numeric, rel=1e-7, abs=1e-9)


def test_mse_gradient_of_one_row():
    x, y = np.array([[1.0, 2.0]]), np.array([3.0])
    np.testing.assert_allclose(mse_gradient(np.array([1.0, 1.0]), x, y), [0.0, 0.0])
    np.testing.assert_allclose(mse_gradient(np.array([0.0, 0.0]), x, y), [-6.0, -12.0])


def test_minibatch_indices_cover_every_row_once_with_a_smaller_last_batch():
    batches = minibatch_indices(10, 4, seed=0)
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))
    np.testing.assert_array_equal(np.concatenate(batches),
                                  np.random.default_rng(0).permutation(10))


def test_minibatch_indices_with_batch_larger_than_n_is_one_batch():
    (batch,) = minibatch_indices(5, 8, seed=2)
    assert sorted(batch) == list(range(5))


@pytest.mark.parametrize("batch_size", [0, -1, 2.0, True])
def test_bad_batch_size_raises(batch_size):
    with pytest.raises(ValueError, match="batch_size"):
        minibatch_indices(10, batch_size, seed=0)


def test_minibatch_gradients_average_to_the_full_gradient():
    x, y, _ = make_regression(40, 3, seed=5)
    w = np.ones(3)
    grads = minibatch_gradients(w, x, y, 8, seed=1)
    assert grads.shape == (5, 3)
    np.testing.assert_allclose(grads.mean(axis=0), mse_gradient(w, x, y), rtol=1e-12)


def test_minibatch_gradients_row_k_is_the_gradient_on_batch_k():
    grads = minibatch_gradients(W, X, Y, 10, seed=4)
    batches = minibatch_indices(37, 10, seed=4)
    assert grads.shape == (4, 4)
    for g, idx in zip(grads, batches, strict=True):
        np.testing.assert_allclose(g, mse_gradient(W, X[idx], Y[idx]))


def test_full_batch_epoch_is_one_gradient_descent_step():
    w = W.copy()
    np.testing.assert_allclose(sgd_epoch(w, X, Y, 37, 0.1, seed=0),
                               W - 0.1 * mse_gradient(W, X, Y), rtol=1e-12)
    np.testing.assert_array_equal(w, W)  # not modified


def test_sgd_epoch_takes_each_gradient_at_the_current_point():
    w = W.copy()
    for idx in minibatch_indices(37, 5, seed=7):
        w = w - 0.05 * mse_gradient(w, X[idx], Y[idx])
    np.testing.assert_allclose(sgd_epoch(W, X, Y, 5, 0.05, seed=7), w)


def test_sgd_epochs_approach_least_squares():
    x, y, _ = make_regression(200, 3, noise=0.1, seed=0)
    w = np.zeros(3)
    for epoch in range(30):
        w = sgd_epoch(w, x, y, 10, 0.05, seed=epoch)
    optimum = np.linalg.lstsq(x, y, rcond=None)[0]
    np.testing.assert_allclose(w, optimum, atol=0.02)


def test_measured_noise_matches_theory_and_falls_as_one_over_batch_size():
    x, y, _ = make_regression(512, 5, seed=1)
    w = np.zeros(5)
    for batch_size in (1, 8, 64):
        measured = gradient_noise(w, x, y, batch_size, seeds=range(20))
        assert measured == pytest.approx(expected_gradient_noise(w, x, y, batch_size), rel=0.1)
    ratio = expected_gradient_noise(w, x, y, 1) / expected_gradient_noise(w, x, y, 8)
    assert ratio == pytest.approx(8 * (511 / 504), rel=1e-12)


def test_full_batch_has_no_noise():
    assert gradient_noise(W, X, Y, 37) < 1e-20
    assert expected_gradient_noise(W, X, Y, 37) == 0.0


def test_noise_at_the_optimum_is_not_zero():
    optimum = np.linalg.lstsq(X, Y, rcond=None)[0]
    assert np.allclose(mse_gradient(optimum, X, Y), 0.0, atol=1e-12)
    assert expected_gradient_noise(optimum, X, Y, 1) > 0.01


def test_expected_noise_rejects_batch_larger_than_n():
    with pytest.raises(ValueError, match=r"an integer value in \[1, 37\]. Received: batch_size=38"):
        expected_gradient_noise(W, X, Y, 38)
