"""Test-session settings shared by tests/ and the nbval run over solutions/."""


def pytest_collection_modifyitems(items):
    """Keep the cells of one notebook on one xdist worker: nbval runs them in one kernel."""
    import pytest

    for item in items:
        if item.nodeid.split("::")[0].endswith(".ipynb"):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
