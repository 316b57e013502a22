"""Run the nbgrader CLI in a process of its own that starts with nbgrader already imported.

Starting `python -m nbgrader` costs seconds of CPU before it reads a notebook: it imports
nbconvert, SQLAlchemy, jupyter_client and jsonschema (whose optional `rfc3987-syntax` compiles a
grammar at import, about 3 s). Paid once per student, that is more than the fresh kernel and the
imports of a small notebook (benchmarks/bench_grading.py).

`run` starts each nbgrader from the standard library's `multiprocessing` forkserver, which
imports `PRELOAD` once (per Dask worker) and forks a child per call. The child is still one
process per student, as with the CLI: it gets its own session (process group), working folder,
environment, `sys.argv` and log file, runs `nbgrader.apps.nbgraderapp.NbGraderApp` exactly as
`python -m nbgrader` does, and exits; at the time budget its whole process group is killed, so a
student's kernel (whose sandbox dies with its parent) goes with it. The forkserver itself never
runs a student's notebook. A daemonic process (a Dask worker started with its default
`distributed.worker.daemon: True`) may not start children through multiprocessing: `run` then
falls back to the plain CLI, which costs the imports again. As with any multiprocessing start
method but fork, each child imports the parent's main module, so a script that grades must keep
its work under `if __name__ == "__main__":`.
"""

import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

# What every nbgrader autograde imports before its first notebook, nbgrader_config.py included.
PRELOAD = ["nbgrader.apps.nbgraderapp", "nbgrader.converters", "nbgrader.preprocessors",
           "nbgrader.api", "nbconvert.exporters", "nbclient", "jupyter_client",
           "tools.integrity", "tools.feedback", "tools.grading.autograde"]

_context = None


def _forkserver():
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(PRELOAD)
    return _context


def _child(args, cwd, env, log):
    """In the forked child: become `python -m nbgrader <args>` writing its output to `log`."""
    os.setsid()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    tempfile.tempdir = None  # recomputed from the new TMPDIR
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.argv = [str(Path(sys.executable).parent / "nbgrader"), *args]
    from nbgrader.apps.nbgraderapp import NbGraderApp

    NbGraderApp.launch_instance(args)


def _run_forked(args, cwd, env, log, timeout):
    proc = _forkserver().Process(target=_child, args=(args, str(cwd), env, str(log)))
    proc.start()
    proc.join(timeout)
    if proc.exitcode is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # killed before it made its own session
            proc.kill()
        proc.join()
        return None
    return proc.exitcode


def _run_cli(args, cwd, env, log, timeout):
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return None


def run(args, cwd, env, log, timeout):
    """Run `nbgrader <args>` in `cwd` with exactly the environment `env`; its output goes to `log`.

    Returns nbgrader's exit status, or None when it ran past `timeout` seconds and was killed
    with every process it started.
    """
    runner = _run_cli if multiprocessing.current_process().daemon else _run_forked
    return runner(args, cwd, env, log, timeout)
