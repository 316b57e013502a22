"""Tests for dl4lib.linear_regression: MSE, its gradient and Hessian, gradient descent, scaling."""

import numpy as np
import pytest
import tensorflow as tf

from dl4lib import linear_regression as lr_ref
from dl4lib.gd_animation import gd_path, make_problem


def _problem(n=30, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * np.array([0.3, 1.0, 4.0])[:d]
    y = X @ rng.normal(size=d) + 0.1 * rng.normal(size=n)
    return X, y, rng.normal(size=d)


def _tf_loss(w, X, y):
    return tf.reduce_mean(tf.square(tf.linalg.matvec(tf.constant(X), w) - tf.constant(y)))


def test_mse_matches_definition_and_tensorflow():
    X, y, w = _problem()
    assert lr_ref.mse(w, X, y) == pytest.approx(np.mean((X @ w - y) ** 2), rel=1e-15)
    assert lr_ref.mse(w, X, y) == pytest.approx(float(_tf_loss(tf.constant(w), X, y)), rel=1e-12)


def test_mse_gradient_matches_gradient_tape():
    X, y, w = _problem()
    w_tf = tf.Variable(w)
    with tf.GradientTape() as tape:
        loss = _tf_loss(w_tf, X, y)
    np.testing.assert_allclose(lr_ref.mse_gradient(w, X, y), tape.gradient(loss, w_tf).numpy(),
                               rtol=1e-12, atol=1e-14)


def test_mse_gradient_is_zero_at_least_squares_solution():
    X, y, _ = _problem()
    w_star = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(lr_ref.mse_gradient(w_star, X, y), 0.0, atol=1e-12)


def test_mse_hessian_matches_nested_gradient_tapes():
    X, y, w = _problem()
    w_tf = tf.Variable(w)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = _tf_loss(w_tf, X, y)
        grad = inner.gradient(loss, w_tf)
    np.testing.assert_allclose(lr_ref.mse_hessian(X), outer.jacobian(grad, w_tf).numpy(),
                               rtol=1e-12, atol=1e-14)


def test_condition_number_and_eigenvalues():
    X, _, _ = _problem()
    eigenvalues = lr_ref.hessian_eigenvalues(X)
    assert np.all(np.diff(eigenvalues) >= 0)
    assert lr_ref.condition_number(X) == pytest.approx(np.linalg.cond(lr_ref.mse_hessian(X)))
    assert lr_ref.condition_number(X) == pytest.approx(np.linalg.cond(X) ** 2)
    assert lr_ref.condition_number(np.array([[1.0, 2.0], [2.0, 4.0]])) == np.inf


def test_gradient_descent_follows_closed_form():
    """For a quadratic, w_k - w* = (I - lr H)^k (w_0 - w*)."""
    X, y, w0 = _problem()
    lr, steps = 0.01, 12
    H, w_star = lr_ref.mse_hessian(X), np.linalg.lstsq(X, y, rcond=None)[0]
    expected = np.stack([w_star + np.linalg.matrix_power(np.eye(3) - lr * H, k) @ (w0 - w_star)
                         for k in range(steps + 1)])
    path = lr_ref.gradient_descent(w0, X, y, lr, steps)
    assert path.shape == (steps + 1, 3)
    np.testing.assert_allclose(path, expected, rtol=1e-10, atol=1e-12)


def test_gradient_descent_keeps_w0_and_allows_zero_steps():
    X, y, w0 = _problem()
    before = w0.copy()
    path = lr_ref.gradient_descent(w0, X, y, 0.01, 0)
    np.testing.assert_array_equal(path, before[None])
    lr_ref.gradient_descent(w0, X, y, 0.01, 5)
    np.testing.assert_array_equal(w0, before)


@pytest.mark.parametrize("x_scale", [0.2, 1.0, 3.0])
def test_max_stable_lr_separates_convergence_from_divergence(x_scale):
    problem = make_problem(x_scale)
    X, y = problem.x, problem.y
    lr_max, start = lr_ref.max_stable_lr(X), np.array([-1.0, -1.0])

    def final_loss(lr):
        return lr_ref.mse(lr_ref.gradient_descent(start, X, y, lr, 400)[-1], X, y)

    initial = lr_ref.mse(start, X, y)
    assert final_loss(0.97 * lr_max) < initial
    assert final_loss(1.03 * lr_max) > initial


def test_gradient_descent_matches_gd_path():
    problem = make_problem(0.5)
    path = lr_ref.gradient_descent([-1.0, -1.0], problem.x, problem.y, 0.1, 10)
    np.testing.assert_allclose(path, gd_path(0.5, 0.1, 10, "sgd")["sgd"].params, atol=1e-5)


def test_standardize_gives_zero_mean_unit_population_std():
    X, _, _ = _problem(n=7)
    Z = lr_ref.standardize(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-14)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(Z, (X - X.mean(0)) / X.std(0), rtol=1e-14)


def test_standardize_maps_constant_column_to_zeros_without_warnings():
    X = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0], [7.0, 5.0]])
    with np.errstate(all="raise"):
        Z = lr_ref.standardize(X)
    np.testing.assert_array_equal(Z[:, 1], 0.0)


def test_standardize_makes_hessian_diagonal_two():
    X = make_problem(0.2).x
    assert lr_ref.condition_number(X) > 10
    np.testing.assert_allclose(np.diag(lr_ref.mse_hessian(lr_ref.standardize(X))), 2.0)
    assert lr_ref.condition_number(lr_ref.standardize(X)) < 1.5


def test_shapes_are_checked():
    with pytest.raises(ValueError, match="shape"):
        lr_ref.mse(np.zeros(2), np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="y.shape"):
        lr_ref.mse_gradient(np.zeros(2), np.zeros((4, 2)), np.zeros(3))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_newton_step_lands_on_least_squares_solution_from_any_start(seed):
    X, y, w = _problem(seed=seed)
    X = X @ np.array([[1.0, 0.9, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 1.0]])  # correlated columns
    assert lr_ref.condition_number(X) > 50
    w_new = lr_ref.newton_step(w, lr_ref.mse_gradient(w, X, y), lr_ref.mse_hessian(X))
    np.testing.assert_allclose(w_new, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lr_ref.mse_gradient(w_new, X, y), 0.0, atol=1e-12)


def test_newton_step_is_w_minus_inverse_hessian_times_gradient():
    hessian = np.array([[4.0, 1.0], [1.0, 2.0]])
    w, grad = np.array([1.0, -1.0]), np.array([3.0, 1.0])
    w_copy, grad_copy = w.copy(), grad.copy()
    w_new = lr_ref.newton_step(w, grad, hessian)
    # H^-1 = [[2, -1], [-1, 4]] / 7, so H^-1 g = [5, 1] / 7.
    np.testing.assert_allclose(w_new, [1.0 - 5.0 / 7.0, -1.0 - 1.0 / 7.0], rtol=1e-14)
    assert w_new.dtype == np.float64
    np.testing.assert_array_equal(w, w_copy)
    np.testing.assert_array_equal(grad, grad_copy)
    # Scaling each coordinate by its own curvature is not the same step when H is not diagonal.
    assert not np.allclose(w_new, w - grad / np.diag(hessian))
