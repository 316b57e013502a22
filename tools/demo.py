"""The main job: regenerate course/, grade sample submissions with nbgrader, print the scores.

    python -m tools.demo        (what `make demo` runs)

Steps: rebuild course/ from solutions/; in build/demo/ (a fresh nbgrader course root with its
own SQLite gradebook) release every assignment and autograde three sample students per
assignment: `reference` (the reference answers), `untouched` (the release as handed out) and
`typical_mistakes` (a typical mistake, from tests/mistakes/, in every other exercise); write their
feedback HTML; print one row per student and notebook.

The sample notebooks run in fast mode (DL4_FAST=1: small data, few epochs, same code paths), so
the whole demo takes minutes; run `DL4_FAST=0 make demo` to grade them at full size.
"""

import os
import shutil
import sys
import time
from collections import defaultdict

from tools.course import ROOT, assignments, build
from tools.grading import Submission, load_mistakes, notebooks, pack, run, sample_submissions

DEMO_ROOT = ROOT / "build" / "demo"


def demo_submissions(assignment):
    subs = sample_submissions(assignment)
    mistakes = load_mistakes(assignment)
    if mistakes:
        (group, *_) = pack(_one_per_cell(mistakes)[::2])
        (sub,) = sample_submissions(assignment, [group])[2:]
        subs.append(Submission("typical_mistakes", sub.answers))
    return subs


def _one_per_cell(mistakes):
    """The first mistake of each answer cell, in notebook order."""
    first = {}
    for m in mistakes:
        first.setdefault(m.cell, m)
    return list(first.values())


def table(rows):
    """Rows of the score table: (assignment, notebook, student, auto, auto_max, written)."""
    cells = defaultdict(list)
    for r in rows:
        cells[r["assignment"], r["notebook"], r["student"]].append(r)
    out = []
    for (assignment, notebook, student), grades in sorted(cells.items()):
        auto = [g for g in grades if not g["manual"]]
        manual = [g for g in grades if g["manual"]]
        pending = sum(g["score"] is None for g in manual)
        written = (f"{pending} of {len(manual)} to grade by hand" if pending
                   else f"{sum(g['score'] for g in manual):g} / {sum(g['max_score'] for g in manual):g}")
        out.append((assignment, notebook, student, sum(g["score"] for g in auto),
                    sum(g["max_score"] for g in auto), written))
    return out


def main():
    start = time.perf_counter()
    os.environ.setdefault("DL4_FAST", "1")  # inherited by the kernels nbgrader starts
    changed = build()
    print("course/ regenerated from solutions/" + (f" ({len(changed)} files updated)"
                                                   if changed else " (already up to date)"))
    shutil.rmtree(DEMO_ROOT, ignore_errors=True)
    DEMO_ROOT.mkdir(parents=True)
    rows = []
    for assignment in assignments():
        print(f"autograding {assignment} ({', '.join(notebooks(assignment))}) ...", flush=True)
        rows += run(DEMO_ROOT, assignment, demo_submissions(assignment))
    header = ("assignment", "notebook", "student", "autograded", "written answers")
    lines = [(a, nb, s, f"{auto:g} / {top:g}", w) for a, nb, s, auto, top, w in table(rows)]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=True)]
    print()
    for line in [header, tuple("-" * w for w in widths), *lines]:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
    print(f"\ngradebook: {DEMO_ROOT / 'gradebook.db'}")
    print(f"feedback:  {DEMO_ROOT / 'feedback'}/<student>/<assignment>/<notebook>.html")
    mode = "fast mode" if os.environ["DL4_FAST"] == "1" else "full size"
    print(f"done in {time.perf_counter() - start:.0f} s ({mode})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
