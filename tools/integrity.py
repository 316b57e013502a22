"""Flag submissions that tamper with grading, from the grader's own process.

Threat model
------------
nbgrader runs a student's notebook in one kernel: the answer cells, the student's own free cells,
and the test cells, which nbgrader restores from the gradebook (with every locked cell and every
cell's nbgrader metadata) before it runs them. Whatever the test cells look up at run time lives in
that kernel and can be replaced by code that ran before them:

- patched functions (`np.allclose = ...`, `dl4lib.checks.check_function = ...`, `setattr`),
- fake or replaced modules (`sys.modules[...] = ...`, a `dl4lib/` folder or `numpy.py` beside the
  notebook, which the kernel imports before the installed package, files written at run time),
- IPython hooks (input and AST transformers, `set_custom_exc`, `post_run_cell` events, a replaced
  `run_cell`) that make later cells do nothing or swallow their errors,
- code that reads the checker's frames (`sys._getframe`, `inspect`) to find the expected value,
  reads the references' source, or behaves differently under `NBGRADER_EXECUTION`,
- objects that lie about themselves (`__eq__`, `__array__`, `__float__` returning what a check
  wants), names that shadow what the test cells use (`np = ...`).

What stops each kind
--------------------
1. The checks themselves (`dl4lib.checks`) refuse delegation however it is written: they read the
   byte code, watch the calls while the answer runs, compare inputs with pristine copies, and run
   the reference only after the answer returned. A trick of this kind earns nothing.
2. nbgrader restores test cells, locked cells and metadata (`OverwriteCells`, `CheckCellMetadata`),
   so editing or deleting a test cell, or changing its points, earns nothing.
3. Everything else needs code that no answer to units 1-8 needs. `FlagTampering`, a preprocessor
   that `nbgrader_config.py` adds to plain `nbgrader autograde` right after the scores are saved,
   reads every cell a student can edit (answer cells and free cells) with Python's `ast` in the
   grader's process, which the student's code never runs in, and lists files beside the notebook
   that Python would import. A notebook with findings is flagged in the gradebook
   (`SubmittedNotebook.flagged`), every autograded cell of it is marked as needing manual grading
   (so its points are not final until an instructor looks), the reasons are written into the
   comment of the answer cell concerned, and autograde logs them (in the class pipeline, the
   shard's autograde.log; the class gradebook receives the held cells and the comments).
   `python -m tools.integrity <course root>` lists every flagged notebook with its reasons
   (`flagged()` for the pipeline). tests/test_tamper.py grades 51 tricks this way.

What remains possible
---------------------
- A scan is a list of what is suspicious, not a proof (`sys` is allowed for a debug print to
  `sys.stderr`, its other names are listed): an honest student who imports `os` or uses a
  magic other than %time/%timeit/%matplotlib is flagged too (and reviewed, not penalised).
- Code that reaches a forbidden capability through an allowed module in a way the scan does not
  list (for example a NumPy or TensorFlow function that executes files) is not flagged; the
  allow-list of modules keeps that surface small.
- In `check_rule` for AdamW, the isolated reference Adam may be called directly with its
  `weight_decay` argument: the call watch cannot tell that from the intended call of `adam_step`.
- A fresh-kernel re-run (answers' definitions and test cells only) would remove the need to trust
  the kernel at all; it doubles the grading time and is not done here.
"""

import ast
import sys
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

ALLOWED_MODULES = {
    "numpy", "math", "cmath", "functools", "itertools", "operator", "collections", "dataclasses",
    "typing", "numbers", "statistics", "time", "random", "warnings", "matplotlib", "keras",
    "tensorflow", "scipy", "dl4lib", "sys",
}
"""Top-level modules an answer may import; anything else is listed."""

SYS_ATTRIBUTES = {"stdout", "stderr", "float_info", "int_info", "maxsize", "version",
                  "version_info", "platform", "byteorder", "getsizeof", "getrecursionlimit",
                  "setrecursionlimit", "exit"}
"""What an answer may use of `sys` (a debug print to `sys.stderr`); any other name is listed
(`sys.modules`, `sys.settrace`, `sys.meta_path`, `sys._getframe`, ...)."""

GRADING_MODULES = ("dl4lib.checks", "dl4lib.rule_checks", "dl4lib.initializer_checks",
                   "dl4lib.dropout_checks")
"""dl4lib modules only test cells import."""

SUSPICIOUS_NAMES = {
    "__builtins__", "__import__", "globals", "locals", "vars", "exec", "eval", "compile", "open",
    "setattr", "delattr", "get_ipython", "breakpoint", "__loader__", "__spec__",
}
SUSPICIOUS_ATTRIBUTES = {"f_back", "f_locals", "f_globals", "f_code", "tb_frame", "gi_frame",
                         "cr_frame", "_getframe", "co_code", "modules"}
ALLOWED_DUNDERS = {"__init__", "__name__", "__doc__"}
TEST_CELL_NAMES = {"np", "numpy", "tf", "keras", "ops", "dl4lib", "reference", "functools",
                   "optimizers", "clipping", "check_function", "check_array", "check_raises",
                   "check_rule", "check_initializer", "check_dropout_layer", "CheckError",
                   "FRAMEWORKS", "FORBIDDEN", "random_inputs", "check_class_not_delegating"}
"""Names the test cells use: a student's top-level code must not rebind them."""
ALLOWED_MAGICS = {"time", "timeit", "matplotlib"}
USUAL_MODULES = {"np": "numpy", "tf": "tensorflow", "keras": "keras", "ops": "keras.ops",
                 "dl4lib": "dl4lib", "reference": "dl4lib", "optimizers": "dl4lib.optimizers"}
"""Modules the notebooks' locked cells import under these names."""
CODE_SUFFIXES = {".py", ".pyc", ".pth", ".so", ".pyd"}
FLAG_COMMENT = "Flagged for review (integrity check)"
"""How the reasons start in the comment of the answer cell concerned."""


def _transform(source):
    """The Python that IPython runs for a cell (magics become get_ipython() calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _allowed_magic_calls(tree):
    """ids of the `get_ipython` Name nodes inside an allowed magic call."""
    allowed = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run_line_magic", "run_cell_magic")
                and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == "get_ipython" and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in ALLOWED_MAGICS):
            allowed.add(id(node.func.value.func))
    return allowed


def scan_source(source):
    """Reasons to review a cell's source, as short sentences with line numbers ("" when clean)."""
    try:
        tree = ast.parse(_transform(source))
    except SyntaxError:
        return []  # the cell fails to run and earns nothing
    reasons = []

    def add(node, text):
        reasons.append(f"line {getattr(node, 'lineno', '?')}: {text}")

    modules = dict(USUAL_MODULES)  # alias -> module name, for assignments to module attributes
    allowed_magic = _allowed_magic_calls(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            if isinstance(node, ast.ImportFrom) and node.level:
                add(node, "relative import")
            for name in names:
                root = name.split(".")[0]
                if root not in ALLOWED_MODULES:
                    add(node, f"imports {name}")
                elif name.startswith(GRADING_MODULES) or (
                        isinstance(node, ast.ImportFrom) and name == "dl4lib" and any(
                            a.name in ("checks", "rule_checks", "initializer_checks",
                                       "dropout_checks") for a in node.names)):
                    add(node, f"imports the grading module {name}")
            if isinstance(node, ast.ImportFrom) and node.module == "sys":
                for alias in node.names:
                    if alias.name not in SYS_ATTRIBUTES:
                        add(node, f"uses sys.{alias.name}")
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                modules[bound] = alias.name
        elif isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            if id(node) not in allowed_magic:
                add(node, f"uses {node.id}")
        elif isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and modules.get(node.value.id) == "sys" and \
                    node.attr not in SYS_ATTRIBUTES:
                add(node, f"uses sys.{node.attr}")
            elif node.attr.startswith("__") and node.attr not in ALLOWED_DUNDERS:
                add(node, f"uses the attribute {node.attr}")
            elif node.attr in SUSPICIOUS_ATTRIBUTES:
                add(node, f"uses the attribute {node.attr}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "getattr" and len(node.args) >= 2 and \
                not isinstance(node.args[1], ast.Constant):
            add(node, "uses getattr with a computed name")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                node.name.startswith("__") and node.name not in ALLOWED_DUNDERS:
            add(node, f"defines {node.name}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                "nbgrader" in node.value.lower():
            add(node, "mentions nbgrader")
        elif isinstance(node, ast.Global):
            add(node, "declares global names")
    for node in ast.walk(tree):  # assignments to modules' attributes, deletions of them
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            root = target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(target, (ast.Attribute, ast.Subscript)) and \
                    isinstance(root, ast.Name) and root.id in modules:
                add(node, f"changes {ast.unparse(target)} of module {modules[root.id]}")
    for node in tree.body:  # top-level rebinding of the names test cells use
        bound = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [n.id for t in targets for n in _bound_names(t)]
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound = [node.name]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = [a.asname or a.name.split(".")[0] for a in node.names
                     if not _binds_expected_module(node, a)]
        for name in bound:
            if name in TEST_CELL_NAMES:
                add(node, f"rebinds {name}, which the test cells use")
    return reasons


def _bound_names(target):
    """The Name nodes an assignment target binds (not those inside `a.b = ...` or `a[i] = ...`)."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for t in target.elts for n in _bound_names(t)]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return []


def _binds_expected_module(node, alias):
    """`import numpy as np`, `import tensorflow as tf`, `from keras import ops`: the usual names."""
    usual = {"np": "numpy", "numpy": "numpy", "tf": "tensorflow", "keras": "keras",
             "dl4lib": "dl4lib", "functools": "functools"}
    bound = alias.asname or alias.name.split(".")[0]
    if isinstance(node, ast.Import):
        return usual.get(bound) == alias.name or (bound == alias.name.split(".")[0] and
                                                  bound in usual)
    return (node.module, alias.name) in {("keras", "ops"), ("dl4lib", "optimizers"),
                                         ("dl4lib", "clipping")}


def scan_notebook(nb, shipped=()):
    """Findings for every cell a student can edit: a list of (grade_id or None, reason).

    `shipped` holds the sources of the cells as released; a free cell left as shipped is not
    scanned (the course's own free cells may import what answers may not).
    """
    findings = []
    shipped = {_normalized(s) for s in shipped}
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("locked") or meta.get("grade") and \
                not meta.get("solution"):
            continue  # nbgrader restores locked and test cells from the gradebook
        if not meta.get("solution") and _normalized(cell.source) in shipped:
            continue
        where = meta.get("grade_id") if meta.get("solution") else None
        label = f"cell {where}" if where else f"free cell {index + 1}"
        findings += [(where, f"{label}, {reason}") for reason in scan_source(cell.source)]
    return findings


def _normalized(source):
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def shipped_sources(path):
    """Sources of the code cells of a released (or source) notebook."""
    import nbformat

    path = Path(path)
    if not path.is_file():
        return set()
    return {c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"}


def scan_folder(folder, release_folder=None):
    """Files beside the notebook that Python could import instead of installed packages."""
    folder = Path(folder)
    shipped = set()
    if release_folder is not None and Path(release_folder).is_dir():
        shipped = {p.relative_to(release_folder) for p in Path(release_folder).rglob("*")}
    reasons = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel in shipped or "__pycache__" in rel.parts or ".ipynb_checkpoints" in rel.parts:
            continue
        if path.is_file() and (path.suffix in CODE_SUFFIXES or path.name in (
                "sitecustomize.py", "usercustomize.py")):
            reasons.append(f"the submission contains {rel}, which Python can import")
    return reasons


class FlagTampering(NbGraderPreprocessor):
    """nbgrader autograde step: flag a notebook whose editable cells or folder look like
    tampering (see the module docstring); runs after `SaveAutoGrades`."""

    def preprocess(self, nb, resources):
        from nbgrader.api import Gradebook

        info = resources["nbgrader"]
        folder = resources.get("metadata", {}).get("path")
        source = Path(self.config.CourseDirectory.get("source_directory", "source"),
                      info["assignment"])
        shipped = shipped_sources(source / f"{info['notebook']}.ipynb")
        for part in ("header", "footer"):  # added to every notebook by generate_assignment
            path = self.config.IncludeHeaderFooter.get(part, "")
            shipped |= shipped_sources(path) if path else set()
        findings = scan_notebook(nb, shipped)
        if folder:
            findings += [(None, r) for r in scan_folder(folder, source)]
        if not findings:
            return nb, resources
        student, assignment, notebook = info["student"], info["assignment"], info["notebook"]
        self.log.warning("FLAGGED for review: %s/%s/%s: %s", student, assignment, notebook,
                         "; ".join(r for _, r in findings))
        answer_ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("solution")]
        with Gradebook(info["db_url"]) as gb:
            submitted = gb.find_submission_notebook(notebook, assignment, student)
            submitted.flagged = True
            for grade in submitted.grades:
                if grade.auto_score is not None:
                    grade.needs_manual_grade = True
            by_cell = {}
            for cell_id, reason in findings:
                target = cell_id if cell_id in answer_ids else (answer_ids or [None])[0]
                by_cell.setdefault(target, []).append(reason)
            for cell_id, reasons in by_cell.items():
                if cell_id is None:
                    continue
                comment = gb.find_comment(cell_id, notebook, assignment, student)
                text = f"{FLAG_COMMENT}: " + "; ".join(reasons)
                comment.auto_comment = "\n".join(filter(None, [comment.auto_comment, text]))
            gb.db.commit()
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        return cell, resources


def flagged(root):
    """Every flagged notebook in `root`'s gradebook: dicts of student, assignment, notebook and
    reasons (the integrity comments).

    A notebook counts as flagged when nbgrader's `flagged` is set or when it carries an integrity
    comment: the class pipeline grades each student in a shard and merges only grades and
    comments into the class gradebook (`tools.grading.gradebook.merge`).
    """
    from nbgrader.api import Gradebook

    rows = []
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for sub in gb.assignment_submissions(assignment.name):
                for nb in sub.notebooks:
                    reasons = [line.split(": ", 1)[1] for c in nb.comments
                               for line in (c.auto_comment or "").splitlines()
                               if line.startswith(FLAG_COMMENT)]
                    if not nb.flagged and not reasons:
                        continue
                    rows.append({"student": sub.student.id, "assignment": assignment.name,
                                 "notebook": nb.name, "reasons": reasons})
    return rows


def main(argv=None):
    """python -m tools.integrity <course root>: print the flagged notebooks and why."""
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]) if argv else Path(".")
    rows = flagged(root)
    for row in rows:
        print(f"FLAGGED {row['student']}/{row['assignment']}/{row['notebook']}: "
              f"{'; '.join(row['reasons']) or 'see the notebook'}")
    print(f"{len(rows)} notebook(s) flagged for review in {root / 'gradebook.db'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
