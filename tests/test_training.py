"""dl4lib.training: validation split, the tf.data pipeline, per-step schedules, logged runs."""

import keras
import numpy as np
import pytest

from dl4lib.augment import RandomCropFlip
from dl4lib.data import synthetic_cifar10
from dl4lib.experiment_log import ExperimentLog
from dl4lib.training import dataset, train, validation_split


def test_validation_split_is_disjoint_and_complete():
    x = np.arange(20)[:, None].repeat(3, axis=1)
    split = validation_split(x, np.arange(20), n_val=5, seed=1)
    assert len(split.x_val) == 5 and len(split.x_train) == 15
    assert sorted(np.concatenate([split.y_train, split.y_val]).tolist()) == list(range(20))
    with pytest.raises(ValueError, match=r"`n_val`. Expected an integer value in \(0, 20\). "
                                         r"Received: n_val=20"):
        validation_split(x, np.arange(20), n_val=20)
    with pytest.raises(ValueError, match="n_val=2.5"):
        validation_split(x, np.arange(20), n_val=2.5)


@pytest.mark.parametrize("padding", [-1, 2.0, True])
def test_random_crop_flip_rejects_a_padding_that_is_not_a_non_negative_int(padding):
    with pytest.raises(ValueError, match=rf"`padding`. Expected an integer value >= 0. "
                                         rf"Received: padding={padding}"):
        RandomCropFlip(padding)


def test_dataset_feeds_float_pixels_and_one_hot_labels():
    ds = synthetic_cifar10(10, 10)
    x, y = next(iter(dataset(ds.x_train, ds.y_train, 4, augment=RandomCropFlip(4))))
    assert x.shape == (4, 32, 32, 3) and x.dtype == "float32" and float(np.max(x)) > 1
    np.testing.assert_array_equal(np.argmax(y, axis=1), ds.y_train[:4])


def test_train_applies_the_schedule_every_step_and_logs_the_run(tmp_path):
    ds = synthetic_cifar10(40, 10)
    split = validation_split(ds.x_train, ds.y_train, n_val=8)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(10)])
    rates = []

    def schedule(step):
        rates.append(step)
        return 0.01 / (1 + step)

    log = ExperimentLog(tmp_path / "log.jsonl")
    history = train(model, split, epochs=2, batch_size=16, optimizer=keras.optimizers.SGD(1.0),
                    schedule=schedule, log=log, name="tiny", seed=3)
    assert rates == list(range(4))  # 32 images / 16 per batch, 2 epochs
    assert float(model.optimizer.learning_rate) == pytest.approx(0.01 / 4)
    assert len(history["val_accuracy"]) == 2
    (run,) = log.runs
    assert run["name"] == "tiny" and run["seed"] == 3 and run["settings"]["optimizer"] == "SGD"


def test_reference_recipe_runs_the_one_cycle_to_its_end():
    from dl4lib.resnet import with_flip_tta
    from dl4lib.schedules import OneCycle
    from dl4lib.training import reference_recipe

    data = synthetic_cifar10(64, 1000)
    model, history, seconds = reference_recipe(data, width=2, epochs=2, batch_size=32, max_lr=0.1)
    assert len(history["loss"]) == 2 and seconds > 0
    last = float(OneCycle(0.1, 4)(3))  # 2 epochs x 2 steps: the rate of the last step
    assert float(model.optimizer.learning_rate) == pytest.approx(last, rel=1e-5)
    assert with_flip_tta(model).predict(data.x_test[:5].astype("float32"), verbose=0).shape == (5, 10)
