"""A class's grading workflow with nbgrader's exchange and its SQLite gradebook.

    release:  generate_assignment -> release_assignment (to the exchange)
    students: fetch_assignment -> work -> submit            (each student, in their own account)
    grade:    collect -> autograde (tools.grading.autograde: isolated, parallel)
              -> [manual grading of written answers: formgrader]
              -> generate_feedback -> release_feedback -> export (CSV)

Every step is the real nbgrader CLI, with this repository's nbgrader_config.py, run on a course
root of the class (`Course.root`: gradebook, submitted/, autograded/, feedback/) and an exchange
directory shared with the students (`Course.exchange`). Both belong outside the repository.
"""

import csv
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.course import ROOT, generate
from tools.grading import gradebook
from tools.grading.autograde import Settings, autograde, generate_feedback
from tools.integrity import flagged


class StepFailed(RuntimeError):
    """An nbgrader step failed; the message holds its command and output."""


def nbgrader_step(*args, cwd=ROOT):
    """Run `nbgrader *args` (repository config when cwd is ROOT); raise `StepFailed` on error."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        raise StepFailed(f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


@dataclass(frozen=True)
class Course:
    """A class: the instructor's course root and the exchange directory students reach.

    Attributes:
        root: the course root (gradebook.db, release/, submitted/, autograded/, feedback/).
        exchange: nbgrader's exchange root (`Exchange.root`), shared with the students.
        course_id: nbgrader's course id (nbgrader_config.py sets "dl4").
    """

    root: Path
    exchange: Path
    course_id: str = "dl4"

    def _instructor(self, *args):
        return nbgrader_step(*args, f"--CourseDirectory.root={self.root}",
                             f"--Exchange.root={self.exchange}",
                             f"--CourseDirectory.release_directory={self.root / 'release'}")

    def release(self, assignment, duedate=None):
        """Record `assignment` in the gradebook and release it to the exchange.

        Args:
            duedate: ISO date and time (UTC) after which submissions count as late.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        self.write_config()
        self.exchange.mkdir(parents=True, exist_ok=True)
        self.exchange.chmod(0o1777)  # students write their submissions into inbound/
        generate(release_dir=self.root / "release", root=self.root, db=True, only=assignment)
        if duedate:
            self.set_duedate(assignment, duedate)
        self._instructor("release_assignment", assignment, "--force")

    def write_config(self):
        """Write `<root>/nbgrader_config.py` unless it exists: the course's settings, this class's
        folders. Plain `nbgrader ...` and `jupyter lab` (its formgrader) started in the root use it.
        """
        path = self.root / "nbgrader_config.py"
        if not path.exists():
            path.write_text(
                "# This class's nbgrader settings: the course's, then this class's folders.\n"
                f"load_subconfig({str(ROOT / 'nbgrader_config.py')!r})  # noqa: F821\n"
                "c = get_config()  # noqa: F821\n"
                f"c.CourseDirectory.root = {str(self.root)!r}\n"
                f"c.CourseDirectory.release_directory = {str(self.root / 'release')!r}\n"
                f"c.Exchange.root = {str(self.exchange)!r}\n", encoding="utf-8")

    def set_duedate(self, assignment, duedate):
        self._instructor("db", "assignment", "add", assignment, f"--duedate={duedate}")

    def collect(self, assignment):
        """Collect the newest submission of every student; return the students who have one."""
        self._instructor("collect", assignment, "--update")
        return sorted(p.parent.name for p in (self.root / "submitted").glob(f"*/{assignment}")
                      if p.is_dir())

    def grade(self, assignment, settings=None, workers=None, scheduler=None, report=print):
        """Collect, autograde, write and release feedback, export grades; return the outcomes."""
        students = self.collect(assignment)
        report(f"{assignment}: collected {len(students)} submissions; autograding ...")
        outcomes = autograde(self.root, assignment, students, settings or Settings(), workers=workers,
                             scheduler=scheduler, report=report)
        if any(o.graded for o in outcomes):
            generate_feedback(self.root, assignment)
            self._instructor("release_feedback", assignment)
        return outcomes

    def export(self, outcomes):
        """Write grades.csv (`nbgrader export`) and class.csv (every outcome); return their paths.

        class.csv has one row per student and assignment: the score, or why it could not be
        graded -- a student nbgrader has no grade for is never silently a zero.
        """
        grades = self.root / "grades.csv"
        self._instructor("export", f"--to={grades}")
        table = self.root / "class.csv"
        with open(table, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["student", "assignment", "score", "max_score", "seconds_late",
                             "to_grade_by_hand", "status"])
            for row in class_rows(self.root, outcomes):
                writer.writerow(row)
        return grades, table

    # What a student does in their own account: nbgrader's exchange classes, which the
    # `nbgrader fetch_assignment|submit|fetch_feedback` commands run, called in this process.
    def student_home(self, student):
        return self.root.parent / "students" / student

    def _as_student(self, exchange_class, student, assignment):
        from nbgrader.auth import Authenticator
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config import Config

        home = self.student_home(student)
        home.mkdir(parents=True, exist_ok=True)
        config = Config()
        config.Exchange.root = str(self.exchange)
        config.Exchange.assignment_dir = str(home)
        config.ExchangeFetchAssignment.replace_missing_files = True
        coursedir = CourseDirectory(config=config, root=str(home), course_id=self.course_id,
                                    assignment_id=assignment, student_id=student)
        exchange_class(coursedir=coursedir, authenticator=Authenticator(config=config),
                       config=config).start()
        return home / assignment

    def fetch(self, student, assignment):
        """Fetch the released assignment into the student's home; return its folder there."""
        from nbgrader.exchange.default import ExchangeFetchAssignment

        return self._as_student(ExchangeFetchAssignment, student, assignment)

    def submit(self, student, assignment):
        """Submit the student's assignment folder to the exchange (timestamped)."""
        from nbgrader.exchange.default import ExchangeSubmit

        self._as_student(ExchangeSubmit, student, assignment)

    def fetch_feedback(self, student, assignment):
        """Fetch released feedback; return the HTML files the student received."""
        from nbgrader.exchange.default import ExchangeFetchFeedback

        folder = self._as_student(ExchangeFetchFeedback, student, assignment)
        return sorted((folder / "feedback").rglob("*.html"))


def class_rows(root, outcomes):
    """(student, assignment, score, max, seconds late, to grade by hand, status) per outcome."""
    rows = []
    by_assignment = {}
    for o in outcomes:
        by_assignment.setdefault(o.assignment, []).append(o)
    held = {(r["student"], r["assignment"]) for r in flagged(root)}
    for assignment, group in by_assignment.items():
        totals = gradebook.totals(root, assignment)
        for o in sorted(group, key=lambda o: o.student):
            if o.graded:
                score, top, late, pending = totals[o.student]
                review = ["flagged for review"] if (o.student, assignment) in held else []
                status = "; ".join(["graded", *review, *o.notes])
                rows.append((o.student, assignment, f"{score:g}", f"{top:g}", f"{late:.0f}",
                             pending, status))
            else:
                rows.append((o.student, assignment, "", "", "", "",
                             f"could not grade: {o.reason}"))
    return rows


def print_table(rows, out=print):
    header = ("student", "assignment", "score", "max", "late (s)", "by hand", "status")
    lines = [tuple(str(x) for x in r) for r in rows]
    widths = [max(len(x) for x in col) for col in zip(header, *lines, strict=True)]
    for line in [header, tuple("-" * w for w in widths), *lines]:
        out("  ".join(x.ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())

