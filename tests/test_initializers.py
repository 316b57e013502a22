"""Tests for dl4lib.initializers: formulas, statistics against keras.initializers, bad input."""

import functools
import math

import numpy as np
import pytest

from dl4lib import initializers as init
from dl4lib.utils import set_seed

SHAPE = (30, 70)  # fan_in = 30, fan_out = 70: every rule gives a different scale
BIG = (400, 600)  # 240,000 samples: sample variances within ~0.6% (two standard errors)

# name -> the variance of the rule for (fan_in, fan_out)
VARIANCE = {
    "glorot": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),
    "he": lambda fan_in, fan_out: 2.0 / fan_in,
    "lecun": lambda fan_in, fan_out: 1.0 / fan_in,
}
# name -> the uniform bound L of the rule, written out as in the papers
BOUND = {
    "glorot": lambda fan_in, fan_out: math.sqrt(6.0 / (fan_in + fan_out)),
    "he": lambda fan_in, fan_out: math.sqrt(6.0 / fan_in),
    "lecun": lambda fan_in, fan_out: math.sqrt(3.0 / fan_in),
}
KERAS_CLASS = {"glorot": "Glorot", "he": "He", "lecun": "Lecun"}


def test_compute_fans_of_dense_kernel_is_its_shape():
    assert init.compute_fans((3, 5)) == (3, 5)


@pytest.mark.parametrize("rule", sorted(BOUND))
def test_uniform_rule_is_uniform_with_its_bound(rule):
    limit = BOUND[rule](*SHAPE)
    got = getattr(init, f"{rule}_uniform")(SHAPE, seed=4)
    np.testing.assert_array_equal(got, init.uniform(SHAPE, -limit, limit, seed=4))
    assert got.shape == SHAPE


@pytest.mark.parametrize("rule", sorted(VARIANCE))
def test_normal_rule_is_truncated_normal_rescaled_to_its_std(rule):
    std = math.sqrt(VARIANCE[rule](*SHAPE))
    got = getattr(init, f"{rule}_normal")(SHAPE, seed=4)
    expected = init.truncated_normal(SHAPE, stddev=std / init.TRUNCATED_STD, seed=4)
    np.testing.assert_array_equal(got, expected)
    assert np.abs(got).max() <= 2 * std / init.TRUNCATED_STD


def test_truncated_std_is_std_of_normal_truncated_at_two():
    pdf2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    mass = math.erf(2 / math.sqrt(2))  # P(|z| <= 2)
    assert init.TRUNCATED_STD == pytest.approx(math.sqrt(1 - 2 * 2 * pdf2 / mass), rel=1e-12)


def test_truncated_normal_stays_within_two_stddev_and_shrinks_std():
    w = init.truncated_normal(BIG, mean=1.0, stddev=0.5, seed=0)
    assert np.abs(w - 1.0).max() <= 1.0
    assert w.mean() == pytest.approx(1.0, abs=0.005)
    assert w.std() == pytest.approx(0.5 * init.TRUNCATED_STD, rel=0.01)


@pytest.mark.parametrize("distribution", ["uniform", "normal"])
@pytest.mark.parametrize("rule", sorted(VARIANCE))
def test_rule_has_its_variance_like_keras(rule, distribution):
    import keras

    expected = VARIANCE[rule](*BIG)
    ours = getattr(init, f"{rule}_{distribution}")(BIG, seed=1)
    keras_init = getattr(keras.initializers, f"{KERAS_CLASS[rule]}{distribution.title()}")(seed=1)
    theirs = np.asarray(keras_init(BIG), dtype=float)
    assert ours.var() == pytest.approx(expected, rel=0.02)
    assert theirs.var() == pytest.approx(expected, rel=0.02)
    assert ours.mean() == pytest.approx(0.0, abs=0.01 * math.sqrt(expected))
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=0.01)


def test_zeros_and_constant_fill_the_shape():
    np.testing.assert_array_equal(init.zeros(4), np.zeros(4))
    np.testing.assert_array_equal(init.constant((2, 3), 0.1), np.full((2, 3), 0.1))


def test_normal_and_uniform_have_requested_moments():
    w = init.normal(BIG, mean=0.5, stddev=2.0, seed=0)
    assert (w.mean(), w.std()) == pytest.approx((0.5, 2.0), rel=0.01)
    u = init.uniform(BIG, minval=1.0, maxval=3.0, seed=0)
    assert u.min() >= 1.0 and u.max() < 3.0
    assert u.var() == pytest.approx(4 / 12, rel=0.01)


def test_same_seed_gives_same_weights_and_other_seed_other_weights():
    np.testing.assert_array_equal(init.he_normal(SHAPE, seed=3), init.he_normal(SHAPE, seed=3))
    assert not np.array_equal(init.he_normal(SHAPE, seed=3), init.he_normal(SHAPE, seed=4))


def test_unseeded_call_is_reproduced_by_set_seed():
    set_seed(11)
    first = init.glorot_uniform(SHAPE)
    set_seed(11)
    np.testing.assert_array_equal(init.glorot_uniform(SHAPE), first)


def test_a_generator_seed_draws_fresh_weights_each_call():
    rng = np.random.default_rng(0)
    first = init.lecun_normal(SHAPE, seed=rng)
    assert not np.array_equal(init.lecun_normal(SHAPE, seed=rng), first)


@pytest.mark.parametrize("name", sorted(init.INITIALIZERS))
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (0, 3), (3, -1), "ab", (2.0, 3)])
def test_fan_based_rule_rejects_shape_that_is_not_a_positive_2d_kernel(name, shape):
    with pytest.raises(ValueError, match="argument `shape`"):
        init.INITIALIZERS[name](shape)


@pytest.mark.parametrize("make", [init.zeros, functools.partial(init.constant, value=1.0),
                                  init.normal, init.uniform, init.truncated_normal])
def test_plain_initializer_rejects_negative_size(make):
    with pytest.raises(ValueError, match=r"Received: shape=\(2, -1\)"):
        make((2, -1))


def test_bad_scale_arguments_raise():
    with pytest.raises(ValueError, match="argument `stddev`"):
        init.normal(SHAPE, stddev=-1.0)
    with pytest.raises(ValueError, match="argument `stddev`"):
        init.truncated_normal(SHAPE, stddev=-1.0)
    with pytest.raises(ValueError, match=r"`maxval`. Expected a float value >= minval=1. "
                                         r"Received: maxval=0.0"):
        init.uniform(SHAPE, minval=1.0, maxval=0.0)


def test_get_returns_named_rule_or_the_callable():
    assert init.get("he_uniform") is init.he_uniform
    small = functools.partial(init.normal, stddev=0.01)
    assert init.get(small) is small


def test_get_rejects_unknown_name():
    with pytest.raises(ValueError, match="initializer='xavier'"):
        init.get("xavier")


@pytest.mark.parametrize("slope, same_as", [(0.0, "he_normal"), (1.0, "lecun_normal")])
def test_leaky_he_normal_reduces_to_he_and_lecun(slope, same_as):
    np.testing.assert_array_equal(init.leaky_he_normal(SHAPE, slope, seed=5),
                                  getattr(init, same_as)(SHAPE, seed=5))


@pytest.mark.parametrize("slope", [0.1, 0.5, 2.0])
def test_leaky_he_normal_variance_keeps_leaky_relu_signal(slope):
    w = init.leaky_he_normal(BIG, slope, seed=1)
    assert w.dtype == np.float64 and w.shape == BIG
    assert w.var() == pytest.approx(2.0 / ((1 + slope**2) * BIG[0]), rel=0.02)
    # Twenty square leaky-ReLU layers multiply E[h^2] by a factor per layer that is 1 up to the
    # finite-width noise (a few percent for one network): averaged over six networks.
    factors = []
    for seed in range(6):
        h = np.random.default_rng(seed).standard_normal((500, 300))
        moments = []
        for layer in range(20):
            h = h @ init.leaky_he_normal((300, 300), slope, seed=100 * seed + layer)
            h = np.where(h > 0, h, slope * h)
            moments.append(np.mean(h**2))
        factors.append((moments[-1] / moments[0]) ** (1 / 19))
    assert np.mean(factors) == pytest.approx(1.0, abs=0.02)
