"""Argument validation with Keras-style messages, for every module of the library.

One message format, as in Keras' layers (`keras/src/utils/argument_validation.py`):
"Invalid value received for argument `rate`. Expected a float value in [0, 1). Received:
rate=1.5". A check returns the value converted (a float, a tuple of ints), so a caller writes

    self.rate = check_number("rate", rate, low=0.0, high=1.0, high_open=True)

A condition that no check covers raises `invalid_argument(name, expected, value)`, so the format
is written here only. The module imports no NumPy: `check_array_shape` reads an array's `.shape`.
"""

import math
import numbers


def invalid_argument(name, expected, value, *, attribute=None):
    """Return the ValueError for argument `name`, to raise: "... Expected {expected}. Received: ...".

    Args:
        name: the argument's name.
        expected: what the argument should be, a phrase such as "a non-empty str".
        value: what was received; a str is shown quoted, anything else as `str(value)`.
        attribute: show `value` as this attribute of the argument, e.g. "shape" for
            "Received: x.shape=(3,)".
    """
    shown = f"{name}.{attribute}" if attribute else name
    value = repr(value) if isinstance(value, str) else value
    return ValueError(f"Invalid value received for argument `{name}`. Expected {expected}. "
                      f"Received: {shown}={value}")


def _bound(x):
    """A bound as text: a number, or ("name", value) for another argument: "name=value"."""
    if isinstance(x, tuple):
        return f"{x[0]}={_bound(x[1])}"
    return f"{x:g}" if isinstance(x, float) else str(x)


def check_number(name, value, *, low=None, high=None, low_open=False, high_open=False,
                 integer=False):
    """Return `value` as a float (an int with `integer=True`), or raise ValueError naming it.

    Accepts a finite real number (Python or NumPy scalar) within the bounds; rejects bools, nan,
    infinities, strings, arrays. A positive number is `low=0, low_open=True`.

    Args:
        name: the argument's name, for the message.
        value: what the caller passed.
        low, high: bounds, None for none; `low_open` / `high_open` exclude them. A bound that
            is another argument is given as (its name, its value), so the message names it:
            `check_number("lr_max", lr_max, low=("lr_min", lr_min), low_open=True)`.
        integer: demand an integer (an int or an integral NumPy scalar).
    """
    low_text, high_text = low, high
    low = low[1] if isinstance(low, tuple) else low
    high = high[1] if isinstance(high, tuple) else high
    number = isinstance(value, numbers.Integral if integer else numbers.Real)
    if number and not isinstance(value, bool) and (integer or math.isfinite(value)) and (
            low is None or value > low or value == low and not low_open) and (
            high is None or value < high or value == high and not high_open):
        return int(value) if integer else float(value)
    kind = "an integer value" if integer else "a float value"
    if number and not integer and not math.isfinite(value):
        kind = "a finite float value"  # nan and inf pass no bound, so say why
    left = "(" if low_open else "["
    right = ")" if high_open else "]"
    if low is not None and high is not None:
        expected = f"{kind} in {left}{_bound(low_text)}, {_bound(high_text)}{right}"
    elif low is not None:
        expected = f"{kind} {'>' if low_open else '>='} {_bound(low_text)}"
    elif high is not None:
        expected = f"{kind} {'<' if high_open else '<='} {_bound(high_text)}"
    else:
        expected = kind if integer else "a finite float value"
    raise invalid_argument(name, expected, value)


def check_one_of(name, value, options):
    """Return `value` if it is one of `options`, else raise ValueError listing them."""
    if value not in options:
        raise invalid_argument(name, f"one of {', '.join(map(repr, options))}", value)
    return value


def check_shape(name, value, *, ndim=None, allow_zero=False, allow_none=False):
    """Return the shape argument `value` as a tuple of ints, else raise ValueError naming it.

    Accepts any iterable of ints (Python or NumPy) but a str.

    Args:
        name: the argument's name.
        value: the shape passed, e.g. (fan_in, fan_out).
        ndim: the number of entries demanded, None for any.
        allow_zero: accept sizes 0 (an empty array), not only positive ones.
        allow_none: accept None entries (a size left free), kept as None.
    """
    count = "any number of" if ndim is None else str(ndim)
    sizes = "non-negative" if allow_zero else "positive"
    expected = f"a tuple of {count} {sizes} ints{' or None' if allow_none else ''}"
    try:
        shape = None if isinstance(value, str) else tuple(value)
    except TypeError:
        shape = None
    if shape is None or (ndim is not None and len(shape) != ndim):
        raise invalid_argument(name, expected, value)
    for d in shape:
        if d is None and allow_none:
            continue
        if (not isinstance(d, numbers.Integral) or isinstance(d, bool)
                or d < (0 if allow_zero else 1)):
            raise invalid_argument(name, expected, value)
    return tuple(None if d is None else int(d) for d in shape)


def _format_shape(shape):
    return f"({', '.join(map(str, shape))}{',' if len(shape) == 1 else ''})"


def check_array_shape(name, array, shape, *, non_empty=False):
    """Return `array` if its shape matches `shape`, else raise ValueError naming `name.shape`.

    The array is not converted: pass a NumPy array (`np.asarray(x, dtype=np.float64)`) or a
    tensor, anything with a `.shape`.

    Args:
        name: the argument's name.
        array: the array to check.
        shape: the expected shape, a tuple whose entries are an int (that size) or a str (any
            size, named in the message), e.g. ("N", "D") or (x.shape[0],).
        non_empty: also demand at least one entry.

    Example: `check_array_shape("y", y, (len(x),))` raises "Invalid value received for argument `y`.
    Expected an array of shape (100,). Received: y.shape=(99,)".
    """
    expected = f"a{' non-empty' if non_empty else 'n'} array of shape {_format_shape(shape)}"
    actual = tuple(array.shape)
    if (len(actual) != len(shape)
            or any(not isinstance(want, str) and got != want
                   for got, want in zip(actual, shape, strict=True))
            or non_empty and math.prod(actual) == 0):
        raise invalid_argument(name, expected, actual, attribute="shape")
    return array
