"""Regularization in NumPy: inverted dropout, L1 and L2 penalties, Monte-Carlo dropout.

These are the references of unit 5. Every function takes NumPy arrays and returns float64
arrays (or floats); nothing here imports TensorFlow. The Keras layers are `dl4lib.dropout.Dropout`
and `dl4lib.selu.AlphaDropout`.

Randomness is explicit: a function that draws takes a `np.random.Generator` `rng` and states
exactly what it draws, so the same generator state gives the same result in any implementation
that follows the contract. Inverted dropout draws

    u = rng.random(x.shape),    keep = u >= rate,    y = where(keep, x / (1 - rate), 0),

so a unit is kept with probability 1 - rate and E[y] = x; at inference y = x and nothing is
drawn. The penalties use Keras' names and formulas (`keras.regularizers.L1`, `L2`):

    L2: l2 * sum(w^2), gradient 2 * l2 * w;    L1: l1 * sum(|w|), gradient l1 * sign(w),

with the subgradient 0 at w = 0 for L1 (`np.sign(0) == 0`).

Reference:
    Srivastava, Hinton, Krizhevsky, Sutskever and Salakhutdinov, 2014, "Dropout: A Simple Way
    to Prevent Neural Networks from Overfitting", JMLR 15, 1929-1958.
"""

import numpy as np

from dl4lib._validation import check_number


def check_rate(rate):
    """Return `rate` as a float, or raise ValueError unless it is a real number in [0, 1).

    The message names the argument, the expectation and the value, as Keras does:
    "Invalid value received for argument `rate`. Expected a float value in [0, 1). Received:
    rate=1.5".
    """
    return check_number("rate", rate, low=0.0, high=1.0, high_open=True)


def dropout_forward(x, rate, training, rng):
    """Inverted dropout: drop a fraction `rate` of the units in training, identity at inference.

    In training, u = rng.random(x.shape) is drawn once, a unit is kept where u >= rate and
    scaled by 1 / (1 - rate), and set to 0 elsewhere. At inference x is returned unchanged
    (as a new float64 array) and `rng` is not used.

    Args:
        x: array of any shape.
        rate: float in [0, 1), the fraction of units dropped; checked in both modes.
        training: bool, True to drop units, False for the identity.
        rng: a `np.random.Generator`.

    Returns:
        Float64 array of the shape of x.

    Raises:
        ValueError: when `rate` is not in [0, 1); the message names the rate.
    """
    rate = check_rate(rate)
    x = np.array(x, dtype=np.float64)
    if not training:
        return x
    keep = rng.random(x.shape) >= rate
    return np.where(keep, x / (1.0 - rate), 0.0)


def l2_penalty(w, l2):
    """L2 penalty l2 * sum(w^2) of a weight array of any shape; returns a float."""
    return float(l2 * np.sum(np.square(np.asarray(w, dtype=np.float64))))


def l2_gradient(w, l2):
    """Gradient of `l2_penalty` with respect to w: 2 * l2 * w, of the shape of w."""
    return 2.0 * l2 * np.asarray(w, dtype=np.float64)


def l1_penalty(w, l1):
    """L1 penalty l1 * sum(|w|) of a weight array of any shape; returns a float."""
    return float(l1 * np.sum(np.abs(np.asarray(w, dtype=np.float64))))


def l1_gradient(w, l1):
    """(Sub)gradient of `l1_penalty`: l1 * sign(w), with 0 where w == 0; shape of w."""
    return l1 * np.sign(np.asarray(w, dtype=np.float64))


def dropout_mlp_forward(x, params, rate, training, rng):
    """A one-hidden-layer ReLU network with dropout on its hidden units.

        h = relu(x @ w1 + b1),    h = dropout_forward(h, rate, training, rng),
        output = h @ w2 + b2.

    Args:
        x: array of shape (N, D).
        params: tuple (w1, b1, w2, b2) of shapes (D, H), (H,), (H, K), (K,).
        rate, training, rng: as in `dropout_forward` (one mask of shape (N, H) is drawn).

    Returns:
        Float64 array of shape (N, K).
    """
    w1, b1, w2, b2 = params
    h = np.maximum(np.asarray(x, dtype=np.float64) @ w1 + b1, 0.0)
    h = dropout_forward(h, rate, training, rng)
    return h @ w2 + b2


def mc_dropout_predict(x, params, rate, n_samples, rng):
    """Average of `n_samples` training-mode passes of `dropout_mlp_forward`: an ensemble.

    Each pass draws a fresh mask from `rng`, in order; the result is their mean,

        (1 / n_samples) * sum_s dropout_mlp_forward(x, params, rate, True, rng).

    Because dropout sits right before the last (linear) layer, the expectation over masks is
    exactly the inference-mode output, and the average approaches it as n_samples grows.

    Args:
        x, params, rate, rng: as in `dropout_mlp_forward`.
        n_samples: int >= 1, the number of sub-networks averaged.

    Returns:
        Float64 array of shape (N, K).
    """
    n_samples = check_number("n_samples", n_samples, low=1, integer=True)
    total = 0.0
    for _ in range(n_samples):
        total = total + dropout_mlp_forward(x, params, rate, True, rng)
    return total / n_samples


def random_mlp_params(n_in, n_hidden, n_out, seed):
    """Seeded parameters (w1, b1, w2, b2) for `dropout_mlp_forward`, He-scaled, small biases."""
    rng = np.random.default_rng(seed)
    return (rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_hidden)),
            rng.normal(0.0, 0.1, size=n_hidden),
            rng.normal(0.0, np.sqrt(1.0 / n_hidden), size=(n_hidden, n_out)),
            rng.normal(0.0, 0.1, size=n_out))
