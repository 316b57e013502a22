"""Tests for dl4lib.descent_1d: gradient descent paths and the quartic test function."""

import numpy as np
import pytest

from dl4lib.checks import numerical_derivative
from dl4lib.descent_1d import gradient_descent, quartic, quartic_derivative


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
