"""The notebooks themselves: course/ is fresh, clean, and holds no answers; exercises add up."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from dl4lib.notebook import ABSL_LINE
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


def test_setup_cell_installs_the_release_tag_of_this_version():
    import dl4lib

    source = course.setup_cell_source()
    assert f"git+{course.repository_url()}@v{dl4lib.__version__}\"" in source
    assert "main" not in source and "restart" not in source.lower()


# Nothing a person made is lost ------------------------------------------------------------

def test_install_replaces_only_what_it_wrote_and_keeps_the_rest(tmp_path):
    dest, messages = tmp_path / "course" / "unit", []
    manifest = course.Manifest(tmp_path / "generated.sha256")
    assert course.install({"a.ipynb": b"v1", "b.ipynb": b"v1", "old.ipynb": b"v1"}, dest,
                          manifest, messages.append)
    manifest.save()
    (dest / "a.ipynb").write_bytes(b"student's answers")
    (dest / "notes.md").write_bytes(b"my notes")
    (dest / "old.ipynb").write_bytes(b"edited too")
    manifest = course.Manifest(tmp_path / "generated.sha256")  # as a later run reads it
    changed = course.install({"a.ipynb": b"v2", "b.ipynb": b"v2"}, dest, manifest,
                             messages.append)
    assert changed == [dest / "b.ipynb"]
    assert (dest / "a.ipynb").read_bytes() == b"student's answers"
    assert (dest / "old.ipynb").read_bytes() == b"edited too"
    assert (dest / "notes.md").read_bytes() == b"my notes"
    assert [m.split(":")[0] for m in messages] == [f"kept {dest / 'a.ipynb'}",
                                                     f"kept {dest / 'old.ipynb'}"]
    (dest / "old.ipynb").write_bytes(b"v1")  # back to what the tool wrote: it may go now
    course.install({"a.ipynb": b"v2", "b.ipynb": b"v2"}, dest, manifest, messages.append)
    assert not (dest / "old.ipynb").exists()


def test_generate_refuses_to_write_course_directly():
    with pytest.raises(ValueError, match="release"):
        course.generate(release_dir=course.COURSE)


def test_work_copy_is_made_once_and_never_overwritten(tmp_path):
    src, work = tmp_path / "course", tmp_path / "work"
    (src / "unit").mkdir(parents=True)
    (src / "unit" / "nb.ipynb").write_text("release 1")
    assert course.copy_to_work(src, work) == [work / "unit" / "nb.ipynb"]
    (work / "unit" / "nb.ipynb").write_text("my answers")
    (src / "unit" / "nb.ipynb").write_text("release 2")
    (src / "unit2").mkdir()
    (src / "unit2" / "nb.ipynb").write_text("new unit")
    messages = []
    assert course.copy_to_work(src, work, messages.append) == [work / "unit2" / "nb.ipynb"]
    assert (work / "unit" / "nb.ipynb").read_text() == "my answers"
    assert messages == ["kept your unit/nb.ipynb; the course's current version is "
                        "course/unit/nb.ipynb"]


def _copy_of_repository(dest):
    """This checkout's files (as they are now, not only as committed) in a fresh git repo."""
    keep = set(subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                              cwd=course.ROOT, capture_output=True, text=True,
                              check=True).stdout.splitlines())
    for name in keep:
        src = course.ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        subprocess.run(["git", *args], cwd=dest, check=True, capture_output=True)


@pytest.mark.notebooks
def test_make_targets_keep_what_students_and_instructors_made(tmp_path):
    """Edit a release notebook, add files in course/ and work/, run the make targets."""
    repo = tmp_path / "repo"
    _copy_of_repository(repo)
    venv = Path(sys.executable).parent.parent
    make = ["make", "-C", str(repo), f"VENV={venv}", "-o", f"{venv}/.installed"]

    def run(*targets):
        out = subprocess.run([*make, *targets], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    run("work")
    edited = repo / "course" / "01_activations" / "activations.ipynb"
    edited.write_text(edited.read_text().replace("YOUR CODE HERE", "my own attempt", 1))
    mine = {edited: edited.read_text(),
            repo / "course" / "01_activations" / "notes.md": "my notes",
            repo / "course" / "01_activations" / ".ipynb_checkpoints" / "x.ipynb": "{}",
            repo / "work" / "02_initialization" / "initialization.ipynb": "my answers",
            repo / "work" / "02_initialization" / "data.csv": "1,2"}
    for path, text in mine.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    # An instructor's change to the header that every released notebook carries.
    header = repo / "solutions" / "header.ipynb"
    header.write_text(header.read_text().replace("Before you start", "Before you begin", 1))
    out = run("course") + run("work") + run("lint")
    assert "kept course/01_activations/activations.ipynb" in out
    assert "kept your 02_initialization/initialization.ipynb" in out
    for path, text in mine.items():
        assert path.read_text() == text, f"{path} changed"
    assert "Before you begin" in (repo / "course" / "02_initialization" /
                                  "initialization.ipynb").read_text()


# Run All on the untouched release ----------------------------------------------------------

@pytest.mark.notebooks
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_release_runs_to_the_end(assignment, monkeypatch):
    """Run every released notebook top to bottom as Colab's and JupyterLab's "Run All" do.

    Both stop at the first cell whose execute reply has status "error" (Colab ignores the
    `raises-exception` tag, which the release no longer carries), and so does nbclient without
    `allow_errors`: every code cell must run. A cell that needs an exercise not done yet says so
    in one line on stderr (`dl4lib.notebook.Unfinished`); each exercise's stub does, at least
    once. No TensorFlow log line reaches any output, though the kernel starts without the
    TF_CPP_MIN_LOG_LEVEL that `make` exports: the setup cell sets it.
    """
    from nbclient import NotebookClient

    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)  # the kernel inherits os.environ

    for name in notebooks(assignment):
        path = course.COURSE / assignment / name
        nb = nbformat.read(path, as_version=4)
        assert not [c.id for c in nb.cells if "raises-exception" in c.metadata.get("tags", [])]
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in code), "a code cell did not run"
        unfinished = []
        for cell in code:
            for out in cell.outputs:
                text = out.get("text", "")
                assert out.output_type != "error", cell.source
                assert "absl::InitializeLog" not in text, text
                assert not any(ABSL_LINE.match(line) for line in text.splitlines()), text
                if out.output_type == "stream" and out.name == "stderr":
                    assert text.count("\n") == 1 and "Traceback" not in text, text
                    unfinished.append(text)
        stubs = [c for c in code if is_answer(c)]
        assert sum("not implemented yet" in line for line in unfinished) >= len(stubs), \
            "every exercise should say that it is not implemented yet"
