"""tools/integrity.py reads the editable cells in the grader's process: what it flags, what not."""

import glob

import nbformat
import pytest

from tools.integrity import scan_folder, scan_notebook, scan_source, shipped_sources

SUSPICIOUS = {
    "np.isclose = lambda *a, **k: True": "changes np.isclose of module numpy",
    "setattr(np, 'isclose', print)": "uses setattr",
    "import sys\nsys.modules['dl4lib.checks'] = None": "uses sys.modules",
    "import sys as s\ns.settrace(print)": "uses sys.settrace",
    "import sys\nsys.meta_path.insert(0, object())": "uses sys.meta_path",
    "from sys import _getframe": "uses sys._getframe",
    "import sys\nsys.stderr = None": "changes sys.stderr of module sys",
    "import dl4lib.checks\n": "imports the grading module dl4lib.checks",
    "from dl4lib import checks\n": "imports the grading module dl4lib",
    "def f():\n    import dl4lib.activations as A\n    A.sigmoid = abs\n": "changes A.sigmoid",
    "get_ipython().input_transformers_post.append(list)": "uses get_ipython",
    "%load_ext autoreload": "uses get_ipython",
    "import os\nos.environ.get('NBGRADER_EXECUTION')": "imports os",
    "x = 'NBGRADER_EXECUTION'": "mentions nbgrader",
    "f = (lambda: 0).__code__": "uses the attribute __code__",
    "def g(frame):\n    return frame.f_back": "uses the attribute f_back",
    "getattr(np, 'is' + 'close')": "uses getattr with a computed name",
    "class A:\n    def __eq__(self, other):\n        return True": "defines __eq__",
    "exec('1')": "uses exec",
    "np = None": "rebinds np",
    "import math as np": "rebinds np",
    "check_function = print": "rebinds check_function",
    "open('dl4lib.py', 'w')": "uses open",
    "import importlib": "imports importlib",
    "__builtins__": "uses __builtins__",
}


@pytest.mark.parametrize("source", sorted(SUSPICIOUS))
def test_suspicious_code_is_named_with_its_line(source):
    reasons = scan_source(source)
    assert any(SUSPICIOUS[source] in r for r in reasons), reasons
    assert all(r.startswith("line ") for r in reasons)


@pytest.mark.parametrize("source", [
    "import numpy as np\nimport tensorflow as tf\nimport keras\nfrom keras import ops",
    "import functools\nimport warnings\nwarnings.warn('x')",
    "import sys\nprint('debug', file=sys.stderr)\nsys.stdout.flush()",
    "class MyLayer(keras.layers.Layer):\n    def __init__(self, **kwargs):\n"
    "        super().__init__(**kwargs)\n    def call(self, x):\n        return x",
    "%timeit np.sum(1)\n",
    "%matplotlib inline\n",
    "getattr(layer, 'gamma')",
    "def f(x):\n    x = x.copy()\n    x[x < 0] = 0\n    return x",
    "this is not python (",
])
def test_ordinary_answers_are_not_flagged(source):
    assert scan_source(source) == []


def test_the_course_answers_and_shipped_free_cells_are_clean():
    for path in sorted(glob.glob("solutions/0*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        assert scan_notebook(nb, shipped_sources(path)) == [], path


def test_a_changed_free_cell_is_scanned_and_locked_cells_are_not():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os"),
                nbformat.v4.new_code_cell("import socket"),
                nbformat.v4.new_code_cell("import ctypes")]
    nb.cells[2].metadata["nbgrader"] = {"locked": True, "grade_id": "setup"}
    assert scan_notebook(nb, shipped={"import os"}) == [(None, "free cell 2, line 1: imports socket")]


def test_files_beside_the_notebook_that_python_imports_are_listed(tmp_path):
    release, submission = tmp_path / "release", tmp_path / "submission"
    (release / "data").mkdir(parents=True)
    (release / "data" / "helper.py").write_text("")
    (submission / "data").mkdir(parents=True)
    (submission / "data" / "helper.py").write_text("")
    (submission / "dl4lib").mkdir()
    (submission / "dl4lib" / "__init__.py").write_text("")
    (submission / "notes.txt").write_text("")
    assert scan_folder(submission, release) == [
        "the submission contains dl4lib/__init__.py, which Python can import"]
