"""The private release (`tools.private`): reference answers withheld, public tests still fair.

Built at fast sizes for unit 1 (NumPy) and unit 8 (TensorFlow rules that assign variables, and
`isolate=` inside tf.function): the students' package must not hold the withheld code, the
reference answers and every alternative correct answer must pass every public test with it, each
typical mistake must fail exactly the public tests it fails with the full library, and the hidden
tests' values must not be in it.
"""

import ast
import importlib
import inspect
import zipfile

import nbformat
import pytest

from tools import private
from tools.course import COURSE, SOLUTIONS
from tools.grading.samples import (
    filled,
    grade_id,
    is_answer,
    is_test,
    load_mistakes,
    notebooks,
    pack,
    reference_answers,
    strip_markers,
    with_mistakes,
)

pytestmark = pytest.mark.notebooks

URL = "https://courses.example.org/dl4/dl4lib-0.1.0-py3-none-any.whl"
# Per unit: functions that must be withheld, and one that must stay readable (and why).
EXPECTED = {
    "01_activations": ([("dl4lib.activations", "sigmoid"),
                        ("dl4lib.gradient_flow", "layer_gradient_norms")],
                       ("dl4lib.activations", "plot_activations"), "called outside the public"),
    "08_adam": ([("dl4lib.optimizers", "adam_step"), ("dl4lib.optimizers", "adam_expected_step")],
                ("dl4lib.rule_trajectory", "rule_trajectory"), "takes a function"),
}


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def release(request, tmp_path_factory):
    unit = request.param
    dest = tmp_path_factory.mktemp("private") / "release"
    withheld, kept = private.build(dest, URL, units=[unit], fast=True, report=lambda *a: None)
    (notebook,) = notebooks(unit)
    return unit, notebook, dest, withheld, kept


def verdicts(nb, pythonpath, tmp_path):
    """grade_id -> the test cell's output text, "" when it passed (no error, nothing on stderr)."""
    nb.cells.append(nbformat.v4.new_code_cell(
        "import dl4lib, pathlib\nprint('DL4LIB', pathlib.Path(dl4lib.__file__).parent)"))
    private.execute(nb, tmp_path, private.kernel_env(pythonpath, fast=True), timeout=300,
                    allow_errors=True)
    loaded = nb.cells[-1].outputs[0]["text"].split()[-1]
    result = {}
    for cell in nb.cells:
        if is_test(cell):
            bad = [o for o in cell.outputs if o.output_type == "error"
                   or o.get("name") == "stderr"]
            result[grade_id(cell)] = "\n".join(
                o.get("text", "") or "\n".join(o.get("traceback", [])) for o in bad)
    return loaded, result


def test_the_withheld_code_is_in_neither_the_package_nor_the_wheel(release):
    unit, _, dest, withheld, kept = release
    must_withhold, must_keep, why = EXPECTED[unit]
    assert set(must_withhold) <= set(withheld)
    assert why in kept[must_keep]
    wheel = next((dest / "dist").glob("dl4lib-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        shipped = {name: zf.read(name).decode("utf-8", "replace") for name in zf.namelist()
                   if name.startswith("dl4lib/")}
    assert "dl4lib/withheld.pkl" in shipped
    for module, name in withheld:
        original = inspect.getsource(getattr(importlib.import_module(module), name))
        body = ast.parse(original).body[0].body[1:]  # the statements after the docstring
        assert body, name
        path = module.replace(".", "/") + ".py"
        for text in (shipped[path], (dest / "package" / path).read_text()):
            for statement in body:
                code = ast.get_source_segment(original, statement)
                assert code not in text, f"{module}.{name}: {code!r} is still shipped"


def test_the_private_course_installs_the_private_package_and_is_otherwise_the_release(release):
    unit, notebook, dest = release[:3]
    private_nb = nbformat.read(dest / "course" / unit / notebook, as_version=4)
    public_nb = nbformat.read(COURSE / unit / notebook, as_version=4)
    assert f"dl4lib @ {URL}" in private_nb.cells[0].source
    assert "git+https://" not in private_nb.cells[0].source
    assert [c.source for c in private_nb.cells[1:]] == [c.source for c in public_nb.cells[1:]]


def test_the_reference_and_every_alternative_answer_pass_every_public_test(release, tmp_path):
    unit, notebook, dest = release[:3]
    submissions = [reference_answers(unit, notebook)]
    for group in pack(load_mistakes(unit, "ALTERNATIVES")):
        submissions.append(with_mistakes(unit, notebook, group))
    for i, answers in enumerate(submissions):
        work = tmp_path / str(i)
        work.mkdir()
        loaded, result = verdicts(filled(unit, notebook, answers), [dest / "package"], work)
        assert loaded == str(dest / "package" / "dl4lib")
        assert result and not any(result.values()), {k: v for k, v in result.items() if v}


def test_each_typical_mistake_fails_the_same_public_tests_as_with_the_full_library(
        release, tmp_path):
    (unit, notebook, dest), caught = release[:3], 0
    tests = {grade_id(c): c.source for c in nbformat.read(COURSE / unit / notebook,
                                                          as_version=4).cells if is_test(c)}
    for i, group in enumerate(pack(load_mistakes(unit))):
        nb = filled(unit, notebook, with_mistakes(unit, notebook, group))
        (tmp_path / f"p{i}").mkdir()
        (tmp_path / f"f{i}").mkdir()
        _, withheld = verdicts(nbformat.from_dict(nb), [dest / "package"], tmp_path / f"p{i}")
        _, full = verdicts(nbformat.from_dict(nb), [], tmp_path / f"f{i}")
        failing = {k for k, v in full.items() if v}
        caught += len(failing)
        private_failing = {k for k, v in withheld.items() if v}
        # No mistake passes a public test it fails with the full library; one may fail more
        # only where a test grades a function on its own with `isolate=` and the withheld
        # reference was not recorded for the student's inputs (the student's own earlier
        # function then runs: the feedback blames both, the grade does not).
        assert failing <= private_failing, [m.why for m in group]
        assert all("isolate=" in tests[k] for k in private_failing - failing), (
            [m.why for m in group], private_failing - failing)
        assert not any("withheld" in withheld[k] for k in failing), [m.why for m in group]
    assert caught >= 6  # the public tests catch most of the typical mistakes


def test_the_hidden_tests_values_are_not_in_the_package(release, tmp_path):
    """The solution notebook, hidden tests included, run with the students' package: every
    test cell with hidden tests fails, because none of their inputs was recorded."""
    unit, notebook, dest = release[:3]
    nb = nbformat.read(SOLUTIONS / unit / notebook, as_version=4)
    for cell in nb.cells:
        if is_answer(cell):
            cell.source = strip_markers(cell.source)
    hidden = {grade_id(c) for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source}
    assert len(hidden) >= 3
    _, result = verdicts(nb, [dest / "package"], tmp_path)
    for cell in hidden:
        assert "is withheld in this course" in result[cell], cell
    assert not any(result[c] for c in result if c not in hidden)


def test_a_replay_miss_names_the_function_and_says_when_it_is_checked(release, tmp_path):
    import subprocess
    import sys

    dest, withheld = release[2], release[3]
    module, name = EXPECTED[release[0]][0][0]
    assert (module, name) in withheld
    code = (f"import inspect, numpy as np, {module}\nfrom dl4lib.checks import CheckError\n"
            f"f = {module}.{name}\n"
            "n = sum(p.default is p.empty for p in inspect.signature(f).parameters.values())\n"
            "try:\n    f(*[np.array([0.123])] * n)\n"
            "except CheckError as err:\n    print(err)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True,
                         env=private.kernel_env([dest / "package"], fast=True)).stdout
    assert f"{module}.{name} is withheld in this course" in out
    assert "when your instructor grades" in out


def test_a_release_folder_that_exists_is_never_overwritten(tmp_path):
    (tmp_path / "mine.txt").write_text("notes")
    with pytest.raises(FileExistsError, match="nothing is overwritten"):
        private.build(tmp_path, URL, units=["01_activations"], fast=True)
    assert (tmp_path / "mine.txt").read_text() == "notes"


def test_stub_source_keeps_signature_and_docstring_and_drops_the_body():
    source = ('import numpy as np\n\n\ndef f(x, alpha=0.5):\n    """Doc."""\n'
              '    y = np.exp(x)\n    return alpha * y\n\n\ndef g(x):\n    return x\n')
    out = private.stub_source(source, ["f"])
    assert "np.exp(x)" not in out and "alpha * y" not in out
    assert ('@_withheld\ndef f(x, alpha=0.5):\n    """Doc."""\n'
            '    return _replay(__name__, \'f\', locals())\n') in out
    assert out.index("from dl4lib.withheld import") < out.index("@_withheld")
    assert "def g(x):\n    return x\n" in out
    ast.parse(out)
    with pytest.raises(ValueError, match="no module-level functions"):
        private.stub_source(source, ["h"])
    with pytest.raises(ValueError, match="own lines"):
        private.stub_source("def f(x): return x\n", ["f"])


def test_a_call_key_tells_apart_what_a_replay_must_not_confuse():
    import numpy as np

    from dl4lib import activations
    from dl4lib.withheld import Unkeyable, _close, call_key

    x = np.array([0.5, -1.0])
    keys = {call_key({"x": x}), call_key({"x": x.astype(np.float32)}),
            call_key({"x": x[::-1].copy()}), call_key({"x": x, "alpha": 0.5}),
            call_key({"x": 0.5}), call_key({"x": np.float64(0.5)}), call_key({"x": [0.5, -1.0]}),
            call_key({"f": activations.tanh}), call_key({"f": activations.sigmoid})}
    assert len(keys) == 9
    assert call_key({"x": x.copy()}) == call_key({"x": x})
    for value in (lambda v: v, np.random.default_rng(0), object()):
        with pytest.raises(Unkeyable):
            call_key({"f": value})
    assert _close({"x": x + 1e-12}, {"x": x})
    assert not _close({"x": x + 1e-6}, {"x": x})
    assert not _close({"x": x.astype(np.float32)}, {"x": x})
