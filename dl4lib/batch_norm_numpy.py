"""Batch normalization of an (N, D) batch in NumPy, step by step: the references of unit 4.

Every function takes and returns float64 NumPy arrays; the features are the columns of x, so
the statistics are taken over axis 0 (the N examples of the batch):

    mean = (1/N) sum_i x_i,    var = (1/N) sum_i (x_i - mean)^2     (biased: divide by N),
    y = gamma * (x - mean) / sqrt(var + epsilon) + beta.

In training, the batch's `mean` and `var` normalize the batch and update the moving averages,

    moving = moving * momentum + batch_value * (1 - momentum);

at inference the moving averages replace the batch statistics, so an example's output does not
depend on the other examples of its batch. `dl4lib.batch_norm` does the same with `keras.ops`
for any feature axis; the tests check that both agree with `keras.layers.BatchNormalization`.
At inference the normalization is a fixed affine map of every unit, so `fold_batch_norm` can
merge it into the dense layer before it.

Reference:
    Ioffe and Szegedy, 2015, "Batch Normalization: Accelerating Deep Network Training by
    Reducing Internal Covariate Shift", https://arxiv.org/abs/1502.03167.
"""

import numpy as np

from dl4lib._validation import check_array_shape, check_number


def _batch(x):
    return check_array_shape("x", np.asarray(x, dtype=np.float64), ("N", "D"), non_empty=True)


def batch_statistics(x):
    """Mean and biased variance of every column of a batch.

    Args:
        x: array of shape (N, D), N examples of D features.

    Returns:
        (mean, var), two arrays of shape (D,); var divides by N (ddof=0), not N - 1.
    """
    x = _batch(x)
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    return mean, var


def normalize(x, mean, var, gamma, beta, epsilon=1e-3):
    """gamma * (x - mean) / sqrt(var + epsilon) + beta, column by column.

    Args:
        x: array of shape (N, D).
        mean, var, gamma, beta: arrays of shape (D,).
        epsilon: float > 0 added to the variance, inside the square root.

    Returns:
        Array of shape (N, D).
    """
    check_number("epsilon", epsilon, low=0, low_open=True)
    x = _batch(x)
    mean, var, gamma, beta = (np.asarray(v, dtype=np.float64) for v in (mean, var, gamma, beta))
    return gamma * (x - mean) / np.sqrt(var + epsilon) + beta


def batch_norm_train(x, gamma, beta, epsilon=1e-3):
    """Training-time batch normalization: normalize with the batch's own statistics.

    Args:
        x: array of shape (N, D).
        gamma, beta: arrays of shape (D,), the scale and the shift.
        epsilon: float > 0 added to the variance.

    Returns:
        Array of shape (N, D); for gamma = 1 and beta = 0 every column has mean 0 and variance
        var / (var + epsilon), close to 1.
    """
    mean, var = batch_statistics(x)
    return normalize(x, mean, var, gamma, beta, epsilon)


def update_moving_average(moving, batch_value, momentum=0.99):
    """One step of exponential smoothing: moving * momentum + batch_value * (1 - momentum).

    Args:
        moving: array of shape (D,), the current moving average.
        batch_value: array of shape (D,), the statistic of the current batch.
        momentum: float in [0, 1], the weight of the old value.

    Returns:
        Array of shape (D,), the new moving average; the inputs are not modified.
    """
    check_number("momentum", momentum, low=0, high=1)
    moving = np.asarray(moving, dtype=np.float64)
    batch_value = np.asarray(batch_value, dtype=np.float64)
    return moving * momentum + batch_value * (1.0 - momentum)


def batch_norm_inference(x, moving_mean, moving_var, gamma, beta, epsilon=1e-3):
    """Inference-time batch normalization: normalize with the moving averages.

    Args:
        x: array of shape (N, D); N may be 1.
        moving_mean, moving_var: arrays of shape (D,), the statistics gathered in training.
        gamma, beta: arrays of shape (D,).
        epsilon: float > 0 added to the variance.

    Returns:
        Array of shape (N, D); row i depends on x[i] only.
    """
    return normalize(x, moving_mean, moving_var, gamma, beta, epsilon)


def fold_batch_norm(kernel, bias, moving_mean, moving_var, gamma, beta, epsilon=1e-3):
    """Fold an inference-mode batch normalization into the dense layer x @ kernel + bias before it.

    With s = gamma / sqrt(moving_var + epsilon), the pair Dense -> BatchNormalization computes
    s * (x @ kernel + bias - moving_mean) + beta = x @ (kernel * s) + (bias - moving_mean) * s + beta,
    so one dense layer with the returned kernel and bias gives the same outputs at inference.

    Args:
        kernel: array of shape (D_in, D), the dense layer's weights.
        bias: array of shape (D,) (zeros for a layer built with use_bias=False).
        moving_mean, moving_var, gamma, beta: arrays of shape (D,), the normalization's state.
        epsilon: float > 0 added to the variance.

    Returns:
        (kernel, bias): new float64 arrays of shapes (D_in, D) and (D,).
    """
    check_number("epsilon", epsilon, low=0, low_open=True)
    kernel = np.asarray(kernel, dtype=np.float64)
    scale = np.asarray(gamma, dtype=np.float64) / np.sqrt(np.asarray(moving_var, dtype=np.float64)
                                                          + epsilon)
    folded_bias = (np.asarray(bias, dtype=np.float64) - moving_mean) * scale + beta
    return kernel * scale, folded_bias
