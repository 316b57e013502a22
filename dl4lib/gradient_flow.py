"""How the gradient's size changes from layer to layer of a deep network (NumPy).

For a multilayer perceptron without biases,

    z_l = a_{l-1} W_l,    a_l = f(z_l),    a_0 = x,    loss = sum(a_L),

back-propagation multiplies by f'(z_l) and by W_l^T once per layer:

    dL/da_L = 1,    dL/dz_l = dL/da_l * f'(z_l),    dL/da_{l-1} = dL/dz_l W_l^T.

When |f'| is small (sigmoid: at most 1/4) the product shrinks geometrically with depth: the
vanishing gradient problem.
"""

import numpy as np

from dl4lib._validation import check_array_shape


def layer_gradient_norms(weights, x, activation, derivative):
    """Root mean square of dL/dz_l for every layer l = 1..L of the network above.

    Args:
        weights: list of L arrays; W_l has shape (n_{l-1}, n_l).
        x: input batch of shape (N, n_0).
        activation: f, applied elementwise.
        derivative: f', applied elementwise.

    Returns:
        Array of shape (L,): entry l - 1 is sqrt(mean((dL/dz_l)^2)) over the batch and units,
        first layer first.
    """
    a = check_array_shape("x", np.asarray(x, dtype=np.float64), ("N", "n_0"))
    pre_activations = []
    for i, w in enumerate(weights):
        check_array_shape(f"weights[{i}]", w, (a.shape[1], f"n_{i + 1}"))
        z = a @ w
        pre_activations.append(z)
        a = activation(z)
    grad = np.ones_like(a)
    norms = []
    for w, z in zip(reversed(weights), reversed(pre_activations), strict=True):
        grad = grad * derivative(z)
        norms.append(np.sqrt(np.mean(grad**2)))
        grad = grad @ w.T
    return np.array(norms[::-1])


def random_mlp_weights(depth, width, std, seed=0, n_in=None):
    """`depth` weight matrices with entries N(0, std^2); the first has `n_in` rows if given."""
    rng = np.random.default_rng(seed)
    sizes = [n_in or width] + [width] * depth
    return [rng.normal(0.0, std, size=(m, n)) for m, n in zip(sizes[:-1], sizes[1:], strict=True)]
