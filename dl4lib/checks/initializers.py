"""Checks for a student's weight initializer: the statistics of what it draws, with clear messages.

Random weights cannot be compared value by value unless the student draws them exactly as the
reference does, so unit 2's test cells first check what any correct initializer satisfies and
only then compare values (`dl4lib.checks.check_function`):

    check_initializer(glorot_uniform, (400, 600), variance=2 / (400 + 600),
                      limit=np.sqrt(6 / (400 + 600)), hint="The bound is sqrt(3 * variance).")

`check_initializer` calls `func(shape, seed=seed, **kwargs)` and checks, in this order, that

1. it does not call a library initializer (dl4lib.initializers, Keras, ...);
2. it returns a float64 NumPy array of the requested shape (the spec promises float64);
3. it is reproducible: the same seed gives the same array, another seed a different one, and
   seed=None fresh weights at every call;
4. every value lies within `center ± limit`;
5. the sample mean is within five standard errors of `center`;
6. the sample variance is within `rtol` of `variance`;
7. the largest |value - center| reaches at least `reach * limit` (a uniform initializer uses
   its whole range).

Each failure raises `dl4lib.checks.CheckError` with the measured and the expected numbers (for the
variance also their ratio, which usually names the mistake: 1/3, 2, 1/2, ...).

`check_keeps_second_moment` checks what an initializer derived for an activation promises: in a
deep stack of square layers with that activation, the second moment E[h^2] of the activations
stays the same from layer to layer.
"""

import numpy as np

from dl4lib.checks.core import student_call
from dl4lib.checks.delegation import check_not_delegating, forbidden_modules
from dl4lib.checks.errors import CheckError, fail

__all__ = ["FORBIDDEN", "check_initializer", "check_keeps_second_moment"]

FORBIDDEN = forbidden_modules("dl4lib.initializers")
"""What a student's initializer must not call by default."""


def _draw(func, name, shape, seed, kwargs, hint, isolate, forbidden):
    args = ", ".join([repr(shape), *(f"{k}={v!r}" for k, v in kwargs.items()), f"seed={seed!r}"])
    call = f"{name}({args})"
    got = student_call(func, (shape,), {**kwargs, "seed": seed}, name=name, hint=hint,
                       isolate=isolate, forbidden=forbidden, call=call)
    if got is None:
        fail([f"{call} returned None: did you forget `return`?"], hint)
    return call, got


def check_initializer(func, shape, variance, *, limit=None, center=0.0, seed=0, kwargs=None,
                      rtol=0.05, reach=0.9, name=None, hint="", forbidden=FORBIDDEN,
                      isolate=None):
    """Check the weights `func(shape, seed=seed, **kwargs)` draws against their distribution.

    Args:
        func: the student's initializer.
        shape: the shape to ask for; use a large one, e.g. (400, 600), so that the sample
            variance is within about 0.6% of the true one.
        variance: the variance the weights must have.
        limit: if given, every weight must lie in [center - limit, center + limit] and the largest
            |weight - center| must reach `reach * limit`.
        center: the mean the weights must have.
        seed: the seed passed to `func`; `seed + 1` must give different weights.
        kwargs: further keyword arguments for `func` (e.g. {"stddev": 0.5}).
        rtol: allowed relative error of the sample variance.
        reach: see `limit`.
        name: the function's name in messages; defaults to `func.__name__`.
        hint: one sentence that helps fix the most likely mistake.
        forbidden: objects or module prefixes `func` must not call (see
            `dl4lib.checks.forbidden_calls`).
        isolate: dict name -> reference object, bound in the student's namespace while `func`
            runs (see `dl4lib.checks.check_function`), so that a mistake in an earlier exercise
            does not cost this one's points.

    Raises:
        CheckError: with a message for the student, on the first property that fails.
    """
    name = name or getattr(func, "__name__", "your initializer")
    if not callable(func):
        raise CheckError(f"{name} should be a function, got {func!r}.")
    check_not_delegating(func, forbidden, name=name)
    kwargs, isolate = dict(kwargs or {}), dict(isolate or {})
    shape = tuple(shape)
    call, got = _draw(func, name, shape, seed, kwargs, hint, isolate, forbidden)
    w = np.asarray(got)
    if w.shape != shape:
        fail([f"{call} has the wrong shape: expected {shape}, got {w.shape}."], hint)
    if not isinstance(got, np.ndarray) or w.dtype != np.float64:
        what = (f"an array of dtype {w.dtype}" if isinstance(got, np.ndarray)
                else f"a {type(got).__name__}")
        fail([f"{call} should return a float64 NumPy array, got {what}."], hint)
    if not np.isfinite(w).all():
        fail([f"{call} contains nan or inf."], hint)

    _, again = _draw(func, name, shape, seed, kwargs, hint, isolate, forbidden)
    if not np.array_equal(np.asarray(again), w):
        fail([f"{name} is not reproducible: two calls with seed={seed!r} gave different "
               "weights.", "  Draw every number from rng = np.random.default_rng(seed), not from "
               "np.random.* functions, which use NumPy's global state."], hint)
    _, other = _draw(func, name, shape, seed + 1, kwargs, hint, isolate, forbidden)
    if np.array_equal(np.asarray(other), w):
        fail([f"{name} ignores its seed: seed={seed} and seed={seed + 1} gave the same "
               "weights."], hint)

    _, fresh = _draw(func, name, shape, None, kwargs, hint, isolate, forbidden)
    _, fresh_again = _draw(func, name, shape, None, kwargs, hint, isolate, forbidden)
    if np.array_equal(np.asarray(fresh), np.asarray(fresh_again)):
        fail([f"{name} with seed=None gave the same weights twice: seed=None means fresh "
              "randomness at every call (np.random.default_rng(None))."], hint)

    deviation = np.abs(w - center)
    if limit is not None and deviation.max() > limit * (1 + 1e-9):
        worst = np.unravel_index(np.argmax(deviation), w.shape)
        fail([f"{call} has values outside [{center - limit:.6g}, {center + limit:.6g}]:",
               f"  for example {w[worst]:.6g} at index {tuple(int(i) for i in worst)}."], hint)

    n = w.size
    mean = w.mean()
    if abs(mean - center) > 5 * np.sqrt(variance / n) + 1e-12:
        fail([f"{call} has mean {mean:.6g}; expected {center:g} (allowed error "
               f"{5 * np.sqrt(variance / n):.2g} for {n} samples)."], hint)
    sample = w.var()
    if not abs(sample / variance - 1) <= rtol:
        fail([f"{call} has the wrong variance:",
               f"  expected {variance:.6g}, got {sample:.6g} (ratio got/expected = "
               f"{sample / variance:.3g}, allowed {1 - rtol:g} to {1 + rtol:g})."], hint)
    if limit is not None and deviation.max() < reach * limit:
        fail([f"{call} uses too small a range:",
               f"  the largest |weight - {center:g}| is {deviation.max():.6g}, but values "
               f"should reach close to the bound {limit:.6g}."], hint)


def check_keeps_second_moment(func, activation, *, width=400, depth=10, batch=1000, seed=0,
                              kwargs=None, rtol=0.05, name=None, what="the activation", hint="",
                              forbidden=FORBIDDEN, isolate=None):
    """Check that weights from `func` keep E[h^2] constant through `depth` layers of `activation`.

    A standard normal batch x of shape (batch, width) goes through h <- activation(h @ W_l) with
    W_l = func((width, width), seed=seed + l, **kwargs). The check measures the mean factor per
    layer by which E[h^2] changes, (E[h_depth^2] / E[h_1^2]) ** (1 / (depth - 1)), and fails when
    it is not within `rtol` of 1. `activation` maps an array to an array; `what` names it in the
    message.
    """
    name = name or getattr(func, "__name__", "your initializer")
    if not callable(func):
        raise CheckError(f"{name} should be a function, got {func!r}.")
    check_not_delegating(func, forbidden, name=name)
    kwargs, isolate = dict(kwargs or {}), dict(isolate or {})
    h = np.random.default_rng(seed).standard_normal((batch, width))
    moments = []
    for layer in range(depth):
        _, w = _draw(func, name, (width, width), seed + layer, kwargs, hint, isolate, forbidden)
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (width, width) or not np.isfinite(w).all():
            fail([f"{name}(({width}, {width}), ...) should return finite weights of shape "
                  f"{(width, width)}, got shape {w.shape}."], hint)
        h = activation(h @ w)
        moments.append(float(np.mean(h**2)))
    factor = (moments[-1] / moments[0]) ** (1.0 / (depth - 1)) if moments[0] > 0 else 0.0
    if not abs(factor - 1.0) <= rtol:
        args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        fail([f"With weights from {name}(shape{', ' + args if args else ''}), {depth} layers of "
              f"{what} do not keep the signal's scale:",
              f"  E[h^2] after layer 1: {moments[0]:.4g}, after layer {depth}: {moments[-1]:.4g};",
              f"  it changes by a factor {factor:.4f} per layer, expected 1 (allowed "
              f"{1 - rtol:g} to {1 + rtol:g}).",
              "  A factor c per layer means your variance is about c times the one that keeps "
              "the signal."], hint)
