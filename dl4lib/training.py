"""The training harness of unit 10: tf.data pipelines, a per-step schedule, and one `train` call.

    run = train(model, split, epochs=10, batch_size=256, optimizer=keras.optimizers.AdamW(1e-3),
                augment=RandomCropFlip(4), log=log, name="baseline", seed=0)

`split` is a `Split` of NumPy arrays: raw pixels (N, 32, 32, 3) uint8 and labels (N,). Labels
are fed one-hot, so any `keras.losses.CategoricalCrossentropy` (with `label_smoothing`) works.
The model standardizes its own inputs (see `dl4lib.resnet`), so the saved file needs nothing else.
"""

import time
from typing import NamedTuple

import keras
import numpy as np
import tensorflow as tf

from dl4lib._validation import check_number
from dl4lib.experiment_log import tensorboard_callback
from dl4lib.utils import set_seed


class Split(NamedTuple):
    """Training and validation arrays (the test split is kept for the very end)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def validation_split(x, y, n_val, seed=0):
    """Hold out `n_val` random training images (N - n_val remain) as the validation set."""
    n_val = check_number("n_val", n_val, low=0, high=len(x), low_open=True, high_open=True,
                         integer=True)
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:n_val], order[n_val:]
    return Split(x[train], y[train], x[val], y[val])


def dataset(x, y, batch_size, *, augment=None, shuffle=False, seed=0):
    """tf.data pipeline: float32 pixels, one-hot labels, batches, optional augmentation.

    Args:
        x: uint8 images (N, 32, 32, 3); y: integer labels (N,).
        batch_size: positive int.
        augment: None or a layer called as augment(images, training=True) on each batch.
        shuffle: reshuffle every epoch (with `seed`).
    """
    ds = tf.data.Dataset.from_tensor_slices((x, np.asarray(y, dtype=np.int32)))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch_size).map(lambda a, b: (tf.cast(a, tf.float32), tf.one_hot(b, 10)),
                                  num_parallel_calls=tf.data.AUTOTUNE)
    if augment is not None:
        ds = ds.map(lambda a, b: (augment(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


class StepSchedule(keras.callbacks.Callback):
    """Set the optimizer's learning rate before every step: lr = schedule(step), step = 0, 1, ...

    Any function of the step works (a NumPy one too); the optimizer keeps a plain float rate,
    so the saved model needs no custom schedule class.
    """

    def __init__(self, schedule):
        super().__init__()
        self.schedule = schedule
        self.step = 0

    def on_train_batch_begin(self, batch, logs=None):
        self.model.optimizer.learning_rate.assign(float(self.schedule(self.step)))
        self.step += 1


def train(model, split, *, epochs, batch_size, optimizer, loss=None, augment=None, schedule=None,
          log=None, name=None, seed=0, verbose=0, tensorboard_dir=None, **settings):
    """Compile `model` and fit it on `split`; log the run. Returns the Keras history dict.

    Args:
        model: a Keras model from raw pixels to 10 logits.
        split: a `Split`.
        epochs, batch_size: the budget.
        optimizer: a Keras optimizer.
        loss: default categorical cross-entropy from logits.
        augment: None or a layer (e.g. `RandomCropFlip`) applied to training batches.
        schedule: None or a function step -> learning rate, applied before every step.
        log, name: an `ExperimentLog` and the run's name; the run is appended when both are given.
        seed: seeds shuffling and Keras (`set_seed`); the model should be built after its own
            `set_seed(seed)` for the initial weights to depend on the seed.
        tensorboard_dir: also write TensorBoard logs there, when tensorboard is installed.
        **settings: extra settings written into the log.
    """
    set_seed(seed)
    loss = loss or keras.losses.CategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    callbacks = [StepSchedule(schedule)] if schedule is not None else []
    if tensorboard_dir and name:
        board = tensorboard_callback(tensorboard_dir, name)
        callbacks += [board] if board is not None else []
    train_ds = dataset(split.x_train, split.y_train, batch_size, augment=augment, shuffle=True,
                       seed=seed)
    val_ds = dataset(split.x_val, split.y_val, 500)
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=val_ds, epochs=epochs, callbacks=callbacks, shuffle=False,
                        verbose=verbose).history
    seconds = time.perf_counter() - start
    if log is not None and name:
        log.add(name, history, seed=seed, seconds=round(seconds, 1), epochs=epochs,
                batch_size=batch_size, optimizer=type(optimizer).__name__,
                augment=type(augment).__name__ if augment is not None else None, **settings)
    return history


def reference_recipe(data, *, width=64, epochs=24, batch_size=512, seed=0, max_lr=0.4,
                     weight_decay=5e-4, label_smoothing=0.2, jit_compile="auto", verbose=0):
    """Train the reference ResNet-9 (`dl4lib.resnet.resnet9`) on all of `data`'s training
    images with Page's recipe; return (model, history, seconds of `fit`). Evaluate and save
    `dl4lib.resnet.with_flip_tta(model)`, which adds the mirror test-time augmentation.

    SGD-Nesterov (momentum 0.9, decoupled weight decay), a one-cycle rate peaking at `max_lr`
    (`dl4lib.schedules.OneCycle`), label smoothing, random crop (4 pixels) and mirror. The
    reported validation metrics are on the first 1,000 test images (monitoring only).

    Args:
        data: a `dl4lib.data.CIFAR10`.
        width, epochs, batch_size, seed, max_lr, weight_decay, label_smoothing: the recipe.
        jit_compile: passed to `Model.compile` (True for XLA on a GPU).
    """
    from dl4lib.augment import RandomCropFlip
    from dl4lib.data import channel_stats
    from dl4lib.resnet import resnet9
    from dl4lib.schedules import OneCycle

    set_seed(seed)
    mean, std = channel_stats(data.x_train)
    model = resnet9(mean, std, width=width)
    split = Split(data.x_train, data.y_train, data.x_test[:1000], data.y_test[:1000])
    schedule = OneCycle(max_lr, epochs * -(-len(data.x_train) // batch_size))
    model.compile(optimizer=keras.optimizers.SGD(max_lr, momentum=0.9, nesterov=True,
                                                 weight_decay=weight_decay),
                  loss=keras.losses.CategoricalCrossentropy(from_logits=True,
                                                            label_smoothing=label_smoothing),
                  metrics=["accuracy"], jit_compile=jit_compile)
    train_ds = dataset(split.x_train, split.y_train, batch_size, augment=RandomCropFlip(4, seed=seed),
                       shuffle=True, seed=seed)
    start = time.perf_counter()
    history = model.fit(train_ds, validation_data=dataset(split.x_val, split.y_val, 500),
                        epochs=epochs, callbacks=[StepSchedule(schedule)], shuffle=False,
                        verbose=verbose).history
    return model, history, time.perf_counter() - start
