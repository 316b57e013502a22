"""dl4lib.backprop: every backward pass against tf.GradientTape on the same weights and inputs."""

import copy

import keras
import numpy as np
import pytest
import tensorflow as tf

from dl4lib import activations, backprop
from dl4lib.gradient_check import numerical_gradient, numerical_gradient_array, rel_error


def tape_gradients(fn, x, params, dout):
    """Gradients of sum(fn(x, params) * dout) with respect to x and every parameter, by TF."""
    x_var = tf.Variable(x, dtype=tf.float64)
    p_vars = {k: tf.Variable(v, dtype=tf.float64) for k, v in params.items()}
    with tf.GradientTape() as tape:
        out = fn(x_var, p_vars)
        scalar = tf.reduce_sum(out * tf.constant(dout, dtype=tf.float64))
    grads = tape.gradient(scalar, [x_var, *p_vars.values()])
    return out.numpy(), grads[0].numpy(), dict(zip(p_vars, (g.numpy() for g in grads[1:]),
                                                   strict=True))


def run_node(node, x, dout):
    out = node.forward(x)
    return out, node.backward(dout), node.grads


RNG = np.random.default_rng(0)
X = RNG.normal(size=(6, 4))


def test_linear_matches_gradient_tape():
    W, b = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    dout = RNG.normal(size=(6, 3))
    out, dx, grads = run_node(backprop.Linear(W, b), X, dout)
    tf_out, tf_dx, tf_grads = tape_gradients(lambda x, p: x @ p["W"] + p["b"], X,
                                             {"W": W, "b": b}, dout)
    np.testing.assert_allclose(out, tf_out, rtol=1e-12)
    np.testing.assert_allclose(dx, tf_dx, rtol=1e-12)
    for key in ("W", "b"):
        np.testing.assert_allclose(grads[key], tf_grads[key], rtol=1e-12)


@pytest.mark.parametrize(("node", "tf_fn"), [
    (backprop.Sigmoid, tf.sigmoid),
    (backprop.ReLU, tf.nn.relu),
    (lambda: backprop.Activation(activations.tanh, activations.tanh_derivative), tf.tanh),
    (lambda: backprop.Activation(activations.elu, activations.elu_derivative), tf.nn.elu),
    (lambda: backprop.Activation(activations.swish, activations.swish_derivative), tf.nn.silu),
])
def test_activations_match_gradient_tape(node, tf_fn):
    x = np.concatenate([X, [[0.0, -30.0, 30.0, 1e-3]]])  # the kink, saturation and a small value
    dout = RNG.normal(size=x.shape)
    out, dx, grads = run_node(node(), x, dout)
    tf_out, tf_dx, _ = tape_gradients(lambda v, _: tf_fn(v), x, {}, dout)
    np.testing.assert_allclose(out, tf_out, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx, tf_dx, rtol=1e-9, atol=1e-15)
    assert grads == {}


def test_relu_gradient_at_zero_is_zero_as_in_tensorflow():
    node = backprop.ReLU()
    node.forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(node.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])


def test_sigmoid_backward_uses_the_cached_output():
    node = backprop.Sigmoid()
    out = node.forward(np.array([[0.0, 2.0]]))
    node.out = np.array([[0.5, 0.5]])  # backward must read only the cached output
    np.testing.assert_allclose(node.backward(np.ones((1, 2))), [[0.25, 0.25]])
    assert out[0, 1] == pytest.approx(activations.sigmoid(2.0))


@pytest.mark.parametrize("epsilon", [1e-3, 0.5])
def test_batch_norm_matches_gradient_tape(epsilon):
    gamma, beta = RNG.uniform(0.5, 2.0, size=4), RNG.normal(size=4)
    x = X * [1.0, 10.0, 0.1, 3.0] + [0.0, 5.0, -2.0, 100.0]
    dout = RNG.normal(size=x.shape)

    def tf_bn(v, p):
        mean, var = tf.nn.moments(v, axes=[0])
        return tf.nn.batch_normalization(v, mean, var, p["beta"], p["gamma"], epsilon)

    out, dx, grads = run_node(backprop.BatchNorm(gamma, beta, epsilon), x, dout)
    tf_out, tf_dx, tf_grads = tape_gradients(tf_bn, x, {"gamma": gamma, "beta": beta}, dout)
    np.testing.assert_allclose(out, tf_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, tf_dx, rtol=1e-8, atol=1e-12)
    for key in ("gamma", "beta"):
        np.testing.assert_allclose(grads[key], tf_grads[key], rtol=1e-10)


def test_batch_norm_matches_keras_layer_in_training():
    gamma, beta = RNG.uniform(0.5, 2.0, size=4), RNG.normal(size=4)
    layer = keras.layers.BatchNormalization(epsilon=1e-3, dtype="float64")
    layer.build((None, 4))
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    x = tf.Variable(X)
    dout = RNG.normal(size=X.shape)
    with tf.GradientTape() as tape:
        scalar = tf.reduce_sum(layer(x, training=True) * dout)
    tf_dx, tf_dgamma = tape.gradient(scalar, [x, layer.gamma])
    node = backprop.BatchNorm(gamma, beta, 1e-3)
    node.forward(X)
    np.testing.assert_allclose(node.backward(dout), tf_dx.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(node.grads["gamma"], tf_dgamma.numpy(), rtol=1e-8)


def test_batch_norm_gradient_sums_to_zero_over_the_batch():
    """Shifting every example by the same amount does not change the output: sum_n dx = 0."""
    node = backprop.BatchNorm(np.ones(4), np.zeros(4))
    node.forward(X)
    np.testing.assert_allclose(node.backward(RNG.normal(size=X.shape)).sum(axis=0), 0, atol=1e-12)


def test_dropout_backward_matches_numerical_gradient_with_the_same_mask():
    node = backprop.Dropout(0.4, np.random.default_rng(3))
    dout = RNG.normal(size=X.shape)
    twin_rng = np.random.default_rng(3)

    def forward_with_the_same_mask(v):
        return backprop.Dropout(0.4, copy.deepcopy(twin_rng)).forward(v)

    node.forward(X)
    assert rel_error(node.backward(dout), numerical_gradient_array(forward_with_the_same_mask, X,
                                                                   dout)) < 1e-8


def test_dropout_draws_unit_5s_mask_and_scales_kept_units():
    from dl4lib.regularization import dropout_forward

    node = backprop.Dropout(0.3, np.random.default_rng(5))
    out = node.forward(X)
    np.testing.assert_array_equal(out, dropout_forward(X, 0.3, True, np.random.default_rng(5)))
    dx = node.backward(np.ones_like(X))
    np.testing.assert_array_equal(dx, np.where(out != 0, 1 / 0.7, 0.0))


def test_dropout_at_inference_is_the_identity_both_ways():
    rng = np.random.default_rng(0)
    state = copy.deepcopy(rng.bit_generator.state)
    node = backprop.Dropout(0.5, rng, training=False)
    np.testing.assert_array_equal(node.forward(X), X)
    np.testing.assert_array_equal(node.backward(X), X)
    assert rng.bit_generator.state == state, "inference must not draw"


def test_dropout_rejects_a_bad_rate():
    with pytest.raises(ValueError, match="rate=1.0"):
        backprop.Dropout(1.0, np.random.default_rng(0))


def test_softmax_cross_entropy_matches_tensorflow():
    logits, labels = RNG.normal(size=(5, 3)) * 4, np.array([0, 2, 1, 1, 0])
    loss, grad = backprop.softmax_cross_entropy(logits, labels)
    z = tf.Variable(logits)
    with tf.GradientTape() as tape:
        tf_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, z))
    assert loss == pytest.approx(tf_loss.numpy(), rel=1e-12)
    np.testing.assert_allclose(grad, tape.gradient(tf_loss, z).numpy(), rtol=1e-10, atol=1e-15)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(grad, (p - np.eye(3)[labels]) / 5, rtol=1e-10)


def test_softmax_cross_entropy_is_stable_for_logits_of_1e4():
    logits = np.array([[1e4, 0.0, -1e4], [1e4, 1e4 - 1.0, 0.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # exp(-1e4) may underflow
        loss, grad = backprop.softmax_cross_entropy(logits, np.array([0, 1]))
    expected = (0.0 + np.log1p(np.exp(-1.0)) + 1.0) / 2
    assert loss == pytest.approx(expected, rel=1e-12)
    assert np.isfinite(grad).all()


@pytest.mark.parametrize(("ours", "theirs"), [
    (backprop.mse, keras.losses.MeanSquaredError(dtype="float64")),
    (backprop.mae, keras.losses.MeanAbsoluteError(dtype="float64")),
])
def test_regression_losses_match_keras(ours, theirs):
    pred, target = RNG.normal(size=(6, 2)), RNG.normal(size=(6, 2))
    pred[0, 0] = target[0, 0]  # MAE's kink: subgradient 0, as TensorFlow
    loss, grad = ours(pred, target)
    p = tf.Variable(pred)
    with tf.GradientTape() as tape:
        tf_loss = theirs(tf.constant(target), p)
    assert loss == pytest.approx(float(tf_loss), rel=1e-12)
    np.testing.assert_allclose(grad, tape.gradient(tf_loss, p).numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("loss", [backprop.mse, backprop.mae, backprop.softmax_cross_entropy])
def test_loss_gradients_match_numerical_gradient(loss):
    pred = RNG.normal(size=(4, 3))
    target = np.array([0, 2, 1, 2]) if loss is backprop.softmax_cross_entropy else RNG.normal(
        size=(4, 3))
    _, grad = loss(pred, target)
    assert rel_error(grad, numerical_gradient(lambda p: loss(p, target)[0], pred)) < 1e-7


def two_layer_net(seed=0, d=2, h=16, c=3):
    rng = np.random.default_rng(seed)
    return backprop.Sequential([
        backprop.Linear(rng.normal(0, np.sqrt(2 / d), (d, h)), np.zeros(h)),
        backprop.ReLU(),
        backprop.Linear(rng.normal(0, np.sqrt(2 / h), (h, h)), rng.normal(0, 0.1, h)),
        backprop.Activation(activations.tanh, activations.tanh_derivative),
        backprop.Linear(rng.normal(0, np.sqrt(1 / h), (h, c)), np.zeros(c)),
    ])


def test_sequential_gradient_matches_gradient_tape():
    model = two_layer_net()
    x, labels = RNG.normal(size=(8, 2)), RNG.integers(0, 3, size=8)
    loss, dlogits = backprop.softmax_cross_entropy(model.forward(x), labels)
    dx = model.backward(dlogits)
    weights = [tf.Variable(n.params[k]) for n in model.nodes for k in ("W", "b") if n.params]
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        h = tf.nn.relu(xv @ weights[0] + weights[1])
        h = tf.tanh(h @ weights[2] + weights[3])
        tf_loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels, h @ weights[4] + weights[5]))
    tf_grads = tape.gradient(tf_loss, [xv, *weights])
    assert loss == pytest.approx(tf_loss.numpy(), rel=1e-12)
    np.testing.assert_allclose(dx, tf_grads[0].numpy(), rtol=1e-9, atol=1e-14)
    ours = [n.grads[k] for n in model.nodes for k in ("W", "b") if n.params]
    for g, t in zip(ours, tf_grads[1:], strict=True):
        np.testing.assert_allclose(g, t.numpy(), rtol=1e-9, atol=1e-14)


def test_sgd_momentum_step_matches_keras_sgd():
    rng = np.random.default_rng(4)
    w0, grads = rng.normal(size=(3, 2)), [rng.normal(size=(3, 2)) for _ in range(5)]
    params, velocities = {"W": w0.copy()}, {}
    var = tf.Variable(w0)
    # Keras keeps the learning rate in float32: 0.125 and 0.875 are exact there.
    opt = keras.optimizers.SGD(learning_rate=0.125, momentum=0.875)
    for g in grads:
        backprop.sgd_momentum_step(params, {"W": g}, velocities, 0.125, 0.875)
        opt.apply([tf.constant(g)], [var])
    np.testing.assert_allclose(params["W"], var.numpy(), rtol=1e-12)


def test_train_matches_keras_sgd_on_the_same_batches():
    x, y = RNG.normal(size=(10, 2)), RNG.integers(0, 3, size=10)
    model = two_layer_net(1)
    keras_model = keras.Sequential([
        keras.Input((2,), dtype="float64"),
        keras.layers.Dense(16, activation="relu", dtype="float64"),
        keras.layers.Dense(16, activation="tanh", dtype="float64"),
        keras.layers.Dense(3, dtype="float64")])
    keras_model.set_weights([n.params[k].copy() for n in model.nodes for k in ("W", "b")
                             if n.params])
    history = backprop.train(model, x, y, backprop.softmax_cross_entropy, epochs=3, batch_size=4,
                             learning_rate=0.125, momentum=0.875, rng=np.random.default_rng(7))
    opt = keras.optimizers.SGD(learning_rate=0.125, momentum=0.875)

    def loss_fn(labels, logits):
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
    rng, keras_history = np.random.default_rng(7), []
    for _ in range(3):
        order = rng.permutation(10)
        for start in range(0, 10, 4):
            batch = order[start:start + 4]
            with tf.GradientTape() as tape:
                loss = loss_fn(y[batch], keras_model(x[batch]))
            opt.apply(tape.gradient(loss, keras_model.trainable_variables),
                      keras_model.trainable_variables)
            keras_history.append(float(loss))
    assert len(history) == 9  # 3 epochs of batches 4, 4, 2
    np.testing.assert_allclose(history, keras_history, rtol=1e-9)
    ours = [n.params[k] for n in model.nodes for k in ("W", "b") if n.params]
    for w, k in zip(ours, keras_model.get_weights(), strict=True):
        np.testing.assert_allclose(w, k, rtol=1e-9, atol=1e-12)


def test_train_learns_a_nonlinear_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)  # XOR of the signs: no linear model gets it
    model = two_layer_net(2, c=2)
    history = backprop.train(model, x, y, backprop.softmax_cross_entropy, epochs=60,
                             batch_size=20, learning_rate=0.1, momentum=0.9, rng=rng)
    accuracy = np.mean(model.forward(x).argmax(axis=1) == y)
    assert np.mean(history[-10:]) < 0.5 * np.mean(history[:10])
    assert accuracy > 0.9, accuracy


def test_momentum_zero_is_plain_sgd():
    params = {"W": np.ones(3)}
    backprop.sgd_momentum_step(params, {"W": np.array([1.0, 2.0, 3.0])}, {}, 0.5, 0.0)
    np.testing.assert_allclose(params["W"], [0.5, 0.0, -0.5])


def test_wrong_shapes_name_the_expected_and_the_received_shape():
    node = backprop.Linear(np.zeros((4, 3)), np.zeros(3))
    with pytest.raises(ValueError, match=r"\(6, 5\).*\(4, 3\)"):
        node.forward(np.zeros((6, 5)))
    node.forward(np.zeros((6, 4)))
    with pytest.raises(ValueError, match=r"\(6, 3\).*\(6, 4\)"):
        node.backward(np.zeros((6, 4)))
    with pytest.raises(ValueError, match=r"`b`. Expected an array of shape \(3,\). "
                                         r"Received: b.shape=\(2,\)"):
        backprop.Linear(np.zeros((4, 3)), np.zeros(2))
    with pytest.raises(ValueError, match=r"`W`. Expected an array of shape \(D, M\)"):
        backprop.Linear(np.zeros(4), np.zeros(2))
    with pytest.raises(ValueError, match=r"`beta`. .*\(2,\). Received: beta.shape=\(3,\)"):
        backprop.BatchNorm(np.ones(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"`target`. .*\(3, 2\). Received: target.shape=\(3, 1\)"):
        backprop.mse(np.zeros((3, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"`pred`. Expected a non-empty array"):
        backprop.mae(np.zeros((0, 2)), np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r"`labels`. .*\(4,\). Received: labels.shape=\(5,\)"):
        backprop.softmax_cross_entropy(np.zeros((4, 3)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(2,\)"):
        backprop.BatchNorm(np.ones(2), np.zeros(2)).forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"`y`. .*\(10,\). Received: y.shape=\(9,\)"):
        backprop.train(two_layer_net(), np.zeros((10, 2)), np.zeros(9, dtype=int),
                       backprop.softmax_cross_entropy, epochs=1, batch_size=2, learning_rate=0.1,
                       momentum=0.9, rng=np.random.default_rng(0))


def test_labels_out_of_range_and_float_labels_are_refused():
    with pytest.raises(ValueError, match=r"\[0, 3\). Received: labels.max\(\)=3"):
        backprop.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"\[0, 3\). Received: labels.min\(\)=-1"):
        backprop.softmax_cross_entropy(np.zeros((2, 3)), np.array([-1, 0]))
    with pytest.raises(ValueError, match="integer class indices.*labels.dtype=float64"):
        backprop.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))


@pytest.mark.parametrize("node", [backprop.Linear(np.zeros((2, 2)), np.zeros(2)), backprop.ReLU(),
                                  backprop.Sigmoid(), backprop.BatchNorm(np.ones(2), np.zeros(2)),
                                  backprop.Dropout(0.5, np.random.default_rng(0))])
def test_backward_before_forward_says_so(node):
    with pytest.raises(RuntimeError, match="before .*forward"):
        node.backward(np.zeros((3, 2)))


def test_nodes_do_not_change_their_arguments():
    x, dout = X.copy(), RNG.normal(size=(6, 4))
    d0 = dout.copy()
    for node in (backprop.ReLU(), backprop.Sigmoid(), backprop.BatchNorm(np.ones(4), np.zeros(4)),
                 backprop.Dropout(0.5, np.random.default_rng(0)),
                 backprop.Linear(np.eye(4), np.zeros(4))):
        node.forward(x)
        node.backward(dout)
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(dout, d0)
