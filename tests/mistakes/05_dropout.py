"""Typical wrong answers in unit 5 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("dropout_forward", "l2", "l1", "layer", "ensemble")}

INFERENCE = "    if not training:\n        return x\n"
LAYER_INFERENCE = "        if not training:\n            return inputs\n"

MISTAKES = [
    # Exercise 1: inverted dropout in NumPy.
    Mistake("dropout_forward", why="kept units are not rescaled by 1 / (1 - rate)",
            old="np.where(keep, x / (1.0 - rate), 0.0)", new="np.where(keep, x, 0.0)",
            loses=BOTH["dropout_forward"]),
    Mistake("dropout_forward", why="rescales by 1 / (1 - rate) at inference too",
            old=INFERENCE, new="    if not training:\n        return x / (1.0 - rate)\n",
            loses=BOTH["dropout_forward"]),
    Mistake("dropout_forward", why="drops units at inference too (ignores `training`)",
            old=INFERENCE, new="", loses=BOTH["dropout_forward"]),
    Mistake("dropout_forward", why="treats `rate` as the probability of keeping a unit",
            old="keep = rng.random(x.shape) >= rate\n    return np.where(keep, x / (1.0 - rate), 0.0)",
            new="keep = rng.random(x.shape) < rate\n    return np.where(keep, x / rate, 0.0)",
            loses=BOTH["dropout_forward"]),
    Mistake("dropout_forward", why="does not check that 0 <= rate < 1",
            old="    if not 0 <= rate < 1:\n        raise ValueError(f\"Invalid value received for "
                "argument `rate`. Expected a float value \"\n                         f\"in [0, 1). "
                "Received: rate={rate}\")\n",
            new="", loses=BOTH["dropout_forward"]),
    # Exercise 2: L2.
    Mistake("l2", why="L2 gradient without the factor 2",
            old="return 2.0 * l2 * np.asarray(w, dtype=np.float64)",
            new="return l2 * np.asarray(w, dtype=np.float64)", loses=BOTH["l2"]),
    Mistake("l2", why="L2 penalty as the norm ||w|| instead of the squared norm",
            old="return l2 * np.sum(w ** 2)", new="return l2 * np.sqrt(np.sum(w ** 2))",
            loses=BOTH["l2"]),
    # Exercise 3: L1.
    Mistake("l1", why="L1 gradient written as the L2 one, 2 * l1 * w",
            old="return l1 * np.sign(np.asarray(w, dtype=np.float64))",
            new="return 2.0 * l1 * np.asarray(w, dtype=np.float64)", loses=BOTH["l1"]),
    Mistake("l1", why="L1 penalty without the absolute value",
            old="return l1 * np.sum(np.abs(w))", new="return l1 * np.sum(w)", loses=BOTH["l1"]),
    Mistake("l1", why="L1 subgradient -l1 instead of 0 at w = 0",
            old="return l1 * np.sign(np.asarray(w, dtype=np.float64))",
            new="return np.where(np.asarray(w) > 0, l1, -l1)", loses=("test_l1_hidden",)),
    # Exercise 4: the Keras layer.
    Mistake("layer", why="kept units are not rescaled by 1 / (1 - rate)",
            old="ops.where(keep, inputs / (1.0 - self.rate), ops.zeros_like(inputs))",
            new="ops.where(keep, inputs, ops.zeros_like(inputs))", loses=BOTH["layer"]),
    Mistake("layer", why="rescales by 1 / (1 - rate) at inference too",
            old=LAYER_INFERENCE,
            new="        if not training:\n            return inputs / (1.0 - self.rate)\n",
            loses=BOTH["layer"]),
    Mistake("layer", why="treats `rate` as the probability of keeping a unit",
            old="keep = u >= self.rate\n        return ops.where(keep, inputs / (1.0 - self.rate)",
            new="keep = u < self.rate\n        return ops.where(keep, inputs / self.rate",
            loses=BOTH["layer"]),
    Mistake("layer", why="passes the integer seed to keras.random.uniform: the same mask at every call",
            old="seed=self.seed_generator)", new="seed=self.seed)", loses=("test_layer_hidden",)),
    Mistake("layer", why="draws the mask with NumPy: a constant mask inside a compiled graph",
            old="u = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)",
            new="u = np.random.default_rng().random(tuple(ops.shape(inputs)))",
            loses=("test_layer_hidden",)),
    # Exercise 5: Monte-Carlo dropout.
    Mistake("ensemble", why="averages inference-mode passes: no sub-networks are sampled",
            old="dropout_mlp_forward(x, params, rate, True, rng)",
            new="dropout_mlp_forward(x, params, rate, False, rng)", loses=BOTH["ensemble"]),
    Mistake("ensemble", why="returns the sum of the samples instead of their mean",
            old="return total / n_samples", new="return total", loses=BOTH["ensemble"]),
    Mistake("ensemble", why="applies dropout to the inputs instead of the hidden units",
            old="h = np.maximum(x @ w1 + b1, 0.0)\n    h = dropout_forward(h, rate, training, rng)",
            new="h = np.maximum(dropout_forward(x, rate, training, rng) @ w1 + b1, 0.0)",
            loses=BOTH["ensemble"]),
]

# Exercise 6: the proximal step for L1 (added with issue 12).
PROX = ("test_l1_proximal_step", "test_l1_proximal_step_hidden")
PROX_U = ("    u = np.asarray(w, dtype=np.float64) - learning_rate * "
          "np.asarray(grad, dtype=np.float64)\n")
PROX_RETURN = "    return np.sign(u) * np.maximum(np.abs(u) - learning_rate * l1, 0.0)"
MISTAKES += [
    Mistake("l1_proximal_step", why="takes a subgradient step instead of the proximal one",
            old=PROX_RETURN, new="    return w - learning_rate * (grad + l1 * np.sign(w))", loses=PROX),
    Mistake("l1_proximal_step", why="thresholds at l1 instead of learning_rate * l1",
            old="np.abs(u) - learning_rate * l1", new="np.abs(u) - l1", loses=PROX),
    Mistake("l1_proximal_step", why="hard threshold: zeroes small coordinates but does not shrink the others",
            old=PROX_RETURN, new="    return np.where(np.abs(u) > learning_rate * l1, u, 0.0)", loses=PROX),
    Mistake("l1_proximal_step", why="thresholds w before the gradient step instead of after it",
            old=PROX_U + PROX_RETURN,
            new="    w = np.asarray(w, dtype=np.float64)\n"
                "    shrunk = np.sign(w) * np.maximum(np.abs(w) - learning_rate * l1, 0.0)\n"
                "    return shrunk - learning_rate * np.asarray(grad, dtype=np.float64)", loses=PROX),
]

MISTAKES += [
    Mistake("dropout_forward", why="zeroes and scales the caller's array in place",
            old="keep = rng.random(x.shape) >= rate\n    return np.where(keep, x / (1.0 - rate), 0.0)",
            new="keep = rng.random(x.shape) >= rate\n    x[~keep] = 0.0\n    x /= 1.0 - rate\n"
                "    return x",
            loses=BOTH["dropout_forward"]),
    Mistake("l1", why="the gradient overwrites the weights with their signs",
            old="return l1 * np.sign(np.asarray(w, dtype=np.float64))",
            new="w = np.asarray(w, dtype=np.float64)\n    np.sign(w, out=w)\n    return l1 * w",
            loses=BOTH["l1"]),
]

MISTAKES += [
    Mistake("l1_proximal_step", why="takes the gradient step in place, changing the caller's w",
            old=PROX_U, new="    w -= learning_rate * grad\n    u = w\n", loses=PROX),
]

ALTERNATIVES = [
    Mistake("dropout_forward", why="mask multiplied in", loses=(),
            old="return np.where(keep, x / (1.0 - rate), 0.0)", new="return x * keep / (1.0 - rate)"),
    Mistake("l2", why="sum of squares as a dot product", loses=(),
            old="return l2 * np.sum(w ** 2)", new="return l2 * float(np.vdot(w, w))"),
    Mistake("l1", why="sum as a method", loses=(),
            old="return l1 * np.sum(np.abs(w))", new="return l1 * np.abs(w).sum()"),
    Mistake("layer", why="the rate spelled with :g in the error message (1.0 shown as 1)",
            loses=(), old="Received: rate={rate}", new="got rate = {rate:g}"),
    Mistake("ensemble", why="the mean of a list of passes", loses=(),
            old="total = 0.0\n    for _ in range(n_samples):\n"
                "        total = total + dropout_mlp_forward(x, params, rate, True, rng)\n"
                "    return total / n_samples",
            new="passes = [dropout_mlp_forward(x, params, rate, True, rng) for _ in range(n_samples)]\n"
                "    return np.mean(passes, axis=0)"),
]

ALTERNATIVES += [
    Mistake("l1_proximal_step", why="soft threshold as u - clip(u, -t, t)", loses=(),
            old=PROX_RETURN,
            new="    t = learning_rate * l1\n    return u - np.clip(u, -t, t)"),
    Mistake("l1_proximal_step", why="the three cases of the soft threshold with nested np.where",
            loses=(), old=PROX_U + PROX_RETURN,
            new="    u = w - learning_rate * grad\n    t = learning_rate * l1\n"
                "    return np.where(u > t, u - t, np.where(u < -t, u + t, 0.0))"),
]
