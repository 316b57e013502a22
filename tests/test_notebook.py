"""dl4lib.notebook: the setup cell's quiet TensorFlow start-up and one-line stub messages."""

import os
import re
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


def test_tensorflow_import_after_setup_writes_nothing_to_stderr():
    code = ("import dl4lib.notebook as n; n.setup(shell=False)\n"
            "import sys, keras, tensorflow as tf\n"
            "print(float(tf.reduce_sum(tf.ones(3))))\n"
            "print('plain stderr line', file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.splitlines() == ["dl4lib 0.1.0 is ready.", "3.0"]
    assert out.stderr == "plain stderr line\n"


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    yield shell
    shell.set_custom_exc((), None)
    InteractiveShell.clear_instance()


def test_stub_error_is_one_line_naming_the_function_and_the_cell_still_fails(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("def relu(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n")
    capsys.readouterr()
    result = shell.run_cell("relu(1.0)")
    assert isinstance(result.error_in_exec, NotImplementedError)
    assert capsys.readouterr().out.strip() == (
        "NotImplementedError: `relu` is not implemented yet (it still holds "
        "`raise NotImplementedError()`); this cell runs once you complete it.")


def test_method_stub_names_the_class_and_check_errors_show_their_message(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("class Layer:\n    def call(self):\n        raise NotImplementedError()\n")
    capsys.readouterr()
    shell.run_cell("Layer().call()")
    assert "`Layer.call` is not implemented yet" in capsys.readouterr().out
    result = shell.run_cell("from dl4lib.checks import CheckError\n"
                            "raise CheckError('relu is wrong for input [-1.0]')")
    assert isinstance(result.error_in_exec, AssertionError)
    assert capsys.readouterr().out.strip() == "CheckError: relu is wrong for input [-1.0]"


def test_other_errors_keep_their_traceback(shell, capsys):
    notebook.setup(shell)
    shell.run_cell("def f():\n    return 1 / 0\n")
    shell.run_cell("f()")
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)  # no colours
    assert "ZeroDivisionError" in out and "Traceback" in out and "1 / 0" in out
