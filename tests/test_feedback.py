"""tools.feedback: feedback shows an animation's last frame instead of embedding all frames."""

import base64

import nbformat
import pytest

from tools.feedback import StillAnimations, still


@pytest.fixture(scope="module")
def player_html():
    from dl4lib import plot_gd

    return plot_gd(steps=6)._repr_html_()


def test_animation_becomes_its_last_frame(player_html):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("plot_gd()", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": player_html,
                                                     "text/plain": "<GDAnimation>"})])])
    StillAnimations()(nb, {})  # as nbconvert calls it: only when enabled
    html = nb.cells[0].outputs[0].data["text/html"]
    assert "7 frames" in html and len(html) < len(player_html) / 4
    src = html.split('src="', 1)[1].split('"', 1)[0]
    png = base64.b64decode(src.split(",", 1)[1], validate=True)
    assert png.startswith(b"\x89PNG")
    assert nb.cells[0].outputs[0].data["text/plain"] == "<GDAnimation>"


def test_other_html_is_left_alone():
    table = "<table><tr><td>frames[0] = \"data:image/png;base64,AAAA\"</td></tr></table>"
    assert still(table) is None
