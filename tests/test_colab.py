"""What students get on Colab: run by `make test-colab` in a venv with Colab's versions.

`make test-colab` sets DL4_CONSTRAINTS=constraints/colab.txt and runs these tests together with
every solution notebook (nbval); `make test` runs them against constraints/tested.txt. So each
test here holds for both sets of versions, ipywidgets 7 and 8 included.
"""

import os
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins(path):
    lines = (ROOT / path).read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def test_installed_versions_are_the_constrained_ones():
    expected = pins(os.environ.get("DL4_CONSTRAINTS", "constraints/tested.txt"))
    names = [n for n in pins("constraints/colab.txt") if n in expected]
    wrong = {n: (version(n), expected[n]) for n in names if version(n) != expected[n]}
    assert not wrong, f"(installed, expected): {wrong}"


def test_plot_gd_widget_responds_to_its_controls():
    from dl4lib.gd_animation import plot_gd_interactive

    box = plot_gd_interactive(steps=5)
    rows, image = box.children[:2], box.children[2]
    lr, x_scale, steps, optimizer = (c for row in rows for c in row.children)
    png = lambda: bytes(image.value)  # ipywidgets 8 keeps a memoryview, 7 bytes
    first = png()
    assert first.startswith(b"\x89PNG")
    lr.value = 1.5
    assert png() != first and png().startswith(b"\x89PNG")
    second = png()
    optimizer.value = "adam"
    assert png() != second
    assert steps.max >= 100 and type(lr).__name__ == "FloatLogSlider"


def test_run_all_goes_past_unfinished_exercises_in_this_kernel_version():
    """The kernel (ipykernel 6.17 and IPython 7.34 on Colab) replies "ok" to a cell that needs
    an unfinished exercise, with its one line on stderr, and "error" to a real bug: Colab's
    "Run all" stops at the first "error" reply, as nbclient does without `allow_errors`."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    code = nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook(cells=[
        code("import dl4lib.notebook\ndl4lib.notebook.setup()"),
        code("def relu(x):\n    raise NotImplementedError()"),
        code("y = relu(1.0)"),
        code("print(y)"),
        code("from dl4lib.checks import CheckError\nraise CheckError('relu is wrong')"),
        code("print('still running')"),
        code("import sys\nsys.stderr = sys.stdout"),
        code("relu(2.0)"),
        code("1 / 0"),
        code("print('not reached')")])
    client = NotebookClient(nb, timeout=120, kernel_name="python3")
    try:
        client.execute()
        raise AssertionError("the real bug in cell 8 did not stop the run")
    except CellExecutionError as error:
        assert "ZeroDivisionError" in str(error)
    outputs = [[(o.output_type, o.get("name"), o.get("text", o.get("ename"))) for o in c.outputs]
               for c in nb.cells]
    stub = ("NotImplementedError: `relu` is not implemented yet (it still holds "
            "`raise NotImplementedError()`); this cell runs once you complete it.\n")
    assert outputs[2] == [("stream", "stderr", stub)]
    assert outputs[3][0][:2] == ("stream", "stderr") and "`y` is not defined yet" in outputs[3][0][2]
    assert outputs[4] == [("stream", "stderr", "CheckError: relu is wrong\n")]
    assert outputs[5] == [("stream", "stdout", "still running\n")]
    assert outputs[7] == [("stream", "stderr", stub)]  # sys.stderr replaced in an earlier cell
    assert outputs[8][0][:2] == ("error", None) and outputs[9] == []
