"""Check an update rule written to the `dl4lib.optimizers` contract against a reference rule.

A rule is a step function `step_fn(param, grad, slots, step, *, learning_rate, ...)` that
updates the tf.Variable `param` and the slots (tf.Variables made by an init function) in place.
`check_rule` runs the student's rule and the reference from the same start on the same fixed
sequence of gradients (grads[k] is fed at step k + 1, whatever the parameter is) and compares the
parameter and every slot after each step (`dl4lib.rule_trajectory` records them), so the message
names the first step that goes wrong:

    check_rule(momentum_step, functools.partial(optimizers.sgd_step, nesterov=False),
               [(start, grads, {"learning_rate": 0.1, "momentum": 0.9})],
               init_fn=init_velocity, hint="v <- momentum * v - learning_rate * grad")

The student's rule runs eagerly on every case, and compiled with `tf.function` on the first, as
`Optimizer.minimize`, `model.fit` and the notebooks run it. A rule that only works eagerly
(`.numpy()`, `np.sqrt` on a tensor, a slot rebound in the dict instead of `.assign()`) fails with
a message that says so. Everything runs in float32, the dtype of the course's variables; the
default tolerances allow for float32 round-off from computing the same formula in another order.
"""

import numpy as np
import tensorflow as tf

from dl4lib.checks.core import check_array, student_call
from dl4lib.checks.delegation import check_not_delegating, forbidden_modules
from dl4lib.checks.errors import CheckError
from dl4lib.rule_trajectory import rule_trajectory

__all__ = ["FORBIDDEN", "check_rule"]

FORBIDDEN = forbidden_modules("dl4lib.optimizers", frameworks=("keras.src.optimizers",))
"""What a student's rule must not call: the library rules and Keras' optimizers."""

GRAPH_HINT = ("Inside tf.function (how model.fit and Optimizer.minimize run a rule) the tensors "
              "are symbolic: use TensorFlow operations (tf.sqrt, not np.sqrt; no .numpy()), and "
              "change variables with .assign(...), .assign_add(...) or .assign_sub(...).")


def _describe_case(start, grads, hyperparams, steps):
    args = ", ".join(f"{k}={v!r}" for k, v in hyperparams.items())
    shown = np.array2string(np.asarray(grads[:steps], dtype=np.float64), separator=", ",
                            precision=4, threshold=24)
    start = np.array2string(np.asarray(start, dtype=np.float64), separator=", ", precision=4)
    return f"start {start}, gradients {shown}, {args}"


def check_rule(step_fn, reference_fn, cases, *, init_fn, name=None, forbidden=FORBIDDEN,
               atol=1e-6, rtol=1e-5, hint="", isolate=None, graph=True):
    """Check a student's update rule against a reference rule, step by step.

    Args:
        step_fn: the student's step function.
        reference_fn: the reference step function (e.g. a `functools.partial` of a
            `dl4lib.optimizers` rule that fixes its flags).
        cases: list of (start, grads, hyperparams): start of shape S, grads of shape (T, *S), and
            a dict of keyword arguments given to both rules.
        init_fn: the init function that makes the slots, used for both rules (each gets its
            own); None for a rule without slots.
        name: the rule's name in messages; defaults to step_fn.__name__.
        forbidden: objects or module prefixes the student's rule must not use
            (`dl4lib.checks.forbidden_calls`).
        atol, rtol: tolerances, as in `dl4lib.checks.check_array`.
        hint: one sentence that helps fix the most likely mistake.
        isolate: dict name -> reference object bound among the student's globals while the
            rule runs (`dl4lib.checks.isolated`), e.g. {"adam_step": optimizers.adam_step} to
            grade AdamW on its own even when the student's Adam is wrong.
        graph: also run the rule compiled with `tf.function` on the first case and compare it
            the same way (a rule that only works eagerly fails on any case; one compiled case
            keeps the check fast).

    Raises:
        CheckError: with the first step, and the parameter or slot, that differs.
    """
    name = name or getattr(step_fn, "__name__", "your rule")
    if not callable(step_fn):
        raise CheckError(f"{name} should be a function, got {step_fn!r}.")
    check_not_delegating(step_fn, forbidden, name=name, how="tensorflow")
    compiled = tf.function(step_fn) if graph else None
    for i, (start, grads, hyperparams) in enumerate(cases):
        case = _describe_case(start, grads, hyperparams, len(grads))
        got = {}
        runs = [("", step_fn)] + ([(" inside tf.function", compiled)] if graph and i == 0 else [])
        for where, fn in runs:
            got[where] = student_call(
                rule_trajectory, (fn, init_fn, start, grads), hyperparams, name=name + where,
                hint=" ".join(h for h in (GRAPH_HINT if where else "", hint) if h),
                strict=False, isolate=isolate, owner=step_fn,
                # autograph rewrites the functions a compiled rule calls (an isolated reference
                # too), so calls are watched in the eager run only
                forbidden=() if where else forbidden,
                how="tensorflow", allowed=(init_fn,) if init_fn else (),
                call=name + where, detail=case)
        expected = rule_trajectory(reference_fn, init_fn, start, grads, **hyperparams)
        for where, trajectory in got.items():
            _compare(name + where, trajectory, expected, start, grads, hyperparams, atol, rtol,
                     " ".join(h for h in (GRAPH_HINT if where else "", hint) if h))


def _compare(name, got, expected, start, grads, hyperparams, atol, rtol, hint):
    keys = ["param", *sorted(expected.keys() - {"param"})]
    for step in range(1, len(grads) + 1):
        for key in keys:
            what = "the parameter" if key == "param" else f'slots["{key}"]'
            moved = not np.allclose(expected[key][step], expected[key][step - 1])
            if key == "param" and moved and np.array_equal(got[key][step], got[key][step - 1]):
                note = ("The parameter did not change: update it in place with "
                        "param.assign_sub(...) or param.assign(...); a new tensor that is "
                        "returned or stored in a local variable is lost.")
            elif key != "param" and moved and np.array_equal(got[key][step], got[key][0]):
                note = (f'{what} never changes: store the new value with '
                        f'slots["{key}"].assign(...); `v = ...` only rebinds a local name.')
            else:
                note = ""
            check_array(got[key][step], expected[key][step], atol=atol, rtol=rtol,
                        name=f"{name}: {what} after step {step}",
                        input_desc=_describe_case(start, grads, hyperparams, step),
                        hint=" ".join(h for h in (note, hint) if h))
