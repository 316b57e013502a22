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


def test_setup_cell_works_in_this_kernel_version():
    from IPython.core.interactiveshell import InteractiveShell

    from dl4lib import notebook

    shell = InteractiveShell.instance()
    try:
        notebook.setup(shell)
        result = shell.run_cell("def f():\n    raise NotImplementedError()\nf()")
        assert isinstance(result.error_in_exec, NotImplementedError)
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()
