"""Checks for exercises that write a dropout layer (unit 5).

They complete `dl4lib.checks` and fail the same way, with a `CheckError` a student can act on:
`dropout_statistics` / `check_dropout_layer` measure what any dropout layer must do (a fraction
`rate` of zeros, kept units scaled by 1 / (1 - rate), the mean kept, the identity at inference,
a new mask at each call, also inside a compiled graph), compared with a reference layer such as
`keras.layers.Dropout`.

Nothing here imports TensorFlow at import time; `dropout_statistics` imports it only to run the
layer inside a `tf.function`.
"""

import numpy as np

from dl4lib.checks.core import check_array, quiet
from dl4lib.checks.errors import CheckError, is_stub, not_implemented

__all__ = ["DROPOUT_STATISTICS", "check_dropout_layer", "check_layer_steps", "dropout_statistics"]


def _array(t):
    return np.asarray(t, dtype=np.float64)


def dropout_statistics(layer, x, rate):
    """Measure what a dropout layer does to a large positive input.

    Args:
        layer: a Keras layer called as `layer(x, training=...)`.
        x: float32 array with no zeros, large enough for the statistics (about 10^5 units).
        rate: the rate the layer was built with.

    Returns:
        A dict of floats:
            zero_fraction: fraction of zeros in one training-mode output (about `rate`);
            kept_scale_min, kept_scale_max: the smallest and largest y / x over the kept units
                (both 1 / (1 - rate) for inverted dropout);
            mean_ratio: mean(y) / mean(x) in training (about 1);
            inference_change: max |y - x| at inference, with `training=False` and with no
                `training` argument (0);
            same_mask_twice: 1.0 when two successive training calls drop the same units, else 0.0;
            same_mask_in_graph: the same, for two calls of one compiled `tf.function`.
    """
    import tensorflow as tf

    x = np.asarray(x)
    x64 = x.astype(np.float64)
    first = _array(layer(x, training=True))
    second = _array(layer(x, training=True))
    kept = first != 0
    scale = first[kept] / x64[kept] if kept.any() else np.array([np.nan])
    inference = max(np.max(np.abs(_array(layer(x, training=False)) - x64)),
                    np.max(np.abs(_array(layer(x)) - x64)))

    def train_step(t):
        return layer(t, training=True)

    # Every check traces a new function; TensorFlow would warn about "retracing" on stderr,
    # which nbgrader counts as a failure, so its Python logger is quiet meanwhile.
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")
    try:
        graph = tf.function(train_step, autograph=False)
        g1, g2 = _array(graph(x)), _array(graph(x))
    finally:
        logger.setLevel(level)
    return {
        "zero_fraction": float(np.mean(first == 0)),
        "kept_scale_min": float(np.min(scale)),
        "kept_scale_max": float(np.max(scale)),
        "mean_ratio": float(np.mean(first) / np.mean(x64)),
        "inference_change": float(inference),
        "same_mask_twice": float(np.array_equal(first == 0, second == 0)),
        "same_mask_in_graph": float(np.array_equal(g1 == 0, g2 == 0)),
    }


DROPOUT_STATISTICS = {
    "zero_fraction": ("the fraction of zeros in training", 0.01, 0.0,
                      "A unit is dropped with probability `rate` (keep it where u >= rate)."),
    "kept_scale_min": ("the smallest y / x of a kept unit in training", 0.0, 1e-5,
                       "Every kept unit is multiplied by 1 / (1 - rate)."),
    "kept_scale_max": ("the largest y / x of a kept unit in training", 0.0, 1e-5,
                       "Every kept unit is multiplied by 1 / (1 - rate)."),
    "mean_ratio": ("mean(output) / mean(input) in training", 0.01, 0.0,
                   "Inverted dropout keeps the expected value: scale the kept units."),
    "inference_change": ("the largest change max |y - x| at inference", 1e-6, 0.0,
                         "At inference (training=False, the default) return the inputs "
                         "unchanged: no mask, no scaling."),
    "same_mask_twice": ("whether two training calls drop the same units (1 = yes)", 0.0, 0.0,
                        "Draw a new mask at every call: keras.random.uniform with the "
                        "layer's SeedGenerator, not a mask made once or an integer seed."),
    "same_mask_in_graph": ("whether two calls of a compiled tf.function drop the same units "
                           "(1 = yes)", 0.0, 0.0,
                           "Draw the mask with keras.random and the layer's SeedGenerator; "
                           "NumPy's random numbers become constants in a compiled graph."),
}
"""key -> (description, atol, rtol, hint) used by `check_dropout_layer`."""


def check_dropout_layer(layer, reference_layer, x, rate, *, name="your layer", keys=None):
    """Compare `dropout_statistics` of `layer` with those of `reference_layer`.

    Args:
        layer, reference_layer: layers built with the same `rate`.
        x, rate: as in `dropout_statistics`.
        name: the layer's name in messages.
        keys: the statistics to compare (default: all, in the order of `DROPOUT_STATISTICS`).
    """
    try:
        with quiet(name):
            got = dropout_statistics(layer, x, rate)
    except Exception as err:  # noqa: BLE001 - any student error is a failed check
        if is_stub(err):
            raise not_implemented(name) from None
        raise CheckError(f"{name} failed on an input of shape {np.shape(x)} with rate={rate}: "
                         f"{type(err).__name__}: {err}\nHint: write the layer with keras.ops and "
                         "keras.random only; inside model.fit it works on symbolic tensors, "
                         "which NumPy cannot handle.") from None
    expected = dropout_statistics(reference_layer, x, rate)
    for key in keys or DROPOUT_STATISTICS:
        description, atol, rtol, hint = DROPOUT_STATISTICS[key]
        check_array(got[key], expected[key], name=f"{name}: {description}",
                    input_desc=f"rate={rate} and an input of shape {np.shape(x)}",
                    atol=atol, rtol=rtol, hint=hint)


def check_layer_steps(layer, reference_layer, batches, *, attributes=(), training=True,
                      graph=False, name="your layer", hint="", atol=1e-5, rtol=1e-5,
                      forbidden=()):
    """Call both layers on each batch in turn and compare the outputs and `attributes` after
    every call.

    Args:
        layer, reference_layer: built layers with the same hyper-parameters and weights.
        batches: float32 arrays, fed one per call.
        attributes: names of variables to compare after each call ("moving_mean").
        training: the `training` argument of every call.
        graph: call each layer through one `tf.function`, as `model.fit` does: a layer that only
            works eagerly (`.numpy()`, NumPy on tensors, an attribute rebound instead of
            `.assign()`) fails here.
        name, hint: for the messages.
        atol, rtol: tolerances, as in `check_array`.
        forbidden: module prefixes the layer's code must not enter while it runs (eagerly).
    """
    import tensorflow as tf

    from dl4lib.checks.core import student_call

    where = " inside tf.function" if graph else ""
    note = ("Inside tf.function (how model.fit runs a layer) tensors are symbolic: use keras.ops "
            "only (no .numpy(), no NumPy on tensors) and change variables with .assign(...)."
            if graph else "")
    hint = " ".join(h for h in (note, hint) if h)

    def caller(target):
        def call(x):
            return target(x, training=training)
        return tf.function(call) if graph else call

    mine, ref = caller(layer), caller(reference_layer)
    for step, x in enumerate(batches, 1):
        what = f"batch {step} of shape {np.shape(x)}, training={training}"
        got = student_call(mine, (x,), name=name + where, call=f"{name}{where} on {what}",
                           hint=hint, strict=False, forbidden=() if graph else forbidden,
                           how="keras")  # autograph rewrites code: calls are watched eagerly
        expected = ref(x)
        check_array(_array(got), _array(expected), atol=atol, rtol=rtol,
                    name=f"{name}{where}: the output", input_desc=what, hint=hint)
        for attribute in attributes:
            try:
                value = _array(getattr(layer, attribute))
            except Exception as err:  # noqa: BLE001 - a rebound attribute is a failed check
                raise CheckError(f"{name}.{attribute} is no longer a variable after a call{where} "
                                 f"({type(err).__name__}: {err}).\nHint: {hint or note} Update it "
                                 f"with self.{attribute}.assign(...).") from None
            check_array(value, _array(getattr(reference_layer, attribute)), atol=atol, rtol=rtol,
                        name=f"{name}{where}: {attribute} after the call", input_desc=what,
                        hint=hint)
