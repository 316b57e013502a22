"""The one error every check raises, and how it shows itself to a student.

A failed check raises `CheckError`, an `AssertionError` whose message is written for the student.
IPython renders an exception that has a `_render_traceback_` method with that method's lines
instead of a traceback; `CheckError` uses it to show only its message, so a failing test cell shows
the student the check's explanation, not the checks' internals (JupyterLab, Colab and nbgrader's
feedback alike, since all of them display the traceback IPython stores in the output).
"""


class CheckError(AssertionError):
    """A check failed; the message is meant for the student."""

    def _render_traceback_(self):
        """What IPython shows instead of a traceback: the message alone."""
        return [f"\x1b[0;31mCheckError\x1b[0m: {self}"]


def not_implemented(name):
    """The error for an exercise still holding its stub `raise NotImplementedError()`."""
    return CheckError(f"{name} is not implemented yet: replace `raise NotImplementedError()` "
                      "with your code.")


def is_stub(err):
    """True for the stub's `raise NotImplementedError()`: no message.

    TensorFlow also raises NotImplementedError (with a message) when NumPy is called on a
    symbolic tensor; that is a mistake to report, not an unfinished exercise.
    """
    return isinstance(err, NotImplementedError) and not str(err)


def fail(lines, hint=""):
    """Raise a CheckError made of `lines`, with "Hint: ..." appended when `hint` is given."""
    lines = [line for line in lines if line]
    if hint:
        lines.append(f"Hint: {hint}")
    raise CheckError("\n".join(lines))
