"""Benchmark: autograding cost per student, against the floor of a fresh kernel and its imports.

    python benchmarks/bench_grading.py [--units 01_activations ...] [--students 4] [--workers N]

Per unit, measured one after another in this run:

- floor:      a fresh kernel that runs only the notebook's import statements (nbclient), the
              best of three runs;
- nbgrader:   plain `nbgrader autograde` of one reference submission (one process, no sandbox);
- pipeline:   `tools.grading.autograde` of `--students` reference submissions, sandboxed, on a
              LocalCluster of `--workers` processes, divided by the number of students. One
              cluster grades every unit, as `python -m tools.grading grade` does; its start
              (workers, and each worker's first warm nbgrader) is printed on its own line.

The last lines give the totals over the units, seconds per student, and the speed-ups:
nbgrader / pipeline, and pipeline against the target floor * 1.3 / cores. DL4_FAST is honoured
(set DL4_FAST=1 for the fast mode CI uses; unset, the notebooks run at full size).
"""

import argparse
import ast
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.course import assignments, generate, nbgrader  # noqa: E402
from tools.grading import Submission, notebooks, reference_answers, write_submission  # noqa: E402
from tools.grading.autograde import Settings, autograde, cluster  # noqa: E402
from tools.grading.samples import SOLUTIONS  # noqa: E402


def import_lines(assignment):
    """The import statements of every code cell of the assignment's notebooks, in order."""
    lines = []
    for name in notebooks(assignment):
        for cell in nbformat.read(SOLUTIONS / assignment / name, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(line for line in cell.source.splitlines()
                               if not line.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(source)
            except SyntaxError:
                continue
            lines += [ast.unparse(node) for node in tree.body
                      if isinstance(node, ast.Import | ast.ImportFrom)]
    return list(dict.fromkeys(lines))


def floor(assignment, repeat=3):
    """Seconds for a fresh kernel to start and run the notebook's imports: the best of `repeat`
    runs (a floor; one run on a busy machine can take twice as long)."""
    return min(_floor_once(assignment) for _ in range(repeat))


def _floor_once(assignment):
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("\n".join(
        import_lines(assignment)))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3").execute()
    return time.perf_counter() - start


def class_root(assignment, students):
    root = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    generate(release_dir=root / "release", root=root, db=True, only=assignment)
    answers = {nb: reference_answers(assignment, nb) for nb in notebooks(assignment)}
    for s in students:
        write_submission(root, assignment, Submission(s, answers), release_dir=root / "release")
    return root


def plain_nbgrader(assignment):
    """Seconds of one `nbgrader autograde` of one reference submission."""
    root = class_root(assignment, ["reference"])
    try:
        start = time.perf_counter()
        result = nbgrader("autograde", assignment, "--force", root=root, check=False)
        seconds = time.perf_counter() - start
        if result.returncode:
            raise RuntimeError(result.stdout + result.stderr)
        return seconds
    finally:
        shutil.rmtree(root, ignore_errors=True)


def pipeline(assignment, n, scheduler):
    """Seconds per student of the sandboxed parallel pipeline over `n` reference submissions."""
    students = [f"student{i:03d}" for i in range(n)]
    root = class_root(assignment, students)
    try:
        start = time.perf_counter()
        outcomes = autograde(root, assignment, students, Settings(), scheduler=scheduler,
                             report=None)
        seconds = time.perf_counter() - start
        failed = [o for o in outcomes if not o.graded]
        if failed:
            raise RuntimeError(f"{assignment}: {failed}")
        return seconds / n
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", nargs="+", default=assignments())
    p.add_argument("--workers", type=int, default=os.cpu_count())
    p.add_argument("--students", type=int, default=2 * os.cpu_count())
    args = p.parse_args(argv)
    cores = args.workers
    mode = "fast mode" if os.environ.get("DL4_FAST") == "1" else "full size"
    print(f"grading benchmark, {mode}, {cores} workers, {args.students} students per unit "
          f"(seconds per student)")
    print(f"{'unit':20s} {'floor':>8s} {'nbgrader':>9s} {'pipeline':>9s} {'nbgrader/pipeline':>18s}")
    total = {"floor": 0.0, "nbgrader": 0.0, "pipeline": 0.0}
    start = time.perf_counter()
    with cluster(cores) as scheduler:
        pipeline(args.units[0], cores, scheduler)  # every worker starts its warm nbgrader
        print(f"{'cluster start':20s} {time.perf_counter() - start:8.1f} s once per grading run, "
              f"with a first round of {args.units[0]}")
        for unit in args.units:
            row = {"floor": floor(unit), "nbgrader": plain_nbgrader(unit),
                   "pipeline": pipeline(unit, args.students, scheduler)}
            for k in total:
                total[k] += row[k]
            print(f"{unit:20s} {row['floor']:8.1f} {row['nbgrader']:9.1f} {row['pipeline']:9.1f} "
                  f"{row['nbgrader'] / row['pipeline']:17.2f}x", flush=True)
    print(f"{'all units':20s} {total['floor']:8.1f} {total['nbgrader']:9.1f} "
          f"{total['pipeline']:9.1f} {total['nbgrader'] / total['pipeline']:17.2f}x")
    target = 1.3 * total["floor"] / cores
    print(f"target (1.3 x floor / {cores} cores): {target:.1f} s per student; "
          f"pipeline / target = {total['pipeline'] / target:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
