"""A private release for a course graded for credit: the reference answers stay with the instructor.

    python -m tools.private DEST --package-url URL   # what `make private-release` runs

The open course ships `dl4lib` whole: every reference answer is readable in site-packages, and
`solutions/` with its hidden tests is in the public repository. For a class graded for credit the
instructor grades from a private copy of the repository (its own hidden tests, the full library)
and gives students, built from the same sources:

- `DEST/package/`: `dl4lib` with the body of every withheld reference function replaced by a
  replay of the values it returned while the release notebooks' public tests ran
  (`dl4lib.withheld`), and `DEST/dist/dl4lib-<version>-py3-none-any.whl` built from it;
- `DEST/course/`: the student notebooks of `course/`, whose setup cell installs that package
  from `--package-url` (where the instructor publishes the wheel).

How the values are recorded: every solution notebook, with its hidden tests removed (nbgrader's
`ClearHiddenTests`), runs top to bottom in a fresh kernel in which every public function of the
library's modules is wrapped by a recorder (`start_recording`). A function is withheld when the
public tests call it and nothing else does: a function that an ungraded cell or a library tool
calls keeps its code (students run those cells on their own inputs), and so does one whose calls
cannot be replayed (it changes its arguments, draws from a generator, takes or returns objects
that are not plain numbers and arrays). `DEST/withheld.txt` lists both, with the reason.

What stays readable: the reference functions listed as kept, the library's classes (Keras layers,
optimizers, schedules), private helpers of the modules, and every value the public tests compare
with (students see those in the tests' messages anyway).
"""

import argparse
import ast
import functools
import importlib
import inspect
import os
import pickle
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from tools.course import ROOT, SOLUTIONS, assignments, release_notebooks, repository_url

NOT_REFERENCES = ("dl4lib.checks", "dl4lib.notebook", "dl4lib.withheld", "dl4lib.utils",
                  "dl4lib._validation", "dl4lib.rule_checks", "dl4lib.initializer_checks",
                  "dl4lib.dropout_checks", "dl4lib.quoted")
"""Modules that hold no reference answers: grading, notebook machinery, shims, helpers."""

RECORDING = "__dl4_recording__"


# --- in the recording kernel ------------------------------------------------------------------

class _Recorder:
    """What the wrapped library functions saw while one notebook ran."""

    def __init__(self):
        self.phase = "tool"
        self.calls = defaultdict(dict)  # (module, name) -> {digest: withheld.Call}
        self.tool = set()  # (module, name) called outside the public tests
        self.unsafe = {}  # (module, name) -> why its calls cannot be replayed

    def wrap(self, module, name, fn):
        from dl4lib.withheld import Unkeyable, call_key, plain

        signature = inspect.signature(fn)
        key = (module, name)

        @functools.wraps(fn)
        def recorded(*args, **kwargs):
            if self.phase != "test":
                self.tool.add(key)
                return fn(*args, **kwargs)
            try:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()
                arguments = dict(bound.arguments)
                if any(type(v).__name__ == "Generator" for v in arguments.values()):
                    raise Unkeyable("a random generator, whose state a replay cannot advance")
                before = call_key(arguments)
                shape = call_key(arguments, variables=False)
                pristine = plain(arguments)
            except (Unkeyable, TypeError) as err:
                if not (str(err) == "a symbolic tensor" and _bound_in_notebook(recorded)):
                    self.unsafe.setdefault(key, f"takes {err}")
                # else: a student's answer calls it inside tf.function, through `isolate=`;
                # a replay then falls back on the student's own function.
                return fn(*args, **kwargs)
            try:
                result = fn(*args, **kwargs)
            except Exception as err:
                outcome = ("raise", err)
                raise
            else:
                outcome = ("return", result)
                return result
            finally:
                self._keep(key, before, shape, pristine, arguments, outcome)

        return recorded

    def _keep(self, key, before, shape, pristine, arguments, outcome):
        from dl4lib.withheld import Call, Unkeyable, _canonical, call_key, plain, variables

        try:
            if call_key(arguments, variables=False) != shape:
                raise Unkeyable("changes its arguments (other than by assigning tf.Variables)")
            effects = []
            for path, variable in variables(arguments):
                old = pristine
                for part in path:
                    old = old[part]
                if _canonical(variable) != _canonical(old):
                    effects.append((path, plain(variable)))
            if outcome[0] == "return":
                outcome = ("return", plain(outcome[1]))
                _canonical(outcome[1])
            call = Call(pristine, outcome, tuple(effects))
            pickle.dumps(call)
        except (Unkeyable, TypeError, pickle.PicklingError, AttributeError) as err:
            why = str(err) if str(err).startswith("changes") else f"returns {err}"
            self.unsafe.setdefault(key, why)
            return
        self.calls[key][before] = call


def _bound_in_notebook(fn):
    """Whether `fn` is bound to a name of the notebook: `isolate=` puts a reference among the
    student's globals for the function under test to call."""
    return any(value is fn for value in vars(sys.modules["__main__"]).values())


def reference_modules():
    """Names of the library modules that may hold reference answers."""
    import dl4lib

    names = [f"dl4lib.{m.name}" for m in pkgutil.iter_modules(dl4lib.__path__)]
    return [n for n in names if not n.startswith(NOT_REFERENCES)]


def start_recording():
    """Wrap every public function of the reference modules, wherever the library holds it."""
    recorder = _Recorder()
    modules = {name: importlib.import_module(name) for name in reference_modules()}
    wrapped = {}
    for name, module in modules.items():
        for attr, fn in list(vars(module).items()):
            if inspect.isfunction(fn) and fn.__module__ == name and not attr.startswith("_"):
                wrapped[fn] = recorder.wrap(name, attr, fn)
    for module in [m for n, m in sys.modules.items() if n.startswith("dl4lib") and m]:
        for attr, value in list(vars(module).items()):
            if inspect.isfunction(value) and value in wrapped:
                setattr(module, attr, wrapped[value])
    return recorder


def save_recording(path):
    """Write what the recorder that the notebook holds (`RECORDING`) saw to `path`."""
    recorder = sys.modules["__main__"].__dict__[RECORDING]
    with open(path, "wb") as f:
        pickle.dump({"calls": dict(recorder.calls), "tool": recorder.tool,
                     "unsafe": recorder.unsafe}, f)


# --- in the instructor's process --------------------------------------------------------------

def public_notebook(path):
    """The solution notebook at `path` without its hidden tests (what a release's tests run)."""
    import nbformat
    from nbgrader.preprocessors import ClearHiddenTests

    nb = nbformat.read(path, as_version=4)
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    return nb


def recording_notebook(path, out):
    """The public notebook with the recorder started first, each cell's phase set, saved last."""
    import nbformat

    from tools.grading.samples import is_test  # here: the recording kernel imports this module

    nb = public_notebook(path)
    for cell in nb.cells:
        if cell.cell_type == "code":
            phase = "test" if is_test(cell) else "tool"
            cell.source = f"{RECORDING}.phase = {phase!r}\n{cell.source}"
    nb.cells.insert(0, nbformat.v4.new_code_cell(
        f"import tools.private\n{RECORDING} = tools.private.start_recording()"))
    nb.cells.append(nbformat.v4.new_code_cell(f"tools.private.save_recording({str(out)!r})"))
    return nb


def execute(nb, cwd, env, timeout=1200, allow_errors=False):
    """Run a notebook top to bottom in a fresh kernel; raise if a cell fails (unless
    `allow_errors`, which keeps each error in its cell's outputs)."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(cwd)}}).execute(env=env)
    return nb


def kernel_env(pythonpath, fast):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(map(str, pythonpath)),
               MPLBACKEND="agg", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("NBGRADER_EXECUTION", None)
    if fast:
        env["DL4_FAST"] = "1"
    else:
        env.pop("DL4_FAST", None)
    return env


def record(units, scratch, fast=False, report=print):
    """Run every notebook of `units` with the recorder; return the merged recording."""
    merged = {"calls": defaultdict(dict), "tool": set(), "unsafe": {}}
    for unit in units:
        for path in sorted((SOLUTIONS / unit).glob("*.ipynb")):
            out = Path(scratch) / f"{unit}-{path.stem}.pkl"
            work = Path(scratch) / unit
            work.mkdir(parents=True, exist_ok=True)
            for extra in (SOLUTIONS / unit).iterdir():
                if extra.suffix != ".ipynb" and extra.is_file():
                    shutil.copy(extra, work / extra.name)
            report(f"recording {unit}/{path.name} ...")
            execute(recording_notebook(path, out), work, kernel_env([ROOT], fast))
            with open(out, "rb") as f:
                part = pickle.load(f)
            for key, calls in part["calls"].items():
                merged["calls"][key].update(calls)
            merged["tool"] |= part["tool"]
            for key, why in part["unsafe"].items():
                merged["unsafe"].setdefault(key, why)
    return merged


def choose(recording):
    """(withheld, kept): withheld (module, name) -> calls; kept (module, name) -> why."""
    kept = {key: "called outside the public tests" for key in recording["tool"]}
    for key, why in recording["unsafe"].items():
        kept.setdefault(key, f"cannot be replayed: it {why}")
    withheld = {key: calls for key, calls in recording["calls"].items() if key not in kept}
    return withheld, kept


def stub_source(source, names):
    """`source` with the bodies of the module-level functions `names` replaced by a replay.

    Each keeps its signature and docstring and is marked `@_withheld`; one import line, placed
    before the first of them, brings `dl4lib.withheld`'s `replay` and `withheld`.
    """
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    found = {node.name: node for node in tree.body
             if isinstance(node, ast.FunctionDef) and node.name in names}
    missing = set(names) - set(found)
    if missing:
        raise ValueError(f"no module-level functions {sorted(missing)}")
    starts, firsts = {}, {}
    for node in found.values():
        body = node.body
        doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
               and isinstance(body[0].value.value, str))
        if doc and len(body) == 1:
            raise ValueError(f"{node.name} has no body to withhold")
        first = body[1] if doc else body[0]
        if first.lineno == node.lineno:
            raise ValueError(f"{node.name}: write its body on its own lines to withhold it")
        starts[node.name] = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        firsts[node.name] = first
    head = min(starts.values())
    for node in sorted(found.values(), key=lambda n: n.lineno, reverse=True):
        first = firsts[node.name]
        lines[first.lineno - 1:node.end_lineno] = [
            f"{' ' * first.col_offset}return _replay(__name__, {node.name!r}, locals())\n"]
        lines.insert(starts[node.name], "@_withheld\n")
    lines.insert(head, "from dl4lib.withheld import replay as _replay, withheld as _withheld\n\n\n")
    return "".join(lines)


def build_package(dest, withheld):
    """Copy the library into `dest` with the withheld functions stubbed and their recordings."""
    dest = Path(dest)
    shutil.copytree(ROOT / "dl4lib", dest / "dl4lib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    by_module = defaultdict(list)
    for module, name in withheld:
        by_module[module].append(name)
    for module, names in by_module.items():
        path = dest / Path(*module.split(".")).with_suffix(".py")
        path.write_text(stub_source(path.read_text(encoding="utf-8"), names), encoding="utf-8")
    with open(dest / "dl4lib" / "withheld.pkl", "wb") as f:
        pickle.dump({key: dict(calls) for key, calls in withheld.items()}, f)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (dest / "README.md").write_text(
        "# dl4lib (private release)\n\nThe DL-4 course library with the reference answers "
        "withheld (see `dl4lib.withheld`).\n", encoding="utf-8")
    text += '\n[tool.setuptools.package-data]\ndl4lib = ["withheld.pkl"]\n'
    (dest / "pyproject.toml").write_text(text, encoding="utf-8")


def build_wheel(package, dist):
    """Build the students' wheel with pip (setuptools comes from the package index)."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist),
                    str(package)], check=True)
    (wheel,) = Path(dist).glob("dl4lib-*.whl")
    return wheel


def build_course(dest, package_url):
    """Copy the student notebooks; their setup cell installs the private package."""
    public = f"dl4lib @ git+{repository_url()}@"
    for _, rel in release_notebooks():
        src = ROOT / rel
        text = src.read_text(encoding="utf-8")
        private, count = re.subn(re.escape(public) + r"v[0-9][^\"\\]*",
                                 f"dl4lib @ {package_url}", text)
        if count != 1:
            raise ValueError(f"{rel}: expected one install line of {public}..., found {count}")
        out = Path(dest) / Path(rel).relative_to("course")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(private, encoding="utf-8")
        for extra in src.parent.iterdir():
            if extra.suffix != ".ipynb" and extra.is_file():
                shutil.copy(extra, out.parent / extra.name)


def report_text(withheld, kept):
    lines = [f"Withheld ({len(withheld)} reference functions; their code is not in the package):"]
    lines += [f"  {m}.{n}: {len(c)} recorded calls" for (m, n), c in sorted(withheld.items())]
    lines += [f"Kept readable ({len(kept)}):"]
    lines += [f"  {m}.{n}: {why}" for (m, n), why in sorted(kept.items())]
    return "\n".join(lines) + "\n"


def build(dest, package_url, units=None, fast=False, report=print):
    """Build the private release into `dest` (which must not exist yet)."""
    dest = Path(dest)
    if dest.exists():
        raise FileExistsError(f"{dest} exists; give a new folder (nothing is overwritten)")
    units = units or assignments()
    dest.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as scratch:
        withheld, kept = choose(record(units, scratch, fast=fast, report=report))
    build_package(dest / "package", withheld)
    wheel = build_wheel(dest / "package", dest / "dist")
    build_course(dest / "course", package_url)
    (dest / "withheld.txt").write_text(report_text(withheld, kept), encoding="utf-8")
    report(f"{len(withheld)} reference functions withheld, {len(kept)} kept "
           f"(list: {dest / 'withheld.txt'})")
    report(f"students' package: {wheel}\nstudents' notebooks: {dest / 'course'}")
    return withheld, kept


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", help="a new folder for the private release")
    parser.add_argument("--package-url", required=True,
                        help="where students' setup cell installs the package from (the wheel's "
                             "address, or git+https://... of a private repository)")
    parser.add_argument("--units", nargs="+", choices=assignments(), metavar="UNIT")
    parser.add_argument("--fast", action="store_true",
                        help="record at DL4_FAST=1 sizes (for tests; students run full size)")
    args = parser.parse_args(argv)
    build(args.dest, args.package_url, units=args.units, fast=args.fast)


if __name__ == "__main__":
    main()
