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


def submission_files():
    """model.keras for the reference and mistake submissions: right on every synthetic test image."""
    import tempfile
    from pathlib import Path

    from tests.model_files import oracle_model

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        oracle_model().save(path)
        return {"model.keras": path.read_bytes()}
