"""Learning-rate schedules: callables `schedule(step) -> learning rate`.

`step` counts the updates already applied, so the first update uses `schedule(0)`; this is the
convention of `keras.optimizers.schedules`. `step` may be a Python int, a NumPy array or a tensor
(inside `tf.function` too); the result is a float32 tensor of the same shape, so a schedule is
plotted with

    steps = np.arange(1000)
    plt.plot(steps, schedule(steps))

and used by passing it as the learning rate: `dl4lib.optimizers.get("sgd", learning_rate=s)`.
Every schedule is a small frozen dataclass; it checks its arguments when it is created.
"""

import math
from dataclasses import dataclass

import tensorflow as tf

from dl4lib._validation import check_number


def _check_rate(name, value):
    check_number(name, value, low=0, low_open=True)


def _check_steps(name, value):
    check_number(name, value, low=1, integer=True)


def _float_step(step):
    return tf.cast(step, tf.float32)


@dataclass(frozen=True)
class Constant:
    """The same learning rate at every step: lr(t) = learning_rate.

    Args:
        learning_rate: positive float.
    """

    learning_rate: float

    def __post_init__(self):
        _check_rate("learning_rate", self.learning_rate)

    def __call__(self, step):
        return tf.fill(tf.shape(_float_step(step)), tf.constant(self.learning_rate, tf.float32))


@dataclass(frozen=True)
class StepDecay:
    """Multiply the learning rate by `decay_rate` every `decay_steps` steps.

        lr(t) = initial_learning_rate * decay_rate ** floor(t / decay_steps)

    Same as `keras.optimizers.schedules.ExponentialDecay(..., staircase=True)`.

    Args:
        initial_learning_rate: positive float, lr(0).
        decay_steps: positive int, the length of each plateau.
        decay_rate: float in (0, 1], the factor applied at the end of each plateau.
    """

    initial_learning_rate: float
    decay_steps: int
    decay_rate: float

    def __post_init__(self):
        _check_rate("initial_learning_rate", self.initial_learning_rate)
        _check_steps("decay_steps", self.decay_steps)
        check_number("decay_rate", self.decay_rate, low=0, high=1, low_open=True)

    def __call__(self, step):
        plateau = tf.floor(_float_step(step) / self.decay_steps)
        return self.initial_learning_rate * tf.pow(self.decay_rate, plateau)


@dataclass(frozen=True)
class LinearDecay:
    """Decrease the learning rate linearly to `end_learning_rate`, then keep it there.

        lr(t) = end + (initial_learning_rate - end) * (1 - min(t, decay_steps) / decay_steps)

    Same as `keras.optimizers.schedules.PolynomialDecay(..., power=1.0)`.

    Args:
        initial_learning_rate: positive float, lr(0).
        decay_steps: positive int, the step at which `end_learning_rate` is reached.
        end_learning_rate: float in [0, initial_learning_rate].
    """

    initial_learning_rate: float
    decay_steps: int
    end_learning_rate: float = 0.0

    def __post_init__(self):
        _check_rate("initial_learning_rate", self.initial_learning_rate)
        _check_steps("decay_steps", self.decay_steps)
        check_number("end_learning_rate", self.end_learning_rate, low=0,
                     high=("initial_learning_rate", self.initial_learning_rate))

    def __call__(self, step):
        remaining = 1 - tf.minimum(_float_step(step), self.decay_steps) / self.decay_steps
        return (self.end_learning_rate
                + (self.initial_learning_rate - self.end_learning_rate) * remaining)


@dataclass(frozen=True)
class ExponentialDecay:
    """Decay the learning rate smoothly by a factor `decay_rate` every `decay_steps` steps.

        lr(t) = initial_learning_rate * decay_rate ** (t / decay_steps)

    Same as `keras.optimizers.schedules.ExponentialDecay` (staircase=False).

    Args:
        initial_learning_rate: positive float, lr(0).
        decay_steps: positive int.
        decay_rate: float in (0, 1].
    """

    initial_learning_rate: float
    decay_steps: int
    decay_rate: float

    def __post_init__(self):
        _check_rate("initial_learning_rate", self.initial_learning_rate)
        _check_steps("decay_steps", self.decay_steps)
        check_number("decay_rate", self.decay_rate, low=0, high=1, low_open=True)

    def __call__(self, step):
        return self.initial_learning_rate * tf.pow(self.decay_rate,
                                                   _float_step(step) / self.decay_steps)


@dataclass(frozen=True)
class CosineDecay:
    """Optional linear warm-up from 0, then half a cosine down to `alpha * initial_learning_rate`.

        w = warmup_steps, s = min(t - w, decay_steps)
        lr(t) = initial_learning_rate * t / w                                   for t < w
        lr(t) = initial_learning_rate * (alpha + (1 - alpha) * (1 + cos(pi * s / decay_steps)) / 2)
                                                                                for t >= w

    Same as `keras.optimizers.schedules.CosineDecay(0.0, decay_steps, alpha,
    warmup_target=initial_learning_rate, warmup_steps=warmup_steps)`, and with `warmup_steps=0`
    as `CosineDecay(initial_learning_rate, decay_steps, alpha)`.

    Args:
        initial_learning_rate: positive float, the learning rate at the end of the warm-up.
        decay_steps: positive int, the length of the cosine part.
        alpha: float in [0, 1], the final learning rate as a fraction of the initial one.
        warmup_steps: non-negative int.

    Reference:
        Loshchilov and Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts",
        ICLR 2017; Goyal et al., "Accurate, Large Minibatch SGD", 2017 (warm-up).
    """

    initial_learning_rate: float
    decay_steps: int
    alpha: float = 0.0
    warmup_steps: int = 0

    def __post_init__(self):
        _check_rate("initial_learning_rate", self.initial_learning_rate)
        _check_steps("decay_steps", self.decay_steps)
        check_number("alpha", self.alpha, low=0, high=1)
        check_number("warmup_steps", self.warmup_steps, low=0, integer=True)

    def __call__(self, step):
        t = _float_step(step)
        s = tf.clip_by_value(t - self.warmup_steps, 0.0, self.decay_steps)
        cosine = 0.5 * (1 + tf.cos(math.pi * s / self.decay_steps))
        decayed = self.initial_learning_rate * (self.alpha + (1 - self.alpha) * cosine)
        if self.warmup_steps == 0:
            return decayed
        warmup = self.initial_learning_rate * t / self.warmup_steps
        return tf.where(t < self.warmup_steps, warmup, decayed)


@dataclass(frozen=True)
class Triangular:
    """Cyclical learning rate: up linearly from base to max in `step_size` steps, then down.

        x = |t / step_size - 2 * floor(t / (2 * step_size)) - 1|
        lr(t) = base_learning_rate + (max_learning_rate - base_learning_rate) * (1 - x)

    One cycle lasts 2 * step_size steps; lr(0) = base_learning_rate and
    lr(step_size) = max_learning_rate.

    Args:
        base_learning_rate: positive float, the lowest learning rate.
        max_learning_rate: float >= base_learning_rate, the highest learning rate.
        step_size: positive int, half a cycle.

    Reference:
        Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017.
    """

    base_learning_rate: float
    max_learning_rate: float
    step_size: int

    def __post_init__(self):
        _check_rate("base_learning_rate", self.base_learning_rate)
        check_number("max_learning_rate", self.max_learning_rate,
                     low=("base_learning_rate", self.base_learning_rate))
        _check_steps("step_size", self.step_size)

    def __call__(self, step):
        t = _float_step(step) / self.step_size
        x = tf.abs(t - 2 * tf.floor(t / 2) - 1)
        return (self.base_learning_rate
                + (self.max_learning_rate - self.base_learning_rate) * (1 - x))


@dataclass(frozen=True)
class OneCycle:
    """One cycle: linear warm-up to `max_learning_rate`, then linear decay far below the start.

        lr0 = max_learning_rate / div_factor,  lr_end = lr0 / final_div_factor,
        w = pct_start * total_steps
        lr(t) = lr0 + (max_learning_rate - lr0) * t / w                        for t <= w
        lr(t) = max_learning_rate + (lr_end - max_learning_rate) * (t - w) / (total_steps - w)
                                                                  for w < t <= total_steps
        lr(t) = lr_end                                                          after

    The defaults are those of PyTorch's `OneCycleLR` (which anneals with a cosine instead).

    Args:
        max_learning_rate: positive float, the peak.
        total_steps: positive int, the length of the cycle.
        pct_start: float in (0, 1), the fraction of the cycle spent warming up.
        div_factor: float >= 1, lr(0) = max_learning_rate / div_factor.
        final_div_factor: float >= 1, lr(total_steps) = lr(0) / final_div_factor.

    Reference:
        Smith and Topin, "Super-Convergence: Very Fast Training of Neural Networks Using Large
        Learning Rates", 2018.
    """

    max_learning_rate: float
    total_steps: int
    pct_start: float = 0.3
    div_factor: float = 25.0
    final_div_factor: float = 1e4

    def __post_init__(self):
        _check_rate("max_learning_rate", self.max_learning_rate)
        _check_steps("total_steps", self.total_steps)
        check_number("pct_start", self.pct_start, low=0, high=1, low_open=True, high_open=True)
        check_number("div_factor", self.div_factor, low=1)
        check_number("final_div_factor", self.final_div_factor, low=1)

    def __call__(self, step):
        t = tf.minimum(_float_step(step), self.total_steps)
        peak = self.max_learning_rate
        start = peak / self.div_factor
        end = start / self.final_div_factor
        w = self.pct_start * self.total_steps
        up = t / w
        down = (t - w) / (self.total_steps - w)
        return tf.where(t <= w, (1 - up) * start + up * peak, (1 - down) * peak + down * end)
