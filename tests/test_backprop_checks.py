"""dl4lib.checks.backprop: the graders of unit 9 pass correct answers and fail wrong ones."""

import numpy as np
import pytest

from dl4lib import backprop
from dl4lib.checks import CheckError
from dl4lib.checks.backprop import check_loss, check_model, check_node, check_training

RNG = np.random.default_rng(0)
W, B = RNG.normal(size=(3, 2)), RNG.normal(size=2)
X, DOUT = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 2))


class MyLinear:
    """A correct student answer, written differently from the reference."""

    def __init__(self, W, b):
        self.params = {"W": np.array(W, dtype=float), "b": np.array(b, dtype=float)}
        self.grads = {}

    def forward(self, x):
        self.cache = np.array(x, dtype=float)
        return np.einsum("nd,dm->nm", self.cache, self.params["W"]) + self.params["b"]

    def backward(self, dout):
        self.grads = {"W": (dout.T @ self.cache).T, "b": np.ones(len(dout)) @ dout}
        return np.einsum("nm,dm->nd", dout, self.params["W"])


def student(**overrides):
    """MyLinear with some methods replaced."""
    return type("Linear", (MyLinear,), overrides)


def test_a_correct_node_written_differently_passes():
    check_node(MyLinear, backprop.Linear, (W, B), X, DOUT)



def test_warnings_and_stderr_of_a_correct_node_cost_nothing(capsys):
    def forward(self, x):
        import sys
        import warnings

        print("debug: x has shape", np.shape(x), file=sys.stderr)
        warnings.warn("an old API", DeprecationWarning, stacklevel=1)
        return MyLinear.forward(self, x)

    check_node(student(forward=forward), backprop.Linear, (W, B), X, DOUT)
    out, err = capsys.readouterr()
    assert err == ""
    assert "Note: Linear.forward printed warnings or to stderr" in out
    assert "debug: x has shape (4, 3)" in out and "DeprecationWarning: an old API" in out

def test_the_reference_passes_against_itself_for_every_node():
    for cls, args, x in ((backprop.ReLU, (), X), (backprop.Sigmoid, (), X),
                         (backprop.BatchNorm, (np.ones(3), np.zeros(3)), X),
                         (backprop.Dropout, (0.5, np.random.default_rng(1)), X)):
        check_node(cls, cls, args, x, RNG.normal(size=x.shape), forbidden=())


def test_a_transposed_gradient_fails_with_shapes_and_relative_error():
    def backward(self, dout):
        self.grads = {"W": dout.T @ self.cache, "b": dout.sum(axis=0)}
        return dout @ self.params["W"].T

    with pytest.raises(CheckError, match=r"(?s)grads\['W'\].*expected shape \(3, 2\), got shape \(2, 3\)"):
        check_node(student(backward=backward), backprop.Linear, (W, B), X, DOUT)


def test_a_slightly_wrong_gradient_reports_its_relative_error():
    def backward(self, dout):
        self.grads = {"W": self.cache.T @ dout * 1.001, "b": dout.sum(axis=0)}
        return dout @ self.params["W"].T

    with pytest.raises(CheckError, match=r"relative error \(gradient_check.rel_error\): 5.00e-04"):
        check_node(student(backward=backward), backprop.Linear, (W, B), X, DOUT)


def test_changing_the_input_in_place_fails():
    def forward(self, x):
        out = MyLinear.forward(self, x)
        x[0, 0] = 99.0  # e.g. a scratch computation in the caller's array
        return out

    with pytest.raises(CheckError, match="changed its input x in place"):
        check_node(student(forward=forward), backprop.Linear, (W, B), X, DOUT)


def test_backward_that_updates_the_parameters_fails():
    def backward(self, dout):
        dx = MyLinear.backward(self, dout)
        self.params["W"] -= 0.1 * self.grads["W"]
        return dx

    with pytest.raises(CheckError, match="must not change"):
        check_node(student(backward=backward), backprop.Linear, (W, B), X, DOUT)


def test_a_missing_gradient_entry_is_named():
    def backward(self, dout):
        self.grads = {"W": self.cache.T @ dout}
        return dout @ self.params["W"].T

    with pytest.raises(CheckError, match=r"no entry 'b'"):
        check_node(student(backward=backward), backprop.Linear, (W, B), X, DOUT)


def test_the_stub_says_not_implemented():
    def backward(self, dout):
        raise NotImplementedError()

    with pytest.raises(CheckError, match="not implemented yet"):
        check_node(student(backward=backward), backprop.Linear, (W, B), X, DOUT)


def test_delegating_to_the_reference_fails():
    def backward(self, dout):
        node = backprop.Linear(self.params["W"], self.params["b"])
        node.forward(self.cache)
        dx = node.backward(dout)
        self.grads = node.grads
        return dx

    with pytest.raises(CheckError, match="dl4lib.backprop|backprop.Linear"):
        check_node(type("Linear", (), {**{k: v for k, v in vars(MyLinear).items()
                                          if k not in ("__dict__", "__weakref__")},
                                       "backward": backward}),
                   backprop.Linear, (W, B), X, DOUT)
    with pytest.raises(CheckError, match="inherits from dl4lib.backprop.Linear"):
        check_node(type("Linear", (backprop.Linear,), {}), backprop.Linear, (W, B), X, DOUT)


def test_overflow_is_reported_as_a_floating_point_error():
    def naive(logits, labels):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return -np.log(p[np.arange(len(labels)), labels]).mean(), p

    with pytest.raises(CheckError, match="floating-point error: overflow"):
        check_loss(naive, backprop.softmax_cross_entropy,
                   [(np.array([[1000.0, 0.0]]), np.array([0]))])


def test_a_loss_must_return_a_pair():
    with pytest.raises(CheckError, match=r"pair \(loss, dpred\)"):
        check_loss(lambda p, t: float(np.mean((p - t) ** 2)), backprop.mse,
                   [(np.ones((2, 2)), np.zeros((2, 2)))], name="mse")


def test_sequential_check_passes_the_reference_and_fails_forward_order_backward():
    def make_nodes():
        return [backprop.Linear(W, B), backprop.ReLU(), backprop.Linear(np.eye(2), np.zeros(2))]

    check_model(backprop.Sequential, backprop.Sequential, make_nodes, X, DOUT, forbidden=())

    class Forward(backprop.Sequential):
        def backward(self, dout):
            for node in self.nodes:
                dout = node.backward(dout)
            return dout

    with pytest.raises(CheckError):
        check_model(Forward, backprop.Sequential, make_nodes, X, DOUT, forbidden=())


def make_model():
    return backprop.Sequential([backprop.Linear(W, B), backprop.Sigmoid()])


def test_training_check_passes_the_reference_and_fails_plain_sgd():
    x, y = RNG.normal(size=(9, 3)), RNG.normal(size=(9, 2))
    settings = {"epochs": 2, "batch_size": 4, "learning_rate": 0.1, "momentum": 0.9}
    check_training(backprop.train, backprop.train, make_model, x, y, backprop.mse, seed=0,
                   forbidden=(), **settings)

    def plain_sgd(model, x, y, loss, *, momentum, **kwargs):
        return backprop.train(model, x, y, loss, momentum=0.0, **kwargs)

    with pytest.raises(CheckError, match="step losses"):
        check_training(plain_sgd, backprop.train, make_model, x, y, backprop.mse, seed=0,
                       forbidden=(), **settings)
