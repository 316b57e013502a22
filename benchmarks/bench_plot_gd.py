"""Time to compute and render a 25-step `plot_gd` animation (target: <= 2 s on the course machine).

Prints wall-clock seconds for the first call in a fresh process (fonts and TensorFlow functions
still cold) and the best of three later calls, and the CPU seconds of the best call, which
depend less on other load on the machine. Run: .venv/bin/python benchmarks/bench_plot_gd.py
"""

import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ARGS = {"x_scale": 0.2, "lr": 2.0, "steps": 25, "optimizer": "adam"}
REPEATS = 3


def _seconds(fn):
    """(wall, cpu) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main():
    import_s, _ = _seconds(lambda: __import__("dl4lib.gd_animation"))
    print(f"import dl4lib.gd_animation (loads TensorFlow): {import_s:.2f} s")
    from dl4lib.gd_animation import gd_path, plot_gd

    with tempfile.TemporaryDirectory() as tmp:
        gif = Path(tmp, "gd.gif")
        cases = {
            "gd_path (compute only)": lambda: gd_path(**ARGS),
            "plot_gd + to_jshtml": lambda: plot_gd(**ARGS).to_jshtml(),
            "plot_gd + save GIF": lambda: plot_gd(**ARGS).save(gif),
            "plot_gd + to_jshtml, 3 optimizers":
                lambda: plot_gd(**{**ARGS, "optimizer": ["sgd", "momentum", "adam"]}).to_jshtml(),
        }
        print(f"{'25 steps, 26 frames':<36s}{'first':>8s}{'best of ' + str(REPEATS):>12s}"
              f"{'its CPU':>10s}")
        for label, fn in cases.items():
            first, _ = _seconds(fn)
            best, cpu = min(_seconds(fn) for _ in range(REPEATS))
            print(f"{label:<36s}{first:7.2f}s{best:11.2f}s{cpu:9.2f}s")
        html = plot_gd(**ARGS).to_jshtml()
        print(f"sizes: jshtml {len(html) / 1e6:.2f} MB, GIF {gif.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
