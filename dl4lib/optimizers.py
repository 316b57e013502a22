"""Gradient-descent update rules, the `Optimizer` that applies them, and `minimize`.

Every update rule is a pair of plain functions with one contract:

    init_<rule>(param) -> slots
        Create the rule's state for one parameter: a dict of tf.Variables ("slots"), usually
        zeros shaped like `param`. It may also name hyper-parameters as keyword arguments (as
        `init_adagrad(param, initial_accumulator_value)`); it then receives their values. A rule
        without state needs no init function.

    <rule>_step(param, grad, slots, step, *, learning_rate, **hyperparams) -> None
        Update `param` and the slots in place with `.assign`, `.assign_add`, `.assign_sub`.
        param: tf.Variable of shape S.  grad: tensor of shape S, dloss/dparam.
        slots: the dict made by init_<rule>(param).  step: the 1-based number of this update,
        a scalar of param's dtype (a Python int also works when you call a rule by hand).
        The keyword arguments after `step`, with their defaults, are the rule's hyper-parameters;
        `learning_rate` is always one of them, and may arrive as a scalar tensor (a schedule).

Hyper-parameters carry Keras' names (`learning_rate`, `momentum`, `nesterov`, `rho`, `beta_1`,
`beta_2`, `epsilon`, `weight_decay`, `amsgrad`, `initial_accumulator_value`) and Keras' defaults,
except where noted. A rule is turned into an optimizer in one of two ways:

    opt = get("nesterov", learning_rate=0.1)                        # a registered rule by name
    opt = Optimizer(my_step, init_my_rule, learning_rate=0.1, momentum=0.9)   # your own rule

and `opt.apply(grads, variables)` performs one update, eagerly or inside `tf.function`.

    name        rule                Keras class reproduced (flags in brackets)
    sgd         sgd_step            SGD()
    momentum    sgd_step            SGD(momentum=0.9)
    nesterov    sgd_step            SGD(momentum=0.9, nesterov=True)
    adagrad     adagrad_step        Adagrad()     [initial_accumulator_value=0.1,
                                                   epsilon_inside_sqrt=True]
    rmsprop     rmsprop_step        RMSprop()     [epsilon_inside_sqrt=True]
    adadelta    adadelta_step       Adadelta()    [learning_rate=0.001]
    adam        adam_step           Adam()        [epsilon_hat=True]
    adamw       adam_step           AdamW()       [epsilon_hat=True]
    nadam       nadam_step          Nadam()       [momentum_schedule=True]
    amsgrad     adam_step           Adam(amsgrad=True)  [epsilon_hat=True]

By default each rule follows the textbook formula in its docstring; where Keras computes
something different, a flag (in brackets above) switches to Keras' form, which then matches
`keras.optimizers` to float32 round-off.
"""

import inspect
import math
from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from dl4lib._validation import check_number, check_one_of, invalid_argument
from dl4lib.clipping import clip_by_global_norm, clip_by_value


def _zeros_like(param):
    return tf.Variable(tf.zeros(param.shape, param.dtype), trainable=False)


# --- SGD, momentum, Nesterov -------------------------------------------------------------------

def init_sgd(param, momentum=0.0):
    """Slots of `sgd_step`: a "velocity" of shape S when momentum > 0, else none."""
    return {"velocity": _zeros_like(param)} if momentum > 0 else {}


def sgd_step(param, grad, slots, step, *, learning_rate=0.01, momentum=0.0, nesterov=False):
    """Gradient descent, optionally with heavy-ball or Nesterov momentum.

        plain:     theta <- theta - learning_rate * g
        momentum:  v <- momentum * v - learning_rate * g;   theta <- theta + v
        nesterov:  v <- momentum * v - learning_rate * g;
                   theta <- theta + momentum * v - learning_rate * g

    This is Keras' (and Goodfellow et al.'s) sign convention: v is a displacement and points
    downhill. Many texts (PyTorch, d2l) keep b <- momentum * b + g and step
    theta <- theta - learning_rate * b instead; both give the same path while the learning rate
    is constant, and differ under a schedule. The Nesterov line is the usual rewriting
    (Bengio et al., 2013) that needs the gradient at theta only, not at the look-ahead point.

    Args:
        param: tf.Variable of shape S.
        grad: tensor of shape S.
        slots: {"velocity": tf.Variable of shape S} when momentum > 0, else {}.
        step: unused.
        learning_rate: positive float or scalar tensor.
        momentum: float in [0, 1); 0 gives plain gradient descent.
        nesterov: bool, Nesterov's accelerated gradient instead of the heavy ball.

    Reference:
        Polyak, "Some methods of speeding up the convergence of iteration methods", 1964;
        Sutskever, Martens, Dahl and Hinton, "On the importance of initialization and
        momentum in deep learning", ICML 2013.
    """
    if momentum == 0:
        param.assign_sub(learning_rate * grad)
        return
    v = slots["velocity"]
    v.assign(momentum * v - learning_rate * grad)
    if nesterov:
        param.assign_add(momentum * v - learning_rate * grad)
    else:
        param.assign_add(v)



def heavy_ball_parameters(lambda_min, lambda_max):
    """The learning rate and momentum of the fastest heavy ball on a quadratic.

    On f(theta) = theta^T H theta / 2 with the eigenvalues of H in [lambda_min, lambda_max],
    each eigen-direction with curvature lam follows theta_{t+1} = (1 + mu - eta lam) theta_t
    - mu theta_{t-1}, whose characteristic roots z^2 - (1 + mu - eta lam) z + mu = 0 are complex
    with modulus sqrt(mu) exactly when (1 - sqrt(mu))^2 <= eta lam <= (1 + sqrt(mu))^2. The
    smallest mu for which this holds on the whole interval puts its ends on the two bounds:

        eta = (2 / (sqrt(lambda_max) + sqrt(lambda_min)))^2,
        mu = ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))^2,   kappa = lambda_max / lambda_min,

    and the error then shrinks by sqrt(mu) = (sqrt(kappa) - 1) / (sqrt(kappa) + 1) per step
    (times a factor linear in t, since the two roots coincide at the ends), against
    (kappa - 1) / (kappa + 1) for gradient descent at its best learning rate.

    Args:
        lambda_min: positive float, the smallest curvature.
        lambda_max: float >= lambda_min, the largest curvature.

    Returns:
        (learning_rate, momentum), a tuple of two floats.

    Reference:
        Polyak, "Some methods of speeding up the convergence of iteration methods", 1964;
        Goh, "Why Momentum Really Works", Distill, 2017.
    """
    lambda_min = check_number("lambda_min", lambda_min, low=0, low_open=True)
    lambda_max = check_number("lambda_max", lambda_max, low=("lambda_min", lambda_min))
    root_min, root_max = math.sqrt(lambda_min), math.sqrt(lambda_max)
    learning_rate = (2 / (root_max + root_min)) ** 2
    momentum = ((root_max - root_min) / (root_max + root_min)) ** 2
    return learning_rate, momentum

# --- AdaGrad -----------------------------------------------------------------------------------

def init_adagrad(param, initial_accumulator_value=0.0):
    """Slots of `adagrad_step`: an "accumulator" of shape S filled with the initial value."""
    return {"accumulator": tf.Variable(tf.fill(param.shape, tf.cast(initial_accumulator_value,
                                                                   param.dtype)),
                                       trainable=False)}


def adagrad_step(param, grad, slots, step, *, learning_rate=0.001, epsilon=1e-7,
                 initial_accumulator_value=0.0, epsilon_inside_sqrt=False):
    """AdaGrad: divide each coordinate's step by the root of its summed squared gradients.

        r <- r + g * g                                   (r starts at initial_accumulator_value)
        theta <- theta - learning_rate * g / (sqrt(r) + epsilon)        (textbook, default)
        theta <- theta - learning_rate * g / sqrt(r + epsilon)          (epsilon_inside_sqrt)

    Keras starts r at initial_accumulator_value=0.1 and puts epsilon inside the square root;
    pass both to reproduce `keras.optimizers.Adagrad`. Since r only grows, the effective step
    learning_rate / (sqrt(r) + epsilon) of each coordinate never grows.

    Args:
        param: tf.Variable of shape S.
        grad: tensor of shape S.
        slots: {"accumulator": tf.Variable of shape S}.
        step: unused.
        learning_rate: positive float or scalar tensor.
        epsilon: positive float, keeps the division finite.
        initial_accumulator_value: non-negative float, the start of r (used by `init_adagrad`).
        epsilon_inside_sqrt: bool, Keras' placement of epsilon.

    Reference:
        Duchi, Hazan and Singer, "Adaptive Subgradient Methods for Online Learning and
        Stochastic Optimization", JMLR 2011.
    """
    r = slots["accumulator"]
    r.assign_add(grad * grad)
    denominator = tf.sqrt(r + epsilon) if epsilon_inside_sqrt else tf.sqrt(r) + epsilon
    param.assign_sub(learning_rate * grad / denominator)


# --- RMSProp -----------------------------------------------------------------------------------

def init_rmsprop(param):
    """Slots of `rmsprop_step`: a "velocity" (running mean of g^2) of shape S."""
    return {"velocity": _zeros_like(param)}


def rmsprop_step(param, grad, slots, step, *, learning_rate=0.001, rho=0.9, epsilon=1e-7,
                 epsilon_inside_sqrt=False):
    """RMSProp: AdaGrad with a running mean of squared gradients instead of a sum.

        v <- rho * v + (1 - rho) * g * g
        theta <- theta - learning_rate * g / (sqrt(v) + epsilon)        (textbook, default)
        theta <- theta - learning_rate * g / sqrt(v + epsilon)          (epsilon_inside_sqrt)

    `keras.optimizers.RMSprop` puts epsilon inside the square root (its options momentum and
    centered are not covered here).

    Args:
        param: tf.Variable of shape S.
        grad: tensor of shape S.
        slots: {"velocity": tf.Variable of shape S}.
        step: unused.
        learning_rate: positive float or scalar tensor.
        rho: float in [0, 1), the decay of the running mean.
        epsilon: positive float.
        epsilon_inside_sqrt: bool, Keras' placement of epsilon.

    Reference:
        Tieleman and Hinton, "Lecture 6.5 - rmsprop", COURSERA: Neural Networks for Machine
        Learning, 2012.
    """
    v = slots["velocity"]
    v.assign(rho * v + (1 - rho) * grad * grad)
    denominator = tf.sqrt(v + epsilon) if epsilon_inside_sqrt else tf.sqrt(v) + epsilon
    param.assign_sub(learning_rate * grad / denominator)


# --- Adadelta ----------------------------------------------------------------------------------

def init_adadelta(param):
    """Slots of `adadelta_step`: running means of g^2 and of the update^2, both of shape S."""
    return {"accumulated_grad": _zeros_like(param), "accumulated_delta_var": _zeros_like(param)}


def adadelta_step(param, grad, slots, step, *, learning_rate=1.0, rho=0.95, epsilon=1e-7):
    """Adadelta: scale the step by the ratio of the RMS of past updates to the RMS of gradients.

        E[g^2] <- rho * E[g^2] + (1 - rho) * g * g
        delta <- -sqrt(E[dx^2] + epsilon) / sqrt(E[g^2] + epsilon) * g
        E[dx^2] <- rho * E[dx^2] + (1 - rho) * delta * delta
        theta <- theta + learning_rate * delta

    The paper has no learning rate, which is learning_rate=1.0, our default;
    `keras.optimizers.Adadelta` defaults to learning_rate=0.001 (the formula is the same).

    Args:
        param: tf.Variable of shape S.
        grad: tensor of shape S.
        slots: {"accumulated_grad", "accumulated_delta_var"}: tf.Variables of shape S.
        step: unused.
        learning_rate: positive float or scalar tensor.
        rho: float in [0, 1), the decay of both running means.
        epsilon: positive float; it also sets the size of the first steps.

    Reference:
        Zeiler, "ADADELTA: An Adaptive Learning Rate Method", 2012.
    """
    grad_sq, delta_sq = slots["accumulated_grad"], slots["accumulated_delta_var"]
    grad_sq.assign(rho * grad_sq + (1 - rho) * grad * grad)
    delta = -tf.sqrt(delta_sq + epsilon) / tf.sqrt(grad_sq + epsilon) * grad
    delta_sq.assign(rho * delta_sq + (1 - rho) * delta * delta)
    param.assign_add(learning_rate * delta)


# --- Adam, AdamW, AMSGrad ----------------------------------------------------------------------

def init_adam(param, amsgrad=False):
    """Slots of `adam_step`: "momentum", "velocity" (and "velocity_max" for AMSGrad), shape S."""
    slots = {"momentum": _zeros_like(param), "velocity": _zeros_like(param)}
    if amsgrad:
        slots["velocity_max"] = _zeros_like(param)
    return slots


def adam_step(param, grad, slots, step, *, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
              epsilon=1e-7, amsgrad=False, weight_decay=0.0, epsilon_hat=False):
    """Adam: momentum on g, divided by the root of a running mean of g^2, both bias-corrected.

        theta <- theta - learning_rate * weight_decay * theta        (AdamW, if weight_decay > 0)
        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g * g
        v_max <- max(v_max, v); v <- v_max                            (AMSGrad, if amsgrad)
        m_hat = m / (1 - beta_1^t),  v_hat = v / (1 - beta_2^t)
        theta <- theta - learning_rate * m_hat / (sqrt(v_hat) + epsilon)           (textbook)
        theta <- theta - learning_rate * sqrt(1 - beta_2^t) / (1 - beta_1^t)
                         * m / (sqrt(v) + epsilon)                             (epsilon_hat)

    `epsilon_hat=True` is Keras' form (the "efficient" ordering in section 2 of the paper): with
    a given epsilon it equals the textbook form with epsilon replaced by
    epsilon / sqrt(1 - beta_2^t), a larger epsilon in the first steps (x31.6 at t = 1 with
    beta_2 = 0.999). Equivalently, the textbook form with epsilon is Keras' form with
    epsilon * sqrt(1 - beta_2^t). The weight decay is decoupled from the gradient, as
    Loshchilov and Hutter propose and Keras applies it (scaled by learning_rate, as in Keras
    and PyTorch; the paper scales it by the schedule multiplier only). AMSGrad takes the
    maximum of the uncorrected v and then bias-corrects, as Keras and PyTorch do; Reddi et al.
    do not bias-correct.

    Args:
        param: tf.Variable of shape S.
        grad: tensor of shape S.
        slots: {"momentum", "velocity"} (and "velocity_max" with amsgrad): tf.Variables of
            shape S.
        step: t, the 1-based number of this update, a scalar.
        learning_rate: positive float or scalar tensor.
        beta_1: float in [0, 1), the decay of the mean of g.
        beta_2: float in [0, 1), the decay of the mean of g^2.
        epsilon: positive float.
        amsgrad: bool, use the running maximum of v (AMSGrad).
        weight_decay: non-negative float, decoupled weight decay (AdamW).
        epsilon_hat: bool, Keras' placement of epsilon.

    Reference:
        Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015;
        Loshchilov and Hutter, "Decoupled Weight Decay Regularization", ICLR 2019;
        Reddi, Kale and Kumar, "On the Convergence of Adam and Beyond", ICLR 2018.
    """
    m, v = slots["momentum"], slots["velocity"]
    if weight_decay > 0:
        param.assign_sub(learning_rate * weight_decay * param)
    # m <- beta_1 * m + (1 - beta_1) * g written as m <- m + (1 - beta_1) * (g - m): one
    # operation fewer, which matters on large tensors (see benchmarks/bench_optimizers.py).
    m.assign_add((1 - beta_1) * (grad - m))
    v.assign_add((1 - beta_2) * (grad * grad - v))
    if amsgrad:
        slots["velocity_max"].assign(tf.maximum(slots["velocity_max"], v))
        v = slots["velocity_max"]
    correction_1, correction_2 = 1 - beta_1**step, 1 - beta_2**step
    if epsilon_hat:
        alpha = learning_rate * tf.sqrt(correction_2) / correction_1
        param.assign_sub(alpha * m / (tf.sqrt(v) + epsilon))
    else:  # learning_rate * m_hat with the scalar division done once: m_hat = m / correction_1
        v_hat = v / correction_2
        param.assign_sub((learning_rate / correction_1) * m / (tf.sqrt(v_hat) + epsilon))


def adam_expected_step(mean, std, learning_rate=0.001, epsilon=1e-7):
    """Adam's average update of one coordinate whose gradients are noisy, once the moments settle.

    If a coordinate's gradients are independent draws with mean `mean` and standard deviation
    `std`, then after many steps (bias corrections near 1, both running means close to their
    expectations) m_hat ~ E[g] = mean and v_hat ~ E[g^2] = mean^2 + std^2, so the update
    theta_{t+1} - theta_t = -learning_rate * m_hat / (sqrt(v_hat) + epsilon) is on average

        -learning_rate * mean / (sqrt(mean^2 + std^2) + epsilon).

    Its size is learning_rate times the gradient's signal-to-noise ratio |mean| / sqrt(mean^2 +
    std^2): a full learning_rate on a clean gradient, much less where the noise dominates.

    Args:
        mean: float array (any shape), the gradients' mean per coordinate.
        std: float array broadcastable with `mean`, their standard deviation, >= 0.
        learning_rate: positive float.
        epsilon: float >= 0, added to sqrt(v_hat) as in `adam_step`.

    Returns:
        float64 array of the broadcast shape: the expected update (negative where mean > 0).
    """
    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)
    if np.any(std < 0):
        raise invalid_argument("std", "values >= 0", std.min(), attribute="min()")
    return -learning_rate * mean / (np.sqrt(mean**2 + std**2) + epsilon)


# --- Nadam -------------------------------------------------------------------------------------

def init_nadam(param):
    """Slots of `nadam_step`: "momentum" and "velocity" of shape S, and the scalar "mu_product"."""
    return {"momentum": _zeros_like(param), "velocity": _zeros_like(param),
            "mu_product": tf.Variable(tf.ones((), param.dtype), trainable=False)}


def nadam_step(param, grad, slots, step, *, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
               epsilon=1e-7, momentum_schedule=False):
    """Nadam: Adam whose momentum step looks ahead as Nesterov's does.

        mu_t = beta_1                                   (textbook, default)
        mu_t = beta_1 * (1 - 0.5 * 0.96^t)              (momentum_schedule, Keras)
        P_t = mu_1 * ... * mu_t                         (slot "mu_product")
        m <- beta_1 * m + (1 - beta_1) * g
        v <- beta_2 * v + (1 - beta_2) * g * g
        m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)
        v_hat = v / (1 - beta_2^t)
        theta <- theta - learning_rate * m_hat / (sqrt(v_hat) + epsilon)

    With mu_t = beta_1 this is the form usually taught (P_t = beta_1^t). Keras uses Dozat's
    warming momentum schedule with 0.96^t; the paper and PyTorch use 0.96^(t/250).

    Args:
        param: tf.Variable of shape S.
        grad: tensor of shape S.
        slots: {"momentum", "velocity"}: tf.Variables of shape S; {"mu_product"}: scalar.
        step: t, the 1-based number of this update, a scalar.
        learning_rate: positive float or scalar tensor.
        beta_1: float in [0, 1).
        beta_2: float in [0, 1).
        epsilon: positive float.
        momentum_schedule: bool, Keras' momentum schedule.

    Reference:
        Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop.
    """
    m, v, mu_product = slots["momentum"], slots["velocity"], slots["mu_product"]
    if momentum_schedule:
        mu_t = beta_1 * (1 - 0.5 * 0.96**step)
        mu_next = beta_1 * (1 - 0.5 * 0.96**(step + 1))
    else:
        mu_t = mu_next = beta_1
    mu_product.assign(mu_product * mu_t)
    m.assign(beta_1 * m + (1 - beta_1) * grad)
    v.assign(beta_2 * v + (1 - beta_2) * grad * grad)
    m_hat = (mu_next * m / (1 - mu_product * mu_next)
             + (1 - mu_t) * grad / (1 - mu_product))
    v_hat = v / (1 - beta_2**step)
    param.assign_sub(learning_rate * m_hat / (tf.sqrt(v_hat) + epsilon))


# --- Registry and validation -------------------------------------------------------------------

_RULES = {
    "sgd": (sgd_step, init_sgd, {}),
    "momentum": (sgd_step, init_sgd, {"momentum": 0.9}),
    "nesterov": (sgd_step, init_sgd, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (adagrad_step, init_adagrad, {}),
    "rmsprop": (rmsprop_step, init_rmsprop, {}),
    "adadelta": (adadelta_step, init_adadelta, {}),
    "adam": (adam_step, init_adam, {}),
    "adamw": (adam_step, init_adam, {"weight_decay": 0.004}),
    "nadam": (nadam_step, init_nadam, {}),
    "amsgrad": (adam_step, init_adam, {"amsgrad": True}),
}

# The bounds of each numeric hyper-parameter, as keyword arguments of `check_number`.
_UNIT_INTERVAL = {"low": 0, "high": 1, "high_open": True}
_POSITIVE = {"low": 0, "low_open": True}
_NON_NEGATIVE = {"low": 0}
_CHECKS = {
    "learning_rate": _POSITIVE,
    "momentum": _UNIT_INTERVAL,
    "rho": _UNIT_INTERVAL,
    "beta_1": _UNIT_INTERVAL,
    "beta_2": _UNIT_INTERVAL,
    "epsilon": _POSITIVE,
    "weight_decay": _NON_NEGATIVE,
    "initial_accumulator_value": _NON_NEGATIVE,
    "clipvalue": _POSITIVE,
    "global_clipnorm": _POSITIVE,
}
_FLAGS = {"nesterov", "amsgrad", "epsilon_inside_sqrt", "epsilon_hat", "momentum_schedule"}


def _check_hyperparam(name, value):
    if name == "learning_rate" and callable(value):
        return
    if name in _FLAGS and not isinstance(value, bool):
        raise invalid_argument(name, "a bool", value)
    if name in _CHECKS:
        check_number(name, value, **_CHECKS[name])


def names():
    """The registered rule names, in the order of the table in the module docstring."""
    return list(_RULES)


class Optimizer:
    """Apply an update rule to a list of variables, one step per `apply` call.

    The optimizer keeps the step counter `iterations` (updates done so far, as in Keras) and
    one dict of slots per variable, created by `init_fn` on the first `apply`. Each `apply`
    clips the gradients (if asked), evaluates the learning rate (a float, or a schedule called
    with `iterations`), and calls `step_fn(param, grad, slots, step, **hyperparams)` for each
    variable with step = iterations + 1.

    Args:
        step_fn: the rule's step function, following the contract in the module docstring.
        init_fn: the rule's init function, or None for a rule without state.
        clipvalue: positive float or None, clip each gradient entry to [-clipvalue, clipvalue]
            (`dl4lib.clipping.clip_by_value`).
        global_clipnorm: positive float or None, rescale all gradients together to a global
            norm of at most global_clipnorm (`dl4lib.clipping.clip_by_global_norm`).
        name: str, for display; defaults to step_fn's name without "_step".
        **hyperparams: values for the keyword arguments of step_fn; those not given keep
            step_fn's defaults. `learning_rate` may be a schedule, a callable step -> rate.
    """

    def __init__(self, step_fn, init_fn=None, *, clipvalue=None, global_clipnorm=None,
                 name=None, **hyperparams):
        signature = list(inspect.signature(step_fn).parameters.values())[4:]
        defaults = {p.name: p.default for p in signature}
        rule_name = name or step_fn.__name__.removesuffix("_step")
        if "learning_rate" not in defaults:
            raise ValueError(f"The step function of `{rule_name}` must take a `learning_rate` "
                             "keyword argument after (param, grad, slots, step).")
        unknown = sorted(set(hyperparams) - set(defaults))
        if unknown:
            raise ValueError(f"Argument(s) not recognized by `{rule_name}`: {unknown}. "
                             f"Its hyper-parameters are: {sorted(defaults)}")
        self.hyperparams = {**defaults, **hyperparams}
        missing = sorted(k for k, v in self.hyperparams.items() if v is inspect.Parameter.empty)
        if missing:
            raise ValueError(f"`{rule_name}` needs a value for the hyper-parameter(s) {missing}.")
        for key, value in self.hyperparams.items():
            _check_hyperparam(key, value)
        if clipvalue is not None and global_clipnorm is not None:
            raise ValueError("Only one of `clipvalue` and `global_clipnorm` can be set. "
                             f"Received: clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        for key, value in (("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm)):
            if value is not None:
                _check_hyperparam(key, value)
        self.name = rule_name
        self.step_fn, self.init_fn = step_fn, init_fn
        self.clipvalue, self.global_clipnorm = clipvalue, global_clipnorm
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False, name="iterations")
        self._slots = {}  # id(variable) -> (variable, slots)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparams.items())
        return f"Optimizer({self.name}, {args})"

    def slots(self, variable):
        """The slots (dict of tf.Variables) that the rule keeps for `variable`."""
        return self._slots[id(variable)][1]

    def build(self, variables):
        """Create the slots of the variables that have none yet (`apply` calls this)."""
        init_kwargs = {}
        if self.init_fn is not None:
            accepted = inspect.signature(self.init_fn).parameters
            init_kwargs = {k: v for k, v in self.hyperparams.items() if k in accepted}
        for variable in variables:
            if id(variable) not in self._slots:
                with tf.init_scope():
                    slots = {} if self.init_fn is None else self.init_fn(variable, **init_kwargs)
                self._slots[id(variable)] = (variable, slots)

    def apply(self, grads, variables):
        """Update each variable in place with its gradient: one step of the rule.

        Args:
            grads: list of tensors; grads[i] has the shape of variables[i].
            variables: list of tf.Variables.
        """
        grads, variables = list(grads), list(variables)
        if len(grads) != len(variables):
            raise ValueError(f"Expected one gradient per variable. Received {len(grads)} "
                             f"gradients for {len(variables)} variables.")
        for grad, variable in zip(grads, variables, strict=True):
            if grad is None:
                raise ValueError(f"No gradient for variable `{variable.name}`: the loss does "
                                 "not depend on it (or the tape did not watch it).")
        self.build(variables)
        if self.clipvalue is not None:
            grads = clip_by_value(grads, self.clipvalue)
        if self.global_clipnorm is not None:
            grads = clip_by_global_norm(grads, self.global_clipnorm)
        hyperparams = dict(self.hyperparams)
        learning_rate = hyperparams.pop("learning_rate")
        if callable(learning_rate):
            learning_rate = learning_rate(tf.cast(self.iterations, tf.float32))
        step = self.iterations + 1
        for grad, variable in zip(grads, variables, strict=True):
            dtype = variable.dtype
            lr = tf.cast(learning_rate, dtype) if tf.is_tensor(learning_rate) else learning_rate
            self.step_fn(variable, tf.cast(grad, dtype), self.slots(variable),
                         tf.cast(step, dtype), learning_rate=lr, **hyperparams)
        self.iterations.assign_add(1)


def get(identifier, **hyperparams):
    """Return an `Optimizer` for a registered rule name (see `names()`).

    Args:
        identifier: a name from `names()`, or an `Optimizer`, returned as it is.
        **hyperparams: hyper-parameters of the rule (Keras' names), plus `clipvalue` or
            `global_clipnorm`; those not given keep their defaults.
    """
    if isinstance(identifier, Optimizer):
        if hyperparams:
            raise ValueError("Pass hyper-parameters with a rule name, not with an Optimizer. "
                             f"Received: {sorted(hyperparams)}")
        return identifier
    check_one_of("identifier", identifier, names())
    step_fn, init_fn, preset = _RULES[identifier]
    return Optimizer(step_fn, init_fn, name=identifier, **{**preset, **hyperparams})


@dataclass(frozen=True)
class Trajectory:
    """The path of a minimization.

    Attributes:
        params: array of shape (steps + 1, n), all variables flattened and concatenated;
            row 0 is the start and row k the point after k updates.
        losses: array of shape (steps + 1,), losses[k] = loss at params[k].
    """

    params: np.ndarray
    losses: np.ndarray


def minimize(loss_fn, variables, optimizer, steps):
    """Minimize `loss_fn()` over `variables` with `steps` updates, and record the path.

    Each update computes the gradient with `tf.GradientTape` and calls `optimizer.apply`. The
    variables are changed in place and end at the last point of the path.

    Args:
        loss_fn: callable with no arguments returning a scalar tensor computed from variables.
        variables: list of tf.Variables (n entries in all).
        optimizer: an `Optimizer`, or a name from `names()` (default hyper-parameters).
        steps: non-negative int, the number of updates.

    Returns:
        `Trajectory` with params of shape (steps + 1, n) and losses of shape (steps + 1,).
    """
    steps = check_number("steps", steps, low=0, integer=True)
    optimizer, variables = get(optimizer), list(variables)

    @tf.function
    def descend():
        with tf.GradientTape() as tape:
            loss = loss_fn()
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss

    def flat():
        return np.concatenate([np.ravel(v.numpy()) for v in variables])

    params, losses = [flat()], []
    for _ in range(steps):
        losses.append(np.asarray(descend()))
        params.append(flat())
    losses.append(np.asarray(loss_fn()))
    return Trajectory(params=np.stack(params), losses=np.array(losses))
