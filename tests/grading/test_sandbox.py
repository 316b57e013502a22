"""The sandbox a student's kernel runs in: what it can no longer touch, and its limits."""

import hashlib
import subprocess
import sys
import time

import pytest

from tools.course import ROOT, SOLUTIONS
from tools.grading import sandbox


def run_inside(tmp_path, code, limits=None, timeout=120):
    """Run Python `code` in the sandbox with `tmp_path`/mine as its writable folder."""
    mine = tmp_path / "mine"
    mine.mkdir(exist_ok=True)
    mine.chmod(0o777)
    return subprocess.run([*sandbox.command([mine], limits or sandbox.Limits()), sys.executable, "-c", code],
                          cwd=mine, capture_output=True, text=True, timeout=timeout)


def test_bubblewrap_works_here():
    sandbox.check_available()


def test_the_course_library_and_python_are_read_only(tmp_path):
    checks = ROOT / "dl4lib" / "checks" / "__init__.py"
    before = hashlib.sha256(checks.read_bytes()).hexdigest()
    result = run_inside(tmp_path, """
import dl4lib.checks, sys, os
for path in [dl4lib.checks.__file__, os.path.join(sys.prefix, "pyvenv.cfg")]:
    try:
        open(path, "a").write("# tampered")
        print("WROTE", path)
    except OSError as e:
        print("refused", type(e).__name__)
""")
    assert "WROTE" not in result.stdout and result.stdout.count("refused") == 2, result
    assert hashlib.sha256(checks.read_bytes()).hexdigest() == before


def test_solutions_and_other_folders_do_not_exist_inside(tmp_path):
    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    result = run_inside(tmp_path, f"""
import os
for path in [{str(SOLUTIONS)!r}, {str(secret)!r}, {str(ROOT / 'tests')!r}, {str(ROOT / "README.md")!r}]:
    print(path, os.path.exists(path))
open("answer.txt", "w").write("mine")
""")
    assert result.returncode == 0, result.stderr
    assert " True" not in result.stdout, result.stdout
    assert (tmp_path / "mine" / "answer.txt").read_text() == "mine"


def test_no_network(tmp_path):
    result = run_inside(tmp_path, """
import socket
try:
    socket.create_connection(("1.1.1.1", 80), timeout=3)
    print("CONNECTED")
except OSError as e:
    print("no network:", e)
""")
    assert "no network" in result.stdout, result


def test_runs_as_nobody_without_capabilities(tmp_path):
    result = run_inside(tmp_path, """
import os
print(os.getuid(), os.getgid())
print(open("/proc/self/status").read().split("CapEff:")[1].split()[0])
""")
    uid, caps = result.stdout.split("\n")[:2]
    assert uid == f"{sandbox.SANDBOX_USER} {sandbox.SANDBOX_USER}"
    assert int(caps, 16) == 0


def test_memory_limit_stops_a_huge_allocation(tmp_path):
    result = run_inside(tmp_path, """
try:
    x = bytearray(8 * 2**30)
    print("ALLOCATED")
except MemoryError:
    print("MemoryError")
""", limits=sandbox.Limits(memory=2 * 2**30))
    assert result.stdout.strip() == "MemoryError", result


def test_process_limit_stops_a_fork_bomb(tmp_path):
    result = run_inside(tmp_path, """
import subprocess
procs = []
try:
    for _ in range(200):
        procs.append(subprocess.Popen(["sleep", "30"]))
except OSError as e:
    print("stopped after", len(procs), type(e).__name__)
""", limits=sandbox.Limits(processes=150))
    assert "stopped after" in result.stdout, result


def test_every_process_is_gone_when_the_program_ends(tmp_path):
    marker = f"{time.time_ns() % 10**6}.5"
    result = run_inside(tmp_path, f"""
import subprocess
subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
print("left a process behind")
""")
    assert "left a process behind" in result.stdout
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True)
    assert left.stdout == "", f"processes still running: {left.stdout}"


def test_missing_bubblewrap_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(sandbox.SandboxUnavailable, match="apt-get install bubblewrap"):
        sandbox.command([])


def test_a_sandboxed_kernel_can_be_interrupted_and_writes_only_its_folder(tmp_path, monkeypatch):
    """What nbgrader does on a cell timeout: interrupt the kernel, then run the next cell."""
    from jupyter_client.manager import KernelManager

    work, runtime = tmp_path / "work", tmp_path / "rt"
    work.mkdir()
    runtime.mkdir()
    runtime.chmod(0o777)
    sandbox.install_kernelspec(tmp_path / "jupyter", [work, runtime])
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    km = KernelManager(kernel_name=sandbox.KERNEL_NAME, transport="ipc", ip=str(runtime / "k"),
                       connection_file=str(runtime / "kernel.json"))
    km.start_kernel(cwd=str(work))
    kc = km.client()
    kc.start_channels()

    def reply_to(msg_id, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg = kc.get_shell_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]
        raise TimeoutError(msg_id)

    try:
        kc.wait_for_ready(timeout=120)
        # nbgrader executes with allow_errors, so nbclient sends stop_on_error=False; with the
        # default (True) ipykernel aborts requests that arrive just after the interrupt.
        loop = kc.execute("while True:\n    pass", stop_on_error=False)
        time.sleep(1)
        km.interrupt_kernel()
        assert reply_to(loop, timeout=30)["ename"] == "KeyboardInterrupt"
        after = kc.execute("open('out.txt', 'w').write('x')", stop_on_error=False)
        assert reply_to(after)["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert (work / "out.txt").read_text() == "x"
