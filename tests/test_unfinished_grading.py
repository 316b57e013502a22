"""Run All past unfinished exercises costs their points all the same, with the real nbgrader.

`dl4lib.notebook.Unfinished` turns the error of a cell that needs an unfinished exercise into one
line on stderr and lets the kernel reply "ok". nbgrader's autograde and validate give 0 points to
a graded cell with stderr output (`nbgrader.utils.determine_grade`), so the untouched release
still earns nothing, a partly done one exactly the cells of its finished exercises, and a
notebook that redirects `sys.stderr` to hide the message earns nothing for it either.
"""

from pathlib import Path

import nbformat
import pytest

from tools.grading import Submission, grade_id, reference_answers, run

pytestmark = pytest.mark.notebooks

UNIT, NOTEBOOK = "01_activations", "activations.ipynb"
DONE = ("sigmoid", "tanh")  # the finished exercises of the partly done notebook
HIDE = "import sys\nsys.stderr = sys.stdout  # hide the checks' messages\n"


def earns(cell):
    """Whether a test cell's points belong to a finished exercise: test_<exercise>[_hidden]."""
    return cell.removeprefix("test_").removesuffix("_hidden") in DONE


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("unfinished")
    reference = reference_answers(UNIT, NOTEBOOK)
    partial = {cell: reference[cell] for cell in DONE}
    hiding = {**partial, "relu": HIDE + "def relu(x):\n    raise NotImplementedError()\n"}
    rows = run(root, UNIT, [Submission("untouched", {NOTEBOOK: {}}),
                            Submission("partial", {NOTEBOOK: partial}),
                            Submission("hiding", {NOTEBOOK: hiding})])
    scores = {}
    for row in rows:
        if not row["manual"]:
            scores.setdefault(row["student"], {})[row["cell"]] = row["score"]
    return root, scores


def autograded(root, student):
    return nbformat.read(Path(root) / "autograded" / student / UNIT / NOTEBOOK, as_version=4)


def test_untouched_release_earns_nothing_and_its_checks_say_so_on_stderr(graded):
    root, scores = graded
    assert scores["untouched"] and not any(scores["untouched"].values()), scores["untouched"]
    test_cells = [c for c in autograded(root, "untouched").cells
                  if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert test_cells
    for cell in test_cells:  # the handler ran: one line on stderr, no error output
        kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
        assert ("stream", "stderr") in kinds and ("error", None) not in kinds, kinds


def test_partly_done_notebook_earns_exactly_its_finished_exercises(graded):
    _, scores = graded
    partial = scores["partial"]
    assert any(earns(cell) for cell in partial)
    wrong = {cell: score for cell, score in partial.items() if (score > 0) != earns(cell)}
    assert not wrong, f"scores that do not match the finished exercises {DONE}: {wrong}"


def test_redirecting_stderr_does_not_hide_a_failing_check(graded):
    from nbgrader.utils import determine_grade

    root, _ = graded
    for cell in autograded(root, "hiding").cells:
        if cell.metadata.get("nbgrader", {}).get("grade") and grade_id(cell).startswith("test_"):
            score, max_score = determine_grade(cell)
            assert (score == max_score) == earns(grade_id(cell)), (grade_id(cell), cell.outputs)


def test_validate_fails_exactly_the_unfinished_exercises_with_their_message(graded):
    """nbgrader's Validate (the JupyterLab button runs the same `Validator`)."""
    from nbgrader.validator import Validator

    root, _ = graded
    failed = {}
    for student in ("untouched", "partial"):
        path = Path(root) / "submitted" / student / UNIT / NOTEBOOK
        results = Validator().validate(str(path))
        assert set(results) <= {"failed"}, results
        by_source = {c.source.strip(): grade_id(c)
                     for c in nbformat.read(path, as_version=4).cells if grade_id(c)}
        failed[student] = {by_source[f["source"]]: f["raw_error"] for f in results["failed"]}
    visible = [c for c in failed["untouched"] if not c.endswith("_hidden")]
    assert {f"test_{e}" for e in DONE} <= set(visible)
    for cell, error in failed["untouched"].items():
        if cell.startswith("test_"):  # not the written answers, "You did not provide a response"
            assert error.count("\n") == 1 and "Traceback" not in error, (cell, error)
    assert set(failed["partial"]) == {c for c in failed["untouched"] if not earns(c)}
