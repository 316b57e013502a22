"""Feedback without embedded animations: an nbgrader preprocessor for `generate_feedback`.

A matplotlib animation shown with `to_jshtml` (every `plot_gd` player) embeds all its frames as
base64 images, about 0.1 MB each, so a notebook with a few players made feedback files of 2-4 MB.
The feedback only needs to show what the student's notebook showed: `StillAnimations` replaces
each player by its last frame and a note. nbgrader_config.py adds it to
`GenerateFeedback.preprocessors`; the student's own notebook keeps the players.
"""

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

# One frame of matplotlib's HTML player: frames[i] = "data:image/png;base64,<lines ending in \>".
FRAME = re.compile(r'frames\[\d+\] = "(data:image/[\w+]+;base64,[^"]+)"')


def still(html):
    """The last frame of the animation player in `html` as an <img>, or None if it has none."""
    frames = FRAME.findall(html)
    if not frames or 'class="animation"' not in html:
        return None
    src = frames[-1].replace("\\\n", "")
    return (f'<img src="{src}" alt="last frame of an animation">'
            f"<p><em>Last of the animation's {len(frames)} frames; run the notebook to play "
            "it.</em></p>")


class StillAnimations(Preprocessor):
    """Replace every embedded animation player in the outputs by its last frame."""

    enabled = Bool(True, help="nbconvert runs a preprocessor only when it is enabled").tag(
        config=True)

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is not None:
                text = "".join(html) if isinstance(html, list) else html
                replacement = still(text)
                if replacement is not None:
                    output.data["text/html"] = replacement
        return cell, resources
