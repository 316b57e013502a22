"""An experiment log: every training run appended to a file, a table, and curves side by side.

    log = ExperimentLog("experiments.jsonl")
    log.add("baseline", history.history, seed=0, epochs=10, optimizer="adam")
    print(log.table())        # one row per run, and mean +- std over the seeds of each name
    log.plot()                # validation accuracy of every run against the epoch

The file holds one JSON object per line and is only ever appended to, so re-running a
notebook adds runs and never loses one. `tensorboard_callback` also writes TensorBoard logs
when the `tensorboard` package is installed (TensorFlow 2.21 no longer installs it).
"""

import importlib.util
import json
import math
from pathlib import Path

import numpy as np


class ExperimentLog:
    """Runs stored in a JSON-lines file.

    Args:
        path: the file; created on the first `add`; the runs already in it are read.
    """

    def __init__(self, path="experiments.jsonl"):
        self.path = Path(path)
        self.runs = []
        if self.path.exists():
            for number, line in enumerate(self.path.read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    try:
                        self.runs.append(json.loads(line))
                    except json.JSONDecodeError as err:
                        raise ValueError(f"{self.path}, line {number}, is not a logged run "
                                         f"({err}); move the file away to start a new log.") from None

    def add(self, name, history, *, seed=None, seconds=None, **settings):
        """Append one run and return its record.

        Args:
            name: what was tried ("baseline", "+ batch norm").
            history: dict metric -> list of per-epoch values (`model.fit(...).history`).
            seed: the run's seed; runs with one name and different seeds are averaged.
            seconds: training time.
            **settings: anything else worth keeping (epochs, optimizer, learning_rate, ...).
        """
        history = {k: [float(v) for v in values] for k, values in dict(history).items()}
        record = {"name": str(name), "seed": seed, "seconds": seconds,
                  "settings": {k: _plain(v) for k, v in settings.items()}, "history": history}
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        self.runs.append(record)
        return record

    def table(self, metric="val_accuracy"):
        """Text table: each run's last and best `metric`, then the mean and std per name."""
        lines = [f"{'run':28s} {'seed':>4s} {'epochs':>6s} {'last':>7s} {'best':>7s} {'time/s':>7s}"]
        groups = {}
        for run in self.runs:
            values = run["history"].get(metric, [])
            last = values[-1] if values else math.nan
            best = max(values) if values else math.nan
            groups.setdefault(run["name"], []).append(last)
            seconds = run.get("seconds")
            lines.append(f"{run['name'][:28]:28s} {str(run['seed']):>4s} {len(values):6d} "
                         f"{last:7.4f} {best:7.4f} {seconds or math.nan:7.1f}")
        lines.append(f"\nmean +- std of the last {metric} over seeds")
        for name, values in groups.items():
            std = np.std(values, ddof=1) if len(values) > 1 else math.nan
            lines.append(f"{name[:28]:28s} {np.mean(values):.4f} +- {std:.4f}  ({len(values)} runs)")
        return "\n".join(lines)

    def plot(self, names=None, metric="val_accuracy", ax=None):
        """Plot `metric` against the epoch for the runs called `names` (default all); one colour
        per name, one line per seed. Returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        colors = {}
        for run in self.runs:
            if names is not None and run["name"] not in names or metric not in run["history"]:
                continue
            first = run["name"] not in colors
            color = colors.setdefault(run["name"], f"C{len(colors) % 10}")
            values = run["history"][metric]
            ax.plot(np.arange(1, len(values) + 1), values, color=color,
                    label=run["name"] if first else None)
        ax.set(xlabel="epoch", ylabel=metric)
        if colors:
            ax.legend(fontsize=8)
        return ax


def _plain(value):
    """A JSON-friendly version of a setting."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def tensorboard_callback(log_dir, name):
    """A `keras.callbacks.TensorBoard` writing to log_dir/name, or None when the `tensorboard`
    package is not installed (then only the ExperimentLog records the run)."""
    if importlib.util.find_spec("tensorboard") is None:
        return None
    import keras

    return keras.callbacks.TensorBoard(log_dir=str(Path(log_dir) / name))
