"""Reference answers withheld from students: replay of the values recorded at release.

An instructor who grades for credit builds a private release (`python -m tools.private`, see the
README): the student's package is this library with the body of every withheld reference function
replaced by a call to `replay`, and with the values those functions returned while the public
tests of the release notebooks ran at build time (`withheld.pkl`, next to this module). The
public tests then work as before on exactly the inputs they use; the reference code itself, the
hidden tests and their inputs are not in the package. The instructor grades with the full library.

A call is identified by `call_key`: the function's module and name and a digest of its bound
arguments (arrays by dtype, shape and bytes; numbers by type and value; library functions passed
as arguments by their qualified name). A call that was not recorded, and is not within 1e-9 of one
that was (a student's code may compute an input with other rounding), raises a `CheckError`
saying the value is computed only when the instructor grades.
"""

import functools
import hashlib
import math
import pickle
from pathlib import Path

import numpy as np

RECORDINGS = Path(__file__).with_name("withheld.pkl")
"""The recorded calls: {(module, name): {digest: (arguments, ("return", value) or ("raise",
error))}}; present only in a private release's package."""

_TOLERANCE = 1e-9


class Unkeyable(TypeError):
    """An argument that a call key cannot describe (a Keras object, an open file, ...)."""


def _canonical(value):
    """A hashable, exact description of an argument value."""
    if value is None or isinstance(value, (bool, str)):
        return (type(value).__name__, value)
    if isinstance(value, (int, float, np.number)):
        return (type(value).__name__, repr(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biufc":
            raise Unkeyable(f"an array of dtype {value.dtype}")
        return ("ndarray", value.dtype.str, value.shape,
                hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest())
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, tuple(_canonical(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((k, _canonical(v)) for k, v in sorted(value.items())))
    module = getattr(value, "__module__", None) or ""
    if (callable(value) and hasattr(value, "__qualname__") and "<" not in value.__qualname__
            and module.split(".")[0] in ("dl4lib", "numpy")):
        return ("callable", module, value.__qualname__)  # a library function, by its name
    raise Unkeyable(f"a {type(value).__name__} that is not a function of dl4lib or NumPy")


def call_key(arguments):
    """The digest of a call's bound arguments (a dict name -> value, as `locals()` at entry)."""
    text = repr(tuple((k, _canonical(v)) for k, v in sorted(arguments.items())))
    return hashlib.sha256(text.encode()).hexdigest()


def _close(a, b):
    """Whether two argument values are equal, numbers and arrays within `_TOLERANCE`."""
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


def replay(module, name, arguments):
    """Return the value `module.name` returned for these arguments when the release was built.

    Args:
        module, name: the withheld function (`__name__` and its name, as the stub passes them).
        arguments: its bound arguments, `locals()` at the start of the stub.

    Raises:
        NotRecorded: a `CheckError`: the call was not recorded (nor one within 1e-9 of it).
    """
    calls = _recordings().get((module, name), {})
    try:
        found = calls.get(call_key(arguments))
    except Unkeyable:
        found = None
    if found is None:
        found = next((c for c in calls.values() if _close(arguments, c[0])), None)
    if found is None:
        raise _not_recorded()(
            f"{module}.{name} is withheld in this course: the public tests can use it only on the "
            f"inputs they were released with, and this call passed others. This part is checked "
            f"when your instructor grades your notebook.")
    kind, value = pickle.loads(pickle.dumps(found[1]))  # a fresh copy: callers may change it
    if kind == "raise":
        raise value
    return value
