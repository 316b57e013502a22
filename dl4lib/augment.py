"""Random crop with zero padding and random horizontal flip, as a Keras preprocessing layer.

In training every image of the batch gets its own random shift and mirror:

    pad the image with `padding` zeros on each side of its height and width,
    cut an H x W window at offsets (dy, dx) drawn uniformly from {0, ..., 2 * padding},
    mirror it left to right with probability 1/2.

At inference the layer is the identity. Written with `keras.ops` and `keras.random` only, so it
runs inside a compiled graph and under any Keras backend; use it in a `tf.data` map or as the
first layer of a model (it is registered, so a saved model with it reloads).

Reference: the CIFAR-10 augmentation of He et al., "Deep Residual Learning for Image
Recognition", CVPR 2016, section 4.2.
"""

import keras
from keras import ops

from dl4lib._validation import check_number


@keras.saving.register_keras_serializable(package="dl4lib")
class RandomCropFlip(keras.layers.Layer):
    """Random `padding`-pixel translation (crop of the zero-padded image) and mirror.

    Args:
        padding: non-negative int, the largest shift in pixels (4 for CIFAR-10).
        seed: None or int, seeds the layer's `keras.random.SeedGenerator`.
        **kwargs: base layer keyword arguments.

    Call arguments:
        inputs: float tensor of shape (N, H, W, C).
        training: bool; False (default) returns the inputs unchanged.

    Returns:
        Tensor of shape (N, H, W, C).
    """

    def __init__(self, padding=4, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = check_number("padding", padding, low=0, integer=True)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        p = self.padding
        shape = ops.shape(inputs)
        n, h, w = shape[0], shape[1], shape[2]
        padded = ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]])
        dy = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)
        dx = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)
        rows = dy + ops.expand_dims(ops.arange(h), 0)  # (N, H): the rows each image keeps
        cols = dx + ops.expand_dims(ops.arange(w), 0)  # (N, W)
        x = ops.take_along_axis(padded, rows[:, :, None, None], axis=1)
        x = ops.take_along_axis(x, cols[:, None, :, None], axis=2)
        flip = keras.random.uniform((n, 1, 1, 1), seed=self.seed_generator) < 0.5
        return ops.where(flip, ops.flip(x, axis=2), x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "seed": self.seed}
