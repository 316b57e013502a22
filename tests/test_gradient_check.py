"""dl4lib.gradient_check: centred differences and CS231n's relative error."""

import numpy as np
import pytest

from dl4lib import gradient_check as gc


def cubic_loss(w):
    return float(np.sum(w ** 3) + np.sum(np.sin(w)))


def cubic_loss_gradient(w):
    return 3 * w ** 2 + np.cos(w)


def test_rel_error_is_cs231n_definition():
    a, b = np.array([1.0, 0.0, -2.0, 0.0]), np.array([1.1, 0.0, -2.0, 1e-9])
    expected = max(0.1 / 2.1, 0.0, 0.0, 1e-9 / 1e-8)
    assert gc.rel_error(a, b) == pytest.approx(expected)
    assert gc.rel_error(a, a) == 0.0
    assert gc.rel_error(np.array([1.0]), np.array([-1.0])) == 1.0


def test_rel_error_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        gc.rel_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_rel_error_refuses_nan():
    with pytest.raises(ValueError, match="nan"):
        gc.rel_error(np.array([np.nan]), np.array([1.0]))


def test_correct_gradient_passes_at_1e_7():
    w = np.random.default_rng(0).normal(size=(4, 3))
    err = gc.rel_error(cubic_loss_gradient(w), gc.numerical_gradient(cubic_loss, w))
    assert err < 1e-7, err


def test_catches_a_wrong_gradient_of_1e_3_relative():
    w = np.random.default_rng(1).normal(size=(4, 3))
    wrong = cubic_loss_gradient(w) * (1 + 1e-3)
    err = gc.rel_error(wrong, gc.numerical_gradient(cubic_loss, w))
    assert err > 1e-4, err  # 1e-3 relative gives rel_error ~ 5e-4, far above the 1e-7 of a correct one
    assert gc.rel_error(wrong, cubic_loss_gradient(w)) == pytest.approx(1e-3 / (2 + 1e-3), rel=1e-6)


def test_array_version_is_the_vector_jacobian_product():
    rng = np.random.default_rng(2)
    x, W, dout = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    dx = gc.numerical_gradient_array(lambda v: np.tanh(v @ W), x, dout)
    exact = ((1 - np.tanh(x @ W) ** 2) * dout) @ W.T
    assert gc.rel_error(dx, exact) < 1e-7


def test_array_version_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 2\).*\(2, 3\)"):
        gc.numerical_gradient_array(lambda v: v, np.zeros((2, 2)), np.zeros((2, 3)))


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_non_finite_output_gives_a_clear_error(bad):
    with pytest.raises(ValueError, match="non-finite"):
        gc.numerical_gradient(lambda v: float(np.sum(v)) * bad, np.ones(3))
    with pytest.raises(ValueError, match="non-finite"):
        gc.numerical_gradient_array(lambda v: v * bad, np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="non-finite"):
        gc.numerical_derivative(lambda v: v * bad, np.ones(3))


def test_overflow_in_f_is_reported_not_returned():
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="non-finite"):
        gc.numerical_gradient(lambda v: float(np.sum(np.exp(v))), np.array([800.0]))


def test_scalar_version_refuses_an_array_f():
    with pytest.raises(ValueError, match="numerical_gradient_array"):
        gc.numerical_gradient(lambda v: v * 2, np.ones(3))


def test_input_is_not_changed_and_integers_are_not_rounded():
    x = np.array([1, 2, 3])
    grad = gc.numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], rtol=1e-8)
    np.testing.assert_array_equal(x, [1, 2, 3])


def test_each_evaluation_gets_a_fresh_copy():
    """A function that caches its argument (as a node does) must not see it change later."""
    seen = []
    gc.numerical_gradient(lambda v: (seen.append(v), float(v.sum()))[1], np.zeros(2))
    assert len({id(v) for v in seen}) == len(seen) == 4
    assert sorted(float(v.sum()) for v in seen) == pytest.approx([-1e-5, -1e-5, 1e-5, 1e-5])


def test_numerical_derivative_matches_checks_version():
    from dl4lib.checks import numerical_derivative

    xs = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(gc.numerical_derivative(np.tanh, xs),
                                  numerical_derivative(np.tanh, xs))
    np.testing.assert_allclose(gc.numerical_derivative(np.tanh, xs), 1 - np.tanh(xs) ** 2,
                               atol=1e-9)
