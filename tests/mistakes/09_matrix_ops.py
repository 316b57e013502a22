"""Typical wrong answers in unit 9 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("linear", "sigmoid", "relu", "activation", "softmax", "regression", "batch_norm",
                   "dropout", "sequential", "train", "loss_grid", "distances")}
HIDDEN = {ex: (f"test_{ex}_hidden",) for ex in BOTH}

SHAPE_CHECK = ('        if x.ndim != 2 or x.shape[1] != W.shape[0]:\n'
               '            raise ValueError(f"x of shape {x.shape} cannot be multiplied by W of shape '
               '{W.shape}")\n')

MISTAKES = [
    # Exercise 1: the dense layer.
    Mistake("linear", why="transposed weight gradient dout.T @ x",
            old='self.grads["W"] = self.x.T @ dout', new='self.grads["W"] = dout.T @ self.x',
            loses=BOTH["linear"]),
    Mistake("linear", why="dW divided by the batch size, which the loss has already done",
            old='self.grads["W"] = self.x.T @ dout',
            new='self.grads["W"] = self.x.T @ dout / len(self.x)', loses=BOTH["linear"]),
    Mistake("linear", why="db summed over the outputs (axis 1) instead of the examples",
            old="dout.sum(axis=0)", new="dout.sum(axis=1)", loses=BOTH["linear"]),
    Mistake("linear", why="dx = dout @ W, without the transpose",
            old='return dout @ self.params["W"].T', new='return dout @ self.params["W"]',
            loses=BOTH["linear"]),
    Mistake("linear", why="forgets the bias in forward",
            old='return x @ W + self.params["b"]', new="return x @ W", loses=BOTH["linear"]),
    Mistake("linear", why="no shape check: NumPy's message does not name both shapes",
            old=SHAPE_CHECK, new="", loses=HIDDEN["linear"]),
    # Exercise 2: sigmoid.
    Mistake("sigmoid", why="backward computed from the input instead of the output",
            old="self.out = sigmoid(x)\n        return self.out\n\n    def backward(self, dout):\n"
                "        return dout * self.out * (1.0 - self.out)",
            new="self.x = x\n        self.out = sigmoid(x)\n        return self.out\n\n"
                "    def backward(self, dout):\n        return dout * self.x * (1.0 - self.x)",
            loses=BOTH["sigmoid"]),
    Mistake("sigmoid", why="applies sigma'(.) to the cached output: s(out) (1 - s(out))",
            old="return dout * self.out * (1.0 - self.out)",
            new="s = sigmoid(self.out)\n        return dout * s * (1.0 - s)", loses=BOTH["sigmoid"]),
    Mistake("sigmoid", why="forgets the upstream gradient dout",
            old="return dout * self.out * (1.0 - self.out)",
            new="return self.out * (1.0 - self.out)", loses=BOTH["sigmoid"]),
    # Exercise 3: ReLU.
    Mistake("relu", why="gradient 1 at x = 0 (the right-hand side of the kink)",
            old="np.where(self.x > 0, dout, 0.0)", new="np.where(self.x >= 0, dout, 0.0)",
            loses=BOTH["relu"]),
    Mistake("relu", why="forward zeroes the negative inputs of the caller's array in place",
            old="self.x = np.asarray(x, dtype=np.float64)\n        return np.maximum(self.x, 0.0)",
            new="x[x < 0] = 0\n        self.x = x\n        return x", loses=BOTH["relu"]),
    Mistake("relu", why="backward zeroes the caller's dout in place (CS231n's dout[x <= 0] = 0)",
            old="return np.where(self.x > 0, dout, 0.0)",
            new="dout[self.x <= 0] = 0\n        return dout", loses=BOTH["relu"]),
    # Exercise 4: any activation of unit 1.
    Mistake("activation", why="derivative evaluated at the output instead of the input",
            old="return dout * self.derivative(self.x)",
            new="return dout * self.derivative(self.function(self.x))", loses=BOTH["activation"]),
    Mistake("activation", why="forgets the upstream gradient dout",
            old="return dout * self.derivative(self.x)", new="return self.derivative(self.x)",
            loses=BOTH["activation"]),
    # Exercise 5: softmax cross-entropy.
    Mistake("softmax", why="no max-subtraction: exp overflows for large logits",
            old="shifted = z - z.max(axis=1, keepdims=True)", new="shifted = z",
            loses=BOTH["softmax"]),
    Mistake("softmax", why="takes the log of the softmax probabilities, which round to 0",
            old="log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
            new="log_p = np.log(np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True))",
            loses=BOTH["softmax"]),
    Mistake("softmax", why="gradient p - onehot(y) not divided by N",
            old="return loss, dlogits / n", new="return loss, dlogits", loses=BOTH["softmax"]),
    Mistake("softmax", why="loss summed over the batch instead of averaged",
            old="loss = -log_p[np.arange(n), labels].mean()",
            new="loss = -log_p[np.arange(n), labels].sum()", loses=BOTH["softmax"]),
    Mistake("softmax", why="subtracts the maximum from the caller's logits in place",
            old="z = np.asarray(logits, dtype=np.float64)\n    n = z.shape[0]\n"
                "    shifted = z - z.max(axis=1, keepdims=True)",
            new="z = logits\n    n = z.shape[0]\n    z -= z.max(axis=1, keepdims=True)\n"
                "    shifted = z", loses=BOTH["softmax"]),
    # Exercise 6: MSE and MAE.
    Mistake("regression", why="MSE gradient without the factor 2",
            old="2.0 * diff / diff.size", new="diff / diff.size", loses=BOTH["regression"]),
    Mistake("regression", why="MSE gradient divided by N instead of by every entry N*K",
            old="2.0 * diff / diff.size", new="2.0 * diff / len(diff)", loses=BOTH["regression"]),
    Mistake("regression", why="MAE without the absolute value",
            old="np.mean(np.abs(diff))", new="np.mean(diff)", loses=BOTH["regression"]),
    Mistake("regression", why="MAE gradient +1 where pred == target instead of 0",
            old="np.sign(diff) / diff.size", new="np.where(diff >= 0, 1.0, -1.0) / diff.size",
            loses=HIDDEN["regression"]),
    # Exercise 7: batch-norm backward.
    Mistake("batch_norm", why="dx misses the mean term (mu treated as a constant)",
            old="n * dout - sum_dout - self.x_hat * sum_dout_xhat",
            new="n * dout - self.x_hat * sum_dout_xhat", loses=BOTH["batch_norm"]),
    Mistake("batch_norm", why="dx misses the variance term (sigma treated as a constant)",
            old="n * dout - sum_dout - self.x_hat * sum_dout_xhat", new="n * dout - sum_dout",
            loses=BOTH["batch_norm"]),
    Mistake("batch_norm", why="dx as if mean and variance were constants: gamma * inv_std * dout",
            old="return scale * (n * dout - sum_dout - self.x_hat * sum_dout_xhat)",
            new='return self.params["gamma"] * self.inv_std * dout', loses=BOTH["batch_norm"]),
    Mistake("batch_norm", why="dgamma and dbeta swapped",
            old='self.grads["gamma"] = sum_dout_xhat\n        self.grads["beta"] = sum_dout',
            new='self.grads["gamma"] = sum_dout\n        self.grads["beta"] = sum_dout_xhat',
            loses=BOTH["batch_norm"]),
    Mistake("batch_norm", why="dx without the factor gamma",
            old='scale = self.params["gamma"] * self.inv_std / n', new="scale = self.inv_std / n",
            loses=BOTH["batch_norm"]),
    # Exercise 8: dropout backward.
    Mistake("dropout", why="backward without the 1 / (1 - rate) scale",
            old="np.where(self.keep, dout / (1.0 - self.rate), 0.0)",
            new="np.where(self.keep, dout, 0.0)", loses=BOTH["dropout"]),
    Mistake("dropout", why="backward ignores the mask",
            old="return np.where(self.keep, dout / (1.0 - self.rate), 0.0)",
            new="return dout / (1.0 - self.rate)", loses=BOTH["dropout"]),
    Mistake("dropout", why="scales the gradient at inference too",
            old="        if self.training:\n"
                "            return np.where(self.keep, dout / (1.0 - self.rate), 0.0)\n"
                "        return np.array(dout, dtype=np.float64)",
            new="        return np.where(self.keep, dout / (1.0 - self.rate), 0.0)",
            loses=HIDDEN["dropout"]),
    # Exercise 9: Sequential.
    Mistake("sequential", why="backward runs the nodes in forward order",
            old="for node in reversed(self.nodes):", new="for node in self.nodes:",
            loses=BOTH["sequential"]),
    Mistake("sequential", why="forward does not feed each output to the next node",
            old="x = node.forward(x)", new="node.forward(x)", loses=BOTH["sequential"]),
    Mistake("sequential", why="backward forgets to return dx",
            old="        return dout", new="        pass", loses=BOTH["sequential"]),
    # Exercise 10: SGD with momentum and the training loop.
    Mistake("train", why="the update forgets momentum (plain SGD)",
            old="v = momentum * velocities.get(name, 0.0) - learning_rate * grads[name]",
            new="v = -learning_rate * grads[name]", loses=BOTH["train"]),
    Mistake("train", why="updates a local name instead of the parameter array",
            old="params[name] += v", new="param = params[name]\n        param = param + v",
            loses=BOTH["train"]),
    Mistake("train", why="one velocity dict shared by every node",
            old="velocities = [{} for _ in model.nodes]",
            new="shared = {}\n    velocities = [shared for _ in model.nodes]", loses=BOTH["train"]),
    Mistake("train", why="shuffles once instead of every epoch",
            old="for _ in range(epochs):\n        order = rng.permutation(len(x))",
            new="order = rng.permutation(len(x))\n    for _ in range(epochs):", loses=BOTH["train"]),
    Mistake("train", why="drops the last, smaller batch of every epoch",
            old="range(0, len(x), batch_size)", new="range(0, len(x) - batch_size + 1, batch_size)",
            loses=BOTH["train"]),
    # Exercise 11: unit 3's level lines.
    Mistake("loss_grid", why="np.zeros_like of an integer grid truncates the losses",
            old="Z = np.zeros(W1.shape)", new="Z = np.zeros_like(W1)", loses=HIDDEN["loss_grid"]),
    Mistake("loss_grid", why="subtracts y (N,) from the (N, G) predictions without a new axis",
            old="(predictions - y[:, None])", new="(predictions - y)", loses=BOTH["loss_grid"]),
    Mistake("loss_grid", why="reshapes to the transposed grid shape",
            old=".reshape(W1.shape)", new=".reshape(W1.shape[::-1])", loses=BOTH["loss_grid"]),
    Mistake("loss_grid", why="averages over the grid points instead of the examples",
            old="axis=0).reshape", new="axis=1).reshape", loses=BOTH["loss_grid"]),
    Mistake("loss_grid", why="swaps the two weights in the loops",
            old="np.array([W1[i, j], W2[i, j]])", new="np.array([W2[i, j], W1[i, j]])",
            loses=BOTH["loss_grid"]),
    # Exercise 12: pairwise squared distances.
    Mistake("distances", why="forgets the factor 2 of the cross term",
            old="- 2.0 * a @ b.T", new="- a @ b.T", loses=BOTH["distances"]),
    Mistake("distances", why="|b|^2 added as a column instead of a row",
            old="(b ** 2).sum(axis=1)[None, :]", new="(b ** 2).sum(axis=1)[:, None]",
            loses=BOTH["distances"]),
    Mistake("distances", why="returns the distances, not their squares",
            old="return np.maximum(sq, 0.0)", new="return np.sqrt(np.maximum(sq, 0.0))",
            loses=BOTH["distances"]),
    Mistake("distances", why="|a|^2 summed over the examples (axis 0)",
            old="(a ** 2).sum(axis=1)[:, None]", new="(a ** 2).sum(axis=0)[:, None]",
            loses=BOTH["distances"]),
    Mistake("distances", why="broadcasts the integer points as given: integer distances",
            old="    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)\n"
                "    sq = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :] - 2.0 * a @ b.T\n"
                "    return np.maximum(sq, 0.0)",
            new="    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)",
            loses=HIDDEN["distances"]),
    Mistake("distances", why="delegates to dl4lib.vectorization, the reference",
            old="    return np.maximum(sq, 0.0)",
            new="    import dl4lib.vectorization\n"
                "    return dl4lib.vectorization.pairwise_sq_distances(a, b)",
            loses=BOTH["distances"]),
]

MISTAKES += [
    Mistake("relu", why="backward masks with dout > 0 instead of the cached input x > 0",
            old="np.where(self.x > 0, dout, 0.0)", new="np.where(dout > 0, dout, 0.0)",
            loses=BOTH["relu"]),
    Mistake("batch_norm", why="dgamma and dbeta summed over the features (axis 1)",
            old="sum_dout = dout.sum(axis=0)\n        sum_dout_xhat = (dout * self.x_hat).sum(axis=0)\n"
                '        self.grads["gamma"] = sum_dout_xhat\n        self.grads["beta"] = sum_dout',
            new="sum_dout = dout.sum(axis=0)\n        sum_dout_xhat = (dout * self.x_hat).sum(axis=0)\n"
                '        self.grads["gamma"] = (dout * self.x_hat).sum(axis=1)\n'
                '        self.grads["beta"] = dout.sum(axis=1)',
            loses=BOTH["batch_norm"]),
    Mistake("train", why="velocities created inside the epoch loop: momentum restarts every epoch",
            old="    velocities = [{} for _ in model.nodes]\n    history = []\n"
                "    for _ in range(epochs):\n",
            new="    history = []\n    for _ in range(epochs):\n"
                "        velocities = [{} for _ in model.nodes]\n",
            loses=BOTH["train"]),
]

ALTERNATIVES = [
    # Exercise 1: the dense layer.
    Mistake("linear", why="np.dot and np.sum, the shape compared as a tuple, x cached as given",
            loses=(),
            old='        x = np.asarray(x, dtype=np.float64)\n        W = self.params["W"]\n'
                '        if x.ndim != 2 or x.shape[1] != W.shape[0]:\n'
                '            raise ValueError(f"x of shape {x.shape} cannot be multiplied by W of '
                'shape {W.shape}")\n        self.x = x\n        return x @ W + self.params["b"]',
            new='        W, b = self.params["W"], self.params["b"]\n'
                '        if np.shape(x) != (len(x), W.shape[0]):\n'
                '            raise ValueError(f"cannot multiply x {np.shape(x)} by W {W.shape}")\n'
                '        self.x = x\n        return np.dot(x, W) + b'),
    Mistake("linear", why="backward with np.einsum and np.matmul", loses=(),
            old='self.grads["W"] = self.x.T @ dout\n        self.grads["b"] = dout.sum(axis=0)\n'
                '        return dout @ self.params["W"].T',
            new='self.grads["W"] = np.einsum("nd,nm->dm", self.x, dout)\n'
                '        self.grads["b"] = np.sum(dout, axis=0)\n'
                '        return np.matmul(dout, self.params["W"].T)'),
    # Exercise 2: sigmoid.
    Mistake("sigmoid", why="out - out ** 2, and a copy of the output returned", loses=(),
            old="self.out = sigmoid(x)\n        return self.out\n\n    def backward(self, dout):\n"
                "        return dout * self.out * (1.0 - self.out)",
            new="out = sigmoid(np.asarray(x, dtype=float))\n        self.out = out.copy()\n"
                "        return out\n\n    def backward(self, dout):\n"
                "        return np.multiply(dout, self.out - self.out ** 2)"),
    # Exercise 3: ReLU.
    Mistake("relu", why="np.clip forward, a cached boolean mask multiplied into dout", loses=(),
            old="self.x = np.asarray(x, dtype=np.float64)\n        return np.maximum(self.x, 0.0)\n"
                "\n    def backward(self, dout):\n        return np.where(self.x > 0, dout, 0.0)",
            new="self.mask = np.asarray(x) > 0\n        return np.clip(x, 0.0, None)\n"
                "\n    def backward(self, dout):\n        return dout * self.mask"),
    # Exercise 4: any activation.
    Mistake("activation", why="the local derivative computed in forward and cached", loses=(),
            old="self.x = np.asarray(x, dtype=np.float64)\n        return self.function(self.x)\n"
                "\n    def backward(self, dout):\n        return dout * self.derivative(self.x)",
            new="x = np.asarray(x, dtype=np.float64)\n        self.local = self.derivative(x)\n"
                "        return self.function(x)\n\n    def backward(self, dout):\n"
                "        return self.local * dout"),
    # Exercise 5: softmax cross-entropy.
    Mistake("softmax", why="log-sum-exp per row, one-hot labels with np.eye, probabilities", loses=(),
            old="    shifted = z - z.max(axis=1, keepdims=True)\n"
                "    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
                "    loss = -log_p[np.arange(n), labels].mean()\n    dlogits = np.exp(log_p)\n"
                "    dlogits[np.arange(n), labels] -= 1.0\n    return loss, dlogits / n",
            new="    m = np.max(z, axis=1)\n    lse = m + np.log(np.sum(np.exp(z - m[:, None]), axis=1))\n"
                "    loss = np.mean(lse - z[np.arange(n), labels])\n"
                "    p = np.exp(z - lse[:, None])\n    onehot = np.eye(z.shape[1])[labels]\n"
                "    return float(loss), (p - onehot) / n"),
    # Exercise 6: MSE and MAE.
    Mistake("regression", why="np.square, sums divided by the size, np.abs(...).mean()", loses=(),
            old="diff = np.asarray(pred, dtype=np.float64) - target\n"
                "    return np.mean(diff ** 2), 2.0 * diff / diff.size",
            new="n = np.size(pred)\n    return np.sum(np.square(pred - target)) / n, "
                "2 * (pred - target) / n"),
    Mistake("regression", why="MAE gradient written with np.where, 0 at exact hits", loses=(),
            old="np.sign(diff) / diff.size",
            new="np.where(diff > 0, 1.0, np.where(diff < 0, -1.0, 0.0)) / diff.size"),
    # Exercise 7: batch-norm backward.
    Mistake("batch_norm", why="CS231n's step-by-step graph: through x_hat, the variance and the mean",
            loses=(),
            old="n = dout.shape[0]\n        sum_dout = dout.sum(axis=0)\n"
                "        sum_dout_xhat = (dout * self.x_hat).sum(axis=0)\n"
                '        self.grads["gamma"] = sum_dout_xhat\n        self.grads["beta"] = sum_dout\n'
                '        scale = self.params["gamma"] * self.inv_std / n\n'
                "        return scale * (n * dout - sum_dout - self.x_hat * sum_dout_xhat)",
            new="n = len(dout)\n        xmu = self.x_hat / self.inv_std\n"
                '        self.grads["beta"] = np.sum(dout, axis=0)\n'
                '        self.grads["gamma"] = np.sum(dout * self.x_hat, axis=0)\n'
                '        dxhat = dout * self.params["gamma"]\n'
                "        dvar = np.sum(dxhat * xmu, axis=0) * -0.5 * self.inv_std ** 3\n"
                "        dmu = -np.sum(dxhat * self.inv_std, axis=0) - 2.0 * dvar * np.mean(xmu, axis=0)\n"
                "        return dxhat * self.inv_std + dvar * 2.0 * xmu / n + dmu / n"),
    # Exercise 8: dropout backward.
    Mistake("dropout", why="mask times a scale that is 1 at inference", loses=(),
            old="        if self.training:\n"
                "            return np.where(self.keep, dout / (1.0 - self.rate), 0.0)\n"
                "        return np.array(dout, dtype=np.float64)",
            new="        scale = 1.0 / (1.0 - self.rate) if self.training else 1.0\n"
                "        return dout * self.keep * scale"),
    # Exercise 9: Sequential.
    Mistake("sequential", why="functools.reduce in forward, with a debug warning (stderr)",
            loses=(),
            old="        for node in self.nodes:\n            x = node.forward(x)\n        return x",
            new="        import functools\n        import warnings\n"
                "        warnings.warn(f'forward through {len(self.nodes)} nodes', stacklevel=2)\n"
                "        return functools.reduce(lambda h, node: node.forward(h), self.nodes, x)"),
    Mistake("sequential", why="backward over self.nodes[::-1]", loses=(),
            old="        for node in reversed(self.nodes):\n            dout = node.backward(dout)\n"
                "        return dout",
            new="        grad = dout\n        for node in self.nodes[::-1]:\n"
                "            grad = node.backward(grad)\n        return grad"),
    # Exercise 10: SGD with momentum and the training loop.
    Mistake("train", why="velocities from setdefault, updated in place with *= and -=", loses=(),
            old="    for name in params:\n"
                "        v = momentum * velocities.get(name, 0.0) - learning_rate * grads[name]\n"
                "        velocities[name] = v\n        params[name] += v",
            new="    for name, param in params.items():\n"
                "        v = velocities.setdefault(name, np.zeros_like(param))\n"
                "        v *= momentum\n        v -= learning_rate * grads[name]\n"
                "        param -= -v"),
    Mistake("train", why="a while loop over the batches, one velocity dict per node index",
            loses=(),
            old="    velocities = [{} for _ in model.nodes]\n    history = []\n"
                "    for _ in range(epochs):\n        order = rng.permutation(len(x))\n"
                "        for start in range(0, len(x), batch_size):\n"
                "            batch = order[start:start + batch_size]\n"
                "            value, dout = loss(model.forward(x[batch]), y[batch])\n"
                "            model.backward(dout)\n"
                "            for node, node_velocities in zip(model.nodes, velocities):\n"
                "                sgd_momentum_step(node.params, node.grads, node_velocities, "
                "learning_rate, momentum)\n            history.append(value)\n    return history",
            new="    velocities = {}\n    losses = []\n    epoch = 0\n    while epoch < epochs:\n"
                "        idx = rng.permutation(x.shape[0])\n        start = 0\n"
                "        while start < len(idx):\n            xb = x[idx[start:start + batch_size]]\n"
                "            yb = y[idx[start:start + batch_size]]\n"
                "            value, dout = loss(model.forward(xb), yb)\n"
                "            model.backward(dout)\n            for i, node in enumerate(model.nodes):\n"
                "                sgd_momentum_step(node.params, node.grads, velocities.setdefault(i, {}), "
                "learning_rate, momentum)\n"
                "            losses.append(float(value))\n            start += batch_size\n"
                "        epoch += 1\n    return losses"),
    # Exercise 11: unit 3's level lines.
    Mistake("loss_grid", why="loops with an explicit sum, np.empty of floats", loses=(),
            old="    Z = np.zeros(W1.shape)\n    for i in range(W1.shape[0]):\n"
                "        for j in range(W1.shape[1]):\n"
                "            w = np.array([W1[i, j], W2[i, j]])\n"
                "            Z[i, j] = np.mean((x @ w - y) ** 2)\n    return Z",
            new="    rows, cols = W1.shape\n    Z = np.empty((rows, cols), dtype=float)\n"
                "    for i in range(rows):\n        for j in range(cols):\n"
                "            residual = x[:, 0] * W1[i, j] + x[:, 1] * W2[i, j] - y\n"
                "            Z[i, j] = np.sum(residual ** 2) / len(y)\n    return Z"),
    Mistake("loss_grid", why="the grid of weight vectors stacked on a last axis, times x.T", loses=(),
            old="    predictions = x @ np.vstack([W1.ravel(), W2.ravel()])\n"
                "    return np.mean((predictions - y[:, None]) ** 2, axis=0).reshape(W1.shape)",
            new="    weights = np.stack([W1, W2], axis=-1).astype(float)  # (G1, G2, 2)\n"
                "    predictions = weights @ x.T  # (G1, G2, N)\n"
                "    return ((predictions - y) ** 2).mean(axis=-1)"),
    Mistake("loss_grid", why="the loops fill a float32 grid (any float is allowed)", loses=(),
            old="Z = np.zeros(W1.shape)", new="Z = np.zeros(W1.shape, dtype=np.float32)"),
    # Exercise 12: pairwise squared distances.
    Mistake("distances", why="broadcast differences of float copies, as the text suggests",
            loses=(),
            old="    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)\n"
                "    sq = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :] - 2.0 * a @ b.T\n"
                "    return np.maximum(sq, 0.0)",
            new="    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
                "    diff = a[:, None, :] - b[None, :, :]\n"
                "    return np.sum(diff ** 2, axis=-1)"),
    Mistake("distances", why="np.einsum for the norms and the dot products", loses=(),
            old="    sq = (a ** 2).sum(axis=1)[:, None] + (b ** 2).sum(axis=1)[None, :] - 2.0 * a @ b.T",
            new="    aa = np.einsum('ik,ik->i', a, a)\n    bb = np.einsum('jk,jk->j', b, b)\n"
                "    sq = aa.reshape(-1, 1) + bb.reshape(1, -1) - 2 * np.einsum('ik,jk->ij', a, b)"),
]
