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


CLAIMS = [
    Claim("03_learning_rate", "q1", "about 130", "u3 steps x_scale=0.2", 130, 5),
]


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
    """Run `units` at full size; return {"numbers": {name: value}, "seconds": {unit: s}}."""
    numbers, seconds = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for unit in units:
            quotes_file = Path(tmp) / f"{unit}.jsonl"
            start = time.perf_counter()
            run_full_size(unit, quotes_file)
            seconds[unit] = round(time.perf_counter() - start, 1)
            for line in quotes_file.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                if entry["fast"]:
                    raise RuntimeError(f"{unit} recorded {entry['name']} in fast mode")
                numbers[entry["name"]] = entry["value"]
            print(f"{unit}: {seconds[unit]} s", file=sys.stderr)
    return {"numbers": numbers, "seconds": seconds}


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
        problems = check(load_record()["numbers"])
    else:
        measured = measure(units)
        if args.command == "record":
            record = load_record() if RECORD.exists() else {"numbers": {}, "seconds": {}}
            record["numbers"].update(measured["numbers"])
            record["seconds"].update(measured["seconds"])
            record["environment"] = environment()
            record["numbers"] = dict(sorted(record["numbers"].items()))
            RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
            print(f"wrote {RECORD.relative_to(ROOT)}")
        problems = check(measured["numbers"], [c for c in CLAIMS if c.unit in units])
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
