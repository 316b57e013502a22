"""Time `nbgrader autograde` of one assignment's reference answers (unit 9's target: <= 10 s).

The reference submission is graded by the real nbgrader CLI in a temporary course directory,
exactly as `tools.grading` does for the tests, at full size unless DL4_FAST=1 is set in the
environment. Prints the wall-clock seconds of `nbgrader autograde` (kernel start and every cell
included), the CPU seconds that nbgrader and its kernel used (less sensitive to other load, but
BLAS threads count twice on 2 cores), the score, and the load average, since other processes on a
shared machine slow the BLAS threads of the matrix-product experiment most.

Run: .venv/bin/python benchmarks/bench_autograde.py [assignment ...]   (default: 09_matrix_ops)
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tools.course import generate, nbgrader  # noqa: E402
from tools.grading import Submission, notebooks, reference_answers, scores, write_submission  # noqa: E402


def autograde_seconds(assignment):
    """(wall s, CPU s of `nbgrader autograde`, autograded score, maximum) for the reference answers."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(release_dir=root / "release", root=root, db=True, only=assignment)
        answers = {nb: reference_answers(assignment, nb) for nb in notebooks(assignment)}
        write_submission(root, assignment, Submission("reference", answers), root / "release")
        cpu_before = _children_cpu()
        start = time.perf_counter()
        result = nbgrader("autograde", assignment, "--force", root=root, check=False)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu_before
        if result.returncode:
            raise RuntimeError(f"nbgrader autograde failed:\n{result.stdout}\n{result.stderr}")
        rows = [r for r in scores(root) if not r["manual"]]
        return seconds, cpu, sum(r["score"] for r in rows), sum(r["max_score"] for r in rows)


def _children_cpu():
    """CPU seconds (user + system) of the finished child processes and their descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv):
    mode = "fast mode (DL4_FAST=1)" if os.environ.get("DL4_FAST") == "1" else "full size"
    print(f"nbgrader autograde of the reference answers, {mode}, {os.cpu_count()} CPUs, "
          f"load average before: {os.getloadavg()[0]:.1f}")
    for assignment in argv or ["09_matrix_ops"]:
        seconds, cpu, score, maximum = autograde_seconds(assignment)
        print(f"{assignment:<20s}{seconds:7.1f} s wall {cpu:7.1f} s CPU   score {score:g} / {maximum:g}   "
              f"load average after: {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
