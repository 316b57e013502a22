"""Checks for the activation exercises of unit 1 (references: `dl4lib.activations`).

`check_derivative` checks what a derivative promises without looking at any reference
derivative: at every point it must match the slope of the function measured by central
differences, (f(x + h) - f(x - h)) / 2h (`dl4lib.gradient_check.numerical_derivative`). It suits
an exercise where the student derives a derivative that the text does not print. Pick points
away from kinks; values at extreme inputs are compared with the reference by `check_function`.
"""

import numpy as np

from dl4lib.checks.core import _fmt, check_unchanged, student_call
from dl4lib.checks.delegation import check_not_delegating, forbidden_modules
from dl4lib.checks.errors import CheckError, fail
from dl4lib.gradient_check import numerical_derivative

__all__ = ["FORBIDDEN", "check_derivative"]

FORBIDDEN = forbidden_modules("dl4lib.activations")
"""What a student's activation must not call by default."""


def check_derivative(derivative, func, x, *, name=None, atol=1e-6, hint="", forbidden=FORBIDDEN,
                     isolate=None):
    """Check that the student's `derivative(x)` equals the measured slope of `func` at every x.

    Args:
        derivative: the student's derivative, elementwise.
        func: the function it differentiates (the given or the reference one, not the student's).
        x: array of points, away from kinks.
        name: the derivative's name in messages; defaults to `derivative.__name__`.
        atol: allowed |derivative - central difference| (the difference itself is accurate to
            about 1e-9 for smooth functions of moderate size).
        hint: one sentence that helps fix the most likely mistake.
        forbidden: objects or module prefixes `derivative` must not call.
        isolate: dict name -> reference object, bound while `derivative` runs (see
            `dl4lib.checks.check_function`).
    """
    name = name or getattr(derivative, "__name__", "your derivative")
    if not callable(derivative):
        raise CheckError(f"{name} should be a function, got {derivative!r}.")
    check_not_delegating(derivative, forbidden, name=name)
    x = np.asarray(x, dtype=np.float64)
    mine, call = x.copy(), f"{name}(x)"
    got = student_call(derivative, (mine,), name=name, hint=hint, isolate=isolate,
                       forbidden=forbidden, call=call, detail=f"x = {_fmt(x)}")
    check_unchanged(name, call, (mine,), (x,), names=("x",), hint=hint)
    if got is None:
        fail([f"{call} returned None: did you forget `return`?"], hint)
    got = np.asarray(got, dtype=np.float64)
    if got.shape != x.shape:
        fail([f"{call} should return an array of the shape of x, {x.shape}; got {got.shape}."],
             hint)
    slope = numerical_derivative(func, x)
    with np.errstate(invalid="ignore"):
        error = np.abs(got - slope)
    bad = ~(error <= atol)
    if bad.any():
        worst = np.unravel_index(np.nanargmax(np.where(bad, np.nan_to_num(error, nan=np.inf), 0)),
                                 x.shape)
        fail([f"{name} does not match the slope of {getattr(func, '__name__', 'the function')} "
              "measured by central differences (f(x + h) - f(x - h)) / 2h:",
              f"  at x = {x[worst]:.6g}: yours {got[worst]:.10g}, measured slope "
              f"{slope[worst]:.10g} (difference {error[worst]:.3g}, allowed {atol:g});",
              f"  {int(bad.sum())} of {x.size} points differ, from x = {x[bad].min():.6g} to "
              f"x = {x[bad].max():.6g}."], hint)
