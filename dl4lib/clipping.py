"""Gradient clipping by value and by global norm, as Keras' `clipvalue` and `global_clipnorm`.

Both functions take the list of gradients of one step (one tensor per variable, any shapes) and
return a new list of the same shapes. `dl4lib.optimizers.Optimizer` calls them when it is built
with `clipvalue=` or `global_clipnorm=`.
"""

import tensorflow as tf

from dl4lib._validation import check_number


def clip_by_value(grads, clipvalue):
    """Clip every gradient entry to the interval [-clipvalue, clipvalue].

        g <- min(max(g, -clipvalue), clipvalue)

    Clipping each entry separately can change the direction of the gradient; clipping by the
    global norm keeps it.

    Args:
        grads: list of tensors, one per variable, of shapes S_1, ..., S_k.
        clipvalue: positive float.

    Returns:
        List of tensors of shapes S_1, ..., S_k.
    """
    clipvalue = check_number("clipvalue", clipvalue, low=0, low_open=True)
    return [tf.clip_by_value(g, -clipvalue, clipvalue) for g in grads]


def global_norm(grads):
    """The Euclidean norm of all gradients together: sqrt(sum_i ||g_i||^2), a scalar tensor.

    Args:
        grads: list of tensors of shapes S_1, ..., S_k.
    """
    return tf.sqrt(tf.add_n([tf.reduce_sum(tf.square(g)) for g in grads]))


def clip_by_global_norm(grads, global_clipnorm):
    """Rescale all gradients together so that their global norm is at most `global_clipnorm`.

        n = sqrt(sum_i ||g_i||^2)
        g_i <- g_i * global_clipnorm / max(n, global_clipnorm)

    The direction of the whole gradient is kept; only its length is capped (Pascanu et al.).

    Args:
        grads: list of tensors, one per variable, of shapes S_1, ..., S_k.
        global_clipnorm: positive float.

    Returns:
        List of tensors of shapes S_1, ..., S_k.

    Reference:
        Pascanu, Mikolov and Bengio, "On the difficulty of training recurrent neural
        networks", ICML 2013.
    """
    global_clipnorm = check_number("global_clipnorm", global_clipnorm, low=0, low_open=True)
    norm = global_norm(grads)
    scale = global_clipnorm / tf.maximum(norm, tf.cast(global_clipnorm, norm.dtype))
    return [g * tf.cast(scale, g.dtype) for g in grads]
