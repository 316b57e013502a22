"""Numbers that a notebook's text quotes, recorded so that a test can hold the text to them.

A cell that prints a number the markdown quotes ("about 0.51") also calls
`record("u8_adam_1e-3_loss", value)`. Nothing happens in a student's notebook. When the
environment variable `DL4_QUOTES` names a file, each call appends one JSON line

    {"name": "u8_adam_1e-3_loss", "value": 0.5123, "fast": false}

to it. `python -m tools.quoted_numbers record` runs the notebooks at full size with it set and
keeps the numbers in `tools/quoted_numbers.json`; `tests/test_quoted_numbers.py` checks every
quoted number of the text against that record.
"""

import json
import os

from dl4lib._validation import invalid_argument
from dl4lib.utils import fast_mode

QUOTES_ENV = "DL4_QUOTES"


def record(name, value):
    """Append `value` under `name` to the file named by DL4_QUOTES, if set; return `value`.

    Args:
        name: a non-empty str, unique within the course, e.g. "u5_l2_train_mse".
        value: a real number (Python or NumPy scalar).
    """
    if not isinstance(name, str) or not name:
        raise invalid_argument("name", "a non-empty str", name)
    number = float(value)
    path = os.environ.get(QUOTES_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"name": name, "value": number, "fast": fast_mode()}) + "\n")
    return value
