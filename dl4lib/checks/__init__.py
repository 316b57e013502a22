"""Checks that the graded test cells call.

One package, one contract: a check runs a student's answer, compares it with a reference and, on
failure, raises `CheckError` with a message the student can act on. nbgrader scores each test cell
on its own, so a failing check costs the points of that cell and nothing else.

- `errors`: `CheckError` (it renders as its message alone in a notebook), `not_implemented`;
- `core`: `check_function`, `check_array`, `check_raises`, `student_call`, `random_inputs`: run a
  student's function safely (inputs copied and compared afterwards, warnings caught, NumPy
  floating-point errors raised) and compare its result with the reference's;
- `delegation`: `FRAMEWORKS`, `forbidden_modules`, `forbidden_calls`, `check_not_delegating`,
  `check_class_not_delegating`, `watch_calls`, `isolated`: refuse an answer that calls the library
  version of the same thing, before it runs and while it runs;
- one module per family of exercises, named after the module of their references
  (`dl4lib.checks.<name>` checks exercises whose reference is `dl4lib.<name>`).

    check_function(sigmoid, reference.sigmoid, cases=[np.array([-1000.0, 0.0, 3.0])],
                   hint="exp(-x) overflows for large negative x.")
"""


from dl4lib.checks.core import (
    check_array,
    check_function,
    check_raises,
    check_unchanged,
    quiet,
    random_inputs,
    student_call,
)
from dl4lib.checks.delegation import (
    FRAMEWORKS,
    check_class_not_delegating,
    check_not_delegating,
    default_forbidden,
    forbidden_calls,
    forbidden_modules,
    isolated,
    watch_calls,
)
from dl4lib.checks.errors import CheckError, is_stub, not_implemented

# A student tool, at home in dl4lib.gradient_check; re-exported for notebooks released before.
from dl4lib.gradient_check import numerical_derivative

__all__ = [
    "FRAMEWORKS", "CheckError", "check_array", "check_class_not_delegating", "check_function",
    "check_not_delegating", "check_raises", "check_unchanged", "default_forbidden",
    "forbidden_calls", "forbidden_modules", "is_stub", "isolated", "not_implemented",
    "numerical_derivative", "quiet", "random_inputs", "student_call", "watch_calls",
]


