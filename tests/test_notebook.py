"""dl4lib.notebook: the setup cell's quiet TensorFlow start-up; Run All past unfinished exercises."""

import os
import re
import shutil
import subprocess
import sys

import pytest

from dl4lib import notebook

ABSL_TEXT = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796194963.383903   13140 port.cc:153] oneDNN custom operations are on.\n"
    "E0000 00:00:1796194963.384279   13140 cuda_executor.cc:1228] failed call to cuInit: "
    "INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n"
    "W1202 07:04:10.123456   13140 cpu_feature_guard.cc:227] slow CPU\n")


def test_abseil_lines_are_dropped_and_everything_else_kept():
    other = "Traceback (most recent call last):\nValueError: I0000 is not a log line here\n"
    assert notebook.without_absl_lines(ABSL_TEXT + other) == other


# A libcuda.so.1 with a driver and no GPU, as on Colab's CPU runtime: cuInit fails.
FAKE_LIBCUDA = """
int cuInit(unsigned int flags) { return 100; }  /* CUDA_ERROR_NO_DEVICE */
int cuDriverGetVersion(int *v) { *v = 12040; return 0; }
int cuGetErrorName(int e, const char **s) { *s = "CUDA_ERROR_NO_DEVICE"; return 0; }
int cuGetErrorString(int e, const char **s) { *s = "no CUDA-capable device is detected"; return 0; }
"""


@pytest.fixture(scope="module")
def colab_cpu_env(tmp_path_factory):
    """The environment of a kernel on a machine with a CUDA driver and no GPU, no TF_CPP_*."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("needs a C compiler (Debian: gcc) to build a stand-in libcuda.so.1")
    folder = tmp_path_factory.mktemp("libcuda")
    (folder / "fake.c").write_text(FAKE_LIBCUDA)
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(folder / "libcuda.so.1"),
                    str(folder / "fake.c")], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [str(folder),
                                                           env.get("LD_LIBRARY_PATH")]))
    return env


TF_START = ("import sys, keras, tensorflow as tf\n"
            "print(tf.config.list_physical_devices('GPU'))\n"  # initializes CUDA: cuInit
            "print(float(tf.reduce_sum(tf.ones(3))))\n"
            "print('plain stderr line', file=sys.stderr)")


def test_without_setup_tensorflow_logs_its_start_up_and_the_failed_cuinit(colab_cpu_env):
    """What students saw: XLA's cuda_platform.cc logs "failed call to cuInit" as an ERROR when
    TensorFlow first lists its devices (after the import); TF_CPP_MIN_LOG_LEVEL=3 hides it."""
    out = subprocess.run([sys.executable, "-c", TF_START], capture_output=True, text=True,
                         check=True, env=colab_cpu_env)
    cuinit = [line for line in out.stderr.splitlines() if "failed call to cuInit" in line]
    assert cuinit and cuinit[0].startswith("E") and "cuda_platform.cc" in cuinit[0], out.stderr
    assert notebook.ABSL_LINE.match(cuinit[0])
    quiet = dict(colab_cpu_env, TF_CPP_MIN_LOG_LEVEL="3")
    out = subprocess.run([sys.executable, "-c", TF_START], capture_output=True, text=True,
                         check=True, env=quiet)
    assert "cuInit" not in out.stderr, out.stderr


def test_tensorflow_start_up_after_setup_writes_nothing_to_stderr(colab_cpu_env):
    code = "import dl4lib.notebook as n; n.setup(shell=False)\n" + TF_START
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=colab_cpu_env)
    assert out.stdout.splitlines() == ["dl4lib 0.1.0 is ready.", "[]", "3.0"]
    assert out.stderr == "plain stderr line\n"


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    yield shell
    shell.set_custom_exc((), None)
    InteractiveShell.clear_instance()


def test_stub_says_so_in_one_line_on_stderr_and_the_cell_does_not_fail(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("def relu(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    capsys.readouterr()
    result = shell.run_cell("y = relu(1.0)\nprint('after')")
    assert result.success  # the kernel replies "ok": Run All goes on
    out = capsys.readouterr()
    assert out.out == ""  # the rest of the cell is skipped
    assert out.err == (
        "NotImplementedError: `relu` is not implemented yet (it still holds "
        "`raise NotImplementedError()`); this cell runs once you complete it.\n")


def test_method_stub_names_the_class_and_check_errors_show_their_message(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("class Layer:\n    def call(self):\n        raise NotImplementedError()\n")
    capsys.readouterr()
    assert shell.run_cell("Layer().call()").success
    assert "`Layer.call` is not implemented yet" in capsys.readouterr().err
    result = shell.run_cell("from dl4lib.checks import CheckError\n"
                            "raise CheckError('relu is wrong for input [-1.0]')")
    assert result.success
    assert capsys.readouterr().err == "CheckError: relu is wrong for input [-1.0]\n"


def test_a_stub_called_inside_tf_function_is_named_too(shell, capsys):
    """AutoGraph re-raises the stub's error with its own "in user code" message."""
    notebook.setup(shell)
    shell.run_cell("import tensorflow as tf\n"
                   "class Rule:\n    def update(self, x):\n        raise NotImplementedError()\n"
                   "@tf.function\ndef step(x):\n    return Rule().update(x)\n")
    capsys.readouterr()
    assert shell.run_cell("step(tf.ones(2))").success
    assert capsys.readouterr().err.startswith(
        "NotImplementedError: `Rule.update` is not implemented yet")


def test_names_an_unfinished_cell_left_undefined_say_so_too(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("def relu(x):\n    raise NotImplementedError()\nz = 0\n")
    shell.run_cell("z = 1\ny = relu(z)\nw = y + 1\nfor i in range(2):\n    v = i\n")
    capsys.readouterr()
    for name in ("y", "w", "v"):
        result = shell.run_cell(f"print({name})")
        assert result.success, name
        assert capsys.readouterr().err.startswith(f"NameError: `{name}` is not defined yet: "
                                                  "the cell that defines it stopped")
    assert shell.run_cell("u = w * 2").success  # and so on, down the notebook
    capsys.readouterr()
    assert shell.run_cell("print(u)").success
    assert "`u` is not defined yet" in capsys.readouterr().err
    assert shell.run_cell("print(z)").success  # defined before the stub raised
    assert capsys.readouterr().out == "1\n"


def test_a_dict_half_filled_by_an_unfinished_cell_does_not_stop_the_cells_using_it(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("def layer(x, norm):\n    if norm:\n        raise NotImplementedError()\n"
                   "    return x")
    fill = "results = {}\nfor norm in (False, True):\n    results[norm] = layer(1, norm)"
    assert shell.run_cell(fill).success
    shell.run_cell("def plot(r):\n    return r[True]")
    capsys.readouterr()
    for source in ("print(results[True])", "best = max(results[k] for k in (False, True))",
                   "print(best)"):
        assert shell.run_cell(source).success, source
        err = capsys.readouterr().err
        assert "left incomplete" in err or "not defined yet" in err, (source, err)
    assert not shell.run_cell("plot({})").success  # reads nothing incomplete: a real error
    capsys.readouterr()
    # The exercise done, the same cells run again and make their names complete.
    shell.run_cell("def layer(x, norm):\n    return x")
    assert shell.run_cell(fill).success
    capsys.readouterr()
    assert shell.run_cell("print(results[True])").success
    assert capsys.readouterr().out == "1\n"
    assert not shell.run_cell("results[7]").success  # now a KeyError is a real error


def test_other_errors_keep_their_traceback_and_fail_the_cell(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("def f():\n    return 1 / 0\n")
    capsys.readouterr()
    cells = {"f()": "1 / 0", "print(never_defined)": "never_defined",
             "raise NotImplementedError('Keras cannot do that')": "Keras cannot do that",
             "eval('1 +')": "SyntaxError"}
    for source, shown in cells.items():
        result = shell.run_cell(source)
        assert not result.success, source
        out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # no colours
        assert "Traceback" in out and shown in out, out


def test_a_cell_that_does_not_parse_shows_its_syntax_error(shell, capsys):
    notebook.setup(shell)
    capsys.readouterr()
    result = shell.run_cell("def f(:\n    pass")
    assert not result.success and isinstance(result.error_before_exec, SyntaxError)
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    assert "SyntaxError" in out and "def f(:" in out, out


def test_the_message_stays_on_stderr_when_the_notebook_redirects_sys_stderr(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("def relu(x):\n    raise NotImplementedError()\n")
    capsys.readouterr()
    saved = sys.stderr
    try:
        shell.run_cell("import sys\nsys.stderr = sys.stdout\nrelu(1)")
    finally:
        sys.stderr = saved
    out = capsys.readouterr()
    assert "not implemented yet" in out.err and "not implemented" not in out.out


def test_bound_names_are_the_top_level_bindings():
    source = ("import numpy as np, os.path\nfrom math import pi as PI\nx, (y, *z) = 1, (2, 3)\n"
              "if x:\n    a: int = 1\nfor i in range(3):\n    b = i\nwith open('f') as fh:\n"
              "    c = fh\ntry:\n    d = 1\nexcept OSError as err:\n    pass\n"  # err: unbound after
              "def f(p):\n    local = p\nclass C:\n    attr = 1\n"
              "sq = [k * k for k in range(3)]\ng = lambda q: q\nx += 1\n(n := 5)\nobj.attr = 1\n")
    assert notebook.bound_names(source) == {
        "np", "os", "PI", "x", "y", "z", "a", "i", "b", "fh", "c", "d", "f", "C", "sq", "g", "n"}
    assert notebook.bound_names("def broken(:") == set()
