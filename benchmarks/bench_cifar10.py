"""Unit 10: training throughput of the reference ResNet-9 and the time to grade one saved model.

    .venv/bin/python benchmarks/bench_cifar10.py                  # this machine, synthetic data
    .venv/bin/python benchmarks/bench_cifar10.py --widths 16 64 --grade-widths 16 64

For each width (16: the notebook's CPU track; 64: Page's ResNet-9, the GPU track) it prints

- training throughput (images/s) and the time of one 50,000-image epoch, measured over
  `--steps` steps of the reference recipe (`dl4lib.training.reference_recipe`: SGD-Nesterov,
  label smoothing, crop-and-mirror in tf.data, flip TTA in the model) after a warm-up that
  includes compilation; on a GPU with `--mixed` (bf16) and `--jit` (XLA) as asked;
- FLOPs per training image (3 x the forward FLOPs: backward ~ 2 x forward) and, with
  `--peak-tflops`, the fraction of the accelerator's peak that the throughput reaches;
- the time `dl4lib.checks.models.evaluate_saved_model` takes to grade one saved model on
  10,000 test images, end to end (fresh process, TensorFlow start-up, loading, prediction).

The data are synthetic (CIFAR-shaped): speed does not depend on the pixels. To check the
recipe's accuracy on the real CIFAR-10 (needs the data and, realistically, a GPU):

    DL4_CIFAR10_DIR=/path/to/cifar-10-python.tar.gz .venv/bin/python benchmarks/bench_cifar10.py \\
        --accuracy --seeds 3 --epochs 24 --mixed --jit
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from dl4lib.augment import RandomCropFlip
from dl4lib.checks.models import evaluate_saved_model
from dl4lib.data import load_cifar10, synthetic_cifar10
from dl4lib.resnet import Residual, resnet9, with_flip_tta
from dl4lib.training import dataset, reference_recipe


def count_flops(model, tta):
    """FLOPs (2 x multiply-adds) of one image's forward pass through the convolutions and the
    dense layer; doubled with flip TTA (the body runs twice)."""
    flops = 0
    for layer, shape in _weighted_layers(model):
        if isinstance(layer, keras.layers.Conv2D):
            _, h, w, c_out = shape
            kh, kw = layer.kernel_size
            flops += 2 * h * w * kh * kw * layer.kernel.shape[2] * c_out
        else:
            flops += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
    return flops * (2 if tta else 1)


def _weighted_layers(model):
    """(layer, output shape) of every Conv2D and Dense, inside nested models and Residual blocks."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _weighted_layers(layer)
        elif isinstance(layer, Residual):
            yield from ((conv, layer.output.shape) for conv in layer.convs)
        elif isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
            yield layer, layer.output.shape


def throughput(width, steps, batch_size, jit):
    """(images/s, FLOPs per training image) of the reference recipe on synthetic data, timed
    on a model whose training step is already compiled (the warm-up epoch)."""
    warm = synthetic_cifar10(batch_size * 3, 1000, seed=1)
    model, _, _ = reference_recipe(warm, width=width, epochs=1, batch_size=batch_size, jit_compile=jit)
    data = synthetic_cifar10(batch_size * steps, 10, seed=0)
    batches = dataset(data.x_train, data.y_train, batch_size, augment=RandomCropFlip(4), shuffle=True)
    start = time.perf_counter()
    model.fit(batches, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    return batch_size * steps / seconds, 3 * count_flops(model, tta=False)  # backward ~ 2 x forward


def grading_seconds(width):
    model = with_flip_tta(resnet9([125.0] * 3, [63.0] * 3, width=width))
    test = synthetic_cifar10(10, 10_000, seed=2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        model.save(path)
        start = time.perf_counter()
        report = evaluate_saved_model(path, test.x_test, test.y_test, source=test.source, timeout=3600)
        total = time.perf_counter() - start
    if report.error:
        raise RuntimeError(report.error)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--grade-widths", type=int, nargs="*", default=[16, 64])
    parser.add_argument("--steps", type=int, default=10, help="timed training steps per width")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--mixed", action="store_true", help="mixed_bfloat16 policy")
    parser.add_argument("--jit", action="store_true", help="XLA (jit_compile=True)")
    parser.add_argument("--peak-tflops", type=float, help="accelerator peak, for the fraction used")
    parser.add_argument("--accuracy", action="store_true", help="train on the real CIFAR-10")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=24)
    args = parser.parse_args()
    if args.mixed:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    devices = tf.config.list_physical_devices("GPU")
    print(f"device: {devices[0].name if devices else 'CPU'}; keras {keras.__version__}, "
          f"backend {keras.backend.backend()}, policy {keras.mixed_precision.global_policy().name}, "
          f"jit {args.jit}")
    if args.accuracy:
        data = load_cifar10()
        accuracies, times = [], []
        for seed in range(args.seeds):
            model, _, seconds = reference_recipe(data, width=64, epochs=args.epochs, seed=seed,
                                                 batch_size=512, jit_compile=args.jit)
            scores = with_flip_tta(model).predict(data.x_test.astype("float32"), batch_size=1000, verbose=0)
            accuracies.append(float(np.mean(np.argmax(scores, axis=1) == data.y_test)))
            times.append(seconds)
            print(f"seed {seed}: test accuracy {accuracies[-1]:.4f}, training {seconds:.1f} s")
        print(f"mean test accuracy {statistics.mean(accuracies):.4f} "
              f"(std {statistics.pstdev(accuracies):.4f}) over {args.seeds} seeds; "
              f"mean training time {statistics.mean(times):.1f} s (compilation included)")
        return
    print(f"{'width':>5s} {'params':>9s} {'GFLOP/img':>9s} {'img/s':>8s} {'s/epoch':>8s} {'% peak':>7s}")
    for width in args.widths:
        images_per_s, flops = throughput(width, args.steps, args.batch_size, args.jit or "auto")
        params = resnet9([0.0] * 3, [1.0] * 3, width=width).count_params()
        peak = (f"{100 * images_per_s * flops / (args.peak_tflops * 1e12):7.2f}"
                if args.peak_tflops else f"{'-':>7s}")
        print(f"{width:5d} {params:9d} {flops / 1e9:9.3f} {images_per_s:8.1f} "
              f"{50_000 / images_per_s:8.1f} {peak}")
    for width in args.grade_widths:
        seconds = grading_seconds(width)
        print(f"grading one width-{width} model (flip TTA) on 10,000 test images: {seconds:.1f} s "
              "(fresh process, loading and prediction included)")


if __name__ == "__main__":
    main()
