"""The tamper suite: dishonest and clumsy submissions graded with the real `nbgrader autograde`.

Each trick in tests/tamper_tricks.py makes one exercise wrong and tries to earn its points anyway
(patched NumPy or checks, fake modules, a `dl4lib/` folder beside the notebook, IPython hooks,
code that misbehaves only under nbgrader, frames, copied byte code, delegation however written,
edited test cells). Graded in the same run as two honest students, every trick must end with the
exercise's test cells at 0, or with the notebook flagged for review (tools/integrity.py); the
honest students keep every point and are not flagged.
"""

import json

import nbformat
import pytest
from tamper_tricks import ACTIVATIONS, ADAM

from tools.course import generate, nbgrader
from tools.grading import (
    Submission,
    grade_id,
    load_mistakes,
    notebooks,
    pack,
    reference_answers,
    scores,
    with_mistakes,
    write_submission,
)
from tools.integrity import flagged

pytestmark = pytest.mark.notebooks

TRICKS = {"01_activations": ACTIVATIONS, "08_adam": ADAM}


def tricked_answers(assignment, notebook, trick):
    answers = reference_answers(assignment, notebook)
    for cell, old, new in trick.edits:
        assert answers[cell].count(old) == 1, (trick.name, cell, old)
        answers[cell] = answers[cell].replace(old, new)
    if trick.append:
        answers[trick.cell] += "\n\n\n" + trick.append + "\n"
    return answers


def apply_to_folder(folder, notebook, trick):
    for rel, text in trick.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if trick.test_edits:
        nb = nbformat.read(folder / notebook, as_version=4)
        cells = {grade_id(c): c for c in nb.cells}
        for gid, old, new, metadata in trick.test_edits:
            cell = cells[gid]
            if old:
                assert cell.source.count(old) == 1, (trick.name, gid, old)
                cell.source = cell.source.replace(old, new)
            if metadata:
                cell.metadata["nbgrader"].update(metadata)
        nbformat.write(nb, folder / notebook)


@pytest.fixture(scope="module", params=sorted(TRICKS))
def graded(request, tmp_path_factory):
    assignment = request.param
    (notebook,) = notebooks(assignment)
    root = tmp_path_factory.mktemp(f"tamper_{assignment}")
    release = root / "release"
    generate(release_dir=release, root=root, db=True, only=assignment)
    alternatives = pack(load_mistakes(assignment, "ALTERNATIVES"))[0]
    subs = [Submission("honest_reference", {notebook: reference_answers(assignment, notebook)}),
            Submission("honest_alternative",
                       {notebook: with_mistakes(assignment, notebook, alternatives)})]
    tricks = {f"trick{i:02d}": t for i, t in enumerate(TRICKS[assignment], 1)}
    subs += [Submission(s, {notebook: tricked_answers(assignment, notebook, t)})
             for s, t in tricks.items()]
    for sub in subs:
        write_submission(root, assignment, sub, release_dir=release)
    for student, trick in tricks.items():
        apply_to_folder(root / "submitted" / student / assignment, notebook, trick)
    # A trick that kills the kernel fails its own autograde (nbgrader reports it and exits
    # non-zero); everyone else is still graded.
    result = nbgrader("autograde", assignment, "--force", root=root, check=False)
    for student in ("honest_reference", "honest_alternative"):
        assert (root / "autograded" / student / assignment / notebook).exists(), \
            result.stdout + result.stderr
    by_student = {}
    for row in scores(root):
        by_student.setdefault(row["student"], {})[row["cell"]] = row
    flags = {row["student"]: row["reasons"] for row in flagged(root)}
    return assignment, tricks, by_student, flags, result


def test_honest_students_keep_every_point_and_are_not_flagged(graded):
    assignment, _, by_student, flags, _ = graded
    for student in ("honest_reference", "honest_alternative"):
        assert student not in flags, f"{assignment}: {student} flagged: {flags.get(student)}"
        lost = {c: r["score"] for c, r in by_student[student].items()
                if not r["manual"] and r["score"] != r["max_score"]}
        assert not lost, f"{assignment}: {student} loses {lost}"


def test_every_trick_is_defeated_or_flagged(graded):
    assignment, tricks, by_student, flags, _ = graded
    report, undefeated = {}, []
    for student, trick in tricks.items():
        cells = by_student[student]
        earned = {c: cells[c]["score"] for c in trick.defeated if cells[c]["score"]}
        if student in flags:
            report[trick.name] = "flagged"
        elif not earned:
            report[trick.name] = "stopped"
        else:
            undefeated.append(f"{trick.name}: earned {earned}")
    print(f"\n{assignment}: {json.dumps(report, indent=1)}")
    print(f"{assignment}: tricks stopped {sum(v == 'stopped' for v in report.values())}, "
          f"flagged {sum(v == 'flagged' for v in report.values())}, tried {len(tricks)}")
    assert not undefeated, f"{assignment}: tricks that earn points unflagged: {undefeated}"


def test_autograde_lists_the_flagged_notebooks(graded):
    _, _, _, flags, result = graded
    for student in flags:
        assert f"FLAGGED for review: {student}/" in result.stdout + result.stderr
