"""The L1 proximal step gives exact zeros where the minimizer has them; subgradient steps do not."""

import numpy as np
import pytest

from dl4lib.proximal import l1_regression_path, soft_threshold


def sparse_problem(seed=0, n=100, d=20, informative=5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w_true = np.zeros(d)
    w_true[:informative] = rng.choice([-1.0, 1.0], informative) * rng.uniform(1, 2, informative)
    return x, x @ w_true + 0.5 * rng.normal(size=n), w_true


def test_soft_threshold_values():
    np.testing.assert_array_equal(soft_threshold([-3.0, -0.5, 0.0, 0.2, 2.5], 1.0),
                                  [-2.0, 0.0, 0.0, 0.0, 1.5])


def test_soft_threshold_rejects_a_negative_threshold():
    with pytest.raises(ValueError, match="threshold=-1"):
        soft_threshold([1.0], -1)


def test_proximal_steps_reach_the_lasso_minimizer_with_exact_zeros():
    x, y, w_true = sparse_problem()
    l1 = 0.5
    w = l1_regression_path(x, y, l1, learning_rate=0.1, steps=2000, proximal=True)[-1]
    grad = 2.0 / len(y) * x.T @ (x @ w - y)
    zero = w == 0
    # optimality: |grad_i| <= l1 where w_i = 0, grad_i = -l1 * sign(w_i) elsewhere
    assert np.all(np.abs(grad[zero]) <= l1 + 1e-9)
    np.testing.assert_allclose(grad[~zero], -l1 * np.sign(w[~zero]), atol=1e-9)
    assert zero.sum() >= 10 and np.all(w[w_true != 0] != 0)


def test_subgradient_steps_hover_around_zero_without_reaching_it():
    x, y, _ = sparse_problem()
    path = l1_regression_path(x, y, 0.5, learning_rate=0.01, steps=2000, proximal=False)
    w = path[-1]
    assert np.count_nonzero(w == 0) == 0
    assert np.sum(np.abs(w) < 0.02) >= 10  # the useless weights are small, just not zero
    assert np.count_nonzero(path[1000:] == 0) == 0  # and never land on it


def test_l1_regression_names_the_wrong_shapes():
    with pytest.raises(ValueError, match="y.shape=\\(3,\\)"):
        l1_regression_path(np.ones((4, 2)), np.ones(3), 0.1, 0.1, 1, proximal=True)
