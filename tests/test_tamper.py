"""The tamper suite: dishonest and clumsy submissions graded as a class is graded.

Each trick in tests/tamper_tricks.py makes one exercise wrong and tries to earn its points anyway
(patched NumPy or checks, fake modules, a `dl4lib/` folder beside the notebook, IPython hooks,
code that misbehaves only under nbgrader, frames, copied byte code, delegation however written,
edited test cells). The tricks and honest students (the reference answers and every alternative
correct answer of tests/mistakes/<assignment>.py) are autograded together by the class pipeline
(`tools.grading.autograde`: plain `nbgrader autograde`, each kernel in the sandbox). Every trick
must end with the exercise's test cells at 0, or with the notebook flagged for review
(tools/integrity.py), or not graded at all; the honest students keep every point and are not
flagged.
"""

import json
import time

import nbformat
import pytest
from tamper_tricks import ACTIVATIONS, ADAM

from tools.course import generate
from tools.grading import (
    Submission,
    grade_id,
    load_mistakes,
    notebooks,
    pack,
    reference_answers,
    scores,
    write_submission,
)
from tools.grading.autograde import Settings, autograde
from tools.grading.samples import with_mistakes
from tools.integrity import flagged

pytestmark = pytest.mark.notebooks

TRICKS = {"01_activations": ACTIVATIONS, "08_adam": ADAM}
SETTINGS = Settings(cell_timeout=120, notebook_budget=600)


def tricked_answers(assignment, notebook, trick):
    answers = reference_answers(assignment, notebook)
    for cell, old, new in trick.edits:
        assert answers[cell].count(old) == 1, (trick.name, cell, old)
        answers[cell] = answers[cell].replace(old, new)
    if trick.append:
        answers[trick.cell] += "\n\n\n" + trick.append + "\n"
    return answers


def apply_to_folder(folder, notebook, trick):
    """Write the trick's extra files beside the notebook, edit its test cells, and delete its
    free code cells (the demonstrations and experiments between the exercises: nbgrader grades
    a notebook without them, and they are most of its running time)."""
    for rel, text in trick.files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    nb = nbformat.read(folder / notebook, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type != "code" or "nbgrader" in c.metadata]
    cells = {grade_id(c): c for c in nb.cells}
    for gid, old, new, metadata in trick.test_edits:
        cell = cells[gid]
        if old:
            assert cell.source.count(old) == 1, (trick.name, gid, old)
            cell.source = cell.source.replace(old, new)
        if metadata:
            cell.metadata["nbgrader"].update(metadata)
    nbformat.write(nb, folder / notebook)


def honest_submissions(assignment, notebook):
    """The reference answers and one submission per group of alternative correct answers."""
    subs = [Submission("honest_reference", {notebook: reference_answers(assignment, notebook)})]
    groups = pack(load_mistakes(assignment, "ALTERNATIVES"))
    assert groups, f"{assignment} has no alternative correct answer to grade beside the tricks"
    subs += [Submission(f"honest_alternative{i:02d}", {notebook: with_mistakes(assignment, notebook, g)})
             for i, g in enumerate(groups, 1)]
    return subs


def grade(assignment, root, tricks, workers=2):
    """Autograde the honest students and one student per trick of `assignment` in `root`."""
    start = time.perf_counter()
    (notebook,) = notebooks(assignment)
    release = root / "release"
    generate(release_dir=release, root=root, db=True, only=assignment)
    honest = honest_submissions(assignment, notebook)
    tricks = {f"trick{i:02d}": t for i, t in enumerate(tricks, 1)}
    subs = honest + [Submission(s, {notebook: tricked_answers(assignment, notebook, t)})
                     for s, t in tricks.items()]
    for sub in subs:
        write_submission(root, assignment, sub, release_dir=release)
    for student, trick in tricks.items():
        apply_to_folder(root / "submitted" / student / assignment, notebook, trick)
    outcomes = autograde(root, assignment, [s.student for s in subs], SETTINGS, workers=workers,
                         report=None)
    by_student = {}
    for row in scores(root):
        by_student.setdefault(row["student"], {})[row["cell"]] = row
    flags = {row["student"]: row["reasons"] for row in flagged(root)}
    print(f"\n{assignment}: {len(subs)} students autograded in {time.perf_counter() - start:.0f} s")
    return {"assignment": assignment, "root": root, "tricks": tricks, "outcomes": outcomes,
            "honest": [s.student for s in honest], "scores": by_student, "flags": flags}


@pytest.fixture(scope="module", params=sorted(TRICKS))
def graded(request, tmp_path_factory):
    assignment = request.param
    return grade(assignment, tmp_path_factory.mktemp(f"tamper_{assignment}"), TRICKS[assignment])


def test_honest_students_keep_every_point_and_are_not_flagged(graded):
    failed = {o.student: o.reason for o in graded["outcomes"] if not o.graded}
    for student in graded["honest"]:
        assert student not in failed, f"{graded['assignment']}: {student} not graded: {failed[student]}"
        assert student not in graded["flags"], \
            f"{graded['assignment']}: {student} flagged: {graded['flags'][student]}"
        lost = {c: r["score"] for c, r in graded["scores"][student].items()
                if not r["manual"] and r["score"] != r["max_score"]}
        assert not lost, f"{graded['assignment']}: {student} loses {lost}"


def verdicts(graded):
    """trick name -> "flagged", "stopped" (its cells score 0), "not graded: <why>", or what it
    earned."""
    failed = {o.student: o.reason for o in graded["outcomes"] if not o.graded}
    out = {}
    for student, trick in graded["tricks"].items():
        if student in failed:
            out[trick.name] = f"not graded: {failed[student]}"
            continue
        cells = graded["scores"][student]
        earned = {c: cells[c]["score"] for c in trick.defeated if cells[c]["score"] != 0}
        out[trick.name] = ("flagged" if student in graded["flags"] else
                           f"EARNED {earned}" if earned else "stopped")
    return out


def test_every_trick_is_defeated_or_flagged(graded):
    report = verdicts(graded)
    counts = {kind: sum(v.startswith(kind) for v in report.values())
              for kind in ("stopped", "flagged", "not graded", "EARNED")}
    print(f"\n{graded['assignment']}: {json.dumps(report, indent=1)}\n"
          f"{graded['assignment']}: tried {len(report)}, {counts}")
    undefeated = {name: v for name, v in report.items() if v.startswith("EARNED")}
    assert not undefeated, f"{graded['assignment']}: tricks that earn points unflagged: {undefeated}"


def test_flagged_notebooks_say_why_and_wait_for_the_instructor(graded):
    for student, reasons in graded["flags"].items():
        assert reasons, f"{student} is flagged without a reason"
        waiting = [c for c, r in graded["scores"][student].items() if not r["manual"]]
        assert all(graded["scores"][student][c]["score"] is None for c in waiting), \
            f"{student} is flagged but its autograded cells are final"
        log = graded["root"] / "shards" / graded["assignment"] / student / "autograde.log"
        assert f"FLAGGED for review: {student}/" in log.read_text(encoding="utf-8")
