"""Submissions that cannot be graded are recognised before anything runs, with the reason."""

import nbformat
import pytest

from tools.course import COURSE
from tools.grading.autograde import preflight

RELEASED = sorted(p.name for p in (COURSE / "01_activations").glob("*.ipynb"))


@pytest.fixture
def folder(tmp_path):
    for name in RELEASED:
        (tmp_path / name).write_bytes((COURSE / "01_activations" / name).read_bytes())
    return tmp_path


def test_the_release_as_handed_out_can_be_graded(folder):
    assert preflight(folder, RELEASED) is None


def test_invalid_json(folder):
    (folder / RELEASED[0]).write_text('{"cells": [ oops')
    assert "is not a readable notebook" in preflight(folder, RELEASED)


def test_empty_file(folder):
    (folder / RELEASED[0]).write_text("")
    assert preflight(folder, RELEASED) == f"{RELEASED[0]} is an empty file"


def test_renamed_notebook_names_what_was_found(folder):
    (folder / RELEASED[0]).rename(folder / "Copy of activations.ipynb")
    reason = preflight(folder, RELEASED)
    assert reason == f"no notebook named {RELEASED[0]}; found Copy of activations.ipynb"


def test_no_notebook_at_all(tmp_path):
    assert "the folder holds no notebook" in preflight(tmp_path, RELEASED)


def test_copied_answer_cell(folder):
    path = folder / RELEASED[0]
    nb = nbformat.read(path, as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("solution"))
    nb.cells.insert(i + 1, nbformat.from_dict(dict(nb.cells[i], id="copy")))
    nbformat.write(nb, path)
    gid = nb.cells[i].metadata.nbgrader.grade_id
    assert preflight(folder, RELEASED) == (
        f"{RELEASED[0]} holds the cell {gid!r} more than once (a copied cell? keep only one)")


def test_older_nbformat_is_accepted(folder):
    path = folder / RELEASED[0]
    nbformat.write(nbformat.convert(nbformat.read(path, as_version=4), 3), path)
    assert preflight(folder, RELEASED) is None
