"""The numbers the notebooks' text quotes from training runs, and the full-size run they come from.

    python -m tools.quoted_numbers record [--unit 05_dropout]  # run at full size, keep the numbers
    python -m tools.quoted_numbers check                       # text against the kept record (CI)
    python -m tools.quoted_numbers full-check                  # run at full size, check, keep nothing

Full-size runs take minutes per unit, too slow for CI. So the numbers are recorded once, with
`record`, in `tools/quoted_numbers.json` (with the versions and the machine they come from), and
CI checks the text against that record (`tests/test_quoted_numbers.py`). `make quoted-numbers`
runs `full-check`: it re-runs the notebooks at full size and fails when a quoted number has
drifted from what the run prints, for example after an upgrade of TensorFlow.

A cell that prints a quoted number also calls `dl4lib.quoted.record(name, value)`. Each claim
below ties a phrase of a markdown cell ("about 0.51") to such a name and a tolerance: the claim
holds when the phrase is in the cell and the recorded value is within the tolerance of the
quoted one.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
RECORD = ROOT / "tools" / "quoted_numbers.json"


@dataclass(frozen=True)
class Claim:
    """`text`, found in the markdown cell `cell` of `unit`, quotes `value` of `name` +- `tolerance`."""

    unit: str
    cell: str
    text: str
    name: str
    value: float
    tolerance: float


def _claims():
    u4, u5, u8 = "04_batch_norm", "05_dropout", "08_adam"
    disc = "mlp_discussion_md"
    loss, acc = 0.03, 0.02  # "about" a loss quoted to 2 digits; an accuracy to 2 digits or in %
    return [
        Claim("02_initialization", "experiment2_discussion_md", "the loss stays at $\\ln 2 \\approx 0.693$",
              "u2 N(0, 0.01²) final loss", 0.693, 0.005),
        Claim("02_initialization", "experiment2_discussion_md", "for about 9 epochs",
              "u2 glorot_uniform epochs near ln 2", 9, 2),
        Claim("02_initialization", "experiment2_discussion_md", "leaves $\\ln 2$ after 1 epoch",
              "u2 he_normal epochs near ln 2", 1, 0),
        Claim("03_learning_rate", "q1", "about 130", "u3 steps x_scale=0.2", 130, 5),
        Claim(u4, disc, "(final training loss about 0.54)",
              "u4 tanh lr=0.01 plain final loss", 0.54, loss),
        Claim(u4, disc, "reaches about 0.35", "u4 tanh lr=0.01 BN final loss", 0.35, loss),
        Claim(u4, disc, "(about 0.15 against 0.17)", "u4 tanh lr=0.1 plain final loss",
              0.15, loss),
        Claim(u4, disc, "(about 0.15 against 0.17)", "u4 tanh lr=0.1 BN final loss", 0.17, loss),
        Claim(u4, disc, "(test accuracy about 0.47;", "u4 tanh lr=1 plain test accuracy",
              0.47, acc),
        Claim(u4, disc, "coin flip (about 0.49)", "u4 tanh lr=3 plain test accuracy", 0.49, acc),
        Claim(u4, disc, "(final loss about 0.21 at 3.0)", "u4 tanh lr=3 BN final loss",
              0.21, loss),
        Claim(u4, disc, "about 0.70 against 0.73 at 0.01", "u4 tanh lr=0.01 BN test accuracy",
              0.70, acc),
        Claim(u4, disc, "about 0.70 against 0.73 at 0.01",
              "u4 tanh lr=0.01 plain test accuracy", 0.73, acc),
        Claim(u4, disc, "0.85 against 0.93 at 0.1", "u4 tanh lr=0.1 BN test accuracy", 0.85, acc),
        Claim(u4, disc, "0.85 against 0.93 at 0.1", "u4 tanh lr=0.1 plain test accuracy",
              0.93, acc),
        Claim(u4, disc, "its loss stays at $\\ln 2 \\approx 0.693$",
              "u4 sigmoid lr=0.1 plain final loss", 0.693, 0.005),
        Claim(u4, disc, "its loss stays at $\\ln 2 \\approx 0.693$",
              "u4 sigmoid lr=1 plain final loss", 0.693, 0.005),
        Claim(u4, disc, "(final loss about 0.30 at 0.1 and 0.26 at 1.0)",
              "u4 sigmoid lr=0.1 BN final loss", 0.30, loss),
        Claim(u4, disc, "(final loss about 0.30 at 0.1 and 0.26 at 1.0)",
              "u4 sigmoid lr=1 BN final loss", 0.26, loss),
        Claim(u4, "dead_relu_md", "about 46 % of the plain network's", "u4 relu lr=3 plain dead fraction",
              0.46, 0.03),
        Claim(u4, "dead_relu_md", "stuck at about 0.70", "u4 relu lr=3 plain final loss", 0.70, 0.02),
        Claim(u4, "dead_relu_md", "fewer than 1 % are dead", "u4 relu lr=3 BN dead fraction", 0.005, 0.005),
        Claim(u4, "dead_relu_md", "falls to about 0.16", "u4 relu lr=3 BN final loss", 0.16, loss),
        Claim(u5, "overfit_result_md", "(to about 0.055)", "u5 plain train MSE", 0.055, 0.01),
        *[Claim(u5, "overfit_result_md", "training MSE at about 0.08", f"u5 {name} train MSE", 0.08, 0.005)
          for name in ("dropout 0.5", "L2 1e-3", "L1 1e-4")],
        Claim(u5, "ensemble_result_md", "(about 0.112 against 0.120;", "u5 dropout MC average val MSE",
              0.112, 0.004),
        Claim(u5, "ensemble_result_md", "(about 0.112 against 0.120;", "u5 dropout inference val MSE",
              0.120, 0.004),
        Claim(u5, "selu_result_md", "about 1.6 by layer 10", "u5 selu Dropout layer 10 std", 1.6, 0.05),
        Claim(u5, "selu_result_md", "1.7 by layer 30", "u5 selu Dropout layer 30 std", 1.7, 0.05),
        Claim(u5, "selu_result_md", "to about $+0.15$", "u5 selu Dropout layer 30 mean", 0.15, 0.03),
        Claim(u8, "mlp_after_md", "about 0.51 and 0.37", "u8 Adam, lr=1e-3 final loss", 0.51, loss),
        Claim(u8, "mlp_after_md", "about 0.51 and 0.37", "u8 Adam, lr=1e-2 final loss", 0.37, loss),
        Claim(u8, "mlp_after_md", "about 0.68 and 0.74", "u8 SGD+momentum, lr=1e-3 final loss", 0.68, loss),
        Claim(u8, "mlp_after_md", "about 0.68 and 0.74", "u8 SGD+momentum, lr=1e-2 final loss", 0.74, loss),
        Claim(u8, "mlp_after_md", "79 % and 85 % accuracy", "u8 Adam, lr=1e-3 accuracy", 0.79, acc),
        Claim(u8, "mlp_after_md", "79 % and 85 % accuracy", "u8 Adam, lr=1e-2 accuracy", 0.85, acc),
        *[Claim(u8, "mlp_after_md", "against about 70 %", f"u8 SGD+momentum, lr={lr} accuracy", 0.70, acc)
          for lr in ("1e-3", "1e-2")],
        Claim(u8, "reddi_md", "it ends at $x = +1$", "u8 Reddi Adam final x", 1.0, 0.01),
        Claim(u8, "reddi_md", "(it is at about $-0.94$", "u8 Reddi AMSGrad final x", -0.94, 0.02),
    ]


CLAIMS = _claims()


def notebook(unit):
    (path,) = sorted((SOLUTIONS / unit).glob("*.ipynb"))
    return path


def recording_units():
    """The units whose notebooks call `record`, in order."""
    return sorted({c.unit for c in CLAIMS})


def run_full_size(unit, quotes_file, timeout=1800):
    """Execute the solution notebook of `unit` at full size; `record` appends to `quotes_file`."""
    from nbclient import NotebookClient

    path = notebook(unit)
    nb = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in ("DL4_FAST", "DL4_QUOTES")}
    os.environ.pop("DL4_FAST", None)
    os.environ["DL4_QUOTES"] = str(quotes_file)
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def measure(units):
    """Run `units` at full size; return {unit: {"seconds": s, "numbers": {name: value}}}."""
    measured = {}
    with tempfile.TemporaryDirectory() as tmp:
        for unit in units:
            quotes_file = Path(tmp) / f"{unit}.jsonl"
            start = time.perf_counter()
            run_full_size(unit, quotes_file)
            numbers = {}
            for line in quotes_file.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                if entry["fast"]:
                    raise RuntimeError(f"{unit} recorded {entry['name']} in fast mode")
                numbers[entry["name"]] = entry["value"]
            measured[unit] = {"seconds": round(time.perf_counter() - start, 1),
                              "numbers": dict(sorted(numbers.items()))}
            print(f"{unit}: {measured[unit]['seconds']} s", file=sys.stderr)
    return measured


def numbers_of(units):
    """All recorded numbers of `units` ({unit: {"numbers": ...}}) in one dict."""
    return {name: value for unit in units.values() for name, value in unit["numbers"].items()}


def environment():
    import keras
    import numpy
    import tensorflow

    return {"python": platform.python_version(), "tensorflow": tensorflow.__version__,
            "keras": keras.__version__, "numpy": numpy.__version__,
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
            "date": time.strftime("%Y-%m-%d", time.gmtime())}


def load_record(path=RECORD):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def cell_text(unit, cell_id):
    nb = nbformat.read(notebook(unit), as_version=4)
    matches = [c.source for c in nb.cells if c.get("id") == cell_id]
    return matches[0] if matches else None


def check(numbers, claims=CLAIMS):
    """Problems with `claims` against the recorded `numbers` ({name: value}); [] when all hold."""
    problems = []
    for claim in claims:
        where = f"{claim.unit} [{claim.cell}]"
        text = cell_text(claim.unit, claim.cell)
        if text is None:
            problems.append(f"{where}: no such cell")
        elif claim.text not in " ".join(text.split()):
            problems.append(f"{where}: the text no longer says {claim.text!r}")
        if claim.name not in numbers:
            problems.append(f"{where}: {claim.name!r} is not in the record")
        elif abs(numbers[claim.name] - claim.value) > claim.tolerance:
            problems.append(f"{where}: says {claim.text!r} ({claim.value} +- {claim.tolerance}) but "
                            f"the full-size run gives {claim.name} = {numbers[claim.name]:.4g}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["record", "check", "full-check"])
    parser.add_argument("--unit", action="append", help="only this unit (repeatable)")
    args = parser.parse_args(argv)
    units = args.unit or recording_units()
    if args.command == "check":
        problems = check(numbers_of(load_record()["units"]))
    else:
        measured = measure(units)
        if args.command == "record":
            record = load_record() if RECORD.exists() else {"units": {}}
            record["units"] = dict(sorted({**record["units"], **measured}.items()))
            record["environment"] = environment()
            RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
            print(f"wrote {RECORD.relative_to(ROOT)}")
        problems = check(numbers_of(measured), [c for c in CLAIMS if c.unit in units])
    for problem in problems:
        print(problem)
    if not problems:
        print("every quoted number holds")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
