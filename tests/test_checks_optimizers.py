"""Tests for dl4lib.checks.optimizers: correct rules pass, typical wrong rules fail with a clear message."""

import functools

import numpy as np
import pytest
import tensorflow as tf

from dl4lib import optimizers
from dl4lib.checks import CheckError
from dl4lib.checks.optimizers import check_rule

START = np.array([0.5, -1.0, 2.0])
GRADS = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, 1.5], [-1.0, 3.0, 0.2], [0.3, 0.3, -0.4]])
MOMENTUM = functools.partial(optimizers.sgd_step, nesterov=False)
INIT_VELOCITY = functools.partial(optimizers.init_sgd, momentum=0.9)
CASE = (START, GRADS, {"learning_rate": 0.1, "momentum": 0.9})


def student_namespace(source):
    """Functions defined as in a notebook, with `tf` in their globals."""
    namespace = {"tf": tf, "__name__": "__main__"}
    exec(source, namespace)  # noqa: S102 - test helper
    return namespace


GOOD = """
def momentum_step(param, grad, slots, step, *, learning_rate=0.01, momentum=0.9):
    v = slots["velocity"]
    v.assign(momentum * v - learning_rate * grad)
    param.assign(param + v)

def rmsprop_step(param, grad, slots, step, *, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    s = slots["velocity"]
    s.assign_add((1 - rho) * (tf.square(grad) - s))
    param.assign_sub(learning_rate / (tf.sqrt(s) + epsilon) * grad)
"""


def failure(step_fn, reference=MOMENTUM, cases=(CASE,), init_fn=INIT_VELOCITY, **kwargs):
    with pytest.raises(CheckError) as err:
        check_rule(step_fn, reference, list(cases), init_fn=init_fn, **kwargs)
    return str(err.value)


def test_same_formula_in_another_order_passes():
    ns = student_namespace(GOOD)
    check_rule(ns["momentum_step"], MOMENTUM, [CASE], init_fn=INIT_VELOCITY)
    small = (START, 1e-3 * GRADS, {"learning_rate": 0.01, "rho": 0.5})
    check_rule(ns["rmsprop_step"], optimizers.rmsprop_step,
               [small, (START.reshape(3, 1), GRADS.reshape(4, 3, 1), {"learning_rate": 0.1})],
               init_fn=optimizers.init_rmsprop)


def test_wrong_sign_fails_at_step_one_with_the_case_and_hint():
    ns = student_namespace(GOOD.replace("momentum * v - learning_rate", "momentum * v + learning_rate"))
    msg = failure(ns["momentum_step"], hint="v points downhill.")
    for part in ["momentum_step: the parameter after step 1 is wrong", "learning_rate=0.1",
                 "momentum=0.9", "start [ 0.5, -1. ,  2. ]", "Hint: v points downhill."]:
        assert part in msg, msg


def test_forgotten_assign_names_the_slot():
    ns = student_namespace(GOOD.replace("v.assign(momentum * v - learning_rate * grad)",
                                        "v = momentum * v - learning_rate * grad"))
    msg = failure(ns["momentum_step"])
    assert 'slots["velocity"] after step 1 is wrong' in msg
    assert 'slots["velocity"].assign(...)' in msg


def test_returning_instead_of_assigning_says_the_parameter_did_not_change():
    ns = student_namespace("""
def momentum_step(param, grad, slots, step, *, learning_rate=0.01, momentum=0.9):
    return param - learning_rate * grad
""")
    assert "The parameter did not change" in failure(ns["momentum_step"])


def test_epsilon_inside_the_root_fails_on_small_gradients():
    ns = student_namespace(GOOD.replace("tf.sqrt(s) + epsilon", "tf.sqrt(s + epsilon)"))
    msg = failure(ns["rmsprop_step"], optimizers.rmsprop_step,
                  [(START, 1e-3 * GRADS, {"learning_rate": 0.01, "epsilon": 1e-7})],
                  init_fn=optimizers.init_rmsprop)
    assert "after step 1" in msg


def test_not_implemented_and_errors_are_reported():
    ns = student_namespace("""
def todo(param, grad, slots, step, *, learning_rate=0.01):
    raise NotImplementedError()

def broken(param, grad, slots, step, *, learning_rate=0.01):
    return slots["missing"]
""")
    assert "not implemented yet" in failure(ns["todo"], optimizers.sgd_step,
                                            [(START, GRADS, {"learning_rate": 0.1})], init_fn=None)
    msg = failure(ns["broken"], optimizers.sgd_step, [(START, GRADS, {"learning_rate": 0.1})],
                  init_fn=None)
    assert "broken raised KeyError" in msg


def test_calling_the_library_rule_is_refused():
    ns = student_namespace("""
def momentum_step(param, grad, slots, step, *, learning_rate=0.01, momentum=0.9):
    optimizers.sgd_step(param, grad, slots, step, learning_rate=learning_rate, momentum=momentum)
""")
    ns["optimizers"] = optimizers
    msg = failure(ns["momentum_step"])
    assert "uses optimizers.sgd_step" in msg and "TensorFlow operations" in msg


def test_keras_optimizer_is_refused():
    import keras

    ns = student_namespace("""
def momentum_step(param, grad, slots, step, *, learning_rate=0.01, momentum=0.9):
    keras.optimizers.SGD(learning_rate, momentum).apply([grad], [param])
""")
    ns["keras"] = keras
    assert "uses keras.optimizers.SGD" in failure(ns["momentum_step"])


@pytest.mark.parametrize("rule, reference, init_fn, hyperparams", [
    ("nesterov", functools.partial(optimizers.sgd_step, nesterov=True), INIT_VELOCITY,
     {"learning_rate": 0.1, "momentum": 0.9}),
    ("adagrad", optimizers.adagrad_step, optimizers.init_adagrad,
     {"learning_rate": 0.1, "epsilon": 0.01}),
])
def test_each_library_rule_passes_against_itself(rule, reference, init_fn, hyperparams):
    check_rule(reference, reference, [(START, GRADS, hyperparams)], init_fn=init_fn,
               name=rule, forbidden=())


EAGER_ONLY = {
    "numpy": """
def rmsprop_step(param, grad, slots, step, *, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    s = slots["velocity"]
    s.assign(rho * s + (1 - rho) * grad ** 2)
    param.assign_sub(learning_rate / (np.sqrt(s.numpy()) + epsilon) * grad)
""",
    "np.sqrt": """
def rmsprop_step(param, grad, slots, step, *, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    s = slots["velocity"]
    s.assign(rho * s + (1 - rho) * grad ** 2)
    param.assign_sub(learning_rate / (np.sqrt(s) + epsilon) * grad)
""",
    "rebinding": """
def rmsprop_step(param, grad, slots, step, *, learning_rate=0.001, rho=0.9, epsilon=1e-7):
    slots["velocity"] = rho * slots["velocity"] + (1 - rho) * grad ** 2
    param.assign_sub(learning_rate / (tf.sqrt(slots["velocity"]) + epsilon) * grad)
""",
}


@pytest.mark.parametrize("kind", sorted(EAGER_ONLY))
def test_a_rule_that_only_works_eagerly_fails_inside_tf_function(kind):
    ns = student_namespace(EAGER_ONLY[kind])
    ns["np"] = np
    case = (START, GRADS, {"learning_rate": 0.1, "rho": 0.9, "epsilon": 0.01})
    with pytest.raises(CheckError) as err:
        check_rule(ns["rmsprop_step"], optimizers.rmsprop_step, [case],
                   init_fn=optimizers.init_rmsprop)
    assert "rmsprop_step inside tf.function" in str(err.value), str(err.value)
    assert "symbolic" in str(err.value)
    check_rule(ns["rmsprop_step"], optimizers.rmsprop_step, [case],
               init_fn=optimizers.init_rmsprop, graph=False)  # eagerly it was right


def test_calling_the_library_rule_through_a_computed_name_is_refused():
    ns = student_namespace("import importlib\n"
                           "def momentum_step(param, grad, slots, step, **kw):\n"
                           "    rules = importlib.import_module('dl4lib.' + 'optimizers')\n"
                           "    rules.sgd_step(param, grad, slots, step, nesterov=False, **kw)\n")
    assert "called while it ran" in failure(ns["momentum_step"])
