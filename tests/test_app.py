"""The interactive page (sim/app.py): rendered by solara's own test tools, and end to end
in headless Chromium (skipped where no Chromium is installed)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

solara = pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
import ipyvuetify as v  # noqa: E402
import ipywidgets as widgets  # noqa: E402
from mesa.visualization.utils import force_update  # noqa: E402

from sim import viz_assets  # noqa: E402
from sim.app import DEFAULTS, TRUCE_WORDS, AppModel, make_page, page_config  # noqa: E402
from sim.run.config import with_values  # noqa: E402
from sim.run.ensemble import run_replicate  # noqa: E402

pytestmark = pytest.mark.slow  # make test-fast leaves these out (subprocesses, studies, ensembles)

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "figures" / "app.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def texts(widget: widgets.Widget) -> list[str]:
    """Every string shown in a widget tree."""
    seen, out = set(), []

    def walk(w):
        if id(w) in seen:
            return
        seen.add(id(w))
        for key in w.keys:
            value = getattr(w, key, None)
            items = value if isinstance(value, list | tuple) else [value]
            for item in items:
                if isinstance(item, widgets.Widget):
                    walk(item)
                elif isinstance(item, str) and not key.startswith("_"):
                    out.append(item)

    walk(widget)
    return out


def test_app_model_is_the_command_lines_model():
    """Same settings and seed: the page's model runs exactly the command line's replicate
    of that number and seed, its calibrated history to 5 November included."""
    for seed in (7, 11):
        app = AppModel(seed=seed)
        assert app.day == app.replayed_to == 17 and app.parameter_row == seed
        while app.running and app.day < 120:
            app.step()
        config = with_values(
            page_config("joint", 0.6, 0.7, 0.5, "turkey_qatar", DEFAULTS["attack_rate"], seed),
            {"run.horizon_days": 120},
        )
        row, series, model_log = run_replicate(config, replicate=seed, seed=seed)
        assert {k: row[k] for k in app.counts} == app.counts and app.day == 120  # whatever befalls the truce
        assert app.log.events() == model_log
        frame = app.datacollector.get_model_vars_dataframe()
        assert len(frame) == app.day + 1  # day 0 included
        assert np.isclose(frame["trade index"].iloc[-1], series["trade_index"][app.day])


def test_the_sliders_start_at_the_defaults(config):
    assert DEFAULTS["attack_rate"] == round(config.spoilers.attack_rate, 2)  # the calibrated median
    mvm = config.mvm
    assert (DEFAULTS["detection_prob"], DEFAULTS["attribution_accuracy"], DEFAULTS["penalty"]) == (
        mvm.detection_prob,
        mvm.attribution_accuracy,
        mvm.penalty,
    )


def test_page_controls_change_the_model():
    model = AppModel(mvm="none", mediation="none", attack_rate=0.3, seed=3)
    assert model.config.mvm.design == "none" and not model.config.mediation.mediators
    assert model.config.spoilers.attack_rate == 0.3 and model.config.run.seed == 3


def test_untouched_sliders_keep_the_designs_own_values():
    """A design's own detection, attribution and penalty hold unless a slider was moved."""
    assert AppModel(mvm="joint_no_penalty").config.mvm.penalty == 0.0
    third = AppModel(mvm="third_party").config.mvm
    assert (third.detection_prob, third.attribution_accuracy) == (0.5, 0.85)
    moved = AppModel(mvm="third_party", penalty=0.9, detection_prob=0.95).config.mvm
    assert (moved.penalty, moved.detection_prob, moved.attribution_accuracy) == (0.9, 0.95, 0.85)


def test_a_bad_seed_is_reported_not_fatal():
    model = AppModel(seed="abc")
    assert model.config.run.seed == 20251019 and "not a whole number" in model.notice
    assert AppModel(seed=" 42 ").config.run.seed == 42


def test_page_renders():
    """solara's test tools: the page's main area renders the day, the four charts and the
    ensemble panel (the controls live in the app's sidebar: the browser test uses them)."""
    model = AppModel(seed=7)
    box, rc = solara.render(make_page(model), handle_error=False)
    shown = " ".join(texts(box))
    for label in (
        "Ensemble of the model as last reset",
        "Day 17 (05 Nov 2025)",
        f"Day 17 (05 Nov 2025): {TRUCE_WORDS[model.truce.state.value]}",
        "Latest events",
        "mechanism joint: detection 0.6",
        "Days 0-17 replay a history",
    ):
        assert label in shown, label
    charts = [bytes(w.value) for w in rc.find(widgets.Image).widgets]
    assert len(charts) >= 4  # the four charts
    for _ in range(5):  # what the Step button does: step, then Mesa's redraw signal
        model.step()
    force_update()
    assert "Day 22" in " ".join(texts(box))
    assert [bytes(w.value) for w in rc.find(widgets.Image).widgets] != charts  # redrawn


def test_ensemble_panel_draws_survival_and_trade():
    model = AppModel(seed=11)
    box, rc = solara.render(make_page(model), handle_error=False)
    images_before = len(rc.find(widgets.Image).widgets)
    rc.find(v.Slider, label="Replicates").widget.v_model = 50
    rc.find(v.Btn, children=["Run 50 replicates"]).widget.click()
    assert len(rc.find(widgets.Image).widgets) == images_before + 2  # survival and trade
    assert "P(holds  30 days)" in " ".join(texts(box))


# --------------------------------------------------------------------------- in a browser


def cdn_reachable() -> bool:
    try:
        return (
            urllib.request.urlopen("https://cdn.jsdelivr.net/npm/requirejs@2.3.6/package.json", timeout=5).status == 200
        )
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """`solara run sim.app` on loopback, with Solara's front-end files in its cache."""
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if shutil.which("npm"):
        subprocess.run([sys.executable, "-m", "sim.viz_assets"], check=True, capture_output=True, timeout=600)
    elif not (viz_assets.cache_dir() / viz_assets.PACKAGES[0]).exists() and not cdn_reachable():
        pytest.skip("Solara's browser files are neither cached nor reachable (no npm, no access to its CDN)")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "solara"),
            "run",
            "sim.app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--production",
            "--no-open",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"},
    )
    url = f"http://127.0.0.1:{port}/"
    for _ in range(120):
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the solara server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=30)


def chart_sources(page) -> list[str]:
    return page.eval_on_selector_all("img", "els => els.map(e => e.src)")


def test_in_chromium_the_charts_follow_the_model_and_the_screenshot_is_taken(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 3000})  # the whole page, unscrolled
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server, timeout=60_000)
        page.get_by_text("Day 17 ", exact=False).wait_for(timeout=60_000)  # the replayed history to 5 Nov
        before = chart_sources(page)
        assert len(before) >= 3, "the charts are not on the page"
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
        page.get_by_text("Day 20", exact=False).wait_for(timeout=30_000)
        page.wait_for_function(
            "n => Array.from(document.images).map(i => i.src).join() !== n", arg=",".join(before), timeout=30_000
        )
        assert chart_sources(page) != before  # the charts were redrawn
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Day 17 ", exact=False).wait_for(timeout=30_000)
        page.get_by_role("button", name="▶").click()  # play: to day 30, or to the collapse
        page.wait_for_function(
            "() => { const t = document.body.innerText; const m = t.match(/Day (\\d+) \\(/);"
            " return t.includes('broken down') || (m && +m[1] >= 30); }",
            timeout=120_000,
        )
        pause = page.get_by_role("button", name="❚❚")
        if pause.is_enabled():  # play stops by itself at a collapse
            pause.click()
        page.get_by_role("button", name="Run 200 replicates").click()
        page.get_by_text("P(holds  30 days)", exact=False).wait_for(timeout=180_000)
        assert not [e for e in errors if "mermaid" not in e], errors
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOT))
        browser.close()
    assert SCREENSHOT.stat().st_size > 50_000
