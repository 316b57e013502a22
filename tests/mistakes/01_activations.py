"""Typical wrong answers in unit 1 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("sigmoid", "tanh", "relu", "elu_selu", "smooth", "vanishing")}

MISTAKES = [
    Mistake("sigmoid", why="the textbook formula overflows at x = -1000",
            old="    z = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))",
            new="    return 1.0 / (1.0 + np.exp(-x))", loses=BOTH["sigmoid"]),
    Mistake("sigmoid", why="derivative written as s * (1 - x)",
            old="return s * (1.0 - s)", new="return s * (1.0 - x)", loses=BOTH["sigmoid"]),
    Mistake("tanh", why="tanh from exponentials overflows at |x| = 1000",
            old="return 2.0 * sigmoid(2.0 * np.asarray(x, dtype=np.float64)) - 1.0",
            new="return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))",
            loses=BOTH["tanh"]),
    Mistake("tanh", why="derivative forgets the square", old="return 1.0 - tanh(x) ** 2",
            new="return 1.0 - tanh(x)", loses=BOTH["tanh"]),
    Mistake("relu", why="ReLU derivative is 1 at x = 0",
            old="(np.asarray(x) > 0).astype", new="(np.asarray(x) >= 0).astype",
            loses=BOTH["relu"]),
    Mistake("relu", why="leaky ReLU derivative ignores the alpha argument",
            old="return np.where(np.asarray(x) > 0, 1.0, alpha)",
            new="return np.where(np.asarray(x) > 0, 1.0, 0.01)", loses=BOTH["relu"]),
    Mistake("elu_selu", why="ELU derivative for x < 0 written as the function itself",
            old="alpha * np.exp(np.minimum(x, 0.0))", new="alpha * (np.exp(x) - 1)",
            loses=BOTH["elu_selu"]),
    Mistake("elu_selu", why="np.where evaluates exp(1e4) in the discarded branch",
            old="alpha * np.expm1(np.minimum(x, 0.0))", new="alpha * (np.exp(x) - 1)",
            loses=("test_elu_selu_hidden",)),
    Mistake("smooth", why="log(1 + exp(x)) overflows for x = 1e4",
            old="np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))",
            new="np.log(1.0 + np.exp(x))", loses=("test_smooth_hidden",)),
    Mistake("smooth", why="mish derivative without the product rule's second term",
            old="return t + x * (1.0 - t**2) * sigmoid(x)", new="return t",
            loses=BOTH["smooth"]),
    Mistake("vanishing", why="the activation's derivative is left out of back-propagation",
            old="grad = grad * derivative(z)", new="grad = grad", loses=BOTH["vanishing"]),
    Mistake("vanishing", why="back-propagates through W instead of W.T",
            old="grad = grad @ w.T", new="grad = grad @ w", loses=BOTH["vanishing"]),
    Mistake("vanishing", why="returns the last layer first",
            old="return np.array(norms[::-1])", new="return np.array(norms)",
            loses=BOTH["vanishing"]),
]

# Mistakes of the classes every exercise is checked for: changed inputs, wrong result types,
# untested corners, delegation however written.
MISTAKES += [
    Mistake("relu", why="ReLU clips its input array in place",
            old="return np.maximum(np.asarray(x, dtype=np.float64), 0.0)",
            new="x = np.asarray(x, dtype=np.float64)\n    x[x < 0] = 0.0\n    return x",
            loses=BOTH["relu"]),
    Mistake("relu", why="ReLU derivative returns a boolean array",
            old="return (np.asarray(x) > 0).astype(np.float64)", new="return np.asarray(x) > 0",
            loses=BOTH["relu"]),
    Mistake("relu", why="leaky ReLU as max(x, alpha x), wrong for alpha > 1 (hidden test only)",
            old="return np.where(x > 0, x, alpha * x)", new="return np.maximum(x, alpha * x)",
            loses=("test_relu_hidden",)),
    Mistake("vanishing", why="returns a list of norms instead of an array",
            old="return np.array(norms[::-1])", new="return norms[::-1]",
            loses=BOTH["vanishing"]),
    Mistake("sigmoid", why="delegates to the library, imported inside the function",
            old="    z = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))",
            new="    from dl4lib import activations as library\n    return library.sigmoid(x)",
            loses=BOTH["sigmoid"]),
    Mistake("smooth", why="swish delegates to Keras (keras.ops.silu)",
            old="return np.asarray(x, dtype=np.float64) * sigmoid(x)",
            new="import keras\n    return np.asarray(keras.ops.silu(x))",
            loses=BOTH["smooth"]),
]

# Correct answers written differently from the reference: each must keep every point.
ALTERNATIVES = [
    Mistake("sigmoid", why="sigmoid as exp(-logaddexp(0, -x))", loses=(),
            old="    z = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))",
            new="    return np.exp(-np.logaddexp(0.0, -x))"),
    Mistake("tanh", why="tanh from exp(-2|x|) with the sign",
            old="return 2.0 * sigmoid(2.0 * np.asarray(x, dtype=np.float64)) - 1.0",
            new="x = np.asarray(x, dtype=np.float64)\n"
                "    e = np.exp(-2.0 * np.abs(x))\n    return np.sign(x) * (1.0 - e) / (1.0 + e)",
            loses=()),
    Mistake("relu", why="ReLU in float32", loses=(),
            old="return np.maximum(np.asarray(x, dtype=np.float64), 0.0)",
            new="return np.maximum(np.asarray(x, dtype=np.float32), np.float32(0.0))"),
    Mistake("elu_selu", why="ELU with exp(min(x, 0)) - 1 instead of expm1", loses=(),
            old="return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))",
            new="negative = np.minimum(x, 0.0)\n"
                "    return np.where(x > 0, x, alpha * (np.exp(negative) - 1.0))"),
    Mistake("smooth", why="softplus with np.logaddexp, which warns (DeprecationWarning)", loses=(),
            old="return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))",
            new="import warnings\n    warnings.warn('softplus: old API', DeprecationWarning)\n"
                "    return np.logaddexp(0.0, x)"),
    Mistake("vanishing", why="RMS written as norm / sqrt(size)", loses=(),
            old="norms.append(np.sqrt(np.mean(grad**2)))",
            new="norms.append(np.linalg.norm(grad) / np.sqrt(grad.size))"),
]

# Exercise 7: the derivative of GELU, derived by the student (added with issue 12).
GELU = ("test_gelu_derivative", "test_gelu_derivative_hidden")
GELU_RETURN = "return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * du_dx"
MISTAKES += [
    Mistake("gelu_derivative", why="forgets the product rule: only the (1 + tanh u) / 2 term",
            old=GELU_RETURN, new="return 0.5 * (1.0 + t)", loses=GELU),
    Mistake("gelu_derivative", why="forgets the chain rule's du/dx",
            old=GELU_RETURN, new="return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2)", loses=GELU),
    Mistake("gelu_derivative", why="differentiates u without its cubic term (du/dx = sqrt(2/pi))",
            old="du_dx = GELU_C * (1.0 + 3.0 * 0.044715 * x**2)", new="du_dx = GELU_C", loses=GELU),
    Mistake("gelu_derivative", why="sech^2 through np.cosh, which overflows for |x| above about 27",
            old="(1.0 - t**2)", new="np.cosh(GELU_C * (x + 0.044715 * x**3)) ** -2.0",
            loses=("test_gelu_derivative_hidden",)),
]

ALTERNATIVES += [
    Mistake("gelu_derivative", why="1 - tanh^2 factored, the derivative written through sigmoid(2u)",
            loses=(), old=GELU_RETURN,
            new="s = sigmoid(2.0 * GELU_C * (x + 0.044715 * x**3))\n"
                "    return s + 0.5 * x * (1.0 - t) * (1.0 + t) * du_dx"),
]
