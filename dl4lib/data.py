"""CIFAR-10, read and verified from its official files, and a synthetic stand-in for CI.

    data = load_cifar10()             # the real data set: folder, .tar.gz, Keras' cache or download
    data = synthetic_cifar10(seed=0)  # generated, CIFAR-shaped; for CI and fast mode only
    data = course_cifar10()           # the real one, or the synthetic one in fast mode (DL4_FAST=1)

Every loader returns a `CIFAR10` tuple of NumPy arrays

    x_train: uint8 (N_train, 32, 32, 3), pixels 0..255, channels last (RGB)
    y_train: int64 (N_train,), labels 0..9 (see `CLASS_NAMES`)
    x_test, y_test: the same for the test split
    source: text saying where the data came from; it starts with "SYNTHETIC" for generated data

Where `load_cifar10()` looks, in order: the `path` argument; the folder or file named by the
environment variable `DL4_CIFAR10_DIR`; Keras' download cache (`~/.keras/datasets`, or
`$KERAS_HOME/datasets`); and finally the download by `keras.datasets.cifar10.load_data()`, as on
Colab. A path may be the folder `cifar-10-batches-py` (the official pickles `data_batch_1` ...
`data_batch_5` and `test_batch`), a folder that contains it, or the archive
`cifar-10-python.tar.gz` itself, which is read without being unpacked. The files are verified
(six batches, equal sizes, (n, 3072) uint8 pixels, labels 0..9, all ten classes; the official
archive also by its SHA-256) and unpickled with a restricted unpickler that builds only NumPy
arrays and plain containers, so a tampered file cannot run code. With no network and no local
copy it fails at once with a message that says how to get the data.

Reference: Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009;
https://www.cs.toronto.edu/~kriz/cifar.html (the file format).
"""

import hashlib
import io
import os
import pickle
import socket
import tarfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from dl4lib._validation import check_number
from dl4lib.utils import fast_mode

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")
ENV_DIR = "DL4_CIFAR10_DIR"
URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
DOWNLOAD_HOST = ("www.cs.toronto.edu", 443)
ARCHIVE_NAME = "cifar-10-python.tar.gz"
ARCHIVE_SIZE = 170498071
ARCHIVE_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
FOLDER_NAME = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
HOW_TO_GET = (f"Download {ARCHIVE_NAME} (163 MiB) from https://www.cs.toronto.edu/~kriz/cifar.html "
              f"and pass its path to load_cifar10(path) or set the environment variable "
              f"{ENV_DIR} to it (the .tar.gz or the unpacked {FOLDER_NAME} folder).")


class CIFAR10(NamedTuple):
    """A CIFAR-10-shaped data set; see the module docstring for the shapes."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    @property
    def synthetic(self):
        return self.source.startswith("SYNTHETIC")


class CIFAR10Error(ValueError):
    """The CIFAR-10 files are missing, corrupt or not in the official format."""


class _ArrayUnpickler(pickle.Unpickler):
    """Unpickles only what the CIFAR-10 batches contain: NumPy arrays, dicts, lists, bytes."""

    ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
               ("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
               ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar")}

    def find_class(self, module, name):
        if (module, name) not in self.ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}")
        if module == "numpy.core.multiarray":
            module = "numpy._core.multiarray"  # the NumPy 1 name the official files use
        return super().find_class(module, name)


def _read_batch(data, name):
    """Pixels (n, 32, 32, 3) uint8 and labels (n,) int64 from the bytes of one pickled batch."""
    try:
        batch = _ArrayUnpickler(io.BytesIO(data), encoding="bytes").load()
    except Exception as err:  # noqa: BLE001 - any unpickling failure means a corrupt file
        raise CIFAR10Error(f"{name} is not a CIFAR-10 batch file ({type(err).__name__}: {err}). "
                           f"{HOW_TO_GET}") from None
    if not isinstance(batch, dict):
        raise CIFAR10Error(f"{name} is not a CIFAR-10 batch file (holds a {type(batch).__name__}).")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    if "data" not in batch or "labels" not in batch:
        raise CIFAR10Error(f"{name} has no 'data' and 'labels' entries; found {sorted(batch)}.")
    pixels = np.asarray(batch["data"])
    labels = np.asarray(batch["labels"])
    if pixels.dtype != np.uint8 or pixels.ndim != 2 or pixels.shape[1] != 3072:
        raise CIFAR10Error(f"{name}: expected pixels of shape (n, 3072) and dtype uint8, got "
                           f"{pixels.shape} {pixels.dtype}.")
    if labels.shape != (pixels.shape[0],) or labels.dtype.kind not in "iu" or labels.size == 0 \
            or labels.min() < 0 or labels.max() > 9:
        raise CIFAR10Error(f"{name}: expected {pixels.shape[0]} labels in 0..9, got "
                           f"{labels.shape} {labels.dtype}.")
    # Each row holds the red, then green, then blue 32 x 32 plane.
    images = pixels.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels.astype(np.int64)


def _read_files(read, where):
    """Train and test split from a function `read(name) -> bytes` over the six batch files."""
    parts = [_read_batch(read(name), f"{where}/{name}") for name in (*TRAIN_FILES, TEST_FILE)]
    sizes = {len(y) for _, y in parts}
    if len(sizes) != 1:
        raise CIFAR10Error(f"{where}: the six batches should have the same number of images "
                           f"(10,000 each in CIFAR-10), got {[len(y) for _, y in parts]}.")
    x_train = np.concatenate([x for x, _ in parts[:5]])
    y_train = np.concatenate([y for _, y in parts[:5]])
    x_test, y_test = parts[5]
    for split, y in (("train", y_train), ("test", y_test)):
        missing = sorted(set(range(10)) - set(np.unique(y).tolist()))
        if missing:
            raise CIFAR10Error(f"{where}: the {split} split has no images of classes {missing}.")
    return x_train, y_train, x_test, y_test


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _from_archive(path):
    if path.stat().st_size == ARCHIVE_SIZE and _sha256(path) != ARCHIVE_SHA256:
        raise CIFAR10Error(f"{path} has the size of the official {ARCHIVE_NAME} but not its "
                           f"SHA-256: the download is corrupt. {HOW_TO_GET}")
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {Path(m.name).name: m for m in tar.getmembers()
                       if m.isfile() and Path(m.name).parent.name == FOLDER_NAME}

            def read(name):
                if name not in members:
                    raise CIFAR10Error(f"{path} has no {FOLDER_NAME}/{name}. {HOW_TO_GET}")
                return tar.extractfile(members[name]).read()

            return _read_files(read, str(path))
    except (tarfile.TarError, OSError, EOFError) as err:
        raise CIFAR10Error(f"{path} is not a readable .tar.gz archive ({err}). {HOW_TO_GET}") from None


def _from_folder(folder):
    if (folder / FOLDER_NAME).is_dir():
        folder = folder / FOLDER_NAME

    def read(name):
        file = folder / name
        if not file.is_file():
            raise CIFAR10Error(f"{folder} has no file {name}: expected the CIFAR-10 batches "
                               f"{', '.join(TRAIN_FILES)} and {TEST_FILE}. {HOW_TO_GET}")
        return file.read_bytes()

    return _read_files(read, str(folder))


def read_cifar10(path):
    """Read and verify CIFAR-10 from a folder or the .tar.gz at `path`; return a `CIFAR10`."""
    path = Path(path).expanduser()
    if not path.exists():
        raise CIFAR10Error(f"{path} does not exist. {HOW_TO_GET}")
    parts = _from_folder(path) if path.is_dir() else _from_archive(path)
    return CIFAR10(*parts, source=f"CIFAR-10 from {path}")


def keras_cache_folders():
    """Where `keras.datasets.cifar10.load_data()` leaves the unpacked batches."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")).expanduser()
    datasets = home / "datasets"
    return [datasets / "cifar-10-batches-py-target" / FOLDER_NAME, datasets / FOLDER_NAME]


def _reachable(host, timeout=5.0):
    try:
        with socket.create_connection(host, timeout=timeout):
            return True
    except OSError:
        return False


def load_cifar10(path=None):
    """The real CIFAR-10: 50,000 training and 10,000 test images, verified.

    Args:
        path: None, or a folder (`cifar-10-batches-py` or one that contains it) or the
            `cifar-10-python.tar.gz` archive. When None: `$DL4_CIFAR10_DIR`, then Keras' cache,
            then a download with `keras.datasets.cifar10.load_data()`.

    Returns:
        A `CIFAR10` tuple (x_train, y_train, x_test, y_test, source).

    Raises:
        CIFAR10Error: the files are missing or corrupt, or there is no local copy and the
            download server cannot be reached.
    """
    if path is None and os.environ.get(ENV_DIR):
        path = os.environ[ENV_DIR]
    if path is not None:
        return read_cifar10(path)
    for folder in keras_cache_folders():
        if folder.is_dir():
            return read_cifar10(folder)
    if not _reachable(DOWNLOAD_HOST):
        raise CIFAR10Error(f"CIFAR-10 is not on this machine (looked in ${ENV_DIR} and "
                           f"{', '.join(map(str, keras_cache_folders()))}) and "
                           f"{DOWNLOAD_HOST[0]} cannot be reached to download it. {HOW_TO_GET}")
    import keras

    keras.datasets.cifar10.load_data()  # downloads into the cache and checks the archive's hash
    for folder in keras_cache_folders():
        if folder.is_dir():
            return read_cifar10(folder)
    raise CIFAR10Error(f"keras.datasets.cifar10.load_data() did not leave the batches in "
                       f"{keras_cache_folders()[0]}. {HOW_TO_GET}")


# Synthetic data: ten classes, each a mean colour plus a smooth zero-mean pattern, randomly
# shifted and mirrored, with noise. The colours alone separate the classes (the mean over
# 1,024 pixels averages the noise away), so a model can reach 100 %; the patterns give the
# convolutions something to learn. It is not CIFAR-10 and says so in `source`.
SYNTHETIC_COLORS = np.array([[80, 80, 80], [170, 80, 80], [80, 170, 80], [80, 80, 170],
                             [170, 170, 80], [170, 80, 170], [80, 170, 170], [170, 170, 170],
                             [125, 125, 80], [125, 80, 125]], dtype=np.float64)


def _patterns(rng, amplitude=35.0):
    """Ten smooth zero-mean (32, 32, 3) patterns, one per class."""
    coarse = rng.normal(size=(10, 4, 4, 3))
    fine = np.kron(coarse, np.ones((1, 8, 8, 1)))
    for axis in (1, 2):  # a box blur along each axis, circular like the shifts
        fine = sum(np.roll(fine, s, axis=axis) for s in range(-4, 4)) / 8
    fine -= fine.mean(axis=(1, 2), keepdims=True)
    return amplitude * fine / fine.std(axis=(1, 2, 3), keepdims=True)


def synthetic_split(n, patterns, rng, noise=25.0, max_shift=3):
    """n labelled images of the synthetic classes, balanced (n // 10 per class, rest random)."""
    y = np.concatenate([np.repeat(np.arange(10), n // 10), rng.integers(0, 10, n % 10)])
    rng.shuffle(y)
    x = np.empty((n, 32, 32, 3))
    for i, label in enumerate(y):
        img = np.roll(patterns[label], tuple(rng.integers(-max_shift, max_shift + 1, 2)), axis=(0, 1))
        x[i] = img[:, ::-1] if rng.random() < 0.5 else img
    x += SYNTHETIC_COLORS[y][:, None, None, :] + rng.uniform(-3, 3, size=(n, 1, 1, 1))
    x += rng.normal(0.0, noise, size=x.shape)
    return np.clip(np.rint(x), 0, 255).astype(np.uint8), y.astype(np.int64)


def synthetic_cifar10(n_train=5000, n_test=1000, seed=0):
    """A generated CIFAR-shaped data set with learnable classes; NOT CIFAR-10.

    Args:
        n_train, n_test: positive ints, the sizes of the two splits.
        seed: int; the same seed gives the same images in every process.

    Returns:
        A `CIFAR10` tuple whose `source` starts with "SYNTHETIC".
    """
    n_train = check_number("n_train", n_train, low=1, integer=True)
    n_test = check_number("n_test", n_test, low=1, integer=True)
    rng = np.random.default_rng(seed)
    patterns = _patterns(rng)
    x_train, y_train = synthetic_split(n_train, patterns, rng)
    x_test, y_test = synthetic_split(n_test, patterns, rng)
    return CIFAR10(x_train, y_train, x_test, y_test,
                   source=f"SYNTHETIC CIFAR-shaped data (seed {seed}), not CIFAR-10: for CI and "
                          "fast mode only")


def course_cifar10():
    """What the notebook trains on: the real CIFAR-10, or in fast mode (DL4_FAST=1) the
    synthetic set with 2,000 training and 1,000 test images."""
    return synthetic_cifar10(2000, 1000, seed=0) if fast_mode() else load_cifar10()


def channel_stats(x):
    """Per-channel mean and standard deviation of images x (N, H, W, C): two float64 (C,)."""
    x = np.asarray(x, dtype=np.float64)
    return x.mean(axis=(0, 1, 2)), x.std(axis=(0, 1, 2))


def standardize_splits(x_train, x_test):
    """Standardize both splits per channel with the statistics of the training split only.

        mean_c, std_c = mean and std of channel c over every training pixel
        x'[..., c] = (x[..., c] - mean_c) / std_c          for x in (x_train, x_test)

    Args:
        x_train: images (N, H, W, C), any numeric dtype (uint8 pixels 0..255 for CIFAR-10).
        x_test: images (M, H, W, C).

    Returns:
        (train, test, mean, std): float32 arrays of the input shapes, and the float64 (C,)
        statistics. The inputs are not modified.
    """
    mean, std = channel_stats(x_train)
    return ((np.asarray(x_train, dtype=np.float64) - mean) / std).astype(np.float32), \
        ((np.asarray(x_test, dtype=np.float64) - mean) / std).astype(np.float32), mean, std
