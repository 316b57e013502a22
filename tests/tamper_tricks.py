# ruff: noqa: E501 - tricks are code, kept on one line each
"""Dishonest and clumsy submissions for the tamper suite (tests/test_tamper.py).

Each trick starts from the reference answers, makes one exercise wrong, and tries to earn that
exercise's points anyway. A trick is defeated when the exercise's test cells score 0, when the
notebook is flagged for review (tools/integrity.py) so its points are not final, or when it
cannot be graded at all (nbgrader refuses an edited hidden test cell; a kernel whose builtins
are broken stops answering): the class table then lists it as "could not grade", with no score.
"""

from dataclasses import dataclass, field

WRONG_SIGMOID = ("    z = np.exp(-np.abs(x))\n    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))",
                 "    return 1.0 / (1.0 + np.exp(-x))")
SIGMOID_CELLS = ("test_sigmoid", "test_sigmoid_hidden")
WRONG_ADAM = ("m_hat = m / (1 - beta_1**step)\n    v_hat = v / (1 - beta_2**step)",
              "m_hat = m\n    v_hat = v")
ADAM_CELLS = ("test_adam", "test_adam_hidden")


@dataclass(frozen=True)
class Trick:
    """A submission: the reference with `edits` (cell, old, new) applied, `append` added at the
    end of `cell`'s answer, `files` written beside the notebook and `test_edits` (grade_id,
    old, new, metadata) applied to test cells. `defeated` names the cells that must score 0
    unless the notebook is flagged."""

    name: str
    cell: str
    append: str = ""
    edits: tuple = ()
    files: dict = field(default_factory=dict)
    test_edits: tuple = ()
    defeated: tuple = ()


def unit1(name, append="", *, wrong=True, edits=(), **kwargs):
    edits = ((("sigmoid", *WRONG_SIGMOID),) if wrong else ()) + tuple(edits)
    return Trick(name, "sigmoid", append, edits, defeated=SIGMOID_CELLS, **kwargs)


def unit8(name, append="", *, wrong=True, edits=(), **kwargs):
    edits = ((("adam", *WRONG_ADAM),) if wrong else ()) + tuple(edits)
    return Trick(name, "adam", append, edits, defeated=ADAM_CELLS, **kwargs)


PASS_ALL = "lambda *args, **kwargs: None"
ACTIVATIONS = [
    unit1("patch np.isclose", "np.isclose = lambda a, b, **k: np.ones(np.broadcast(a, b).shape, bool)"),
    unit1("setattr on numpy", "setattr(np, 'isclose', lambda a, b, **k: np.ones(np.broadcast(a, b).shape, bool))"),
    unit1("patch check_function", f"import dl4lib.checks\ndl4lib.checks.check_function = {PASS_ALL}"),
    unit1("patch the core module", f"import dl4lib.checks.core as core\ncore.check_array = {PASS_ALL}"),
    unit1("patch through sys.modules", f"import sys\nsys.modules['dl4lib.checks'].check_function = {PASS_ALL}"),
    unit1("fake module in sys.modules",
          "import sys, types\nfake = types.ModuleType('dl4lib.checks')\n"
          f"fake.check_function = fake.random_inputs = {PASS_ALL}\nsys.modules['dl4lib.checks'] = fake"),
    unit1("patched reference module",
          "import dl4lib.activations as A\nA.sigmoid = lambda x: 1.0 / (1.0 + np.exp(-x))"),
    unit1("patched reference, hidden in a function",
          "def _setup():\n    from dl4lib import activations\n"
          "    activations.sigmoid_derivative = activations.sigmoid = sigmoid\n_setup()"),
    unit1("builtins patched", "import builtins\nbuiltins.isinstance = lambda *a: True"),
    unit1("__builtins__ touched", "__builtins__.__dict__['len'] = lambda x: 0"),
    unit1("input transformer empties later cells",
          "get_ipython().input_transformers_post.append(lambda lines: [])"),
    unit1("AST transformer", "import ast\nclass Empty(ast.NodeTransformer):\n"
          "    def visit_Module(self, node):\n        return ast.Module(body=[], type_ignores=[])\n"
          "get_ipython().ast_transformers.append(Empty())"),
    unit1("custom exception handler swallows errors",
          "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)"),
    unit1("post_run_cell hook", "def _clear(result):\n    result.error_in_exec = None\n"
          "get_ipython().events.register('post_run_cell', _clear)"),
    unit1("replaced run_cell", "_ip = get_ipython()\n_run = _ip.run_cell\n"
          "_ip.run_cell = lambda raw, *a, **k: _run('pass', *a, **k)"),
    unit1("only misbehaves under nbgrader",
          "import os\nif os.environ.get('NBGRADER_EXECUTION'):\n    np.isclose = "
          "lambda a, b, **k: np.ones(np.broadcast(a, b).shape, bool)"),
    unit1("reads the expected value from the checker's frames", wrong=False, edits=(
        ("sigmoid", WRONG_SIGMOID[0],
         "    import sys\n    frame = sys._getframe(1)\n    while frame and 'reference' not in frame.f_locals:\n"
         "        frame = frame.f_back\n    return frame.f_locals['reference'](x) if frame else x"),)),
    unit1("inspect.stack for the reference", wrong=False, edits=(
        ("sigmoid", WRONG_SIGMOID[0],
         "    import inspect\n    for info in inspect.stack():\n        if 'reference' in info.frame.f_locals:\n"
         "            return info.frame.f_locals['reference'](x)\n    return x"),)),
    unit1("source read from the package and executed", wrong=False, edits=(
        ("sigmoid", "def sigmoid(x):", "import inspect\nimport dl4lib.activations as A\n"
         "exec(inspect.getsource(A), globals())\ndef _unused(x):"),)),
    unit1("copied byte code", "import types, dl4lib.activations as A\n"
          "sigmoid = types.FunctionType(A.sigmoid.__code__, A.__dict__, 'sigmoid')"),
    unit1("functools.partial of the reference",
          "import functools\nfrom dl4lib import activations\nsigmoid = functools.partial(activations.sigmoid)"),
    unit1("reference as a default argument", wrong=False, edits=(
        ("sigmoid", "def sigmoid(x):", "from dl4lib import activations\n\n\ndef sigmoid(x, _f=activations.sigmoid):"),
        ("sigmoid", WRONG_SIGMOID[0], "    return _f(x)"))),
    unit1("getattr with a computed name", "import dl4lib.activations as A\n"
          "def sigmoid(x):\n    return getattr(A, 'sig' + 'moid')(x)"),
    unit1("eval of the reference", "def sigmoid(x):\n"
          "    return eval(\"__import__('dl4lib.activations').activations.sigmoid\")(x)"),
    unit1("callable object", "import dl4lib.activations as A\nclass _S:\n    def __call__(self, x):\n"
          "        return A.sigmoid(x)\nsigmoid = _S()"),
    unit1("object that claims to equal anything", "class _Any(float):\n    def __eq__(self, other):\n"
          "        return True\n    def __array__(self, dtype=None, copy=None):\n        return np.asarray(0.5)\n"
          "def sigmoid(x):\n    return _Any(0.5)"),
    unit1("rebinds check_function at top level", f"check_function = {PASS_ALL}"),
    unit1("shadows np for the test cells", "class _FakeNp:\n    def __getattr__(self, name):\n"
          f"        return {PASS_ALL}\nnp = _FakeNp()"),
    unit1("writes a module at run time", "open('dl4lib_patch.py', 'w').write('x = 1')"),
    unit1("dl4lib package beside the notebook", files={
        "dl4lib/__init__.py": "", "dl4lib/checks.py": f"check_function = random_inputs = {PASS_ALL}\n"}),
    unit1("numpy.py beside the notebook", files={"numpy.py": "raise ImportError('no')\n"}),
    unit1("edits the test cell", test_edits=(
        ("test_sigmoid", "check_function(sigmoid, reference.sigmoid, [x],", "check_function(np.abs, np.abs, [x],", None),)),
    unit1("gives the test cell more points and no grade", test_edits=(
        ("test_sigmoid", "", "", {"points": 100}), ("test_sigmoid_hidden", "", "", {"grade": False}))),
    unit1("warnings silenced around the overflowing formula",
          "import warnings\nwarnings.filterwarnings('ignore')\nnp.seterr(all='ignore')"),
    unit1("hard-codes the public test's values", wrong=False, edits=(
        ("sigmoid", WRONG_SIGMOID[0],
         "    x = np.asarray(x, dtype=np.float64)\n"
         "    if x.shape == (7,) and x[0] == -1000.0:\n"
         "        return np.array([0.0, 0.0066928509242848554, 0.2689414213699951, 0.5,\n"
         "                         0.7310585786300049, 0.9933071490757153, 1.0])\n"
         "    return x"),), ),
]
# The last trick legitimately passes the public cell: only the hidden one must be lost.
ACTIVATIONS[-1] = Trick(**{**ACTIVATIONS[-1].__dict__, "defeated": ("test_sigmoid_hidden",)})

ADAM = [
    unit8("patch tf.Variable.assign_sub", "tf.Variable.assign_sub = lambda self, v, *a, **k: None"),
    unit8("patch check_rule in the package",
          f"from dl4lib.checks import optimizers as oc\noc.check_rule = {PASS_ALL}"),
    unit8("patch np.isclose", "np.isclose = lambda a, b, **k: np.ones(np.broadcast(a, b).shape, bool)"),
    unit8("functools.partial of the library rule",
          "import functools\nfrom dl4lib import optimizers as _o\nadam_step = functools.partial(_o.adam_step)"),
    unit8("Keras optimizer inside the rule", "import keras\n"
          "def adam_step(param, grad, slots, step, **hp):\n"
          "    keras.optimizers.Adam(**hp).apply([grad], [param])"),
    unit8("importlib delegation", "import importlib\n"
          "def adam_step(param, grad, slots, step, **hp):\n"
          "    importlib.import_module('dl4lib.' + 'optimizers').adam_step(param, grad, slots, step, **hp)"),
    unit8("library rule through __dict__", "from dl4lib import optimizers as _o\n"
          "def adam_step(param, grad, slots, step, **hp):\n    _o.__dict__['adam_step'](param, grad, slots, step, **hp)"),
    unit8("copied byte code", "import types\nfrom dl4lib import optimizers as _o\n"
          "adam_step = types.FunctionType(_o.adam_step.__code__, vars(_o), 'adam_step', _o.adam_step.__defaults__,"
          " None)\nadam_step.__kwdefaults__ = _o.adam_step.__kwdefaults__"),
    unit8("input transformer empties later cells",
          "get_ipython().input_transformers_post.append(lambda lines: [])"),
    unit8("custom exception handler", "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)"),
    unit8("only misbehaves under nbgrader", "import os\nif 'NBGRADER_EXECUTION' in os.environ:\n"
          "    from dl4lib.checks import optimizers as oc\n    oc.check_rule = lambda *a, **k: None"),
    unit8("frames of the checker", wrong=False, edits=(
        ("adam", "m, v = slots[\"momentum\"], slots[\"velocity\"]",
         "import sys\n    frame = sys._getframe(2)\n    m, v = slots[\"momentum\"], slots[\"velocity\"]"),
        ("adam", WRONG_ADAM[0], WRONG_ADAM[1]))),
    unit8("rebinds check_rule at top level", f"check_rule = {PASS_ALL}"),
    unit8("dl4lib package beside the notebook", files={"dl4lib/__init__.py": "", "dl4lib/checks/__init__.py": "", "dl4lib/checks/optimizers.py": f"check_rule = {PASS_ALL}\nFORBIDDEN = ()\n"}),
    unit8("edits the test cell", test_edits=(
        ("test_adam", "check_rule(adam_step,", "check_rule(optimizers.adam_step,", None),)),
]
