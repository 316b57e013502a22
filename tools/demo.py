"""The main job: grade a simulated class with the whole nbgrader workflow, print the class table.

    python -m tools.demo        (what `make demo` runs)

In build/demo/ (ignored by git, rebuilt on every run): `class/` is the instructor's course root
(gradebook.db, submitted/, autograded/, feedback/, grades.csv, class.csv), `exchange/` nbgrader's
exchange, `students/<name>/` each student's home. For units 01 and 02 (two of the ten, to keep the
demo to a few minutes on two cores):

1. the instructor releases the unit to the exchange (`generate_assignment`, `release_assignment`);
2. 22 students fetch it, work on it and submit it: reference answers, blank, partial, typical
   mistakes (tests/mistakes/), one late (after the due date), dishonest ones (who rewrite the test
   cells, try to reach the course library, gradebook and other students from their notebook, or
   leave a process running), and broken notebooks (invalid JSON, an empty file, a renamed file, a
   copied answer cell, nbformat 3, an infinite loop, a kernel that dies, a huge allocation);
3. the instructor collects, autogrades every student in the sandbox on a local Dask cluster
   (one worker per core), generates and releases feedback and exports the grades;
4. one student fetches their feedback.

The notebooks run in fast mode (DL4_FAST=1: small data, few epochs, same code paths); run
`DL4_FAST=0 make demo` to grade them at full size.
"""

import datetime
import os
import shutil
import sys
import time

import nbformat

from tools.course import ROOT, build
from tools.grading import load_mistakes, notebooks, pack, reference_answers
from tools.grading.__main__ import summary
from tools.grading.autograde import Settings, cluster
from tools.grading.classroom import Course
from tools.grading.samples import is_answer, with_mistakes

DEMO_ROOT = ROOT / "build" / "demo"
UNITS = ("01_activations", "02_initialization")

TAMPERING = '''
# A dishonest student tries to reach beyond their own notebook.
import pathlib as _p
import dl4lib.checks as _checks
for _what, _try in [
        ("rewrite the course's checks", lambda: open(_checks.__file__, "a").write("\\n")),
        ("read the gradebook", lambda: open("../../../gradebook.db", "rb").read()),
        ("list other students", lambda: list(_p.Path("../..").iterdir())),
        ("read the solutions", lambda: list(_p.Path(_checks.__file__).parents[2].glob("sol*/*")))]:
    try:
        print(_what, "->", _try())
    except Exception as _e:
        print(_what, "-> refused:", type(_e).__name__)
'''
BACKGROUND = '''
import subprocess as _sp
_sp.Popen(["sleep", "3600"], start_new_session=True)  # still running after grading?
'''


def fill(folder, answers):
    """Write grade_id -> source into the answer cells of every notebook in `folder`."""
    for name, cells in answers.items():
        path = folder / name
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if is_answer(cell) and gid in cells:
                cell.source = cells[gid]
        nbformat.write(nb, path)


def edit(folder, change):
    """Apply change(nb) to every notebook in `folder`."""
    for path in folder.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        change(nb)
        nbformat.write(nb, path)


def class_work(assignment):
    """student -> what they do to the fetched assignment folder (a function of the folder)."""
    reference = {nb: reference_answers(assignment, nb) for nb in notebooks(assignment)}
    groups = pack(load_mistakes(assignment)) or [[]]

    def first_half(keep):
        return {nb: dict(list(cells.items())[:len(cells) // 2] if keep == "first"
                         else list(cells.items())[len(cells) // 2:])
                for nb, cells in reference.items()}

    def mistakes(i):
        answers = {nb: with_mistakes(assignment, nb, groups[i % len(groups)])
                   for nb in notebooks(assignment)}
        return lambda folder: fill(folder, answers)

    def append_to_first_answer(code):
        def change(nb):
            answer = next(c for c in nb.cells if is_answer(c) and c.cell_type == "code")
            answer.source += "\n" + code
        return lambda f: (fill(f, reference), edit(f, change))

    def loop_in_last_answer(nb):
        answer = [c for c in nb.cells if is_answer(c) and c.cell_type == "code"][-1]
        answer.source = answer.source.replace("    ", "    while True:\n        pass\n    ", 1)

    def tests_replaced(nb):
        for c in nb.cells:
            meta = c.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                c.source = "pass  # the tests pass, surely"

    def duplicate_first_answer(nb):
        i = next(i for i, c in enumerate(nb.cells) if is_answer(c))
        nb.cells.insert(i + 1, nbformat.from_dict(dict(nb.cells[i], id="copied-cell")))

    def write_v3(folder):
        fill(folder, reference)
        for path in folder.glob("*.ipynb"):
            nbformat.write(nbformat.convert(nbformat.read(path, as_version=4), 3), path)

    def rename(folder):
        fill(folder, reference)
        for path in folder.glob("*.ipynb"):
            path.rename(folder / f"Copy of {path.name}")

    def overwrite(text):
        return lambda folder: [p.write_text(text) for p in folder.glob("*.ipynb")]

    return {
        "ada_reference": lambda f: fill(f, reference),
        "ben_blank": lambda f: None,
        "cai_partial": lambda f: fill(f, first_half("first")),
        "dan_partial": lambda f: fill(f, first_half("second")),
        **{f"{name}_mistakes": mistakes(i)
           for i, name in enumerate(("eve", "fay", "gus", "hue", "ian"))},
        "jay_reference": lambda f: fill(f, reference),
        "kim_late": lambda f: fill(f, reference),
        "lou_edits_tests": lambda f: edit(f, tests_replaced),
        "meg_tampers": append_to_first_answer(TAMPERING),
        "ned_background_process": append_to_first_answer(BACKGROUND),
        "oda_invalid_json": overwrite('{"cells": [ oops'),
        "pat_empty_file": overwrite(""),
        "quy_renamed_file": rename,
        "ros_copied_cell": lambda f: (fill(f, reference), edit(f, duplicate_first_answer)),
        "sol_nbformat3": write_v3,
        "tim_infinite_loop": lambda f: (fill(f, reference), edit(f, loop_in_last_answer)),
        "una_kernel_dies": append_to_first_answer(
            "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        "vic_huge_memory": append_to_first_answer("_big = bytearray(64 * 2**30)"),
    }


def main():
    start = time.perf_counter()
    os.environ.setdefault("DL4_FAST", "1")  # inherited by the kernels nbgrader starts
    changed = build()
    print("course/ regenerated from solutions/" + (f" ({len(changed)} files updated)"
                                                   if changed else " (already up to date)"))
    shutil.rmtree(DEMO_ROOT, ignore_errors=True)
    course = Course(DEMO_ROOT / "class", DEMO_ROOT / "exchange")
    settings = Settings(cell_timeout=60, notebook_budget=400)
    outcomes = []
    with cluster() as scheduler:  # one local Dask cluster grades every unit
        for assignment in UNITS:
            course.release(assignment)
            work = class_work(assignment)
            late = [s for s in work if s.endswith("_late")]
            for student, do in work.items():
                if student not in late:
                    do(course.fetch(student, assignment))
                    course.submit(student, assignment)
            time.sleep(1)  # the deadline passes after every on-time submission, before the late one
            course.set_duedate(assignment, datetime.datetime.now(datetime.UTC).isoformat())
            time.sleep(1)
            for student in late:
                work[student](course.fetch(student, assignment))
                course.submit(student, assignment)
            print(f"{assignment}: released, {len(work)} students submitted ({', '.join(late)} late)",
                  flush=True)
            outcomes += course.grade(assignment, settings, scheduler=scheduler,
                                     report=lambda line: print(line, flush=True))
    status = summary(course, outcomes)
    html = course.fetch_feedback("ada_reference", UNITS[0])
    print(f"ada_reference fetched her feedback: {html[0] if html else 'none'}")
    mode = "fast mode" if os.environ["DL4_FAST"] == "1" else "full size"
    print(f"done in {time.perf_counter() - start:.0f} s ({mode})"
          + ("; the broken notebooks above could not be graded, as intended" if status else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
