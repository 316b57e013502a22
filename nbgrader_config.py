"""nbgrader configuration of the DL-4 course.

`solutions/` is nbgrader's source directory and `course/` its release directory. Both are given
as absolute paths, so the same configuration serves a course root elsewhere (the demo grades in
build/demo/ and still reads solutions/ and writes course/).
"""

import os
import sys

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "dl4"
c.CourseDirectory.source_directory = os.path.join(HERE, "solutions")
c.CourseDirectory.release_directory = os.path.join(HERE, "course")
# Files in an assignment folder that are not copied into the student release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Every student notebook opens with the header: the Colab setup cell and how to submit.
c.IncludeHeaderFooter.header = os.path.join(HERE, "solutions", "header.ipynb")

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Autograding: a cell may train a small model, but one stuck cell must not stall a class.
# nbgrader keeps executing after a failing cell, so a failing check costs only its own points.
c.Execute.timeout = 300

# Integrity: after the scores are saved, flag notebooks whose editable cells or folder look like
# tampering with grading (tools/integrity.py explains the threat model).
sys.path.insert(0, HERE)
from nbgrader.converters import Autograde  # noqa: E402
from nbgrader.preprocessors import SaveAutoGrades  # noqa: E402

from tools.integrity import FlagTampering  # noqa: E402

_steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
_after = _steps.index(SaveAutoGrades) + 1
c.Autograde.autograde_preprocessors = [*_steps[:_after], FlagTampering, *_steps[_after:]]
