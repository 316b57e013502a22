"""Inverted dropout as a Keras layer, written with `keras.ops` and `keras.random` only."""

import keras
from keras import ops

from dl4lib._validation import check_number, check_shape, invalid_argument


@keras.saving.register_keras_serializable(package="dl4lib")
class Dropout(keras.layers.Layer):
    """Inverted dropout: zero a random fraction `rate` of the units and rescale the others.

    In training every unit is kept with probability 1 - rate and scaled by 1 / (1 - rate),

        y = m * x / (1 - rate),    m ~ Bernoulli(1 - rate),

    so that E[y] = x and the expected sum of the units is unchanged; at inference the layer is
    the identity (nothing to rescale at test time). This is `keras.layers.Dropout` except that
    `rate=1` is refused (it would drop everything).

    Args:
        rate: float in [0, 1), the fraction of units dropped.
        noise_shape: None or a tuple of the input's rank giving the shape of the mask m, which
            is broadcast over the input; None entries take the input's size. For inputs of
            shape (N, T, C), `noise_shape=(None, 1, None)` drops the same units at every step.
        seed: None or int, seeds the layer's `keras.random.SeedGenerator`; successive calls
            draw different masks.
        **kwargs: base layer keyword arguments (`name`, `dtype`).

    Call arguments:
        inputs: tensor of any shape.
        training: bool, True to apply dropout, False (default) for the identity.

    Returns:
        Tensor of the shape of `inputs`.

    Reference:
        Srivastava et al., 2014, "Dropout: A Simple Way to Prevent Neural Networks from
        Overfitting", JMLR 15, 1929-1958.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_number("rate", rate, low=0.0, high=1.0, high_open=True)
        self.noise_shape = (None if noise_shape is None
                            else check_shape("noise_shape", noise_shape, allow_none=True))
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def _keep_mask(self, inputs):
        """Boolean mask of the noise shape, True with probability 1 - rate."""
        shape = ops.shape(inputs)
        if self.noise_shape is not None:
            if len(self.noise_shape) != len(shape):
                raise invalid_argument("noise_shape", f"{len(shape)} entries for inputs of "
                                       f"shape {shape}", self.noise_shape)
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape,
                                                                 strict=True))
        return keras.random.uniform(shape, seed=self.seed_generator) >= self.rate

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        keep = self._keep_mask(inputs)
        return ops.where(keep, inputs / (1.0 - self.rate), ops.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        base_config = super().get_config()
        config = {"rate": self.rate, "noise_shape": self.noise_shape, "seed": self.seed}
        return {**base_config, **config}
