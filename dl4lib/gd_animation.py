"""Gradient descent on a two-feature linear regression, animated over the loss level lines.

The screencast of units 3 and 8: a linear model without bias, y ≈ x @ w with x of shape (N, 2),
and its mean squared error over the parameter plane (w1, w2)

    L(w) = mean((x @ w - y)**2),    grad L(w) = 2/N * x.T @ (x @ w - y),    H = 2/N * x.T @ x.

Feature x1 is multiplied by `x_scale` (`x[:, 0] *= x_scale`) before the targets are made, so the
least-squares solution stays near `TRUE_WEIGHTS` while H[0, 0] scales by x_scale**2: for
x_scale < 1 the level lines stretch into a narrow valley along w1 and plain gradient descent
crawls along it, while adaptive methods (Adam, RMSProp) rescale each coordinate.

Computing and drawing are separate: `gd_path` runs the optimizers (`dl4lib.optimizers`),
`draw_gd` draws one static picture, `plot_gd` animates every step and `plot_gd_interactive` adds
sliders. Figures are made with `matplotlib.figure.Figure`, not pyplot, so nothing is registered
with pyplot's figure manager and no static copy appears below a notebook cell.
"""

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import cycle
from pathlib import Path

import numpy as np
import tensorflow as tf
from matplotlib import animation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dl4lib import optimizers
from dl4lib._validation import check_number, check_one_of, invalid_argument

TRUE_WEIGHTS = (1.0, 0.5)
DEFAULT_START = (-1.0, -1.0)

_OPTIMUM_COLOR = "red"
_PATH_COLORS = ("C0", "C1", "C2", "C4", "C5", "C6", "C8", "C9")  # no C3: red marks the optimum
_FIGSIZE, _DPI = (10, 4.2), 80
_GRID_SIZE = 150
_N_LEVELS = 14


@dataclass(frozen=True)
class RegressionProblem:
    """A two-feature least-squares problem.

    Attributes:
        x: features, array of shape (N, 2); column 0 is already multiplied by `x_scale`.
        y: targets, array of shape (N,).
        x_scale: the factor applied to feature x1.
    """

    x: np.ndarray
    y: np.ndarray
    x_scale: float

    @property
    def optimum(self) -> np.ndarray:
        """The least-squares solution w* = argmin L(w), array of shape (2,)."""
        return np.linalg.lstsq(self.x, self.y, rcond=None)[0]

    @property
    def hessian(self) -> np.ndarray:
        """H = 2/N * x.T @ x, array of shape (2, 2); L is exactly quadratic with this Hessian."""
        return 2.0 / len(self.y) * self.x.T @ self.x

    def loss(self, w) -> np.ndarray:
        """L(w) = mean((x @ w - y)**2) for w of shape (..., 2); returns shape (...)."""
        w = np.asarray(w, dtype=float)
        return np.mean((w @ self.x.T - self.y) ** 2, axis=-1)


def make_problem(x_scale=1.0, *, n_samples=100, noise=0.1, seed=0) -> RegressionProblem:
    """Build the fixed data set: x ~ N(0, I), x[:, 0] *= x_scale, y = x @ w_true + noise.

    Args:
        x_scale: positive factor for feature x1.
        n_samples: number of points N.
        noise: standard deviation of the Gaussian noise added to y.
        seed: seed of the NumPy generator; the same seed gives the same data for every x_scale.

    Returns:
        A `RegressionProblem` with x of shape (N, 2) and y of shape (N,).
    """
    x_scale = check_number("x_scale", x_scale, low=0, low_open=True)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_samples, 2))
    x[:, 0] *= x_scale
    y = x @ np.asarray(TRUE_WEIGHTS) + noise * rng.normal(size=n_samples)
    return RegressionProblem(x=x, y=y, x_scale=x_scale)


def gd_path(x_scale=1.0, lr=0.1, steps=25, optimizer="sgd", *, start=DEFAULT_START,
            optimizer_kwargs=None) -> dict:
    """Minimize L(w) of `make_problem(x_scale)` from `start` with each optimizer.

    The loss is the TensorFlow form of L(w) = mean((x @ w - y)**2) on one float32 variable w of
    shape (2,); `dl4lib.optimizers.minimize` takes the gradient with GradientTape.

    Args:
        x_scale: positive factor for feature x1.
        lr: positive learning rate given to every optimizer named by a string.
        steps: number of update steps, an int >= 1.
        optimizer: a name from `dl4lib.optimizers.names()`, an `Optimizer` (copied, so every
            call starts it from step 0), or a list or tuple of them, one path each.
        start: the starting point (w1, w2).
        optimizer_kwargs: optional dict from optimizer name to its hyper-parameters, e.g.
            `{"momentum": {"momentum": 0.95}}`; a "learning_rate" there overrides `lr`.

    Returns:
        A dict from optimizer name to its `Trajectory`: `params` of shape (steps + 1, 2) with the
        start in row 0, and `losses` of shape (steps + 1,).
    """
    problem = make_problem(x_scale)
    lr = check_number("lr", lr, low=0, low_open=True)
    steps = check_number("steps", steps, low=1, integer=True)
    start = _check_start(start)
    x = tf.constant(problem.x, tf.float32)
    y = tf.constant(problem.y, tf.float32)
    trajectories = {}
    for name, opt in _resolve_optimizers(optimizer, lr, optimizer_kwargs).items():
        w = tf.Variable(start, dtype=tf.float32, name="w")

        def loss_fn(w=w):
            return tf.reduce_mean(tf.square(tf.linalg.matvec(x, w) - y))

        trajectories[name] = optimizers.minimize(loss_fn, [w], opt, steps)
    return trajectories


def draw_gd(problem, trajectories, *, step=None, fig=None) -> Figure:
    """Draw the paths up to `step` on the level lines of L, with the loss curves beside them.

    Args:
        problem: the `RegressionProblem` the trajectories minimize.
        trajectories: dict from name to `Trajectory`, as returned by `gd_path`.
        step: the last step shown, 0 <= step <= steps; the final step when None.
        fig: optional `Figure` to draw into (it is cleared); a new one when None.

    Returns:
        The figure, with the parameter plane on the left and the loss per step on the right.
    """
    fig = Figure(figsize=_FIGSIZE, dpi=_DPI) if fig is None else fig
    show, n_frames = _build_scene(problem, trajectories, fig)
    step = n_frames - 1 if step is None else step
    step = check_number("step", step, low=0, high=n_frames - 1, integer=True)
    show(step)
    return fig


class GDAnimation(animation.FuncAnimation):
    """A step-by-step animation of `draw_gd`, one frame per step (steps + 1 frames).

    It shows itself in JupyterLab and Colab through `_repr_html_` (`to_jshtml`), saves as GIF
    with Pillow and as MP4 with ffmpeg, and keeps its figure out of pyplot so the notebook shows
    no extra static image.

    Attributes:
        figure: the `Figure` the frames are drawn on.
        problem: the `RegressionProblem`.
        trajectories: dict from optimizer name to `Trajectory`.
        losses: dict from optimizer name to the losses, array of shape (steps + 1,).
    """

    def __init__(self, problem, trajectories, *, interval=200, fig=None):
        interval = check_number("interval", interval, low=0, low_open=True)
        if fig is None:
            fig = _FrameFigure(figsize=_FIGSIZE, dpi=_DPI)
            FigureCanvasAgg(fig)  # one renderer for every frame, so text layouts stay cached
        elif fig.canvas.manager is not None:  # a pyplot figure: keep it from showing as a still
            import matplotlib.pyplot as plt

            plt.close(fig)
        show, n_frames = _build_scene(problem, trajectories, fig)
        if isinstance(fig, _FrameFigure):
            fig.moving = show(0)
        super().__init__(fig, show, frames=n_frames, init_func=lambda: show(0),
                         interval=interval, repeat=False)
        # The figure is never on screen, so matplotlib's "deleted without rendering" warning
        # would only fire when a notebook cell is re-run; output happens through `_repr_html_`.
        self._draw_was_started = True
        self.figure = fig
        self.problem = problem
        self.trajectories = trajectories
        self.losses = {name: t.losses for name, t in trajectories.items()}
        self.n_frames = n_frames

    def _repr_html_(self):
        return self.to_jshtml()

    def save(self, filename, writer=None, fps=None, **kwargs):
        """Save as `.gif` (Pillow) or `.mp4` (ffmpeg); other writers as `Animation.save`."""
        if writer is None:
            fps = 1000 / self._interval if fps is None else fps
            suffix = Path(filename).suffix.lower()
            if suffix == ".gif":
                writer = animation.PillowWriter(fps=fps)
            elif suffix == ".mp4":
                if not animation.writers.is_available("ffmpeg"):
                    raise RuntimeError(
                        "Saving an .mp4 needs the ffmpeg program, which was not found "
                        f"(rcParams['animation.ffmpeg_path']). Install ffmpeg, e.g. "
                        f"`conda install -c conda-forge ffmpeg`, or save as .gif. "
                        f"Received: filename={str(filename)!r}")
                writer = animation.FFMpegWriter(fps=fps)
            else:
                raise invalid_argument("filename", "a name ending in .gif or .mp4, or pass "
                                       "`writer=`", str(filename))
            fps = None
        super().save(filename, writer=writer, fps=fps, **kwargs)


def plot_gd(x_scale=1.0, lr=0.1, steps=25, optimizer="sgd", *, start=DEFAULT_START,
            optimizer_kwargs=None, interval=200, fig=None) -> GDAnimation:
    """Animate gradient descent on the regression with feature x1 scaled by `x_scale`.

    `plot_gd(x_scale=0.2, lr=2.0, steps=25, optimizer="adam")` reproduces unit 8;
    `optimizer=["sgd", "momentum", "adam"]` compares several optimizers on one plot.

    Args:
        x_scale, lr, steps, optimizer, start, optimizer_kwargs: as in `gd_path`.
        interval: positive delay between frames in milliseconds.
        fig: optional `Figure` to draw into (it is cleared, and closed if pyplot made it); a
            new one, faster to render, when None.

    Returns:
        A `GDAnimation` with steps + 1 frames; display it, or call `.save("gd.gif")`.
    """
    trajectories = gd_path(x_scale, lr, steps, optimizer, start=start,
                           optimizer_kwargs=optimizer_kwargs)
    return GDAnimation(make_problem(x_scale), trajectories, interval=interval, fig=fig)


def plot_gd_interactive(x_scale=1.0, lr=0.1, steps=25, optimizer="sgd", *, start=DEFAULT_START):
    """Sliders for lr (log scale), x_scale and steps and a menu of optimizers over `draw_gd`.

    Each change recomputes `gd_path` and redraws the final frame as a PNG image.

    Args:
        x_scale, lr, steps, start: initial values, as in `gd_path`.
        optimizer: initial optimizer, a name from `dl4lib.optimizers.names()`.

    Returns:
        An `ipywidgets.VBox`: a row of controls above an `ipywidgets.Image`.
    """
    import ipywidgets as widgets

    x_scale = check_number("x_scale", x_scale, low=0, low_open=True)
    lr = check_number("lr", lr, low=0, low_open=True)
    steps = check_number("steps", steps, low=1, integer=True)
    start = _check_start(start)
    check_one_of("optimizer", optimizer, optimizers.names())
    controls = [
        widgets.FloatLogSlider(value=lr, base=10, min=min(-3.0, math.log10(lr)),
                               max=max(1.0, math.log10(lr)), step=0.1, description="lr"),
        widgets.FloatSlider(value=x_scale, min=min(0.05, x_scale), max=max(2.0, x_scale),
                            step=0.05, description="x_scale"),
        widgets.IntSlider(value=steps, min=1, max=max(100, steps), description="steps"),
        widgets.Dropdown(options=optimizers.names(), value=optimizer, description="optimizer"),
    ]
    image = widgets.Image(format="png")
    fig = Figure(figsize=_FIGSIZE, dpi=_DPI)
    FigureCanvasAgg(fig)  # reused by every redraw, so text layouts stay cached

    def redraw(_change=None):
        lr, x_scale, steps, optimizer = (c.value for c in controls)
        trajectories = gd_path(x_scale, lr, steps, optimizer, start=start)
        buffer = io.BytesIO()
        draw_gd(make_problem(x_scale), trajectories, fig=fig).savefig(buffer, format="png")
        image.value = buffer.getvalue()

    for control in controls:
        control.continuous_update = False
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox(controls[:2]), widgets.HBox(controls[2:]), image])


class _FrameFigure(Figure):
    """A figure that draws its static artists once and then only the `moving` ones.

    The first draw on a renderer hides `moving`, draws the rest and copies the picture; every
    later draw restores that copy and draws `moving` on top (matplotlib's blitting, done inside
    `draw` so that each frame a movie writer saves uses it). The static artists must not change
    after the first draw, and `moving` must be above them in z-order.
    """

    moving = ()

    def draw(self, renderer):
        key = (id(renderer), renderer.width, renderer.height, tuple(self.get_facecolor()))
        if key != getattr(self, "_background_key", None):
            for artist in self.moving:
                artist.set_visible(False)
            super().draw(renderer)
            for artist in self.moving:
                artist.set_visible(True)
            self._background, self._background_key = renderer.copy_from_bbox(self.bbox), key
        else:
            renderer.restore_region(self._background)
        for artist in sorted(self.moving, key=lambda artist: artist.get_zorder()):
            artist.draw(renderer)


def _build_scene(problem, trajectories, fig):
    """Draw the static parts on `fig`; return (show, n_frames).

    show(step) moves the paths to `step` and returns the artists it changed (the `moving`
    artists of a `_FrameFigure`; nothing static is drawn over them).
    """
    if not trajectories:
        raise invalid_argument("trajectories", "a non-empty dict of Trajectory", trajectories)
    n_frames = len(next(iter(trajectories.values())).losses)
    fig.clear()
    ax_w, ax_loss = fig.subplots(1, 2, width_ratios=(1, 1.1))
    fig.subplots_adjust(left=0.07, right=0.86, bottom=0.12, top=0.9, wspace=0.25)

    optimum = problem.optimum
    best = float(problem.loss(optimum))
    w1_lim, w2_lim = _view_box(optimum, trajectories)
    w1, w2 = np.meshgrid(np.linspace(*w1_lim, _GRID_SIZE), np.linspace(*w2_lim, _GRID_SIZE))
    grid_loss = problem.loss(np.stack([w1, w2], axis=-1))
    levels = best + np.geomspace(1e-3, 1.0, _N_LEVELS) * (grid_loss.max() - best)
    ax_w.contour(w1, w2, grid_loss, levels=levels, cmap="viridis", linewidths=0.8)
    ax_w.plot(*optimum, "*", color=_OPTIMUM_COLOR, markersize=14, label="optimum")
    ax_w.set(xlim=w1_lim, ylim=w2_lim, xlabel="$w_1$", ylabel="$w_2$", aspect="equal")
    title = ax_w.set_title("", y=1.0)  # a fixed y skips matplotlib's per-draw title placement

    ax_loss.axhline(best, color=_OPTIMUM_COLOR, linestyle="--", linewidth=1, label="minimum")
    finite = np.concatenate([t.losses[np.isfinite(t.losses)] for t in trajectories.values()])
    ax_loss.set(yscale="log", xlim=(0, max(n_frames - 1, 1)),
                ylim=(0.7 * finite.min(initial=best), 1.5 * finite.max(initial=best)),
                xlabel="step", ylabel="MSE loss")
    ax_loss.set_title("loss per step", y=1.0)

    lines = []
    for color, (name, trajectory) in zip(cycle(_PATH_COLORS), trajectories.items()):
        path, = ax_w.plot([], [], "o-", color=color, markersize=3, linewidth=1.5, label=name,
                          zorder=3)
        head, = ax_w.plot([], [], "o", color=color, markersize=8, zorder=4)
        curve, = ax_loss.plot([], [], "-", color=color, linewidth=1.5, label=name, zorder=3)
        lines.append((trajectory, path, head, curve))
    ax_loss.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")

    def show(step):
        for trajectory, path, head, curve in lines:
            params = trajectory.params
            path.set_data(params[: step + 1, 0], params[: step + 1, 1])
            head.set_data(params[step : step + 1, 0], params[step : step + 1, 1])
            curve.set_data(np.arange(step + 1), trajectory.losses[: step + 1])
        title.set_text(f"x_scale = {problem.x_scale:g}, step {step} / {n_frames - 1}")
        return [title, *(artist for line in lines for artist in line[1:])]

    return show, n_frames


def _view_box(optimum, trajectories):
    """A square (w1_lim, w2_lim) around the optimum and the paths; far-diverged points are cut."""
    params = np.concatenate([t.params for t in trajectories.values()])
    starts = np.stack([t.params[0] for t in trajectories.values()])
    reach = 4 * max(np.max(np.linalg.norm(starts - optimum, axis=1)), 0.5)
    kept = params[np.all(np.isfinite(params), axis=1)]
    kept = kept[np.linalg.norm(kept - optimum, axis=1) <= reach]
    points = np.vstack([kept, starts, optimum])
    low, high = points.min(axis=0), points.max(axis=0)
    center, half = (low + high) / 2, 0.55 * np.max(high - low) + 0.1
    return (center[0] - half, center[0] + half), (center[1] - half, center[1] + half)


def _check_start(start) -> np.ndarray:
    try:
        point = np.asarray(start, dtype=float)
    except (TypeError, ValueError):
        point = None
    if point is None or point.shape != (2,) or not np.all(np.isfinite(point)):
        raise invalid_argument("start", "two finite numbers (w1, w2)", start)
    return point


def _resolve_optimizers(optimizer, lr, optimizer_kwargs) -> dict:
    """Map each requested optimizer to (name -> Optimizer); names get `learning_rate=lr`."""
    specs = list(optimizer) if isinstance(optimizer, (list, tuple)) else [optimizer]
    kwargs = {} if optimizer_kwargs is None else optimizer_kwargs
    if not isinstance(kwargs, Mapping) or not all(isinstance(v, Mapping) for v in kwargs.values()):
        raise invalid_argument("optimizer_kwargs", "a dict from optimizer name to a dict of "
                               "hyper-parameters", optimizer_kwargs)
    if not specs:
        raise invalid_argument("optimizer", "a name, an Optimizer or a non-empty list of them",
                               optimizer)
    stray = sorted(set(kwargs) - {s for s in specs if isinstance(s, str)})
    if stray:
        raise invalid_argument("optimizer_kwargs", f"keys among the optimizer names passed in "
                               f"`optimizer`, not {stray}", optimizer_kwargs)
    resolved = {}
    for spec in specs:
        if isinstance(spec, str) and spec in optimizers.names():
            name = spec
            opt = optimizers.get(spec, **{"learning_rate": lr, **kwargs.get(spec, {})})
        elif isinstance(spec, optimizers.Optimizer):
            name, opt = spec.name, _fresh_copy(spec)
        else:
            raise invalid_argument("optimizer", f"an Optimizer or one of "
                                   f"{', '.join(map(repr, optimizers.names()))}", spec)
        if name in resolved:
            raise invalid_argument("optimizer", f"each optimizer once, not {name!r} twice",
                                   optimizer)
        resolved[name] = opt
    return resolved


def _fresh_copy(opt):
    """A new `Optimizer` with the rule and hyper-parameters of `opt`, at step 0 with no slots."""
    return optimizers.Optimizer(opt.step_fn, opt.init_fn, clipvalue=opt.clipvalue,
                                global_clipnorm=opt.global_clipnorm, name=opt.name,
                                **opt.hyperparams)
