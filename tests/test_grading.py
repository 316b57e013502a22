"""End to end with the real nbgrader CLI: every exercise is graded fairly.

For each assignment: the reference answers get full marks, the untouched release gets zero,
every typical mistake in tests/mistakes/<assignment>.py makes exactly the test cells it
names fail while every other cell keeps its points, and every alternative correct answer there
(ALTERNATIVES: mistakes that lose nothing) keeps all of them. Mistakes that touch different cells share
one submission (`tools.grading.pack`), so a notebook is executed a few times, not once per
mistake.
"""

import nbformat
import pytest

from tools.course import SOLUTIONS, assignments
from tools.grading import (
    grade_id,
    is_answer,
    load_mistakes,
    notebooks,
    pack,
    run,
    sample_submissions,
)

pytestmark = pytest.mark.notebooks


@pytest.fixture(scope="module", params=assignments())
def graded(request, tmp_path_factory):
    assignment = request.param
    groups = pack([*load_mistakes(assignment), *load_mistakes(assignment, "ALTERNATIVES")])
    root = tmp_path_factory.mktemp(f"grade_{assignment}")
    rows = run(root, assignment, sample_submissions(assignment, groups))
    by_student = {}
    for row in rows:
        by_student.setdefault(row["student"], {})[row["cell"]] = row
    return assignment, groups, by_student, root


def test_reference_gets_full_marks(graded):
    _, _, by_student, _ = graded
    cells = by_student["reference"]
    lost = {c: r["score"] for c, r in cells.items() if not r["manual"] and r["score"] != r["max_score"]}
    assert not lost, f"the reference answers lose points in {lost}"
    assert all(r["score"] is None for r in cells.values() if r["manual"]), \
        "written reference answers should wait for manual grading"


def test_untouched_release_gets_zero(graded):
    _, _, by_student, _ = graded
    scored = {c: r["score"] for c, r in by_student["untouched"].items() if r["score"] != 0}
    assert not scored, f"the untouched release scores points in {scored}"


def test_each_mistake_loses_exactly_its_cells(graded):
    assignment, groups, by_student, _ = graded
    for i, group in enumerate(groups, 1):
        cells = by_student[f"mistakes{i:02d}"]
        failing = {m_cell for m in group for m_cell in m.loses}
        unknown = failing - set(cells)
        assert not unknown, f"{assignment}: mistakes name unknown test cells {unknown}"
        for cell, row in cells.items():
            if row["manual"]:
                continue
            expected = 0 if cell in failing else row["max_score"]
            culprit = [m.why for m in group if cell in m.loses]
            assert row["score"] == expected, (
                f"{assignment} cell {cell}: scored {row['score']}, expected {expected} "
                f"with mistakes {[m.why for m in group]}; blamed: {culprit}")


def test_feedback_is_written(graded):
    assignment, _, by_student, root = graded
    for student in by_student:
        html = list((root / "feedback" / student / assignment).glob("*.html"))
        assert html, f"no feedback for {student}"
        assert "Check" in html[0].read_text(encoding="utf-8")


def test_every_exercise_has_a_typical_mistake(graded):
    assignment, groups, _, _ = graded
    covered = {m.cell for group in groups for m in group if m.loses}
    code_answers = {grade_id(c) for nb in notebooks(assignment)
                    for c in nbformat.read(SOLUTIONS / assignment / nb, as_version=4).cells
                    if c.cell_type == "code" and is_answer(c)}
    assert code_answers, f"{assignment} has no autograded exercise"
    assert code_answers <= covered, f"no typical mistake for {sorted(code_answers - covered)}"


def test_every_exercise_has_an_alternative_answer(graded):
    assignment, groups, _, _ = graded
    alternatives = {m.cell for group in groups for m in group if not m.loses}
    code_answers = {grade_id(c) for nb in notebooks(assignment)
                    for c in nbformat.read(SOLUTIONS / assignment / nb, as_version=4).cells
                    if c.cell_type == "code" and is_answer(c)}
    assert code_answers <= alternatives, \
        f"no alternative correct answer for {sorted(code_answers - alternatives)}"
