"""Tests for dl4lib.optimizers: NumPy goldens, cross-checks against keras.optimizers, properties."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from dl4lib import optimizers
from dl4lib.optimizers import Optimizer, get, minimize, names
from dl4lib.schedules import StepDecay

# --- A fixed problem: a quadratic 0.5 x^T A x - b^T x, gradient A x - b -----------------------

A = np.array([[3.0, 0.5, 0.0, 0.2],
              [0.5, 1.0, 0.1, 0.0],
              [0.0, 0.1, 0.2, 0.05],
              [0.2, 0.0, 0.05, 8.0]])
B = np.array([1.0, -2.0, 0.5, 3.0])
X0 = np.array([1.5, -0.7, 2.0, 0.3])


def np_grad(x):
    return A @ x - B


def run_rule(opt, steps, x0=X0):
    """Run `opt` on the quadratic with the parameter split into shapes (2,) and (2,): list of x."""
    a, b = tf.Variable(x0[:2], dtype=tf.float32), tf.Variable(x0[2:], dtype=tf.float32)
    A32, B32 = tf.constant(A, tf.float32), tf.constant(B, tf.float32)
    path = [x0.copy()]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            x = tf.concat([a, b], 0)
            loss = 0.5 * tf.tensordot(x, tf.linalg.matvec(A32, x), 1) - tf.tensordot(B32, x, 1)
        opt.apply(tape.gradient(loss, [a, b]), [a, b])
        path.append(np.concatenate([a.numpy(), b.numpy()]))
    return np.array(path)


# --- NumPy goldens of the textbook forms, written independently of the module ------------------

def golden(rule, steps, lr, **hp):
    """Path of `rule` (textbook form) on the quadratic, in float64 NumPy."""
    x = X0.copy()
    path = [x.copy()]
    s1, s2, s3 = np.zeros(4), np.zeros(4), np.zeros(4)
    eps = hp.get("epsilon", 1e-7)
    b1, b2 = hp.get("beta_1", 0.9), hp.get("beta_2", 0.999)
    for t in range(1, steps + 1):
        g = np_grad(x)
        if rule == "sgd":
            x = x - lr * g
        elif rule == "momentum":  # PyTorch / d2l form: b = mu b + g, x -= lr b
            s1 = hp["momentum"] * s1 + g
            x = x - lr * s1
        elif rule == "nesterov":  # PyTorch form: b = mu b + g, x -= lr (g + mu b)
            s1 = hp["momentum"] * s1 + g
            x = x - lr * (g + hp["momentum"] * s1)
        elif rule == "adagrad":
            s1 = s1 + g**2
            x = x - lr * g / (np.sqrt(s1) + eps)
        elif rule == "rmsprop":
            s1 = hp["rho"] * s1 + (1 - hp["rho"]) * g**2
            x = x - lr * g / (np.sqrt(s1) + eps)
        elif rule == "adadelta":
            rho = hp["rho"]
            s1 = rho * s1 + (1 - rho) * g**2
            dx = -np.sqrt(s2 + eps) / np.sqrt(s1 + eps) * g
            s2 = rho * s2 + (1 - rho) * dx**2
            x = x + lr * dx
        elif rule in ("adam", "adamw", "amsgrad"):
            x = x * (1 - lr * hp.get("weight_decay", 0.0))
            s1 = b1 * s1 + (1 - b1) * g
            s2 = b2 * s2 + (1 - b2) * g**2
            s3 = np.maximum(s3, s2) if rule == "amsgrad" else s2
            m_hat, v_hat = s1 / (1 - b1**t), s3 / (1 - b2**t)
            x = x - lr * m_hat / (np.sqrt(v_hat) + eps)
        elif rule == "nadam":
            s1 = b1 * s1 + (1 - b1) * g
            s2 = b2 * s2 + (1 - b2) * g**2
            m_bar = b1 * s1 / (1 - b1 ** (t + 1)) + (1 - b1) * g / (1 - b1**t)
            x = x - lr * m_bar / (np.sqrt(s2 / (1 - b2**t)) + eps)
        path.append(x.copy())
    return np.array(path)


# Large epsilons make its placement (inside or outside the square root) visible.
GOLDEN_CASES = [
    ("sgd", 0.1, {}),
    ("momentum", 0.05, {"momentum": 0.9}),
    ("nesterov", 0.05, {"momentum": 0.9}),
    ("adagrad", 0.3, {"epsilon": 0.1}),
    ("rmsprop", 0.05, {"rho": 0.9, "epsilon": 0.05}),
    ("adadelta", 1.0, {"rho": 0.95, "epsilon": 1e-3}),
    ("adam", 0.1, {"epsilon": 0.05}),
    ("adamw", 0.1, {"weight_decay": 0.2}),
    ("nadam", 0.1, {"epsilon": 0.05}),
    ("amsgrad", 0.1, {"beta_2": 0.9, "epsilon": 0.05}),
]


@pytest.mark.parametrize(("rule", "lr", "hp"), GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_textbook_form_matches_numpy_golden(rule, lr, hp):
    ours = run_rule(get(rule, learning_rate=lr, **hp), 12)
    np.testing.assert_allclose(ours, golden(rule, 12, lr, **hp), rtol=2e-5, atol=2e-6)


# --- Cross-check against keras.optimizers over 25 steps ----------------------------------------

# (rule, our flags for Keras' form, Keras class, its arguments); shared arguments (a large
# epsilon where its placement matters) are given to both.
KERAS_CASES = [
    ("sgd", {}, keras.optimizers.SGD, {}),
    ("momentum", {}, keras.optimizers.SGD, {"momentum": 0.9}),
    ("nesterov", {}, keras.optimizers.SGD, {"momentum": 0.9, "nesterov": True}),
    ("adagrad", {"initial_accumulator_value": 0.1, "epsilon_inside_sqrt": True},
     keras.optimizers.Adagrad, {"epsilon": 0.05}),
    ("rmsprop", {"epsilon_inside_sqrt": True}, keras.optimizers.RMSprop, {"epsilon": 0.05}),
    ("adadelta", {}, keras.optimizers.Adadelta, {"epsilon": 1e-3}),
    ("adam", {"epsilon_hat": True}, keras.optimizers.Adam, {"epsilon": 0.05}),
    ("adamw", {"epsilon_hat": True}, keras.optimizers.AdamW, {"weight_decay": 0.2}),
    ("nadam", {"momentum_schedule": True}, keras.optimizers.Nadam, {"epsilon": 0.05}),
    ("amsgrad", {"epsilon_hat": True}, keras.optimizers.Adam,
     {"amsgrad": True, "beta_2": 0.9, "epsilon": 0.05}),
]


def keras_path(keras_opt, steps):
    return run_rule(_KerasAdapter(keras_opt), steps)


class _KerasAdapter:
    def __init__(self, keras_opt):
        self.keras_opt = keras_opt

    def apply(self, grads, variables):
        self.keras_opt.apply(grads, variables)


@pytest.mark.parametrize(("rule", "flags", "keras_cls", "keras_kwargs"), KERAS_CASES,
                         ids=[c[0] for c in KERAS_CASES])
def test_keras_form_reproduces_keras_optimizer(rule, flags, keras_cls, keras_kwargs):
    lr = 1.0 if rule == "adadelta" else 0.05
    shared = {k: v for k, v in keras_kwargs.items() if k not in ("momentum", "nesterov", "amsgrad")}
    ours = run_rule(get(rule, learning_rate=lr, **shared, **flags), 25)
    theirs = keras_path(keras_cls(learning_rate=lr, **keras_kwargs), 25)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("rule", ["adagrad", "rmsprop", "adam", "nadam"])
def test_textbook_default_differs_from_keras_form(rule):
    keras_form = KERAS_CASES[names().index(rule)][1]
    default = run_rule(get(rule, learning_rate=0.05, epsilon=0.1), 5)
    flagged = run_rule(get(rule, learning_rate=0.05, epsilon=0.1, **keras_form), 5)
    assert np.abs(default - flagged).max() > 1e-3


@pytest.mark.parametrize(("kwargs", "keras_kwargs"), [
    ({"clipvalue": 0.5}, {"clipvalue": 0.5}),
    ({"global_clipnorm": 1.0}, {"global_clipnorm": 1.0}),
    ({"learning_rate": StepDecay(0.1, 3, 0.5)},
     {"learning_rate": keras.optimizers.schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True)}),
], ids=["clipvalue", "global_clipnorm", "schedule"])
def test_clipping_and_schedule_options_reproduce_keras(kwargs, keras_kwargs):
    ours = run_rule(get("momentum", **{"learning_rate": 0.1, **kwargs}), 20)
    theirs = keras_path(keras.optimizers.SGD(**{"learning_rate": 0.1, "momentum": 0.9,
                                                **keras_kwargs}), 20)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


# --- Properties --------------------------------------------------------------------------------

@pytest.mark.parametrize("momentum", [0.0, 1e-12])
def test_momentum_zero_is_sgd(momentum):
    heavy_ball = run_rule(get("momentum", learning_rate=0.1, momentum=momentum), 10)
    np.testing.assert_allclose(heavy_ball, run_rule(get("sgd", learning_rate=0.1), 10),
                               rtol=1e-6, atol=1e-7)


def test_nesterov_differs_from_heavy_ball():
    lr, mu = 0.05, 0.9
    heavy = run_rule(get("momentum", learning_rate=lr, momentum=mu), 10)
    nesterov = run_rule(get("nesterov", learning_rate=lr, momentum=mu), 10)
    g0 = np_grad(X0)
    np.testing.assert_allclose(heavy[1], X0 - lr * g0, rtol=1e-6)
    np.testing.assert_allclose(nesterov[1], X0 - lr * (1 + mu) * g0, rtol=1e-6)
    assert np.abs(heavy - nesterov).max() > 0.05


def test_adam_first_step_moves_each_parameter_by_about_learning_rate():
    x = tf.Variable([1.0, 2.0, 3.0, 4.0])
    grad = tf.constant([1e-3, -0.5, 20.0, -1e3])
    opt = get("adam", learning_rate=0.01)
    opt.apply([grad], [x])
    np.testing.assert_allclose(x.numpy() - [1.0, 2.0, 3.0, 4.0],
                               -0.01 * np.sign(grad.numpy()), rtol=1e-3)


def test_adagrad_effective_step_never_grows():
    x = tf.Variable([2.0, -3.0])
    opt = get("adagrad", learning_rate=0.5)
    effective = []
    for k in range(30):
        grad = tf.constant([np.cos(k), 5.0 * np.sin(0.3 * k) + 0.1], tf.float32)
        before = x.numpy()
        opt.apply([grad], [x])
        effective.append(np.abs(x.numpy() - before) / np.abs(grad.numpy()))
    assert np.all(np.diff(np.array(effective), axis=0) <= 1e-6)


def test_adamw_decays_weights_without_gradient():
    x = tf.Variable([1.0, -2.0])
    opt = get("adamw", learning_rate=0.1, weight_decay=0.5)
    for _ in range(5):
        opt.apply([tf.zeros(2)], [x])
    np.testing.assert_allclose(x.numpy(), np.array([1.0, -2.0]) * 0.95**5, rtol=1e-6)


def test_amsgrad_never_lets_the_denominator_shrink():
    x = tf.Variable([0.0])
    opt = get("amsgrad", learning_rate=0.1, beta_2=0.5)
    vmax = []
    for g in [10.0, 10.0, 0.1, 0.1, 0.1]:
        opt.apply([tf.constant([g])], [x])
        vmax.append(opt.slots(x)["velocity_max"].numpy()[0])
    np.testing.assert_allclose(vmax, [50.0, 75.0, 75.0, 75.0, 75.0], rtol=1e-6)
    assert opt.slots(x)["velocity"].numpy()[0] < 10.0


def test_schedule_is_evaluated_at_the_number_of_updates_done():
    x = tf.Variable([1.0])
    schedule = StepDecay(0.5, 1, 0.5)  # 0.5, 0.25, 0.125, ...
    opt = get("sgd", learning_rate=schedule)
    for _ in range(4):
        with tf.GradientTape() as tape:
            loss = 0.5 * tf.reduce_sum(x**2)  # gradient x: x <- x (1 - lr)
        opt.apply(tape.gradient(loss, [x]), [x])
    expected = (1 - 0.5) * (1 - 0.25) * (1 - 0.125) * (1 - 0.0625)
    np.testing.assert_allclose(x.numpy(), [expected], rtol=1e-6)
    assert int(opt.iterations.numpy()) == 4


def test_clipvalue_caps_each_gradient_entry():
    x = tf.Variable([0.0, 0.0, 0.0])
    get("sgd", learning_rate=1.0, clipvalue=0.5).apply([tf.constant([3.0, -0.2, -7.0])], [x])
    np.testing.assert_allclose(x.numpy(), [-0.5, 0.2, 0.5])


def test_global_clipnorm_caps_the_length_of_the_whole_step():
    a, b = tf.Variable([0.0, 0.0]), tf.Variable([0.0])
    get("sgd", learning_rate=1.0, global_clipnorm=1.0).apply(
        [tf.constant([3.0, 0.0]), tf.constant([4.0])], [a, b])
    np.testing.assert_allclose(np.concatenate([a.numpy(), b.numpy()]), [-0.6, 0.0, -0.8],
                               rtol=1e-6)


# --- Optimizer: own rules, tf.function, bookkeeping ---------------------------------------------

def init_student_momentum(param):
    return {"b": tf.Variable(tf.zeros_like(param))}


def student_momentum_step(param, grad, slots, step, learning_rate=0.01, momentum=0.9):
    b = slots["b"]
    b.assign(momentum * b + grad)
    param.assign_sub(learning_rate * b)


def test_optimizer_runs_a_students_rule():
    opt = Optimizer(student_momentum_step, init_student_momentum, learning_rate=0.05)
    assert opt.name == "student_momentum"
    assert opt.hyperparams == {"learning_rate": 0.05, "momentum": 0.9}
    np.testing.assert_allclose(run_rule(opt, 10), golden("momentum", 10, 0.05, momentum=0.9),
                               rtol=1e-5, atol=1e-6)


def test_init_receives_the_hyperparameters_it_names():
    x = tf.Variable([1.0, 2.0])
    opt = get("adagrad", initial_accumulator_value=0.25)
    opt.build([x])
    np.testing.assert_array_equal(opt.slots(x)["accumulator"].numpy(), [0.25, 0.25])
    sgd, momentum = get("sgd"), get("momentum")
    sgd.build([x])
    momentum.build([x])
    assert sgd.slots(x) == {} and list(momentum.slots(x)) == ["velocity"]


@pytest.mark.parametrize("rule", ["nesterov", "nadam", "amsgrad"])
def test_apply_inside_tf_function_equals_eager(rule):
    eager = get(rule, learning_rate=0.05)
    graph = get(rule, learning_rate=0.05)
    compiled = tf.function(graph.apply)
    x_eager, x_graph = tf.Variable([1.0, -2.0]), tf.Variable([1.0, -2.0])
    for k in range(6):
        grad = tf.constant([np.sin(k) + 0.5, 2.0 * np.cos(k)], tf.float32)
        eager.apply([grad], [x_eager])
        compiled([grad], [x_graph])
    np.testing.assert_allclose(x_graph.numpy(), x_eager.numpy(), rtol=1e-6)
    assert int(graph.iterations.numpy()) == 6


def test_apply_works_on_keras_layer_weights():
    layer = keras.layers.Dense(2, kernel_initializer="ones")
    layer.build((None, 3))
    opt = get("sgd", learning_rate=0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(tf.ones((1, 3))))
    opt.apply(tape.gradient(loss, layer.trainable_variables), layer.trainable_variables)
    np.testing.assert_allclose(layer.kernel.numpy(), np.full((3, 2), 0.9), rtol=1e-6)
    np.testing.assert_allclose(layer.bias.numpy(), [-0.1, -0.1], rtol=1e-6)


# --- minimize ----------------------------------------------------------------------------------

def test_minimize_returns_path_and_losses_of_the_documented_shapes():
    a, b = tf.Variable([1.0, -1.0]), tf.Variable([[0.5, 2.0], [1.0, 0.0]])

    def loss_fn():
        return tf.reduce_sum(a**2) + tf.reduce_sum((b - 1.0) ** 2)

    trajectory = minimize(loss_fn, [a, b], get("sgd", learning_rate=0.1), 7)
    assert trajectory.params.shape == (8, 6) and trajectory.losses.shape == (8,)
    np.testing.assert_allclose(trajectory.params[0], [1.0, -1.0, 0.5, 2.0, 1.0, 0.0])
    np.testing.assert_allclose(trajectory.params[-1],
                               np.concatenate([a.numpy(), b.numpy().ravel()]))
    # SGD with lr 0.1 on these squares shrinks the distance to the minimum by 0.8 per step.
    minimum = np.array([0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    expected = minimum + (trajectory.params[0] - minimum) * 0.8 ** np.arange(8)[:, None]
    np.testing.assert_allclose(trajectory.params, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(trajectory.losses,
                               ((expected - minimum) ** 2).sum(axis=1), rtol=1e-5)


def test_minimize_accepts_a_name_and_zero_steps():
    x = tf.Variable([3.0])
    trajectory = minimize(lambda: tf.reduce_sum(x**2), [x], "adam", 0)
    assert trajectory.params.shape == (1, 1) and trajectory.losses.tolist() == [9.0]
    trajectory = minimize(lambda: tf.reduce_sum(x**2), [x], "adam", 3)
    np.testing.assert_allclose(trajectory.params[:, 0], [3.0, 2.999, 2.998, 2.997], rtol=1e-5)


def test_trajectory_is_frozen():
    trajectory = optimizers.Trajectory(params=np.zeros((1, 1)), losses=np.zeros(1))
    with pytest.raises(AttributeError):
        trajectory.params = np.ones((1, 1))


# --- Errors ------------------------------------------------------------------------------------

def test_names_lists_every_rule():
    assert names() == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam",
                       "adamw", "nadam", "amsgrad"]


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"`identifier`. Expected one of 'sgd'.*'amsgrad'. "
                                         r"Received: identifier='adamm'"):
        get("adamm")


def test_get_returns_an_optimizer_unchanged():
    opt = get("adam")
    assert get(opt) is opt
    with pytest.raises(ValueError, match="with a rule name"):
        get(opt, learning_rate=0.1)


def test_bad_learning_rate_message_names_argument_expectation_and_value():
    with pytest.raises(ValueError) as error:
        get("sgd", learning_rate=-1)
    assert str(error.value) == ("Invalid value received for argument `learning_rate`. "
                                "Expected a float value > 0. Received: learning_rate=-1")


@pytest.mark.parametrize(("rule", "kwargs", "expected"), [
    ("momentum", {"momentum": 1.0}, "momentum=1.0"),
    ("nesterov", {"momentum": -0.1}, "momentum=-0.1"),
    ("rmsprop", {"rho": 1.5}, "rho=1.5"),
    ("adam", {"beta_1": 1.0}, "beta_1=1.0"),
    ("nadam", {"beta_2": float("nan")}, "beta_2=nan"),
    ("adagrad", {"epsilon": 0.0}, "epsilon=0.0"),
    ("adamw", {"weight_decay": -0.1}, "weight_decay=-0.1"),
    ("adagrad", {"initial_accumulator_value": -1.0}, "initial_accumulator_value=-1.0"),
    ("sgd", {"nesterov": "yes"}, "nesterov='yes'"),
    ("adam", {"learning_rate": "0.1"}, "learning_rate='0.1'"),
    ("sgd", {"clipvalue": 0}, "clipvalue=0"),
    ("sgd", {"global_clipnorm": -1.0}, "global_clipnorm=-1.0"),
])
def test_bad_hyperparameter_raises_value_error_naming_it(rule, kwargs, expected):
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=rf"argument `{name}`\. Expected .*Received: {expected}"):
        get(rule, **kwargs)


def test_unknown_hyperparameter_lists_the_rules_hyperparameters():
    with pytest.raises(ValueError, match=r"not recognized by `adam`: \['momentum'\].*'beta_1'"):
        get("adam", momentum=0.9)


def test_clipvalue_and_global_clipnorm_are_exclusive():
    with pytest.raises(ValueError, match="Only one of `clipvalue` and `global_clipnorm`"):
        get("sgd", clipvalue=1.0, global_clipnorm=1.0)


def test_step_function_without_learning_rate_is_rejected():
    def no_lr_step(param, grad, slots, step, momentum=0.9):
        pass

    with pytest.raises(ValueError, match="`no_lr` must take a `learning_rate`"):
        Optimizer(no_lr_step)


def test_hyperparameter_without_default_must_be_given():
    def bare_step(param, grad, slots, step, learning_rate, momentum):
        pass

    with pytest.raises(ValueError, match=r"needs a value for the hyper-parameter\(s\) "
                                         r"\['momentum'\]"):
        Optimizer(bare_step, learning_rate=0.1)


def test_apply_rejects_missing_or_mismatched_gradients():
    x, y = tf.Variable([1.0]), tf.Variable([2.0], name="unused")
    opt = get("sgd")
    with pytest.raises(ValueError, match="one gradient per variable"):
        opt.apply([tf.ones(1)], [x, y])
    with pytest.raises(ValueError, match="No gradient for variable `unused"):
        opt.apply([tf.ones(1), None], [x, y])


@pytest.mark.parametrize("steps", [-1, 2.5, True])
def test_minimize_rejects_bad_steps(steps):
    x = tf.Variable([1.0])
    with pytest.raises(ValueError, match="argument `steps`"):
        minimize(lambda: x**2, [x], "sgd", steps)


@pytest.mark.parametrize("lambda_min, lambda_max", [(0.01, 1.0), (1.0, 10.0), (3.0, 75.0)])
def test_heavy_ball_parameters_give_the_rate_sqrt_mu_on_every_curvature(lambda_min, lambda_max):
    learning_rate, momentum = optimizers.heavy_ball_parameters(lambda_min, lambda_max)
    kappa = lambda_max / lambda_min
    assert np.sqrt(momentum) == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1))
    # the spectral radius of the 2x2 iteration matrix is sqrt(momentum) for every curvature
    # in [lambda_min, lambda_max] (up to round-off at the ends, where the roots coincide)
    for lam in np.linspace(lambda_min, lambda_max, 9):
        matrix = np.array([[1 + momentum - learning_rate * lam, -momentum], [1.0, 0.0]])
        radius = np.max(np.abs(np.linalg.eigvals(matrix)))
        assert radius == pytest.approx(np.sqrt(momentum), rel=1e-6, abs=1e-6)


def test_heavy_ball_parameters_minimize_the_worst_rate_over_a_grid():
    learning_rate, momentum = optimizers.heavy_ball_parameters(0.1, 1.0)

    def worst_radius(eta, mu):
        return max(np.max(np.abs(np.linalg.eigvals([[1 + mu - eta * lam, -mu], [1.0, 0.0]])))
                   for lam in np.linspace(0.1, 1.0, 21))

    best = worst_radius(learning_rate, momentum)
    for eta in learning_rate * np.array([0.8, 0.9, 1.1, 1.2]):
        for mu in momentum * np.array([0.8, 0.9, 1.0, 1.1, 1.2]):
            assert worst_radius(eta, mu) > best - 1e-9


def test_heavy_ball_parameters_measured_rate_beats_gradient_descent():
    curvatures = np.array([0.01, 1.0])
    learning_rate, momentum = optimizers.heavy_ball_parameters(0.01, 1.0)
    w, v = np.ones(2), np.zeros(2)
    for _ in range(200):
        v = momentum * v - learning_rate * curvatures * w
        w = w + v
    # rate sqrt(mu) = 9/11 per step: after 200 steps about (9/11)^200 * 200, far below 1e-10
    assert np.linalg.norm(w) < 1e-12
    gd = np.ones(2) * (1 - 2 / 1.01 * curvatures) ** 200  # gradient descent at its best rate
    assert np.linalg.norm(gd) > 1e-2


def test_heavy_ball_parameters_with_equal_curvatures_is_newton_without_momentum():
    assert optimizers.heavy_ball_parameters(4.0, 4.0) == (0.25, 0.0)


@pytest.mark.parametrize(("lambdas", "message"), [
    ((0.0, 1.0), r"`lambda_min`. Expected a float value > 0"),
    ((-1.0, 1.0), r"`lambda_min`. Expected a float value > 0"),
    ((2.0, 1.0), r"`lambda_max`. Expected a float value >= lambda_min=2. Received: "
                  r"lambda_max=1.0"),
    ((1.0, float("inf")), r"`lambda_max`. Expected a finite float value >= lambda_min=1. "
                          r"Received: lambda_max=inf"),
])
def test_heavy_ball_parameters_reject_invalid_curvatures(lambdas, message):
    with pytest.raises(ValueError, match=message):
        optimizers.heavy_ball_parameters(*lambdas)


def test_adam_expected_step_matches_a_simulated_adam_on_noisy_gradients():
    """Adam on gradients of mean 1 and noise sigma moves, on average, by the formula's step
    (200 coordinates per sigma, so that the average step is not itself noisy)."""
    from dl4lib.optimizers import adam_expected_step

    sigmas = np.array([0.0, 1.0, 4.0])
    noise = np.repeat(sigmas[:, None], 200, axis=1)
    rng = np.random.default_rng(3)
    beta_1, beta_2, lr, eps = 0.9, 0.999, 0.01, 1e-7
    m = v = theta = np.zeros_like(noise)
    steps = 2000
    for t in range(1, steps + 1):
        if t == steps // 2 + 1:
            halfway = theta.copy()
        g = 1.0 + noise * rng.normal(size=noise.shape)
        m, v = beta_1 * m + (1 - beta_1) * g, beta_2 * v + (1 - beta_2) * g * g
        theta = theta - lr * (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + eps)
    measured = ((theta - halfway) / (steps - steps // 2)).mean(axis=1)
    np.testing.assert_allclose(measured, adam_expected_step(np.ones(3), sigmas, lr, eps), rtol=0.03)


def test_adam_expected_step_is_the_signal_to_noise_ratio_and_rejects_a_negative_std():
    from dl4lib.optimizers import adam_expected_step

    got = adam_expected_step(np.array([3.0, -3.0, 0.0]), np.array([4.0, 4.0, 1.0]), 0.1, 0.0)
    np.testing.assert_allclose(got, [-0.06, 0.06, 0.0])
    assert got.dtype == np.float64
    with pytest.raises(ValueError, match="`std`"):
        adam_expected_step(np.ones(2), np.array([1.0, -1.0]))
