"""The notebooks themselves: course/ is fresh, clean, and holds no answers; exercises add up."""

import re

import nbformat
import pytest

from tools import course
from tools.grading import grade_id, is_answer, notebooks, reference_answers

ASSIGNMENTS = course.assignments()


def cells(folder, assignment):
    return [c for nb in notebooks(assignment)
            for c in nbformat.read(folder / assignment / nb, as_version=4).cells]


@pytest.mark.notebooks
def test_course_is_generated_from_solutions():
    problems = course.check()
    assert not problems, "run `make course`:\n" + "\n".join(problems)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_holds_no_solutions_or_hidden_tests(assignment):
    text = "\n".join(c.source for c in cells(course.COURSE, assignment))
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text
    for nb in notebooks(assignment):
        for cell_id, answer in reference_answers(assignment, nb).items():
            body = [line for line in answer.splitlines()
                    if line.strip() and not line.lstrip().startswith(("def ", '"""', "#"))]
            leaked = [line for line in body if line in text.splitlines()]
            assert len(leaked) < max(1, len(body) // 2), f"{cell_id} leaks {leaked}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_starts_with_the_colab_setup_cell(assignment):
    first = cells(course.COURSE, assignment)[0]
    assert first.source == course.setup_cell_source()
    assert course.repository_url() in first.source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercise_headings_match_their_points(assignment):
    """'## Exercise N. ... (P points)' equals the points of the test cells that follow it."""
    sections, current = {}, None
    for cell in cells(course.SOLUTIONS, assignment):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            match = re.match(r"## (Exercise \d+)\..*\((\d+) points?\)", cell.source)
            current = match.groups() if match else None
            if current:
                sections[current] = 0
        elif meta.get("grade") and not meta.get("solution"):
            assert current, f"test cell {meta['grade_id']} is not under an exercise heading"
            sections[current] += meta["points"]
    assert sections, f"{assignment} has no exercises"
    wrong = {name: (int(points), got) for (name, points), got in sections.items()
             if int(points) != got}
    assert not wrong, f"heading points differ from test cell points: {wrong}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_test_cells_explain_themselves(assignment):
    for cell in cells(course.SOLUTIONS, assignment):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            assert cell.source.startswith('"""Check'), f"{meta['grade_id']} needs a docstring"
            assert meta["points"] > 0
        if is_answer(cell) and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source, f"{grade_id(cell)} has no solution"
