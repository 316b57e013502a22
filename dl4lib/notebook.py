"""Set up a student's notebook kernel: quiet TensorFlow start-up, one-line messages for stubs.

Every student notebook opens with the setup cell of `solutions/header.ipynb`, which calls
`setup()` before anything imports TensorFlow:

- TensorFlow 2.21 logs through Abseil. Its shared libraries log from static initializers while
  they load, before TensorFlow calls `absl::InitializeLog()`; until then Abseil writes every
  message to file descriptor 2 whatever `TF_CPP_MIN_LOG_LEVEL` says ("WARNING: All log messages
  before absl::InitializeLog() ...", oneDNN's notice from `port.cc`, "Could not find cuda drivers"
  from `cudart_stub.cc`). ipykernel forwards that descriptor into the cell's output and so into
  nbgrader's feedback. `setup()` therefore (1) sets `TF_CPP_MIN_LOG_LEVEL=3`, which TensorFlow
  reads once at start-up and which hides its later C++ lines, the failed `cuInit` of a machine
  without a GPU included (an ERROR line); and (2) installs `QuietImport`, which runs the first
  `import tensorflow` with descriptor 2 sent to a temporary file and then passes on every line
  of it except Abseil's log lines. Python warnings and exceptions are untouched.
- An exercise still holding its stub raises `NotImplementedError`, and a failing check raises
  `dl4lib.checks.CheckError`. IPython shows both as one line (the message) instead of a
  traceback through the library. The cell still fails, so nbgrader still withholds its points,
  and cells tagged `raises-exception` (see `tools/course.py`) let "Run All" go on.
"""

import contextlib
import importlib.abc
import importlib.util
import os
import re
import sys
import tempfile

from dl4lib import __version__

# TF_CPP_MIN_LOG_LEVEL=3 hides C++ INFO, WARNING and ERROR lines of TensorFlow/XLA; ERROR is
# needed because the failed `cuInit` of a machine without a GPU is logged as an error.
QUIET_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3"}


# An Abseil log line: severity and date, time (seconds since the epoch before initialization),
# thread, file:line]; e.g.
# "I0000 00:00:1796194963.383903   13140 port.cc:153] oneDNN custom operations are on. ..."
ABSL_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d\d+\.\d+ +\d+ [\w./-]+:\d+\] ")
ABSL_PREAMBLE = "WARNING: All log messages before absl::InitializeLog() is called"


def without_absl_lines(text):
    """`text` less Abseil's log lines and its pre-initialization notice."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not (ABSL_LINE.match(line) or line.startswith(ABSL_PREAMBLE)))


@contextlib.contextmanager
def absl_lines_dropped(stream=None):
    """Send file descriptor 2 to a temporary file; afterwards write all but Abseil's lines on."""
    stream = stream or sys.stderr
    with tempfile.TemporaryFile() as captured:
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            rest = without_absl_lines(captured.read().decode(errors="replace"))
            if rest:
                stream.write(rest)


class QuietImport(importlib.abc.MetaPathFinder):
    """Import finder that runs the loading of one module with Abseil's lines dropped, once."""

    def __init__(self, name="tensorflow"):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        with absl_lines_dropped():
            self.loader.exec_module(module)

    def __getattr__(self, name):
        return getattr(self.loader, name)


def short_traceback(shell, etype, value, tb, tb_offset=None):
    """IPython custom exception handler: the error in one line, without library frames."""
    if issubclass(etype, NotImplementedError) and not str(value):
        where = _raising_function(tb)
        line = (f"NotImplementedError: {where} is not implemented yet (it still holds "
                "`raise NotImplementedError()`); this cell runs once you complete it.")
    else:
        line = f"{etype.__name__}: {value}"
    stb = [line]
    shell._showtraceback(etype, value, stb)
    return stb


def _raising_function(tb):
    """Name of the function (or Class.method) whose body raised, from the innermost frame."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    name = frame.f_code.co_name
    owner = frame.f_locals.get("self")
    if owner is not None:
        name = f"{type(owner).__name__}.{name}"
    return f"`{name}`" if name != "<module>" else "this exercise"


def setup(shell=None):
    """Prepare the running IPython kernel for a course notebook; print one line saying so.

    Args:
        shell: the IPython shell; defaults to the running one (`get_ipython()`); False for a
            plain Python process (only the quiet start-up).
    """
    for name, value in QUIET_ENV.items():
        os.environ.setdefault(name, value)
    if "tensorflow" not in sys.modules and not any(isinstance(f, QuietImport) for f in sys.meta_path):
        sys.meta_path.insert(0, QuietImport("tensorflow"))
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    from dl4lib.checks import CheckError

    if shell:
        shell.set_custom_exc((NotImplementedError, CheckError), short_traceback)
    print(f"dl4lib {__version__} is ready.")
