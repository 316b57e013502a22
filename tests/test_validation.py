"""dl4lib._validation: one Keras-style message for every invalid argument."""

import numpy as np
import pytest

from dl4lib._validation import check_number, check_one_of, check_shape


def test_a_rate_in_a_half_open_interval():
    assert check_number("rate", np.float32(0.25), low=0.0, high=1.0, high_open=True) == 0.25
    assert isinstance(check_number("rate", 0, low=0.0, high=1.0, high_open=True), float)
    for bad in (1.0, -0.1, True, "0.5", None):
        with pytest.raises(ValueError) as err:
            check_number("rate", bad, low=0.0, high=1.0, high_open=True)
        assert str(err.value).startswith("Invalid value received for argument `rate`. Expected a "
                                         "float value in [0, 1). Received: rate=")


def test_integers_and_one_sided_bounds():
    assert check_number("steps", np.int64(3), low=1, integer=True) == 3
    with pytest.raises(ValueError, match=r"Expected an integer value >= 1. Received: steps=0"):
        check_number("steps", 0, low=1, integer=True)
    with pytest.raises(ValueError, match=r"Expected a float value > 0. Received: lr=0"):
        check_number("lr", 0, low=0, low_open=True)


def test_options_and_shapes():
    assert check_one_of("mode", "fan_in", ("fan_in", "fan_out")) == "fan_in"
    with pytest.raises(ValueError, match=r"Expected one of 'fan_in', 'fan_out'. Received: mode=x"):
        check_one_of("mode", "x", ("fan_in", "fan_out"))
    assert check_shape("shape", [3, np.int64(4)], ndim=2) == (3, 4)
    for bad in ((3,), (0, 4), 5, (2.0, 3)):
        with pytest.raises(ValueError, match="Invalid value received for argument `shape`"):
            check_shape("shape", bad, ndim=2)
