"""dl4lib.vectorization: the matrix-product versions agree with plain loops."""

import numpy as np
import pytest

from dl4lib.vectorization import loss_grid, pairwise_sq_distances


def test_loss_grid_equals_the_double_loop():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 2)), rng.normal(size=30)
    W1, W2 = np.meshgrid(np.linspace(-2, 2, 5), np.linspace(-1, 3, 4))
    expected = np.array([[np.mean((x @ [w1, w2] - y) ** 2) for w1, w2 in zip(r1, r2, strict=True)]
                         for r1, r2 in zip(W1, W2, strict=True)])
    np.testing.assert_allclose(loss_grid(x, y, W1, W2), expected, rtol=1e-12)


def test_loss_grid_is_the_seed_one_liner_for_a_column_target():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 1))
    W1, W2 = np.meshgrid(np.arange(3), np.arange(4))  # integer grids: the result is still float
    seed = np.mean((x.dot(np.vstack([W1.ravel(), W2.ravel()])) - y) ** 2, axis=0).reshape(W1.shape)
    np.testing.assert_allclose(loss_grid(x, y.ravel(), W1, W2), seed, rtol=1e-12)


def test_pairwise_sq_distances_equals_broadcasting():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(7, 3)), rng.normal(size=(5, 3))
    expected = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)
    np.testing.assert_allclose(pairwise_sq_distances(a, b), expected, rtol=1e-10, atol=1e-12)
    assert (pairwise_sq_distances(a, a).diagonal() >= 0).all()


def test_bad_shapes_name_the_expected_and_the_received_shape():
    with pytest.raises(ValueError, match=r"`b`. Expected an array of shape \(M, 3\). "
                                         r"Received: b.shape=\(5, 2\)"):
        pairwise_sq_distances(np.zeros((4, 3)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"`x`. Expected an array of shape \(N, 2\). "
                                         r"Received: x.shape=\(4, 3\)"):
        loss_grid(np.zeros((4, 3)), np.zeros(4), np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"`y`. Expected an array of shape \(4,\)"):
        loss_grid(np.zeros((4, 2)), np.zeros(3), np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"shape \(2, 2\). Received: W2.shape=\(3, 2\)"):
        loss_grid(np.zeros((4, 2)), np.zeros(4), np.zeros((2, 2)), np.zeros((3, 2)))
