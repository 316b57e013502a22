"""Checks that the graded test cells call.

A check compares what a student computed with a reference and, on failure, raises an
`AssertionError` whose message a student can act on: which input, the expected value, what they
returned, the size of the error and a hint. nbgrader scores each test cell on its own, so a
failing check costs the points of that cell and nothing else.

    check_function(sigmoid, reference.sigmoid, cases=[np.array([-1000.0, 0.0, 3.0])],
                   hint="exp(-x) overflows for large negative x.")

Every check also refuses a student function that merely calls the library implementation of the
same thing (dl4lib's reference, Keras, TensorFlow, ...): see `forbidden_calls`.
"""

import contextlib
import dis
import inspect
import sys
import types

import numpy as np

_BUILTINS = vars(__import__("builtins"))
FRAMEWORKS = ("keras", "tensorflow", "torch", "jax")
"""Module prefixes a NumPy exercise must not call."""


class CheckError(AssertionError):
    """A check failed; the message is meant for the student."""


def not_implemented(name):
    """The error for an exercise still holding its stub `raise NotImplementedError()`."""
    return CheckError(f"{name} is not implemented yet: replace `raise NotImplementedError()` "
                      "with your code.")


def _fmt(value, limit=8):
    """Short, readable text for an input or output value."""
    if isinstance(value, np.ndarray) or hasattr(value, "numpy"):
        arr = np.asarray(value)
        with np.printoptions(precision=6, threshold=limit, edgeitems=3, suppress=False):
            text = np.array2string(arr, separator=", ")
        return text if arr.ndim == 0 else f"{text} (shape {arr.shape})"
    if isinstance(value, tuple):
        return ", ".join(_fmt(v, limit) for v in value)
    return repr(value)


def _fail(lines, hint):
    if hint:
        lines.append(f"Hint: {hint}")
    raise CheckError("\n".join(lines))


def check_array(got, expected, *, name="your result", input_desc="", atol=1e-8, rtol=1e-6,
                hint=""):
    """Check that an array-like `got` equals `expected` within |got - exp| <= atol + rtol |exp|.

    Args:
        got: what the student computed (array-like or number).
        expected: the reference value.
        name: what is being checked, for the message ("sigmoid(x)").
        input_desc: the input that produced `got`, for the message ("x = [...]").
        atol, rtol: absolute and relative tolerance, as in `np.allclose`.
        hint: one sentence that helps fix the most likely mistake.
    """
    where = f" for {input_desc}" if input_desc else ""
    head = f"{name} is wrong{where}."
    if got is None:
        _fail([head, "  got None: did you forget `return`?"], hint)
    expected = np.asarray(expected)
    try:
        got_arr = np.asarray(got, dtype=np.float64 if expected.dtype.kind == "f" else None)
    except (TypeError, ValueError) as err:
        _fail([head, f"  expected an array like {_fmt(expected)}", f"  got {got!r} ({err})"], hint)
    if got_arr.shape != expected.shape:
        _fail([head, f"  expected shape {expected.shape}, got shape {got_arr.shape}",
               f"  expected: {_fmt(expected)}", f"  got:      {_fmt(got_arr)}"], hint)
    if expected.dtype.kind in "biuf" and got_arr.dtype.kind in "biuf":
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
                 f"(allowed: {atol:g} + {rtol:g} * |expected|)"]
        if ok.ndim:
            lines.append(f"  first wrong value at index {tuple(int(i) for i in first)}: "
                         f"expected {exp_f[first]:.8g}, got {got_f[first]:.8g}")
        if not np.isfinite(got_f).all():
            lines.append("  your result contains nan or inf")
        _fail(lines, hint)
    if not np.array_equal(got_arr, expected):
        _fail([head, f"  expected: {_fmt(expected)}", f"  got:      {_fmt(got_arr)}"], hint)


def _max_error(errors, where):
    """Largest error among the entries `where`, as text ("n/a" when there are none)."""
    errors = errors[where]
    if errors.size == 0:
        return "n/a"
    return f"{np.nanmax(errors):.3g}" if not np.isnan(errors).all() else "nan"


def forbidden_calls(func, forbidden):
    """Names of the forbidden objects that `func` refers to, directly or through its helpers.

    The function's byte code is read (it is not run): every global name and attribute chain it
    loads (`keras.ops.sigmoid`, `A.sigmoid` after `import dl4lib.activations as A`, a name
    imported with `from ... import`) is resolved and compared with `forbidden`. Helper functions
    defined in the same notebook, closures and nested functions are followed.

    Args:
        func: the student's function.
        forbidden: objects, or module name prefixes as strings ("keras", "dl4lib.activations"):
            an object whose `__module__` or `__name__` starts with such a prefix is forbidden.

    Returns:
        A sorted list of dotted names found, empty when `func` is clean.
    """
    objects = [f for f in forbidden if not isinstance(f, str)]
    prefixes = tuple(f for f in forbidden if isinstance(f, str))

    def is_forbidden(obj):
        if any(obj is f for f in objects):
            return True
        if isinstance(obj, types.ModuleType):
            return False  # only what is taken from a module counts
        module = getattr(obj, "__module__", None) or ""
        if not isinstance(module, str):
            return False
        return _matches(module, prefixes)

    found, seen = set(), set()
    module_name = ""

    def visit_function(fn, depth):
        if id(fn) in seen or depth > 5:
            return
        seen.add(id(fn))
        closure = {}
        if fn.__closure__:
            closure = {n: c.cell_contents for n, c in
                       zip(fn.__code__.co_freevars, fn.__closure__, strict=True)
                       if _cell_filled(c)}
        visit_code(fn.__code__, fn.__globals__, closure, depth)

    def visit_code(code, globals_, closure, depth):
        nonlocal module_name
        chain, obj = None, None
        for ins in dis.get_instructions(code):
            if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME", "LOAD_DEREF"):
                name = ins.argval
                if ins.opname == "LOAD_DEREF" and name in closure:
                    obj = closure[name]
                elif name in globals_:
                    obj = globals_[name]
                elif name in _BUILTINS:
                    obj = _BUILTINS[name]
                else:
                    chain, obj = None, None
                    continue
                chain = name
                inspect_object(chain, obj, globals_, depth)
            elif ins.opname == "IMPORT_NAME":  # an import inside the function
                module_name, chain, obj = ins.argval, None, None
                if _matches(module_name, prefixes):
                    found.add(f"import {module_name}")
            elif ins.opname == "IMPORT_FROM":
                target = getattr(sys.modules.get(module_name), ins.argval, None)
                if _matches(f"{module_name}.{ins.argval}", prefixes) or (
                        target is not None and is_forbidden(target)):
                    found.add(f"from {module_name} import {ins.argval}")
            elif ins.opname in ("LOAD_ATTR", "LOAD_METHOD") and chain is not None:
                try:
                    obj = getattr(obj, ins.argval)
                except Exception:  # noqa: BLE001 - any failing attribute just ends the chain
                    chain, obj = None, None
                    continue
                chain = f"{chain}.{ins.argval}"
                inspect_object(chain, obj, globals_, depth)
            else:
                chain, obj = None, None
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                visit_code(const, globals_, closure, depth)

    def inspect_object(chain, obj, globals_, depth):
        if is_forbidden(obj):
            found.add(_describe(chain, obj))
        elif isinstance(obj, types.FunctionType) and obj.__globals__ is globals_:
            visit_function(obj, depth + 1)

    if is_forbidden(func):
        return [_describe(getattr(func, "__name__", repr(func)), func)]
    target = inspect.unwrap(func)
    if isinstance(target, types.FunctionType):
        visit_function(target, 0)
    return sorted(found)


def _matches(module, prefixes):
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _describe(chain, obj):
    """`chain` as the student wrote it, with the object's real home when that differs."""
    home = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}".strip(".")
    short = home.replace(".src.", ".").replace(".python.ops.", ".")
    return chain if not home or chain.endswith(getattr(obj, "__qualname__", "")) and \
        "." in chain else f"{chain} (that is {short})"


def _cell_filled(cell):
    try:
        cell.cell_contents  # noqa: B018 - raises ValueError for an empty cell
    except ValueError:
        return False
    return True


def check_not_delegating(func, forbidden, *, name=None):
    """Fail when `func` calls one of `forbidden` (see `forbidden_calls`) instead of computing."""
    name = name or getattr(func, "__name__", "your function")
    calls = forbidden_calls(func, forbidden)
    if calls:
        raise CheckError(
            f"{name} uses {', '.join(calls)}. This exercise asks you to compute it yourself "
            "(with NumPy operations); the library version is only the reference the tests "
            "compare with.")


def check_raises(func, args, error=ValueError, *, contains=(), name=None, hint=""):
    """Check that `func(*args)` raises `error` and that its message contains every `contains`.

    Args:
        func: the student's function (or class, for a constructor).
        args: tuple of positional arguments.
        error: the exception class expected.
        contains: strings the message must contain, e.g. ("rate", "1.5").
        name: the function's name in messages; defaults to `func.__name__`.
        hint: one sentence that helps fix the most likely mistake.
    """
    name = name or getattr(func, "__name__", "your function")
    call = f"{name}({_fmt(tuple(args))})"
    tail = [f"Hint: {hint}"] if hint else []
    try:
        func(*args)
    except NotImplementedError:
        raise not_implemented(name) from None
    except error as err:
        missing = [text for text in contains if text not in str(err)]
        if missing:
            raise CheckError("\n".join([f"{call} raised {type(err).__name__} as expected, but "
                                        f"its message {str(err)!r} does not contain "
                                        f"{', '.join(map(repr, missing))}.", *tail])) from None
        return
    except Exception as err:  # noqa: BLE001 - any other exception is a failed check
        raise CheckError("\n".join([f"{call} raised {type(err).__name__}: {err}; expected "
                                    f"{error.__name__}.", *tail])) from None
    raise CheckError("\n".join([f"{call} returned without raising {error.__name__}.", *tail]))


def check_class_not_delegating(cls, forbidden, *, name=None):
    """Fail when class `cls` inherits from, or any of its methods calls, something `forbidden`.

    Args:
        cls: the student's class, e.g. a `keras.layers.Layer` subclass.
        forbidden: objects or module prefixes, as in `dl4lib.checks.forbidden_calls`.
        name: the class's name in messages; defaults to `cls.__name__`.
    """
    name = name or getattr(cls, "__name__", "your class")
    if not inspect.isclass(cls):
        raise CheckError(f"{name} should be a class, got {cls!r}.")
    for base in cls.__mro__[1:]:
        try:
            check_not_delegating(base, forbidden, name=f"{name}'s base class")
        except CheckError:
            raise CheckError(f"{name} inherits from {base.__module__}.{base.__qualname__}. "
                             "Subclass keras.layers.Layer and write the computation "
                             "yourself.") from None
    for attr, value in vars(cls).items():
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value):
            check_not_delegating(value, forbidden, name=f"{name}.{attr}")


def _strict_floats():
    return np.errstate(over="raise", divide="raise", invalid="raise")


def check_function(func, reference, cases, *, name=None, atol=1e-8, rtol=1e-6, hint="",
                   forbidden=None, strict=True, isolate=None):
    """Check a student's function against a reference on every case.

    Args:
        func: the student's function.
        reference: the reference function with the same signature.
        cases: list of inputs; each is a tuple of positional arguments, or a single argument.
        name: the function's name in messages; defaults to `func.__name__`.
        atol, rtol: tolerances, as in `check_array`.
        hint: one sentence that helps fix the most likely mistake.
        forbidden: objects or module prefixes `func` must not call (see `forbidden_calls`);
            defaults to the reference's own module and the deep-learning frameworks
            (`FRAMEWORKS`), which suits the NumPy exercises.
        strict: run `func` with NumPy floating-point errors raised, so an overflow in `exp`
            fails the check instead of printing a warning.
        isolate: dict name -> reference object. While `func` runs, these global names of the
            student's notebook are bound to the references, so a function that builds on an
            earlier exercise (tanh on sigmoid) is graded on its own: a mistake in the earlier
            exercise does not cost this one's points too.
    """
    name = name or getattr(func, "__name__", "your function")
    if not callable(func):
        raise CheckError(f"{name} should be a function, got {func!r}.")
    if forbidden is None:
        forbidden = (reference.__module__, *FRAMEWORKS)
    check_not_delegating(func, forbidden, name=name)
    for case in cases:
        args = case if isinstance(case, tuple) else (case,)
        shown = ", ".join(_fmt(a) for a in args)
        call = f"{name}({shown})"
        expected = reference(*_copies(args))
        try:
            with isolated(func, isolate):
                if strict:
                    with _strict_floats():
                        got = func(*_copies(args))
                else:
                    got = func(*_copies(args))
        except NotImplementedError:
            raise not_implemented(name) from None
        except FloatingPointError as err:
            _fail([f"{name} hit a floating-point error for input {shown}: {err}.",
                   "  Your code computes a value that does not fit in a float64 (for example "
                   "np.exp of a large number)."], hint)
        except Exception as err:  # noqa: BLE001 - report any student error as a failed check
            _fail([f"{call} raised {type(err).__name__}: {err}"], hint)
        check_array(got, expected, name=f"{name}", input_desc=f"input {shown}", atol=atol,
                    rtol=rtol, hint=hint)


@contextlib.contextmanager
def isolated(func, names):
    """Temporarily bind `names` (dict name -> object) among `func`'s globals, then restore them.

    This is what `isolate=` of the checks does: while a student's function runs, the earlier
    exercises it calls are the reference versions.
    """
    namespace, names = getattr(func, "__globals__", {}), names or {}
    missing = object()
    saved = {k: namespace.get(k, missing) for k in names}
    namespace.update(names)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is missing:
                namespace.pop(k, None)
            else:
                namespace[k] = v


def _copies(args):
    """Fresh copies of array arguments, so a function that modifies its input is caught."""
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)


def numerical_derivative(func, x, h=1e-5):
    """Central difference (f(x + h) - f(x - h)) / (2h), elementwise: error O(h^2)."""
    x = np.asarray(x, dtype=np.float64)
    return (func(x + h) - func(x - h)) / (2 * h)


def random_inputs(shape, seed, low=-5.0, high=5.0):
    """A seeded float64 array, uniform on [low, high): the same for every student."""
    return np.random.default_rng(seed).uniform(low, high, size=shape)
