"""dl4lib.rule_trajectory: a rule run by hand on fixed gradients, every step recorded."""

import functools

import numpy as np

from dl4lib import optimizers
from dl4lib.rule_trajectory import rule_trajectory

START = np.array([0.5, -1.0, 2.0])
GRADS = np.array([[1.0, -2.0, 0.0], [0.5, 0.0, 1.5], [-1.0, 3.0, 0.2], [0.3, 0.3, -0.4]])
MOMENTUM = functools.partial(optimizers.sgd_step, nesterov=False)
INIT_VELOCITY = functools.partial(optimizers.init_sgd, momentum=0.9)


def test_rule_trajectory_records_start_and_every_step():
    path = rule_trajectory(MOMENTUM, INIT_VELOCITY, START, GRADS, learning_rate=0.1, momentum=0.9)
    assert set(path) == {"param", "velocity"}
    assert path["param"].shape == path["velocity"].shape == (5, 3)
    np.testing.assert_allclose(path["param"][0], START)
    np.testing.assert_allclose(path["velocity"][1], -0.1 * GRADS[0])
    np.testing.assert_allclose(path["param"][1], START - 0.1 * GRADS[0], rtol=1e-6)


def test_rule_without_slots():
    path = rule_trajectory(optimizers.sgd_step, None, [1.0], [[2.0]], learning_rate=0.25)
    np.testing.assert_allclose(path["param"].ravel(), [1.0, 0.5])


def test_unit_7_check_yourself_values():
    path = rule_trajectory(MOMENTUM, INIT_VELOCITY, [1.0], [[1.0]] * 3, learning_rate=0.1,
                           momentum=0.9)
    np.testing.assert_allclose(path["param"].ravel(), [1.0, 0.9, 0.71, 0.439], rtol=1e-6)
    np.testing.assert_allclose(path["velocity"].ravel(), [0.0, -0.1, -0.19, -0.271], rtol=1e-6)
