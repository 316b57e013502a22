"""Grade only what earns points: experiment cells that no graded cell uses are not run.

An experiment cell trains models, draws figures and prints tables for the student to read; no
test cell checks it. The instructor marks one in `solutions/` with the cell tag `experiment`.
While nbgrader autogrades, `ExecuteGraded` (nbgrader's `Execute`, configured in
nbgrader_config.py) leaves out such a cell of a submission, with a note in place of its output,
when all of these hold:

1. it is not an nbgrader cell (answers, tests and locked cells always run);
2. its source is, character for character, that of a tagged cell of the instructor's source
   notebook: the tag a student's copy carries is not trusted, and an edited experiment runs;
3. no cell that runs needs a name the experiment binds (assigns, defines, imports, or changes
   an attribute or item of): no later cell reads it before binding it itself, and no function,
   lambda or class anywhere reads it as a global. This is decided on the submission itself, so
   a student whose answer or own cell uses an experiment's result or helper keeps it;
4. no cell that runs reaches the namespace by name (`globals()`, `eval`, `exec`, `vars`,
   `get_ipython`, IPython's output history), which would hide such a use.

What the rule cannot see, and the tag therefore promises: the experiment changes no state that
graded cells read other than through its names (seeds, Keras settings, files, an object changed
by calling its methods). The tests check that promise on the reference answers and every typical
mistake and alternative answer (tests/test_experiments.py, tests/test_grading.py). Leaving a cell
out is what a student may do anyway by deleting it, so no submission can gain by it.
"""

import ast
import re
import symtable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute

TAG = "experiment"
NOTE = ("[Not run while autograding: this experiment earns no points and no graded cell uses "
        "it. Run the notebook yourself to see its results.]\n")
# Names through which code reaches every global name at once (IPython's history included).
NAMESPACE = {"globals", "locals", "vars", "eval", "exec", "dir", "get_ipython", "__import__",
             "__main__", "In", "Out", "_oh", "_ih", "_", "__", "___"}
HISTORY = re.compile(r"_i{0,3}\d+|_i{1,3}")
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")


def is_nbgrader_cell(cell):
    """An answer, test, task or read-only cell: nbgrader's own, which always runs."""
    return any(is_kind(cell) for is_kind in (utils.is_solution, utils.is_locked, utils.is_task))


def tagged_sources(nb):
    """Sources of the code cells of `nb` tagged `experiment` that are not nbgrader cells."""
    return {cell.source for cell in nb.cells if cell.cell_type == "code"
            and TAG in cell.metadata.get("tags", []) and not is_nbgrader_cell(cell)}


def _python(source):
    """`source` with IPython magics and shell lines blanked, and the identifiers those lines use.

    Raises SyntaxError for a cell magic (`%%time`): its body is not Python to analyse.
    """
    lines, hidden = [], set()
    if source.lstrip().startswith("%%"):
        raise SyntaxError("a cell magic")
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")) or re.match(r"[\w\s,]+=\s*[%!]", stripped):
            hidden |= set(IDENTIFIER.findall(line))
            line = line[: len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines), hidden


def _tables(table):
    yield table
    for child in table.get_children():
        yield from _tables(child)


@dataclass(frozen=True)
class Names:
    """The global names one cell binds and reads.

    Attributes:
        bound: names the cell assigns, defines, imports, declares `global` and assigns in a
            function, and the base name of every attribute or item it assigns or deletes
            (`results[k] = ...`); None when the cell does not parse.
        loads: names its top-level code reads before the cell itself has surely bound them: a
            later cell reading these sees what earlier cells left.
        deferred: global names read inside its functions, lambdas and classes, whenever they run.
    """

    bound: frozenset | None
    loads: frozenset
    deferred: frozenset


def _loads(node):
    """Names read by `node`, its nested functions' bodies excepted (they are `deferred`)."""
    found = set()
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            stack += [*node.decorator_list, *node.args.defaults,
                      *(d for d in node.args.kw_defaults if d is not None)]
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            found.add(node.target.id)
        stack += ast.iter_child_nodes(node)
    return found


def _binds(statement):
    """Names a simple top-level statement surely binds once it has run."""
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in statement.names}
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {statement.name}
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        return {n.id for t in targets for n in ast.walk(t)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return set()


def names(source):
    """The `Names` of a cell's source. An IPython magic or shell line binds and reads every
    identifier it mentions; a cell magic or a cell that does not parse binds `None`."""
    try:
        code, hidden = _python(source)
        top = symtable.symtable(code, "<cell>", "exec")
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        everything = frozenset(IDENTIFIER.findall(source))
        return Names(None, everything, everything)
    bound, deferred = set(hidden), set()  # `x = !ls` binds x: what a magic line names counts
    for table in _tables(top):
        for sym in table.get_symbols():
            if table is top:
                if sym.is_assigned() or sym.is_imported():
                    bound.add(sym.get_name())
            else:
                if sym.is_declared_global() and sym.is_assigned():
                    bound.add(sym.get_name())
                if sym.is_global() and sym.is_referenced():
                    deferred.add(sym.get_name())
    loads, sure = set(hidden), set()
    for statement in tree.body:
        loads |= _loads(statement) - sure
        sure |= _binds(statement)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Subscript) and not isinstance(node.ctx, ast.Load):
            while isinstance(node, ast.Attribute | ast.Subscript):
                node = node.value
            if isinstance(node, ast.Name):
                bound.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if any(alias.name == "__main__" for alias in node.names):
                loads.add("__main__")
    return Names(frozenset(bound), frozenset(loads), frozenset(deferred))


def reaches_namespace(names_read):
    return bool(names_read & NAMESPACE) or any(HISTORY.fullmatch(n) for n in names_read)


def skipped_cells(nb, trusted):
    """Indices of the code cells of `nb` to leave out while grading.

    An experiment is needed when a cell that runs reads one of its names: at the top level
    after it, or inside a function, lambda or class anywhere (called later).

    Args:
        nb: the submitted notebook.
        trusted: sources of the experiment cells of the instructor's notebook (`tagged_sources`).
    """
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    parsed = {i: names(nb.cells[i].source) for i in code}
    skip = {i for i in code if nb.cells[i].source in trusted and not is_nbgrader_cell(nb.cells[i])
            and parsed[i].bound is not None}
    while skip:
        running = [i for i in code if i not in skip]
        deferred = set().union(*(parsed[j].deferred for j in running))
        if reaches_namespace(deferred.union(*(parsed[j].loads for j in running))):
            return set()
        needed = {i for i in skip if parsed[i].bound & deferred.union(
            *(parsed[j].loads for j in running if j > i))}
        if not needed:
            break
        skip -= needed
    return skip


class ExecuteGraded(Execute):
    """nbgrader's `Execute`, leaving out the experiment cells that `skipped_cells` names.

    The trusted experiment sources come from the assignment's notebook in nbgrader's source
    directory; a notebook without one there (or outside autograde) runs every cell.
    """

    def preprocess(self, nb, resources=None, km=None):
        self._skipped = set()
        info = (resources or {}).get("nbgrader", {})
        if info.get("assignment") and info.get("notebook"):
            course = CourseDirectory(config=self.config)
            folder = Path(course.format_path(course.source_directory, ".", info["assignment"]))
            source = folder / f"{info['notebook']}.ipynb"
            if source.is_file():
                trusted = tagged_sources(nbformat.read(source, as_version=4))
                self._skipped = skipped_cells(nb, trusted)
        return super().preprocess(nb, resources, km)

    def preprocess_cell(self, cell, resources, index):
        if index in self._skipped:
            cell.outputs = [new_output("stream", name="stdout", text=NOTE)]
            cell.execution_count = None
            return cell, resources
        return super().preprocess_cell(cell, resources, index)
