"""check_initializer: passes the reference initializers, names what is wrong with typical mistakes."""

import numpy as np
import pytest

from dl4lib import initializers as init
from dl4lib.checks import CheckError
from dl4lib.checks.initializers import check_initializer, check_keeps_second_moment

BIG = (400, 600)
GLOROT_VAR = 2 / (400 + 600)
GLOROT_LIMIT = np.sqrt(6 / (400 + 600))


def student_namespace(source):
    """Functions defined as in a notebook: their globals are one shared namespace."""
    namespace = {"np": np, "__name__": "__main__"}
    exec(source, namespace)  # noqa: S102 - test helper
    return namespace


def student(body, name="glorot_uniform"):
    return student_namespace(f"def {name}(shape, seed=None):\n" + body)[name]


@pytest.mark.parametrize("rule", ["glorot", "he", "lecun"])
def test_reference_initializers_pass(rule):
    variance = {"glorot": GLOROT_VAR, "he": 2 / 400, "lecun": 1 / 400}[rule]
    check_initializer(getattr(init, f"{rule}_uniform"), BIG, variance,
                      limit=np.sqrt(3 * variance), forbidden=())
    check_initializer(getattr(init, f"{rule}_normal"), BIG, variance,
                      limit=2 * np.sqrt(variance) / init.TRUNCATED_STD, forbidden=())


def test_truncated_normal_with_mean_and_stddev_passes():
    check_initializer(init.truncated_normal, BIG, (0.5 * init.TRUNCATED_STD) ** 2, limit=1.0,
                      center=1.0, kwargs={"mean": 1.0, "stddev": 0.5}, forbidden=())


def test_correct_student_answer_passes():
    good = student("    rng = np.random.default_rng(seed)\n"
                   "    limit = np.sqrt(6 / (shape[0] + shape[1]))\n"
                   "    return rng.uniform(-limit, limit, size=shape)\n")
    check_initializer(good, BIG, GLOROT_VAR, limit=GLOROT_LIMIT)


def test_bound_without_the_factor_three_gives_a_third_of_the_variance():
    wrong = student("    rng = np.random.default_rng(seed)\n"
                    "    limit = np.sqrt(2 / (shape[0] + shape[1]))\n"
                    "    return rng.uniform(-limit, limit, size=shape)\n")
    with pytest.raises(CheckError, match=r"ratio got/expected = 0\.33") as err:
        check_initializer(wrong, BIG, GLOROT_VAR, limit=GLOROT_LIMIT, hint="sqrt(3 var)")
    assert "Hint: sqrt(3 var)" in str(err.value)


def test_right_variance_in_too_small_a_range_fails():
    signs = student("    rng = np.random.default_rng(seed)\n"
                    "    std = np.sqrt(2 / (shape[0] + shape[1]))\n"
                    "    return rng.choice([-std, std], size=shape)\n")
    with pytest.raises(CheckError, match="uses too small a range"):
        check_initializer(signs, BIG, GLOROT_VAR, limit=GLOROT_LIMIT)


def test_isolate_grades_a_function_on_its_own():
    ns = student_namespace("def compute_fans(shape):\n    return shape[1], shape[0]\n"
                           "def he_uniform(shape, seed=None):\n"
                           "    fan_in, _ = compute_fans(shape)\n"
                           "    limit = np.sqrt(6 / fan_in)\n"
                           "    return np.random.default_rng(seed).uniform(-limit, limit, size=shape)\n")
    with pytest.raises(CheckError, match="wrong variance"):
        check_initializer(ns["he_uniform"], BIG, 2 / 400)
    check_initializer(ns["he_uniform"], BIG, 2 / 400, isolate={"compute_fans": init.compute_fans})
    assert ns["compute_fans"]((1, 2)) == (2, 1)  # the student's function is back


def test_wrong_variance_reports_the_ratio():
    wrong = student("    rng = np.random.default_rng(seed)\n"
                    "    return rng.normal(0, np.sqrt(1 / shape[0]), size=shape)\n")
    with pytest.raises(CheckError, match=r"ratio got/expected = 0\.5") as err:
        check_initializer(wrong, BIG, 2 / 400)
    assert "expected 0.005" in str(err.value)


def test_values_outside_the_bound_fail():
    wrong = student("    return np.random.default_rng(seed).uniform(-1, 1, size=shape)\n")
    with pytest.raises(CheckError, match="has values outside"):
        check_initializer(wrong, BIG, GLOROT_VAR, limit=GLOROT_LIMIT)


def test_global_random_state_is_not_reproducible():
    wrong = student("    limit = np.sqrt(6 / (shape[0] + shape[1]))\n"
                    "    return np.random.uniform(-limit, limit, size=shape)\n")
    with pytest.raises(CheckError, match="not reproducible"):
        check_initializer(wrong, BIG, GLOROT_VAR, limit=GLOROT_LIMIT)


def test_ignoring_the_seed_fails():
    wrong = student("    limit = np.sqrt(6 / (shape[0] + shape[1]))\n"
                    "    return np.random.default_rng(0).uniform(-limit, limit, size=shape)\n")
    with pytest.raises(CheckError, match="ignores its seed"):
        check_initializer(wrong, BIG, GLOROT_VAR, limit=GLOROT_LIMIT)


@pytest.mark.parametrize("body, message", [
    ("    raise NotImplementedError()\n", "not implemented yet"),
    ("    np.zeros(shape)\n", "did you forget `return`"),
    ("    return np.zeros(shape[::-1])\n", r"wrong shape: expected \(400, 600\), got \(600, 400\)"),
    ("    return np.ones(shape, dtype=int)\n", "should return a float64 NumPy array"),
    ("    return shape[0] / np.zeros(shape)\n", "hit a floating-point error"),
    ("    return np.random.default_rng(seed).uniform(0, 0.1, size=shape)\n", "has mean"),
])
def test_broken_answers_are_explained(body, message):
    with pytest.raises(CheckError, match=message):
        check_initializer(student(body), BIG, GLOROT_VAR)


def test_calling_the_library_is_refused():
    ns = student_namespace("from dl4lib.initializers import glorot_uniform\n")
    with pytest.raises(CheckError, match="compute it yourself"):
        check_initializer(ns["glorot_uniform"], BIG, GLOROT_VAR)


def _leaky(slope):
    return lambda z: np.where(z > 0, z, slope * z)


@pytest.mark.parametrize("slope", [0.0, 0.3, 1.0])
def test_leaky_he_normal_keeps_the_second_moment_of_leaky_relu(slope):
    check_keeps_second_moment(init.leaky_he_normal, _leaky(slope), kwargs={"negative_slope": slope},
                              forbidden=())


def test_he_normal_under_leaky_relu_reports_the_factor_per_layer():
    # Slope 0.5 keeps (1 + 0.25) / 2 of E[z^2]; He's variance 2 / n makes each layer multiply
    # E[h^2] by 1.25.
    with pytest.raises(CheckError, match=r"factor 1\.2[0-9]+ per layer") as err:
        check_keeps_second_moment(init.he_normal, _leaky(0.5), forbidden=(), what="leaky ReLU")
    assert "leaky ReLU" in str(err.value)


def test_second_moment_check_refuses_the_library_and_reports_errors():
    ns = student_namespace("from dl4lib.initializers import he_normal\n"
                           "def mine(shape, seed=None):\n    return he_normal(shape, seed)\n")
    with pytest.raises(CheckError, match="compute it yourself"):
        check_keeps_second_moment(ns["mine"], _leaky(0.0))
    with pytest.raises(CheckError, match="not implemented yet"):
        check_keeps_second_moment(student("    raise NotImplementedError()\n"), _leaky(0.0))
