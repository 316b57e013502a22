"""dl4lib.hyperparams: the log-uniform sampler."""

import numpy as np
import pytest

from dl4lib.hyperparams import log_uniform


def test_log_uniform_draws_one_uniform_per_sample():
    got = log_uniform(np.random.default_rng(5), 1e-4, 1e-1, size=(3, 4))
    u = np.random.default_rng(5).random((3, 4))
    np.testing.assert_allclose(got, 1e-4 * 1000.0 ** u, rtol=1e-12)
    assert isinstance(log_uniform(np.random.default_rng(0), 1.0, 2.0), float)


def test_log_uniform_is_uniform_in_the_log():
    x = log_uniform(np.random.default_rng(0), 1e-5, 1e-1, size=100_000)
    assert x.min() >= 1e-5 and x.max() <= 1e-1
    counts = np.histogram(np.log10(x), bins=4, range=(-5, -1))[0]
    assert np.all(np.abs(counts / 25_000 - 1) < 0.03)  # each decade equally likely


@pytest.mark.parametrize("low, high, message", [(0.0, 1.0, "low=0.0"), (1e-2, 1e-3, "high=0.001")])
def test_log_uniform_rejects_bad_ranges(low, high, message):
    with pytest.raises(ValueError, match=message):
        log_uniform(np.random.default_rng(0), low, high)
