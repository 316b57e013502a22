"""Per-step time of each `dl4lib.optimizers` rule vs its `keras.optimizers` class (target <= 1.5x).

Both optimizers update the same tf.Variable with the same gradient, each step inside its own
`tf.function`; the two are timed in alternating rounds so that load from other processes hits
both alike, and the fastest round of each is reported (as `timeit` advises: slower rounds
measure the other processes). Sizes: 1e3 and 1e6 parameters. Our rules run in
their default (textbook) form.

Run: .venv/bin/python benchmarks/bench_optimizers.py
"""

import time

import keras
import numpy as np
import tensorflow as tf

from dl4lib import optimizers

KERAS = {
    "sgd": (keras.optimizers.SGD, {}),
    "momentum": (keras.optimizers.SGD, {"momentum": 0.9}),
    "nesterov": (keras.optimizers.SGD, {"momentum": 0.9, "nesterov": True}),
    "adagrad": (keras.optimizers.Adagrad, {}),
    "rmsprop": (keras.optimizers.RMSprop, {}),
    "adadelta": (keras.optimizers.Adadelta, {}),
    "adam": (keras.optimizers.Adam, {}),
    "adamw": (keras.optimizers.AdamW, {}),
    "nadam": (keras.optimizers.Nadam, {}),
    "amsgrad": (keras.optimizers.Adam, {"amsgrad": True}),
}
SIZES = {1_000: (100, 9), 1_000_000: (10, 9)}  # n -> (steps per round, rounds)


def compiled_step(opt, grad, variable):
    opt.build([variable])
    step = tf.function(lambda: opt.apply([grad], [variable]))
    step()  # trace
    return step


def seconds_per_step(step, steps):
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - start) / steps


def compare(name, n, steps, rounds):
    rng = np.random.default_rng(0)
    variable = tf.Variable(rng.normal(size=n).astype(np.float32))
    grad = tf.constant(rng.normal(size=n).astype(np.float32))
    keras_cls, keras_kwargs = KERAS[name]
    ours = compiled_step(optimizers.get(name, learning_rate=1e-3), grad, variable)
    theirs = compiled_step(keras_cls(learning_rate=1e-3, **keras_kwargs), grad, variable)
    times = np.array([(seconds_per_step(ours, steps), seconds_per_step(theirs, steps))
                      for _ in range(rounds)])
    return times.min(axis=0)


def main():
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
          f"{tf.config.threading.get_intra_op_parallelism_threads() or 'all'} intra-op threads")
    header = "".join(f"{'n=' + format(n, '.0e'):>10s}{'ours':>11s}{'keras':>11s}{'ratio':>7s}"
                     for n in SIZES)
    print(f"{'rule':<10s}{header}")
    start = time.perf_counter()
    worst = 0.0
    for name in optimizers.names():
        row = f"{name:<10s}"
        for n, (steps, rounds) in SIZES.items():
            ours, theirs = compare(name, n, steps, rounds)
            worst = max(worst, ours / theirs)
            row += f"{'':>10s}{ours * 1e6:9.0f}us{theirs * 1e6:9.0f}us{ours / theirs:6.2f}x"
        print(row, flush=True)
    print(f"worst ratio {worst:.2f}x (target <= 1.5x); total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
