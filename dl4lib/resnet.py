"""A ResNet-9-class network for CIFAR-10, in plain Keras 3 (runs under TensorFlow and JAX).

The architecture is David Page's DAWNBench ResNet-9, the base of the fast CIFAR-10 training
records; `width` scales every layer (Page: width=64, about 6.6 M weights, 0.75 GFLOP per
image; `width=32` is a quarter of that, for a CPU):

    input (N, 32, 32, 3) uint8 values 0..255, as float
    Normalization (per-channel mean and std of the training split, stored in the model)
    conv_bn(w)                                   32 x 32
    conv_bn(2w), max-pool 2, Residual(2w)        16 x 16
    conv_bn(4w), max-pool 2                       8 x 8
    conv_bn(8w), max-pool 2, Residual(8w)         4 x 4
    global max-pool, Dense(10) (no bias), logits x 0.125

    conv_bn(c) = Conv 3x3 (c filters, no bias) -> BatchNorm -> ReLU
    Residual(c): y = x + conv_bn(c)(conv_bn(c)(x))

`with_flip_tta(model)` wraps a trained model so that it averages its logits over the image and
its mirror image (test-time augmentation); saved, the wrapper carries the TTA to the grader.

Every custom layer here is registered with `keras.saving.register_keras_serializable(package=
"dl4lib")`, so a model built from them and Keras' own layers reloads with
`keras.saving.load_model(path, safe_mode=True)` once `dl4lib.resnet` is imported.

References:
    Page, "How to train your ResNet" (blog series, Myrtle.ai, 2018),
        https://myrtle.ai/learn/how-to-train-your-resnet/
    Jordan, "94% on CIFAR-10 in 3.29 seconds on a single GPU" (airbench), 2024,
        https://github.com/KellerJordan/cifar10-airbench
    He, Zhang, Ren and Sun, "Deep Residual Learning for Image Recognition", CVPR 2016.
"""

import keras
from keras import layers, ops

from dl4lib._validation import check_number


def conv_bn(x, filters, name):
    """Conv 3x3 (no bias, 'same') -> BatchNormalization -> ReLU, as functional layers."""
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x)


@keras.saving.register_keras_serializable(package="dl4lib")
class Residual(keras.layers.Layer):
    """y = x + conv_bn(conv_bn(x)): two 3x3 conv-BN-ReLU units and an identity shortcut.

    Args:
        filters: positive int, the number of channels of the input and the output.
        **kwargs: base layer keyword arguments (`name`, `dtype`).

    Call arguments:
        inputs: tensor of shape (N, H, W, filters).
        training: bool, passed to the batch normalizations.

    Returns:
        Tensor of shape (N, H, W, filters).
    """

    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.filters = check_number("filters", filters, low=1, integer=True)
        self.convs = [layers.Conv2D(self.filters, 3, padding="same", use_bias=False)
                      for _ in range(2)]
        self.norms = [layers.BatchNormalization(momentum=0.9, epsilon=1e-5) for _ in range(2)]

    def build(self, input_shape):
        if input_shape[-1] != self.filters:
            raise ValueError(f"Residual({self.filters}) needs inputs with {self.filters} "
                             f"channels. Received: input_shape={input_shape}")
        shape = tuple(input_shape)
        for conv, norm in zip(self.convs, self.norms, strict=True):
            conv.build(shape)
            norm.build(shape)

    def call(self, inputs, training=None):
        x = inputs
        for conv, norm in zip(self.convs, self.norms, strict=True):
            x = ops.relu(norm(conv(x), training=training))
        return inputs + x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "filters": self.filters}


@keras.saving.register_keras_serializable(package="dl4lib")
class HorizontalFlip(keras.layers.Layer):
    """Mirror images left to right, always (not random): y[n, i, j] = x[n, i, W - 1 - j].

    Call arguments:
        inputs: tensor of shape (N, H, W, C).

    Returns:
        Tensor of the same shape.
    """

    def call(self, inputs):
        return ops.flip(inputs, axis=2)

    def compute_output_shape(self, input_shape):
        return input_shape


def resnet9(mean, std, width=64, name="resnet9"):
    """The ResNet-9 of the module docstring, taking raw pixels 0..255 and returning logits.

    Args:
        mean, std: per-channel statistics of the training split, shape (3,), in pixel units:
            the model standardizes its inputs with them.
        width: positive int, the channels of the first layer (64 in Page's network).
        name: the model's name.

    Returns:
        An uncompiled `keras.Model` from (N, 32, 32, 3) to logits (N, 10).
    """
    width = check_number("width", width, low=1, integer=True)
    inputs = keras.Input((32, 32, 3), name="image")
    norm = layers.Normalization(mean=[float(m) for m in mean],
                                variance=[float(s) ** 2 for s in std], name="standardize")
    x = conv_bn(norm(inputs), width, "prep")
    x = conv_bn(x, 2 * width, "layer1")
    x = layers.MaxPooling2D(2, name="layer1_pool")(x)
    x = Residual(2 * width, name="layer1_residual")(x)
    x = conv_bn(x, 4 * width, "layer2")
    x = layers.MaxPooling2D(2, name="layer2_pool")(x)
    x = conv_bn(x, 8 * width, "layer3")
    x = layers.MaxPooling2D(2, name="layer3_pool")(x)
    x = Residual(8 * width, name="layer3_residual")(x)
    x = layers.GlobalMaxPooling2D(name="pool")(x)
    x = layers.Dense(10, use_bias=False, name="classifier")(x)
    return keras.Model(inputs, layers.Rescaling(0.125, name="logit_scale")(x), name=name)


def with_flip_tta(model):
    """A model that averages `model`'s outputs over the image and its mirror image.

    The wrapper shares `model`'s layers and weights; train `model`, then save the wrapper.

    Args:
        model: a Keras model from (N, H, W, C) images to logits.

    Returns:
        A `keras.Model` with the same input and output shapes.
    """
    inputs = keras.Input(model.input_shape[1:], name="image")
    mirrored = model(HorizontalFlip(name="mirror")(inputs))
    return keras.Model(inputs, layers.Average(name="flip_tta")([model(inputs), mirrored]),
                       name=f"{model.name}_flip_tta")
