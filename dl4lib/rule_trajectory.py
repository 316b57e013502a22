"""Run an update rule by hand on a fixed sequence of gradients and record every step.

A rule follows the contract of `dl4lib.optimizers` (`<rule>_step(param, grad, slots, step, *,
learning_rate, ...)` updates a tf.Variable and its slots in place). `rule_trajectory` feeds it
grads[k] at step k + 1, whatever the parameter is, so a rule can be followed step by step without
a loss: unit 7 prints a rule's first steps with it, and `dl4lib.checks.optimizers.check_rule`
compares a student's rule with a reference on the same gradients.

It lives outside `dl4lib.optimizers` on purpose: while a student's rule runs, the checks refuse
calls into that module's code (the reference rules), and this function is what runs the rule.
"""

import numpy as np
import tensorflow as tf


def rule_trajectory(step_fn, init_fn, start, grads, **hyperparams):
    """Apply `step_fn` once per gradient to a float32 variable and record it and its slots.

        param_0 = start;   step_fn(param, grads[k - 1], slots, k, **hyperparams)  for k = 1..T

    Args:
        step_fn: the rule's step function.
        init_fn: the rule's init function (called as init_fn(param)), or None for no slots.
        start: the parameter's first value, array-like of shape S.
        grads: array-like of shape (T, *S); grads[k] is the gradient of step k + 1.
        **hyperparams: keyword arguments passed to every call of step_fn.

    Returns:
        A dict of float32 arrays of shape (T + 1, *S): "param" and one entry per slot name, row
        0 holding the values before the first step and row k those after step k (nan where a
        slot disappeared from the dict).
    """
    param = tf.Variable(np.asarray(start, dtype=np.float32), name="param")
    slots = {} if init_fn is None else init_fn(param)
    path = {"param": [param.numpy()], **{k: [_value(v)] for k, v in slots.items()}}
    for t, grad in enumerate(np.asarray(grads, dtype=np.float32), 1):
        step_fn(param, tf.constant(grad), slots, tf.constant(t, tf.float32), **hyperparams)
        path["param"].append(param.numpy())
        for key in path.keys() - {"param"}:
            path[key].append(_value(slots[key]) if key in slots else np.full_like(grad, np.nan))
    return {k: np.stack(v) for k, v in path.items()}


def _value(value):
    """A copy of a variable's or tensor's value as a NumPy array."""
    return np.array(tf.convert_to_tensor(value).numpy())
