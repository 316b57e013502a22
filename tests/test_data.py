"""dl4lib.data: the real CIFAR-10 parser on files in the official format, and the synthetic set."""

import io
import os
import pickle
import tarfile
import time

import numpy as np
import pytest

from dl4lib import data
from dl4lib.data import CIFAR10Error, load_cifar10, read_cifar10, synthetic_cifar10

PER_BATCH = 20


def fake_cifar(seed=0, per_batch=PER_BATCH):
    """Images and labels for the six batches, every class present in each."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(6):
        x = rng.integers(0, 256, size=(per_batch, 32, 32, 3), dtype=np.uint8)
        y = np.arange(per_batch) % 10
        parts.append((x, y))
    return parts


def batch_bytes(x, y, name="batch"):
    """One batch as the official files store it: a pickled dict with bytes keys, the pixels as
    rows of 3072 bytes (the red plane, then green, then blue) and the labels as a list."""
    rows = x.transpose(0, 3, 1, 2).reshape(len(x), 3072)
    record = {b"batch_label": name.encode(), b"labels": [int(v) for v in y], b"data": rows,
              b"filenames": [f"{i}.png".encode() for i in range(len(y))]}
    return pickle.dumps(record, protocol=2)


def write_folder(folder, parts):
    folder.mkdir(parents=True, exist_ok=True)
    for name, (x, y) in zip((*data.TRAIN_FILES, data.TEST_FILE), parts, strict=True):
        (folder / name).write_bytes(batch_bytes(x, y, name))
    return folder


def write_archive(path, parts):
    with tarfile.open(path, "w:gz") as tar:
        for name, (x, y) in zip((*data.TRAIN_FILES, data.TEST_FILE), parts, strict=True):
            payload = batch_bytes(x, y, name)
            info = tarfile.TarInfo(f"{data.FOLDER_NAME}/{name}")
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return path


def assert_matches(ds, parts):
    np.testing.assert_array_equal(ds.x_train, np.concatenate([x for x, _ in parts[:5]]))
    np.testing.assert_array_equal(ds.y_train, np.concatenate([y for _, y in parts[:5]]))
    np.testing.assert_array_equal(ds.x_test, parts[5][0])
    np.testing.assert_array_equal(ds.y_test, parts[5][1])
    assert ds.x_train.dtype == np.uint8 and ds.x_train.shape == (5 * PER_BATCH, 32, 32, 3)
    assert ds.y_train.dtype == np.int64 and ds.y_test.shape == (PER_BATCH,)
    assert not ds.synthetic


@pytest.fixture
def no_cifar(tmp_path, monkeypatch):
    """No local copy anywhere and no network."""
    monkeypatch.delenv(data.ENV_DIR, raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setattr(data, "DOWNLOAD_HOST", ("127.0.0.1", 9))  # the discard port: refused


def test_reads_the_batches_folder_and_its_parent(tmp_path):
    parts = fake_cifar()
    folder = write_folder(tmp_path / data.FOLDER_NAME, parts)
    assert_matches(read_cifar10(folder), parts)
    assert_matches(read_cifar10(tmp_path), parts)


def test_pixel_rows_are_channel_planes():
    x = np.zeros((1, 32, 32, 3), np.uint8)
    x[0, 2, 5] = (10, 20, 30)
    images, _ = data._read_batch(batch_bytes(x, [3]), "one")
    assert tuple(images[0, 2, 5]) == (10, 20, 30) and images.sum() == 60


def test_reads_the_archive_without_unpacking(tmp_path):
    parts = fake_cifar(1)
    archive = write_archive(tmp_path / data.ARCHIVE_NAME, parts)
    ds = read_cifar10(archive)
    assert_matches(ds, parts)
    assert str(archive) in ds.source
    assert [p.name for p in tmp_path.iterdir()] == [data.ARCHIVE_NAME]


def test_environment_variable_and_keras_cache(tmp_path, monkeypatch, no_cifar):
    parts = fake_cifar(2)
    archive = write_archive(tmp_path / "elsewhere.tar.gz", parts)
    monkeypatch.setenv(data.ENV_DIR, str(archive))
    assert_matches(load_cifar10(), parts)
    monkeypatch.delenv(data.ENV_DIR)
    cache = data.keras_cache_folders()[0]
    write_folder(cache, parts)
    assert_matches(load_cifar10(), parts)


def test_no_copy_and_no_network_fails_at_once_saying_how_to_get_it(no_cifar):
    start = time.perf_counter()
    with pytest.raises(CIFAR10Error, match="cannot be reached") as info:
        load_cifar10()
    assert time.perf_counter() - start < 10
    assert "cifar-10-python.tar.gz" in str(info.value) and data.ENV_DIR in str(info.value)


def test_missing_path_and_missing_batch(tmp_path):
    with pytest.raises(CIFAR10Error, match="does not exist"):
        read_cifar10(tmp_path / "nowhere")
    folder = write_folder(tmp_path / data.FOLDER_NAME, fake_cifar())
    (folder / "data_batch_3").unlink()
    with pytest.raises(CIFAR10Error, match="has no file data_batch_3"):
        read_cifar10(folder)


def test_corrupt_files_are_reported(tmp_path):
    folder = write_folder(tmp_path / data.FOLDER_NAME, fake_cifar())
    (folder / "test_batch").write_bytes(b"not a pickle")
    with pytest.raises(CIFAR10Error, match="test_batch is not a CIFAR-10 batch file"):
        read_cifar10(folder)
    (tmp_path / "broken.tar.gz").write_bytes(b"\x1f\x8b truncated")
    with pytest.raises(CIFAR10Error, match="not a readable .tar.gz"):
        read_cifar10(tmp_path / "broken.tar.gz")


def test_a_pickle_that_runs_code_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    folder = write_folder(tmp_path / data.FOLDER_NAME, fake_cifar())
    (folder / "data_batch_1").write_bytes(pickle.dumps({b"data": Evil()}, protocol=2))
    with pytest.raises(CIFAR10Error, match="refusing to load"):
        read_cifar10(folder)


@pytest.mark.parametrize("change, message", [
    (lambda x, y: (x[:, :3000], y), "shape \\(n, 3072\\)"),
    (lambda x, y: (x.astype(np.float32), y), "dtype uint8"),
    (lambda x, y: (x, y[:-1]), "labels in 0..9"),
    (lambda x, y: (x, y + 5), "labels in 0..9"),
])
def test_wrong_contents_are_reported(tmp_path, change, message):
    folder = write_folder(tmp_path / data.FOLDER_NAME, fake_cifar())
    x, y = fake_cifar()[0]
    rows, labels = change(x.transpose(0, 3, 1, 2).reshape(len(x), 3072), np.asarray(y))
    record = {b"data": rows, b"labels": [int(v) for v in labels]}
    (folder / "data_batch_2").write_bytes(pickle.dumps(record, protocol=2))
    with pytest.raises(CIFAR10Error, match=message):
        read_cifar10(folder)


def test_unequal_batches_and_missing_classes(tmp_path):
    parts = fake_cifar()
    parts[5] = (parts[5][0][:10], parts[5][1][:10])
    with pytest.raises(CIFAR10Error, match="same number of images"):
        read_cifar10(write_folder(tmp_path / "a" / data.FOLDER_NAME, parts))
    parts = fake_cifar()
    parts[5] = (parts[5][0], np.where(parts[5][1] == 7, 6, parts[5][1]))
    with pytest.raises(CIFAR10Error, match="test split has no images of classes \\[7\\]"):
        read_cifar10(write_folder(tmp_path / "b" / data.FOLDER_NAME, parts))


def test_synthetic_is_labelled_deterministic_and_balanced():
    a, b = synthetic_cifar10(300, 200, seed=3), synthetic_cifar10(300, 200, seed=3)
    assert a.synthetic and "not CIFAR-10" in a.source
    assert a.x_train.shape == (300, 32, 32, 3) and a.x_train.dtype == np.uint8
    assert a.y_test.dtype == np.int64 and np.bincount(a.y_test).tolist() == [20] * 10
    for u, v in zip(a[:4], b[:4], strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.x_test, synthetic_cifar10(300, 200, seed=4).x_test)


def test_synthetic_classes_are_separated_by_their_mean_colour():
    ds = synthetic_cifar10(100, 1000, seed=0)
    means = ds.x_test.reshape(-1, 1024, 3).mean(axis=1)
    nearest = np.argmin(((means[:, None] - data.SYNTHETIC_COLORS[None]) ** 2).sum(-1), axis=1)
    assert np.mean(nearest == ds.y_test) == 1.0


def test_synthetic_rejects_bad_sizes():
    with pytest.raises(ValueError, match="n_test=0"):
        synthetic_cifar10(10, 0)
