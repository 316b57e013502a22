"""Batch normalization as a Keras layer and as two functions, with `keras.ops` only.

For features along `axis`, with the statistics taken over every other axis (m values each),

    mean = (1/m) sum_i x_i,    var = (1/m) sum_i (x_i - mean)^2,
    y = gamma * (x - mean) / sqrt(var + epsilon) + beta.

In training `mean` and `var` are the current batch's and the moving averages are updated,

    moving_mean = moving_mean * momentum + mean * (1 - momentum)
    moving_var  = moving_var * momentum + var * (1 - momentum);

at inference `moving_mean` and `moving_var` replace them, so a single example can be
normalized. `BatchNorm` matches `keras.layers.BatchNormalization` with its defaults.

A training batch with one value per feature (a (1, C) batch for `axis=-1`) has var = 0, so the
output is `beta` whatever the input and the moving variance decays towards 0. We keep this
behaviour, as Keras does, rather than raise: the batch size is often unknown when a model is
compiled, and a last batch of one in `fit` is legal. Use batches of more than one example.

Reference:
    Ioffe and Szegedy, 2015, "Batch Normalization: Accelerating Deep Network Training by
    Reducing Internal Covariate Shift", https://arxiv.org/abs/1502.03167.
"""

import keras
from keras import ops

from dl4lib._validation import check_number


def _check_axis(axis, ndim):
    """`axis` of a rank-`ndim` input as an index in [0, ndim)."""
    return check_number("axis", axis, low=-ndim, high=ndim, high_open=True, integer=True) % ndim


def _broadcast(v, ndim, axis):
    """Reshape a vector of shape (C,) to broadcast along `axis` of a rank-`ndim` tensor."""
    shape = [1] * ndim
    shape[axis] = -1
    return ops.reshape(v, shape)


def batch_moments(x, axis=-1):
    """Mean and (biased) variance of every feature along `axis` over all the other axes.

    Args:
        x: tensor of shape (N, C) for `axis=-1`, or any shape with C entries along `axis`.
        axis: int, the feature axis.

    Returns:
        (mean, variance), two tensors of shape (C,); variance divides by m, not m - 1.
    """
    x = ops.convert_to_tensor(x)
    axis = _check_axis(axis, len(x.shape))
    reduction_axes = tuple(i for i in range(len(x.shape)) if i != axis)
    mean = ops.mean(x, axis=reduction_axes, keepdims=True)
    variance = ops.mean(ops.square(x - mean), axis=reduction_axes)
    return ops.reshape(mean, (-1,)), variance


def batch_normalize(x, mean, variance, gamma, beta, epsilon=1e-3, axis=-1):
    """gamma * (x - mean) / sqrt(variance + epsilon) + beta, per feature along `axis`.

    Args:
        x: tensor of shape (N, C) for `axis=-1`, or any shape with C entries along `axis`.
        mean, variance, gamma, beta: tensors of shape (C,).
        epsilon: float > 0 added to the variance.
        axis: int, the feature axis.

    Returns:
        Tensor of the shape of `x`.
    """
    x = ops.convert_to_tensor(x)
    ndim = len(x.shape)
    axis = _check_axis(axis, ndim)
    mean, variance, gamma, beta = (_broadcast(v, ndim, axis) for v in (mean, variance, gamma, beta))
    return gamma * (x - mean) / ops.sqrt(variance + epsilon) + beta


@keras.saving.register_keras_serializable(package="dl4lib")
class BatchNorm(keras.layers.Layer):
    """Batch normalization: standardize each feature with batch statistics, then scale and shift.

    In training, y = gamma * (x - mean) / sqrt(var + epsilon) + beta with the mean and variance
    of the current batch, and the moving averages are updated
    (`moving = moving * momentum + batch * (1 - momentum)`); at inference, and when the layer
    is frozen (`trainable=False`), the moving averages replace the batch statistics and are not
    updated. A training batch with one value per feature gives `beta` (see the module
    docstring). Weights: gamma (ones) and beta (zeros), trainable; moving_mean (zeros) and
    moving_variance (ones), non-trainable; all of shape (C,), in the order of
    `keras.layers.BatchNormalization`.

    Args:
        axis: int, the feature axis (default -1, the last one).
        momentum: float in (0, 1), the weight of the old value in the moving averages.
        epsilon: float > 0 added to the variance.
        **kwargs: base layer keyword arguments (`name`, `dtype`, `trainable`).

    Call arguments:
        inputs: tensor of shape (N, C) for `axis=-1`, or any rank with C entries along `axis`.
        training: bool, True for batch statistics and moving-average updates, False (default)
            for the moving averages.

    Returns:
        Tensor of the shape of `inputs`.

    Reference:
        Ioffe and Szegedy, 2015, "Batch Normalization: Accelerating Deep Network Training by
        Reducing Internal Covariate Shift", https://arxiv.org/abs/1502.03167.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.axis = check_number("axis", axis, integer=True)
        self.momentum = check_number("momentum", momentum, low=0, high=1, low_open=True,
                                     high_open=True)
        self.epsilon = check_number("epsilon", epsilon, low=0, low_open=True)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axis = _check_axis(self.axis, ndim)
        size = input_shape[axis]
        if size is None:
            raise ValueError(f"Expected the feature axis {self.axis} of the input to have a known "
                             f"size. Received: input_shape={input_shape}")
        shape = (size,)
        self.gamma = self.add_weight(shape=shape, name="gamma", initializer="ones",
                                     trainable=True, autocast=False)
        self.beta = self.add_weight(shape=shape, name="beta", initializer="zeros",
                                    trainable=True, autocast=False)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean", initializer="zeros",
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer="ones", trainable=False,
                                               autocast=False)
        self.input_spec = keras.layers.InputSpec(ndim=ndim, axes={axis: size})

    def call(self, inputs, training=False):
        # Statistics in at least float32, as Keras does: float16 overflows in the variance.
        inputs = ops.cast(inputs, keras.backend.result_type(inputs.dtype, "float32"))
        moving_mean = ops.cast(self.moving_mean, inputs.dtype)
        moving_variance = ops.cast(self.moving_variance, inputs.dtype)
        if training and self.trainable:
            mean, variance = batch_moments(inputs, self.axis)
            self.moving_mean.assign(moving_mean * self.momentum + mean * (1.0 - self.momentum))
            self.moving_variance.assign(
                moving_variance * self.momentum + variance * (1.0 - self.momentum))
        else:
            mean, variance = moving_mean, moving_variance
        gamma = ops.cast(self.gamma, inputs.dtype)
        beta = ops.cast(self.beta, inputs.dtype)
        outputs = batch_normalize(inputs, mean, variance, gamma, beta, self.epsilon, self.axis)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        base_config = super().get_config()
        config = {"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon}
        return {**base_config, **config}
