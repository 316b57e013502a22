"""Read and write nbgrader's SQLite gradebook: scores, merging a shard, a snapshot for a shard.

SQLite allows one writer at a time and nbgrader has no parallel autograde (jupyter/nbgrader#174),
so every student is autograded in a shard -- a course root of its own, with a copy of the class
gradebook -- and the coordinator alone merges each shard's grades into the class gradebook.
"""

import sqlite3
import warnings
from pathlib import Path

GRADEBOOK = "gradebook.db"


def url(root):
    return f"sqlite:///{Path(root) / GRADEBOOK}"


def snapshot(root, dest):
    """Copy `root`'s gradebook to the file `dest` consistently (SQLite's backup API)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{Path(root) / GRADEBOOK}?mode=ro", uri=True)
    try:
        out = sqlite3.connect(dest)
        with out:
            src.backup(out)
        out.close()
    finally:
        src.close()


def scores(root):
    """Every grade cell of every submission in `root`'s gradebook.

    Returns a list of dicts with keys student, assignment, notebook, cell, score (None while a
    written answer waits for manual grading), max_score and manual (True for written answers).
    """
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(url(root)) as gb:
        for assignment in gb.assignments:
            for sub in gb.assignment_submissions(assignment.name):
                for nb in sub.notebooks:
                    for grade in nb.grades:
                        rows.append({
                            "student": sub.student.id, "assignment": assignment.name,
                            "notebook": nb.name, "cell": grade.name,
                            "score": None if grade.needs_manual_grade else grade.score,
                            "max_score": grade.max_score,
                            "manual": grade.cell.cell_type == "markdown",
                        })
    return rows


def merge(root, shard, assignment, student):
    """Copy one student's autograde results from the shard at `shard` into `root`'s gradebook.

    Automatic scores and comments, the submission time and the late penalty come from the shard.
    Manual scores and comments an instructor already entered in `root` are kept.
    """
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    with Gradebook(url(shard)) as src, Gradebook(url(root)) as gb, warnings.catch_warnings():
        # nbgrader's update_or_create_submission autoflushes half-built rows (it warns, and
        # commits them correctly afterwards).
        warnings.simplefilter("ignore", SAWarning)
        sub = src.find_submission(assignment, student)
        gb.update_or_create_student(student)
        gb.update_or_create_submission(assignment, student, timestamp=sub.timestamp)
        for snb in sub.notebooks:
            nb = gb.find_submission_notebook(snb.name, assignment, student)
            nb.late_submission_penalty = snb.late_submission_penalty
            nb.flagged = snb.flagged  # tools.integrity: held for review
            for g in snb.grades:
                grade = gb.find_grade(g.name, snb.name, assignment, student)
                grade.auto_score = g.auto_score
                grade.needs_manual_grade = g.needs_manual_grade and grade.manual_score is None
            for c in snb.comments:
                comment = gb.find_comment(c.name, snb.name, assignment, student)
                comment.auto_comment = c.auto_comment
        gb.db.commit()


def totals(root, assignment):
    """student -> (score, max_score, late seconds, cells waiting for manual grading)."""
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(url(root)) as gb:
        for sub in gb.assignment_submissions(assignment):
            pending = sum(g.needs_manual_grade for nb in sub.notebooks for g in nb.grades)
            out[sub.student.id] = (sub.score, sub.max_score, sub.total_seconds_late, pending)
    return out
