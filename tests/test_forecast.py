"""Forecasts as of any day of a record (sim/run/forecast.py, sim/analysis/sequential.py,
sim/analysis/synthetic.py) and the brief (sim/cli/brief.py)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import record as rec
from sim.analysis import sequential as sq
from sim.analysis import synthetic as syn
from sim.analysis.calibration import calibrated_factors
from sim.cli import brief
from sim.core.errors import ConfigError
from sim.run import forecast
from sim.run.config import default_config, with_values
from sim.run.scenario import run_scenario

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: A few knobs that move the attacks and the talks, the rest at their medians: small tests.
KEYS = ["spoilers.attack_rate", "spoilers.deaths_median", "negotiation.principle_chance", "states.accident_rate"]


def small(tmp_path: Path, *overrides: str):
    return default_config(
        [
            "run.replicates=40",
            "run.horizon_days=60",
            "run.n_jobs=2",
            "forecast.particles=60",
            "forecast.origin_replicates=20",
            f"forecast.cache={tmp_path / 'cache'}",
            *overrides,
        ]
    )


# --------------------------------------------------------------------------- settings


def test_the_default_forecast_conditions_nothing():
    """The shipped forecast as of 5 November: the replicates draw from the calibration's
    posterior as they always did (no filter, no new files)."""
    config = default_config()
    assert forecast.plan(config).is_default
    assert forecast.prepare(config, say=lambda _: None) == (config, None)
    same_day = default_config(["forecast.as_of=2025-11-05"])
    assert forecast.prepare(same_day, say=lambda _: None)[1] is None


def test_days_and_dates_are_read_alike():
    start = forecast.start_of(default_config())
    assert forecast.day_of("2025-10-27", start, "k") == 8 == forecast.day_of("8", start, "k")
    assert forecast.plan(default_config(["forecast.as_of=8"])).as_of == 8
    assert forecast.plan(default_config(["forecast.as_of=2025-10-27"])).as_of == 8


def test_the_weekly_schedule_is_shared_by_every_origin():
    assert sq.schedule(0, 17) == [7, 14, 17]
    assert sq.schedule(0, 5) == [5]
    assert sq.schedule(17, 31) == [21, 28, 31]
    assert sq.schedule(17, 17) == []
    # a week on reuses last week's population: its schedule is the old one and one day more
    assert sq.schedule(17, 28)[:-1] == sq.schedule(17, 24)[:-1] + [21][: len(sq.schedule(17, 28)) - 2]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["forecast.as_of=2025-12-01"], r"beyond the record that ships .* ends on day 17 \(2025-11-05\)"),
        (["forecast.as_of=0"], "before day 1"),
        (["forecast.as_of=5 Nov"], "neither a date written YYYY-MM-DD nor a day number"),
        (["forecast.as_of=8", "forecast.origins=[9]"], "not between day 1 and the day before as_of"),
        (["forecast.record=/nonexistent/record.csv"], "is missing"),
        (["forecast.record_to=2025-10-25"], "before the record's last row"),
        (
            ["forecast.as_of=300", "forecast.record_to=2026-12-01", "run.horizon_days=200"],
            "not before run.horizon_days",
        ),
    ],
)
def test_forecast_settings_are_refused_in_one_paragraph(overrides, message):
    with pytest.raises(ConfigError, match=message) as err:
        default_config(overrides)
    assert "\n" not in str(err.value)


def test_a_record_the_model_cannot_read_is_refused_naming_the_row(tmp_path):
    text = rec.RECORD_CSV.read_text().splitlines()
    bad = [*text[:3], text[3].replace("militant_attack", "militant_raid"), *text[4:]]
    path = tmp_path / "record.csv"
    path.write_text("\n".join(bad) + "\n")
    with pytest.raises(ConfigError, match=r"row 3 .*column event_type.*'militant_raid'"):
        default_config([f"forecast.record={path}"])
    later = [*text, text[-1].replace("2025-11-03", "2025-10-03").replace("15,", "-16,", 1)]
    path.write_text("\n".join(later) + "\n")
    shuffled = [text[0], *reversed(text[1:])]
    path.write_text("\n".join(shuffled) + "\n")
    default_config([f"forecast.record={path}"])  # rows in any order: read by their day


def test_a_forecast_that_conditions_leaves_parameters_table_alone():
    with pytest.raises(ConfigError, match="leave parameters.table at its default"):
        default_config(["forecast.as_of=8", "parameters.table=null"])


# --------------------------------------------------------------------------- the filter


def test_a_population_round_trips_through_its_table():
    config = default_config(["parameters.table=null"])
    chosen = calibrated_factors(config, KEYS)
    population = sq.prior_population(chosen, 50, seed=3)
    population.checkpoints = (7,)
    table = population.table(chosen)
    again = sq.Population.from_table(chosen, table)
    assert again.day == 7 and (again.seeds == population.seeds).all()
    pd.testing.assert_frame_equal(again.table(chosen), table)


def test_systematic_resampling_draws_in_proportion():
    rng = np.random.default_rng(0)
    idx = sq.systematic(np.array([0.0, 1.0, 3.0, 0.0]), 400, rng)
    assert set(idx) == {1, 2} and abs((idx == 2).sum() - 300) <= 1


@pytest.mark.slow
def test_the_filter_is_the_same_whatever_the_workers():
    config = default_config(["parameters.table=null", "run.horizon_days=60"])
    chosen = calibrated_factors(config, KEYS)
    evidence = forecast.evidence(config)
    start = sq.prior_population(chosen, 40, seed=5)
    settings = sq.Settings(moves=2, max_moves=2, min_alive=0.1, refill_batches=3)
    one, _ = sq.update(config, chosen, start, 5, evidence, 11, sq.Settings(**{**vars(settings), "n_jobs": 1}))
    two, _ = sq.update(config, chosen, start, 5, evidence, 11, sq.Settings(**{**vars(settings), "n_jobs": 2}))
    np.testing.assert_array_equal(one.z, two.z)
    np.testing.assert_array_equal(one.seeds, two.seeds)


# --------------------------------------------------------------------------- a forecast run


@pytest.fixture(scope="module")
def as_of_run(tmp_path_factory):
    """A forecast as of 27 October 2025 (day 8) with an earlier origin (day 5), small."""
    tmp = tmp_path_factory.mktemp("forecast")
    config = small(tmp, "forecast.as_of=2025-10-27", "forecast.origins=[2025-10-24]")
    run_scenario(config, tmp / "run", quiet=True)
    return config, tmp / "run"


@pytest.mark.slow
def test_an_as_of_forecast_reproduces_every_fact_of_the_record_in_every_history(as_of_run):
    """Every replicate replays a history that states each fact of the record to day 8
    exactly and its counts within the calibration's tolerance; then it is its own."""
    config, run = as_of_run
    runs = pd.read_parquet(run / "runs.parquet")
    assert runs["record_match"].all()
    population = pd.read_parquet(run / "population.parquet")
    assert (population["record_day"] == 8).all() and len(population) == config.forecast.particles
    events = pd.read_parquet(run / "events.parquet")
    evidence = forecast.evidence(config)
    observed = {d: evidence.statistics(d) for d in (7, 8)}
    for _, log in events.groupby("replicate"):
        mine = [e for e in rec.ev.rows_of(log) if e.day <= 8]
        assert sq.history_distance(mine, (7, 8), evidence, observed) <= evidence.tolerance["epsilon"]
    summary = json.loads((run / "summary.json").read_text())
    assert summary["forecast"]["as_of"] == "2025-10-27" and summary["forecast"]["start"] == "prior"
    assert [u["day"] for u in summary["forecast"]["updates"]] == [7, 8]


@pytest.mark.slow
def test_a_week_later_reuses_the_cached_population(as_of_run, tmp_path):
    """Moving the forecast on reads every earlier population from the cache: only the new
    day is simulated (the lines the run prints say which)."""
    config, _ = as_of_run
    said: list[str] = []
    later = with_values(config, {"forecast.as_of": "9", "forecast.origins": []})
    forecast.prepare(later, say=said.append)
    updates = [line for line in said if re.match(r"forecast: day \d+:", line)]
    assert [u.split(":")[1].strip().split()[1] for u in updates] == ["9"]


@pytest.mark.slow
def test_the_brief_renders_and_its_numbers_are_the_runs(as_of_run, tmp_path):
    config, run = as_of_run
    out = tmp_path / "brief.html"
    assert brief.main([str(run), "--out", str(out)]) == 0
    page = out.read_text()
    summary = json.loads((run / "summary.json").read_text())
    for row in brief.headlines.rows(summary):
        shown = re.search(rf'data-key="{row["key"]}".*?data-value="([^"]*)"', page, re.S).group(1)
        assert shown == str(row["value"])
    assert 'data-as-of="2025-10-27"' in page and page.count("<img") == 1  # the chart of the two origins
    origins = pd.read_csv(run / "origins.csv")
    assert sorted(origins["origin_day"].unique()) == [5, 8]
    assert "2025-10-24 to 2025-10-27" in page  # what moved it, between the origins


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed")
def test_the_brief_opens_in_a_browser_as_a_file(as_of_run, tmp_path):
    """Headless Chromium loads the file without a server: its text holds the headlines and
    its chart is an image it decoded."""
    _, run = as_of_run
    out = tmp_path / "brief.html"
    brief.main([str(run), "--out", str(out)])
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", out.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert "The headlines" in dom and "P(no breakdown by day 90" in dom
    shot = tmp_path / "brief.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}", "--window-size=900,1600"]
        + [out.as_uri()],
        capture_output=True,
        timeout=120,
    )
    from PIL import Image

    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.std() > 10  # not a blank page


def test_the_brief_of_a_folder_that_is_not_a_run_is_one_line(tmp_path, capsys):
    assert brief.main([str(tmp_path)]) == 2
    assert "no summary.json" in capsys.readouterr().err


def test_the_briefs_levers_are_a_sweeps_paired_differences_ranked(tmp_path, capsys):
    """The levers are each point's paired difference in days of truce (and US$ lost) from
    a sweep's comparison.csv, biggest effect first; a folder without one is refused."""
    comparison = pd.DataFrame(
        {
            "label": ["whatif=none", "whatif=small_one", "whatif=big_one"],
            "diff_truce_days": [None, 2.0, -19.0],
            "diff_truce_days_lower": [None, -1.0, -23.0],
            "diff_truce_days_upper": [None, 5.0, -14.0],
            "diff_loss_usd": [None, 1e6, 175e6],
        }
    )
    comparison.to_csv(tmp_path / "comparison.csv", index=False)
    levers = brief.read_levers(tmp_path)
    assert list(levers["label"]) == ["small one", "big one"]
    page = brief.levers_table(levers)
    assert page.index("big one") < page.index("small one") and "-19" in page and "+175" in page
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "summary.json").write_text("{}")
    assert brief.main([str(tmp_path / "run"), "--levers", str(tmp_path / "run")]) == 2
    assert "no comparison.csv" in capsys.readouterr().err


# --------------------------------------------------------------------------- statistics


@pytest.mark.slow
def test_conditioning_on_a_synthetic_truth_narrows_the_forecast_of_its_later_days():
    """Sixteen truths drawn from the model: the forecast of each one's militant attacks on days
    18-60, conditioned on its own log to day 17, scores better (CRPS) than the forecast
    from the prior, by a one-sided Wilcoxon signed-rank test at 1%. The tolerance reads
    the attacks a week closely (1 per attack a week, epsilon 3) and no facts, so that the
    test measures the filter, not the calibration's choice of statistics."""
    config = default_config(["parameters.table=null", "run.horizon_days=60"])
    chosen = calibrated_factors(config, KEYS)
    tolerance = {"epsilon": 3.0, "weights": {"attacks_per_week": 1.0}}
    outcome = (syn.OUTCOMES[0],)
    settings = sq.Settings(moves=2, max_moves=4, refill_batches=10, n_jobs=2)
    gains = []
    for i, truth in enumerate(syn.draw_truths(config, chosen, 16, 60, seed=41)):
        row = syn.check_truth(config, chosen, truth, 17, 60, 60, tolerance, 500 + i, settings, outcome, facts=())[0]
        gains.append(row["crps_prior"] - row["crps"])
    assert stats.wilcoxon(gains, alternative="greater").pvalue < 0.01


@pytest.mark.slow
def test_sequential_updates_agree_with_a_direct_calibration():
    """The population carried from the prior through days 7 and 14 to day 17 and one made
    at once by rejection (the same prior, and the record within the tolerance on the same
    days) forecast the same militant
    attacks on days 18-60 and hold the same parameters (Mann-Whitney, p > 0.01 each). The
    filter's first update from the prior keeps half its size from independent prior draws
    (``min_alive``): with a quarter of it, the medians of the accident rate at three seeds
    were 0.008, 0.014 and 0.021 against the direct 0.015 (too few independent histories),
    with half 0.011, 0.014 and 0.015. The study (experiments/rolling.py) compares the
    filter at full size with the shipped ABC-SMC posterior."""
    config = default_config(["parameters.table=null", "run.horizon_days=60"])
    chosen = calibrated_factors(config, KEYS)
    evidence = forecast.evidence(config)
    draws = sq.prior_population(chosen, 16_000, seed=71)  # rejection: prior draws to day 17, kept within tolerance
    keep = sq.simulate(config, chosen, draws.z, draws.seeds, (7, 14, 17), evidence, 2) <= evidence.tolerance["epsilon"]
    n = int(min(keep.sum(), 150))
    assert n >= 60
    direct_pop = sq.Population(draws.z[keep][:n], draws.seeds[keep][:n], (17,))
    accepted = direct_pop.table(chosen)
    start = sq.prior_population(chosen, n, seed=72)
    populations, _ = sq.condition(config, chosen, start, [7, 14, 17], evidence, 73, sq.Settings(n_jobs=2))
    outcome = (syn.OUTCOMES[0],)
    a = syn.forecast(config, chosen, populations[-1], 17, 60, 74, outcome, 2)["attacks"]
    b = syn.forecast(config, chosen, direct_pop, 17, 60, 74, outcome, 2)["attacks"]
    assert stats.mannwhitneyu(a, b).pvalue > 0.01
    sequential = populations[-1].table(chosen)
    for key in KEYS:
        assert stats.mannwhitneyu(sequential[key], accepted[key]).pvalue > 0.01, key
    # and the sequential histories are the record's: every one of them reproduces it at each checkpoint
    again = sq.simulate(config, chosen, populations[-1].z, populations[-1].seeds, (7, 14, 17), evidence, 2)
    assert (again <= evidence.tolerance["epsilon"]).all()


@pytest.mark.slow
def test_a_forecast_as_of_a_date_beyond_the_record_is_refused_by_the_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "sim", "forecast.as_of=2025-12-01", f"hydra.run.dir={tmp_path / 'run'}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 2
    assert "forecast.as_of" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "run").exists()


def test_an_origins_questions_are_what_the_record_resolves_after_it():
    """From day 5 the counts' windows start on day 6 and are counted from the record (the
    deadly attack of day 10, the text in principle of day 11; not the attack of day 5); from
    day 11 the text in principle is behind; a "by day 17" question keeps its day, and its
    base rate shrinks so that the reference covers the days after the origin only."""
    from experiments.rolling import origin_questions, record_frame

    record = record_frame()
    five = {q["id"]: q for q in origin_questions(5, record)["questions"]}
    assert five["deadly_militant_attacks_in_pakistan_days_6_17"]["resolution"] == {"value": 1}
    assert five["principle_days_6_17"]["resolution"] == {"value": 1}
    assert five["principle_days_6_17"]["target"]["from_day"] == 6
    assert five["violation_by_day_17"]["base_rate"] == pytest.approx(0.0055 * 12 / 17)
    eleven = {q["id"]: q for q in origin_questions(11, record)["questions"]}
    assert eleven["principle_days_12_17"]["resolution"] == {"value": 0}
    assert eleven["violation_by_day_17"]["resolution"] == {"not_by_day": 17}
