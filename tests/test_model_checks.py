"""dl4lib.checks.models: the checks of unit 10 pass the references and fail typical mistakes."""

import functools

import keras
import numpy as np
import pytest
from keras import ops

from dl4lib.augment import RandomCropFlip
from dl4lib.checks import CheckError
from dl4lib.checks.models import (
    check_crop_flip_layer,
    check_lr_range_test,
    check_standardize_splits,
)
from dl4lib.data import standardize_splits

RNG = np.random.default_rng(0)
X_TRAIN = RNG.integers(0, 256, size=(30, 6, 5, 3), dtype=np.uint8)
X_TEST = (RNG.integers(0, 200, size=(12, 6, 5, 3)) + 50).astype(np.uint8)


def student_standardize(x_train, x_test):
    """A correct answer written as a student would (the reference's module is forbidden)."""
    x_train, x_test = x_train.astype(np.float64), x_test.astype(np.float64)
    mean, std = x_train.mean(axis=(0, 1, 2)), x_train.std(axis=(0, 1, 2))
    return ((x_train - mean) / std).astype(np.float32), ((x_test - mean) / std).astype(np.float32), \
        mean, std


def test_standardize_correct_answers_pass():
    check_standardize_splits(student_standardize, X_TRAIN, X_TEST)
    with pytest.raises(CheckError, match="uses standardize_splits"):
        check_standardize_splits(standardize_splits, X_TRAIN, X_TEST)



def test_standardize_stderr_of_a_correct_answer_costs_nothing(capsys):
    def chatty(x_train, x_test):
        import sys

        print("standardizing", x_train.shape, file=sys.stderr)
        return student_standardize(x_train, x_test)

    check_standardize_splits(chatty, X_TRAIN, X_TEST)
    out, err = capsys.readouterr()
    assert err == "" and "standardizing (30, 6, 5, 3)" in out

def channel_stats(x):
    x = np.asarray(x, dtype=np.float64)
    return x.mean(axis=(0, 1, 2)), x.std(axis=(0, 1, 2))


def own_stats(x_train, x_test):
    m1, s1 = channel_stats(x_train)
    m2, s2 = channel_stats(x_test)
    return ((x_train - m1) / s1).astype("float32"), ((x_test - m2) / s2).astype("float32"), m1, s1


def both_stats(x_train, x_test):
    m, s = channel_stats(np.concatenate([x_train, x_test]))
    return ((x_train - m) / s).astype("float32"), ((x_test - m) / s).astype("float32"), m, s


def per_pixel(x_train, x_test):
    m, s = x_train.mean(axis=0), x_train.std(axis=0)
    return ((x_train - m) / s).astype("float32"), ((x_test - m) / s).astype("float32"), m, s


def float64_out(x_train, x_test):
    m, s = channel_stats(x_train)
    return (x_train - m) / s, (x_test - m) / s, m, s


def in_place(x_train, x_test):
    m, s = channel_stats(x_train)
    x_test -= np.uint8(1)
    return ((x_train - m) / s).astype("float32"), ((x_test - m) / s).astype("float32"), m, s


def uint8_arithmetic(x_train, x_test):
    m, s = channel_stats(x_train)
    mu = m.astype(np.uint8)
    return ((x_train - mu) / s).astype("float32"), ((x_test - mu) / s).astype("float32"), m, s


@pytest.mark.parametrize("func, message", [
    (own_stats, "test-set leakage"), (both_stats, "both splits together"),
    (per_pixel, "is wrong"), (float64_out, "should be float32"),
    (in_place, "modified its input arrays"), (uint8_arithmetic, "is wrong"),
])
def test_standardize_mistakes_fail(func, message):
    with pytest.raises(CheckError, match=message):
        check_standardize_splits(func, X_TRAIN, X_TEST)


class Base(keras.layers.Layer):
    def __init__(self, padding=4, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.padding, self.seed_generator = padding, keras.random.SeedGenerator(seed)


class StudentCropFlip(Base):
    """A correct answer written differently from the reference: one gather with flat indices."""

    def call(self, x, training=None):
        if not training:
            return x
        p = self.padding
        n, h, w, c = ops.shape(x)
        padded = ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]])
        dy = keras.random.randint((n,), 0, 2 * p + 1, seed=self.seed_generator)
        dx = keras.random.randint((n,), 0, 2 * p + 1, seed=self.seed_generator)
        flip = keras.random.randint((n,), 0, 2, seed=self.seed_generator)
        j = ops.arange(w)[None, :]
        cols = ops.where(flip[:, None] == 1, dx[:, None] + w - 1 - j, dx[:, None] + j)
        rows = dy[:, None] + ops.arange(h)[None, :]
        out = ops.take_along_axis(padded, rows[:, :, None, None], axis=1)
        return ops.take_along_axis(out, cols[:, None, :, None], axis=2)


def test_crop_flip_correct_answers_pass():
    check_crop_flip_layer(StudentCropFlip)
    check_crop_flip_layer(StudentCropFlip, padding=2, shape=(8, 6, 2), n=300, seed=3)
    with pytest.raises(CheckError, match="inherits from dl4lib.augment.RandomCropFlip"):
        check_crop_flip_layer(type("Sub", (RandomCropFlip,), {}))


class SameOffsetForAll(Base):
    def call(self, x, training=None):
        if not training:
            return x
        p, h, w = self.padding, x.shape[1], x.shape[2]
        x = ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]])
        d = keras.random.randint((2,), 0, 2 * p + 1, seed=self.seed_generator)
        x = ops.slice(x, [0, d[0], d[1], 0], [ops.shape(x)[0], h, w, ops.shape(x)[3]])
        flip = keras.random.uniform((ops.shape(x)[0], 1, 1, 1), seed=self.seed_generator) < 0.5
        return ops.where(flip, ops.flip(x, axis=2), x)


class NumpyRandom(Base):
    def call(self, x, training=None):
        if not training:
            return x
        p = self.padding
        dy, dx = np.random.default_rng().integers(0, 2 * p + 1, size=2)
        x = ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]])
        return x[:, dy:dy + ops.shape(x)[1] - 2 * p, dx:dx + ops.shape(x)[2] - 2 * p]


class NumpyMirror(Base):
    """Correct crops, but the mirror decided with NumPy: fixed once a graph is traced."""

    def call(self, x, training=None):
        if not training:
            return x
        p = self.padding
        n, h, w, _ = ops.shape(x)
        padded = ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]])
        dy = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)
        dx = keras.random.randint((n, 1), 0, 2 * p + 1, seed=self.seed_generator)
        out = ops.take_along_axis(padded, (dy + ops.arange(h)[None])[:, :, None, None], axis=1)
        out = ops.take_along_axis(out, (dx + ops.arange(w)[None])[:, None, :, None], axis=2)
        mirror = np.random.default_rng().random((x.shape[0], 1, 1, 1)) < 0.5
        return ops.where(mirror, ops.flip(out, axis=2), out)


class ShiftsAtInference(StudentCropFlip):
    def call(self, x, training=None):
        return super().call(x, training=True)


class NeverShifts(Base):
    def call(self, x, training=None):
        return ops.flip(x, axis=2) if training else x  # mirrors every image, never shifts


class CircularShift(Base):
    def call(self, x, training=None):
        return ops.roll(x, 1, axis=1) if training else x  # not a window of the padded image


class UsesKeras(Base):
    def call(self, x, training=None):
        return keras.layers.RandomCrop(32, 32)(x, training=training)


@pytest.mark.parametrize("cls, message", [
    (SameOffsetForAll, "possible offsets occurred"),
    (NumpyRandom, "drew the same offsets|possible offsets"),
    (NumpyMirror, "compiled layer with training=True drew the same mirrors"),
    (ShiftsAtInference, "training=False"),
    (UsesKeras, "RandomCrop"),
    (NeverShifts, "possible offsets occurred"),
    (CircularShift, "not a 32x32 window of the image padded with 4 zeros"),
])
def test_crop_flip_mistakes_fail(cls, message):
    with pytest.raises(CheckError, match=message):
        check_crop_flip_layer(cls, n=200)


def test_mirror_rate_is_checked():
    with pytest.raises(CheckError, match="100% of the 50 images were mirrored"):
        check_crop_flip_layer(NeverShifts, padding=0, n=50)


def student_range_test(step, lr_min=1e-5, lr_max=10.0, num_steps=100, stop_factor=4.0, *,
                       keep_last=True):
    """Unit 10's answer as a student writes it; keep_last=False drops the loss that stopped."""
    lrs, losses, best = [], [], np.inf
    for i in range(num_steps):
        lr = lr_min * (lr_max / lr_min) ** (i / (num_steps - 1))
        loss = float(step(lr))
        if keep_last or (np.isfinite(loss) and loss <= stop_factor * best):
            lrs.append(lr)
            losses.append(loss)
        if not np.isfinite(loss) or loss > stop_factor * best:
            break
        best = min(best, loss)
    losses = np.array(losses)
    return np.array(lrs), losses, lrs[np.argmin(np.where(np.isfinite(losses), losses, np.inf))] / 10


@pytest.mark.parametrize("losses, lr_min, lr_max, num_steps, stop_factor", [
    ([5.0, 3.0, 2.0, 9.0, 1.0, 1.0], 1e-3, 10.0, 6, 4.0),
    ([3.0, 2.0, float("nan"), 1.0], 1e-5, 1.0, 4, 4.0),
    ([2.0, 1.0, 2.5, 0.5], 1e-2, 1.0, 4, 2.0),
    ([4.0, float("inf"), 1.0], 1e-6, 1e-1, 9, 4.0),
])
def test_range_test_check_keeps_unit_10s_spec(losses, lr_min, lr_max, num_steps, stop_factor):
    check_lr_range_test(student_range_test, losses, lr_min, lr_max, num_steps, stop_factor)
    with pytest.raises(CheckError, match="the returned lrs"):
        check_lr_range_test(functools.partial(student_range_test, keep_last=False), losses,
                            lr_min, lr_max, num_steps, stop_factor)
