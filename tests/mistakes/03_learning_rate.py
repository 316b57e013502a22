"""Typical wrong answers in unit 3 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("mse", "gradient_descent", "curvature", "standardize")}

MISTAKES = [
    Mistake("mse", why="the loss sums the squared residuals instead of averaging them",
            old="return np.mean(residual**2)", new="return np.sum(residual**2)",
            loses=BOTH["mse"]),
    Mistake("mse", why="gradient without the factor 2",
            old="return 2.0 * X.T @ error / len(y)", new="return X.T @ error / len(y)",
            loses=BOTH["mse"]),
    Mistake("mse", why="gradient not divided by N (the gradient of the sum, not the mean)",
            old="return 2.0 * X.T @ error / len(y)", new="return 2.0 * X.T @ error",
            loses=BOTH["mse"]),
    Mistake("mse", why="residual y - X w: the gradient points uphill (gradient ascent)",
            old="error = X @ w - y", new="error = y - X @ w", loses=BOTH["mse"]),
    Mistake("gradient_descent", why="the trajectory misses the starting point (steps rows)",
            old="path = [w.copy()]", new="path = []", loses=BOTH["gradient_descent"]),
    Mistake("gradient_descent", why="steps along the gradient instead of against it",
            old="w = w - lr * mse_gradient(w, X, y)", new="w = w + lr * mse_gradient(w, X, y)",
            loses=BOTH["gradient_descent"]),
    Mistake("gradient_descent", why="in-place update: every stored row is the same array",
            old="w = w - lr * mse_gradient(w, X, y)", new="w -= lr * mse_gradient(w, X, y)",
            loses=BOTH["gradient_descent"]),
    Mistake("curvature", why="Hessian without the factor 2 (X.T X / N)",
            old="return 2.0 * X.T @ X / len(X)", new="return X.T @ X / len(X)",
            loses=BOTH["curvature"]),
    Mistake("curvature", why="condition number of X instead of the Hessian (its square root)",
            old="return eigenvalues[-1] / eigenvalues[0]", new="return np.linalg.cond(X)",
            loses=BOTH["curvature"]),
    Mistake("curvature", why="largest stable learning rate taken as 1 / lambda_max",
            old="return 2.0 / eigenvalues[-1]", new="return 1.0 / eigenvalues[-1]",
            loses=BOTH["curvature"]),
    Mistake("standardize", why="mean and std over the whole array instead of per column",
            old="mean = X.mean(axis=0)\n    std = X.std(axis=0)\n",
            new="mean = X.mean()\n    std = X.std()\n", loses=BOTH["standardize"]),
    Mistake("standardize", why="sample std (ddof=1) where the spec asks for the population std",
            old="std = X.std(axis=0)\n", new="std = X.std(axis=0, ddof=1)\n",
            loses=BOTH["standardize"]),
    Mistake("standardize", why="a constant column divides 0 by 0",
            old="    std = np.where(std == 0, 1.0, std)\n", new="",
            loses=("test_standardize_hidden",)),
]

MISTAKES += [
    Mistake("gradient_descent", why="steps w0 itself in place with -=",
            old="w = np.array(w0, dtype=np.float64)\n    path = [w.copy()]\n    for _ in range(steps):\n"
                "        w = w - lr * mse_gradient(w, X, y)\n        path.append(w)",
            new="w = w0\n    path = [w.copy()]\n    for _ in range(steps):\n"
                "        w -= lr * mse_gradient(w, X, y)\n        path.append(w.copy())",
            loses=BOTH["gradient_descent"]),
    Mistake("standardize", why="centres the caller's X in place",
            old="X = np.asarray(X, dtype=np.float64)\n    mean = X.mean(axis=0)",
            new="X = np.asarray(X, dtype=np.float64)\n    X -= X.mean(axis=0)\n    mean = 0.0",
            loses=BOTH["standardize"]),
]

ALTERNATIVES = [
    Mistake("mse", why="mean of squares as a dot product", loses=(),
            old="return np.mean(residual**2)", new="return residual @ residual / len(y)"),
    Mistake("gradient_descent", why="a new list at every step", loses=(),
            old="path.append(w)", new="path = path + [w]"),
    Mistake("curvature", why="condition number with np.linalg.cond", loses=(),
            old="eigenvalues = np.linalg.eigvalsh(mse_hessian(X))\n"
                "    return eigenvalues[-1] / eigenvalues[0]",
            new="return np.linalg.cond(mse_hessian(X))"),
    Mistake("standardize", why="zero standard deviations replaced in place", loses=(),
            old="std = np.where(std == 0, 1.0, std)", new="std[std == 0] = 1.0"),
]

# Exercise 5: Newton's step (added with issue 12).
NEWTON = ("test_newton_step", "test_newton_step_hidden")
NEWTON_RETURN = "return w - np.linalg.solve(hessian, grad)"
MISTAKES += [
    Mistake("newton_step", why="multiplies the gradient by H instead of solving with it",
            old=NEWTON_RETURN, new="return w - hessian @ grad", loses=NEWTON),
    Mistake("newton_step", why="divides each coordinate by its own curvature (the diagonal of H)",
            old=NEWTON_RETURN, new="return w - grad / np.diag(hessian)", loses=NEWTON),
    Mistake("newton_step", why="adds the step: moves away from the minimum",
            old=NEWTON_RETURN, new="return w + np.linalg.solve(hessian, grad)", loses=NEWTON),
    Mistake("newton_step", why="a gradient step at 1 / lambda_max instead of the Newton step",
            old=NEWTON_RETURN, new="return w - grad / np.linalg.eigvalsh(hessian)[-1]", loses=NEWTON),
]

ALTERNATIVES += [
    Mistake("newton_step", why="the explicit inverse of H", loses=(),
            old=NEWTON_RETURN, new="return w - np.linalg.inv(hessian) @ grad"),
    Mistake("newton_step", why="the step through the eigenvectors of H", loses=(),
            old=NEWTON_RETURN,
            new="lam, vec = np.linalg.eigh(hessian)\n    return w - vec @ ((vec.T @ grad) / lam)"),
]
