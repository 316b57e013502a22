"""Cross-entropy with label smoothing, in NumPy, stable for any logits.

With K classes and smoothing eps, the target of an example of class y is

    q_k = (1 - eps) * [k == y] + eps / K

and the loss is the mean over the batch of  -sum_k q_k log softmax(z)_k,  with
log softmax(z)_k = z_k - max(z) - log sum_j exp(z_j - max(z)) (no overflow). This is
`keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=eps)` on one-hot labels.

Reference: Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016.
"""

import numpy as np

from dl4lib._validation import check_number


def log_softmax(z):
    """log softmax along the last axis, computed without overflow; z: (..., K)."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def smoothed_cross_entropy(logits, labels, smoothing=0.1):
    """Mean label-smoothing cross-entropy; logits (N, K), integer labels (N,), a float."""
    smoothing = check_number("smoothing", smoothing, low=0, high=1, high_open=True)
    logp = log_softmax(logits)
    k = logp.shape[-1]
    target = np.full(logp.shape, smoothing / k)
    target[np.arange(len(labels)), np.asarray(labels)] += 1 - smoothing
    return float(-(target * logp).sum(axis=-1).mean())
