"""The checks students meet in test cells: they catch mistakes and say what is wrong."""

import importlib
import types

import numpy as np
import pytest

import dl4lib.activations as A
from dl4lib.checks import (
    FRAMEWORKS,
    CheckError,
    check_array,
    check_function,
    check_raises,
    forbidden_calls,
    forbidden_modules,
    numerical_derivative,
)


def student_namespace(source):
    """Functions defined as in a notebook: their globals are one shared namespace."""
    namespace = {"np": np, "__name__": "__main__"}
    exec(source, namespace)  # noqa: S102 - test helper
    return namespace


def test_correct_function_passes():
    ns = student_namespace("def relu(x):\n    return np.maximum(x, 0.0)\n")
    check_function(ns["relu"], A.relu, [np.linspace(-3, 3, 7), 2.0])


def test_wrong_values_report_input_expected_got_and_hint():
    ns = student_namespace("def relu(x):\n    return np.abs(x)\n")
    with pytest.raises(CheckError) as err:
        check_function(ns["relu"], A.relu, [np.array([-1.0, 2.0])], hint="Negative inputs give 0.")
    msg = str(err.value)
    for part in ["relu is wrong for input [-1.,  2.]", "expected: [0., 2.]", "got:      [1., 2.]",
                 "max abs error 1", "first wrong value at index (0,)", "Hint: Negative inputs"]:
        assert part in msg, msg


def test_overflow_is_a_failure_not_a_warning():
    ns = student_namespace("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
    with pytest.raises(CheckError, match="overflow"):
        check_function(ns["sigmoid"], A.sigmoid, [np.array([-1000.0])])


def test_stub_says_not_implemented():
    ns = student_namespace("def relu(x):\n    raise NotImplementedError()\n")
    with pytest.raises(CheckError, match="not implemented yet"):
        check_function(ns["relu"], A.relu, [1.0])


def test_missing_return_and_wrong_shape_are_explained():
    ns = student_namespace("def relu(x):\n    np.maximum(x, 0)\n")
    with pytest.raises(CheckError, match="did you forget `return`"):
        check_function(ns["relu"], A.relu, [np.ones(3)])
    with pytest.raises(CheckError, match=r"expected shape \(3,\), got shape \(1, 3\)"):
        check_array(np.ones((1, 3)), np.ones(3))


def test_exceptions_are_reported_with_the_call():
    ns = student_namespace("def relu(x):\n    return x.nope\n")
    with pytest.raises(CheckError, match=r"relu\(1.0\) raised AttributeError"):
        check_function(ns["relu"], A.relu, [1.0])


def test_function_that_modifies_its_input_fails_naming_the_argument():
    ns = student_namespace("def relu(x):\n    x[x < 0] = 0\n    return x\n")
    x = np.array([-1.0, 1.0])
    with pytest.raises(CheckError, match="relu changed its argument `x` in place"):
        check_function(ns["relu"], A.relu, [x])
    np.testing.assert_array_equal(x, [-1.0, 1.0])


@pytest.mark.parametrize("source", [
    "import dl4lib.activations as ref\ndef sigmoid(x):\n    return ref.sigmoid(x)\n",
    "from dl4lib.activations import sigmoid as s\ndef sigmoid(x):\n    return s(x) * 1.0\n",
    "from dl4lib import activations\ndef helper(x):\n    return activations.sigmoid(x)\n"
    "def sigmoid(x):\n    return helper(x)\n",
    "import keras\ndef sigmoid(x):\n    return np.asarray(keras.ops.sigmoid(x))\n",
    "from dl4lib.activations import sigmoid\n",
    "def sigmoid(x):\n    import dl4lib.activations as A\n    return A.sigmoid(x)\n",
])
def test_delegating_to_the_library_is_refused(source):
    ns = student_namespace(source)
    with pytest.raises(CheckError, match="compute it yourself"):
        check_function(ns["sigmoid"], A.sigmoid, [np.array([0.0, 1.0])])


def test_clean_function_using_its_own_helpers_is_allowed():
    ns = student_namespace("def core(x):\n    z = np.exp(-np.abs(x))\n    return z\n"
                           "def sigmoid(x):\n    z = core(x)\n"
                           "    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))\n")
    assert forbidden_calls(ns["sigmoid"], ["dl4lib.activations", "keras"]) == []
    check_function(ns["sigmoid"], A.sigmoid, [np.array([-5.0, 5.0])])


def test_forbidden_objects_can_be_named_directly():
    ns = student_namespace("def tanh(x):\n    return np.tanh(x)\n")
    assert forbidden_calls(ns["tanh"], [np.tanh]) == ["np.tanh"]


def test_isolate_grades_an_exercise_on_its_own():
    ns = student_namespace("def sigmoid(x):\n    return x\n"  # wrong earlier exercise
                           "def tanh(x):\n    return 2 * sigmoid(2 * x) - 1\n")
    with pytest.raises(CheckError):
        check_function(ns["tanh"], A.tanh, [np.array([0.5])])
    check_function(ns["tanh"], A.tanh, [np.array([0.5])], isolate={"sigmoid": A.sigmoid})
    assert ns["sigmoid"](3.0) == 3.0, "the student's own function is restored afterwards"


def test_forbidden_modules_are_the_references_plus_the_frameworks():
    assert forbidden_modules("dl4lib.activations") == ("dl4lib.activations", *FRAMEWORKS)
    assert forbidden_modules("dl4lib.optimizers", frameworks=("keras.src.optimizers",)) == (
        "dl4lib.optimizers", "keras.src.optimizers")


@pytest.mark.parametrize("family", ["activations", "backprop", "batch_norm_numpy", "initializers",
                                    "optimizers"])
def test_each_family_forbids_its_reference_module(family):
    forbidden = importlib.import_module(f"dl4lib.checks.{family}").FORBIDDEN
    assert f"dl4lib.{family}" in forbidden


# Released notebooks import the checks from their old homes (course/ before the checks package).
@pytest.mark.parametrize("old, new", [("dl4lib.rule_checks", "dl4lib.checks.optimizers"),
                                      ("dl4lib.initializer_checks", "dl4lib.checks.initializers"),
                                      ("dl4lib.dropout_checks", "dl4lib.checks.layers")])
def test_old_homes_still_export_the_checks(old, new):
    old_module, new_module = importlib.import_module(old), importlib.import_module(new)
    for name in new_module.__all__:
        assert getattr(old_module, name) is getattr(new_module, name), (old, name)


def test_released_imports_of_unit_7_and_8_still_work():
    from dl4lib.checks import optimizers
    from dl4lib.rule_checks import FORBIDDEN, check_rule, rule_trajectory
    from dl4lib.rule_trajectory import rule_trajectory as home

    assert (FORBIDDEN, check_rule, rule_trajectory) == (optimizers.FORBIDDEN,
                                                        optimizers.check_rule, home)


def test_numerical_derivative_is_second_order():
    x = np.linspace(-1, 1, 5)
    np.testing.assert_allclose(numerical_derivative(np.sin, x), np.cos(x), atol=1e-9)


def test_check_error_is_an_assertion_error():
    assert issubclass(CheckError, AssertionError)
    assert isinstance(A, types.ModuleType)


def needs_positive(value):
    if value <= 0:
        raise ValueError(f"Expected a positive value. Received: value={value}")
    return value


def test_check_raises_passes_when_the_error_names_the_value():
    check_raises(needs_positive, (-1.5,), ValueError, contains=("value", "-1.5"))


def test_check_raises_fails_when_nothing_is_raised():
    with pytest.raises(CheckError, match=r"needs_positive\(2.0\) returned without raising ValueError"):
        check_raises(needs_positive, (2.0,), ValueError)


def test_check_raises_fails_when_the_message_misses_the_value():
    with pytest.raises(CheckError, match="does not mention '-7'"):
        check_raises(needs_positive, (-1.5,), ValueError, contains=("-7",))


def test_check_raises_fails_on_another_exception_and_gives_the_hint():
    def wrong(value):
        raise TypeError("no")

    with pytest.raises(CheckError, match=r"raised TypeError: no; expected ValueError.\nHint: h"):
        check_raises(wrong, (1,), ValueError, hint="h")


def test_check_raises_reports_an_unfinished_exercise():
    def stub(value):
        raise NotImplementedError()

    with pytest.raises(CheckError, match="not implemented yet"):
        check_raises(stub, (1,), ValueError)


def test_relative_error_is_reported_only_where_it_is_defined():
    with pytest.raises(CheckError, match="max abs error 1, max rel error n/a"):
        check_array(np.array([0.0, 1.0]), np.array([0.0, 0.0]))
    with pytest.raises(CheckError, match="max abs error 0.5, max rel error 0.25"):
        check_array(np.array([1.0, 2.5]), np.array([1.0, 2.0]))
