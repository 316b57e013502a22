"""Typical wrong answers in unit 6 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("gradient_descent", "step_decay", "exponential_decay", "clip_by_global_norm")}

MISTAKES = [
    Mistake("gradient_descent", why="the path misses the start point x0",
            old="path = [x]", new="path = []", loses=BOTH["gradient_descent"]),
    Mistake("gradient_descent", why="steps uphill: adds the gradient instead of subtracting it",
            old="x = x - learning_rate * grad(x)", new="x = x + learning_rate * grad(x)",
            loses=BOTH["gradient_descent"]),
    Mistake("step_decay", why="rounds step / decay_steps instead of taking the floor",
            old="np.floor(step / decay_steps)", new="np.round(step / decay_steps)",
            loses=BOTH["step_decay"]),
    Mistake("step_decay", why="counts steps from 1, so the first decay comes one step early",
            old="np.floor(step / decay_steps)", new="np.floor((step + 1) / decay_steps)",
            loses=BOTH["step_decay"]),
    Mistake("exponential_decay", why="inverted exponent decay_steps / step (and 0 at step 0)",
            old="return initial_learning_rate * decay_rate ** (step / decay_steps)",
            new="return initial_learning_rate * decay_rate ** (decay_steps / step)",
            loses=BOTH["exponential_decay"]),
    Mistake("exponential_decay", why="staircase: floors the exponent as in step decay",
            old="return initial_learning_rate * decay_rate ** (step / decay_steps)",
            new="return initial_learning_rate * decay_rate ** np.floor(step / decay_steps)",
            loses=BOTH["exponential_decay"]),
    Mistake("clip_by_global_norm", why="clips each array by its own norm, not the global norm",
            old="    norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))\n"
                "    scale = max_norm / max(norm, max_norm)\n"
                "    return [np.asarray(g, dtype=np.float64) * scale for g in grads]",
            new="    return [np.asarray(g, dtype=np.float64) * max_norm\n"
                "            / max(np.sqrt(np.sum(np.square(g))), max_norm) for g in grads]",
            loses=BOTH["clip_by_global_norm"]),
    Mistake("clip_by_global_norm", why="always rescales to max_norm, scaling small gradients up",
            old="scale = max_norm / max(norm, max_norm)", new="scale = max_norm / norm",
            loses=BOTH["clip_by_global_norm"]),
]

MISTAKES += [
    Mistake("clip_by_global_norm", why="scales the caller's arrays in place",
            old="return [np.asarray(g, dtype=np.float64) * scale for g in grads]",
            new="for g in grads:\n        g *= scale\n    return grads",
            loses=BOTH["clip_by_global_norm"]),
]

ALTERNATIVES = [
    Mistake("gradient_descent", why="the path stacked with np.stack", loses=(),
            old="return np.array(path)", new="return np.stack(path)"),
    Mistake("step_decay", why="floor division and np.power", loses=(),
            old="return initial_learning_rate * decay_rate ** np.floor(step / decay_steps)",
            new="return initial_learning_rate * np.power(decay_rate, step // decay_steps)"),
    Mistake("exponential_decay", why="exp of a logarithm", loses=(),
            old="return initial_learning_rate * decay_rate ** (step / decay_steps)",
            new="return initial_learning_rate * np.exp(np.log(decay_rate) * step / decay_steps)"),
    Mistake("clip_by_global_norm", why="global norm of the concatenated arrays", loses=(),
            old="norm = np.sqrt(sum(np.sum(np.square(g)) for g in grads))",
            new="norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads]))"),
]

ARMIJO = ("test_armijo_step_size", "test_armijo_step_size_hidden")
MISTAKES += [
    Mistake("armijo_step_size", why="sign error: phi'(0) taken as +g . g, so steps uphill pass the test",
            old="slope = f(x), -np.sum(g * g)", new="slope = f(x), np.sum(g * g)", loses=ARMIJO),
    Mistake("armijo_step_size", why="chain rule dropped: phi'(0) taken as -g instead of -g . g",
            old="-np.sum(g * g)", new="-np.sum(g)", loses=ARMIJO),
    Mistake("armijo_step_size", why="accepts any decrease of f, ignoring c1 and the tangent's prediction",
            old="while f(x - alpha * g) > fx + c1 * alpha * slope:", new="while f(x - alpha * g) > fx:",
            loses=ARMIJO),
    Mistake("armijo_step_size", why="shrinks before the first test, so alpha0 itself is never tried",
            old="    alpha = alpha0\n", new="    alpha = rho * alpha0\n", loses=ARMIJO),
]
ALTERNATIVES += [
    Mistake("armijo_step_size", why="counts the halvings k and tests alpha0 * rho**k, with np.vdot", loses=(),
            old="    fx, slope = f(x), -np.sum(g * g)\n    alpha = alpha0\n"
                "    while f(x - alpha * g) > fx + c1 * alpha * slope:\n        alpha = rho * alpha\n"
                "    return float(alpha)",
            new="    k = 0\n"
                "    while f(x - alpha0 * rho**k * g) > f(x) - c1 * alpha0 * rho**k * np.vdot(g, g):\n"
                "        k += 1\n    return float(alpha0 * rho**k)"),
]
