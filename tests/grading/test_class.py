"""The class workflow end to end: nbgrader's exchange, isolated parallel autograde on Dask.

One small class of unit 01 is released, fetched, submitted, collected and graded twice on a
two-worker `distributed.LocalCluster`, every kernel in the sandbox. The class holds an honest
student, a blank one, a late one, a dishonest one, one who leaves a process running, one whose
kernel dies and notebooks that cannot be graded at all.
"""

import csv
import datetime
import hashlib
import subprocess
import sys
import time

import nbformat
import pytest

from tools.course import ROOT, SOLUTIONS
from tools.grading import gradebook, reference_answers
from tools.grading.autograde import Settings, cluster
from tools.grading.classroom import Course, class_rows
from tools.integrity import flagged

pytestmark = pytest.mark.notebooks

UNIT = "01_activations"
MARKER = f"{time.time_ns() % 10**6}.25"  # `sleep MARKER`: the process a student leaves running


def tamper(root):
    """An answer that tries to write the checks, the gradebooks and solutions/, and to see ada."""
    targets = ["dl4lib.checks.__file__", repr(str(root / "gradebook.db")),
               "'../../../gradebook.db'", repr(str(SOLUTIONS / "x"))]
    return f"""
import dl4lib.checks, os
for _path in [{", ".join(targets)}]:
    try:
        open(_path, "a").write("0")
        print("TAMPERED", _path)
    except OSError as _e:
        print("refused", type(_e).__name__)
print("others:", os.path.exists({str(root / "submitted" / "ada")!r}))
"""


def tree_hash(folder):
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def fill(folder, answers, append_to_first=""):
    for path in folder.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        first = True
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and meta.get("grade_id") in answers:
                cell.source = answers[meta["grade_id"]]
                if first and cell.cell_type == "code":
                    cell.source += "\n" + append_to_first
                    first = False
        nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    course = Course(base / "class", base / "exchange")
    course.release(UNIT)
    (notebook,) = (p.name for p in (course.root / "release" / UNIT).glob("*.ipynb"))
    reference = reference_answers(UNIT, notebook)
    work = {
        "ada": lambda f: fill(f, reference),
        "bob_blank": lambda f: None,
        "eve_tampers": lambda f: fill(f, reference, tamper(course.root)),
        "pia_process": lambda f: fill(f, reference, "import subprocess\nsubprocess.Popen("
                                      f"['sleep', '{MARKER}'], start_new_session=True)"),
        "ray_dies": lambda f: fill(f, reference, "import os, signal\n"
                                   "os.kill(os.getpid(), signal.SIGKILL)"),
        "ivo_invalid": lambda f: (f / notebook).write_text("{ not json"),
        "ren_renamed": lambda f: (f / notebook).rename(f / f"Copy of {notebook}"),
    }
    for student, do in work.items():
        do(course.fetch(student, UNIT))
        course.submit(student, UNIT)
    course.set_duedate(UNIT, datetime.datetime.now(datetime.UTC).isoformat())
    time.sleep(1)
    fill(course.fetch("lee_late", UNIT), reference)
    course.submit("lee_late", UNIT)

    library = tree_hash(ROOT / "dl4lib")
    settings = Settings(cell_timeout=120, notebook_budget=600)
    first = course.grade(UNIT, settings, workers=2, report=lambda line: None)
    submitted = tree_hash(course.root / "submitted")
    scores_first = gradebook.scores(course.root)
    with cluster(2) as scheduler:  # the re-run grades on a cluster a run shares across units
        second = course.grade(UNIT, settings, scheduler=scheduler, report=lambda line: None)
    return {"course": course, "first": first, "second": second, "library": library,
            "submitted": submitted, "scores_first": scores_first}


def totals(course):
    """student -> (autograded score, autograded maximum); written answers wait for the formgrader."""
    out = {}
    for row in gradebook.scores(course.root):
        if not row["manual"]:
            score, top = out.get(row["student"], (0, 0))
            # None: the cell waits for the instructor (tools/integrity flagged the notebook).
            out[row["student"]] = (None if score is None or row["score"] is None
                                   else score + row["score"], top + row["max_score"])
    return out


def test_honest_students_get_what_they_earned(graded):
    t = totals(graded["course"])
    assert t["ada"][0] == t["ada"][1] > 0
    assert t["bob_blank"][0] == 0
    assert t["lee_late"][0] == t["lee_late"][1]


def test_the_late_submission_is_marked_late(graded):
    late = {s: seconds for s, (_, _, seconds, _) in
            gradebook.totals(graded["course"].root, UNIT).items()}
    assert late["lee_late"] > 0
    assert late["ada"] == 0


def test_broken_notebooks_cost_only_their_student_and_say_why(graded):
    reasons = {o.student: o.reason for o in graded["first"] if not o.graded}
    assert set(reasons) == {"ray_dies", "ivo_invalid", "ren_renamed"}, reasons
    assert "kernel died" in reasons["ray_dies"]
    assert "not a readable notebook" in reasons["ivo_invalid"]
    assert "no notebook named" in reasons["ren_renamed"]


def test_a_dishonest_notebook_reaches_nothing_outside_its_copy(graded):
    assert tree_hash(ROOT / "dl4lib") == graded["library"]
    t = totals(graded["course"])
    assert t["eve_tampers"][0] is None  # flagged by tools/integrity: held for the instructor
    (path,) = (graded["course"].root / "autograded" / "eve_tampers" / UNIT).glob("*.ipynb")
    printed = "".join(out.get("text", "") for cell in nbformat.read(path, as_version=4).cells
                      if cell.cell_type == "code" for out in cell.outputs)
    assert "TAMPERED" not in printed and printed.count("refused") == 4, printed
    assert "others: False" in printed


def test_no_process_outlives_its_grading(graded):
    left = subprocess.run(["pgrep", "-f", f"sleep {MARKER}"], capture_output=True, text=True)
    assert left.stdout == "", f"still running: {left.stdout}"


def test_regrading_is_idempotent_and_submissions_stay_intact(graded):
    course = graded["course"]
    assert tree_hash(course.root / "submitted") == graded["submitted"]
    assert gradebook.scores(course.root) == graded["scores_first"]
    assert [(o.student, o.graded, o.reason) for o in graded["second"]] == \
        [(o.student, o.graded, o.reason) for o in graded["first"]]


def test_feedback_hides_hidden_tests_and_machine_paths(graded):
    course = graded["course"]
    html = course.fetch_feedback("ada", UNIT)
    assert html, "ada received no feedback"
    text = html[0].read_text(encoding="utf-8")
    assert "Check" in text or "test_" in text
    assert "BEGIN HIDDEN TESTS" not in text
    for private in (str(ROOT), str(course.root), sys.prefix, sys.base_prefix):
        assert private not in text, f"feedback shows {private}"


def test_class_csv_lists_every_student_with_a_status(graded):
    course = graded["course"]
    grades, table = course.export(graded["second"])
    with table.open(encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert len(rows) == 8
    assert rows["ivo_invalid"]["status"].startswith("could not grade: ")
    assert rows["ada"]["status"] == "graded" and float(rows["ada"]["score"]) > 0
    assert "ada" in grades.read_text(encoding="utf-8")


def test_the_tampering_notebook_is_flagged_in_the_gradebook_and_the_class_table(graded):
    from nbgrader.api import Gradebook

    course = graded["course"]
    held = {row["student"] for row in flagged(course.root)}
    assert "eve_tampers" in held and "ada" not in held, held
    with Gradebook(gradebook.url(course.root)) as gb:
        (nb,) = gb.find_submission(UNIT, "eve_tampers").notebooks
        assert nb.flagged  # nbgrader's own marker survives the merge of the shard
    status = {row[0]: row[-1] for row in class_rows(course.root, graded["second"])}
    assert "flagged for review" in status["eve_tampers"]
    assert "flagged" not in status["ada"]
