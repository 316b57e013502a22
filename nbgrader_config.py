"""nbgrader configuration of the DL-4 course.

`solutions/` is nbgrader's source directory and `course/` its release directory. Both are given
as absolute paths, so the same configuration serves a course root elsewhere (the demo grades in
build/demo/ and still reads solutions/ and writes course/).
"""

import os
import sys

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # for tools.feedback, whatever directory nbgrader runs from

c.CourseDirectory.course_id = "dl4"
c.CourseDirectory.source_directory = os.path.join(HERE, "solutions")
c.CourseDirectory.release_directory = os.path.join(HERE, "course")
# Files in an assignment folder that are not copied into the student release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
# What running a notebook leaves in its folder (unit 10's trained models, experiment log and
# TensorBoard logs) stays out of the release. Only generate_assignment ignores them: `submit`
# and `autograde` must keep copying a student's model.keras.
if "generate_assignment" in sys.argv:
    c.CourseDirectory.ignore += ["model*.keras", "experiments.jsonl", "logs"]
# ... and autograde must not overwrite a student's files with the instructor's copies.
c.Autograde.exclude_overwriting = {"10_cifar10": ["model.keras", "experiments.jsonl"]}

# Every student notebook opens with the header: the Colab setup cell and how to submit.
c.IncludeHeaderFooter.header = os.path.join(HERE, "solutions", "header.ipynb")

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: a cell may train a small model, but one stuck cell must not stall a class.
# nbgrader keeps executing after a failing cell, so a failing check costs only its own points.
c.Execute.timeout = 300

# Under full load a cell's last output can arrive seconds after the cell finished; nbgrader makes
# nbclient's wait for it (iopub_timeout, 4 s by default) fatal for the whole notebook.
c.Execute.iopub_timeout = 120
c.Execute.startup_timeout = 300
# Once the last cell has run, kill the kernel instead of asking it to shut down and waiting for
# it to exit (seconds per notebook under load): every output is in, and the files it wrote stay.
c.Execute.shutdown_kernel = "immediate"

# Feedback shows every test cell's result, never the source of its hidden tests, and each
# animation's last frame instead of all its frames (tools/feedback.py).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "tools.feedback.StillAnimations",
]

# Autograde leaves out experiments that earn no points and that no graded cell uses
# (tools/grading/experiments.py says when exactly). Integrity: after the scores are saved, flag
# notebooks whose editable cells or folder look like tampering with grading (tools/integrity.py
# explains the threat model).
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import Execute, SaveAutoGrades  # noqa: E402

from tools.grading.experiments import ExecuteGraded  # noqa: E402
from tools.integrity import FlagTampering  # noqa: E402

_steps = [ExecuteGraded if step is Execute else step
          for step in Autograde.class_traits()["autograde_preprocessors"].default()]
_after = _steps.index(SaveAutoGrades) + 1
c.Autograde.autograde_preprocessors = [*_steps[:_after], FlagTampering, *_steps[_after:]]
