import numpy as np
import pytest

from dl4lib import activations as A
from dl4lib.gradient_flow import layer_gradient_norms, random_mlp_weights


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_matches_gradient_tape(name):
    import tensorflow as tf

    sizes = [5, 4, 6, 3]
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.7, size=(m, n)) for m, n in zip(sizes[:-1], sizes[1:], strict=True)]
    x = rng.normal(size=(8, 5))
    f, df = A.ACTIVATIONS[name]
    tf_f = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "relu": tf.nn.relu}[name]
    zs = []
    with tf.GradientTape() as tape:
        a = tf.constant(x)
        for w in weights:
            z = a @ tf.constant(w)
            tape.watch(z)
            zs.append(z)
            a = tf_f(z)
        loss = tf.reduce_sum(a)
    grads = tape.gradient(loss, zs)
    expected = [np.sqrt(np.mean(g.numpy() ** 2)) for g in grads]
    np.testing.assert_allclose(layer_gradient_norms(weights, x, f, df), expected, rtol=1e-10)


def test_sigmoid_gradient_vanishes_and_relu_with_he_scale_does_not():
    x = np.random.default_rng(1).normal(size=(128, 50))
    sig = layer_gradient_norms(random_mlp_weights(20, 50, np.sqrt(1 / 50)), x,
                               A.sigmoid, A.sigmoid_derivative)
    relu = layer_gradient_norms(random_mlp_weights(20, 50, np.sqrt(2 / 50)), x,
                                A.relu, A.relu_derivative)
    assert sig[0] / sig[-1] < 1e-9
    assert 0.1 < relu[0] / relu[-1] < 10


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"shape \(N, n_0\)"):
        layer_gradient_norms([np.eye(3)], np.ones(3), A.tanh, A.tanh_derivative)
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        layer_gradient_norms([np.eye(3), np.ones((4, 2))], np.ones((2, 3)), A.tanh,
                             A.tanh_derivative)
