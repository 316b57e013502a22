"""Typical wrong answers in unit 10 and the test cells each one must fail (all others pass).

Every submission but the untouched one hands in a model.keras (`submission_files`) that is right
on every image of the fast-mode (synthetic) test set, so the model cells keep their points and
only the exercise cells named below fail.
"""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("standardize", "augment", "range_test", "log_uniform", "one_cycle", "smoothing")}

MISTAKES = [
    # Exercise 1: standardization.
    Mistake("standardize", why="statistics of train and test together: test-set leakage",
            old="mean = x_train.mean(axis=(0, 1, 2))\n    std = x_train.std(axis=(0, 1, 2))",
            new="both = np.concatenate([x_train, x_test])\n    mean = both.mean(axis=(0, 1, 2))\n"
                "    std = both.std(axis=(0, 1, 2))",
            loses=BOTH["standardize"]),
    Mistake("standardize", why="per-pixel statistics (axis 0) instead of per channel",
            old="mean = x_train.mean(axis=(0, 1, 2))\n    std = x_train.std(axis=(0, 1, 2))",
            new="mean = x_train.mean(axis=0)\n    std = x_train.std(axis=0)",
            loses=BOTH["standardize"]),
    Mistake("standardize", why="returns float64 images",
            old="return ((x_train - mean) / std).astype(np.float32), "
                "((x_test - mean) / std).astype(np.float32)",
            new="return (x_train - mean) / std, (x_test - mean) / std", loses=BOTH["standardize"]),
    # Exercise 2: random crop and mirror.
    Mistake("augment", why="one row offset for the whole batch",
            old="dy = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)",
            new="dy = keras.random.randint((1, 1), 0, 2 * p + 1, seed=self.seed_generator)",
            loses=BOTH["augment"]),
    Mistake("augment", why="mirror drawn with NumPy: the same mirrors at every call of a compiled graph",
            old="mirror = keras.random.uniform((n, 1, 1, 1), seed=self.seed_generator) < 0.5",
            new="mirror = np.random.default_rng().random((n, 1, 1, 1)) < 0.5",
            loses=BOTH["augment"]),
    Mistake("augment", why="augments at inference too (ignores `training`)",
            old="        if not training:\n            return inputs\n", new="",
            loses=BOTH["augment"]),
    # Exercise 3: the range test.
    Mistake("range_test", why="linear instead of exponential sweep",
            old="lr = lr_min * (lr_max / lr_min) ** (i / (num_steps - 1))",
            new="lr = lr_min + (lr_max - lr_min) * i / (num_steps - 1)", loses=BOTH["range_test"]),
    Mistake("range_test", why="suggests the rate of the lowest loss, not a tenth of it",
            old="return np.array(lrs), losses, lrs[lowest] / 10",
            new="return np.array(lrs), losses, lrs[lowest]", loses=BOTH["range_test"]),
    Mistake("range_test", why="does not stop at nan (nan > x is False)",
            old="if not np.isfinite(loss) or loss > stop_factor * best:",
            new="if loss > stop_factor * best:", loses=("test_range_test_hidden",)),
    # Exercise 4: log-uniform sampling.
    Mistake("log_uniform", why="uniform between low and high, not on a log scale",
            old="return np.exp(rng.uniform(np.log(low), np.log(high), size))",
            new="return rng.uniform(low, high, size)", loses=BOTH["log_uniform"]),
    Mistake("log_uniform", why="log10 bounds but exp instead of 10 ** u",
            old="return np.exp(rng.uniform(np.log(low), np.log(high), size))",
            new="return np.exp(rng.uniform(np.log10(low), np.log10(high), size))",
            loses=BOTH["log_uniform"]),
    Mistake("log_uniform", why="does not check 0 < low < high",
            old="    if not 0 < low < high:\n        raise ValueError(f\"Expected 0 < low < high. Received: "
                "low={low}, high={high}\")\n",
            new="", loses=("test_log_uniform_hidden",)),
    # Exercise 5: one cycle.
    Mistake("one_cycle", why="keeps decaying after total_steps",
            old="t = np.minimum(np.asarray(step, dtype=np.float64), total_steps)",
            new="t = np.asarray(step, dtype=np.float64)", loses=BOTH["one_cycle"]),
    Mistake("one_cycle", why="ends at the starting rate (ignores final_div_factor)",
            old="end = start / final_div_factor", new="end = start", loses=BOTH["one_cycle"]),
    Mistake("one_cycle", why="warm-up fraction fixed at 0.3 (ignores pct_start)",
            old="w = pct_start * total_steps", new="w = 0.3 * total_steps",
            loses=("test_one_cycle_hidden",)),
    # Exercise 6: label smoothing.
    Mistake("smoothing", why="spreads eps over the K - 1 wrong classes (another convention than Keras')",
            old="target = np.full((n, k), smoothing / k)\n    target[np.arange(n), labels] += 1 - smoothing",
            new="target = np.full((n, k), smoothing / (k - 1))\n"
                "    target[np.arange(n), labels] = 1 - smoothing",
            loses=BOTH["smoothing"]),
    Mistake("smoothing", why="no max subtraction: np.exp overflows for large logits",
            old="    z = z - z.max(axis=1, keepdims=True)\n", new="",
            loses=("test_smoothing_hidden",)),
    Mistake("smoothing", why="sums the loss over the batch instead of averaging",
            old="return float(-(target * log_p).sum(axis=1).mean())",
            new="return float(-(target * log_p).sum())", loses=BOTH["smoothing"]),
]


MISTAKES += [
    Mistake("standardize", why="sample standard deviation (ddof=1) instead of np.std's default",
            old="std = x_train.std(axis=(0, 1, 2))", new="std = x_train.std(axis=(0, 1, 2), ddof=1)",
            loses=BOTH["standardize"]),
    Mistake("augment", why="one offset for rows and columns (dx = dy): only diagonal shifts",
            old="dx = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)",
            new="dx = dy", loses=BOTH["augment"]),
    Mistake("augment", why="mirrors upside down (axis 1) instead of left to right",
            old="ops.flip(x, axis=2)", new="ops.flip(x, axis=1)", loses=BOTH["augment"]),
    Mistake("range_test", why="stops at stop_factor times the first loss, not the lowest",
            old="loss > stop_factor * best", new="loss > stop_factor * losses[0]",
            loses=BOTH["range_test"]),
    Mistake("range_test", why="drops the loss that stopped the sweep",
            old="        lrs.append(lr)\n        losses.append(loss)\n"
                "        if not np.isfinite(loss) or loss > stop_factor * best:\n            break\n",
            new="        if not np.isfinite(loss) or loss > stop_factor * best:\n            break\n"
                "        lrs.append(lr)\n        losses.append(loss)\n",
            loses=BOTH["range_test"]),
    Mistake("log_uniform", why="draws from NumPy's global generator instead of rng",
            old="rng.uniform(np.log(low), np.log(high), size)",
            new="np.random.uniform(np.log(low), np.log(high), size)", loses=BOTH["log_uniform"]),
    Mistake("one_cycle", why="warm-up starts at 0 instead of max_lr / div_factor",
            old="up = start + (max_lr - start) * t / w", new="up = max_lr * t / w",
            loses=BOTH["one_cycle"]),
]

STANDARDIZE_BODY = ("    x_train = np.asarray(x_train, dtype=np.float64)\n"
                    "    x_test = np.asarray(x_test, dtype=np.float64)\n"
                    "    mean = x_train.mean(axis=(0, 1, 2))\n    std = x_train.std(axis=(0, 1, 2))\n"
                    "    return ((x_train - mean) / std).astype(np.float32), "
                    "((x_test - mean) / std).astype(np.float32), mean, std")
CROP_FLIP_BODY = ("        if not training:\n            return inputs\n        p = self.padding\n"
                  "        n, h, w = ops.shape(inputs)[0], ops.shape(inputs)[1], ops.shape(inputs)[2]\n"
                  "        padded = ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]])\n"
                  "        dy = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)\n"
                  "        dx = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)\n"
                  "        rows = dy + ops.arange(h)[None, :]\n        cols = dx + ops.arange(w)[None, :]\n"
                  "        x = ops.take_along_axis(padded, rows[:, :, None, None], axis=1)\n"
                  "        x = ops.take_along_axis(x, cols[:, None, :, None], axis=2)\n"
                  "        mirror = keras.random.uniform((n, 1, 1, 1), seed=self.seed_generator) < 0.5\n"
                  "        return ops.where(mirror, ops.flip(x, axis=2), x)")
RANGE_LOOP = ("    lrs, losses = [], []\n    best = np.inf\n    for i in range(num_steps):\n"
              "        lr = lr_min * (lr_max / lr_min) ** (i / (num_steps - 1))\n"
              "        loss = float(step(lr))\n        lrs.append(lr)\n        losses.append(loss)\n"
              "        if not np.isfinite(loss) or loss > stop_factor * best:\n            break\n"
              "        best = min(best, loss)\n    losses = np.array(losses)\n"
              "    lowest = np.argmin(np.where(np.isfinite(losses), losses, np.inf))\n"
              "    return np.array(lrs), losses, lrs[lowest] / 10")
ONE_CYCLE_BODY = ("    w = pct_start * total_steps\n    up = start + (max_lr - start) * t / w\n"
                  "    down = max_lr + (end - max_lr) * (t - w) / (total_steps - w)\n"
                  "    return np.where(t <= w, up, down)")
SMOOTH_BODY = ("    z = z - z.max(axis=1, keepdims=True)\n"
               "    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))\n    n, k = z.shape\n"
               "    target = np.full((n, k), smoothing / k)\n"
               "    target[np.arange(n), labels] += 1 - smoothing\n"
               "    return float(-(target * log_p).sum(axis=1).mean())")

ALTERNATIVES = [
    # Exercise 1: standardization.
    Mistake("standardize", why="a loop over the channels, the images standardized in float32",
            loses=(), old=STANDARDIZE_BODY,
            new="    channels = x_train.shape[-1]\n    mean = np.zeros(channels)\n"
                "    std = np.zeros(channels)\n    for c in range(channels):\n"
                "        mean[c] = x_train[..., c].mean()\n"
                "        std[c] = np.sqrt(np.mean((x_train[..., c] - mean[c]) ** 2))\n"
                "    m32, s32 = mean.astype(np.float32), std.astype(np.float32)\n"
                "    train = (x_train.astype(np.float32) - m32) / s32\n"
                "    test = (x_test.astype(np.float32) - m32) / s32\n"
                "    return train, test, mean, std"),
    Mistake("standardize", why="pixels as rows of a (N*H*W, C) matrix, a debug warning (stderr)",
            loses=(), old=STANDARDIZE_BODY,
            new="    import warnings\n    c = x_train.shape[-1]\n"
                "    pixels = x_train.reshape(-1, c).astype(float)\n"
                "    mean, std = pixels.mean(axis=0), pixels.std(axis=0)\n"
                "    warnings.warn(f'channel means {mean}', stacklevel=2)\n"
                "    return (np.float32((x_train - mean) / std), np.float32((x_test - mean) / std), "
                "mean, std)"),
    # Exercise 2: random crop and mirror.
    Mistake("augment", why="offsets from uniform draws, columns cut first, mirror by slicing, "
            "`if training:`", loses=(), old=CROP_FLIP_BODY,
            new="        if training:\n            p = self.padding\n"
                "            n, h, w = ops.shape(inputs)[0], ops.shape(inputs)[1], ops.shape(inputs)[2]\n"
                "            padded = ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]])\n"
                "            u = keras.random.uniform((n, 2), seed=self.seed_generator)\n"
                "            offsets = ops.cast(ops.floor(u * (2 * p + 1)), 'int32')\n"
                "            cols = offsets[:, 1:] + ops.arange(w)[None, :]\n"
                "            rows = offsets[:, :1] + ops.arange(h)[None, :]\n"
                "            x = ops.take_along_axis(padded, cols[:, None, :, None], axis=2)\n"
                "            x = ops.take_along_axis(x, rows[:, :, None, None], axis=1)\n"
                "            coin = keras.random.randint((n, 1, 1, 1), 0, 2, seed=self.seed_generator)\n"
                "            return ops.where(coin == 1, x[:, :, ::-1, :], x)\n"
                "        return inputs"),
    Mistake("augment", why="windows selected by one-hot matrices and einsum", loses=(),
            old="        x = ops.take_along_axis(padded, rows[:, :, None, None], axis=1)\n"
                "        x = ops.take_along_axis(x, cols[:, None, :, None], axis=2)\n",
            new="        pick_rows = ops.one_hot(rows, h + 2 * p, dtype=inputs.dtype)  # (N, H, H + 2p)\n"
                "        pick_cols = ops.one_hot(cols, w + 2 * p, dtype=inputs.dtype)  # (N, W, W + 2p)\n"
                "        x = ops.einsum('nia,nabc->nibc', pick_rows, padded)\n"
                "        x = ops.einsum('njb,nibc->nijc', pick_cols, x)\n"),
    # Exercise 3: the range test.
    Mistake("range_test", why="np.geomspace rates, np.nanargmin for the suggestion", loses=(),
            old=RANGE_LOOP,
            new="    rates = np.geomspace(lr_min, lr_max, num_steps)\n    losses = []\n"
                "    for lr in rates:\n        losses.append(step(lr))\n"
                "        if np.isnan(losses[-1]) or np.isinf(losses[-1]):\n            break\n"
                "        if len(losses) > 1 and losses[-1] > stop_factor * min(losses[:-1]):\n"
                "            break\n    losses = np.array(losses, dtype=float)\n"
                "    lrs = rates[:len(losses)]\n"
                "    return lrs, losses, float(lrs[np.nanargmin(losses)]) / 10"),
    # Exercise 4: log-uniform sampling.
    Mistake("log_uniform", why="low * (high / low) ** u with rng.random", loses=(),
            old='    if not 0 < low < high:\n        raise ValueError(f"Expected 0 < low < high. Received: '
                'low={low}, high={high}")\n'
                "    return np.exp(rng.uniform(np.log(low), np.log(high), size))",
            new="    if low <= 0 or high <= low:\n"
                "        raise ValueError(f'need 0 < low < high, got low={low}, high={high}')\n"
                "    return low * (high / low) ** rng.random(size)"),
    Mistake("log_uniform", why="in decades: 10 ** uniform(log10 low, log10 high)", loses=(),
            old="return np.exp(rng.uniform(np.log(low), np.log(high), size))",
            new="return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)"),
    # Exercise 5: one cycle.
    Mistake("one_cycle", why="np.interp through the three corners (it stays flat after the last)",
            loses=(), old=ONE_CYCLE_BODY,
            new="    w = pct_start * total_steps\n"
                "    return np.interp(step, [0, w, total_steps], [start, max_lr, end])"),
    Mistake("one_cycle", why="the three cases of the formula with np.select", loses=(),
            old="    t = np.minimum(np.asarray(step, dtype=np.float64), total_steps)\n"
                "    start = max_lr / div_factor\n    end = start / final_div_factor\n" + ONE_CYCLE_BODY,
            new="    t = np.asarray(step, dtype=np.float64)\n    lr0 = max_lr / div_factor\n"
                "    lr_end = lr0 / final_div_factor\n    w = pct_start * total_steps\n"
                "    return np.select([t <= w, t <= total_steps],\n"
                "                     [lr0 + (max_lr - lr0) * t / w,\n"
                "                      max_lr + (lr_end - max_lr) * (t - w) / (total_steps - w)],\n"
                "                     default=lr_end)"),
    # Exercise 6: label smoothing.
    Mistake("smoothing", why="(1 - eps) * NLL + eps * mean of -log p, with np.logaddexp.reduce",
            loses=(), old=SMOOTH_BODY,
            new="    log_p = z - np.logaddexp.reduce(z, axis=1, keepdims=True)\n"
                "    nll = -log_p[np.arange(len(z)), labels]\n    uniform = -log_p.mean(axis=1)\n"
                "    return float(np.mean((1 - smoothing) * nll + smoothing * uniform))"),
    Mistake("smoothing", why="one-hot targets from np.eye, the sum as an einsum", loses=(),
            old=SMOOTH_BODY,
            new="    n, k = z.shape\n    shifted = z - np.max(z, axis=1)[:, None]\n"
                "    log_p = shifted - np.log(np.sum(np.exp(shifted), axis=1))[:, None]\n"
                "    target = (1 - smoothing) * np.eye(k)[labels] + smoothing / k\n"
                "    return np.einsum('nk,nk->', target, log_p).item() / -n"),
]


def submission_files():
    """model.keras for the reference and mistake submissions: right on every synthetic test image."""
    import tempfile
    from pathlib import Path

    from tests.model_files import oracle_model

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        oracle_model().save(path)
        return {"model.keras": path.read_bytes()}
