"""Checks of unit 10 (CIFAR-10): data preparation, augmentation, and grading the saved model.

The saved model is graded in a separate Python process, never in the student's kernel:

    report = evaluate_saved_model("model.keras")   # never raises; report.error says what is wrong
    check_model_loads(report)                      # a graded cell: loads, takes (32, 32, 3) images
    check_accuracy(report, 0.85)                   # one graded cell per tier of accuracy

The worker process loads the file with `keras.saving.load_model(path, safe_mode=True)` after
importing only Keras and dl4lib's registered layers, so a file with a Lambda layer or a layer
class defined in a notebook gets 0 with a message instead of running its code; it scores the
model on the CIFAR-10 test split (raw pixels 0..255 as float32, the label is the argmax of the
model's output). A missing, oversized, corrupt or wrongly shaped file, a crash or a timeout of
the worker all end up in `report.error`, so one bad file costs its cells and nothing else.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dl4lib.checks import (
    CheckError,
    check_array,
    check_not_delegating,
    forbidden_modules,
    not_implemented,
    quiet,
    student_call,
)

MAX_BYTES = 100_000 * 1024
"""nbgrader's `ExchangeSubmit.max_file_size` (100,000 KB): larger files are left out of a submission."""
TIERS = (0.60, 0.75, 0.85, 0.90, 0.93)
"""Test accuracies that earn one point each."""
TIMEOUT = int(os.environ.get("DL4_GRADING_TIMEOUT", "280"))
"""Seconds one model may take to grade: below nbgrader's cell timeout (`Execute.timeout`, 300 s
in nbgrader_config.py). Raise both on a slow grading machine (a width-64 ResNet-9 needs several
minutes on 2 CPU cores; see benchmarks/bench_cifar10.py)."""
INPUT_SHAPE = (32, 32, 3)
REGISTERED_LAYER_MODULES = ("dl4lib.augment", "dl4lib.batch_norm", "dl4lib.dropout",
                            "dl4lib.resnet", "dl4lib.selu")
"""The dl4lib modules whose registered layers a graded model may use."""


@dataclass(frozen=True)
class ModelReport:
    """What grading a saved model found.

    Attributes:
        path: the file graded.
        accuracy: fraction of the test images classified correctly, or None on an error.
        n_images: the number of test images.
        seconds: time the worker took (loading included).
        error: None, or a message for the student saying what is wrong with the file.
        data: where the test images came from (`CIFAR10.source`).
    """

    path: str
    accuracy: float | None = None
    n_images: int = 0
    seconds: float = 0.0
    error: str | None = None
    data: str = ""


def grading_test_set():
    """The test split graded against: CIFAR-10's 10,000 images (synthetic ones in fast mode)."""
    from dl4lib.data import course_cifar10

    ds = course_cifar10()
    return ds.x_test, ds.y_test, ds.source


def _precheck(path, max_bytes):
    """A message when the file cannot be a gradable model, without loading it."""
    name = path.name
    if not path.exists():
        return (f"{name} was not found in {path.parent.resolve()}. Train your final model and save "
                f"it there with model.save({name!r}), next to the notebook, before you submit.")
    if path.suffix != ".keras":
        return f"{name} is not a .keras file: save the model with model.save('model.keras')."
    size = path.stat().st_size
    if size > max_bytes:
        return (f"{name} is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.1f} MiB that "
                "nbgrader accepts in a submission, so it would not reach the grader. Use fewer "
                "weights (a smaller width) and save it again.")
    if not zipfile.is_zipfile(path):
        return (f"{name} is not a Keras model file (a .keras file is a zip archive); it may be "
                "truncated or corrupt. Save the model again with model.save('model.keras').")
    return None


def evaluate_saved_model(path="model.keras", x=None, y=None, *, timeout=TIMEOUT,
                         max_bytes=MAX_BYTES, source=None):
    """Score a saved Keras model on the test set in a fresh process. Never raises.

    Args:
        path: the .keras file.
        x, y: test images (N, 32, 32, 3) uint8 and labels (N,); default `grading_test_set()`.
        timeout: seconds the worker may take before the model counts as failed.
        max_bytes: largest file accepted.
        source: where x, y come from, for the report.

    Returns:
        A `ModelReport`.
    """
    return evaluate_saved_models([path], x, y, timeout=timeout, max_bytes=max_bytes,
                                 source=source)[0]


def evaluate_saved_models(paths, x=None, y=None, *, timeout=TIMEOUT, max_bytes=MAX_BYTES,
                          source=None):
    """`evaluate_saved_model` for several files, sharing one worker process (one TensorFlow
    start-up). A file that crashes the worker or runs past `timeout` is graded again alone, so
    it cannot take the others down with it. Returns one `ModelReport` per path, in order."""
    paths = [Path(p) for p in paths]
    reports = {i: ModelReport(str(p), error=_precheck(p, max_bytes)) for i, p in enumerate(paths)}
    todo = [i for i, r in reports.items() if r.error is None]
    if todo and x is None:
        try:
            x, y, source = grading_test_set()
        except Exception as err:  # noqa: BLE001 - any failure to get the data is reported
            for i in todo:
                reports[i] = ModelReport(str(paths[i]), error=(
                    f"The grader could not load the test set, so {paths[i].name} was not graded "
                    f"(tell your instructor): {err}"))
            todo = []
    if todo:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "test.npz"
            np.savez(data, x=np.asarray(x, dtype=np.uint8), y=np.asarray(y, dtype=np.int64))
            found = _run_worker([paths[i] for i in todo], data, timeout * len(todo), tmp)
            if len(todo) > 1:  # the files after a crash or a timeout: alone, one by one
                for i, got in zip(todo, found, strict=False):
                    if got is None:
                        found[todo.index(i)] = _run_worker([paths[i]], data, timeout, tmp)[0]
        for i, got in zip(todo, found, strict=True):
            got = got or {"error": f"Grading {paths[i].name} stopped its process (a crash, too "
                                   f"much memory, or longer than the grader's limit of {timeout} s "
                                   "on this machine): the file may be corrupt or the model too "
                                   "large. Tell your instructor, who can grade it on a faster "
                                   "machine or with a higher limit (DL4_GRADING_TIMEOUT)."}
            reports[i] = ModelReport(str(paths[i]), accuracy=got.get("accuracy"),
                                     n_images=len(y), seconds=got.get("seconds", 0.0),
                                     error=got.get("error"), data=source or "")
    return [reports[i] for i in range(len(paths))]


def _run_worker(paths, data, timeout, cwd):
    """Grade `paths` in one fresh process; a dict per path, None for those it did not reach."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    paths = [str(Path(p).resolve()) for p in paths]
    command = [sys.executable, "-m", "dl4lib.checks.models", str(data), *paths]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                                cwd=cwd)
        stdout = result.stdout
    except subprocess.TimeoutExpired as err:
        stdout = err.stdout.decode() if isinstance(err.stdout, bytes) else err.stdout or ""
    found = {}
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "path" in record:
            found[record.pop("path")] = record
    return [found.get(p) for p in paths]


def _load_error(name, err):
    """A message for a failure of keras.saving.load_model."""
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    if "Lambda" in str(err) or "safe_mode" in str(err):
        return (f"{name} contains a Lambda layer (Python code), which the grader does not run "
                "(it loads models with safe_mode=True). Use Keras' layers instead, e.g. "
                "keras.layers.Rescaling or keras.layers.Normalization.")
    unknown = re.search(r"Could not locate (?:class|function) '([^']+)'", str(err))
    if unknown or "Unknown layer" in str(err):
        what = f"the class {unknown.group(1)!r}" if unknown else "a layer"
        return (f"{name} uses {what}, which is neither part of Keras nor one of dl4lib's "
                "registered layers, so the grader cannot rebuild it. Build the final model from "
                "keras.layers and dl4lib.resnet only.")
    return f"{name} could not be loaded by keras.saving.load_model: {type(err).__name__}: {text[:300]}"


def _grade_one(keras, path, x, y):
    """Load `path` safely and score it: {"accuracy": a} or {"error": message}."""
    name = Path(path).name
    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as err:  # noqa: BLE001 - every load failure becomes a message
        return {"error": _load_error(name, err)}
    if not isinstance(model, keras.Model) or len(model.inputs) != 1 or len(model.outputs) != 1:
        return {"error": f"{name} should hold a keras.Model with one input and one output."}
    in_shape, out_shape = tuple(model.inputs[0].shape), tuple(model.outputs[0].shape)
    if in_shape[1:] != INPUT_SHAPE:
        return {"error": f"{name} takes inputs of shape {in_shape}; the grader feeds CIFAR-10 "
                         f"images of shape (None, 32, 32, 3) with raw pixel values 0..255 "
                         "(standardize inside the model, e.g. with keras.layers.Normalization)."}
    if out_shape[1:] != (10,):
        return {"error": f"{name} has outputs of shape {out_shape}; expected (None, 10): one "
                         "score (logit or probability) per class."}
    try:
        scores = model.predict(x, batch_size=500, verbose=0)
    except Exception as err:  # noqa: BLE001
        return {"error": f"{name} failed on the test images: {type(err).__name__}: {err}"}
    scores = np.asarray(scores, dtype=np.float64)
    if not np.isfinite(scores).all():
        return {"error": f"{name} outputs nan or inf on some test images."}
    return {"accuracy": float(np.mean(np.argmax(scores, axis=1) == y))}


def _worker(data, paths):
    """The grader's own process: print one JSON line {"path", "accuracy" or "error", "seconds"}
    per model file, as soon as it is graded."""
    import importlib

    import keras

    for module in REGISTERED_LAYER_MODULES:
        importlib.import_module(module)
    arrays = np.load(data)
    x, y = arrays["x"].astype(np.float32), arrays["y"]
    for path in paths:
        start = time.perf_counter()
        try:
            outcome = _grade_one(keras, path, x, y)
        except Exception as err:  # noqa: BLE001 - the parent reports it as the student's message
            outcome = {"error": f"Grading {Path(path).name} failed: {type(err).__name__}: {err}"}
        outcome.update(path=path, seconds=time.perf_counter() - start)
        print(json.dumps(outcome), flush=True)


def check_model_loads(report):
    """Fail with the report's message unless the saved model loaded and ran on the test set."""
    if report.error:
        raise CheckError(report.error)
    print(f"{Path(report.path).name}: test accuracy {report.accuracy:.2%} on {report.n_images} "
          f"images ({report.data}), graded in {report.seconds:.1f} s")


def check_accuracy(report, tier):
    """Fail unless the saved model's test accuracy is at least `tier` (a fraction)."""
    check_model_loads(report)
    if report.accuracy < tier:
        raise CheckError(f"{Path(report.path).name} classifies {report.accuracy:.2%} of the "
                         f"{report.n_images} test images correctly; this cell needs {tier:.0%}.")


def tier_points(accuracy, tiers=TIERS):
    """The number of tiers `accuracy` reaches (one point each)."""
    return sum(accuracy >= t for t in tiers)


# --- data preparation and augmentation ---------------------------------------------------------


def _leak_message(name, stats):
    return (f"{name} standardized the test images with statistics computed from {stats}: this "
            "is test-set leakage (the test split must play no part in training, preprocessing "
            "included). Compute the mean and std on x_train only and apply them to both splits.")


def check_standardize_splits(func, x_train, x_test, *, name="standardize_splits", hint=""):
    """Check `func(x_train, x_test) -> (train, test, mean, std)` against dl4lib.data's reference.

    Beyond the values it checks that the inputs are left unchanged, that both outputs are
    float32, and it names test-set leakage (statistics of the test split or of both splits).
    """
    from dl4lib.data import channel_stats, standardize_splits

    forbidden = forbidden_modules("dl4lib.data", "sklearn")
    check_not_delegating(func, forbidden, name=name)
    train_copy, test_copy = np.array(x_train, copy=True), np.array(x_test, copy=True)
    desc = f"x_train {x_train.dtype} {x_train.shape}, x_test {x_test.dtype} {x_test.shape}"
    got = student_call(func, (train_copy, test_copy), name=name, call=f"{name}({desc})",
                       strict=False, forbidden=forbidden, hint=hint)
    if not np.array_equal(train_copy, x_train) or not np.array_equal(test_copy, x_test):
        raise CheckError(f"{name} modified its input arrays in place; return new arrays instead "
                         "(x - mean creates one, x -= mean overwrites the caller's data).")
    if not isinstance(got, tuple) or len(got) != 4:
        raise CheckError(f"{name} should return a tuple (train, test, mean, std), got {got!r:.200}.")
    expected = standardize_splits(x_train, x_test)
    test_got = np.asarray(got[1], dtype=np.float64)
    for stats, data in (("the test split", x_test),
                        ("both splits together", np.concatenate([x_train, x_test]))):
        mean, std = channel_stats(data)
        leaked = (np.asarray(x_test, np.float64) - mean) / std
        if test_got.shape == leaked.shape and np.allclose(test_got, leaked, rtol=1e-4, atol=1e-4):
            raise CheckError(_leak_message(name, stats))
    for part, got_part, exp_part in zip(("train", "test"), got[:2], expected[:2], strict=True):
        if getattr(got_part, "dtype", None) != np.float32:
            raise CheckError(f"{name}: the standardized {part} images should be float32 (what "
                             f"Keras trains on), got {getattr(got_part, 'dtype', type(got_part))}.")
        check_array(got_part, exp_part, name=f"{name}: the standardized {part} images",
                    input_desc=desc, rtol=1e-5, atol=1e-5, hint=hint)
    for part, got_part, exp_part in zip(("mean", "std"), got[2:], expected[2:], strict=True):
        check_array(got_part, exp_part, name=f"{name}: {part}", input_desc=desc, rtol=1e-6,
                    hint=hint)


def _explain_crops(layer_name, out, x, padding):
    """Index of the (offset, mirror) outcome each output image equals; fail if none does.

    The outcomes of an image: its (2p + 1)^2 windows of the zero-padded image, then the same
    windows mirrored; outcome k = dy * (2p + 1) + dx (+ (2p + 1)^2 when mirrored). Outcomes are
    screened on 16 probe pixels, and the candidates that agree there are compared in full.
    """
    n, h, w, _ = x.shape
    padded = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    ys, xs = np.meshgrid(np.linspace(0, h - 1, 4).astype(int), np.linspace(0, w - 1, 4).astype(int))
    ys, xs = ys.ravel(), xs.ravel()
    windows = []
    for mirror in (False, True):
        for dy in range(2 * padding + 1):
            for dx in range(2 * padding + 1):
                windows.append((dy, dx, mirror))

    def window(k, i=slice(None)):
        dy, dx, mirror = windows[k]
        win = padded[i, dy:dy + h, dx:dx + w]
        return win[..., ::-1, :] if mirror else win

    probes = np.stack([np.all(np.isclose(window(k)[:, ys, xs], out[:, ys, xs], atol=1e-6), axis=(1, 2))
                       for k in range(len(windows))], axis=1)
    picked = np.full(n, -1)
    for i in range(n):
        for k in np.flatnonzero(probes[i]):
            if np.allclose(window(k, i), out[i], atol=1e-6):
                picked[i] = k
                break
    bad = np.flatnonzero(picked < 0)
    if bad.size:
        raise CheckError(
            f"{layer_name}(x, training=True): image {bad[0]} of the output (and {bad.size - 1} "
            f"others) is not a {h}x{w} window of the image padded with {padding} zeros on each "
            "side, mirrored or not. Pad with zeros, cut a window of the original size at a "
            "random offset in 0..2*padding, then maybe mirror left-right.")
    return picked


def _check_class_not_delegating(cls, forbidden, name):
    """Fail when `cls` is not a class, inherits from a forbidden one or a method calls one."""
    import inspect

    if not inspect.isclass(cls):
        raise CheckError(f"{name} should be a class, got {cls!r}.")
    for base in cls.__mro__[1:]:
        try:
            check_not_delegating(base, forbidden, name=name)
        except CheckError:
            raise CheckError(f"{name} inherits from {base.__module__}.{base.__qualname__}. "
                             "Subclass keras.layers.Layer and write the computation "
                             "yourself.") from None
    for attr, value in vars(cls).items():
        if inspect.isfunction(value):
            check_not_delegating(value, forbidden, name=f"{name}.{attr}")


def check_crop_flip_layer(layer_cls, *, padding=4, shape=(32, 32, 3), n=300, seed=0,
                          name="RandomCropFlip"):
    """Check a random crop-and-mirror Keras layer class against the specification.

    Args:
        layer_cls: the student's class, called as layer_cls(padding=..., seed=...).
        padding: the shift the layer is made with.
        shape: (H, W, C) of the test images.
        n: number of images; with n = 300 a correct layer shows most of the (2p + 1)^2 offsets
            (at least half are required) and mirrors within 5 standard deviations of 50 %.
        seed: seeds the test images and the layer.
    """
    import keras
    import tensorflow as tf

    forbidden = forbidden_modules("dl4lib.augment", frameworks=(
        "keras.src.layers.preprocessing", "tensorflow.python.ops.image_ops_impl"))
    _check_class_not_delegating(layer_cls, forbidden, name)
    try:
        with quiet(name):
            layer = layer_cls(padding=padding, seed=seed)
    except NotImplementedError:
        raise not_implemented(name) from None
    except Exception as err:  # noqa: BLE001
        raise CheckError(f"{name}(padding={padding}, seed={seed}) raised {type(err).__name__}: "
                         f"{err}") from None
    if not isinstance(layer, keras.layers.Layer):
        raise CheckError(f"{name} should be a keras.layers.Layer subclass.")
    x = np.random.default_rng(seed).uniform(0.5, 1.5, size=(n, *shape)).astype("float32")
    call = f"{name}(padding={padding})"
    try:
        with quiet(name):
            same = np.asarray(layer(x, training=False))
            out = np.asarray(layer(x, training=True))
            again = np.asarray(layer(x, training=True))
            compiled = tf.function(lambda t: layer(t, training=True))
            graph_1, graph_2 = np.asarray(compiled(x)), np.asarray(compiled(x))
    except NotImplementedError:
        raise not_implemented(name) from None
    except Exception as err:  # noqa: BLE001
        raise CheckError(f"{call} raised {type(err).__name__}: {err}") from None
    check_array(same, x, name=f"{call}(x, training=False)", input_desc=f"x of shape {x.shape}",
                hint="At inference (training False or None) return the inputs unchanged.")
    if out.shape != x.shape:
        raise CheckError(f"{call}(x, training=True) returned shape {out.shape}; expected "
                         f"{x.shape}: crop back to the original size after padding.")
    picked = _explain_crops(call, out, x, padding)
    side = (2 * padding + 1) ** 2
    offsets, mirrored = picked % side, picked >= side
    if padding and len(set(offsets.tolist())) < side // 2:
        raise CheckError(f"{call}: only {len(set(offsets.tolist()))} of the {side} possible "
                         f"offsets occurred over {n} images; draw dy and dx uniformly from "
                         "0..2*padding, separately for every image.")
    if abs(mirrored.mean() - 0.5) > 5 * np.sqrt(0.25 / n):  # 5 standard deviations
        raise CheckError(f"{call}: {mirrored.mean():.0%} of the {n} images were mirrored; expected "
                         "about 50 %, decided separately for every image.")
    draws = {"two calls": (picked, _explain_crops(call, again, x, padding)),
             "two calls of the compiled layer": (_explain_crops(call + " (compiled)", graph_1, x, padding),
                                                 _explain_crops(call + " (compiled)", graph_2, x, padding))}
    for what, (a, b) in draws.items():
        same = [part for part, same in (("offsets", padding and np.array_equal(a % side, b % side)),
                                        ("mirrors", np.array_equal(a >= side, b >= side))) if same]
        if same:
            raise CheckError(f"{call}: {what} with training=True drew the same {' and '.join(same)} "
                             "for every image. Draw new random numbers at every call with "
                             "keras.random and the layer's SeedGenerator (NumPy's random numbers "
                             "are drawn once, when the graph is traced).")


# --- hyper-parameter search ---------------------------------------------------------------------


def check_lr_range_test(func, losses, lr_min, lr_max, num_steps, stop_factor=4.0, *, hint=""):
    """Check `func(step, lr_min, lr_max, num_steps, stop_factor)` (the range test) with a `step`
    that returns the scripted `losses` one after the other, against dl4lib.lr_range_test (raw
    losses, no smoothing).

    Compares the rates `step` was called with, and the returned rates, losses and suggestion.
    """
    from dl4lib.lr_range_test import lr_range_test

    name = "lr_range_test"
    check_not_delegating(func, forbidden_modules("dl4lib.lr_range_test"), name=name)
    call = (f"{name}(step, lr_min={lr_min}, lr_max={lr_max}, num_steps={num_steps}, "
            f"stop_factor={stop_factor}) with step(lr) returning {losses} in turn")
    scripted = iter(losses)
    exp_lrs, exp_losses, exp_suggested = lr_range_test(lambda lr: next(scripted), lr_min, lr_max,
                                                       num_steps, stop_factor)
    rates = []

    def step(lr):
        rates.append(float(lr))
        if len(rates) > len(exp_lrs):
            raise CheckError(f"{call}: step was called {len(rates)} times; the sweep should have "
                             f"stopped after {len(exp_lrs)} calls. {hint}".strip())
        return losses[len(rates) - 1]

    try:
        with quiet(name):
            got = func(step, lr_min, lr_max, num_steps, stop_factor)
    except CheckError:
        raise
    except NotImplementedError:
        raise not_implemented(name) from None
    except Exception as err:  # noqa: BLE001
        raise CheckError(f"{call} raised {type(err).__name__}: {err}" + (f"\nHint: {hint}" if hint else "")) \
            from None
    check_array(np.array(rates), exp_lrs, name=f"{name}: the rates step was called with", input_desc=call,
                rtol=1e-9, hint=hint)
    if not isinstance(got, tuple) or len(got) != 3:
        raise CheckError(f"{call} should return a tuple (lrs, losses, suggested), got {got!r:.200}.")
    for part, got_part, exp_part in zip(("lrs", "losses", "suggested"), got,
                                        (exp_lrs, exp_losses, exp_suggested), strict=True):
        check_array(got_part, exp_part, name=f"{name}: the returned {part}", input_desc=call,
                    rtol=1e-9, hint=hint)


if __name__ == "__main__":
    _worker(sys.argv[1], sys.argv[2:])
