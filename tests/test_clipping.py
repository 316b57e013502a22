"""Tests for dl4lib.clipping: clipping by value and by global norm."""

import numpy as np
import pytest
import tensorflow as tf

from dl4lib.clipping import clip_by_global_norm, clip_by_value, global_norm

GRADS = [tf.constant([3.0, -0.2, -7.0]), tf.constant([[0.5, -1.5], [4.0, 0.0]])]


def test_clip_by_value_clamps_each_entry_and_keeps_shapes():
    clipped = clip_by_value(GRADS, 1.0)
    assert [c.shape for c in clipped] == [(3,), (2, 2)]
    np.testing.assert_array_equal(clipped[0], np.float32([1.0, -0.2, -1.0]))
    np.testing.assert_array_equal(clipped[1], np.float32([[0.5, -1.0], [1.0, 0.0]]))


def test_global_norm_is_the_norm_of_all_entries_together():
    entries = np.concatenate([np.ravel(g.numpy()) for g in GRADS])
    np.testing.assert_allclose(global_norm(GRADS), np.linalg.norm(entries), rtol=1e-6)


def test_clip_by_global_norm_rescales_to_the_cap_and_keeps_the_direction():
    norm = float(global_norm(GRADS))
    clipped = clip_by_global_norm(GRADS, 2.0)
    np.testing.assert_allclose(global_norm(clipped), 2.0, rtol=1e-6)
    for c, g in zip(clipped, GRADS, strict=True):
        np.testing.assert_allclose(c, g.numpy() * 2.0 / norm, rtol=1e-6)


def test_clip_by_global_norm_leaves_small_gradients_unchanged():
    clipped = clip_by_global_norm(GRADS, 100.0)
    for c, g in zip(clipped, GRADS, strict=True):
        np.testing.assert_array_equal(c, g)


def test_clip_by_global_norm_agrees_with_tensorflow():
    expected, _ = tf.clip_by_global_norm(GRADS, 3.0)
    for c, e in zip(clip_by_global_norm(GRADS, 3.0), expected, strict=True):
        np.testing.assert_allclose(c, e, rtol=1e-6)


@pytest.mark.parametrize(("clip", "name"), [(clip_by_value, "clipvalue"),
                                            (clip_by_global_norm, "global_clipnorm")])
@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), "1"])
def test_bad_threshold_raises_value_error_naming_it(clip, name, value):
    with pytest.raises(ValueError, match=rf"argument `{name}`\. Expected a (finite )?float value > 0\. "
                                         rf"Received: {name}="):
        clip(GRADS, value)
