"""Tests for dl4lib.descent_1d: gradient descent paths, the Armijo line search and the quartic."""

import numpy as np
import pytest

from dl4lib.checks import numerical_derivative
from dl4lib.descent_1d import armijo_step_size, gradient_descent, quartic, quartic_derivative


def test_path_starts_at_x0_and_has_steps_plus_one_points():
    path = gradient_descent(lambda x: 2 * x, 1.5, 0.1, 4)
    assert path.shape == (5,)
    assert path.dtype == np.float64
    np.testing.assert_allclose(path, 1.5 * 0.8 ** np.arange(5))


def test_zero_steps_returns_only_the_start_point():
    np.testing.assert_array_equal(gradient_descent(lambda x: 2 * x, 3.0, 0.1, 0), [3.0])


@pytest.mark.parametrize(("lr", "regime"), [(0.2, "monotone"), (0.8, "oscillating"),
                                            (1.1, "diverging")])
def test_quadratic_regimes_follow_one_over_l_and_two_over_l(lr, regime):
    path = gradient_descent(lambda x: 2 * x, 1.0, lr, 30)  # L = 2: 1/L = 0.5, 2/L = 1
    signs = np.sign(path)
    if regime == "monotone":
        assert (signs == 1).all() and (np.diff(path) < 0).all()
    else:
        assert (signs[1:] != signs[:-1]).all()
    if regime == "diverging":
        assert abs(path[-1]) > 100
    else:
        assert abs(path[-1]) < 1e-2


def test_vector_start_point_gives_one_row_per_iterate():
    curvature = np.array([1.0, 10.0])
    path = gradient_descent(lambda x: curvature * x, np.array([1.0, 1.0]), 0.1, 3)
    assert path.shape == (4, 2)
    np.testing.assert_allclose(path[:, 0], 0.9 ** np.arange(4))
    np.testing.assert_allclose(path[:, 1], 0.0 ** np.arange(4))


def test_start_point_is_not_modified():
    x0 = np.array([1.0, -2.0])
    gradient_descent(lambda x: x, x0, 0.5, 3)
    np.testing.assert_array_equal(x0, [1.0, -2.0])


@pytest.mark.parametrize("steps", [-1, 2.5, True])
def test_invalid_steps_are_rejected(steps):
    with pytest.raises(ValueError, match="steps"):
        gradient_descent(lambda x: x, 1.0, 0.1, steps)


def test_quartic_derivative_matches_finite_difference_and_has_two_minima():
    xs = np.linspace(-2, 2, 41)
    np.testing.assert_allclose(quartic_derivative(xs), numerical_derivative(quartic, xs),
                               atol=1e-6)
    left = gradient_descent(quartic_derivative, -2.0, 0.01, 2000)[-1]
    right = gradient_descent(quartic_derivative, 2.0, 0.01, 2000)[-1]
    assert left == pytest.approx(-1.3008, abs=1e-3)
    assert right == pytest.approx(1.1309, abs=1e-3)
    assert quartic(left) < quartic(right)


def _armijo_holds(f, x, g, alpha, c1):
    return f(x - alpha * g) <= f(x) - c1 * alpha * np.sum(g * g)


@pytest.mark.parametrize("x, c1, rho", [(2.0, 1e-4, 0.5), (0.3, 0.5, 0.3), (-1.9, 0.9, 0.8)])
def test_armijo_returns_the_first_step_of_the_sequence_that_decreases_enough(x, c1, rho):
    g = quartic_derivative(x)
    alpha = armijo_step_size(quartic, x, g, alpha0=1.0, c1=c1, rho=rho)
    k = round(np.log(alpha) / np.log(rho))
    assert alpha == pytest.approx(rho**k, rel=1e-12)
    assert _armijo_holds(quartic, x, g, alpha, c1)
    assert all(not _armijo_holds(quartic, x, g, rho**j, c1) for j in range(k))


def test_armijo_on_a_parabola_by_hand():
    # f = x^2 at x = 1, g = 2: phi(alpha) = (1 - 2 alpha)^2 against 1 - 4 c1 alpha.
    # alpha = 1 gives 1 > 1 - 4e-4 (rejected); 0.5 gives 0 (accepted).
    assert armijo_step_size(lambda x: x**2, 1.0, 2.0) == 0.5
    # c1 = 0.9 demands 1 - 3.6 alpha: 0.5 gives 0 > -0.8 (rejected), 0.25 gives 0.25 > 0.1,
    # 0.125 gives 0.5625 > 0.55, and 0.0625 gives 0.765625 <= 0.775 (accepted).
    assert armijo_step_size(lambda x: x**2, 1.0, 2.0, c1=0.9) == 0.0625


def test_armijo_on_a_bowl_uses_the_squared_norm_of_the_gradient_and_keeps_its_inputs():
    curvature = np.array([1.0, 10.0])
    x = np.array([-2.0, 1.0])
    g = curvature * x
    x_copy, g_copy = x.copy(), g.copy()
    alpha = armijo_step_size(lambda p: 0.5 * np.sum(curvature * p**2), x, g)
    # f(x - alpha g) = 0.5 (4 (1 - alpha)^2 + 10 (1 - 10 alpha)^2) falls below f(x) = 7 only for
    # alpha < 2 * 104 / 1004, about 0.207: 1, 0.5 and 0.25 fail, 0.125 passes.
    assert alpha == 0.125
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(g, g_copy)


def test_armijo_accepts_the_first_step_when_the_gradient_is_zero():
    assert armijo_step_size(quartic, 0.0, 0.0, alpha0=2.0) == 2.0


@pytest.mark.parametrize("kwargs", [{"alpha0": 0.0}, {"c1": 1.0}, {"c1": 0.0}, {"rho": 1.0}, {"rho": -0.5}])
def test_armijo_rejects_invalid_hyperparameters(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        armijo_step_size(quartic, 1.0, quartic_derivative(1.0), **kwargs)
