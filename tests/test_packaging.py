"""Packaging and the promises README.md makes."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pins_in_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values()
                                      for d in extra]
    return dict(d.split("==") for d in deps)


def pins_in_environment():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    return dict(re.match(r"\s+- ([\w.-]+)==(\S+)$", line).groups()
                for line in lines if re.match(r"\s+- [\w.-]+==", line))


def test_every_dependency_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + [d for extra in project["optional-dependencies"].values()
                                      for d in extra]
    assert all("==" in d for d in deps), [d for d in deps if "==" not in d]


def test_environment_yml_matches_pyproject():
    assert pins_in_environment() == pins_in_pyproject()


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert "python=3.11" in (ROOT / "environment.yml").read_text()


# The modules about GradientTape and Keras layers; every other module is NumPy-only.
TENSORFLOW_MODULES = {"augment", "batch_norm", "clipping", "dropout", "gd_animation", "optimizers",
                      "resnet", "rule_checks", "schedules", "selu", "training"}


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
