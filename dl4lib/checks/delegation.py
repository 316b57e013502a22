"""Delegation: refuse a student's answer that calls the library version of the same thing.

Two complementary checks, both used by every check that grades a function:

- `forbidden_calls` reads the answer's byte code *before* it runs and lists the forbidden objects
  it names (`keras.ops.sigmoid`, `A.sigmoid` after `import dl4lib.activations as A`, a name taken
  with `from ... import`), following helpers defined in the same notebook, closures and default
  arguments. It gives the clearest message, naming what the student wrote.
- `watch_calls` watches the answer *while* it runs (a `sys.setprofile` hook) and records every call
  that enters a forbidden module's code, however the student reached it: `functools.partial`,
  `importlib`, `sys.modules`, `getattr` with a computed string, `eval`, a callable object, a
  decorated decoy, byte code copied from the library. Calls made by the references that `isolate=`
  binds in the student's namespace are allowed.

"Forbidden" is given as objects or module-name prefixes ("keras", "dl4lib.activations"); an object
whose `__module__` starts with such a prefix is forbidden, and so is any code run from a module
whose name starts with it. Every family of exercises says what it forbids in one way,
`forbidden_modules`: its reference modules plus the frameworks (all of `FRAMEWORKS` for a NumPy
exercise; for a TensorFlow or Keras exercise, the part of the frameworks that does the same job):

    FORBIDDEN = forbidden_modules("dl4lib.activations")
    FORBIDDEN = forbidden_modules("dl4lib.optimizers", frameworks=("keras.src.optimizers",))
"""

import contextlib
import dis
import functools
import inspect
import sys
import types

from dl4lib.checks.errors import CheckError

_BUILTINS = vars(__import__("builtins"))
FRAMEWORKS = ("keras", "tensorflow", "torch", "jax")
"""Module prefixes a NumPy exercise must not call."""

HOW = {"numpy": "with NumPy operations", "keras": "with keras.ops operations",
       "tensorflow": "with TensorFlow operations"}
"""How an exercise asks the student to compute, for the delegation message."""


def forbidden_modules(*references, frameworks=FRAMEWORKS):
    """What an exercise must not call: its reference modules plus the frameworks.

    Args:
        *references: names of the modules that hold the reference answers ("dl4lib.activations"),
            or of any other library that computes the same thing ("sklearn").
        frameworks: module prefixes of the frameworks that are off limits: all of `FRAMEWORKS`
            for a NumPy exercise; for an exercise written with TensorFlow or Keras, the part of
            them that does the same job ("keras.src.optimizers").

    Returns:
        A tuple of module-name prefixes, for the `forbidden` argument of the checks.
    """
    return (*references, *frameworks)


def default_forbidden(reference):
    """`forbidden_modules` of the reference's own module; a reference defined in a notebook cell
    (module `__main__`) adds no module, since the student's own functions live there too."""
    module = getattr(reference, "__module__", None)
    own = (module,) if isinstance(module, str) and module not in ("__main__", "builtins") else ()
    return forbidden_modules(*own)


def forbidden_calls(func, forbidden):
    """Names of the forbidden objects that `func` refers to, directly or through its helpers.

    The function's byte code is read (it is not run): every global name and attribute chain it
    loads (`keras.ops.sigmoid`, `A.sigmoid` after `import dl4lib.activations as A`, a name
    imported with `from ... import`) is resolved and compared with `forbidden`. Helper functions
    defined in the same notebook, closures, default arguments, `functools.partial` objects and
    nested functions are followed.

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
        try:
            module = getattr(obj, "__module__", None) or ""
        except Exception:  # noqa: BLE001 - an object with a failing __getattr__ names nothing
            return False
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
        defaults = [*(fn.__defaults__ or ()), *(fn.__kwdefaults__ or {}).values()]
        for i, value in enumerate(defaults):
            inspect_object(f"{fn.__name__}'s default argument {i + 1}", value, fn.__globals__,
                           depth)
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

    target = func
    while isinstance(target, functools.partial):
        if is_forbidden(target.func):
            return [_describe(f"partial({_name(target.func)})", target.func)]
        target = target.func
    if is_forbidden(target):
        return [_describe(_name(target), target)]
    target = inspect.unwrap(target)
    if isinstance(target, types.FunctionType):
        visit_function(target, 0)
    return sorted(found)


def _name(obj):
    return getattr(obj, "__name__", None) or repr(obj)


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


def _delegation_error(name, calls, how):
    return CheckError(
        f"{name} uses {', '.join(calls)}. This exercise asks you to compute it yourself "
        f"({HOW.get(how, how)}); the library version is only the reference the tests "
        "compare with.")


def check_not_delegating(func, forbidden, *, name=None, how="numpy"):
    """Fail when `func` names one of `forbidden` (see `forbidden_calls`) instead of computing.

    `how` says what the exercise asks for in the message: "numpy", "keras", "tensorflow" or
    any text ("with NumPy operations").
    """
    name = name or getattr(func, "__name__", "your function")
    calls = forbidden_calls(func, forbidden)
    if calls:
        raise _delegation_error(name, calls, how)


def check_class_not_delegating(cls, forbidden, *, name=None, how="keras"):
    """Fail when class `cls` inherits from, or any of its methods calls, something `forbidden`.

    Args:
        cls: the student's class, e.g. a `keras.layers.Layer` subclass.
        forbidden: objects or module prefixes, as in `forbidden_calls`.
        name: the class's name in messages; defaults to `cls.__name__`.
        how: what the exercise asks the student to compute with (see `check_not_delegating`).
    """
    name = name or getattr(cls, "__name__", "your class")
    if not inspect.isclass(cls):
        raise CheckError(f"{name} should be a class, got {cls!r}.")
    for base in cls.__mro__[1:]:
        if forbidden_calls(base, forbidden):
            raise CheckError(f"{name} inherits from {base.__module__}.{base.__qualname__}. "
                             "Subclass keras.layers.Layer and write the computation "
                             "yourself.")
    for attr, value in vars(cls).items():
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if isinstance(value, property):
            value = value.fget
        if inspect.isfunction(value):
            check_not_delegating(value, forbidden, name=f"{name}.{attr}", how=how)


class _CallWatch:
    """A `sys.setprofile` hook that records calls into forbidden code (see `watch_calls`)."""

    def __init__(self, forbidden, allowed):
        self.prefixes = tuple(f for f in forbidden if isinstance(f, str))
        self.codes = {id(c): c for c in (_code_of(f) for f in forbidden
                                         if not isinstance(f, str)) if c is not None}
        self.files = _module_files(self.prefixes)
        self.allowed = {id(c): c for c in (_code_of(a) for a in allowed) if c is not None}
        self.found = []

    def __call__(self, frame, event, arg):
        if event != "call" or self.found:
            return
        code = frame.f_code
        module = frame.f_globals.get("__name__", "") if isinstance(frame.f_globals, dict) else ""
        hit = (id(code) in self.codes or code.co_filename in self.files
               or (isinstance(module, str) and _matches(module, self.prefixes)))
        if not hit:
            return
        caller = frame
        while caller is not None:  # an isolated reference, and what it calls, is allowed
            if id(caller.f_code) in self.allowed:
                return
            caller = caller.f_back
        qualname = getattr(code, "co_qualname", code.co_name)
        self.found.append(f"{module}.{qualname}".replace(".src.", ".").strip("."))


def _code_of(obj):
    while isinstance(obj, functools.partial):
        obj = obj.func
    obj = getattr(obj, "__func__", obj)
    return getattr(obj, "__code__", None)


def _module_files(prefixes):
    """Source files of the loaded modules whose names match `prefixes` (for copied byte code)."""
    files = set()
    for module_name, module in list(sys.modules.items()):
        if _matches(module_name, prefixes):
            path = getattr(module, "__file__", None)
            if path:
                files.add(path)
    return files


@contextlib.contextmanager
def watch_calls(forbidden, *, allowed=(), name="your function", how="numpy"):
    """While the block runs, record calls into `forbidden` code; fail afterwards if any happened.

    Args:
        forbidden: objects or module prefixes, as in `forbidden_calls`.
        allowed: functions whose own calls are not counted (the references bound by `isolate=`).
        name, how: for the message, as in `check_not_delegating`.

    Raises:
        CheckError: after the block, naming the first forbidden call, or when the student's code
            removed or replaced the hook.
    """
    watch = _CallWatch(forbidden, allowed)
    previous = sys.getprofile()
    sys.setprofile(watch)
    try:
        yield watch
    finally:  # these verdicts replace any error the student's code raised meanwhile
        replaced = sys.getprofile() is not watch
        sys.setprofile(previous)
        if replaced:
            raise CheckError(f"{name} changed the Python profiler (sys.setprofile) that the "
                             "checks use; leave it alone.")
        if watch.found:
            raise _delegation_error(name, [f"{watch.found[0]} (called while it ran)"], how)


def _or_own(reference, own):
    """`reference`, or in a private release where it is withheld (`dl4lib.withheld`), a function
    that replays it and falls back on the student's own `own` for inputs it has no record of."""
    if not getattr(reference, "__withheld__", False) or not callable(own):
        return reference
    from dl4lib.withheld import NotRecorded

    @functools.wraps(reference)
    def replay_or_own(*args, **kwargs):
        try:
            return reference(*args, **kwargs)
        except NotRecorded:
            return own(*args, **kwargs)

    return replay_or_own


@contextlib.contextmanager
def isolated(func, names):
    """Temporarily bind `names` (dict name -> object) among `func`'s globals, then restore them.

    This is what `isolate=` of the checks does: while a student's function runs, the earlier
    exercises it calls are the reference versions. (In a private release a withheld reference
    knows only the inputs the public tests were released with; on others the student's own
    version runs, so the public feedback may then blame both, while grading, which uses the full
    library, does not.)
    """
    namespace, names = getattr(inspect.unwrap(func), "__globals__", {}), names or {}
    missing = object()
    saved = {k: namespace.get(k, missing) for k in names}
    namespace.update({k: _or_own(v, saved[k]) for k, v in names.items()})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is missing:
                namespace.pop(k, None)
            else:
                namespace[k] = v
