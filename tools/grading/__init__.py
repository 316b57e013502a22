"""Grading with the real nbgrader CLI: sample submissions, a class pipeline, the gradebook.

- `samples`: reference / untouched / typical-mistake submissions and `run`, which grades them;
- `classroom`: the class workflow (release, collect, autograde, feedback, export);
- `autograde`: every student in a shard of its own, in parallel on Dask;
- `experiments`: which experiment cells autograde leaves out;
- `sandbox`: the bubblewrap sandbox a student's kernel runs in;
- `gradebook`: scores, merging shards, snapshots of nbgrader's SQLite gradebook.
"""

from tools.grading.gradebook import scores
from tools.grading.samples import (
    Mistake,
    Submission,
    grade_id,
    is_answer,
    load_mistakes,
    notebooks,
    pack,
    reference_answers,
    run,
    sample_submissions,
    write_submission,
)

__all__ = ["Mistake", "Submission", "grade_id", "is_answer", "load_mistakes", "notebooks", "pack",
           "reference_answers", "run", "sample_submissions", "scores", "write_submission"]
