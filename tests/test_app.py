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
from sim.analysis.status import EVENT_COLUMNS, event_cells, truce_in_words  # noqa: E402
from sim.app import (  # noqa: E402
    DEFAULTS,
    MODEL_PARAMS,
    WHATIFS,
    AppModel,
    chart_figure,
    make_page,
    page_charts,
    page_config,
)
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
        f"Day 17 (05 Nov 2025): {truce_in_words(model)}",
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


def test_every_chart_reads_dates_not_steps():
    """The charts' x axes are dates from 19 Oct 2025, labelled as such (Mesa's own plot
    component would say "Step")."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    model = AppModel(seed=7)
    for _ in range(40):
        model.step()
    for chart in page_charts(model):
        fig = chart_figure(model, chart)
        FigureCanvasAgg(fig).draw()
        ax = fig.axes[0]
        ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert ticks and all(t.endswith(("2025", "2026")) for t in ticks), ticks
        assert "19 Oct 2025" in ticks[0] and ax.get_xlabel().startswith("date")
        assert "Step" not in ax.get_xlabel()


def test_the_controls_offer_the_what_ifs_and_show_slider_values():
    """solara's test tools: the what-if selector lists the named what-ifs, and every slider
    shows its value and unit in its label."""
    from sim.app import PageInputs

    box, rc = solara.render(PageInputs(MODEL_PARAMS, on_change=lambda name, value: None), handle_error=False)
    select = rc.find(v.Select, label="What-if from 6 Nov 2025").widget
    assert select.items[0] == "none" and {"turkey_withdraws", "third_party_monitors", "goods_lane"} <= set(select.items)
    labels = [w.label for w in rc.find(v.Slider).widgets]
    assert f"Detection {DEFAULTS['detection_prob']:g}" in labels
    assert f"Militant attacks {DEFAULTS['attack_rate']:g}" in labels
    shown = " ".join(texts(box))
    assert "chance a watched incident is seen" in shown and "a day on average" in shown  # the units
    rc.find(v.Slider, label=labels[0]).widget.v_model = 0.95
    assert "Detection 0.95" in [w.label for w in rc.find(v.Slider).widgets]


def test_a_what_if_on_the_page_runs_from_the_forecast_date():
    assert WHATIFS[0] == "none" and "turkey_withdraws" in WHATIFS
    model = AppModel(whatif="turkey_withdraws", seed=7)
    assert model.config.mediation.mediators["turkey"].until_day == 17
    assert model.record_match == AppModel(seed=7).record_match  # days 0-17 as the forecast's
    third = AppModel(whatif="third_party_monitors", seed=7)
    assert third.config.mvm.design == "third_party"  # the mechanism selector left alone
    box, _ = solara.render(make_page(third), handle_error=False)
    assert "what-if third_party_monitors (from 6 Nov 2025)" in " ".join(texts(box))
    clash = AppModel(whatif="turkey_withdraws", mediation="qatar_only", seed=7)
    assert clash.whatif == "none" and "does not combine" in clash.notice


def test_a_setting_that_rewrites_the_record_is_flagged_on_the_page():
    """Qatar alone from day 0 changes Doha and Istanbul: where a replicate's replayed days
    no longer reproduce the record, the page says so, as the command line does."""
    model = next(m for m in (AppModel(mediation="qatar_only", seed=s) for s in range(60)) if m.record_match is False)
    box, _ = solara.render(make_page(model), handle_error=False)
    assert "no longer reproduces the record to 5 Nov 2025" in " ".join(texts(box))


def test_the_event_table_labels_every_column():
    from sim.core.events import Event

    assert list(EVENT_COLUMNS) == list(Event._fields)  # a label for every field, in order
    model = AppModel(seed=7)
    cells = event_cells(model, Event(20, "militant_attack", "TTP", pak_breach=True))
    assert cells[0] == "08 Nov 2025 (day 20)" and cells[1] == "militant attack"
    assert cells[-2:] == ["yes", ""] and "True" not in cells and "False" not in cells


def test_the_truce_status_reads_in_plain_words():
    """After a renunciation and a renewal, the status says so, not "violated but holds"."""
    from types import SimpleNamespace

    def fake(state: str, renewals: int, collapse_day, **days):
        coded = {"violation": float("nan"), "breakdown": float("nan"), "renunciation": float("nan")} | days
        truce = SimpleNamespace(
            state=SimpleNamespace(value=state), renewals=renewals, collapse_day=collapse_day, broken_since=collapse_day
        )
        return SimpleNamespace(
            truce=truce, coded=lambda: coded, config=SimpleNamespace(scenario=SimpleNamespace(start_date="2025-10-19"))
        )

    words = truce_in_words(fake("violated", 1, 21, violation=19.0, renunciation=21.0))
    assert words.startswith("a renewed truce holds, though violated") and "violated but holds" not in words
    assert "renounced on 09 Nov 2025" in words and "renewed 1 time" in words
    assert truce_in_words(fake("broken_down", 0, 21, renunciation=21.0)).startswith(
        "the truce has broken down (since 09 Nov 2025); the truce of 19 Oct 2025 was renounced on 09 Nov 2025"
    )
    assert truce_in_words(fake("holding", 0, None)) == "the truce holds"


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
        page.get_by_text("Day 17 (", exact=False).wait_for(timeout=60_000)  # the replayed history to 5 Nov
        assert page.get_by_text("What-if from 6 Nov 2025", exact=False).count() >= 1  # the what-if selector
        assert page.get_by_text("chance a watched incident is seen", exact=False).count() >= 1  # a slider's unit
        table = page.inner_text("table")  # the latest events: every column labelled, no bare True/False
        assert "actor 1" in table and "a breach by Kabul, for Pakistan" in table and "True" not in table
        before = chart_sources(page)
        assert len(before) >= 3, "the charts are not on the page"
        for _ in range(3):
            page.get_by_role("button", name="Step").click()
        page.get_by_text("Day 20 (", exact=False).wait_for(timeout=30_000)
        page.wait_for_function(
            "n => Array.from(document.images).map(i => i.src).join() !== n", arg=",".join(before), timeout=30_000
        )
        assert chart_sources(page) != before  # the charts were redrawn
        page.get_by_role("button", name="Reset").click()
        page.get_by_text("Day 17 (", exact=False).wait_for(timeout=30_000)
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
