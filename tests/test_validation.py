"""dl4lib._validation: one Keras-style message for every invalid argument."""

import subprocess
import sys

import numpy as np
import pytest

from dl4lib._validation import check_array_shape, check_number, check_one_of, check_shape, invalid_argument


def test_a_rate_in_a_half_open_interval():
    assert check_number("rate", np.float32(0.25), low=0.0, high=1.0, high_open=True) == 0.25
    assert isinstance(check_number("rate", 0, low=0.0, high=1.0, high_open=True), float)
    for bad in (1.0, -0.1, True, "0.5", None):
        with pytest.raises(ValueError) as err:
            check_number("rate", bad, low=0.0, high=1.0, high_open=True)
        assert str(err.value).startswith("Invalid value received for argument `rate`. Expected a "
                                         "float value in [0, 1). Received: rate=")


def test_integers_and_one_sided_bounds():
    assert check_number("steps", np.int64(3), low=1, integer=True) == 3
    assert type(check_number("steps", np.int64(3), low=1, integer=True)) is int
    with pytest.raises(ValueError, match=r"Expected an integer value >= 1. Received: steps=0"):
        check_number("steps", 0, low=1, integer=True)
    with pytest.raises(ValueError, match=r"Expected an integer value >= 1. Received: steps=2.0"):
        check_number("steps", 2.0, low=1, integer=True)
    with pytest.raises(ValueError, match=r"Expected a float value > 0. Received: lr=0"):
        check_number("lr", 0, low=0, low_open=True)
    with pytest.raises(ValueError, match=r"Expected an integer value < 5. Received: k=5"):
        check_number("k", 5, high=5, high_open=True, integer=True)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), np.float64("nan")])
def test_a_number_must_be_finite_even_without_a_bound_that_excludes_it(bad):
    with pytest.raises(ValueError, match=f"Expected a finite float value > 0. Received: "
                                         f"epsilon={bad}"):
        check_number("epsilon", bad, low=0, low_open=True)
    with pytest.raises(ValueError, match=f"Expected a finite float value. Received: x={bad}"):
        check_number("x", bad)
    with pytest.raises(ValueError, match=r"Expected a float value in \[0, 1\). Received: rate=2"):
        check_number("rate", 2, low=0, high=1, high_open=True)


def test_bounds_print_as_given():
    with pytest.raises(ValueError, match=r"in \[1, 1000000\]\. Received: batch_size=0"):
        check_number("batch_size", 0, low=1, high=1_000_000, integer=True)
    with pytest.raises(ValueError, match=r"value >= 0.001\. Received: lr=0.0001"):
        check_number("lr", 1e-4, low=1e-3)


def test_a_string_is_quoted_and_other_values_are_shown_plainly():
    assert str(invalid_argument("name", "a non-empty str", "")) == (
        "Invalid value received for argument `name`. Expected a non-empty str. Received: name=''")
    assert str(invalid_argument("lr", "a float value > 0", np.float64(-1.5))).endswith(
        "Received: lr=-1.5")
    assert str(invalid_argument("x", "an array of shape (N,)", (2, 3), attribute="shape")).endswith(
        "Received: x.shape=(2, 3)")


def test_options():
    assert check_one_of("mode", "fan_in", ("fan_in", "fan_out")) == "fan_in"
    with pytest.raises(ValueError, match=r"Expected one of 'fan_in', 'fan_out'. Received: mode='x'"):
        check_one_of("mode", "x", ("fan_in", "fan_out"))


def test_shapes():
    assert check_shape("shape", [3, np.int64(4)], ndim=2) == (3, 4)
    for bad in ((3,), (0, 4), 5, (2.0, 3), "ab", (True, 2)):
        with pytest.raises(ValueError, match=r"argument `shape`. Expected a tuple of 2 positive "
                                             r"ints. Received: shape="):
            check_shape("shape", bad, ndim=2)


def test_shapes_with_zero_sizes_or_free_entries():
    assert check_shape("shape", (0, 3), allow_zero=True) == (0, 3)
    with pytest.raises(ValueError, match=r"tuple of any number of non-negative ints. Received: "
                                         r"shape=\(2, -1\)"):
        check_shape("shape", (2, -1), allow_zero=True)
    assert check_shape("noise_shape", (None, np.int64(1), 4), allow_none=True) == (None, 1, 4)
    with pytest.raises(ValueError, match=r"positive ints or None. Received: noise_shape=\(None, 0\)"):
        check_shape("noise_shape", (None, 0), allow_none=True)
    with pytest.raises(ValueError, match="noise_shape"):
        check_shape("noise_shape", (None, 2))


def test_array_shapes_with_named_and_fixed_sizes():
    x = np.zeros((4, 3))
    assert check_array_shape("x", x, ("N", "D")) is x
    assert check_array_shape("x", x, (4, "D")) is x
    with pytest.raises(ValueError, match=r"argument `x`. Expected an array of shape \(N, D\). "
                                         r"Received: x.shape=\(3,\)"):
        check_array_shape("x", np.zeros(3), ("N", "D"))
    with pytest.raises(ValueError, match=r"Expected an array of shape \(4,\). "
                                         r"Received: y.shape=\(5,\)"):
        check_array_shape("y", np.zeros(5), (len(x),))
    with pytest.raises(ValueError, match=r"Received: W.shape=\(4, 2\)"):
        check_array_shape("W", np.zeros((4, 2)), (x.shape[1], "M"))


def test_an_empty_array_is_refused_only_when_asked():
    assert check_array_shape("x", np.zeros((0, 3)), ("N", "D")).shape == (0, 3)
    with pytest.raises(ValueError, match=r"Expected a non-empty array of shape \(N, D\). "
                                         r"Received: x.shape=\(0, 3\)"):
        check_array_shape("x", np.zeros((0, 3)), ("N", "D"), non_empty=True)


def test_the_module_imports_neither_numpy_nor_tensorflow():
    code = "import sys, dl4lib._validation; print(sorted(m for m in ('numpy', 'tensorflow', " \
           "'keras') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_message_format_is_written_only_in_validation():
    import ast
    from pathlib import Path

    import dl4lib

    written = []
    for path in sorted(Path(dl4lib.__file__).parent.glob("*.py")):
        if path.name == "_validation.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        written += [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and "Invalid value" in node.value and id(node) not in docstrings]
    assert written == [], "raise dl4lib._validation.invalid_argument(...) instead"


def test_a_bound_that_is_another_argument_is_named_in_the_message():
    assert check_number("lr_max", 2.0, low=("lr_min", 1.0), low_open=True) == 2.0
    with pytest.raises(ValueError, match=r"Expected a float value > lr_min=1. Received: lr_max=1"):
        check_number("lr_max", 1.0, low=("lr_min", 1.0), low_open=True)
    with pytest.raises(ValueError, match=r"in \[0, initial_learning_rate=0.1\]. Received: end=0.5"):
        check_number("end", 0.5, low=0, high=("initial_learning_rate", 0.1))
