"""Typical wrong answers in unit 2 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("fans", "glorot_uniform", "he_lecun_uniform", "truncated_normal", "normal_rules")}

MISTAKES = [
    # Exercise 1
    Mistake("fans", why="fans swapped: fan_in taken from the second entry of the shape",
            old="return int(fan_in), int(fan_out)", new="return int(fan_out), int(fan_in)",
            loses=BOTH["fans"]),
    Mistake("fans", why="checks the number of dimensions but accepts a fan of 0",
            old="if len(shape) != 2 or min(shape) < 1:", new="if len(shape) > 2:",
            loses=("test_fans_hidden",)),
    # Exercise 2
    Mistake("glorot_uniform", why="the standard deviation sqrt(2 / (fan_in + fan_out)) used as "
            "the uniform bound, which gives a third of the variance",
            old="np.sqrt(6.0 / (fan_in + fan_out))", new="np.sqrt(2.0 / (fan_in + fan_out))",
            loses=BOTH["glorot_uniform"]),
    Mistake("glorot_uniform", why="Glorot bound computed from fan_in alone",
            old="np.sqrt(6.0 / (fan_in + fan_out))", new="np.sqrt(6.0 / fan_in)",
            loses=BOTH["glorot_uniform"]),
    Mistake("glorot_uniform", why="draws from NumPy's global state, ignoring the seed",
            old="rng = np.random.default_rng(seed)\n    return rng.uniform(-limit, limit, size=shape)",
            new="return np.random.uniform(-limit, limit, size=shape)",
            loses=BOTH["glorot_uniform"]),
    # Exercise 3
    Mistake("he_lecun_uniform", why="fans swapped: He computed from fan_out",
            old="fan_in, _ = compute_fans(shape)\n    limit = np.sqrt(6.0 / fan_in)",
            new="_, fan_in = compute_fans(shape)\n    limit = np.sqrt(6.0 / fan_in)",
            loses=BOTH["he_lecun_uniform"]),
    Mistake("he_lecun_uniform", why="He initializer with the Glorot constant",
            old="fan_in, _ = compute_fans(shape)\n    limit = np.sqrt(6.0 / fan_in)",
            new="fan_in, fan_out = compute_fans(shape)\n    limit = np.sqrt(6.0 / (fan_in + fan_out))",
            loses=BOTH["he_lecun_uniform"]),
    Mistake("he_lecun_uniform", why="He without its factor 2: variance 1 / fan_in",
            old="limit = np.sqrt(6.0 / fan_in)", new="limit = np.sqrt(3.0 / fan_in)",
            loses=BOTH["he_lecun_uniform"]),
    Mistake("he_lecun_uniform", why="LeCun bound sqrt(1 / fan_in): the standard deviation, not "
            "sqrt(3 variance)",
            old="limit = np.sqrt(3.0 / fan_in)", new="limit = np.sqrt(1.0 / fan_in)",
            loses=BOTH["he_lecun_uniform"]),
    # Exercise 4
    Mistake("truncated_normal", why="clips to [-2, 2] instead of redrawing",
            old="    outside = np.abs(z) > 2\n    while outside.any():\n"
                "        z[outside] = rng.standard_normal(outside.sum())\n"
                "        outside = np.abs(z) > 2\n",
            new="    z = np.clip(z, -2, 2)\n", loses=BOTH["truncated_normal"]),
    Mistake("truncated_normal", why="redraws once instead of until no value is outside",
            old="while outside.any():", new="if outside.any():",
            loses=BOTH["truncated_normal"]),
    Mistake("truncated_normal", why="forgets the mean",
            old="return mean + stddev * z", new="return stddev * z",
            loses=BOTH["truncated_normal"]),
    # Exercise 5
    Mistake("normal_rules", why="forgets that truncation shrinks the standard deviation",
            old="std = np.sqrt(2.0 / (fan_in + fan_out))\n"
                "    return truncated_normal(shape, stddev=std / TRUNCATED_STD, seed=seed)",
            new="std = np.sqrt(2.0 / (fan_in + fan_out))\n"
                "    return truncated_normal(shape, stddev=std, seed=seed)",
            loses=BOTH["normal_rules"]),
    Mistake("normal_rules", why="the variance 2 / fan_in used as the standard deviation",
            old="std = np.sqrt(2.0 / fan_in)", new="std = 2.0 / fan_in",
            loses=BOTH["normal_rules"]),
    Mistake("normal_rules", why="He normal with the Glorot constant",
            old="fan_in, _ = compute_fans(shape)\n    std = np.sqrt(2.0 / fan_in)",
            new="fan_in, fan_out = compute_fans(shape)\n    std = np.sqrt(2.0 / (fan_in + fan_out))",
            loses=BOTH["normal_rules"]),
    Mistake("normal_rules", why="an ordinary normal instead of the truncated one: outliers "
            "beyond two standard deviations",
            old="return truncated_normal(shape, stddev=std / TRUNCATED_STD, seed=seed)\n\n\n"
                "def he_normal",
            new="return np.random.default_rng(seed).normal(0.0, std, size=shape)\n\n\n"
                "def he_normal",
            loses=BOTH["normal_rules"]),
]

MISTAKES += [
    Mistake("fans", why="returns a list, where the spec promises the tuple (fan_in, fan_out)",
            old="return int(fan_in), int(fan_out)", new="return [int(fan_in), int(fan_out)]",
            loses=BOTH["fans"]),
    Mistake("glorot_uniform", why="float32 weights, where the spec promises float64",
            old="return rng.uniform(-limit, limit, size=shape)",
            new="return rng.uniform(-limit, limit, size=shape).astype(np.float32)",
            loses=BOTH["glorot_uniform"]),
    Mistake("he_lecun_uniform", why="seed=None replaced by a fixed seed: no fresh randomness",
            old="limit = np.sqrt(6.0 / fan_in)\n    return np.random.default_rng(seed)",
            new="limit = np.sqrt(6.0 / fan_in)\n"
                "    return np.random.default_rng(0 if seed is None else seed)",
            loses=BOTH["he_lecun_uniform"]),
]

ALTERNATIVES = [
    Mistake("fans", why="indexes the shape instead of unpacking it", loses=(),
            old="fan_in, fan_out = shape\n    return int(fan_in), int(fan_out)",
            new="return int(shape[0]), int(shape[1])"),
    Mistake("glorot_uniform", why="square root as a power", loses=(),
            old="limit = np.sqrt(6.0 / (fan_in + fan_out))",
            new="limit = (6.0 / (fan_in + fan_out)) ** 0.5"),
    Mistake("he_lecun_uniform", why="LeCun's bound as sqrt(3) / sqrt(fan_in)", loses=(),
            old="limit = np.sqrt(3.0 / fan_in)", new="limit = np.sqrt(3.0) / np.sqrt(fan_in)"),
    Mistake("truncated_normal", why="scale first, then shift", loses=(),
            old="return mean + stddev * z", new="return z * stddev + mean"),
    Mistake("normal_rules", why="He's standard deviation as a power", loses=(),
            old="std = np.sqrt(2.0 / fan_in)", new="std = (2.0 / fan_in) ** 0.5"),
]

# Exercise 6: He's rule for leaky ReLU, derived by the student (added with issue 12).
LEAKY = ("test_leaky_he_normal", "test_leaky_he_normal_hidden")
LEAKY_VARIANCE = "variance = 2.0 / ((1.0 + negative_slope**2) * fan_in)"
MISTAKES += [
    Mistake("leaky_he_normal", why="ignores the slope: He's variance for plain ReLU",
            old=LEAKY_VARIANCE, new="variance = 2.0 / fan_in", loses=LEAKY),
    Mistake("leaky_he_normal", why="the negative half scaled by a instead of a^2",
            old=LEAKY_VARIANCE, new="variance = 2.0 / ((1.0 + negative_slope) * fan_in)",
            loses=LEAKY),
    Mistake("leaky_he_normal", why="the second moment of the negative half added to He's "
            "variance instead of dividing by it",
            old=LEAKY_VARIANCE, new="variance = (2.0 + negative_slope**2) / fan_in",
            loses=LEAKY),
    Mistake("leaky_he_normal", why="the derived variance used as the standard deviation",
            old="stddev=np.sqrt(variance) / TRUNCATED_STD", new="stddev=variance / TRUNCATED_STD",
            loses=LEAKY),
]

ALTERNATIVES += [
    Mistake("leaky_he_normal", why="He's gain written as sqrt(2 / (1 + a^2)) over sqrt(fan_in)",
            loses=(), old=LEAKY_VARIANCE + "\n    return truncated_normal(shape, stddev=np.sqrt(variance)",
            new="gain = np.sqrt(2.0 / (1.0 + negative_slope**2))\n"
                "    return truncated_normal(shape, stddev=gain / np.sqrt(fan_in)"),
]
