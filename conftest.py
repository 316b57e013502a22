"""Test-session settings shared by tests/ and the nbval run over solutions/."""


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
