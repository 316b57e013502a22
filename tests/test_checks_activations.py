"""check_derivative: passes correct derivatives, explains wrong ones with the measured slope."""

import numpy as np
import pytest

from dl4lib import activations as A
from dl4lib.checks import CheckError
from dl4lib.checks.activations import check_derivative

X = np.linspace(-6, 6, 49)


def student(body):
    namespace = {"np": np, "__name__": "__main__", "GELU_C": A.GELU_C}
    exec("def gelu_derivative(x):\n" + body, namespace)  # noqa: S102 - test helper
    return namespace["gelu_derivative"]


@pytest.mark.parametrize("name", list(A.ACTIVATIONS))
def test_reference_derivatives_pass_away_from_kinks(name):
    f, df = A.ACTIVATIONS[name]
    check_derivative(df, f, np.linspace(-6, 6, 48), forbidden=())


def test_a_correct_student_gelu_derivative_passes():
    good = student("    t = np.tanh(GELU_C * (x + 0.044715 * x**3))\n"
                   "    du_dx = GELU_C * (1 + 0.134145 * x**2)\n"
                   "    return 0.5 * (1 + t) + 0.5 * x * (1 - t) * (1 + t) * du_dx\n")
    check_derivative(good, A.gelu, X)


@pytest.mark.parametrize("body, message", [
    # the chain rule's inner derivative forgotten
    ("    t = np.tanh(GELU_C * (x + 0.044715 * x**3))\n"
     "    return 0.5 * (1 + t) + 0.5 * x * (1 - t**2) * GELU_C\n",
     r"does not match the slope of gelu .*\n  at x = .*measured slope"),
    ("    return np.ones((2, 2))\n", r"shape of x, \(49,\); got \(2, 2\)"),
    ("    x /= 2\n    return x\n", "changed its argument `x` in place"),
    ("    return None\n", "did you forget `return`"),
    ("    raise NotImplementedError()\n", "not implemented yet"),
])
def test_wrong_derivatives_are_explained(body, message):
    with pytest.raises(CheckError, match=message):
        check_derivative(student(body), A.gelu, X)


def test_overflow_is_reported_and_library_refused():
    cosh = student("    u = GELU_C * (x + 0.044715 * x**3)\n"
                   "    du_dx = GELU_C * (1 + 0.134145 * x**2)\n"
                   "    return 0.5 * (1 + np.tanh(u)) + 0.5 * x / np.cosh(u)**2 * du_dx\n")
    check_derivative(cosh, A.gelu, X)  # fine where cosh does not overflow
    with pytest.raises(CheckError, match="floating-point error"):
        check_derivative(cosh, A.gelu, np.array([-40.0, 40.0]))
    namespace = {"__name__": "__main__"}
    exec("from dl4lib.activations import gelu_derivative\n", namespace)  # noqa: S102
    with pytest.raises(CheckError, match="compute it yourself"):
        check_derivative(namespace["gelu_derivative"], A.gelu, X)
