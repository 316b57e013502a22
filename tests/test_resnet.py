"""dl4lib.resnet: the ResNet-9 builder, its registered layers, saving and flip TTA."""

import keras
import numpy as np
import pytest

from dl4lib.resnet import HorizontalFlip, Residual, resnet9, with_flip_tta


def test_page_resnet9_has_6_6_million_weights_and_10_logits():
    model = resnet9(mean=[0.0] * 3, std=[1.0] * 3, width=64)
    assert model.count_params() == pytest.approx(6.57e6, rel=0.01)
    assert model.output_shape == (None, 10)


def test_save_and_reload_with_safe_mode(tmp_path):
    model = with_flip_tta(resnet9(mean=[120.0, 110.0, 100.0], std=[60.0] * 3, width=4))
    x = np.random.default_rng(0).uniform(0, 255, size=(3, 32, 32, 3)).astype("float32")
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)


def test_flip_tta_gives_the_same_logits_for_an_image_and_its_mirror():
    body = resnet9(mean=[0.0] * 3, std=[1.0] * 3, width=2)
    model = with_flip_tta(body)
    x = np.random.default_rng(1).normal(size=(2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(model(x), model(x[:, :, ::-1]), atol=1e-5)
    np.testing.assert_allclose(model(x), (body(x) + body(x[:, :, ::-1])) / 2, atol=1e-5)
    assert model.count_params() == body.count_params()  # shared weights
    np.testing.assert_array_equal(HorizontalFlip()(x), x[:, :, ::-1])


def test_residual_adds_its_input_and_checks_arguments():
    block = Residual(3)
    x = np.random.default_rng(2).normal(size=(1, 4, 4, 3)).astype("float32")
    block(x)
    for conv in block.convs:
        conv.kernel.assign(np.zeros(conv.kernel.shape))
    np.testing.assert_allclose(block(x), x, atol=1e-6)  # zero convolutions: the identity
    with pytest.raises(ValueError, match="filters=0"):
        Residual(0)
    with pytest.raises(ValueError, match="needs inputs with 5 channels"):
        Residual(5)(x)
