"""`tools.grading.run` keeps every other student's scores when one notebook cannot be graded."""

import pytest

from tools.grading import Submission, notebooks, reference_answers, run

pytestmark = pytest.mark.notebooks

UNIT = "01_activations"


def test_a_dying_kernel_costs_only_its_student(tmp_path):
    (notebook,) = notebooks(UNIT)
    reference = reference_answers(UNIT, notebook)
    first = next(iter(reference))
    dies = dict(reference, **{first: "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"})
    rows = run(tmp_path, UNIT, [Submission("dies", {notebook: dies}),
                                Submission("reference", {notebook: reference})])
    assert set(rows.failures) == {"dies"}
    assert "kernel died" in rows.failures["dies"]
    graded = {r["student"] for r in rows}
    assert graded == {"reference"}
    auto = [r for r in rows if not r["manual"]]
    assert auto and all(r["score"] == r["max_score"] for r in auto)
