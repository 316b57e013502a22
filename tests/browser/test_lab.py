"""What a student sees: JupyterLab with nbgrader's extension in a real browser.

Debian's `chromium` (installed by .ci/run with apt-get), driven by Playwright from PyPI; no
browser is downloaded. The test copies unit 3's release (untouched, as handed out) into a fresh
folder, starts JupyterLab there as `make lab` does, runs all cells and checks what a student sees:
a failing test cell's one-line message, the plot_gd player, the widget answering its controls,
and nbgrader's Validate button. Screenshots go to build/browser/ (CI keeps them as artefacts).
Run it with `make test-browser`.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tools import course

CHROMIUM = Path(os.environ.get("DL4_CHROMIUM", "/usr/bin/chromium"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = course.ROOT / "build" / "browser"
UNIT, NOTEBOOK = "03_learning_rate", "learning_rate.ipynb"
TOKEN = "dl4-browser-test"

pytestmark = pytest.mark.notebooks


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """URL of a JupyterLab server on a fresh copy of the release, with nbgrader's extension."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`apt-get install "
                    "chromium`, as .ci/run does) or set DL4_CHROMIUM")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "work"
    shutil.copytree(course.COURSE / UNIT, root / UNIT)
    settings = tmp / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (JupyterLab 4 otherwise detaches cells scrolled out of view).
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = free_port()
    env = dict(os.environ, DL4_FAST="1", JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    log = open(tmp / "lab.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
         f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (tmp / "lab.log").read_text())
                time.sleep(1)
        yield url, tmp
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def page(lab):
    from playwright.sync_api import sync_playwright

    url, tmp = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp / "chromium-profile"), executable_path=str(CHROMIUM), headless=True,
            args=FLAGS, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/lab/tree/{UNIT}/{NOTEBOOK}?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        page.wait_for_function("window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.sessionContext"
                               " && window.jupyterapp.shell.currentWidget.sessionContext"
                               ".session && window.jupyterapp.shell.currentWidget"
                               ".sessionContext.session.kernel", timeout=60_000)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # Done when the last code cell has an execution count (Run All reached the end).
        page.wait_for_function(
            "(() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];"
            " return p.length && p.every(e => /\\[\\d+\\]/.test(e.textContent)); })()",
            timeout=240_000, polling=1000)
        page.screenshot(path=SHOTS / "run_all.png", full_page=True)
        yield page
        context.close()


def test_run_all_reaches_the_end_and_failing_check_says_why(page):
    checks = page.locator(".jp-OutputArea-output", has_text="CheckError:")
    assert checks.count() >= 4
    first = checks.first.inner_text()
    assert "mse is not implemented yet" in first and "Traceback" not in first
    stub = page.locator(".jp-OutputArea-output", has_text="is not implemented yet (it still holds")
    assert stub.count() >= 1
    assert page.locator(".jp-OutputArea-output", has_text="absl::InitializeLog").count() == 0


def test_plot_gd_player_plays(page):
    player = page.locator(".animation").first
    player.scroll_into_view_if_needed()
    slider = player.locator("input[type=range]")
    before = slider.input_value()
    player.locator("button[onclick*='play_animation']").click()
    page.wait_for_function("([s, old]) => s.value !== old",
                           arg=[slider.element_handle(), before], timeout=10_000)
    player.screenshot(path=SHOTS / "plot_gd_player.png")


def test_plot_gd_widget_answers_its_controls(page):
    box = page.locator(".jp-OutputArea-output .widget-vbox").last
    box.scroll_into_view_if_needed()
    image = box.locator("img")
    first = image.get_attribute("src")
    box.locator("select").select_option("adam")
    page.wait_for_function("([el, old]) => el.getAttribute('src') !== old",
                           arg=[image.element_handle(), first], timeout=30_000)
    box.screenshot(path=SHOTS / "plot_gd_widget.png")


def test_validate_button_reports_the_failing_tests(page):
    page.locator(".validate-button").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    page.wait_for_function("() => !document.querySelector('.jp-Dialog')"
                           " || !/Validating/.test(document.querySelector('.jp-Dialog')"
                           ".textContent)", timeout=120_000)
    text = dialog.inner_text()
    page.screenshot(path=SHOTS / "validate.png")
    assert "failed" in text.lower(), text
    assert "not implemented yet" in text or "NotImplementedError" in text, text
