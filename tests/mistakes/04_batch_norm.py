"""Typical wrong answers in unit 4 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("statistics", "train", "moving", "inference", "layer")}

MISTAKES = [
    Mistake("statistics", why="statistics over the features (axis=1) instead of the examples",
            old="mean = x.mean(axis=0)\n    var = ((x - mean) ** 2).mean(axis=0)",
            new="mean = x.mean(axis=1, keepdims=True)\n    var = ((x - mean) ** 2).mean(axis=1)\n"
                "    mean = mean[:, 0]",
            loses=BOTH["statistics"]),
    Mistake("statistics", why="unbiased variance (ddof=1) instead of the biased one",
            old="var = ((x - mean) ** 2).mean(axis=0)", new="var = x.var(axis=0, ddof=1)",
            loses=BOTH["statistics"]),
    Mistake("train", why="no epsilon: a constant column divides 0 by 0",
            old="np.sqrt(var + epsilon)", new="np.sqrt(var)", loses=BOTH["train"]),
    Mistake("train", why="epsilon added to the standard deviation, outside the square root",
            old="np.sqrt(var + epsilon)", new="(np.sqrt(var) + epsilon)", loses=BOTH["train"]),
    Mistake("train", why="normalizes over axis 1, the features of each example",
            old="mean, var = batch_statistics(x)",
            new="mean, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)",
            loses=BOTH["train"]),
    Mistake("train", why="forgets the shift beta", old="return gamma * x_hat + beta",
            new="return gamma * x_hat", loses=BOTH["train"]),
    Mistake("moving", why="momentum applied the wrong way round",
            old="moving * momentum + np.asarray(batch_value, dtype=np.float64) * (1.0 - momentum)",
            new="moving * (1.0 - momentum) + np.asarray(batch_value, dtype=np.float64) * momentum",
            loses=BOTH["moving"]),
    Mistake("moving", why="ignores the momentum argument and always uses 0.99",
            old="moving * momentum + np.asarray(batch_value, dtype=np.float64) * (1.0 - momentum)",
            new="moving * 0.99 + np.asarray(batch_value, dtype=np.float64) * 0.01",
            loses=BOTH["moving"]),
    Mistake("inference", why="normalizes with the statistics of the inference batch",
            old="return gamma * (x - moving_mean) / np.sqrt(moving_var + epsilon) + beta",
            new="return batch_norm_train(x, gamma, beta, epsilon)", loses=BOTH["inference"]),
    Mistake("inference", why="forgets epsilon at inference",
            old="np.sqrt(moving_var + epsilon)", new="np.sqrt(moving_var)",
            loses=BOTH["inference"]),
    Mistake("layer", why="uses the moving averages in training too",
            old="if training:\n            mean = ops.mean(inputs, axis=0)\n"
                "            variance = ops.mean(ops.square(inputs - mean), axis=0)",
            new="if training:\n            batch_mean = ops.mean(inputs, axis=0)\n"
                "            batch_variance = ops.mean(ops.square(inputs - batch_mean), axis=0)\n"
                "            mean, variance = self.moving_mean, self.moving_variance",
            loses=BOTH["layer"]),
    Mistake("layer", why="uses the batch statistics at inference",
            old="mean, variance = self.moving_mean, self.moving_variance",
            new="mean = ops.mean(inputs, axis=0)\n"
                "            variance = ops.mean(ops.square(inputs - mean), axis=0)",
            loses=BOTH["layer"]),
    Mistake("layer", why="momentum applied the wrong way round in the moving averages",
            old="self.moving_mean * self.momentum + mean * (1 - self.momentum)",
            new="self.moving_mean * (1 - self.momentum) + mean * self.momentum",
            loses=BOTH["layer"]),
    Mistake("layer", why="unbiased variance in the layer",
            old="variance = ops.mean(ops.square(inputs - mean), axis=0)",
            new="variance = ops.sum(ops.square(inputs - mean), axis=0) / (ops.shape(inputs)[0] - 1)",
            loses=BOTH["layer"]),
    Mistake("layer", why="moving averages created as trainable weights",
            old='initializer="zeros", trainable=False,',
            new='initializer="zeros", trainable=True,', loses=("test_layer_hidden",)),
    Mistake("layer", why="delegates to keras.layers.BatchNormalization",
            old="        return self.gamma * (inputs - mean) / ops.sqrt(variance + self.epsilon) + self.beta",
            new="        return keras.layers.BatchNormalization()(inputs, training=training)",
            loses=BOTH["layer"]),
]

MISTAKES += [
    Mistake("moving", why="updates the moving average passed in, in place",
            old="moving = np.asarray(moving, dtype=np.float64)\n"
                "    return moving * momentum + np.asarray(batch_value, dtype=np.float64) * (1.0 - momentum)",
            new="moving = np.asarray(moving, dtype=np.float64)\n    moving *= momentum\n"
                "    moving += np.asarray(batch_value, dtype=np.float64) * (1.0 - momentum)\n"
                "    return moving",
            loses=BOTH["moving"]),
    Mistake("statistics", why="returns a list, where the spec promises the tuple (mean, var)",
            old="return mean, var", new="return [mean, var]", loses=BOTH["statistics"]),
    Mistake("layer", why="rebinds the moving mean instead of assigning it: only works eagerly",
            old="self.moving_mean.assign(self.moving_mean * self.momentum + mean * (1 - self.momentum))",
            new="self.moving_mean = self.moving_mean * self.momentum + mean * (1 - self.momentum)",
            loses=("test_layer",)),
]

ALTERNATIVES = [
    Mistake("statistics", why="variance with x.var", loses=(),
            old="var = ((x - mean) ** 2).mean(axis=0)", new="var = x.var(axis=0)"),
    Mistake("train", why="inverse square root as a power", loses=(),
            old="x_hat = (x - mean) / np.sqrt(var + epsilon)",
            new="x_hat = (x - mean) * (var + epsilon) ** -0.5"),
    Mistake("moving", why="moving average as a step towards the batch value", loses=(),
            old="return moving * momentum + np.asarray(batch_value, dtype=np.float64) * (1.0 - momentum)",
            new="return moving + (1.0 - momentum) * (np.asarray(batch_value, dtype=np.float64) - moving)"),
    Mistake("inference", why="folded into one scale and one shift", loses=(),
            old="return gamma * (x - moving_mean) / np.sqrt(moving_var + epsilon) + beta",
            new="scale = gamma / np.sqrt(moving_var + epsilon)\n"
                "    return x * scale + (beta - moving_mean * scale)"),
    Mistake("layer", why="variance with keras.ops.var", loses=(),
            old="variance = ops.mean(ops.square(inputs - mean), axis=0)",
            new="variance = ops.var(inputs, axis=0)"),
]

# Exercise 6: folding the normalization into the dense layer before it (added with issue 12).
FOLD = ("test_fold_batch_norm", "test_fold_batch_norm_hidden")
MISTAKES += [
    Mistake("fold_batch_norm", why="scales the rows of the kernel (its inputs) instead of its columns",
            old="new_kernel = np.asarray(kernel, dtype=np.float64) * scale",
            new="new_kernel = np.asarray(kernel, dtype=np.float64) * scale[:, None]", loses=FOLD),
    Mistake("fold_batch_norm", why="forgets to subtract the moving mean from the bias",
            old="new_bias = (bias - moving_mean) * scale + beta", new="new_bias = bias * scale + beta",
            loses=FOLD),
    Mistake("fold_batch_norm", why="scales the moving mean but not the old bias",
            old="new_bias = (bias - moving_mean) * scale + beta",
            new="new_bias = bias - moving_mean * scale + beta", loses=FOLD),
    Mistake("fold_batch_norm", why="epsilon outside the square root",
            old="scale = gamma / np.sqrt(moving_var + epsilon)",
            new="scale = gamma / (np.sqrt(moving_var) + epsilon)", loses=FOLD),
]

ALTERNATIVES += [
    Mistake("fold_batch_norm", why="the kernel times a diagonal matrix, the bias term by term", loses=(),
            old="new_kernel = np.asarray(kernel, dtype=np.float64) * scale\n"
                "    new_bias = (bias - moving_mean) * scale + beta",
            new="new_kernel = kernel @ np.diag(scale)\n"
                "    new_bias = beta + scale * bias - scale * moving_mean"),
]
