"""Every number the notebooks' text quotes from a training run matches the recorded full-size run.

The record, tools/quoted_numbers.json, is written by `python -m tools.quoted_numbers record`
(minutes per unit); `make quoted-numbers` re-runs the notebooks at full size and checks again.
"""

import json

import pytest

from dl4lib import quoted
from tools import quoted_numbers as qn


def test_every_quoted_number_holds_against_the_full_size_record():
    problems = qn.check(qn.numbers_of(qn.load_record()["units"]))
    assert not problems, "\n".join(problems)


def test_the_record_comes_from_full_size_runs_of_every_unit_with_claims():
    record = qn.load_record()
    assert set(qn.recording_units()) <= set(record["units"])
    assert {"tensorflow", "keras", "numpy", "machine", "date"} <= set(record["environment"])


def test_every_claimed_name_is_recorded_by_a_cell_of_its_unit():
    record = qn.load_record()["units"]
    for claim in qn.CLAIMS:
        assert claim.name in record[claim.unit]["numbers"], claim


def test_check_reports_a_drifted_number_and_a_reworded_text():
    numbers = qn.numbers_of(qn.load_record()["units"])
    claim = qn.CLAIMS[0]
    drifted = {**numbers, claim.name: claim.value + 2 * claim.tolerance}
    assert any("full-size run gives" in p for p in qn.check(drifted, [claim]))
    reworded = qn.Claim(claim.unit, claim.cell, "about 999", claim.name, claim.value, claim.tolerance)
    assert any("no longer says" in p for p in qn.check(numbers, [reworded]))
    missing = qn.Claim(claim.unit, claim.cell, claim.text, "no such name", 0.0, 1.0)
    assert any("not in the record" in p for p in qn.check(numbers, [missing]))


def test_record_appends_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.delenv(quoted.QUOTES_ENV, raising=False)
    assert quoted.record("x", 1.5) == 1.5
    path = tmp_path / "quotes.jsonl"
    monkeypatch.setenv(quoted.QUOTES_ENV, str(path))
    monkeypatch.setenv("DL4_FAST", "1")
    quoted.record("u0 loss", 0.25)
    assert json.loads(path.read_text()) == {"name": "u0 loss", "value": 0.25, "fast": True}


def test_record_names_a_bad_name():
    with pytest.raises(ValueError, match="name=''"):
        quoted.record("", 1.0)
