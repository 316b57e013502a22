"""How the initializer shapes the signal in a deep MLP: per-layer statistics, in NumPy.

A batch X of shape (N, D) goes through `depth` layers without biases,

    z_l = h_{l-1} @ W_l,    h_l = f(z_l),    h_0 = X,    W_l of shape (fan_in, width),

and a random linear read-out L = sum(G * h_depth) / N with G ~ N(0, 1) of shape (N, width) is
backpropagated:

    dL/dh_depth = G / N,    dL/dz_l = dL/dh_l * f'(z_l),
    dL/dW_l = h_{l-1}^T @ dL/dz_l,    dL/dh_{l-1} = dL/dz_l @ W_l^T.

`layer_statistics` returns the mean and standard deviation of every h_l and the standard
deviation of every dL/dW_l; `plot_layer_statistics` draws one of them against the layer index.
With a good initializer for the activation (Glorot for tanh, He for ReLU, LeCun for SELU) the
standard deviations stay of the same order through the layers; with weights too small they
vanish, with weights too large they explode or the units saturate.

Reference:
    Glorot and Bengio, 2010, "Understanding the difficulty of training deep feedforward neural
    networks".
"""

import numpy as np

from dl4lib import initializers
from dl4lib._validation import check_number, check_one_of, invalid_argument
from dl4lib.activations import ACTIVATIONS

STATISTICS = ("mean", "std", "grad_std")
"""Keys of the dict `layer_statistics` returns."""


def _get_activation(identifier):
    if isinstance(identifier, tuple) and len(identifier) == 2 and all(map(callable, identifier)):
        return identifier
    if not isinstance(identifier, str) or identifier not in ACTIVATIONS:
        raise invalid_argument("activation", f"a pair (function, derivative) or one of "
                               f"{', '.join(map(repr, sorted(ACTIVATIONS)))}", identifier)
    return ACTIVATIONS[identifier]


def init_weights(in_features, width, depth, initializer="glorot_uniform", seed=None):
    """Draw the kernels of a bias-free MLP.

    Args:
        in_features: D, the number of input features.
        width: the number of units in every layer.
        depth: the number of layers, at least 1.
        initializer: a name from `dl4lib.initializers.INITIALIZERS` or a callable
            `f(shape, seed=None)` returning an array of that shape.
        seed: None, an int or a `np.random.Generator` (see `dl4lib.initializers.make_rng`).

    Returns:
        A list of `depth` arrays: the first of shape (D, width), the others (width, width).
    """
    for name, value in (("in_features", in_features), ("width", width), ("depth", depth)):
        check_number(name, value, low=1, integer=True)
    init = initializers.get(initializer)
    rng = initializers.make_rng(seed)
    fan_ins = [in_features] + [width] * (depth - 1)
    return [np.asarray(init((fan_in, width), seed=rng), dtype=float) for fan_in in fan_ins]


def forward_backward(x, weights, activation, grad_output):
    """Forward pass through the MLP and backward pass of L = sum(grad_output * h_depth).

    Args:
        x: input of shape (N, D).
        weights: list of kernels, W_1 of shape (D, H), the others (H, H).
        activation: a name from `dl4lib.activations.ACTIVATIONS` or a pair
            (function, derivative) of elementwise NumPy functions.
        grad_output: dL/dh_depth, of shape (N, H).

    Returns:
        (activations, weight_grads): two lists of `len(weights)` arrays, h_l of shape (N, H) and
        dL/dW_l of the shape of W_l.
    """
    f, df = _get_activation(activation)
    pre_activations, activations = [], []
    h = np.asarray(x, dtype=float)
    for w in weights:
        z = h @ w
        h = f(z)
        pre_activations.append(z)
        activations.append(h)
    inputs = [np.asarray(x, dtype=float)] + activations[:-1]
    grad_h = np.asarray(grad_output, dtype=float)
    weight_grads = []
    for w, z, h_in in zip(weights[::-1], pre_activations[::-1], inputs[::-1], strict=True):
        grad_z = grad_h * df(z)
        weight_grads.append(h_in.T @ grad_z)
        grad_h = grad_z @ w.T
    return activations, weight_grads[::-1]


def layer_statistics(depth=10, width=100, activation="tanh", initializer="glorot_uniform",
                     batch_size=1000, in_features=100, seed=0):
    """Push a standard normal batch through a fresh MLP and measure every layer.

    Args:
        depth: number of layers.
        width: units per layer.
        activation: name or (function, derivative) pair, see `forward_backward`.
        initializer: name or callable, see `init_weights`.
        batch_size: N, the number of rows of the input batch.
        in_features: D, the number of input features.
        seed: seeds the input batch, the weights and the read-out G (see `make_rng`).

    Returns:
        A dict with keys "mean", "std" (of h_l) and "grad_std" (of dL/dW_l), each an array of
        shape (depth,); entry l - 1 belongs to layer l.
    """
    rng = initializers.make_rng(seed)
    weights = init_weights(in_features, width, depth, initializer, seed=rng)
    x = rng.standard_normal((batch_size, in_features))
    grad_output = rng.standard_normal((batch_size, width)) / batch_size
    activations, weight_grads = forward_backward(x, weights, activation, grad_output)
    return {
        "mean": np.array([h.mean() for h in activations]),
        "std": np.array([h.std() for h in activations]),
        "grad_std": np.array([g.std() for g in weight_grads]),
    }


def plot_layer_statistics(stats, key="std", ax=None, label=None, **plot_kwargs):
    """Draw one statistic from `layer_statistics` against the layer index 1..depth.

    Standard deviations ("std", "grad_std") are drawn on a log scale, so vanishing and
    exploding signals show as straight lines. Call it once per initializer on the same `ax`
    with different labels to compare them.

    Args:
        stats: the dict returned by `layer_statistics`.
        key: one of "mean", "std", "grad_std".
        ax: matplotlib axes to draw on; the current axes if None.
        label: legend label of the line.
        **plot_kwargs: passed on to `ax.plot`.

    Returns:
        The axes drawn on.
    """
    check_one_of("key", key, STATISTICS)
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    values = np.asarray(stats[key])
    ax.plot(np.arange(1, len(values) + 1), values, marker="o", label=label, **plot_kwargs)
    if key != "mean":
        ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel({"mean": "activation mean", "std": "activation std",
                   "grad_std": "weight gradient std"}[key])
    if label is not None:
        ax.legend()
    return ax
