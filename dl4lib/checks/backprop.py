"""Checks of unit 9: nodes with a forward and a backward pass, losses, networks, training loops.

A node is checked by running the student's class and the reference (`dl4lib.backprop`) side by
side, built from the same arguments, on the same x and the same upstream gradient dout:

    check_node(Linear, reference.Linear, (W, b), x, dout)

compares forward(x), backward(dout) (dL/dx), every entry of `grads`, and checks that neither x,
dout nor the parameters were changed in place. The code runs as `student_call` runs it: with
NumPy's floating-point errors raised, so an overflow fails the check instead of printing a
warning, and with its warnings and stderr output shown as a note, so that they do not cost a
correct answer its cell. Each failure says what was called, on which input, what was expected,
what came back, and the relative error of the gradient as `dl4lib.gradient_check.rel_error`
measures it.
"""

import copy
import inspect

import numpy as np

from dl4lib.checks import (
    CheckError,
    check_array,
    check_not_delegating,
    forbidden_modules,
    student_call,
)
from dl4lib.gradient_check import rel_error

FORBIDDEN = forbidden_modules("dl4lib.backprop", "dl4lib.vectorization")
"""What unit 9's exercises must not call: the references and the deep-learning frameworks."""


def _show(value):
    arr = np.asarray(value)
    with np.printoptions(precision=5, threshold=12, edgeitems=2):
        text = np.array2string(arr, separator=", ")
    return text if arr.ndim == 0 else f"{text} (shape {arr.shape})"


def _fail(lines, hint=""):
    if hint:
        lines.append(f"Hint: {hint}")
    raise CheckError("\n".join(lines))


def _run(func, args, call, hint=""):
    """func(*args) as `student_call` runs it: floating-point errors raised, warnings and stderr
    output caught and shown as a note (they cost no points); every failure becomes a CheckError.

    Calls into the references are not watched here: a network is checked on the reference nodes.
    """
    return student_call(func, args, name=call.split("(")[0], call=call, hint=hint)


def _check_node_class(cls, forbidden, name):
    """Fail when `cls` derives from, or one of its methods calls, something in `forbidden`."""
    if not inspect.isclass(cls):
        raise CheckError(f"{name} should be a class, got {cls!r}.")
    prefixes = tuple(f for f in forbidden if isinstance(f, str))
    for base in cls.__mro__[1:]:
        if any(base.__module__ == p or base.__module__.startswith(p + ".") for p in prefixes):
            raise CheckError(f"{name} inherits from {base.__module__}.{base.__qualname__}; write "
                             "the node yourself, the library version is only the reference.")
    for attr, value in vars(cls).items():
        if inspect.isfunction(value):
            check_not_delegating(value, forbidden, name=f"{name}.{attr}")


def _nodes(model):
    return list(getattr(model, "nodes", [model]))


def _unchanged(before, after, what, call, hint):
    if not np.array_equal(before, after):
        _fail([f"{call} changed {what} in place.",
               f"  before: {_show(before)}", f"  after:  {_show(after)}",
               "  Do not modify the arguments (or the arrays you cached): compute new arrays, "
               "e.g. np.where(...) or x * mask instead of x[mask] = 0."], hint)


def _compare(mine, ref, x, dout, name, *, atol, rtol, hint):
    """Run forward and backward of `mine` and `ref` on the same data and compare everything."""
    x_in, shown_x = np.array(x, copy=True), f"x = {_show(x)}"
    out = _run(mine.forward, (x_in,), f"{name}.forward(x)", hint)
    expected_out = ref.forward(np.array(x, copy=True))
    check_array(out, expected_out, name=f"{name}.forward(x)", input_desc=shown_x, atol=atol,
                rtol=rtol, hint=hint)
    _unchanged(x, x_in, "its input x", f"{name}.forward(x)", hint)
    dout_in = np.array(dout, copy=True)
    dx = _run(mine.backward, (dout_in,), f"{name}.backward(dout)", hint)
    expected_dx = ref.backward(np.array(dout, copy=True))
    _check_gradient(dx, expected_dx, f"{name}.backward(dout), that is dL/dx,",
                    f"{shown_x} and dout = {_show(dout)}", atol, rtol, hint)
    _unchanged(dout, dout_in, "dout", f"{name}.backward(dout)", hint)
    _unchanged(x, x_in, "x", f"{name}.backward(dout)", hint)
    mine_nodes, ref_nodes = _nodes(mine), _nodes(ref)
    for i, (m, r) in enumerate(zip(mine_nodes, ref_nodes, strict=True)):
        where = name if len(ref_nodes) == 1 else f"{name}.nodes[{i}]"
        grads, params = getattr(m, "grads", None), getattr(m, "params", None)
        if not isinstance(grads, dict) or not isinstance(params, dict):
            _fail([f"{where} needs the dicts `params` and `grads` (name -> array) of the node "
                   f"contract; got params={params!r}, grads={grads!r}."], hint)
        for key, expected in r.grads.items():
            if key not in grads:
                _fail([f"after backward, {where}.grads has no entry {key!r} (it has "
                       f"{sorted(grads)}): backward must fill grads[{key!r}] = dL/d{key}."], hint)
            _check_gradient(grads[key], expected, f"{where}.grads[{key!r}]",
                            f"{shown_x} and dout = {_show(dout)}", atol, rtol, hint)
        for key, expected in r.params.items():
            check_array(params.get(key), expected, name=f"{where}.params[{key!r}] after backward",
                        atol=0, rtol=0, hint="backward computes gradients; it must not change "
                        "the parameters (the optimizer does that).")


def _check_gradient(got, expected, name, inputs, atol, rtol, hint):
    """check_array with the gradient's relative error (CS231n's measure) added to the message."""
    try:
        check_array(got, expected, name=name, input_desc=inputs, atol=atol, rtol=rtol, hint=hint)
    except CheckError as err:
        try:
            extra = f"\n  relative error (gradient_check.rel_error): {rel_error(got, expected):.2e}"
        except (TypeError, ValueError):
            extra = ""
        raise CheckError(f"{err}{extra}") from None


def check_node(node_class, reference_class, args, x, dout, *, name=None, forbidden=FORBIDDEN,
               atol=1e-8, rtol=1e-6, hint=""):
    """Check a student's node class against the reference on one forward and backward pass.

    Args:
        node_class: the student's class, following the node contract of `dl4lib.backprop`.
        reference_class: the reference class, built from the same arguments.
        args: tuple of constructor arguments (deep-copied for each node, so a random generator
            in them gives both nodes the same draws).
        x: the input batch; dout: the upstream gradient, of the shape of the output.
        name: the class's name in messages; defaults to `node_class.__name__`.
        forbidden: objects or module prefixes the class must not use (see
            `dl4lib.checks.forbidden_calls`).
        atol, rtol: tolerances, as in `check_array`.
        hint: one sentence that helps fix the most likely mistake.
    """
    name = name or getattr(node_class, "__name__", "your node")
    _check_node_class(node_class, forbidden, name)
    mine = _run(node_class, copy.deepcopy(tuple(args)), f"{name}(...)", hint)
    ref = reference_class(*copy.deepcopy(tuple(args)))
    _compare(mine, ref, x, dout, name, atol=atol, rtol=rtol, hint=hint)


def check_model(model_class, reference_class, make_nodes, x, dout, *, name=None,
                forbidden=FORBIDDEN, atol=1e-8, rtol=1e-6, hint=""):
    """Check a student's network class (e.g. `Sequential`) built on the reference nodes.

    Args:
        model_class: the student's class; `model_class(nodes)` must keep the nodes in `.nodes`.
        reference_class: the reference class with the same constructor.
        make_nodes: function () -> a fresh list of reference nodes (called once per model).
        x, dout, name, forbidden, atol, rtol, hint: as in `check_node`.
    """
    name = name or getattr(model_class, "__name__", "your model")
    _check_node_class(model_class, forbidden, name)
    mine = _run(model_class, (make_nodes(),), f"{name}(nodes)", hint)
    ref = reference_class(make_nodes())
    if len(_nodes(mine)) != len(ref.nodes):
        _fail([f"{name}(nodes).nodes should hold the {len(ref.nodes)} nodes it was given."], hint)
    _compare(mine, ref, x, dout, name, atol=atol, rtol=rtol, hint=hint)


def check_loss(func, reference, cases, *, name=None, forbidden=FORBIDDEN, atol=1e-8, rtol=1e-6,
               hint=""):
    """Check a loss function loss(pred, target) -> (value, dpred) against the reference.

    Args:
        func: the student's loss function.
        reference: the reference loss function.
        cases: list of (pred, target) pairs.
        name, forbidden, atol, rtol, hint: as in `check_node`.
    """
    name = name or getattr(func, "__name__", "your loss")
    if not callable(func):
        raise CheckError(f"{name} should be a function, got {func!r}.")
    check_not_delegating(func, forbidden, name=name)
    for pred, target in cases:
        pred_in, target_in = np.array(pred, copy=True), np.array(target, copy=True)
        inputs = f"pred = {_show(pred)} and target = {_show(target)}"
        call = f"{name}(pred, target)"
        got = _run(func, (pred_in, target_in), call, hint)
        value, grad = reference(np.array(pred, copy=True), np.array(target, copy=True))
        if not isinstance(got, tuple) or len(got) != 2:
            _fail([f"{call} should return a pair (loss, dpred); got {got!r:.200}."], hint)
        check_array(got[0], value, name=f"the loss value of {name}", input_desc=inputs, atol=atol,
                    rtol=rtol, hint=hint)
        _check_gradient(got[1], grad, f"the gradient dpred of {name}", inputs, atol, rtol, hint)
        _unchanged(pred, pred_in, "pred", call, hint)
        _unchanged(target, target_in, "target", call, hint)


def check_training(train, reference_train, make_model, x, y, loss, *, seed, name=None,
                   forbidden=FORBIDDEN, atol=1e-8, rtol=1e-6, hint="", **kwargs):
    """Check a training loop: the same model, data and seed must give the same losses and weights.

    Args:
        train: the student's function train(model, x, y, loss, *, rng, **kwargs) -> losses.
        reference_train: the reference with the same signature.
        make_model: function () -> a fresh model (the same initial weights at every call).
        x, y, loss: the data and the loss function.
        seed: the seed of the `np.random.Generator` passed as `rng` to both loops.
        name, forbidden, atol, rtol, hint: as in `check_node`.
        **kwargs: the hyper-parameters (epochs, batch_size, learning_rate, momentum).
    """
    name = name or getattr(train, "__name__", "your training loop")
    check_not_delegating(train, forbidden, name=name)
    settings = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    call = f"{name}(model, x, y, {getattr(loss, '__name__', 'loss')}, {settings}, rng=seed {seed})"
    mine, ref = make_model(), make_model()
    x_in, y_in = np.array(x, copy=True), np.array(y, copy=True)
    got = _run(lambda: train(mine, x_in, y_in, loss, rng=np.random.default_rng(seed), **kwargs),
               (), call, hint)
    expected = reference_train(ref, np.array(x, copy=True), np.array(y, copy=True), loss,
                               rng=np.random.default_rng(seed), **kwargs)
    if got is None:
        _fail([f"{call} returned None: return the list of the loss of every step."], hint)
    check_array(np.asarray(got, dtype=np.float64).ravel(), np.asarray(expected),
                name=f"the list of step losses returned by {call}", atol=atol, rtol=rtol,
                hint=hint)
    for i, (m, r) in enumerate(zip(_nodes(mine), _nodes(ref), strict=True)):
        for key, value in r.params.items():
            check_array(m.params[key], value, name=f"model.nodes[{i}].params[{key!r}] after "
                        f"{call}", atol=atol, rtol=rtol, hint=hint)
    _unchanged(x, x_in, "x", call, hint)
    _unchanged(y, y_in, "y", call, hint)
