"""Grading a saved model in a separate process: tiers of points, and a clear 0 for bad files.

The test set is the fast-mode one (synthetic, 1,000 balanced images); `tests/model_files.py`
builds models that are right on exactly a known fraction of it.
"""

import zipfile

import keras
import numpy as np
import pytest

from dl4lib.augment import RandomCropFlip
from dl4lib.checks import CheckError
from dl4lib.checks.models import (
    MAX_BYTES,
    TIERS,
    check_accuracy,
    check_model_loads,
    evaluate_saved_model,
    evaluate_saved_models,
    tier_points,
)
from dl4lib.resnet import resnet9, with_flip_tta
from tests.model_files import oracle_model

ACCURACY = {"acc50.keras": 5, "acc60.keras": 4, "acc80.keras": 2, "acc90.keras": 1,
            "acc100.keras": 0}  # file -> classes the model never predicts
EXPECTED_POINTS = {"acc50.keras": 0, "acc60.keras": 1, "acc80.keras": 2, "acc90.keras": 4,
                   "acc100.keras": 5}


@keras.saving.register_keras_serializable(package="student")
class Scale(keras.layers.Layer):
    """A layer a student defines in the notebook: the grader cannot import it."""

    def call(self, x):
        return x / 255.0


def small_model(first_layers, input_shape=(32, 32, 3), classes=10):
    inputs = keras.Input(input_shape)
    x = inputs
    for layer in first_layers:
        x = layer(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(classes)(x))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every model file below, graded by one call (one worker process)."""
    folder = tmp_path_factory.mktemp("models")
    for name, wrong in ACCURACY.items():
        oracle_model(wrong).save(folder / name)
    small_model([keras.layers.Lambda(lambda t: t / 255.0)]).save(folder / "lambda.keras")
    small_model([Scale()]).save(folder / "custom.keras")
    small_model([], input_shape=(28, 28, 1)).save(folder / "mnist_shape.keras")
    small_model([], classes=5).save(folder / "five_classes.keras")
    model = with_flip_tta(resnet9(mean=[125.0] * 3, std=[60.0] * 3, width=2))
    keras.Sequential([keras.Input((32, 32, 3)), RandomCropFlip(4), model]).save(folder / "dl4lib.keras")
    with zipfile.ZipFile(folder / "garbage.keras", "w") as z:
        z.writestr("config.json", "{ not json")
    names = [*ACCURACY, "lambda.keras", "custom.keras", "mnist_shape.keras", "five_classes.keras",
             "dl4lib.keras", "garbage.keras"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DL4_FAST", "1")
        reports = evaluate_saved_models([folder / n for n in names])
    return dict(zip(names, reports, strict=True))


def test_models_built_for_each_tier_get_exactly_its_points(graded):
    for name, wrong in ACCURACY.items():
        report = graded[name]
        assert report.error is None, report.error
        assert report.n_images == 1000 and report.data.startswith("SYNTHETIC")
        assert report.accuracy == (10 - wrong) / 10, name
        assert tier_points(report.accuracy) == EXPECTED_POINTS[name]
        passed = 0
        for tier in TIERS:
            try:
                check_accuracy(report, tier)
                passed += 1
            except CheckError as err:
                assert f"this cell needs {tier:.0%}" in str(err)
        assert passed == EXPECTED_POINTS[name], name


def test_dl4lib_layers_load_with_safe_mode(graded):
    report = graded["dl4lib.keras"]
    assert report.error is None and 0 <= report.accuracy <= 1


@pytest.mark.parametrize("name, message", [
    ("lambda.keras", "contains a Lambda layer"),
    ("custom.keras", "uses the class 'Scale', which is neither part of Keras"),
    ("mnist_shape.keras", "takes inputs of shape (None, 28, 28, 1)"),
    ("five_classes.keras", "has outputs of shape (None, 5); expected (None, 10)"),
    ("garbage.keras", "garbage.keras could not be loaded"),
])
def test_bad_models_get_zero_with_their_message(graded, name, message):
    report = graded[name]
    assert report.accuracy is None and message in report.error
    for check in (check_model_loads, lambda r: check_accuracy(r, 0.0)):
        with pytest.raises(CheckError) as info:
            check(report)
        assert message in str(info.value)


def test_files_refused_without_loading_them(tmp_path):
    sparse = tmp_path / "big.keras"
    with open(sparse, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # a sparse file: no disk is used
    (tmp_path / "model.h5").write_bytes(b"\x89HDF")
    (tmp_path / "truncated.keras").write_bytes(b"PK\x03\x04 cut off")
    cases = {"missing.keras": "was not found in", "big.keras": "over the 97.7 MiB that nbgrader",
             "model.h5": "is not a .keras file", "truncated.keras": "truncated or corrupt"}
    for name, message in cases.items():
        report = evaluate_saved_model(tmp_path / name, np.zeros((10, 32, 32, 3)), np.zeros(10))
        assert report.accuracy is None and message in report.error, report.error


def test_a_missing_test_set_is_reported_not_raised(tmp_path, monkeypatch):
    oracle_model(0).save(tmp_path / "model.keras")
    monkeypatch.delenv("DL4_FAST", raising=False)
    monkeypatch.setenv("DL4_CIFAR10_DIR", str(tmp_path / "no_data_here"))
    report = evaluate_saved_model(tmp_path / "model.keras")
    assert "could not load the test set" in report.error and "does not exist" in report.error


def test_a_model_past_the_time_limit_gets_zero_with_a_message(tmp_path):
    oracle_model(0).save(tmp_path / "model.keras")
    x, y = np.zeros((10, 32, 32, 3), np.uint8), np.zeros(10)
    report = evaluate_saved_model(tmp_path / "model.keras", x, y, timeout=1)
    assert report.accuracy is None and "grader's limit of 1 s" in report.error
