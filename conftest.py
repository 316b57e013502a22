"""Test-session settings shared by tests/ and the nbval run over solutions/."""

import os


def pytest_configure(config):
    """Let nbval start a kernel a second time when the first dies before it replies.

    Two xdist workers that start kernels at the same moment can pick the same free TCP port
    (jupyter_client chooses the ports, then the kernel binds them): the loser dies with "Address
    already in use" before it answers (jupyter/nbconvert#1066, treebeardtech/nbmake#129). A
    kernel that dies twice still fails the notebook. The devnull file nbval passes as the dead
    kernel's stderr is closed, so it does not leak (a ResourceWarning, an error here).
    """
    try:
        import nbval.kernel
    except ImportError:
        return
    start = nbval.kernel.start_new_kernel

    def start_new_kernel(*args, **kwargs):
        try:
            return start(*args, **kwargs)
        except RuntimeError as err:
            if "died before replying" not in str(err):
                raise
            if kwargs.get("stderr") is not None:
                kwargs["stderr"].close()
                kwargs["stderr"] = open(os.devnull, "w")  # noqa: SIM115 - the kernel keeps it
            return start(*args, **kwargs)

    nbval.kernel.start_new_kernel = start_new_kernel


def pytest_xdist_make_scheduler(config, log):
    """Spread tests over xdist workers in units that must not be split.

    - the cells of one notebook: nbval runs them one after another in one kernel;
    - the tests of one graded assignment in tests/test_grading.py or tests/test_tamper.py: they
      share the module-scoped fixture that grades it, so splitting them would grade it twice;
    - every other test module, as `--dist loadscope` does.
    """
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path, _, rest = nodeid.partition("::")
            if path.endswith(("test_grading.py", "test_tamper.py")) and rest.endswith("]"):
                return f"{path}[{rest.rsplit('[', 1)[1]}"
            return path

    return UnitScheduling(config, log)
