"""Set up a student's notebook kernel: quiet TensorFlow start-up, Run All past unfinished exercises.

Every student notebook opens with the setup cell of `solutions/header.ipynb`, which calls
`setup()` before anything imports TensorFlow:

- TensorFlow 2.21 logs through Abseil. Its shared libraries log from static initializers while
  they load, before TensorFlow calls `absl::InitializeLog()`; until then Abseil writes every
  message to file descriptor 2 whatever `TF_CPP_MIN_LOG_LEVEL` says ("WARNING: All log messages
  before absl::InitializeLog() ...", oneDNN's notice from `port.cc`, "Could not find cuda drivers"
  from `cudart_stub.cc`). ipykernel forwards that descriptor into the cell's output and so into
  nbgrader's feedback. `setup()` therefore (1) sets `TF_CPP_MIN_LOG_LEVEL=3`, which TensorFlow
  reads once at start-up and which hides its later C++ lines; and (2) installs `QuietImport`,
  which runs the first `import tensorflow` with descriptor 2 sent to a temporary file and then
  passes on every line of it except Abseil's log lines. Python warnings and exceptions are
  untouched.
  On a machine with a CUDA driver and no GPU (Colab's CPU runtime), XLA's
  `stream_executor/cuda/cuda_platform.cc` logs `LOG(ERROR) << "failed call to cuInit: "` when
  TensorFlow first lists its devices, after the import: only the level 3 of (1) hides it
  (tests/test_notebook.py reproduces it with a stand-in libcuda.so.1).
- An exercise still holding its stub raises `NotImplementedError`, and a failing check raises
  `dl4lib.checks.CheckError`. `Unfinished`, an IPython custom exception handler, shows either
  as one line on stderr (the message, not a traceback through the library) and lets "Run All"
  go on, in JupyterLab, Colab and nbclient alike, as it does for the errors these leave behind
  in later cells; nbgrader still gives such a test cell 0 points (it has stderr output). Any
  other error stops "Run All" as usual.
"""

import ast
import contextlib
import importlib.abc
import importlib.util
import os
import re
import sys
import tempfile

from dl4lib import __version__

# TF_CPP_MIN_LOG_LEVEL=3 hides C++ INFO, WARNING and ERROR lines of TensorFlow/XLA; ERROR is
# needed because the failed `cuInit` of a machine with a CUDA driver and no GPU is an ERROR.
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


class Unfinished:
    """Let "Run All" go on past every cell that needs an exercise the student has not done yet.

    Registered by `setup()` as IPython's custom exception handler (for every `Exception`) and as
    a `post_run_cell` callback. An error is an *unfinished exercise* when it is a stub's bare
    `raise NotImplementedError()`, a failing check (`dl4lib.checks.CheckError`), or any error
    of a cell that reads a name left *incomplete*: bound by a cell that stopped at an unfinished
    exercise (undefined, or a dict half filled by a loop), or by a cell that read such a name.
    A cell that later runs through without reading one makes the names it binds complete again.

    For an unfinished exercise the handler sends one line as the cell's stderr output (not
    through `sys.stderr`, so a notebook that replaces it cannot hide the line) and clears the
    cell's error: the rest of the cell is skipped as with any error, but the kernel replies status "ok",
    so Colab's "Run all" (which ignores the `raises-exception` tag), JupyterLab's and nbclient's
    go on. Any other error shows IPython's usual traceback and stops "Run All".

    Grading is unaffected: nbgrader's autograde and validate give 0 points to a graded cell with
    any stderr output (`nbgrader.utils.determine_grade`), as to one with an error.

    IPython's `run_code` (7.34 on Colab, 9.x here) records the exception in the cell's
    `ExecutionResult.error_in_exec`, then calls the handler; `run_cell` has handed that result
    to `shell.displayhook.exec_result`, and ipykernel's `do_execute` (6.17 on Colab, 7.x here)
    replies "ok" when `result.success`, i.e. when `error_in_exec` is None again.
    """

    def __init__(self, shell, stderr=None):
        self.shell = shell
        self.stderr = stderr or sys.stderr
        self.incomplete = set()
        self.stopped = None  # the ExecutionResult of the running cell, once it stopped here

    def message(self, etype, value, tb, bound, read):
        """The one-line message for an unfinished exercise, or None for any other error."""
        from dl4lib.checks import CheckError

        stub = _bare_not_implemented(value)
        if stub is not None:
            where = _raising_function(stub.__traceback__ or tb)
            return (f"NotImplementedError: {where} is not implemented yet (it still holds "
                    "`raise NotImplementedError()`); this cell runs once you complete it.")
        if issubclass(etype, CheckError):
            return f"{etype.__name__}: {value}"
        if issubclass(etype, NameError) and getattr(value, "name", None) in self.incomplete:
            return (f"NameError: `{value.name}` is not defined yet: the cell that defines it "
                    "stopped at an exercise you have not done yet; this cell runs once you "
                    "complete it.")
        uses = sorted((read - bound) & self.incomplete)
        if uses:
            names = ", ".join(f"`{name}`" for name in uses)
            return (f"{etype.__name__}: {value} -- this cell uses {names}, left incomplete by a "
                    "cell that stopped at an exercise you have not done yet; it runs once you "
                    "complete it.")
        return None

    def handle(self, shell, etype, value, tb, tb_offset=None):
        """IPython's custom exception handler."""
        result = shell.displayhook.exec_result
        source = shell.transform_cell(result.info.raw_cell or "") if result is not None else ""
        line = self.message(etype, value, tb, bound_names(source), read_names(source))
        if line is None:  # what IPython shows without a handler
            if result is None and issubclass(etype, SyntaxError):  # the cell does not parse
                shell.showsyntaxerror()
            else:
                shell.showtraceback((etype, value, tb), tb_offset=tb_offset,
                                    running_compiled_code=True)
            return []
        if result is not None:
            result.error_in_exec = None
            self.stopped = result
        self.write_stderr(shell, line + "\n")
        return [line]

    def write_stderr(self, shell, text):
        """Send `text` as the running cell's stderr output, whatever `sys.stderr` is now.

        In a kernel it goes out as ipykernel's `_showtraceback` sends an error: through the
        display hook, with the running cell's parent header (the stream `sys.stderr` was at
        `setup()` time would carry the header of the cell that last ran with it).
        """
        for stream in (sys.stdout, sys.stderr):  # what the cell printed comes first
            with contextlib.suppress(Exception):
                stream.flush()
        hook = shell.displayhook
        session = getattr(hook, "session", None)
        if session is None:  # a plain IPython shell, not a kernel
            self.stderr.write(text)
            self.stderr.flush()
            return
        topic = hook.topic.replace(b"execute_result", b"stream") if hook.topic else None
        session.send(hook.pub_socket, "stream", {"name": "stderr", "text": text},
                     hook.parent_header, ident=topic)

    def after_cell(self, result):
        """IPython's `post_run_cell` callback: update the names left incomplete."""
        source = result.info.raw_cell if result.info is not None else None
        if source is not None:
            source = self.shell.transform_cell(source)
            bound = bound_names(source)
            if result is self.stopped or (result.success and
                                          (read_names(source) - bound) & self.incomplete):
                self.incomplete |= bound
            elif result.success:
                self.incomplete -= bound
        self.stopped = None


def read_names(source):
    """Every name a cell's (IPython-transformed) source reads, function bodies included."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def bound_names(source):
    """Names a cell's (already IPython-transformed) source binds at its top level.

    Assignments, imports, `def` and `class`, loop and `with` targets, also inside `if`, `for`,
    `try` and `with` blocks; not the local names of functions, classes, lambdas and
    comprehensions.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            todo.extend(node.decorator_list)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif not isinstance(node, ast.Lambda | ast.comprehension | ast.ListComp | ast.SetComp
                            | ast.DictComp | ast.GeneratorExp):
            todo.extend(ast.iter_child_nodes(node))
    return names


def _bare_not_implemented(value):
    """The bare `NotImplementedError()` of a stub that raised `value`, or None.

    TensorFlow's AutoGraph (a stub called inside `tf.function`, e.g. by Keras' `fit`) raises a
    new `NotImplementedError` whose message is its "in user code" traceback, with the stub's
    error as `__context__`.
    """
    from dl4lib.checks.errors import is_stub

    while isinstance(value, NotImplementedError):
        if is_stub(value):
            return value
        value = value.__context__
    return None


def _raising_function(tb):
    """Name of the function (or Class.method) whose body raised, from the innermost frame."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    name = frame.f_code.co_name.removeprefix("tf__")  # AutoGraph's converted copy
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
    if shell:
        global _unfinished
        if _unfinished is not None:
            with contextlib.suppress(ValueError):
                shell.events.unregister("post_run_cell", _unfinished.after_cell)
        _unfinished = Unfinished(shell)
        shell.set_custom_exc((Exception,), _unfinished.handle)
        shell.events.register("post_run_cell", _unfinished.after_cell)
    print(f"dl4lib {__version__} is ready.")


_unfinished = None  # the handler that setup() registered last
