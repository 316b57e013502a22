"""SELU for Keras models: the activation, its derivative and `AlphaDropout`, with `keras.ops` only.

The scaled exponential linear unit

    selu(x) = lambda * x                     if x > 0
              lambda * alpha * (e^x - 1)     if x <= 0,

with alpha ~ 1.6733 and lambda ~ 1.0507, maps inputs with mean 0 and variance 1 to outputs with
mean 0 and variance 1 when the weights before it have variance 1 / fan_in (LeCun normal init:
`dl4lib.initializers.lecun_normal` in NumPy, `keras.initializers.LecunNormal` in Keras, both a
truncated normal with that variance). A network of such layers is self-normalizing: the
activations stay near mean 0 and variance 1 through many layers
(`dl4lib.init_experiment.layer_statistics(activation="selu", initializer="lecun_normal")`).

The NumPy versions are `dl4lib.activations.selu` and `selu_derivative`; these work on tensors
of any Keras backend and inside a model, e.g. `keras.layers.Dense(64, activation=selu)`.

Reference:
    Klambauer, Unterthiner, Mayr and Hochreiter, 2017, "Self-Normalizing Neural Networks",
    https://arxiv.org/abs/1706.02515.
"""

import keras
from keras import ops

from dl4lib.activations import SELU_ALPHA, SELU_SCALE
from dl4lib.dropout import Dropout

SELU_SATURATION = -SELU_SCALE * SELU_ALPHA
"""alpha' = -lambda * alpha ~ -1.7581, the limit of selu(x) as x -> -inf."""


@keras.saving.register_keras_serializable(package="dl4lib")
def selu(x):
    """SELU activation, lambda * (x if x > 0 else alpha * (e^x - 1)).

    Registered with Keras, so a model built with `activation=selu` can be saved and loaded.

    Args:
        x: tensor of any shape.

    Returns:
        Tensor of the shape of `x`.
    """
    x = ops.convert_to_tensor(x)
    negative = SELU_ALPHA * ops.expm1(ops.minimum(x, 0.0))
    return SELU_SCALE * ops.where(x > 0, x, negative)


def selu_derivative(x):
    """Derivative of SELU, lambda if x > 0 else lambda * alpha * e^x (left-hand value at 0).

    Args:
        x: tensor of any shape.

    Returns:
        Tensor of the shape of `x`.
    """
    x = ops.convert_to_tensor(x)
    negative = SELU_ALPHA * ops.exp(ops.minimum(x, 0.0))
    return SELU_SCALE * ops.where(x > 0, ops.ones_like(x), negative)


def alpha_dropout_affine(rate):
    """Return (a, b) such that a * x + b restores mean 0 and variance 1 after alpha dropout.

    With a fraction `rate` of the units set to alpha' = -lambda * alpha (q = rate below),

        a = ((1 - q) * (1 + q * alpha'^2)) ** -0.5,    b = -a * q * alpha'.

    (The paper writes q for the keep probability, 1 - rate.)

    Args:
        rate: float in [0, 1), the fraction of units dropped.

    Returns:
        The pair of floats (a, b).
    """
    q = rate
    a = ((1.0 - q) * (1.0 + q * SELU_SATURATION**2)) ** -0.5
    return a, -a * q * SELU_SATURATION


@keras.saving.register_keras_serializable(package="dl4lib")
class AlphaDropout(Dropout):
    """Dropout for SELU networks: keeps mean 0 and variance 1 of its inputs.

    In training a fraction `rate` of the units is set to the SELU saturation value
    alpha' = -lambda * alpha instead of 0, and the result is mapped by the affine a * x + b of
    `alpha_dropout_affine(rate)`, so that inputs with mean 0 and variance 1 keep them:

        y = a * (m * x + (1 - m) * alpha') + b,    m ~ Bernoulli(1 - rate).

    At inference the layer is the identity. Arguments and validation are those of
    `dl4lib.dropout.Dropout`.

    Args:
        rate: float in [0, 1), the fraction of units dropped.
        noise_shape: None or a tuple of the input's rank; None entries take the input's size.
        seed: None or int, seeds the layer's `keras.random.SeedGenerator`.
        **kwargs: base layer keyword arguments (`name`, `dtype`).

    Call arguments:
        inputs: tensor of any shape.
        training: bool, True to apply alpha dropout, False (default) for the identity.

    Returns:
        Tensor of the shape of `inputs`.

    Reference:
        Klambauer et al., 2017, "Self-Normalizing Neural Networks", section "New Dropout
        Technique", https://arxiv.org/abs/1706.02515.
    """

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        a, b = alpha_dropout_affine(self.rate)
        keep = self._keep_mask(inputs)
        return a * ops.where(keep, inputs, SELU_SATURATION) + b
