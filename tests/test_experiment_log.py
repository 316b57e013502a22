"""dl4lib.experiment_log: runs are appended, never lost; table and plot read them back."""

import json

import matplotlib
import pytest

from dl4lib import experiment_log
from dl4lib.experiment_log import ExperimentLog, tensorboard_callback

matplotlib.use("Agg")


def test_runs_are_appended_and_read_back(tmp_path):
    path = tmp_path / "log.jsonl"
    log = ExperimentLog(path)
    log.add("baseline", {"val_accuracy": [0.5, 0.6]}, seed=0, seconds=3.0, epochs=2)
    log.add("baseline", {"val_accuracy": [0.5, 0.7]}, seed=1, epochs=2)
    first = path.read_text()
    again = ExperimentLog(path)
    again.add("+ bn", {"val_accuracy": [0.8]}, seed=0)
    assert path.read_text().startswith(first)  # earlier runs are kept byte for byte
    assert [r["name"] for r in ExperimentLog(path).runs] == ["baseline", "baseline", "+ bn"]
    assert json.loads(first.splitlines()[0])["settings"] == {"epochs": 2}


def test_table_gives_last_best_and_mean_std_over_seeds(tmp_path):
    log = ExperimentLog(tmp_path / "log.jsonl")
    log.add("a", {"val_accuracy": [0.6, 0.5]}, seed=0)
    log.add("a", {"val_accuracy": [0.4, 0.7]}, seed=1)
    table = log.table()
    assert "0.5000  0.6000" in table and "0.7000  0.7000" in table
    assert "a                            0.6000 +- 0.1414  (2 runs)" in table


def test_plot_draws_one_line_per_run_one_colour_per_name(tmp_path):
    log = ExperimentLog(tmp_path / "log.jsonl")
    for seed in (0, 1):
        log.add("a", {"val_accuracy": [0.1, 0.2, 0.3]}, seed=seed)
    log.add("b", {"val_accuracy": [0.3]}, seed=0)
    ax = log.plot()
    lines = ax.get_lines()
    assert len(lines) == 3 and lines[0].get_color() == lines[1].get_color() != lines[2].get_color()
    assert list(lines[0].get_xdata()) == [1, 2, 3]
    assert len(log.plot(names=["b"]).get_lines()) == 1


def test_a_corrupt_log_is_reported_not_overwritten(tmp_path):
    path = tmp_path / "log.jsonl"
    path.write_text('{"name": "a"}\nnot json\n')
    with pytest.raises(ValueError, match="line 2"):
        ExperimentLog(path)
    assert path.read_text() == '{"name": "a"}\nnot json\n'


def test_tensorboard_callback_only_when_installed(tmp_path, monkeypatch):
    monkeypatch.setattr(experiment_log.importlib.util, "find_spec", lambda name: None)
    assert tensorboard_callback(tmp_path, "run") is None
