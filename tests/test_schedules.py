"""Tests for dl4lib.schedules: values at chosen steps, Keras cross-checks, inputs, validation."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from dl4lib.schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    LinearDecay,
    OneCycle,
    StepDecay,
    Triangular,
)

# Values worked out by hand from the formulas in the docstrings.
VALUE_CASES = [
    (Constant(0.3), [0, 1, 1000], [0.3, 0.3, 0.3]),
    (StepDecay(0.1, 10, 0.5), [0, 9, 10, 25], [0.1, 0.1, 0.05, 0.025]),
    (LinearDecay(0.1, 10, 0.01), [0, 5, 10, 20], [0.1, 0.055, 0.01, 0.01]),
    (ExponentialDecay(0.1, 10, 0.5), [0, 5, 10, 30], [0.1, 0.1 * 0.5**0.5, 0.05, 0.0125]),
    (CosineDecay(0.1, 100, alpha=0.1), [0, 50, 100, 200], [0.1, 0.055, 0.01, 0.01]),
    (CosineDecay(0.1, 100, warmup_steps=10), [0, 5, 10, 60, 110], [0.0, 0.05, 0.1, 0.05, 0.0]),
    (Triangular(0.01, 0.1, 5), [0, 2, 5, 7, 10, 15], [0.01, 0.046, 0.1, 0.064, 0.01, 0.1]),
    (OneCycle(1.0, 100), [0, 15, 30, 65, 100, 150], [0.04, 0.52, 1.0, 0.500002, 4e-6, 4e-6]),
]


@pytest.mark.parametrize(("schedule", "steps", "expected"), VALUE_CASES,
                         ids=[type(c[0]).__name__ for c in VALUE_CASES])
def test_schedule_values_at_chosen_steps(schedule, steps, expected):
    np.testing.assert_allclose(schedule(np.array(steps)), expected, rtol=1e-5, atol=1e-8)


KERAS_SCHEDULES = keras.optimizers.schedules
KERAS_CASES = [
    (StepDecay(0.1, 7, 0.6), KERAS_SCHEDULES.ExponentialDecay(0.1, 7, 0.6, staircase=True)),
    (ExponentialDecay(0.1, 7, 0.6), KERAS_SCHEDULES.ExponentialDecay(0.1, 7, 0.6)),
    (LinearDecay(0.1, 30, 0.02), KERAS_SCHEDULES.PolynomialDecay(0.1, 30, 0.02, power=1.0)),
    (CosineDecay(0.1, 30, alpha=0.2), KERAS_SCHEDULES.CosineDecay(0.1, 30, alpha=0.2)),
    (CosineDecay(0.1, 30, alpha=0.2, warmup_steps=8),
     KERAS_SCHEDULES.CosineDecay(0.0, 30, alpha=0.2, warmup_target=0.1, warmup_steps=8)),
]


@pytest.mark.parametrize(("ours", "theirs"), KERAS_CASES,
                         ids=["step", "exponential", "linear", "cosine", "cosine_warmup"])
def test_schedule_reproduces_keras_schedule(ours, theirs):
    steps = np.arange(50)
    expected = [float(theirs(int(t))) for t in steps]
    np.testing.assert_allclose(ours(steps), expected, rtol=1e-6, atol=1e-9)


def test_triangular_repeats_every_two_step_sizes():
    schedule = Triangular(0.01, 0.1, 4)
    steps = np.arange(40)
    np.testing.assert_allclose(schedule(steps), schedule(steps + 8), rtol=1e-6)
    assert np.argmax(schedule(np.arange(8))) == 4


def test_one_cycle_peaks_at_end_of_warmup_and_ends_far_below_start():
    values = OneCycle(0.5, 200, pct_start=0.25)(np.arange(201)).numpy()
    assert np.argmax(values) == 50 and values[50] == pytest.approx(0.5)
    assert np.all(np.diff(values[:51]) > 0) and np.all(np.diff(values[50:]) < 0)
    assert values[-1] == pytest.approx(0.5 / 25 / 1e4)


@pytest.mark.parametrize("step", [3, np.int64(3), tf.constant(3), tf.constant(3.0)])
def test_schedule_accepts_ints_and_tensors(step):
    value = CosineDecay(0.1, 10, warmup_steps=2)(step)
    assert value.dtype == tf.float32 and value.shape == ()
    np.testing.assert_allclose(value, 0.1 * 0.5 * (1 + np.cos(np.pi * 0.1)), rtol=1e-6)


def test_schedule_keeps_the_shape_of_its_input_and_works_in_tf_function():
    steps = np.arange(12).reshape(3, 4)
    schedule = OneCycle(1.0, 10)
    assert schedule(steps).shape == (3, 4)
    compiled = tf.function(schedule)
    np.testing.assert_allclose(compiled(tf.constant(steps)), schedule(steps), rtol=1e-6)


def test_schedules_are_frozen():
    schedule = StepDecay(0.1, 10, 0.5)
    with pytest.raises(AttributeError):
        schedule.decay_rate = 0.9


@pytest.mark.parametrize(("make", "expected"), [
    (lambda: Constant(0.0), "`learning_rate`. Expected a float value > 0. Received: "
                            "learning_rate=0.0"),
    (lambda: StepDecay(0.1, 0, 0.5), "`decay_steps`. Expected an integer value >= 1. Received: "
                                     "decay_steps=0"),
    (lambda: StepDecay(0.1, 2.5, 0.5), "`decay_steps`. Expected an integer value >= 1"),
    (lambda: ExponentialDecay(0.1, 10, 1.5), "`decay_rate`. Expected a float value in (0, 1]"),
    (lambda: ExponentialDecay(-0.1, 10, 0.5), "`initial_learning_rate`. Expected a float value > 0"),
    (lambda: LinearDecay(0.1, 10, 0.2), "`end_learning_rate`. Expected a float value in "
                                        "[0, initial_learning_rate=0.1]"),
    (lambda: CosineDecay(0.1, 10, alpha=2.0), "`alpha`. Expected a float value in [0, 1]"),
    (lambda: CosineDecay(0.1, 10, warmup_steps=-1), "`warmup_steps`. Expected an integer value "
                                                    ">= 0"),
    (lambda: Triangular(0.1, 0.01, 5), "`max_learning_rate`. Expected a float value >= "
                                       "base_learning_rate=0.1. Received: max_learning_rate=0.01"),
    (lambda: Triangular(0.01, 0.1, True), "`step_size`. Expected an integer value >= 1"),
    (lambda: OneCycle(1.0, 100, pct_start=1.0), "`pct_start`. Expected a float value in (0, 1)"),
    (lambda: OneCycle(1.0, 100, div_factor=0.5), "`div_factor`. Expected a float value >= 1"),
    (lambda: OneCycle(float("inf"), 100), "`max_learning_rate`. Expected a finite float "
                                          "value > 0"),
])
def test_bad_argument_raises_value_error_naming_it(make, expected):
    with pytest.raises(ValueError) as error:
        make()
    assert str(error.value).startswith("Invalid value received for argument " + expected)
