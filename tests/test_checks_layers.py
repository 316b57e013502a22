"""Tests for dl4lib.checks.layers: the checks accept correct code and reject typical mistakes with
a message, and the dropout-layer check stays silent on stderr (nbgrader scores stderr as 0)."""

import keras
import numpy as np
import pytest
from keras import ops

from dl4lib.checks import CheckError, check_class_not_delegating
from dl4lib.checks.layers import DROPOUT_STATISTICS, check_dropout_layer, dropout_statistics
from dl4lib.dropout import Dropout

FORBIDDEN = (keras.layers.Dropout, "keras.src.layers.regularization", "dl4lib.dropout")
RATE = 0.3


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).uniform(0.5, 1.5, size=(400, 500)).astype("float32")


# ---------------------------------------------------------------- check_class_not_delegating

class GoodDropout(keras.layers.Layer):
    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return ops.where(keep, inputs / (1.0 - self.rate), ops.zeros_like(inputs))


class InheritingDropout(keras.layers.Dropout):
    pass


class WrappingDropout(keras.layers.Layer):
    def __init__(self, rate, **kwargs):
        super().__init__(**kwargs)
        self.inner = keras.layers.Dropout(rate)

    def call(self, inputs, training=False):
        return self.inner(inputs, training=training)


def test_a_layer_written_with_keras_ops_is_accepted():
    check_class_not_delegating(GoodDropout, FORBIDDEN)


def test_a_subclass_of_keras_dropout_is_rejected():
    with pytest.raises(CheckError, match="inherits from keras.src.layers.regularization"):
        check_class_not_delegating(InheritingDropout, FORBIDDEN)


def test_a_subclass_of_the_dl4lib_layer_is_rejected():
    class Sub(Dropout):
        pass

    with pytest.raises(CheckError, match="inherits from dl4lib.dropout.Dropout"):
        check_class_not_delegating(Sub, FORBIDDEN)


def test_a_layer_that_wraps_keras_dropout_is_rejected():
    with pytest.raises(CheckError, match=r"WrappingDropout.__init__ uses keras.layers.Dropout"):
        check_class_not_delegating(WrappingDropout, FORBIDDEN)


def test_a_non_class_is_rejected():
    with pytest.raises(CheckError, match="should be a class"):
        check_class_not_delegating(lambda: None, FORBIDDEN, name="MyDropout")


# ---------------------------------------------------------------- dropout statistics

class NoRescale(GoodDropout):
    def call(self, inputs, training=False):
        if not training:
            return inputs
        keep = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) >= self.rate
        return ops.where(keep, inputs, ops.zeros_like(inputs))


class RescaleAtInference(GoodDropout):
    def call(self, inputs, training=False):
        if not training:
            return inputs / (1.0 - self.rate)
        return super().call(inputs, training=True)


class IntegerSeed(GoodDropout):
    def call(self, inputs, training=False):
        if not training:
            return inputs
        keep = keras.random.uniform(ops.shape(inputs), seed=1) >= self.rate
        return ops.where(keep, inputs / (1.0 - self.rate), ops.zeros_like(inputs))


class NumpyMask(GoodDropout):
    def call(self, inputs, training=False):
        if not training:
            return inputs
        keep = np.random.default_rng().random(tuple(ops.shape(inputs))) >= self.rate
        return ops.where(keep, inputs / (1.0 - self.rate), ops.zeros_like(inputs))


class NumpyOnly(GoodDropout):
    def call(self, inputs, training=False):
        if not training:
            return inputs
        x = np.asarray(inputs)
        return np.where(np.random.default_rng().random(x.shape) >= self.rate, x / (1 - self.rate), 0)


def test_keras_dropout_statistics(x):
    stats = dropout_statistics(keras.layers.Dropout(RATE, seed=1), x, RATE)
    assert set(stats) == set(DROPOUT_STATISTICS)
    assert stats["zero_fraction"] == pytest.approx(RATE, abs=0.003)
    assert stats["kept_scale_min"] == pytest.approx(1 / (1 - RATE), rel=1e-6)
    assert stats["kept_scale_max"] == pytest.approx(1 / (1 - RATE), rel=1e-6)
    assert stats["mean_ratio"] == pytest.approx(1, abs=0.005)
    assert stats["inference_change"] == 0
    assert stats["same_mask_twice"] == stats["same_mask_in_graph"] == 0


@pytest.mark.parametrize("layer_class", [GoodDropout, Dropout])
def test_correct_layers_pass_silently(layer_class, x, capfd):
    for rate in (0.1, 0.6):
        check_dropout_layer(layer_class(rate, seed=2), keras.layers.Dropout(rate, seed=2), x, rate)
    check_dropout_layer(layer_class(0.3, seed=2), Dropout(0.3, seed=2), x.reshape(40, 50, 100), 0.3)
    assert capfd.readouterr().err == ""  # no "retracing" warning on stderr


@pytest.mark.parametrize(("layer_class", "message"), [
    (NoRescale, "the smallest y / x of a kept unit"),
    (RescaleAtInference, "the largest change max |y - x| at inference"),
    (IntegerSeed, "whether two training calls drop the same units"),
    (NumpyMask, "whether two calls of a compiled tf.function drop the same units"),
    (NumpyOnly, "failed on an input of shape (400, 500) with rate=0.3"),
])
def test_typical_mistakes_fail_with_a_message(layer_class, message, x):
    with pytest.raises(CheckError) as err:
        check_dropout_layer(layer_class(RATE, seed=2), keras.layers.Dropout(RATE, seed=2), x, RATE,
                            name="MyDropout")
    assert message in str(err.value)
    assert str(err.value).startswith("MyDropout")


def test_rate_as_keep_probability_fails_on_the_fraction_of_zeros(x):
    with pytest.raises(CheckError, match="the fraction of zeros in training"):
        check_dropout_layer(GoodDropout(1 - RATE, seed=2), keras.layers.Dropout(RATE, seed=2), x, RATE)


def test_only_the_chosen_statistics_are_compared(x):
    check_dropout_layer(IntegerSeed(RATE), keras.layers.Dropout(RATE, seed=2), x, RATE,
                        keys=("zero_fraction", "kept_scale_min", "kept_scale_max", "mean_ratio",
                              "inference_change"))


REBINDING_BN = '''
class RebindingNorm(keras.layers.Layer):
    def build(self, input_shape):
        self.moving_mean = self.add_weight(shape=(input_shape[-1],), initializer="zeros",
                                           trainable=False)

    def call(self, inputs, training=False):
        if training:
            self.moving_mean = self.moving_mean * 0.9 + ops.mean(inputs, axis=0) * 0.1
        return inputs - self.moving_mean
'''
GOOD_BN = REBINDING_BN.replace(
    "self.moving_mean = self.moving_mean * 0.9 + ops.mean(inputs, axis=0) * 0.1",
    "self.moving_mean.assign(self.moving_mean * 0.9 + ops.mean(inputs, axis=0) * 0.1)")


def _norm_layer(source):
    namespace = {"keras": keras, "ops": ops, "__name__": "__main__"}
    exec(source, namespace)  # noqa: S102 - test helper
    (cls,) = [v for k, v in namespace.items() if k.endswith("Norm")]
    layer = cls()
    layer.build((None, 3))
    return layer


def test_check_layer_steps_accepts_a_layer_that_assigns_and_catches_rebinding_in_a_graph():
    from dl4lib.checks.layers import check_layer_steps

    batches = [np.random.default_rng(i).normal(size=(4, 3)).astype("float32") for i in range(2)]
    check_layer_steps(_norm_layer(GOOD_BN), _norm_layer(GOOD_BN), batches,
                      attributes=("moving_mean",), graph=True)
    check_layer_steps(_norm_layer(REBINDING_BN), _norm_layer(GOOD_BN), batches,
                      attributes=("moving_mean",))  # eagerly the rebinding layer looks right
    with pytest.raises(CheckError, match="inside tf.function"):
        check_layer_steps(_norm_layer(REBINDING_BN), _norm_layer(GOOD_BN), batches,
                          attributes=("moving_mean",), graph=True)
