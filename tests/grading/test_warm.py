"""nbgrader forked from a warm forkserver (`tools.grading.warm`) behaves as its CLI does.

Same output and exit status as `python -m nbgrader`; a run past its time budget is killed with
every process its student started.
"""

import os
import subprocess
import sys
import time

import pytest

from tools.course import ROOT, generate
from tools.grading import Submission, notebooks, reference_answers, warm, write_submission
from tools.grading.autograde import Settings, autograde

UNIT = "01_activations"
MARKER = f"{time.time_ns() % 10**6}.75"  # `sleep MARKER`: a process the looping student starts


def cli(args):
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=ROOT,
                          capture_output=True, text=True)


@pytest.mark.parametrize("args", [["--version"], ["autograde", "no_such_assignment"]])
def test_same_output_and_exit_status_as_the_cli(tmp_path, args):
    args = [*args, f"--CourseDirectory.root={tmp_path}"]
    expected = cli(args)
    log = tmp_path / "nbgrader.log"
    for _ in range(2):  # the first call starts the forkserver, the second forks a warm one
        assert warm.run(args, ROOT, dict(os.environ), log, timeout=300) == expected.returncode
        text = log.read_text(encoding="utf-8")
        assert text.strip(), "nothing logged"
        for line in (expected.stdout + expected.stderr).splitlines():
            assert line in text


def test_the_child_gets_exactly_the_environment_given(tmp_path):
    config = tmp_path / "nbgrader_config.py"
    config.write_text("import os\nprint('ENV', sorted(os.environ), os.getcwd())\n")
    log = tmp_path / "nbgrader.log"
    env = {"PATH": os.environ["PATH"], "DL4_PROBE": "1"}
    warm.run(["autograde", "no_such_assignment"], tmp_path, env, log, timeout=300)
    assert f"ENV ['DL4_PROBE', 'PATH'] {tmp_path}" in log.read_text(encoding="utf-8")


@pytest.mark.notebooks
def test_a_student_past_the_budget_is_stopped_with_all_it_started(tmp_path):
    generate(release_dir=tmp_path / "release", root=tmp_path, db=True, only=UNIT)
    (notebook,) = notebooks(UNIT)
    answers = reference_answers(UNIT, notebook)
    first = next(iter(answers))
    loops = (f"import subprocess\nsubprocess.Popen(['sleep', '{MARKER}'], start_new_session=True)"
             "\nwhile True:\n    pass")
    write_submission(tmp_path, UNIT, Submission("loops", {notebook: dict(answers, **{first: loops})}),
                     release_dir=tmp_path / "release")
    budget = 40
    start = time.perf_counter()
    (outcome,) = autograde(tmp_path, UNIT, ["loops"], Settings(cell_timeout=600,
                           notebook_budget=budget), parallel=False, report=None)
    assert time.perf_counter() - start < budget + 60
    assert not outcome.graded and "time budget of 40 s" in outcome.reason, outcome
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", f"sleep {MARKER}"], capture_output=True, text=True)
    assert left.stdout == "", f"still running: {left.stdout}"
