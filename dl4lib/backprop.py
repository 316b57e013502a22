"""Backpropagation in NumPy: nodes with a forward and a backward pass, losses, a network, SGD.

These are the references of unit 9. Every node follows one contract:

    node.forward(x) -> out      computes the output and caches what backward will need;
    node.backward(dout) -> dx   takes dL/dout (the shape of out), returns dL/dx (the shape of
                                x) by the chain rule, and fills node.grads[name] = dL/d param
                                for every parameter;
    node.params, node.grads     dicts name -> array ({} for a node without parameters); the
                                optimizer changes node.params[name] in place.

A batch is a float64 array x of shape (N, D): one example per row. The shapes of the dense layer
and of the losses, with N examples, D inputs, M outputs and C classes:

    Linear      x (N, D), W (D, M), b (M,) -> out (N, M):  out = x W + b,
                dx = dout W^T (N, D),  dW = x^T dout (D, M),  db = sum_n dout[n] (M,);
    losses      loss(pred, target) -> (value, dpred): a float and dL/dpred, the shape of pred;
                the loss is a mean over the batch, so the 1/N lives in dpred and nowhere else.

Elementwise nodes (Sigmoid, ReLU, Activation, Dropout) keep the shape. At the kink of ReLU the
derivative is that of the left side, 0 (the positive branch is x > 0), as in unit 1 and in
TensorFlow. `BatchNorm` is unit 4's training-time forward pass (batch statistics) with its
backward; `Dropout` draws unit 5's mask, u = rng.random(x.shape), keep = u >= rate.

`tests/test_backprop.py` checks every backward against `tf.GradientTape` on the same weights and
inputs; this module never imports TensorFlow.

Reference:
    Rumelhart, Hinton and Williams, 1986, "Learning representations by back-propagating
    errors", Nature 323, 533-536. Stanford CS231n, assignment 2 (`layers.py`).
"""

import numpy as np

from dl4lib._validation import check_array_shape, check_number, invalid_argument
from dl4lib.activations import sigmoid
from dl4lib.batch_norm_numpy import batch_statistics
from dl4lib.regularization import check_rate


def _batch(x, name="x"):
    return check_array_shape(name, np.asarray(x, dtype=np.float64), ("N", "D"))


def _same_shape(dout, shape, node):
    dout = np.asarray(dout, dtype=np.float64)
    if dout.shape != shape:
        raise ValueError(f"{node}.backward: dout must have the shape of the forward output "
                         f"{shape}; received dout.shape={dout.shape}.")
    return dout


def _cached(value, node):
    if value is None:
        raise RuntimeError(f"{node}.backward was called before {node}.forward: the backward "
                           "pass needs the values cached by the forward pass.")
    return value


class Linear:
    """Dense layer out = x W + b.

    Args:
        W: array of shape (D, M), the weights.
        b: array of shape (M,), the biases.
    """

    def __init__(self, W, b):
        W = check_array_shape("W", np.array(W, dtype=np.float64), ("D", "M"))
        b = check_array_shape("b", np.array(b, dtype=np.float64), (W.shape[1],))
        self.params = {"W": W, "b": b}
        self.grads = {}
        self.x = None

    def forward(self, x):
        """x (N, D) -> x W + b (N, M); caches x."""
        x = _batch(x)
        W = self.params["W"]
        if x.shape[1] != W.shape[0]:
            raise ValueError(f"Linear.forward: x of shape {x.shape} cannot be multiplied by W of "
                             f"shape {W.shape}; x needs {W.shape[0]} columns.")
        self.x = x
        return x @ W + self.params["b"]

    def backward(self, dout):
        """dout (N, M) -> dx = dout W^T (N, D); fills grads W = x^T dout, b = sum over rows."""
        x = _cached(self.x, "Linear")
        W = self.params["W"]
        dout = _same_shape(dout, (x.shape[0], W.shape[1]), "Linear")
        self.grads = {"W": x.T @ dout, "b": dout.sum(axis=0)}
        return dout @ W.T


class Sigmoid:
    """out = 1 / (1 + exp(-x)); backward from the cached output: dx = dout * out * (1 - out)."""

    def __init__(self):
        self.params, self.grads, self.out = {}, {}, None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        out = _cached(self.out, "Sigmoid")
        return _same_shape(dout, out.shape, "Sigmoid") * out * (1.0 - out)


class ReLU:
    """out = max(x, 0); dx = dout where x > 0 and 0 elsewhere, at x = 0 included."""

    def __init__(self):
        self.params, self.grads, self.x = {}, {}, None

    def forward(self, x):
        self.x = np.asarray(x, dtype=np.float64)
        return np.maximum(self.x, 0.0)

    def backward(self, dout):
        x = _cached(self.x, "ReLU")
        return np.where(x > 0, _same_shape(dout, x.shape, "ReLU"), 0.0)


class Activation:
    """Any elementwise activation f with a known derivative: out = f(x), dx = dout * f'(x).

    Args:
        function: elementwise function, e.g. `dl4lib.activations.tanh`.
        derivative: its derivative, e.g. `dl4lib.activations.tanh_derivative`.
    """

    def __init__(self, function, derivative):
        self.function, self.derivative = function, derivative
        self.params, self.grads, self.x = {}, {}, None

    def forward(self, x):
        self.x = np.asarray(x, dtype=np.float64)
        return np.asarray(self.function(self.x), dtype=np.float64)

    def backward(self, dout):
        x = _cached(self.x, "Activation")
        return _same_shape(dout, x.shape, "Activation") * self.derivative(x)


class BatchNorm:
    """Batch normalization in training mode (unit 4's forward pass) with its backward pass.

    Forward, with the batch's statistics over axis 0 (biased variance):

        x_hat = (x - mean) / sqrt(var + epsilon),    out = gamma * x_hat + beta.

    Backward: dgamma = sum_n dout * x_hat, dbeta = sum_n dout, and, since mean and var depend on
    every example of the batch,

        dx = gamma / (N sqrt(var + epsilon)) * (N dout - sum_n dout - x_hat * sum_n dout x_hat).

    The moving averages and inference are unit 4's; this node always uses batch statistics.

    Args:
        gamma, beta: arrays of shape (D,).
        epsilon: float > 0 added to the variance.
    """

    def __init__(self, gamma, beta, epsilon=1e-3):
        gamma = check_array_shape("gamma", np.array(gamma, dtype=np.float64), ("D",))
        beta = check_array_shape("beta", np.array(beta, dtype=np.float64), gamma.shape)
        epsilon = check_number("epsilon", epsilon, low=0, low_open=True)
        self.params = {"gamma": gamma, "beta": beta}
        self.grads = {}
        self.epsilon = epsilon
        self.x_hat = self.inv_std = None

    def forward(self, x):
        x = _batch(x)
        if x.shape[1:] != self.params["gamma"].shape:
            raise ValueError(f"BatchNorm.forward: x of shape {x.shape} does not match gamma of "
                             f"shape {self.params['gamma'].shape}.")
        mean, var = batch_statistics(x)
        self.inv_std = 1.0 / np.sqrt(var + self.epsilon)
        self.x_hat = (x - mean) * self.inv_std
        return self.params["gamma"] * self.x_hat + self.params["beta"]

    def backward(self, dout):
        x_hat = _cached(self.x_hat, "BatchNorm")
        dout = _same_shape(dout, x_hat.shape, "BatchNorm")
        n = x_hat.shape[0]
        sum_dout, sum_dout_xhat = dout.sum(axis=0), (dout * x_hat).sum(axis=0)
        self.grads = {"gamma": sum_dout_xhat, "beta": sum_dout}
        scale = self.params["gamma"] * self.inv_std / n
        return scale * (n * dout - sum_dout - x_hat * sum_dout_xhat)


class Dropout:
    """Inverted dropout (unit 5): in training keep where u >= rate and scale by 1 / (1 - rate).

    Forward draws u = rng.random(x.shape) once and caches keep = u >= rate; backward passes the
    gradient through the kept units with the same scale, dx = where(keep, dout / (1 - rate), 0).
    With `training` False both passes are the identity and nothing is drawn.

    Args:
        rate: float in [0, 1), the fraction of units dropped.
        rng: a `np.random.Generator`.
        training: bool, the mode (an attribute: set `node.training = False` to evaluate).
    """

    def __init__(self, rate, rng, training=True):
        self.rate, self.rng, self.training = check_rate(rate), rng, training
        self.params, self.grads, self.keep = {}, {}, None

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        if not self.training:
            self.keep = np.ones(x.shape, dtype=bool)
            return x.copy()
        self.keep = self.rng.random(x.shape) >= self.rate
        return np.where(self.keep, x / (1.0 - self.rate), 0.0)

    def backward(self, dout):
        keep = _cached(self.keep, "Dropout")
        dout = _same_shape(dout, keep.shape, "Dropout")
        if not self.training:
            return dout.copy()
        return np.where(keep, dout / (1.0 - self.rate), 0.0)


class Sequential:
    """A chain of nodes: forward calls them in order, backward in the reverse order.

    Args:
        nodes: list of nodes that follow the contract of this module.
    """

    def __init__(self, nodes):
        self.nodes = list(nodes)

    def forward(self, x):
        for node in self.nodes:
            x = node.forward(x)
        return x

    def backward(self, dout):
        for node in reversed(self.nodes):
            dout = node.backward(dout)
        return dout


def _pair(pred, target):
    pred = np.asarray(pred, dtype=np.float64)
    if pred.size == 0:
        raise invalid_argument("pred", "a non-empty array", pred.shape, attribute="shape")
    return pred, check_array_shape("target", np.asarray(target, dtype=np.float64), pred.shape)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

        p = softmax(z) row by row,   L = -(1/N) sum_n log p[n, y_n],   dL/dz = (p - onehot(y)) / N.

    Computed stably with log-sum-exp: log p = (z - m) - log sum exp(z - m), m = max of the row,
    so logits of 1e4 neither overflow nor lose the answer.

    Args:
        logits: array of shape (N, C).
        labels: integer array of shape (N,), values in 0 .. C-1.

    Returns:
        (loss, dlogits): a float and an array of shape (N, C).
    """
    z = _batch(logits, "logits")
    labels = check_array_shape("labels", np.asarray(labels), (z.shape[0],))
    classes = f"integer class indices in [0, {z.shape[1]})"
    if labels.dtype.kind not in "iu":
        raise invalid_argument("labels", classes, labels.dtype, attribute="dtype")
    if labels.size and labels.min() < 0:
        raise invalid_argument("labels", classes, labels.min(), attribute="min()")
    if labels.size and labels.max() >= z.shape[1]:
        raise invalid_argument("labels", classes, labels.max(), attribute="max()")
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = z.shape[0]
    loss = -log_p[np.arange(n), labels].mean()
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), labels] -= 1.0
    return float(loss), dlogits / n


def mse(pred, target):
    """Mean squared error over every entry, and its gradient.

        L = (1/S) sum (pred - target)^2,   dL/dpred = 2 (pred - target) / S,   S = pred.size.

    For pred of shape (N, K) this is Keras' `MeanSquaredError`: the mean over the K outputs,
    then over the N examples.
    """
    pred, target = _pair(pred, target)
    diff = pred - target
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def mae(pred, target):
    """Mean absolute error over every entry, and its (sub)gradient.

        L = (1/S) sum |pred - target|,   dL/dpred = sign(pred - target) / S,   S = pred.size,

    with the subgradient 0 where pred == target (`np.sign(0) == 0`, as TensorFlow).
    """
    pred, target = _pair(pred, target)
    diff = pred - target
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size


def sgd_momentum_step(params, grads, velocities, learning_rate, momentum):
    """One step of SGD with momentum on every parameter of a node, in place (Keras' SGD).

        v = momentum * v - learning_rate * g,    param = param + v,

    for each name in `params`, with v starting at 0. With momentum 0 this is plain SGD.

    Args:
        params: dict name -> array, changed in place.
        grads: dict name -> array of the same shapes.
        velocities: dict name -> array, this node's optimizer state; start with {}.
        learning_rate: float > 0.
        momentum: float in [0, 1).
    """
    learning_rate = check_number("learning_rate", learning_rate, low=0, low_open=True)
    momentum = check_number("momentum", momentum, low=0, high=1, high_open=True)
    for name, param in params.items():
        v = velocities.get(name, np.zeros_like(param))
        v = momentum * v - learning_rate * grads[name]
        velocities[name] = v
        param += v


def train(model, x, y, loss, *, epochs, batch_size, learning_rate, momentum, rng):
    """Train `model` by mini-batch SGD with momentum; return the loss of every step.

    Every epoch visits the examples in the order `rng.permutation(N)`, in batches of
    `batch_size` (the last one may be smaller). A step is: forward on the batch, the loss and its
    gradient, backward, then `sgd_momentum_step` on every node with a velocity per node.

    Args:
        model: a `Sequential` (or any node).
        x: array of shape (N, D); y: the targets of the N examples, as `loss` expects them.
        loss: a loss function of this module, loss(pred, target) -> (value, dpred).
        epochs, batch_size: ints >= 1.
        learning_rate, momentum: as in `sgd_momentum_step`.
        rng: `np.random.Generator` for the shuffling.

    Returns:
        List of floats: the batch loss of every step, before that step's update.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y)
    y = check_array_shape("y", y, (len(x), *y.shape[1:]))  # one row of y per row of x
    nodes = getattr(model, "nodes", [model])
    velocities = [{} for _ in nodes]
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            value, dout = loss(model.forward(x[batch]), y[batch])
            model.backward(dout)
            for node, velocity in zip(nodes, velocities, strict=True):
                sgd_momentum_step(node.params, node.grads, velocity, learning_rate, momentum)
            history.append(value)
    return history
