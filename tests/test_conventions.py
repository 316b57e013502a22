"""The conventions the notebooks and CONVENTIONS.md state, checked against TensorFlow and Keras.

Each test holds one sentence of the text to what the library does, so that an erratum (a claim
about TensorFlow that is false, an equivalence stated the wrong way round) fails here.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from dl4lib import activations
from tools import course

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

ROOT = Path(__file__).resolve().parents[1]
SELU_LAMBDA, SELU_ALPHA = 1.0507009873554805, 1.6732632423543772


def tf_derivative_at_zero(function):
    x = tf.constant([0.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = function(x)
    return float(tape.gradient(y, x)[0])


def markdown(assignment, cell_id):
    (path,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    (cell,) = [c for c in nbformat.read(path, as_version=4).cells if c.get("id") == cell_id]
    return " ".join(cell.source.split())


# --- Unit 1: derivatives at a kink -----------------------------------------------------------

@pytest.mark.parametrize("name, tf_function, course_derivative", [
    ("relu", tf.nn.relu, activations.relu_derivative),
    ("leaky_relu", lambda x: tf.nn.leaky_relu(x, alpha=0.2),
     lambda x: activations.leaky_relu_derivative(x, 0.2)),
    ("elu", lambda x: keras.activations.elu(x, alpha=2.0),
     lambda x: activations.elu_derivative(x, 2.0)),
    ("elu", tf.nn.elu, activations.elu_derivative),
])
def test_tensorflow_agrees_with_the_course_at_the_kink(name, tf_function, course_derivative):
    assert tf_derivative_at_zero(tf_function) == pytest.approx(float(course_derivative(0.0)))


@pytest.mark.parametrize("tf_function", [tf.nn.selu, keras.activations.selu])
def test_selu_kink_tensorflow_takes_the_right_hand_value_the_course_the_left(tf_function):
    assert tf_derivative_at_zero(tf_function) == pytest.approx(SELU_LAMBDA, rel=1e-6)
    assert float(activations.selu_derivative(0.0)) == pytest.approx(SELU_LAMBDA * SELU_ALPHA)


def test_unit1_states_the_kink_rule_as_the_course_convention_with_the_right_numbers():
    text = markdown("01_activations", "rules")
    assert "This is the convention TensorFlow uses" not in text
    assert "course's convention" in text
    assert f"{SELU_LAMBDA:.4f}" in text and f"{SELU_LAMBDA * SELU_ALPHA:.4f}" in text


def test_unit1_says_selu_needs_lecun_weights():
    text = markdown("01_activations", "elu_md")
    assert "1/n_{\\text{in}}" in text and "LeCun" in text


# --- Unit 8: Adam's epsilon-hat and AMSGrad --------------------------------------------------

@pytest.mark.parametrize("step", [1, 2, 10, 1000])
def test_keras_epsilon_equals_the_textbook_one_divided_by_sqrt_of_the_correction(step):
    """adam_step docstring: epsilon_hat with eps == textbook with eps / sqrt(1 - beta_2^t)."""
    from dl4lib.optimizers import adam_step, init_adam

    beta_2, epsilon = 0.999, 1e-3
    rng = np.random.default_rng(step)
    m0, v0 = rng.normal(size=3) * 1e-3, rng.uniform(0, 1e-6, size=3)
    grad = tf.constant(rng.normal(size=3) * 1e-3, tf.float32)

    def one_step(**kwargs):
        param = tf.Variable(np.zeros(3, np.float32))
        slots = init_adam(param)
        slots["momentum"].assign(m0)
        slots["velocity"].assign(v0)
        adam_step(param, grad, slots, step, beta_2=beta_2, **kwargs)
        return param.numpy()

    keras_form = one_step(epsilon=epsilon, epsilon_hat=True)
    textbook = one_step(epsilon=epsilon / np.sqrt(1 - beta_2**step))
    wrong_way = one_step(epsilon=epsilon * np.sqrt(1 - beta_2**step))
    np.testing.assert_allclose(keras_form, textbook, rtol=1e-5)
    assert step > 100 or not np.allclose(keras_form, wrong_way, rtol=1e-3)


def test_adam_step_docstring_states_the_equivalence_the_right_way_round():
    from dl4lib.optimizers import adam_step

    doc = " ".join(adam_step.__doc__.split())
    assert "epsilon replaced by epsilon / sqrt(1 - beta_2^t)" in doc


def test_amsgrad_with_bias_correction_lets_v_hat_fall_while_v_max_stays():
    """Unit 8's check cell: v_max is fixed from step 3, v_hat falls from 78.8 to 47.6."""
    from dl4lib.optimizers import adam_step, init_adam

    param = tf.Variable([0.0])
    slots = init_adam(param, amsgrad=True)
    v_max, v_hat = [], []
    for t, g in enumerate([10.0, 10.0, 10.0, 0.1, 0.1, 0.1, 0.1, 0.1], 1):
        adam_step(param, tf.constant([g]), slots, t, learning_rate=0.1, beta_2=0.9, amsgrad=True)
        v_max.append(float(slots["velocity_max"][0]))
        v_hat.append(v_max[-1] / (1 - 0.9**t))
    assert np.all(np.diff(v_max) >= 0)  # the raw maximum never decreases
    assert v_max[2] == pytest.approx(27.1, rel=1e-5) and v_max[-1] == v_max[2]
    assert v_hat[3] == pytest.approx(78.8, abs=0.05) and v_hat[7] == pytest.approx(47.6, abs=0.05)
    text = markdown("08_adam", "amsgrad_check_md")
    assert "78.8" in text and "47.6" in text and "29 %" in text
    assert np.sqrt(v_hat[3] / v_hat[7]) == pytest.approx(1.29, abs=0.005)
    text = markdown("08_adam", "amsgrad_md")
    assert "so a coordinate's step size never grows" not in text and "before bias correction" in text


# --- L2 and weight decay (units 5 and 8) -----------------------------------------------------

def test_keras_l2_penalty_has_gradient_two_lambda_w():
    w = tf.Variable([0.5, -2.0, 3.0])
    with tf.GradientTape() as tape:
        penalty = keras.regularizers.L2(l2=0.01)(w)
    np.testing.assert_allclose(tape.gradient(penalty, w).numpy(), 2 * 0.01 * w.numpy(), rtol=1e-6)


def run_keras(optimizer, loss_fn, steps=3):
    w = keras.Variable(np.array([1.0, -2.0, 0.5], dtype="float32"))
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = loss_fn(w)
        optimizer.apply_gradients([(tape.gradient(loss, w), w)])
    return np.asarray(w)


def data_loss(w):
    return tf.reduce_sum((w - tf.constant([0.3, 0.1, -0.2])) ** 2)


def test_sgd_with_l2_lambda_equals_sgd_with_weight_decay_two_lambda():
    lr, lam = 0.1, 0.05
    with_penalty = run_keras(keras.optimizers.SGD(lr),
                             lambda w: data_loss(w) + keras.regularizers.L2(l2=lam)(w))
    decayed = run_keras(keras.optimizers.SGD(lr, weight_decay=2 * lam), data_loss)
    half = run_keras(keras.optimizers.SGD(lr, weight_decay=lam), data_loss)
    np.testing.assert_allclose(with_penalty, decayed, rtol=1e-5)
    assert not np.allclose(with_penalty, half, rtol=1e-3)


def test_adamw_weight_decay_shrinks_by_learning_rate_times_decay():
    lr, wd = 0.1, 0.5
    shrunk = run_keras(keras.optimizers.AdamW(lr, weight_decay=wd), lambda w: 0.0 * tf.reduce_sum(w))
    np.testing.assert_allclose(shrunk, np.array([1.0, -2.0, 0.5]) * (1 - lr * wd) ** 3, rtol=1e-5)


def test_adam_with_l2_is_not_adamw():
    lr, lam = 0.01, 0.05
    adam_l2 = run_keras(keras.optimizers.Adam(lr),
                        lambda w: data_loss(w) + keras.regularizers.L2(l2=lam)(w), steps=20)
    adamw = run_keras(keras.optimizers.AdamW(lr, weight_decay=2 * lam), data_loss, steps=20)
    assert not np.allclose(adam_l2, adamw, rtol=1e-3)


def test_units_5_and_8_reconcile_their_l2_conventions():
    assert "w = 2\\lambda" in markdown("05_dropout", "l2_md")
    assert "w = 2\\lambda" in markdown("08_adam", "adamw_md")


# --- "Momentum", epsilon and step counting ---------------------------------------------------

def test_batch_norm_momentum_is_the_weight_of_the_old_value():
    layer = keras.layers.BatchNormalization(momentum=0.9)
    x = np.array([[1.0], [3.0]], dtype="float32")  # batch mean 2
    layer(x, training=True)
    assert float(layer.moving_mean[0]) == pytest.approx(0.9 * 0.0 + 0.1 * 2.0)


def test_sgd_momentum_velocity_is_mu_v_minus_lr_g():
    w = run_keras(keras.optimizers.SGD(0.1, momentum=0.9), lambda w: tf.reduce_sum(w), steps=2)
    # v1 = -0.1, v2 = 0.9 * -0.1 - 0.1 = -0.19: w moves by -0.29 in total
    np.testing.assert_allclose(w, np.array([1.0, -2.0, 0.5]) - 0.29, rtol=1e-6)


@pytest.mark.parametrize("optimizer, accumulated", [
    (keras.optimizers.RMSprop(0.1, rho=0.9, epsilon=0.1), 0.1 * 4.0),
    (keras.optimizers.Adagrad(0.1, initial_accumulator_value=0.0, epsilon=0.1), 4.0),
])
def test_keras_puts_epsilon_inside_the_root_for_rmsprop_and_adagrad(optimizer, accumulated):
    w = run_keras(optimizer, lambda w: 2.0 * w[0], steps=1)  # g = 2 on the first coordinate
    inside = 1.0 - 0.1 * 2.0 / np.sqrt(accumulated + 0.1)
    outside = 1.0 - 0.1 * 2.0 / (np.sqrt(accumulated) + 0.1)
    assert w[0] == pytest.approx(inside, rel=1e-6) and not w[0] == pytest.approx(outside, rel=1e-3)


def test_schedules_count_from_zero_and_adam_from_one():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    w = run_keras(keras.optimizers.SGD(schedule), lambda w: tf.reduce_sum(w), steps=2)
    np.testing.assert_allclose(w, np.array([1.0, -2.0, 0.5]) - (0.1 + 0.05), rtol=1e-6)
    # Adam's first update, bias-corrected with t = 1, moves every coordinate by the learning rate
    w = run_keras(keras.optimizers.Adam(0.01), lambda w: tf.reduce_sum(w * [1e-3, 1.0, 1e3]), steps=1)
    np.testing.assert_allclose(w, np.array([1.0, -2.0, 0.5]) - 0.01, rtol=1e-4)


# --- the glossary is linked from every unit --------------------------------------------------

def test_conventions_glossary_exists_and_every_unit_links_it():
    assert (ROOT / "CONVENTIONS.md").is_file()
    for assignment in [a for a in course.assignments() if a[:2] <= "08"]:  # units 1-8
        intro = markdown(assignment, "intro")
        assert re.search(r"\]\(\.\./\.\./CONVENTIONS\.md\)", intro), assignment
