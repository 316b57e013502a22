"""Autograde a class: each student alone in a shard, all of them in parallel on Dask.

`autograde(root, assignment, students)` grades the students' submissions already collected in
`<root>/submitted/<student>/<assignment>/`. For each student, one job (`grade_student`):

1. checks the submission before running anything (`preflight`): every released notebook there
   under its own name, valid JSON, no grade cell twice;
2. builds a shard `<root>/shards/<assignment>/<student>/`: a private copy of the submission and
   a snapshot of the class gradebook;
3. runs plain `nbgrader autograde <assignment> --student <student>` there, as nbgrader_config.py
   configures it (leaving out experiments that no graded cell needs: `experiments`), in a
   process of its own forked with nbgrader already imported (`warm`), with the kernel in the
   sandbox (`tools.grading.sandbox`), a per-cell timeout and a total time budget;
4. makes the autograded notebook fit for the student's eyes (`publishable`): no hidden test
   source in tracebacks, no path of the grading machine.

The jobs run on a Dask cluster: a `distributed.LocalCluster` (`cluster`, which one run shares
across assignments) with one worker per core by default, or the scheduler at `scheduler`
(`tcp://host:8786`) when the class outgrows one machine (the workers then need the course root
on a shared file system). The coordinator alone writes the class gradebook: it merges each
graded shard as its job finishes (`gradebook.merge`) and copies its autograded notebook into
`<root>`; `generate_feedback` then writes every student's feedback.
A job that fails affects only its student, whose `Outcome` says why; submissions in
`<root>/submitted/` are only read.
"""

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.course import ROOT, nbgrader
from tools.grading import gradebook, sandbox, warm

SANDBOX_UID = sandbox.SANDBOX_USER
# Environment variables the sandboxed kernel keeps (everything else is cleared).
KERNEL_ENV = ("DL4_FAST", "TF_CPP_MIN_LOG_LEVEL", "PYTHONHASHSEED", "OMP_NUM_THREADS")


@dataclass(frozen=True)
class Settings:
    """How one student's notebooks are run.

    Attributes:
        cell_timeout: seconds one cell may run (nbgrader's `Execute.timeout`).
        notebook_budget: seconds for everything about one notebook (kernel start, all cells,
            feedback); a student's budget is this times the number of notebooks.
        isolate: run the kernel in the sandbox (needs bubblewrap); False only for trusted
            notebooks such as the reference answers.
        limits: the sandbox's `Limits`.
    """

    cell_timeout: int = 300
    notebook_budget: int = 1200
    isolate: bool = True
    limits: sandbox.Limits = field(default_factory=sandbox.Limits)


@dataclass
class Outcome:
    """What became of one student's submission of one assignment.

    `graded` is False when no score could be given; `reason` then says why, in words for the
    instructor. `notes` lists what went wrong without stopping grading (a cell that timed out).
    """

    student: str
    assignment: str
    graded: bool
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def released_notebooks(root, assignment):
    """Names of the notebooks released for `assignment` in `root` (its gradebook)."""
    from nbgrader.api import Gradebook

    with Gradebook(gradebook.url(root)) as gb:
        return sorted(f"{nb.name}.ipynb" for nb in gb.find_assignment(assignment).notebooks)


def preflight(folder, expected):
    """Why the submission in `folder` cannot be graded, or None when it can.

    Args:
        folder: the submitted assignment folder.
        expected: file names of the released notebooks.
    """
    folder = Path(folder)
    found = sorted(p.name for p in folder.glob("*.ipynb"))
    missing = [name for name in expected if name not in found]
    if missing:
        others = f"; found {', '.join(found)}" if found else "; the folder holds no notebook"
        return f"no notebook named {', '.join(missing)}{others}"
    for name in expected:
        path = folder / name
        if path.stat().st_size == 0:
            return f"{name} is an empty file"
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as error:  # noqa: BLE001 - any parse error is the student's to fix
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            return f"{name} is not a readable notebook ({first})"
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
        ids = [i for i in ids if i]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            return (f"{name} holds the cell {', '.join(map(repr, twice))} more than once "
                    f"(a copied cell? keep only one)")
    return None


def _failure(log):
    """The reason in nbgrader's log of a failed autograde, in words."""
    if re.search(r"DeadKernelError|Kernel died|kernel died", log):
        return "the kernel died while running the notebook (out of memory? it crashed?)"
    timeout = re.search(r"Timeout waiting for execute reply \((\d+)s\)", log)
    if timeout:
        return (f"a cell ran longer than the per-cell timeout of {timeout.group(1)} s "
                f"(an infinite loop?)")
    if "UnresponsiveKernelError" in log or "became unresponsive" in log:
        return "the kernel stopped responding and could not be interrupted (an infinite loop?)"
    errors = [line.split("ERROR]", 1)[1].strip() for line in log.splitlines() if "ERROR]" in line]
    return errors[0] if errors else (log.strip().splitlines() or ["nbgrader failed"])[-1]


def private_paths(root):
    """Grading-machine paths to hide from what students see, longest first, with a stand-in."""
    paths = {str(Path(root).resolve()): "<course>", str(ROOT): "<course-library>",
             str(Path(sys.prefix).resolve()): "<python>", sys.prefix: "<python>",
             str(Path(sys.base_prefix).resolve()): "<python>", sys.base_prefix: "<python>"}
    return sorted(paths.items(), key=lambda kv: -len(kv[0]))


def scrub(text, paths):
    """`text` with every private path replaced by its stand-in."""
    for private, public in paths:
        text = text.replace(private, public)
    return text


def publishable(path, paths):
    """Rewrite the autograded notebook at `path` into what its student may see.

    A test cell's error keeps only its message (the check's input, expected, got and hint): its
    traceback would show hidden test source and the library's internals. Machine paths go.
    """
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        for output in cell.outputs:
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
    Path(path).write_text(scrub(nbformat.writes(nb), paths), encoding="utf-8")


def grade_student(root, assignment, student, settings=Settings()):
    """Autograde one student's submission in its shard; return an `Outcome`.

    Runs anywhere that sees `root` (a Dask worker); writes only inside the shard.
    """
    start = time.perf_counter()
    root = Path(root)
    outcome = Outcome(student, assignment, graded=False)
    submitted = root / "submitted" / student / assignment
    expected = released_notebooks(root / "shards" / assignment, assignment)
    reason = preflight(submitted, expected)
    if reason:
        outcome.reason = reason
        return outcome
    shard = root / "shards" / assignment / student
    shutil.rmtree(shard, ignore_errors=True)
    mine = shard / "submitted" / student / assignment
    shutil.copytree(submitted, mine)
    shutil.copy2(root / "shards" / assignment / gradebook.GRADEBOOK, shard / gradebook.GRADEBOOK)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    args = ["autograde", assignment, f"--student={student}", "--force",
            f"--Execute.timeout={settings.cell_timeout}"]
    runtime = None
    if settings.isolate:
        # The kernel's connection file and Unix sockets (a socket path has at most 107 bytes).
        runtime = Path(tempfile.mkdtemp(prefix="dl4-kernel-"))
        kernel_env = {k: os.environ[k] for k in KERNEL_ENV if k in os.environ}
        kernel_env["NBGRADER_EXECUTION"] = "autograde"
        # nbgrader executes its copy in autograded/, so that is the kernel's working folder.
        workdir = shard / "autograded" / student / assignment
        sandbox.install_kernelspec(shard / "jupyter", [workdir, runtime], settings.limits,
                                   kernel_env)
        os.chown(runtime, SANDBOX_UID, SANDBOX_UID)
        # jupyter_client writes the connection file under TMPDIR or the runtime folder.
        env.update(JUPYTER_PATH=str(shard / "jupyter"), TMPDIR=str(runtime),
                   JUPYTER_RUNTIME_DIR=str(runtime))
        args += [f"--Execute.kernel_name={sandbox.KERNEL_NAME}", "--KernelManager.transport=ipc",
                 f"--KernelManager.ip={runtime / 'kernel'}"]
    budget = settings.notebook_budget * len(expected)
    try:
        code = warm.run([*args, f"--CourseDirectory.root={shard}"], ROOT, env,
                        shard / "autograde.log", budget)
    finally:
        if runtime:
            shutil.rmtree(runtime, ignore_errors=True)
    log = (shard / "autograde.log").read_text(encoding="utf-8", errors="replace")
    autograded = shard / "autograded" / student / assignment
    if code is None:
        outcome.reason = (f"it ran longer than its time budget of {budget} s "
                          f"({settings.notebook_budget} s a notebook): an infinite loop?")
    elif code or not all((autograded / name).exists() for name in expected):
        outcome.reason = _failure(log)
    else:
        paths = private_paths(root)
        for name in expected:
            publishable(autograded / name, paths)
            if "CellTimeoutError" in (autograded / name).read_text(encoding="utf-8"):
                outcome.notes.append(f"a cell of {name} ran longer than {settings.cell_timeout} s")
        outcome.graded = True
    outcome.seconds = time.perf_counter() - start
    return outcome


def _collect_into_root(root, assignment, student):
    """Merge a graded shard into the class: its grades and its autograded notebooks."""
    shard = Path(root) / "shards" / assignment / student
    gradebook.merge(root, shard, assignment, student)
    dest = Path(root) / "autograded" / student / assignment
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(shard / "autograded" / student / assignment, dest)


def generate_feedback(root, assignment):
    """`nbgrader generate_feedback` for every graded student of `assignment` in `root`.

    Raises RuntimeError naming nbgrader's error when it fails.
    """
    result = nbgrader("generate_feedback", assignment, "--force", root=root, check=False)
    if result.returncode:
        raise RuntimeError(f"nbgrader generate_feedback {assignment} failed:\n"
                           f"{result.stdout}\n{result.stderr}")
    paths = private_paths(root)
    for html in Path(root, "feedback").glob(f"*/{assignment}/*.html"):
        html.write_text(scrub(html.read_text(encoding="utf-8"), paths), encoding="utf-8")


def progress_line(done, total, outcome, width=30):
    filled = width * done // total
    status = "graded" if outcome.graded else f"COULD NOT GRADE: {outcome.reason}"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
            f"{outcome.assignment} {outcome.student}: {status} ({outcome.seconds:.0f} s)")


@contextlib.contextmanager
def cluster(workers=None):
    """A local Dask cluster for grading, one single-threaded worker process per core by default;
    yields its scheduler address. Grading several assignments on one cluster pays the workers'
    start and their warm nbgrader (`warm`) once.

    Workers are not daemonic, so they may fork each student's nbgrader from a warm forkserver;
    their nanny still ends them with the cluster. Workers read the setting when they start,
    which LocalCluster does before it returns.
    """
    import dask
    from distributed import LocalCluster

    with dask.config.set({"distributed.worker.daemon": False}):
        local = LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1,
                             processes=True, memory_limit=0, host="127.0.0.1",
                             dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        yield local.scheduler_address
    finally:
        local.close()


def autograde(root, assignment, students, settings=Settings(), workers=None, scheduler=None,
              parallel=True, report=print):
    """Autograde `students` of `assignment` in `root`; return their `Outcome`s in order.

    Args:
        root: the class course root, holding the gradebook and `submitted/`.
        assignment: the assignment id, already in the gradebook (`nbgrader generate_assignment`).
        students: ids of students with a submission in `<root>/submitted/`.
        settings: `Settings`.
        workers: worker processes of the local cluster (default: one per core).
        scheduler: address of a running Dask scheduler (`cluster()`, or a cluster's elsewhere)
            to use instead of a local cluster of its own.
        parallel: False grades the students one after the other in this process (no Dask).
        report: called with one progress line per finished student.
    """
    root = Path(root)
    if settings.isolate:
        sandbox.check_available()
    base = root / "shards" / assignment
    base.mkdir(parents=True, exist_ok=True)
    gradebook.snapshot(root, base / gradebook.GRADEBOOK)
    outcomes = {}

    def finish(outcome):
        if outcome.graded:
            try:
                _collect_into_root(root, assignment, outcome.student)
            except Exception as error:  # noqa: BLE001 - recorded as this student's failure
                outcome.graded, outcome.reason = False, f"merging the grades failed: {error}"
        outcomes[outcome.student] = outcome
        if report:
            report(progress_line(len(outcomes), len(students), outcome))

    if not parallel:
        for student in students:
            finish(grade_student(root, assignment, student, settings))
    else:
        from distributed import Client, as_completed

        given = contextlib.nullcontext(scheduler) if scheduler else cluster(workers)
        with given as address, Client(address) as client:
            futures = {client.submit(grade_student, str(root), assignment, s, settings,
                                     key=f"autograde-{assignment}-{s}", pure=False): s
                       for s in students}
            for future in as_completed(futures):
                try:
                    outcome = future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker fails one student
                    outcome = Outcome(futures[future], assignment, graded=False,
                                      reason=f"the grading job crashed: {error!r}")
                finish(outcome)
    return [outcomes[s] for s in students]
