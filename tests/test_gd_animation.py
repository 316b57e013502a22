"""Tests for dl4lib.gd_animation: trajectories, level lines, frames, saving and argument checks."""

import base64
import io
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import tensorflow as tf
from matplotlib import animation
from matplotlib.figure import Figure
from PIL import Image

import dl4lib
from dl4lib import gd_animation, optimizers
from dl4lib.gd_animation import (
    DEFAULT_START,
    draw_gd,
    gd_path,
    make_problem,
    plot_gd,
    plot_gd_interactive,
)


def _paths(fig):
    """(label -> (N, 2) data) of the trajectory lines on the parameter axes."""
    ax = fig.axes[0]
    return {line.get_label(): np.column_stack(line.get_data()) for line in ax.lines
            if not line.get_label().startswith("_") and line.get_label() != "optimum"}


def _overshoot(params, optimum, start):
    """How far the path goes past the optimum, per coordinate, seen from the start (max)."""
    direction = np.sign(optimum - start)
    return float(np.max((params - optimum) * direction))


# --- compute ------------------------------------------------------------------------------

def test_gd_path_returns_steps_plus_one_rows_from_start():
    path = gd_path(x_scale=0.5, lr=0.1, steps=7, optimizer="sgd")["sgd"]
    assert path.params.shape == (8, 2)
    assert path.losses.shape == (8,)
    np.testing.assert_allclose(path.params[0], DEFAULT_START)


def test_gd_path_equals_direct_minimize():
    problem = make_problem(0.5)
    x, y = tf.constant(problem.x, tf.float32), tf.constant(problem.y, tf.float32)
    w = tf.Variable(DEFAULT_START, dtype=tf.float32)
    direct = optimizers.minimize(lambda: tf.reduce_mean(tf.square(tf.linalg.matvec(x, w) - y)),
                                 [w], optimizers.get("adam", learning_rate=0.1), 10)
    path = gd_path(x_scale=0.5, lr=0.1, steps=10, optimizer="adam")["adam"]
    np.testing.assert_array_equal(path.params, direct.params)
    np.testing.assert_array_equal(path.losses, direct.losses)


def test_losses_are_the_mse_of_the_params():
    problem = make_problem(0.5)
    path = gd_path(x_scale=0.5, lr=0.1, steps=10, optimizer="sgd")["sgd"]
    np.testing.assert_allclose(path.losses, problem.loss(path.params), rtol=1e-5)


def test_sgd_step_is_lr_times_mse_gradient():
    problem = make_problem(0.5)
    path = gd_path(x_scale=0.5, lr=0.1, steps=1, optimizer="sgd")["sgd"]
    w0 = np.asarray(DEFAULT_START)
    gradient = 2 / len(problem.y) * problem.x.T @ (problem.x @ w0 - problem.y)
    np.testing.assert_allclose(path.params[1], w0 - 0.1 * gradient, rtol=1e-5)


def test_two_calls_give_identical_trajectories():
    first = gd_path(x_scale=0.2, lr=2.0, steps=25, optimizer=["sgd", "adam"])
    second = gd_path(x_scale=0.2, lr=2.0, steps=25, optimizer=["sgd", "adam"])
    for name in ("sgd", "adam"):
        np.testing.assert_array_equal(first[name].params, second[name].params)
        np.testing.assert_array_equal(first[name].losses, second[name].losses)


def test_optimizer_kwargs_reach_their_optimizer():
    by_lr = gd_path(lr=0.2, steps=5, optimizer="sgd")["sgd"]
    by_kwargs = gd_path(lr=0.1, steps=5, optimizer="sgd",
                        optimizer_kwargs={"sgd": {"learning_rate": 0.2}})["sgd"]
    np.testing.assert_array_equal(by_kwargs.params, by_lr.params)
    momentum_off = gd_path(steps=5, optimizer="momentum",
                           optimizer_kwargs={"momentum": {"momentum": 0.0}})["momentum"]
    np.testing.assert_allclose(momentum_off.params, gd_path(steps=5)["sgd"].params, rtol=1e-6)


def test_optimizer_object_keeps_its_hyperparameters_and_restarts_each_call():
    opt = optimizers.get("adam", learning_rate=0.3, beta_1=0.5)
    first = gd_path(lr=0.1, steps=5, optimizer=opt)["adam"]
    second = gd_path(lr=0.1, steps=5, optimizer=opt)["adam"]
    expected = gd_path(lr=0.3, steps=5, optimizer="adam",
                       optimizer_kwargs={"adam": {"beta_1": 0.5}})["adam"]
    np.testing.assert_array_equal(first.params, expected.params)
    np.testing.assert_array_equal(second.params, expected.params)
    assert int(opt.iterations.numpy()) == 0


# --- the problem ---------------------------------------------------------------------------

def test_level_lines_squeeze_as_x_scale_shrinks():
    condition = [np.linalg.cond(make_problem(s).hessian) for s in (1.0, 0.5, 0.2, 0.1)]
    assert condition[0] < 2
    assert all(a < b for a, b in zip(condition, condition[1:], strict=False))
    # For independent unit features H ≈ 2 diag(x_scale**2, 1): cond ≈ 1 / x_scale**2.
    assert 50 < condition[3] < 200


def test_optimum_is_least_squares_and_near_true_weights():
    for x_scale in (1.0, 0.2):
        problem = make_problem(x_scale)
        expected = np.linalg.solve(problem.x.T @ problem.x, problem.x.T @ problem.y)
        np.testing.assert_allclose(problem.optimum, expected, rtol=1e-10)
        np.testing.assert_allclose(problem.optimum, gd_animation.TRUE_WEIGHTS, atol=0.1)


# --- drawing -------------------------------------------------------------------------------

def test_optimum_marker_is_at_least_squares_solution():
    problem = make_problem(0.2)
    fig = draw_gd(problem, gd_path(x_scale=0.2, steps=3))
    (marker,) = [line for line in fig.axes[0].lines if line.get_label() == "optimum"]
    np.testing.assert_allclose(np.ravel(marker.get_data()),
                               np.linalg.lstsq(problem.x, problem.y, rcond=None)[0])


def test_drawn_path_and_loss_curve_are_the_trajectory():
    paths = gd_path(x_scale=0.5, steps=6, optimizer="momentum")
    fig = draw_gd(make_problem(0.5), paths)
    np.testing.assert_array_equal(_paths(fig)["momentum"], paths["momentum"].params)
    (curve,) = [line for line in fig.axes[1].lines if line.get_label() == "momentum"]
    np.testing.assert_array_equal(curve.get_ydata(), paths["momentum"].losses)
    assert fig.axes[1].get_yscale() == "log"


def test_draw_gd_step_shows_only_the_first_steps():
    paths = gd_path(steps=6)
    fig = draw_gd(make_problem(), paths, step=2)
    np.testing.assert_array_equal(_paths(fig)["sgd"], paths["sgd"].params[:3])
    for bad in (7, -1, True, 1.0):
        with pytest.raises(ValueError, match=rf"`step`.*integer value in \[0, 6\]. Received: step={bad}"):
            draw_gd(make_problem(), paths, step=bad)


def test_draw_gd_uses_the_given_figure():
    fig = Figure()
    assert draw_gd(make_problem(), gd_path(steps=2), fig=fig) is fig
    assert len(fig.axes) == 2


def test_several_optimizers_draw_one_labelled_path_each():
    names = ["sgd", "momentum", "adam"]
    fig = draw_gd(make_problem(0.5), gd_path(x_scale=0.5, steps=5, optimizer=names))
    paths = _paths(fig)
    assert sorted(paths) == sorted(names)
    assert not np.array_equal(paths["sgd"], paths["adam"])
    legend = [text.get_text() for text in fig.axes[1].get_legend().get_texts()]
    assert set(names) <= set(legend)


# --- animation -----------------------------------------------------------------------------

def test_animation_has_steps_plus_one_frames_and_ends_on_the_trajectory():
    anim = plot_gd(x_scale=0.5, lr=0.1, steps=4, optimizer="adam")
    assert isinstance(anim, animation.FuncAnimation)
    assert anim.n_frames == 5
    assert len(list(anim.new_saved_frame_seq())) == 5
    html = anim._repr_html_()
    assert "<script" in html and "Animation" in html
    assert html.count("data:image/png;base64") == 5
    np.testing.assert_array_equal(_paths(anim.figure)["adam"], anim.trajectories["adam"].params)
    np.testing.assert_array_equal(anim.losses["adam"], anim.trajectories["adam"].losses)


def test_animation_frames_equal_static_pictures_of_the_same_step():
    anim = plot_gd(x_scale=0.2, lr=2.0, steps=6, optimizer=["sgd", "adam"])
    html = anim.to_jshtml().replace("\\\n", "")  # the base64 lines end in a backslash
    frames = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert len(frames) == 7
    for step in (0, 3, 6):
        reference = io.BytesIO()
        draw_gd(anim.problem, anim.trajectories, step=step).savefig(reference, format="png")
        frame = np.asarray(Image.open(io.BytesIO(base64.b64decode(frames[step]))))
        np.testing.assert_array_equal(frame, np.asarray(Image.open(reference)))


def test_animation_figure_is_not_left_open_in_pyplot():
    before = plt.get_fignums()
    plot_gd(steps=2)
    assert plt.get_fignums() == before


def test_pyplot_figure_passed_in_is_closed_and_still_renders():
    fig = plt.figure()
    anim = plot_gd(steps=2, fig=fig)
    assert anim.figure is fig
    assert fig.number not in plt.get_fignums()
    assert anim.to_jshtml().count("data:image/png;base64") == 3


def test_gif_has_one_frame_per_step(tmp_path):
    anim = plot_gd(x_scale=0.5, steps=3, optimizer=["sgd", "adam"])
    anim.save(tmp_path / "gd.gif")
    with Image.open(tmp_path / "gd.gif") as gif:
        assert gif.format == "GIF"
        assert gif.n_frames == 4


def test_mp4_without_ffmpeg_names_ffmpeg(tmp_path, monkeypatch):
    monkeypatch.setattr(animation.writers, "is_available", lambda name: False)
    with pytest.raises(RuntimeError, match="ffmpeg"):
        plot_gd(steps=2).save(tmp_path / "gd.mp4")
    assert not (tmp_path / "gd.mp4").exists()


def test_save_rejects_unknown_format(tmp_path):
    with pytest.raises(ValueError, match=r"`filename`.*\.gif or \.mp4.*gd\.avi"):
        plot_gd(steps=2).save(tmp_path / "gd.avi")


def test_plot_gd_is_exposed_lazily_by_the_package():
    assert dl4lib.plot_gd is plot_gd
    code = ("import sys, dl4lib; "
            "print(sorted(m for m in ('tensorflow', 'matplotlib') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(dl4lib.__file__).parents[1]).stdout
    assert loaded.strip() == "[]"


# --- the module-text experiments ------------------------------------------------------------

def _excess_left(x_scale, losses):
    """Final excess loss as a fraction of the initial one: (L_T - L*) / (L_0 - L*)."""
    problem = make_problem(x_scale)
    best = problem.loss(problem.optimum)
    return (losses[-1] - best) / (losses[0] - best)


def test_adam_is_as_fast_in_a_narrow_valley_as_in_a_round_bowl():
    valley = plot_gd(x_scale=0.5, lr=0.1, steps=25, optimizer="adam").losses["adam"]
    bowl = gd_path(x_scale=1.0, lr=0.1, steps=25, optimizer="adam")["adam"].losses
    assert _excess_left(0.5, valley) < 0.05
    assert _excess_left(0.5, valley) < 3 * _excess_left(1.0, bowl)
    # Plain gradient descent, by contrast, is thousands of times further from done.
    sgd = {s: gd_path(x_scale=s, lr=0.1, steps=25)["sgd"].losses for s in (1.0, 0.5)}
    assert _excess_left(0.5, sgd[0.5]) > 100 * _excess_left(1.0, sgd[1.0])


def test_adam_with_large_lr_overshoots_but_ends_near_the_optimum():
    problem = make_problem(0.2)
    start, optimum = np.asarray(DEFAULT_START), problem.optimum
    big = plot_gd(x_scale=0.2, lr=2.0, steps=25, optimizer="adam").trajectories["adam"]
    small = gd_path(x_scale=0.2, lr=0.1, steps=25, optimizer="adam")["adam"]
    assert _overshoot(big.params, optimum, start) > 0.5
    assert _overshoot(big.params, optimum, start) > 3 * _overshoot(small.params, optimum, start)
    assert np.sum(np.diff(big.losses) > 0) > np.sum(np.diff(small.losses) > 0)
    best = problem.loss(optimum)
    assert big.losses[-1] - best < 0.05 * (big.losses[0] - best)


def test_sgd_crawls_along_the_valley_where_adam_does_not():
    paths = gd_path(x_scale=0.2, lr=0.1, steps=25, optimizer=["sgd", "adam"])
    optimum = make_problem(0.2).optimum
    sgd_gap, adam_gap = (abs(paths[n].params[-1, 0] - optimum[0]) for n in ("sgd", "adam"))
    assert sgd_gap > 1.0 > 0.2 > adam_gap


# --- interactive ---------------------------------------------------------------------------

def test_interactive_redraws_on_change():
    box = plot_gd_interactive(steps=5)
    lr_slider, x_scale_slider = box.children[0].children
    steps_slider, dropdown = box.children[1].children
    image = box.children[2]
    assert image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert list(dropdown.options) == optimizers.names()
    first = image.value
    lr_slider.value = 0.5
    assert image.value != first
    second = image.value
    dropdown.value = "adam"
    assert image.value != second
    third = image.value
    x_scale_slider.value = 0.2
    assert image.value != third
    fourth = image.value
    steps_slider.value = 8
    assert image.value != fourth


def test_interactive_rejects_bad_arguments():
    with pytest.raises(ValueError, match="`optimizer`.*Received: optimizer='bogus'"):
        plot_gd_interactive(optimizer="bogus")
    with pytest.raises(ValueError, match="`lr`.*Received: lr=0"):
        plot_gd_interactive(lr=0)


# --- argument checks -----------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lr": 0}, r"`lr`. Expected a float value > 0. Received: lr=0"),
    ({"lr": -0.1}, r"`lr`.*Received: lr=-0.1"),
    ({"lr": "0.1"}, r"`lr`.*Received: lr='0.1'"),
    ({"lr": float("nan")}, r"`lr`. Expected a finite float value > 0. Received: lr=nan"),
    ({"x_scale": 0.0}, r"`x_scale`. Expected a float value > 0. Received: x_scale=0.0"),
    ({"x_scale": None}, r"`x_scale`.*Received: x_scale=None"),
    ({"steps": 0}, r"`steps`. Expected an integer value >= 1. Received: steps=0"),
    ({"steps": 2.5}, r"`steps`.*Received: steps=2.5"),
    ({"steps": True}, r"`steps`.*Received: steps=True"),
    ({"optimizer": "bogus"}, r"`optimizer`. Expected an Optimizer or one of 'sgd'.*'adam'.*"
                             r"Received: optimizer='bogus'"),
    ({"optimizer": []}, r"`optimizer`.*non-empty.*Received: optimizer=\[\]"),
    ({"optimizer": ["sgd", "sgd"]}, r"`optimizer`.*'sgd' twice. Received: optimizer=\['sgd', 'sgd'\]"),
    ({"optimizer": 3}, r"`optimizer`.*Received: optimizer=3"),
    ({"start": (1.0,)}, r"`start`. Expected two finite numbers.*Received: start=\(1.0,\)"),
    ({"start": ("a", "b")}, r"`start`.*Received: start=\('a', 'b'\)"),
    ({"optimizer_kwargs": {"adam": {}}}, r"`optimizer_kwargs`.*\['adam'\]"),
    ({"optimizer_kwargs": {"sgd": 0.5}}, r"`optimizer_kwargs`. Expected a dict.*'sgd': 0.5"),
    ({"optimizer_kwargs": {"sgd": {"beta_1": 0.9}}}, r"not recognized by `sgd`.*beta_1"),
    ({"interval": 0}, r"`interval`.*Received: interval=0"),
])
def test_bad_arguments_raise_clear_value_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_gd(**{"steps": 2, **kwargs})
