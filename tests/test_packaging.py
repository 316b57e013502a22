"""Packaging and the promises README.md makes."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def requirements_in_pyproject():
    """Requirement of every dependency and extra in pyproject.toml."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values()
                                      for d in extra]
    return [Requirement(d) for d in deps]


def pins_in(path):
    """name -> version of every `name==version` line of a constraints file."""
    lines = (ROOT / path).read_text().splitlines()
    return dict(line.split("==") for line in lines if line and not line.startswith("#"))


def pins_in_environment():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    return dict(re.match(r"\s+- ([\w.-]+)==(\S+)$", line).groups()
                for line in lines if re.match(r"\s+- [\w.-]+==", line))


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_dependencies_are_ranges_with_an_upper_bound_or_floor():
    for req in requirements_in_pyproject():
        ops = {spec.operator for spec in req.specifier}
        assert "==" not in ops and ">=" in ops, f"{req}: give a range, pins live in constraints/"


@pytest.mark.parametrize("constraints", ["constraints/tested.txt", "constraints/colab.txt"])
def test_constrained_versions_lie_in_the_declared_ranges(constraints):
    pins = {canonical(k): v for k, v in pins_in(constraints).items()}
    outside = [f"{req.name}=={pins[canonical(req.name)]} is outside {req}"
               for req in requirements_in_pyproject()
               if canonical(req.name) in pins and pins[canonical(req.name)] not in req.specifier]
    assert not outside


def test_tested_constraints_pin_every_dependency_and_colab_the_published_set():
    tested = {canonical(k) for k in pins_in("constraints/tested.txt")}
    missing = [req.name for req in requirements_in_pyproject()
               if canonical(req.name) not in tested]
    assert not missing, f"add to constraints/tested.txt: {missing}"
    assert pins_in("constraints/colab.txt") == {
        "tensorflow": "2.20.0", "keras": "3.13.2", "numpy": "2.1.3", "matplotlib": "3.10.0",
        "ipywidgets": "7.7.1", "ipykernel": "6.17.1", "pillow": "11.3.0",
        "ipython": "7.34.0", "traitlets": "5.7.1", "pyparsing": "3.3.2", "protobuf": "5.29.6"}


def test_environment_yml_pins_the_tested_versions():
    tested = {canonical(k): v for k, v in pins_in("constraints/tested.txt").items()}
    env = pins_in_environment()
    assert {canonical(r.name) for r in requirements_in_pyproject()} == set(map(canonical, env))
    assert {canonical(k): v for k, v in env.items()} == {k: tested[k] for k in map(canonical, env)}


def test_the_installed_versions_are_the_tested_ones():
    """`make` installs with the constraints; a stale .venv fails here, not in a notebook."""
    from importlib.metadata import version

    tested = pins_in("constraints/tested.txt")
    wrong = {name: (version(name), tested[name]) for name in
             ("numpy", "tensorflow", "keras", "matplotlib", "nbgrader", "ipywidgets")
             if version(name) != tested[name]}
    assert not wrong, f"(installed, tested): {wrong}; rerun `make` after `rm -r .venv`"


def test_version_lives_in_one_place():
    import dl4lib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "dl4lib.__version__"}
    from importlib.metadata import version

    assert version("dl4lib") == dl4lib.__version__


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "python=3.11" in (ROOT / "environment.yml").read_text()


# The modules about GradientTape and Keras layers; every other module is NumPy-only.
TENSORFLOW_MODULES = {"augment", "batch_norm", "clipping", "dropout", "gd_animation", "optimizers",
                      "resnet", "rule_checks", "rule_trajectory", "schedules", "selu", "training"}


def dl4lib_modules():
    import pkgutil

    import dl4lib

    return sorted(m.name for m in pkgutil.iter_modules(dl4lib.__path__))


def test_tensorflow_modules_exist():
    assert TENSORFLOW_MODULES <= set(dl4lib_modules())


@pytest.mark.parametrize("module", ["__init__", *dl4lib_modules()])
def test_numpy_modules_do_not_load_tensorflow(module):
    heavy = ("tensorflow", "keras", "matplotlib")
    name = "dl4lib" if module == "__init__" else f"dl4lib.{module}"
    code = f"import sys, {name}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout.strip())  # noqa: S307 - our own printed list
    if module in TENSORFLOW_MODULES:
        assert "tensorflow" in loaded or "keras" in loaded
    else:
        assert loaded == [], f"import {name} loads {loaded}"


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\b", ci, re.M), ".ci/run must call the README's test command"
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
