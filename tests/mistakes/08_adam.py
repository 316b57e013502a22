"""Typical wrong answers in unit 8 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

STEADY = "    return -learning_rate * mean / (np.sqrt(mean**2 + std**2) + epsilon)"
STEADY_BODY = ("    mean, std = np.asarray(mean, dtype=np.float64), np.asarray(std, dtype=np.float64)\n"
               "    if np.any(std < 0):\n"
               "        raise ValueError(f\"std must be >= 0, got {std.min()}\")\n" + STEADY)

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden") for ex in ("adam", "adamw", "amsgrad", "adam_expected_step")}

MISTAKES = [
    Mistake("adam", why="Adam without bias correction",
            old="m_hat = m / (1 - beta_1**step)\n    v_hat = v / (1 - beta_2**step)",
            new="m_hat = m\n    v_hat = v", loses=BOTH["adam"]),
    Mistake("adam", why="a step counter that never advances: bias correction with t = 1",
            old="m_hat = m / (1 - beta_1**step)\n    v_hat = v / (1 - beta_2**step)",
            new="t = 1\n    m_hat = m / (1 - beta_1**t)\n    v_hat = v / (1 - beta_2**t)",
            loses=BOTH["adam"]),
    Mistake("adam", why="epsilon inside the square root",
            old="(tf.sqrt(v_hat) + epsilon)", new="tf.sqrt(v_hat + epsilon)",
            loses=BOTH["adam"]),
    Mistake("adam", why="epsilon added to the parameter instead of the denominator",
            old="param.assign_sub(learning_rate * m_hat / (tf.sqrt(v_hat) + epsilon))",
            new="param.assign_sub(learning_rate * m_hat / tf.sqrt(v_hat) + epsilon)",
            loses=BOTH["adam"]),
    Mistake("adam", why="m rebound to a local tensor: the momentum slot is never updated",
            old="m.assign(beta_1 * m + (1 - beta_1) * grad)",
            new="m = beta_1 * m + (1 - beta_1) * grad", loses=BOTH["adam"]),
    Mistake("adamw", why="AdamW written as an L2 penalty added to the gradient",
            old="param.assign_sub(learning_rate * weight_decay * param)\n"
                "    adam_step(param, grad, slots",
            new="adam_step(param, grad + weight_decay * param, slots", loses=BOTH["adamw"]),
    Mistake("adamw", why="weight decay not multiplied by the learning rate",
            old="param.assign_sub(learning_rate * weight_decay * param)",
            new="param.assign_sub(weight_decay * param)", loses=BOTH["adamw"]),
    Mistake("adamw", why="decay applied after the Adam step, to the updated parameter",
            old="param.assign_sub(learning_rate * weight_decay * param)\n"
                "    adam_step(param, grad, slots, step, learning_rate=learning_rate, beta_1=beta_1,\n"
                "              beta_2=beta_2, epsilon=epsilon)",
            new="adam_step(param, grad, slots, step, learning_rate=learning_rate, beta_1=beta_1,\n"
                "              beta_2=beta_2, epsilon=epsilon)\n"
                "    param.assign_sub(learning_rate * weight_decay * param)",
            loses=BOTH["adamw"]),
    Mistake("amsgrad", why="divides by v instead of its running maximum",
            old="v_hat = v_max / (1 - beta_2**step)", new="v_hat = v / (1 - beta_2**step)",
            loses=BOTH["amsgrad"]),
    Mistake("amsgrad", why="the maximum is kept in a local name, never in the slot",
            old="v_max.assign(tf.maximum(v_max, v))", new="v_max = tf.maximum(v_max, v)",
            loses=BOTH["amsgrad"]),
    Mistake("amsgrad", why="the running mean v is overwritten with the maximum",
            old="v_max.assign(tf.maximum(v_max, v))",
            new="v_max.assign(tf.maximum(v_max, v))\n    v.assign(v_max)", loses=BOTH["amsgrad"]),
]

MISTAKES += [
    Mistake("adam", why=".numpy() and np.sqrt inside the rule: only works eagerly",
            old="param.assign_sub(learning_rate * m_hat / (tf.sqrt(v_hat) + epsilon))",
            new="param.assign_sub(learning_rate * m_hat.numpy() / (np.sqrt(v_hat.numpy()) + epsilon))",
            loses=BOTH["adam"]),
    Mistake("amsgrad", why="rebinds the running maximum in the slots dict: only works eagerly",
            old="v_max.assign(tf.maximum(v_max, v))",
            new='slots["velocity_max"] = v_max = tf.maximum(v_max, v)',
            loses=BOTH["amsgrad"]),
]

MISTAKES += [
    # Exercise 4: Adam's average step on a noisy gradient (a derivation).
    Mistake("adam_expected_step", why="v_hat taken as the variance std**2 alone",
            old=STEADY, new="    return -learning_rate * mean / (np.sqrt(std**2) + epsilon)",
            loses=BOTH["adam_expected_step"]),
    Mistake("adam_expected_step", why="no square root: divides by v_hat itself",
            old=STEADY, new="    return -learning_rate * mean / (mean**2 + std**2 + epsilon)",
            loses=BOTH["adam_expected_step"]),
    Mistake("adam_expected_step", why="the sign of the update: ascends",
            old=STEADY, new="    return learning_rate * mean / (np.sqrt(mean**2 + std**2) + epsilon)",
            loses=BOTH["adam_expected_step"]),
    Mistake("adam_expected_step", why="the standard deviation used as the variance",
            old=STEADY, new="    return -learning_rate * mean / (np.sqrt(mean**2 + std) + epsilon)",
            loses=BOTH["adam_expected_step"]),
    Mistake("adam_expected_step", why="ignores the noise: a full step of learning_rate",
            old=STEADY, new="    return -learning_rate * np.sign(mean) + 0.0 * std",
            loses=BOTH["adam_expected_step"]),
    Mistake("adam_expected_step", why="epsilon inside the square root (matters for tiny gradients)",
            old=STEADY, new="    return -learning_rate * mean / np.sqrt(mean**2 + std**2 + epsilon)",
            loses=("test_adam_expected_step_hidden",)),
    Mistake("adam_expected_step", why="accepts a negative std",
            old="    if np.any(std < 0):\n        raise ValueError(f\"std must be >= 0, got {std.min()}\")\n",
            new="", loses=("test_adam_expected_step_hidden",)),
]

ALTERNATIVES = [
    Mistake("adam", why="Keras' form: bias corrections folded into the step size and epsilon",
            loses=(),
            old="m_hat = m / (1 - beta_1**step)\n    v_hat = v / (1 - beta_2**step)\n"
                "    param.assign_sub(learning_rate * m_hat / (tf.sqrt(v_hat) + epsilon))",
            new="correction = tf.sqrt(1 - beta_2**step)\n"
                "    alpha = learning_rate * correction / (1 - beta_1**step)\n"
                "    param.assign_sub(alpha * m / (tf.sqrt(v) + epsilon * correction))"),
    Mistake("adamw", why="decay as a multiplication of the parameter", loses=(),
            old="param.assign_sub(learning_rate * weight_decay * param)",
            new="param.assign(param * (1.0 - learning_rate * weight_decay))"),
    Mistake("amsgrad", why="running maximum with tf.where", loses=(),
            old="v_max.assign(tf.maximum(v_max, v))", new="v_max.assign(tf.where(v > v_max, v, v_max))"),
    Mistake("adam_expected_step", why="np.hypot for the root of the second moment", loses=(),
            old=STEADY, new="    return -learning_rate * mean / (np.hypot(mean, std) + epsilon)"),
    Mistake("adam_expected_step", why="np.array copies, .any(), the signal-to-noise ratio first",
            loses=(), old=STEADY_BODY,
            new="    mean = np.array(mean, dtype=float)\n    std = np.array(std, dtype=float)\n"
                "    if (std < 0).any():\n"
                "        raise ValueError('a negative std is not a standard deviation')\n"
                "    snr = mean / (np.sqrt(np.square(mean) + np.square(std)) + epsilon)\n"
                "    return -learning_rate * snr"),
]
