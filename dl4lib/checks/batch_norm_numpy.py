"""Checks for the NumPy batch-normalization exercises of unit 4 (references: `dl4lib.batch_norm_numpy`).

`check_folded_dense` checks what folding a batch normalization into the dense layer before it
promises, before any value of the new kernel and bias is compared (`check_function` does that):
one dense layer with the folded weights gives, for a batch x, the outputs of the dense layer
followed by batch normalization in inference mode.
"""

import copy

import numpy as np

from dl4lib import batch_norm_numpy as reference
from dl4lib.checks.core import check_array, check_unchanged, student_call
from dl4lib.checks.delegation import check_not_delegating, forbidden_modules
from dl4lib.checks.errors import CheckError, fail

__all__ = ["FORBIDDEN", "check_folded_dense"]

FORBIDDEN = forbidden_modules("dl4lib.batch_norm", "dl4lib.batch_norm_numpy")
"""What a student's batch-normalization function must not call by default."""

_NAMES = ("kernel", "bias", "moving_mean", "moving_var", "gamma", "beta", "epsilon")


def check_folded_dense(func, x, kernel, bias, moving_mean, moving_var, gamma, beta, epsilon=None,
                       *, name=None, atol=1e-8, rtol=1e-6, hint="", forbidden=FORBIDDEN):
    """Check that `func(kernel, bias, moving_mean, moving_var, gamma, beta[, epsilon])` folds.

    It must return a pair (new_kernel, new_bias), leave its inputs unchanged, and
    `x @ new_kernel + new_bias` must equal `batch_norm_inference(x @ kernel + bias, ...)` within
    the tolerances (`check_array`). `epsilon=None` leaves it out of the call (the default of
    `func` is then compared with the reference's, 1e-3).
    """
    name = name or getattr(func, "__name__", "your function")
    if not callable(func):
        raise CheckError(f"{name} should be a function, got {func!r}.")
    check_not_delegating(func, forbidden, name=name)
    args = (kernel, bias, moving_mean, moving_var, gamma, beta)
    args = args if epsilon is None else (*args, epsilon)
    names = _NAMES[:len(args)]
    call = f"{name}({', '.join(names)})"
    detail = (f"kernel of shape {np.shape(kernel)} and "
              + ", ".join(f"{n} = {np.round(np.asarray(a, dtype=np.float64), 4).tolist()}"
                          for n, a in zip(names[1:], args[1:], strict=True)))
    pristine, mine = copy.deepcopy(args), copy.deepcopy(args)
    got = student_call(func, mine, name=name, hint=hint, forbidden=forbidden, call=call,
                       detail=detail)
    check_unchanged(name, call, mine, pristine, names=names, hint=hint)
    if not isinstance(got, tuple) or len(got) != 2:
        fail([f"{call} should return a tuple (new_kernel, new_bias), got {type(got).__name__}"
              f"{f' of length {len(got)}' if isinstance(got, (tuple, list)) else ''}."], hint)
    new_kernel, new_bias = (np.asarray(g, dtype=np.float64) for g in got)
    kernel_shape, units = np.shape(kernel), np.shape(kernel)[1]
    if new_kernel.shape != kernel_shape or new_bias.shape != (units,):
        fail([f"{call} returned arrays of shapes {new_kernel.shape} and {new_bias.shape}; "
              f"expected {kernel_shape} (like the kernel) and ({units},) (one bias per unit)."],
             hint)
    x = np.asarray(x, dtype=np.float64)
    expected = reference.batch_norm_inference(
        x @ np.asarray(kernel, dtype=np.float64) + bias, moving_mean, moving_var, gamma, beta,
        *(() if epsilon is None else (epsilon,)))
    check_array(x @ new_kernel + new_bias, expected,
                name="x @ new_kernel + new_bias (one dense layer with your folded weights)",
                input_desc=f"a batch x of shape {x.shape}: it should equal the dense layer "
                f"followed by batch normalization at inference, for {detail}",
                atol=atol, rtol=rtol, hint=hint)
