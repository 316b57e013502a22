"""Argument validation with Keras-style messages, for every module of the library.

One message format, as in Keras' layers (`keras/src/utils/argument_validation.py`):
"Invalid value received for argument `rate`. Expected a float value in [0, 1). Received:
rate=1.5". A check returns the value converted (a float, a tuple of ints), so a caller writes

    self.rate = check_number("rate", rate, low=0.0, high=1.0, high_open=True)
"""

import numbers


def _invalid(name, expected, value):
    return ValueError(f"Invalid value received for argument `{name}`. Expected {expected}. "
                      f"Received: {name}={value}")


def check_number(name, value, *, low=None, high=None, low_open=False, high_open=False,
                 integer=False):
    """Return `value` as a float (an int with `integer=True`), or raise ValueError naming it.

    Args:
        name: the argument's name, for the message.
        value: what the caller passed; a bool is not a number here.
        low, high: bounds, None for none; `low_open` / `high_open` exclude them.
        integer: demand an integer (an int or an integral NumPy scalar).
    """
    kind = numbers.Integral if integer else numbers.Real
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    if low is not None and high is not None:
        expected = f"a{'n integer' if integer else ' float'} value in {left}{low:g}, {high:g}{right}"
    elif low is not None:
        expected = (f"a{'n integer' if integer else ' float'} value "
                    f"{'>' if low_open else '>='} {low:g}")
    elif high is not None:
        expected = (f"a{'n integer' if integer else ' float'} value "
                    f"{'<' if high_open else '<='} {high:g}")
    else:
        expected = "an integer" if integer else "a float value"
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _invalid(name, expected, value)
    if low is not None and (value < low or low_open and value == low):
        raise _invalid(name, expected, value)
    if high is not None and (value > high or high_open and value == high):
        raise _invalid(name, expected, value)
    return int(value) if integer else float(value)


def check_one_of(name, value, options):
    """Return `value` if it is one of `options`, else raise ValueError listing them."""
    if value not in options:
        raise _invalid(name, f"one of {', '.join(map(repr, options))}", value)
    return value


def check_shape(name, value, *, ndim=None):
    """Return `value` as a tuple of positive ints (of length `ndim` if given), else raise."""
    expected = f"a tuple of {ndim if ndim is not None else 'any number of'} positive ints"
    try:
        shape = tuple(value)
    except TypeError:
        raise _invalid(name, expected, value) from None
    if (ndim is not None and len(shape) != ndim) or not all(
            isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1 for d in shape):
        raise _invalid(name, expected, value)
    return tuple(int(d) for d in shape)
