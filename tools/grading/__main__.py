"""Grade a class with nbgrader: `python -m tools.grading release|grade ...` (see --help).

    python -m tools.grading release 01_activations --root ~/dl4-class --exchange /srv/nbgrader/exchange
    python -m tools.grading grade   01_activations --root ~/dl4-class --exchange /srv/nbgrader/exchange

`grade` collects the submissions, autogrades every student isolated and in parallel, writes and
releases the feedback, exports grades.csv and class.csv, and prints the class table. Students
that could not be graded are listed at the end with the reason, and the exit status is 1.
"""

import argparse
import contextlib
import os
import sys
from pathlib import Path

from tools.grading.autograde import Settings, cluster
from tools.grading.classroom import Course, class_rows, print_table
from tools.grading.sandbox import Limits
from tools.integrity import flagged


def parser():
    p = argparse.ArgumentParser(prog="python -m tools.grading", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="step", required=True)
    for name, text in (("release", "generate the student version and release it to the exchange"),
                       ("grade", "collect, autograde, feedback, export")):
        s = sub.add_parser(name, help=text)
        s.add_argument("assignments", nargs="+", metavar="assignment")
        s.add_argument("--root", type=Path, default=Path.home() / "dl4-class",
                       help="the class's course root, outside the repository (default ~/dl4-class)")
        s.add_argument("--exchange", type=Path, default=Path("/srv/nbgrader/exchange"),
                       help="nbgrader's exchange directory (default /srv/nbgrader/exchange)")
    release = sub.choices["release"]
    release.add_argument("--duedate", help="due date, ISO format in UTC, e.g. 2026-12-24T23:59")
    grade = sub.choices["grade"]
    grade.add_argument("--workers", type=int, default=os.cpu_count(),
                       help="local Dask worker processes (default: one per core)")
    grade.add_argument("--scheduler", help="address of a Dask scheduler (tcp://host:8786) to "
                       "use instead of a local cluster; its workers must see --root")
    grade.add_argument("--cell-timeout", type=int, default=Settings.cell_timeout,
                       help="seconds one cell may run (default %(default)s)")
    grade.add_argument("--notebook-budget", type=int, default=Settings.notebook_budget,
                       help="seconds for one whole notebook (default %(default)s)")
    grade.add_argument("--memory-gib", type=float, default=Limits.memory / 2**30,
                       help="memory of one student's kernel in GiB (default %(default)s)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run students' code unisolated (only for trusted notebooks)")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    course = Course(args.root.resolve(), args.exchange.resolve())
    if args.step == "release":
        for assignment in args.assignments:
            course.release(assignment, duedate=args.duedate)
            print(f"released {assignment} to {course.exchange}")
        return 0
    settings = Settings(cell_timeout=args.cell_timeout, notebook_budget=args.notebook_budget,
                        isolate=not args.no_sandbox,
                        limits=Limits(memory=int(args.memory_gib * 2**30)))
    outcomes = []
    # One cluster grades every assignment: a local one unless --scheduler names one.
    given = contextlib.nullcontext(args.scheduler) if args.scheduler else cluster(args.workers)
    with given as scheduler:
        for assignment in args.assignments:
            outcomes += course.grade(assignment, settings, scheduler=scheduler)
    return summary(course, outcomes)


def summary(course, outcomes, out=print):
    """Export the grades, print the class table and every failure; 1 if any student failed."""
    grades, table = course.export(outcomes)
    out("")
    print_table(class_rows(course.root, outcomes), out)
    failed = [o for o in outcomes if not o.graded]
    out(f"\ngradebook: {course.root / 'gradebook.db'}")
    out(f"grades:    {grades} (nbgrader export), {table} (every student, with status)")
    out(f"feedback:  {course.root / 'feedback'}/<student>/<assignment>/<notebook>.html, "
        f"released to {course.exchange}")
    held = flagged(course.root)
    if held:
        out(f"\nFLAGGED FOR REVIEW {len(held)} notebooks (their autograded cells wait for an "
            "instructor in the formgrader; `python -m tools.integrity <root>` lists them again):")
        for row in held:
            out(f"  {row['assignment']} {row['student']} {row['notebook']}: "
                + "; ".join(row["reasons"]))
    if failed:
        out(f"\nCOULD NOT GRADE {len(failed)} of {len(outcomes)} submissions:")
        for o in failed:
            out(f"  {o.assignment} {o.student}: {o.reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
