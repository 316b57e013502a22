"""Core comparison: run a student's function like the reference and compare what it returns.

A check compares what a student computed with a reference and, on failure, raises a `CheckError`
whose message a student can act on: which input, the expected value, what they returned, the size
of the error and a hint. nbgrader scores each test cell on its own, so a failing check costs the
points of that cell and nothing else.

    check_function(sigmoid, reference.sigmoid, cases=[np.array([-1000.0, 0.0, 3.0])],
                   hint="exp(-x) overflows for large negative x.")

What `check_function` holds a student's function to, in this order:

1. it does not name the library version of the same thing (`delegation.forbidden_calls`);
2. it runs without an error, with NumPy's floating-point errors raised (`strict`), and calls no
   forbidden code while it runs (`delegation.watch_calls`), with the earlier exercises it builds on
   replaced by their references (`isolate`);
3. it leaves its inputs unchanged (every argument is compared with a pristine copy afterwards;
   `mutable` names the ones the spec lets it change);
4. it returns what the reference returns (`check_array`): the same container (an array where the
   reference returns an array, a tuple where it returns a tuple), the same kind of numbers (floats
   where the reference returns floats, integers where it returns integers; `dtype` demands an
   exact dtype), the same shape, and values within the tolerances. A float32 result is accepted
   where the spec allows any float: the tolerances are then at least `FLOAT_ULPS` units in the
   last place of the result's dtype (about 4e-6 relative for float32).

The reference runs only after the student's function has returned, on its own copy of the inputs.

Warnings and stderr output of the student's code are caught while it runs inside a check and
reported on stdout as a note: nbgrader scores a test cell that writes to stderr as 0 without a
reason, and a deprecation warning must not cost a correct answer its points.
"""

import contextlib
import copy
import io
import logging
import numbers
import re
import warnings

import numpy as np

from dl4lib.checks.delegation import (
    check_not_delegating,
    default_forbidden,
    isolated,
    watch_calls,
)
from dl4lib.checks.errors import CheckError, fail, is_stub, not_implemented

FLOAT_ULPS = 32
"""Float results are compared with tolerances of at least this many units in the last place."""

_FLOAT_ERRORS = {
    "overflow": "a value too large for a float (for example np.exp of a large number)",
    "divide": "a division by zero",
    "invalid": "an undefined value (0/0, inf - inf, the square root or log of a negative "
               "number, ...)",
    "underflow": "a value too close to zero for a float",
}


def _fmt(value, limit=8):
    """Short, readable text for an input or output value."""
    if isinstance(value, np.ndarray) or hasattr(value, "numpy"):
        arr = np.asarray(value)
        with np.printoptions(precision=6, threshold=limit, edgeitems=3, suppress=False):
            text = np.array2string(arr, separator=", ")
        return text if arr.ndim == 0 else f"{text} (shape {arr.shape})"
    if isinstance(value, (tuple, list)) and any(isinstance(v, np.ndarray) for v in value):
        inner = ", ".join(_fmt(v, limit) for v in value)
        return f"({inner})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


def _call_text(name, args, kwargs=None):
    parts = [_fmt(a) for a in args] + [f"{k}={_fmt(v)}" for k, v in (kwargs or {}).items()]
    return f"{name}({', '.join(parts)})"


def check_array(got, expected, *, name="your result", input_desc="", atol=1e-8, rtol=1e-6,
                hint="", dtype=None):
    """Check that an array-like `got` equals `expected` within |got - exp| <= atol + rtol |exp|.

    Args:
        got: what the student computed (array-like or number).
        expected: the reference value. Its container is part of the spec: an array (of at least
            one dimension) must be answered with an array (or a tensor), a tuple with a tuple.
        name: what is being checked, for the message ("sigmoid(x)").
        input_desc: the input that produced `got`, for the message ("x = [...]").
        atol, rtol: absolute and relative tolerance, as in `np.allclose`, for float64 results;
            for a result of a less precise float dtype each is at least `FLOAT_ULPS` units in the
            last place of that dtype (relative, and absolute times max(1, max |expected|)).
        hint: one sentence that helps fix the most likely mistake.
        dtype: None to accept any float where `expected` holds floats (and any integer where it
            holds integers); a dtype (np.float64) to demand exactly that one.
    """
    where = f" for {input_desc}" if input_desc else ""
    head = f"{name} is wrong{where}."
    if got is None:
        fail([head, "  got None: did you forget `return`?"], hint)
    _check_container(got, expected, head, hint)
    if isinstance(expected, (list, tuple)) and any(isinstance(e, np.ndarray) for e in expected):
        if len(got) != len(expected):
            fail([head, f"  expected {len(expected)} arrays, got {len(got)}"], hint)
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            check_array(g, e, name=f"{name}[{i}]", input_desc=input_desc, atol=atol, rtol=rtol,
                        hint=hint, dtype=dtype)
        return
    expected_raw = expected
    expected = np.asarray(expected)
    try:
        got_arr = np.asarray(got)
        if got_arr.dtype.kind == "O" and expected.dtype.kind in "biuf":
            got_arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError) as err:
        fail([head, f"  expected an array like {_fmt(expected)}", f"  got {got!r} ({err})"], hint)
    if got_arr.shape != expected.shape:
        fail([head, f"  expected shape {expected.shape}, got shape {got_arr.shape}",
              f"  expected: {_fmt(expected)}", f"  got:      {_fmt(got_arr)}"], hint)
    _check_kind(got_arr, expected, head, hint, dtype)
    if expected.dtype.kind in "biuf" and got_arr.dtype.kind in "biuf":
        atol, rtol = _tolerances(got_arr, expected, atol, rtol)
        exp_f = expected.astype(np.float64)
        got_f = got_arr.astype(np.float64)
        ok = np.isclose(got_f, exp_f, atol=atol, rtol=rtol, equal_nan=True)
        if ok.all():
            return
        with np.errstate(all="ignore"):
            abs_err = np.abs(got_f - exp_f)
            rel_err = abs_err / np.abs(exp_f)
        bad = np.flatnonzero(~ok.ravel())
        first = np.unravel_index(bad[0], ok.shape) if ok.ndim else ()
        lines = [head,
                 f"  expected: {_fmt(expected)}",
                 f"  got:      {_fmt(got_arr)}",
                 f"  {bad.size} of {ok.size} values differ; max abs error "
                 f"{_max_error(abs_err, ~ok)}, max rel error {_max_error(rel_err, ~ok & (exp_f != 0))} "
                 f"(allowed: {atol:.3g} + {rtol:.3g} * |expected|)"]
        if ok.ndim:
            lines.append(f"  first wrong value at index {tuple(int(i) for i in first)}: "
                         f"expected {exp_f[first]:.8g}, got {got_f[first]:.8g}")
        if not np.isfinite(got_f).all() and np.isfinite(exp_f).all():
            lines.append("  your result contains nan or inf")
        fail(lines, hint)
    if not np.array_equal(got_arr, expected):
        fail([head, f"  expected: {_fmt(expected_raw)}", f"  got:      {_fmt(got)}"], hint)


def _check_container(got, expected, head, hint):
    """An array answered with a list, or a tuple with a list, is a wrong type, not a close value."""
    got_is_array = isinstance(got, np.ndarray) or hasattr(got, "numpy")
    if isinstance(expected, np.ndarray) and expected.ndim > 0 and not got_is_array:
        fail([head, f"  expected a NumPy array of shape {expected.shape}, got a "
              f"{type(got).__name__}: {_fmt(got)}",
              "  Return an array (np.array(...) or the result of NumPy operations)."], hint)
    if isinstance(expected, list) and not isinstance(got, (list, tuple)):
        fail([head, f"  expected a list like {_fmt(expected)}, got a {type(got).__name__}: "
              f"{_fmt(got)}"], hint)
    if isinstance(expected, tuple) and not isinstance(got, tuple):
        fail([head, f"  expected a tuple like {_fmt(expected)}, got a {type(got).__name__}: "
              f"{_fmt(got)}"], hint)


def _check_kind(got_arr, expected, head, hint, dtype):
    if dtype is not None and got_arr.dtype != np.dtype(dtype):
        fail([head, f"  expected an array of dtype {np.dtype(dtype)}, got dtype {got_arr.dtype}."],
             hint)
    if expected.dtype.kind == "f" and got_arr.dtype.kind in "biu":
        fail([head, f"  expected floats, got {_kind_text(got_arr)}: {_fmt(got_arr)}",
              "  Return floats (for example .astype(float), or compute with 1.0 instead of 1)."],
             hint)
    if expected.dtype.kind in "iu" and got_arr.dtype.kind in "bf":
        fail([head, f"  expected integers, got {_kind_text(got_arr)}: {_fmt(got_arr)}"], hint)


def _kind_text(arr):
    return {"b": "booleans (True/False)", "i": "integers", "u": "integers",
            "f": "floats"}.get(arr.dtype.kind, str(arr.dtype)) + f" (dtype {arr.dtype})"


def _tolerances(got_arr, expected, atol, rtol):
    """`atol`, `rtol` widened to `FLOAT_ULPS` units in the last place of a low-precision result."""
    if got_arr.dtype.kind != "f" or got_arr.dtype.itemsize >= 8 or expected.dtype.kind != "f":
        return atol, rtol
    eps = float(np.finfo(got_arr.dtype).eps)
    scale = max(1.0, float(np.nanmax(np.abs(expected), initial=0.0,
                                     where=np.isfinite(expected))))
    return max(atol, FLOAT_ULPS * eps * scale), max(rtol, FLOAT_ULPS * eps)


def _max_error(errors, where):
    """Largest error among the entries `where`, as text ("n/a" when there are none)."""
    errors = errors[where]
    if errors.size == 0:
        return "n/a"
    return f"{np.nanmax(errors):.3g}" if not np.isnan(errors).all() else "nan"


@contextlib.contextmanager
def quiet(name):
    """Catch the warnings and stderr output of student code; report them on stdout as a note.

    nbgrader gives 0 points to a test cell that writes to stderr; a correct answer that warns (a
    deprecation warning, a debug print to sys.stderr, TensorFlow's Python logger) keeps its
    points, and the student still sees what was printed.
    """
    buffer = io.StringIO()
    tf_logger = logging.getLogger("tensorflow")
    level = tf_logger.level
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(buffer):
        warnings.simplefilter("always")
        tf_logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            tf_logger.setLevel(level)
    notes = list(dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught))
    notes += [line for line in buffer.getvalue().splitlines() if line.strip()]
    if notes:
        shown = notes[:3] + ([f"... and {len(notes) - 3} more lines"] if len(notes) > 3 else [])
        print(f"Note: {name} printed warnings or to stderr while it was checked (this costs no "
              "points):\n  " + "\n  ".join(shown))


def _where(err):
    """`  at line N of <function>: <code>` for the student's frame where `err` happened, or ""."""
    tb, found = err.__traceback__, None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__") == "__main__":
            found = tb
        tb = tb.tb_next
    if found is None:
        return ""
    import linecache

    code = found.tb_frame.f_code
    line = linecache.getline(code.co_filename, found.tb_lineno).strip()
    return f"  in {code.co_name}, at: {line}" if line else f"  in {code.co_name}"


def student_call(func, args=(), kwargs=None, *, name, hint="", strict=True, isolate=None,
                 forbidden=(), how="numpy", call=None, owner=None, allowed=(), detail=""):
    """Run the student's `func(*args, **kwargs)` as every check does, and return its result.

    While it runs: the names in `isolate` are bound to references among its globals, NumPy's
    floating-point errors raise (`strict`), calls into `forbidden` code are refused, and warnings
    and stderr output are caught (`quiet`). Any error becomes a `CheckError` that names the call,
    the error and the student's line where it happened.

    `owner` is the student's function whose globals `isolate` rebinds when `func` is a wrapper
    that calls it (default: `func`); `allowed` lists further functions whose calls into
    `forbidden` code are not counted (references the check itself passes in, such as an init
    function); `detail` is a line that describes the input when `call` does not show it.
    """
    detail = f"  for {detail}" if detail else ""
    kwargs = kwargs or {}
    call = call or _call_text(name, args, kwargs)
    allowed = (*(isolate or {}).values(), *allowed)
    errstate = (np.errstate(over="raise", divide="raise", invalid="raise") if strict
                else contextlib.nullcontext())
    try:
        with quiet(name), watch_calls(forbidden, allowed=allowed, name=name, how=how), \
                isolated(owner or func, isolate), errstate:
            return func(*args, **kwargs)
    except CheckError:
        raise
    except FloatingPointError as err:
        kind = next((k for k in _FLOAT_ERRORS if k in str(err)), "overflow")
        fail([f"{call} hit a floating-point error: {err}.",
              f"  Your code computes {_FLOAT_ERRORS[kind]}.", detail, _where(err)], hint)
    except Exception as err:  # noqa: BLE001 - report any student error as a failed check
        if is_stub(err):
            raise not_implemented(name) from None
        fail([f"{call} raised {type(err).__name__}: {err}", detail, _where(err)], hint)


def _snapshot(value):
    """A deep copy of an argument (the value itself when it cannot be copied)."""
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an uncopyable argument is passed as it is
        return value


def _same(a, b):
    """Whether argument `a` still equals its pristine copy `b`."""
    if isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in b)
    if isinstance(b, np.random.Generator) or callable(b):
        return True  # drawing from a generator changes it, as the spec says
    try:
        return bool(np.all(a == b))
    except Exception:  # noqa: BLE001 - an incomparable value counts as unchanged
        return True


def _parameter_names(func, count):
    import inspect

    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return [names[i] if i < len(names) else f"argument {i + 1}" for i in range(count)]


def check_unchanged(name, call, args, pristine, *, names, mutable=(), hint=""):
    """Fail when an argument the spec says must not change differs from its pristine copy."""
    for arg, before, arg_name in zip(args, pristine, names, strict=True):
        if arg_name in mutable or _same(arg, before):
            continue
        fail([f"{name} changed its argument `{arg_name}` in place, for {call}.",
              f"  before the call: {_fmt(before)}",
              f"  after the call:  {_fmt(arg)}",
              "  The caller still needs its value: work on a copy (x = x.copy()) or build a new "
              "array (x = x - ..., not x -= ...)."], hint)


def check_function(func, reference, cases, *, name=None, atol=1e-8, rtol=1e-6, hint="",
                   forbidden=None, strict=True, isolate=None, dtype=None, mutable=(),
                   how="numpy"):
    """Check a student's function against a reference on every case.

    Args:
        func: the student's function.
        reference: the reference function with the same signature.
        cases: list of inputs; each is a tuple of positional arguments, or a single argument.
        name: the function's name in messages; defaults to `func.__name__`.
        atol, rtol: tolerances, as in `check_array`.
        hint: one sentence that helps fix the most likely mistake.
        forbidden: objects or module prefixes `func` must not call (see
            `delegation.forbidden_calls`); defaults to the reference's own module (unless it is
            defined in the notebook) and the deep-learning frameworks (`FRAMEWORKS`).
        strict: run `func` with NumPy floating-point errors raised, so an overflow in `exp`
            fails the check instead of printing a warning.
        isolate: dict name -> reference object. While `func` runs, these global names of the
            student's notebook are bound to the references, so a function that builds on an
            earlier exercise (tanh on sigmoid) is graded on its own: a mistake in the earlier
            exercise does not cost this one's points too.
        dtype: demand this exact dtype of the result (see `check_array`).
        mutable: names of the arguments the spec lets `func` change in place.
        how: what the exercise asks the student to compute with, for the delegation message.
    """
    name = name or getattr(func, "__name__", "your function")
    if not callable(func):
        raise CheckError(f"{name} should be a function, got {func!r}.")
    if forbidden is None:
        forbidden = default_forbidden(reference)
    check_not_delegating(func, forbidden, name=name, how=how)
    for case in cases:
        args = case if isinstance(case, tuple) else (case,)
        call = _call_text(name, args)
        pristine = _snapshot(args)
        mine = _snapshot(args)
        got = student_call(func, mine, name=name, hint=hint, strict=strict, isolate=isolate,
                           forbidden=forbidden, how=how, call=call,
                           allowed=tuple(a for a in args if callable(a)))
        check_unchanged(name, call, mine, pristine, names=_parameter_names(reference, len(args)),
                        mutable=mutable, hint=hint)
        expected = reference(*_snapshot(pristine))
        check_array(got, expected, name=f"{name}", input_desc=f"input {call[len(name) + 1:-1]}",
                    atol=atol, rtol=rtol, hint=hint, dtype=dtype)


_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _mentions(message, item):
    """Whether `message` contains `item`: a substring, or a number in any spelling (1, 1.0)."""
    if isinstance(item, str):
        return item in message
    if isinstance(item, numbers.Real):
        return any(float(m) == float(item) for m in _NUMBER.findall(message))
    return str(item) in message


def check_raises(func, args, error=ValueError, *, contains=(), name=None, hint=""):
    """Check that `func(*args)` raises `error` and that its message contains every `contains`.

    Args:
        func: the student's function (or class, for a constructor).
        args: tuple of positional arguments.
        error: the exception class expected.
        contains: what the message must contain: strings (found as substrings, e.g. "rate") and
            numbers (found in any spelling: 1 matches "1", "1.0" and "1.00").
        name: the function's name in messages; defaults to `func.__name__`.
        hint: one sentence that helps fix the most likely mistake.
    """
    name = name or getattr(func, "__name__", "your function")
    call = _call_text(name, tuple(args))
    tail = [f"Hint: {hint}"] if hint else []
    try:
        with quiet(name):
            func(*args)
    except error as err:
        if is_stub(err):
            raise not_implemented(name) from None
        missing = [item for item in contains if not _mentions(str(err), item)]
        if missing:
            raise CheckError("\n".join([f"{call} raised {type(err).__name__} as expected, but "
                                        f"its message {str(err)!r} does not mention "
                                        f"{', '.join(map(repr, missing))}.", *tail])) from None
        return
    except Exception as err:  # noqa: BLE001 - any other exception is a failed check
        if is_stub(err):
            raise not_implemented(name) from None
        raise CheckError("\n".join([f"{call} raised {type(err).__name__}: {err}; expected "
                                    f"{error.__name__}.", *tail])) from None
    raise CheckError("\n".join([f"{call} returned without raising {error.__name__}.", *tail]))


def random_inputs(shape, seed, low=-5.0, high=5.0):
    """A seeded float64 array, uniform on [low, high): the same for every student."""
    return np.random.default_rng(seed).uniform(low, high, size=shape)
