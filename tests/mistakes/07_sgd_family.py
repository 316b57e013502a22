"""Typical wrong answers in unit 7 and the test cells each one must fail (all others pass)."""

from tools.grading import Mistake

BOTH = {ex: (f"test_{ex}", f"test_{ex}_hidden")
        for ex in ("minibatch", "momentum", "nesterov", "adagrad", "rmsprop")}

MISTAKES = [
    # Exercise 1: mini-batch gradients and one epoch of SGD (NumPy)
    Mistake("minibatch", why="the gradient of the squared error without the factor 2",
            old="return 2.0 * x.T @ residual / len(y)", new="return x.T @ residual / len(y)",
            loses=BOTH["minibatch"]),
    Mistake("minibatch", why="batches taken in the original order, without shuffling",
            old="order = np.random.default_rng(seed).permutation(len(y))",
            new="order = np.arange(len(y))", loses=BOTH["minibatch"]),
    Mistake("minibatch", why="the smaller last batch is dropped",
            old="for start in range(0, len(y), batch_size)]",
            new="for start in range(0, len(y) - batch_size + 1, batch_size)]",
            loses=BOTH["minibatch"]),
    Mistake("minibatch", why="sgd_epoch takes every gradient at the starting point",
            old="    for start in range(0, len(y), batch_size):\n"
                "        rows = shuffled[start:start + batch_size]\n"
                "        w = w - learning_rate * mse_gradient(w, x[rows], y[rows])",
            new="    w_start = w\n"
                "    for start in range(0, len(y), batch_size):\n"
                "        rows = shuffled[start:start + batch_size]\n"
                "        w = w - learning_rate * mse_gradient(w_start, x[rows], y[rows])",
            loses=BOTH["minibatch"]),
    # Exercise 2: heavy-ball momentum
    Mistake("momentum", why="momentum with the wrong sign: the velocity points uphill",
            old="velocity.assign(momentum * velocity - learning_rate * grad)",
            new="velocity.assign(momentum * velocity + learning_rate * grad)",
            loses=BOTH["momentum"]),
    Mistake("momentum", why="the velocity slot is never updated (a local name instead of assign)",
            old="velocity.assign(momentum * velocity - learning_rate * grad)",
            new="velocity = momentum * velocity - learning_rate * grad",
            loses=BOTH["momentum"]),
    Mistake("momentum", why="PyTorch's convention stored in Keras' slot: v uphill, subtracted",
            old="velocity.assign(momentum * velocity - learning_rate * grad)\n"
                "    param.assign_add(velocity)",
            new="velocity.assign(momentum * velocity + learning_rate * grad)\n"
                "    param.assign_sub(velocity)",
            loses=BOTH["momentum"]),
    # Exercise 3: Nesterov
    Mistake("nesterov", why="Nesterov identical to plain momentum",
            old="param.assign_add(momentum * velocity - learning_rate * grad)",
            new="param.assign_add(velocity)", loses=BOTH["nesterov"]),
    Mistake("nesterov", why="the look-ahead step uses the old velocity",
            old="velocity.assign(momentum * velocity - learning_rate * grad)\n"
                "    param.assign_add(momentum * velocity - learning_rate * grad)",
            new="param.assign_add(momentum * velocity - learning_rate * grad)\n"
                "    velocity.assign(momentum * velocity - learning_rate * grad)",
            loses=BOTH["nesterov"]),
    # Exercise 4: AdaGrad
    Mistake("adagrad", why="AdaGrad that does not accumulate: only the current g^2",
            old="accumulator.assign_add(grad * grad)", new="accumulator.assign(grad * grad)",
            loses=BOTH["adagrad"]),
    Mistake("adagrad", why="epsilon inside the square root (Keras' placement), not as specified",
            old="(tf.sqrt(accumulator) + epsilon)", new="tf.sqrt(accumulator + epsilon)",
            loses=BOTH["adagrad"]),
    Mistake("adagrad", why="the step divides by the accumulated sum without the square root",
            old="(tf.sqrt(accumulator) + epsilon)", new="(accumulator + epsilon)",
            loses=BOTH["adagrad"]),
    # Exercise 5: RMSProp
    Mistake("rmsprop", why="RMSProp averages the raw gradients instead of their squares",
            old="(1.0 - rho) * grad * grad)", new="(1.0 - rho) * grad)",
            loses=BOTH["rmsprop"]),
    Mistake("rmsprop", why="epsilon inside the square root, not as specified",
            old="(tf.sqrt(mean_square) + epsilon)", new="tf.sqrt(mean_square + epsilon)",
            loses=BOTH["rmsprop"]),
    Mistake("rmsprop", why="the running mean is never stored in the slot (forgets assign)",
            old="mean_square.assign(rho * mean_square + (1.0 - rho) * grad * grad)",
            new="mean_square = rho * mean_square + (1.0 - rho) * grad * grad",
            loses=BOTH["rmsprop"]),
    Mistake("rmsprop", why="the running mean without the factor (1 - rho)",
            old="(1.0 - rho) * grad * grad)", new="grad * grad)",
            loses=BOTH["rmsprop"]),
]

MISTAKES += [
    Mistake("minibatch", why="sgd_epoch updates the caller's w in place with -=",
            old="w = w - learning_rate * mse_gradient(w, x[rows], y[rows])",
            new="w -= learning_rate * mse_gradient(w, x[rows], y[rows])",
            loses=BOTH["minibatch"]),
    Mistake("momentum", why="rebinds the velocity in the slots dict: only works eagerly",
            old="velocity.assign(momentum * velocity - learning_rate * grad)\n    param.assign_add(velocity)",
            new='slots["velocity"] = momentum * velocity - learning_rate * grad\n'
                '    param.assign_add(slots["velocity"])',
            loses=BOTH["momentum"]),
    Mistake("adagrad", why="np.sqrt on a tensor: only works eagerly",
            old="param.assign_sub(learning_rate * grad / (tf.sqrt(accumulator) + epsilon))",
            new="param.assign_sub(learning_rate * grad / (np.sqrt(accumulator) + epsilon))",
            loses=BOTH["adagrad"]),
    Mistake("rmsprop", why=".numpy() inside the rule: only works eagerly",
            old="param.assign_sub(learning_rate * grad / (tf.sqrt(mean_square) + epsilon))",
            new="param.assign_sub(learning_rate * grad / (np.sqrt(mean_square.numpy()) + epsilon))",
            loses=BOTH["rmsprop"]),
]

ALTERNATIVES = [
    Mistake("minibatch", why="the gradient as residual @ x", loses=(),
            old="return 2.0 * x.T @ residual / len(y)", new="return 2.0 * residual @ x / len(y)"),
    Mistake("momentum", why="velocity updated in two steps, parameter with assign", loses=(),
            old="velocity.assign(momentum * velocity - learning_rate * grad)\n    param.assign_add(velocity)",
            new="velocity.assign(velocity * momentum)\n    velocity.assign_sub(learning_rate * grad)\n"
                "    param.assign(param + velocity)"),
    Mistake("nesterov", why="the look-ahead step written with assign_sub", loses=(),
            old="param.assign_add(momentum * velocity - learning_rate * grad)",
            new="param.assign_sub(learning_rate * grad - momentum * velocity)"),
    Mistake("adagrad", why="tf.square for the squared gradient", loses=(),
            old="accumulator.assign_add(grad * grad)", new="accumulator.assign_add(tf.square(grad))"),
    Mistake("rmsprop", why="the running mean as a step towards grad**2", loses=(),
            old="mean_square.assign(rho * mean_square + (1.0 - rho) * grad * grad)",
            new="mean_square.assign_add((1.0 - rho) * (tf.square(grad) - mean_square))"),
]

HEAVY_BALL = ("test_heavy_ball_parameters", "test_heavy_ball_parameters_hidden")
MISTAKES += [
    Mistake("heavy_ball_parameters", why="momentum = the rate sqrt(mu): the square is missing",
            old="momentum = ((root_max - root_min) / (root_max + root_min)) ** 2",
            new="momentum = (root_max - root_min) / (root_max + root_min)", loses=HEAVY_BALL),
    Mistake("heavy_ball_parameters", why="learning rate = sqrt(eta): the square is missing",
            old="learning_rate = (2 / (root_max + root_min)) ** 2",
            new="learning_rate = 2 / (root_max + root_min)", loses=HEAVY_BALL),
    Mistake("heavy_ball_parameters", why="keeps gradient descent's best rate 2 / (lambda_min + lambda_max)",
            old="learning_rate = (2 / (root_max + root_min)) ** 2",
            new="learning_rate = 2 / (lambda_min + lambda_max)", loses=HEAVY_BALL),
]
ALTERNATIVES += [
    Mistake("heavy_ball_parameters", why="through kappa, with ** 0.5", loses=(),
            old="    root_min, root_max = np.sqrt(lambda_min), np.sqrt(lambda_max)\n"
                "    learning_rate = (2 / (root_max + root_min)) ** 2\n"
                "    momentum = ((root_max - root_min) / (root_max + root_min)) ** 2\n",
            new="    kappa = lambda_max / lambda_min\n"
                "    momentum = ((kappa**0.5 - 1) / (kappa**0.5 + 1)) ** 2\n"
                "    learning_rate = 4 / (lambda_max**0.5 + lambda_min**0.5) ** 2\n"),
]
