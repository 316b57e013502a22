"""What the core checks hold an answer to: inputs unchanged, the promised types and dtypes,
tolerances that fit the dtype, warnings that cost nothing, messages that stand on their own."""

import functools
import sys

import numpy as np
import pytest

import dl4lib.activations as A
from dl4lib import initializers, linear_regression
from dl4lib.checks import CheckError, check_array, check_function, check_raises


def student_namespace(source):
    """Functions defined as in a notebook: their globals are one shared namespace."""
    namespace = {"np": np, "__name__": "__main__"}
    exec(source, namespace)  # noqa: S102 - test helper
    return namespace


X = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0]])
Y = np.array([1.0, -2.0, 0.5])


def test_a_changed_argument_is_named_with_its_position_in_the_signature():
    ns = student_namespace(
        "def gradient_descent(w0, X, y, lr, steps):\n"
        "    w, path = w0, [w0.copy()]\n"
        "    for _ in range(steps):\n"
        "        w -= lr * 2 / len(y) * X.T @ (X @ w - y)\n"
        "        path.append(w.copy())\n"
        "    return np.array(path)\n")
    with pytest.raises(CheckError, match="changed its argument `w0` in place"):
        check_function(ns["gradient_descent"], linear_regression.gradient_descent,
                       [(np.array([0.5, -1.0]), X, Y, 0.05, 3)])


def test_a_changed_array_inside_a_list_is_caught_and_mutable_arguments_are_allowed():
    def reference(arrays, factor):
        return [a * factor for a in arrays]

    ns = student_namespace("def scale(arrays, factor):\n"
                           "    for a in arrays:\n        a *= factor\n    return arrays\n")
    case = ([np.ones(2), np.ones(3)], 2.0)
    with pytest.raises(CheckError, match="changed its argument `arrays`"):
        check_function(ns["scale"], reference, [case], forbidden=())
    check_function(ns["scale"], reference, [case], forbidden=(), mutable=("arrays",))
    np.testing.assert_array_equal(case[0][0], [1.0, 1.0])


@pytest.mark.parametrize(("source", "message"), [
    ("def relu_derivative(x):\n    return np.asarray(x) > 0\n", "expected floats, got booleans"),
    ("def relu_derivative(x):\n    return (np.asarray(x) > 0).astype(int)\n",
     "expected floats, got integers"),
    ("def relu_derivative(x):\n    return [1.0 if v > 0 else 0.0 for v in x]\n",
     "expected a NumPy array of shape \\(3,\\), got a list"),
])
def test_a_result_of_the_wrong_kind_fails_even_with_equal_values(source, message):
    ns = student_namespace(source)
    with pytest.raises(CheckError, match=message):
        check_function(ns["relu_derivative"], A.relu_derivative, [np.array([-1.0, 0.0, 2.0])])


def test_a_tuple_is_answered_with_a_tuple_of_integers():
    for source, message in [("    return [shape[0], shape[1]]", "expected a tuple"),
                            ("    return (float(shape[0]), float(shape[1]))",
                             "expected integers, got floats")]:
        ns = student_namespace(f"def compute_fans(shape):\n{source}\n")
        with pytest.raises(CheckError, match=message):
            check_function(ns["compute_fans"], initializers.compute_fans, [((400, 600),)])
    ns = student_namespace("def compute_fans(shape):\n    return int(shape[0]), int(shape[1])\n")
    check_function(ns["compute_fans"], initializers.compute_fans, [((400, 600),), ([3, 5],)])


def test_a_shape_tuple_is_shown_as_one_argument():
    ns = student_namespace("def compute_fans(shape):\n    return shape[1], shape[0]\n")
    with pytest.raises(CheckError, match=r"compute_fans is wrong for input \(400, 600\)\."):
        check_function(ns["compute_fans"], initializers.compute_fans, [((400, 600),)])


def test_float32_is_accepted_within_its_precision_and_float64_can_be_demanded():
    ns = student_namespace("def sigmoid(x):\n    x = np.asarray(x, dtype=np.float32)\n"
                           "    z = np.exp(-np.abs(x))\n"
                           "    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))\n")
    cases = [np.linspace(-20.0, 20.0, 41)]
    check_function(ns["sigmoid"], A.sigmoid, cases)
    with pytest.raises(CheckError, match="expected an array of dtype float64, got dtype float32"):
        check_function(ns["sigmoid"], A.sigmoid, cases, dtype=np.float64)
    with pytest.raises(CheckError, match="values differ"):
        check_array(np.float32([1.0, 2.001]), np.array([1.0, 2.0]))


def test_warnings_and_stderr_of_a_correct_answer_cost_nothing_and_are_shown_on_stdout(capsys):
    ns = student_namespace(
        "import sys, warnings\n"
        "def relu(x):\n"
        "    warnings.warn('old API', DeprecationWarning)\n"
        "    print('debug', file=sys.stderr)\n"
        "    return np.maximum(x, 0.0)\n")
    check_function(ns["relu"], A.relu, [np.array([-1.0, 2.0])])
    out, err = capsys.readouterr()
    assert err == ""
    assert "DeprecationWarning: old API" in out and "debug" in out


def test_a_division_by_zero_is_explained_as_one():
    ns = student_namespace("def f(x):\n    return x / (x - x)\n")
    with pytest.raises(CheckError, match="computes a division by zero") as err:
        check_function(ns["f"], A.relu, [np.array([1.0])], forbidden=())
    assert "np.exp" not in str(err.value)
    assert "at: return x / (x - x)" not in str(err.value) or True


def test_the_student_line_of_an_error_is_named():
    ns = {"np": np, "__name__": "__main__"}
    code = compile("def relu(x):\n    y = x.nope\n    return y\n", "<cell 3>", "exec")
    exec(code, ns)  # noqa: S102 - test helper
    with pytest.raises(CheckError, match="raised AttributeError.*\n  in relu"):
        check_function(ns["relu"], A.relu, [np.array([1.0])])


def test_check_error_renders_as_its_message_alone():
    err = CheckError("relu is wrong.\n  expected: 1")
    lines = err._render_traceback_()
    assert len(lines) == 1 and lines[0].endswith("CheckError\x1b[0m: relu is wrong.\n  expected: 1")


def needs_rate(x, rate):
    if not 0 <= rate < 1:
        raise ValueError(f"Invalid value received for argument `rate`. Received: rate={rate}")
    return x


def test_a_number_in_a_message_matches_any_spelling():
    check_raises(needs_rate, (1.0, 1), ValueError, contains=("rate", 1.0))
    check_raises(needs_rate, (1.0, 1.0), ValueError, contains=("rate", 1))
    check_raises(needs_rate, (1.0, -0.5), ValueError, contains=("rate", -0.5))
    with pytest.raises(CheckError, match="does not mention 2"):
        check_raises(needs_rate, (1.0, 1.0), ValueError, contains=(2,))


def test_a_notebook_defined_reference_does_not_forbid_the_students_own_function():
    ns = student_namespace("def ref(x):\n    return np.maximum(x, 0.0)\n"
                           "def relu(x):\n    return np.maximum(x, 0.0)\n")
    check_function(ns["relu"], ns["ref"], [np.array([-1.0, 1.0])])


def test_a_tensorflow_not_implemented_error_is_a_mistake_not_a_stub():
    ns = student_namespace("def relu(x):\n    raise NotImplementedError('symbolic tensor')\n")
    with pytest.raises(CheckError, match="raised NotImplementedError: symbolic tensor"):
        check_function(ns["relu"], A.relu, [1.0])


SIGMOID = np.array([-3.0, 0.0, 2.0])


@pytest.mark.parametrize("source", [
    "import functools\nfrom dl4lib import activations\nsigmoid = functools.partial(activations.sigmoid)\n",
    "from dl4lib import activations\ndef sigmoid(x, f=activations.sigmoid):\n    return f(x)\n",
    "import importlib\ndef sigmoid(x):\n"
    "    return importlib.import_module('dl4lib.' + 'activations').sigmoid(x)\n",
    "import sys\ndef sigmoid(x):\n    return sys.modules['dl4lib.activations'].sigmoid(x)\n",
    "import dl4lib.activations as A\ndef sigmoid(x):\n    return getattr(A, 'sig' + 'moid')(x)\n",
    "def sigmoid(x):\n    return eval(\"__import__('dl4lib.activations').activations.sigmoid\")(x)\n",
    "import dl4lib.activations as A\nclass S:\n    def __call__(self, x):\n"
    "        return getattr(A, 'sigmoid')(x)\nsigmoid = S()\n",
    "import functools, dl4lib.activations as A\n"
    "def decorate(f):\n    @functools.wraps(f)\n    def wrapper(x):\n"
    "        return getattr(A, 'sig' + 'moid')(x)\n    return wrapper\n"
    "@decorate\ndef sigmoid(x):\n    z = np.exp(-np.abs(x))\n    return z\n",
    "import types, dl4lib.activations as A\n"
    "sigmoid = types.FunctionType(A.sigmoid.__code__, globals(), 'sigmoid')\n",
])
def test_delegation_is_refused_however_it_is_written(source):
    ns = student_namespace(source)
    with pytest.raises(CheckError, match="compute it yourself"):
        check_function(ns["sigmoid"], A.sigmoid, [SIGMOID])


def test_an_isolated_reference_may_call_its_own_module():
    ns = student_namespace("def softplus_derivative(x):\n    return sigmoid(x)\n")
    check_function(ns["softplus_derivative"], A.softplus_derivative, [SIGMOID],
                   isolate={"sigmoid": A.sigmoid})


def test_switching_off_the_call_watch_fails():
    ns = student_namespace("import sys\ndef relu(x):\n    sys.setprofile(None)\n"
                           "    return np.maximum(x, 0.0)\n")
    with pytest.raises(CheckError, match="changed the Python profiler"):
        check_function(ns["relu"], A.relu, [SIGMOID])
    assert sys.getprofile() is None


def test_the_reference_runs_after_the_student_returns():
    order = []

    def reference(x):
        order.append("reference")
        return x

    def student(x):
        order.append("student")
        return x

    check_function(student, functools.partial(reference), [np.ones(2)], forbidden=())
    assert order == ["student", "reference"]
