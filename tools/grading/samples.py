"""Sample submissions of an assignment, graded with the real nbgrader CLI.

A sample submission is the student release with some answer cells filled in:

- "reference": every answer cell holds the reference answer from solutions/, markers removed;
- "untouched": the release as a student receives it;
- a typical mistake: the reference answer with one snippet replaced (`Mistake`).

The demo and the end-to-end tests build these, put them where nbgrader expects submissions
(`<root>/submitted/<student>/<assignment>/`), autograde them (`tools.grading.autograde`), write
their feedback and read every grade cell's score from `<root>/gradebook.db`.
"""

import runpy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.course import COURSE, ROOT, SOLUTIONS, generate
from tools.grading.gradebook import scores

MISTAKES_DIR = ROOT / "tests" / "mistakes"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: the reference answer of `cell` with `old` replaced by `new`.

    Attributes:
        cell: grade_id of the answer cell.
        old, new: the snippet of the reference answer to replace, and what a student wrote.
        loses: grade_ids of the test cells that must fail (score 0); all others keep full marks.
        why: the mistake in words.
    """

    cell: str
    old: str
    new: str
    loses: tuple[str, ...]
    why: str


@dataclass
class Submission:
    """One student's answers: grade_id -> cell source, per notebook file name; and other files
    handed in with the notebooks (file name -> bytes), such as unit 10's model.keras."""

    student: str
    answers: dict[str, dict[str, str]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


def is_answer(cell):
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def is_test(cell):
    """A graded test cell: a code cell with points that holds no answer."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def notebooks(assignment):
    """File names of the assignment's notebooks."""
    return sorted(p.name for p in (SOLUTIONS / assignment).glob("*.ipynb"))


def strip_markers(source):
    """What a student writes: the reference answer without the solution marker lines."""
    return "\n".join(line for line in source.splitlines()
                     if line.strip() not in SOLUTION_MARKERS).strip("\n")


def reference_answers(assignment, notebook):
    """grade_id -> reference answer for every answer cell of a notebook."""
    nb = nbformat.read(SOLUTIONS / assignment / notebook, as_version=4)
    return {grade_id(c): strip_markers(c.source) for c in nb.cells if is_answer(c)}


def load_mistakes(assignment, kind="MISTAKES"):
    """The assignment's typical mistakes from tests/mistakes/<assignment>.py (MISTAKES), or with
    kind="ALTERNATIVES" its alternative correct answers (`Mistake`s that lose nothing)."""
    path = MISTAKES_DIR / f"{assignment}.py"
    return runpy.run_path(str(path)).get(kind, []) if path.exists() else []


def submission_files(assignment):
    """Files (name -> bytes) that the reference and mistake submissions hand in with their
    notebooks: what `submission_files()` in tests/mistakes/<assignment>.py returns, if defined."""
    path = MISTAKES_DIR / f"{assignment}.py"
    make = runpy.run_path(str(path)).get("submission_files") if path.exists() else None
    return make() if make else {}


def with_mistakes(assignment, notebook, mistakes):
    """grade_id -> answer: the reference answers with each mistake's snippet replaced."""
    answers = reference_answers(assignment, notebook)
    for m in mistakes:
        count = answers[m.cell].count(m.old)
        if count != 1:
            raise ValueError(f"{assignment}/{notebook}: the reference answer of {m.cell!r} "
                             f"contains {m.old!r} {count} times; a mistake needs exactly one.")
        answers[m.cell] = answers[m.cell].replace(m.old, m.new)
    return answers


def pack(mistakes):
    """Group mistakes so that no two in a group touch the same answer or test cell.

    One submission per group then checks several mistakes in one notebook run: each test cell
    that fails can only be blamed on one mistake of the group.
    """
    groups = []
    for m in mistakes:
        for group in groups:
            if all(m.cell != g.cell and not set(m.loses) & set(g.loses) for g in group):
                group.append(m)
                break
        else:
            groups.append([m])
    return groups


def sample_submissions(assignment, mistake_groups=()):
    """The reference and untouched submissions, plus one per group of mistakes.

    Args:
        assignment: the assignment id.
        mistake_groups: lists of `Mistake`s; group i becomes student "mistakes<i>".
    """
    files = submission_files(assignment)
    subs = [Submission("reference", {nb: reference_answers(assignment, nb)
                                     for nb in notebooks(assignment)}, files),
            Submission("untouched", {nb: {} for nb in notebooks(assignment)})]
    for i, group in enumerate(mistake_groups, 1):
        (notebook,) = notebooks(assignment)
        subs.append(Submission(f"mistakes{i:02d}",
                               {notebook: with_mistakes(assignment, notebook, group)}, files))
    return subs


def filled(assignment, name, answers, release_dir=COURSE):
    """The released notebook `name` of `assignment` with `answers` (grade_id -> source) in its
    answer cells."""
    nb = nbformat.read(Path(release_dir) / assignment / name, as_version=4)
    unknown = set(answers) - {grade_id(c) for c in nb.cells if is_answer(c)}
    if unknown:
        raise ValueError(f"{assignment}/{name} has no answer cells {sorted(unknown)}")
    for cell in nb.cells:
        if is_answer(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def write_submission(root, assignment, submission, release_dir=COURSE):
    """Write a submission where nbgrader looks for it, starting from the student release."""
    folder = Path(root) / "submitted" / submission.student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for name, answers in submission.answers.items():
        nbformat.write(filled(assignment, name, answers, release_dir), folder / name)
    for name, data in submission.files.items():
        (folder / name).write_bytes(data)


class Scores(list):
    """Rows of `gradebook.scores` for the graded students.

    Attributes:
        failures: student -> why that student's submission could not be graded.
    """

    failures: dict[str, str]


def run(root, assignment, submissions, settings=None):
    """Release `assignment` into `root`'s gradebook, autograde `submissions`, return scores.

    Each student is graded on its own (`tools.grading.autograde`), so a notebook that cannot be
    graded costs only its student: the others' scores are returned, and `failures` says why.

    Args:
        settings: `autograde.Settings`; by default the trusted samples run without the sandbox.

    Returns:
        `Scores`: the rows of `scores(root)` for this assignment.
    """
    from tools.grading.autograde import Settings, autograde, generate_feedback

    root = Path(root)
    release = root / "release"
    generate(release_dir=release, root=root, db=True, only=assignment)
    for sub in submissions:
        write_submission(root, assignment, sub, release_dir=release)
    outcomes = autograde(root, assignment, [s.student for s in submissions],
                         settings or Settings(isolate=False), parallel=False, report=None)
    generate_feedback(root, assignment)
    rows = Scores(row for row in scores(root) if row["assignment"] == assignment)
    rows.failures = {o.student: o.reason for o in outcomes if not o.graded}
    return rows
