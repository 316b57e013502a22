"""Experiments left out while autograding: only cells that no graded cell uses, and the grades
do not change (tools/grading/experiments.py)."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools.course import COURSE, SOLUTIONS, assignments, generate
from tools.grading import Submission, notebooks, reference_answers, scores, write_submission
from tools.grading.autograde import Settings, autograde, generate_feedback
from tools.grading.experiments import NOTE, TAG, is_nbgrader_cell, names, skipped_cells, tagged_sources
from tools.grading.samples import is_test

EXPERIMENT = "history = train(model)\nresults['adam'] = history[-1]\nplot(history)"


def notebook(*sources, grade=()):
    """A notebook of code cells; the indices in `grade` are nbgrader test cells."""
    cells = [new_markdown_cell("# A unit")]
    for i, source in enumerate(sources):
        cell = new_code_cell(source)
        if i in grade:
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": f"t{i}", "points": 1}
        cells.append(cell)
    return new_notebook(cells=cells)


def skipped(*sources, trusted=(EXPERIMENT,), grade=()):
    """Positions (among `sources`) of the cells left out."""
    return {i - 1 for i in skipped_cells(notebook(*sources, grade=grade), set(trusted))}


def test_names_of_a_cell():
    found = names("import numpy as np\nfrom a import b as c\nx, (y, *z) = 1, (2, 3)\n"
                  "def f(n):\n    global G\n    G = n + h\n    return n\n"
                  "table['k'] = w\nmodel.weights = v\nx2 = x + 1\nq += 1\n")
    assert found.bound >= {"np", "c", "x", "y", "z", "f", "G", "table", "model", "x2", "q"}
    assert "h" in found.deferred and "n" not in found.deferred
    # x was bound by this cell before x2 read it; w, v and q (augmented) are read from outside.
    assert {"w", "v", "q"} <= found.loads and "x" not in found.loads
    assert names("def broken(:\n    pass").bound is None
    assert names("%%time\nhistory = train()").bound is None  # a cell magic is not analysed
    assert "files" in names("files = !ls").bound


def test_an_unused_experiment_is_left_out():
    assert skipped("model = build()", EXPERIMENT, "check(model)", grade={2}) == {1}


@pytest.mark.parametrize("later", [
    "check(history)",                                   # a test reads what it computed
    "def mine():\n    return results['adam']",          # an answer's function reads it later
    "print(len(history))\nx = 1",
    "%time summary(history)",                           # inside a magic
    "history +",                                        # a cell that does not parse
    "results.update(extra=1)\nprint(results)",
])
def test_an_experiment_a_later_cell_reads_runs(later):
    assert skipped("model = build()\nresults = {}", EXPERIMENT, later) == set()


def test_a_function_defined_before_the_experiment_counts_when_it_reads_its_names():
    assert skipped("def best():\n    return results['adam']", EXPERIMENT, "best()") == set()
    # ... but a top-level read before the experiment ran does not need it.
    assert skipped("results = {}\nprint(results)", EXPERIMENT, "check(1)") == {1}


def test_a_later_cell_that_binds_a_name_first_does_not_need_the_experiment():
    assert skipped(EXPERIMENT, "history = [1, 2]\nprint(history)") == {0}


@pytest.mark.parametrize("reach", ["print(globals()['history'])", "eval('history')",
                                   "get_ipython().user_ns['history']", "print(_12)",
                                   "import __main__\n__main__.history"])
def test_code_that_reaches_the_namespace_by_name_runs_everything(reach):
    assert skipped(EXPERIMENT, reach) == set()


def test_only_untouched_instructor_experiments_outside_nbgrader_cells_are_left_out():
    assert skipped(EXPERIMENT + "\n# my note", "check(1)") == set()  # edited by the student
    assert skipped(EXPERIMENT, trusted=()) == set()                    # not tagged by the instructor
    assert skipped(EXPERIMENT, grade={0}) == set()                     # a test cell always runs
    nb = notebook(EXPERIMENT)
    nb.cells[1].metadata["tags"] = [TAG]  # a student's own tag is not trusted
    assert skipped_cells(nb, set()) == set()


@pytest.mark.parametrize("assignment", assignments())
def test_every_tagged_cell_is_left_out_of_the_reference_and_found_in_the_release(assignment):
    for name in notebooks(assignment):
        source = nbformat.read(SOLUTIONS / assignment / name, as_version=4)
        tagged = [i for i, c in enumerate(source.cells) if TAG in c.metadata.get("tags", [])]
        assert tagged, f"{assignment}/{name}: no experiment tagged"
        assert not any(is_nbgrader_cell(source.cells[i]) for i in tagged)
        assert skipped_cells(source, tagged_sources(source)) == set(tagged), \
            f"{assignment}/{name}: a tagged experiment is needed by the reference"
        release = {c.source for c in nbformat.read(COURSE / assignment / name, as_version=4).cells}
        assert tagged_sources(source) <= release


def graded_outputs(nb, skip):
    """Run `nb` as autograde does, leaving out `skip`; each test cell's stdout and error."""
    from nbclient import NotebookClient

    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(SOLUTIONS)}})
    outputs = {}
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code" or i in skip:
                continue
            client.execute_cell(cell, i)
            if is_test(cell):
                outputs[cell.metadata["nbgrader"]["grade_id"]] = [
                    (o.get("text") if o.output_type == "stream" and o.name == "stdout"
                     else (o.ename, o.evalue) if o.output_type == "error" else None)
                    for o in cell.outputs]
    return outputs


@pytest.mark.notebooks
@pytest.mark.parametrize("assignment", assignments())
def test_leaving_experiments_out_changes_no_test_cell_of_the_reference(assignment, monkeypatch):
    """The tag's promise: a left-out experiment changes no state the test cells read (seeds,
    settings, files). Checked on the reference with its hidden tests; tests/test_grading.py
    grades every typical mistake and alternative with experiments left out."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    for name in notebooks(assignment):
        path = SOLUTIONS / assignment / name
        full = graded_outputs(nbformat.read(path, as_version=4), set())
        nb = nbformat.read(path, as_version=4)
        skip = skipped_cells(nb, tagged_sources(nb))
        assert skip
        assert graded_outputs(nb, skip) == full


@pytest.mark.notebooks
def test_autograde_leaves_out_experiments_that_no_cell_of_that_student_reads(tmp_path):
    """With the real nbgrader: "reads" prints, in a cell of its own at the end, a name that only
    one experiment binds; "edits" changed another experiment. Those run for them, not for
    "reference", and every one keeps full marks."""
    unit = "01_activations"
    (name,) = notebooks(unit)
    source = nbformat.read(SOLUTIONS / unit / name, as_version=4)
    tagged = [c.source for c in source.cells if TAG in c.metadata.get("tags", [])]

    def only_bound_by(cell):
        others = [c for c in source.cells if c.cell_type == "code" and c.source != cell]
        return names(cell).bound - set().union(*(names(c.source).bound or set() for c in others))

    read = next(t for t in tagged if only_bound_by(t))  # "reads" prints a name only it binds
    own_name = sorted(only_bound_by(read))[0]
    edited = next(t for t in tagged if t != read)
    generate(release_dir=tmp_path / "release", root=tmp_path, db=True, only=unit)
    students = ["reference", "reads", "edits"]
    for student in students:
        write_submission(tmp_path, unit, Submission(student, {name: reference_answers(unit, name)}),
                         release_dir=tmp_path / "release")
    path = tmp_path / "submitted" / "{}" / unit / name
    nb = nbformat.read(str(path).format("reads"), as_version=4)
    nb.cells.append(new_code_cell(f"print({own_name})"))
    nbformat.write(nb, str(path).format("reads"))
    nb = nbformat.read(str(path).format("edits"), as_version=4)
    next(c for c in nb.cells if c.source == edited).source += "\nprint('my own line')"
    nbformat.write(nb, str(path).format("edits"))

    outcomes = autograde(tmp_path, unit, students, Settings(isolate=False), parallel=False,
                         report=None)
    assert all(o.graded for o in outcomes)
    generate_feedback(tmp_path, unit)
    rows = [r for r in scores(tmp_path) if not r["manual"]]
    assert {r["student"] for r in rows} == set(students)
    assert all(r["score"] == r["max_score"] for r in rows)
    left_out = {}
    for student in students:
        nb = nbformat.read(tmp_path / "autograded" / student / unit / name, as_version=4)
        left_out[student] = {c.source for c in nb.cells if c.cell_type == "code" and c.outputs
                             and c.outputs[0].get("text") == NOTE}
    assert left_out["reference"] == set(tagged)
    assert read not in left_out["reads"] and left_out["reads"] < set(tagged)
    assert left_out["edits"] == set(tagged) - {edited}
    html = tmp_path / "feedback" / "reference" / unit / name.replace(".ipynb", ".html")
    assert "Not run while autograding" in html.read_text(encoding="utf-8")
