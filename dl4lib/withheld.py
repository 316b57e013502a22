"""Reference answers withheld from students: replay of the values recorded at release.

An instructor who grades for credit builds a private release (`python -m tools.private`, see the
README): the student's package is this library with the body of every withheld reference function
replaced by a call to `replay`, and with the values those functions returned while the public
tests of the release notebooks ran at build time (`withheld.pkl`, next to this module). The
public tests then work as before on exactly the inputs they use; the reference code itself, the
hidden tests and their inputs are not in the package. The instructor grades with the full library.

A call is identified by `call_key`: the function's module and name and a digest of its bound
arguments (arrays and TensorFlow tensors by dtype, shape and bytes; numbers by type and value;
library functions passed as arguments by their qualified name). A call that assigns tf.Variables
among its arguments (an optimizer's step) is replayed by assigning the recorded values. A call
that was not recorded, and is not within 1e-9 of one that was (a student's code may compute an
input with other rounding), raises a `CheckError` saying the value is computed only when the
instructor grades.
"""

import copy
import dataclasses
import functools
import hashlib
import math
import pickle
from pathlib import Path

import numpy as np

RECORDINGS = Path(__file__).with_name("withheld.pkl")
"""The recorded calls: {(module, name): {digest: `Call`}}; only in a private release's package."""

_TOLERANCE = 1e-9


class Unkeyable(TypeError):
    """An argument that a call key cannot describe (a Keras object, an open file, ...)."""


@dataclasses.dataclass(frozen=True)
class Tensor:
    """A TensorFlow tensor's or variable's value, stored without TensorFlow."""

    value: np.ndarray
    variable: bool = False


@dataclasses.dataclass(frozen=True)
class Call:
    """One recorded call, every TensorFlow value stored as a `Tensor`.

    Attributes:
        arguments: the bound arguments at entry (a dict).
        outcome: ("return", value) or ("raise", error).
        effects: ((path, value), ...): the tf.Variables among the arguments that the call
            assigned, by their path (argument name, then dict keys or indices), and their values
            afterwards.
    """

    arguments: dict
    outcome: tuple
    effects: tuple = ()


def _is_tensorflow(value):
    """Whether `value` is a TensorFlow tensor or variable (eager or symbolic)."""
    return type(value).__module__.startswith("tensorflow") and hasattr(value, "dtype")


def _canonical(value, variables=True):
    """A hashable, exact description of an argument value (tf.Variables by their type alone
    with `variables=False`)."""
    if value is None or isinstance(value, (bool, str)):
        return (type(value).__name__, value)
    if isinstance(value, (int, float, np.number)):
        return (type(value).__name__, repr(value))
    if _is_tensorflow(value):
        if not variables and hasattr(value, "assign"):
            return ("variable", value.dtype.name, tuple(value.shape))
        try:
            value = np.asarray(value.numpy())
        except Exception:  # noqa: BLE001 - a symbolic tensor (inside tf.function) has no value
            raise Unkeyable("a symbolic tensor") from None
        return ("tensor", _canonical(value))
    if isinstance(value, Tensor):
        return ("tensor", _canonical(value.value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise Unkeyable(f"an array of dtype {value.dtype}")
        return ("ndarray", value.dtype.str, value.shape,
                hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest())
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_canonical(v, variables) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _canonical(v, variables)) for k, v in sorted(value.items())))
    module = getattr(value, "__module__", None) or ""
    if (callable(value) and hasattr(value, "__qualname__") and "<" not in value.__qualname__
            and module.split(".")[0] in ("dl4lib", "numpy")):
        return ("callable", module, value.__qualname__)  # a library function, by its name
    raise Unkeyable(f"a {type(value).__name__} that is not a function of dl4lib or NumPy")


def call_key(arguments, variables=True):
    """The digest of a call's bound arguments (a dict name -> value, as `locals()` at entry)."""
    text = repr(tuple((k, _canonical(v, variables)) for k, v in sorted(arguments.items())))
    return hashlib.sha256(text.encode()).hexdigest()


def plain(value):
    """A copy of `value` with every TensorFlow tensor or variable replaced by a `Tensor`."""
    if _is_tensorflow(value):
        return Tensor(np.array(value.numpy()), variable=hasattr(value, "assign"))
    if isinstance(value, (tuple, list)):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return copy.deepcopy(value)


def variables(value, path=()):
    """(path, variable) for every tf.Variable in `value` (nested in tuples, lists, dicts)."""
    if _is_tensorflow(value) and hasattr(value, "assign"):
        yield path, value
    elif isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from variables(v, (*path, i))
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from variables(v, (*path, k))


def _restore(value):
    """`value` with every `Tensor` made a TensorFlow tensor (or variable) again."""
    if isinstance(value, Tensor):
        import tensorflow as tf

        return tf.Variable(value.value) if value.variable else tf.constant(value.value)
    if isinstance(value, (tuple, list)):
        return type(value)(_restore(v) for v in value)
    if isinstance(value, dict):
        return {k: _restore(v) for k, v in value.items()}
    return value


def _close(a, b):
    """Whether two argument values are equal, numbers and arrays within `_TOLERANCE`."""
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        a, b = a.value, b.value
    if isinstance(b, np.ndarray) or isinstance(a, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return (a.shape == b.shape and a.dtype == b.dtype
                and bool(np.allclose(a, b, rtol=_TOLERANCE, atol=_TOLERANCE, equal_nan=True)))
    if isinstance(b, float) and isinstance(a, float):
        return math.isclose(a, b, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE) or a == b
    if isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_close, a, b))
    if isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in b)
    try:
        return _canonical(a) == _canonical(b)
    except Unkeyable:
        return False


def withheld(fn):
    """Mark a stub of the private package as withheld (`checks.delegation.isolated` asks)."""
    fn.__withheld__ = True
    return fn


@functools.cache
def _not_recorded():
    from dl4lib.checks.errors import CheckError

    class NotRecorded(CheckError):
        """A withheld reference was called on inputs that were not recorded."""

    NotRecorded.__module__ = __name__
    return NotRecorded


def __getattr__(name):
    """`NotRecorded`, a `CheckError` made on first use: importing `dl4lib.checks` here, when a
    stubbed module is imported, would be circular."""
    if name == "NotRecorded":
        return _not_recorded()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_loaded = None


def _recordings():
    global _loaded
    if _loaded is None:
        with open(RECORDINGS, "rb") as f:
            _loaded = pickle.load(f)
    return _loaded


def _find(calls, arguments):
    try:
        found = calls.get(call_key(arguments))
        if found is None:
            arguments = plain(arguments)
            found = next((c for c in calls.values() if _close(arguments, c.arguments)), None)
        return found
    except Unkeyable:
        return None
    except Exception:  # noqa: BLE001 - e.g. a symbolic tensor: no recorded value can match
        return None


def replay(module, name, arguments):
    """Do what `module.name` did for these arguments when the release was built.

    Assigns the recorded values to the tf.Variables the call changed, then returns (or raises)
    what it returned (or raised).

    Args:
        module, name: the withheld function (`__name__` and its name, as the stub passes them).
        arguments: its bound arguments, `locals()` at the start of the stub.

    Raises:
        NotRecorded: a `CheckError`: the call was not recorded (nor one within 1e-9 of it).
    """
    found = _find(_recordings().get((module, name), {}), arguments)
    if found is None:
        raise _not_recorded()(
            f"{module}.{name} is withheld in this course: the public tests can use it only on the "
            f"inputs they were released with, and this call passed others. This part is checked "
            f"when your instructor grades your notebook.")
    for path, value in found.effects:
        target = arguments
        for key in path:
            target = target[key]
        target.assign(value.value)
    kind, value = copy.deepcopy(found.outcome)  # a fresh copy: callers may change it
    if kind == "raise":
        raise value
    return _restore(value)
