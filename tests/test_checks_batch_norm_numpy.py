"""check_folded_dense: passes the reference, and explains typical wrong foldings."""

import numpy as np
import pytest

from dl4lib import batch_norm_numpy as bn
from dl4lib.checks import CheckError
from dl4lib.checks.batch_norm_numpy import check_folded_dense

RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 4))
KERNEL, BIAS = RNG.normal(size=(4, 3)), np.array([0.2, -0.5, 1.0])
STATE = (np.array([0.5, -1.0, 2.0]), np.array([4.0, 0.25, 1.0]), np.array([1.0, 2.0, 0.5]),
         np.array([0.0, 1.0, -1.0]))


def student(body):
    namespace = {"np": np, "__name__": "__main__"}
    exec("def fold_batch_norm(kernel, bias, moving_mean, moving_var, gamma, beta, epsilon=1e-3):\n"  # noqa: S102
         + body, namespace)
    return namespace["fold_batch_norm"]


SCALE = "    scale = gamma / np.sqrt(moving_var + epsilon)\n"


@pytest.mark.parametrize("epsilon", [None, 1e-5])
def test_reference_passes(epsilon):
    check_folded_dense(bn.fold_batch_norm, X, KERNEL, BIAS, *STATE, epsilon, forbidden=())


def test_a_correct_student_answer_passes():
    good = student(SCALE + "    return kernel * scale, beta + scale * (bias - moving_mean)\n")
    check_folded_dense(good, X, KERNEL, BIAS, *STATE)


@pytest.mark.parametrize("body, message", [
    (SCALE + "    return kernel * scale, bias * scale + beta\n",
     r"x @ new_kernel \+ new_bias .* is wrong for a batch x of shape \(6, 4\)"),
    (SCALE + "    return kernel * scale[:, None], bias\n", "raised ValueError"),
    (SCALE + "    return kernel.T * scale[:, None], bias * scale\n", r"shapes \(3, 4\) and \(3,\)"),
    (SCALE + "    return [kernel * scale, (bias - moving_mean) * scale + beta]\n",
     "should return a tuple"),
    (SCALE + "    kernel *= scale\n    return kernel, (bias - moving_mean) * scale + beta\n",
     "changed its argument `kernel` in place"),
    ("    raise NotImplementedError()\n", "not implemented yet"),
])
def test_wrong_answers_are_explained(body, message):
    with pytest.raises(CheckError, match=message):
        check_folded_dense(student(body), X, KERNEL, BIAS, *STATE)


def test_calling_the_library_is_refused():
    namespace = {"np": np, "__name__": "__main__"}
    exec("from dl4lib.batch_norm_numpy import fold_batch_norm\n", namespace)  # noqa: S102
    with pytest.raises(CheckError, match="compute it yourself"):
        check_folded_dense(namespace["fold_batch_norm"], X, KERNEL, BIAS, *STATE)
