"""Run a student's kernel in a sandbox: bubblewrap namespaces, an unprivileged user, rlimits.

nbgrader starts the kernel that executes a submission from a kernel spec. `install_kernelspec`
writes one whose command wraps `python -m ipykernel_launcher` in these layers, outermost first:

- `bwrap` (Debian package `bubblewrap`) builds a private mount namespace holding only the system
  (`/usr`, `/etc`), the Python installation, the course library `dl4lib` -- all read-only -- a
  private `/tmp`, and, writable, the folder of the shard where nbgrader executes its copy of the
  student's notebook and the folder of the kernel's connection file. `solutions/`, the
  gradebook, the exchange, the course root and other students' files do not exist inside.
  New network, PID, IPC and UTS namespaces: no network at all
  (the kernel talks to nbgrader over Unix sockets, `KernelManager.transport=ipc`), and when the
  kernel ends, the sandbox's PID 1 exits and the kernel of Linux kills every process left in it.
  `--die-with-parent` ends the sandbox when nbgrader is killed (time budget).
- `setpriv` switches to the unprivileged user `nobody` (uid 65534) with no capabilities: files
  outside the private copy are not writable even if a mount were, and RLIMIT_NPROC is enforced
  (it is not for root).
- `prlimit` caps address space (memory), processes and threads of that user, file size and open
  files.

Time is limited outside: nbgrader's per-cell timeout and the total budget of `autograde`.
"""

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.course import ROOT

KERNEL_NAME = "dl4-sandbox"
SANDBOX_USER = 65534  # nobody
SYSTEM_DIRS = ("/usr", "/etc")
MERGED_USR_LINKS = ("bin", "lib", "lib64", "sbin")


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one student's kernel.

    Attributes:
        memory: address space in bytes (RLIMIT_AS); TensorFlow needs about 2 GiB.
        processes: processes and threads of the sandbox user (RLIMIT_NPROC).
        file_size: largest file the kernel may write, in bytes (RLIMIT_FSIZE).
        open_files: open file descriptors (RLIMIT_NOFILE).
    """

    memory: int = 4 * 2**30
    processes: int = 2048
    file_size: int = 2**30
    open_files: int = 1024


def _ro_binds(paths):
    """bwrap arguments binding each path read-only at its own place, parents made traversable."""
    args, made = [], {"/"}
    for path in paths:
        path = Path(path)
        for parent in reversed(path.parents):
            if str(parent) not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        args += ["--ro-bind", str(path), str(path)]
        made.add(str(path))
    return args


def _bwrap(writable, env, caps="CAP_SETUID,CAP_SETGID"):
    """bwrap and its options, up to and including the `--` before the sandboxed command."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    python_dirs = sorted({Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()})
    args = [bwrap]
    for d in SYSTEM_DIRS:
        args += ["--ro-bind", d, d]
    for link in MERGED_USR_LINKS:
        if Path("/", link).is_symlink():
            args += ["--symlink", f"usr/{link}", f"/{link}"]
    args += _ro_binds([*python_dirs, ROOT / "dl4lib"])
    args += ["--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp"]
    for path in writable:
        for parent in reversed(Path(path).parents):
            args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--bind", str(path), str(path)]
    args += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
             "--unshare-cgroup-try", "--hostname", "grader", "--die-with-parent", "--new-session",
             "--clearenv"]
    env = {"HOME": "/tmp", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
           "LANG": "C.UTF-8", "MPLCONFIGDIR": "/tmp/matplotlib", **(env or {})}
    for key, value in env.items():
        args += ["--setenv", key, str(value)]
    return [*args, "--cap-add", caps, "--"]


def _unprivileged(limits):
    """setpriv to uid 65534 without capabilities, then prlimit, up to the program."""
    return ["setpriv", f"--reuid={SANDBOX_USER}", f"--regid={SANDBOX_USER}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--",
            "prlimit", f"--as={limits.memory}", f"--nproc={limits.processes}",
            f"--fsize={limits.file_size}", f"--nofile={limits.open_files}", "--"]


def command(writable, limits=Limits(), env=None):
    """The command prefix that runs a program in the sandbox.

    Args:
        writable: folders bound read-write at their own path (the student's private copy, the
            kernel's runtime folder); they must be writable by uid 65534.
        limits: `Limits`.
        env: environment variables set inside; nothing else is inherited.
    """
    return [*_bwrap(writable, env), *_unprivileged(limits)]


def check_available():
    """Raise `SandboxUnavailable` unless a sandboxed program runs here."""
    try:
        result = subprocess.run([*command([]), sys.executable, "-c", "print('ok')"],
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"cannot start bubblewrap: {error}") from error
    if result.stdout.strip() != "ok":
        raise SandboxUnavailable(f"bubblewrap fails here (user namespaces disabled? not root?):\n"
                                 f"{result.stderr.strip()}")


def install_kernelspec(jupyter_dir, writable, limits=Limits(), env=None):
    """Write the kernel spec `dl4-sandbox` under `jupyter_dir`/kernels (put it on JUPYTER_PATH).

    Args:
        writable: folders bound read-write; the first is the kernel's working folder, which
            need not exist yet (nbgrader creates it before it starts the kernel).
    """
    spec_dir = Path(jupyter_dir) / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    # Still root inside the sandbox: copy the connection file, which jupyter_client makes
    # readable by its owner only, to where the kernel can read it, and give the kernel its
    # working folder (nbgrader's copy of the notebook) to write files in.
    setup = ('cp "$1" /tmp/connection.json && chmod 0644 /tmp/connection.json'
             f' && chown {SANDBOX_USER}:{SANDBOX_USER} . && shift && exec "$@"')
    argv = [*_bwrap(writable, env, caps="CAP_SETUID,CAP_SETGID,CAP_CHOWN"), "/bin/sh", "-c",
            setup, "sh", "{connection_file}",
            *_unprivileged(limits), sys.executable, "-m", "ipykernel_launcher",
            "-f", "/tmp/connection.json"]
    # A timed-out cell is interrupted by a message on the control channel, which ipykernel turns
    # into SIGINT to itself: a signal to the kernel's process would reach bwrap, not the kernel.
    spec = {"argv": argv, "display_name": "Python 3 (grading sandbox)", "language": "python",
            "interrupt_mode": "message"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return spec_dir
