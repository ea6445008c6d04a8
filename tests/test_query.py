"""The analyst's questions by date (``python -m sim.query RUN_DIR --by DATE``; ``run.by``):
every number recomputed by hand from the run's runs.parquet and daily.parquet, and the
messages a bad request gets."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from helpers import sim

from sim.analysis.by_date import WHY_HEADLINE
from sim.cli.query import answers
from sim.core.dates import month_end_days, parse_day
from sim.core.io import read_parquet
from sim.run.config import with_values
from sim.run.scenario import run_scenario

START = "2025-10-19"
HORIZON = 200


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory, config):
    """A small finished run (50 replicates, 200 days), written as python -m sim writes it."""
    out = tmp_path_factory.mktemp("query") / "run"
    small = with_values(
        config,
        {
            "run.replicates": 50,
            "run.horizon_days": HORIZON,
            "run.n_jobs": 1,
            "run.figures": False,
            "run.events": False,
            "run.progress": False,
        },
    )
    run_scenario(small, out, quiet=True)
    return out


def hand_holds(runs, definition: str, day: int) -> float:
    """P(not broken by ``definition`` by the end of ``day``): the share whose day is
    later or never (nothing is censored before the horizon)."""
    days = runs[f"{definition}_day"]
    return float((days.isna() | (days > day)).mean())


def hand_loss(runs, day: int) -> np.ndarray:
    """Each replicate's US$ lost by ``day``, from the month-end columns (linear between)."""
    ends = [0, *[d for d in month_end_days(START, 24) if d < HORIZON], HORIZON]
    cols = [None, *[f"trade_loss_usd_m{k:02d}" for k in range(1, len(ends) - 1)], "trade_loss_usd"]
    values = {d: (np.zeros(len(runs)) if c is None else runs[c].to_numpy()) for d, c in zip(ends, cols, strict=True)}
    if day in values:
        return values[day]
    hi = min(d for d in ends if d > day)
    lo = max(d for d in ends if d < day)
    w = (day - lo) / (hi - lo)
    return (1 - w) * values[lo] + w * values[hi]


@pytest.mark.parametrize("asked", ["2026-01-31", "90", "0", str(HORIZON), "2025-12-05"])
def test_every_answer_equals_the_hand_computation(run_dir, asked):
    runs, daily = read_parquet(run_dir / "runs.parquet"), read_parquet(run_dir / "daily.parquet")
    (a,), text = answers(str(run_dir), [asked])
    day = parse_day(asked, START)
    assert a["day"] == day and a["replicates"] == 50
    for name in ("violation", "breakdown", "renunciation"):
        assert a["holds"][name]["p"] == pytest.approx(hand_holds(runs, name, day), abs=1e-12), name
        assert a["holds"][name]["lower"] <= a["holds"][name]["p"] <= a["holds"][name]["upper"]
    today = daily.loc[daily["day"] == day].iloc[0]
    assert a["in_force"]["p"] == today["truce_holds_mean"]
    assert a["trade"]["mean"] == today["trade_mean"] and a["trade"]["share_at_90"] == today["trade_share_90"]
    assert (a["trade"]["p05"], a["trade"]["p95"]) == (today["trade_p05"], today["trade_p95"])
    lost = hand_loss(runs, day)
    assert a["loss_usd"]["mean"] == pytest.approx(lost.mean(), rel=1e-12, abs=1e-6)
    half = 2.009575 * lost.std(ddof=1) / math.sqrt(50)  # t(0.975, 49)
    if day:
        assert a["loss_usd"]["upper"] - a["loss_usd"]["mean"] == pytest.approx(half, rel=1e-6)
    assert a["loss_usd"]["p05"] == pytest.approx(np.percentile(lost, 5))
    assert WHY_HEADLINE["breakdown"] in text


def test_the_loss_at_a_month_end_is_the_daily_sum(run_dir):
    """At a month end the query's US$ is exact: the mean of the replicates' month-end
    losses equals the sum of the daily mean shortfalls from day 1 to that day."""
    runs, daily = read_parquet(run_dir / "runs.parquet"), read_parquet(run_dir / "daily.parquet")
    (a,), _ = answers(str(run_dir), ["2026-01-31"])
    from sim.run.config import default_config

    sc = default_config().scenario
    shortfall = (sc.bilateral_usd_per_day - daily["bilateral_usd_mean"]) + (
        sc.transit_usd_per_day - daily["transit_usd_mean"]
    )
    assert a["loss_usd"]["exact"]
    assert a["loss_usd"]["mean"] == pytest.approx(shortfall.iloc[1 : a["day"] + 1].sum(), rel=1e-9)
    assert a["loss_usd"]["mean"] == pytest.approx(runs["trade_loss_usd_m04"].mean())


@pytest.mark.slow
def test_the_command_prints_and_refuses_as_a_user_sees_it(run_dir, tmp_path):
    ok = sim(str(run_dir), "--by", "2026-01-31", "--by", "30", module="sim.query")
    assert ok.returncode == 0, ok.stderr
    assert "By 31 Jan 2026 (day 104 of 200" in ok.stdout and "By 18 Nov 2025 (day 30" in ok.stdout
    assert "Quote 'no breakdown'" in ok.stdout
    as_json = sim(str(run_dir), "--by", "30", "--json", module="sim.query")
    assert json.loads(as_json.stdout)[0]["day"] == 30
    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    for name in ("runs.parquet", "config.yaml", "daily.parquet"):
        (incomplete / name).write_bytes((run_dir / name).read_bytes())
    for args, expected in (
        ([str(run_dir), "--by", "2026-02-30"], "neither a date"),
        ([str(run_dir), "--by", "2026-12-31"], "beyond this run's horizon"),
        ([str(run_dir), "--by", "2025-10-01"], "before day 0"),
        ([str(tmp_path / "nowhere"), "--by", "30"], "does not exist"),
        ([str(incomplete), "--by", "30"], "is not a complete run"),
    ):
        proc = sim(*args, module="sim.query")
        assert proc.returncode == 2, (args, proc.stdout)
        assert expected in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1  # one paragraph


@pytest.mark.slow
def test_the_run_answers_by_date_itself(run_dir):
    """run.by: the run's printout carries the query's answers; a complete folder is not
    run again (run.by changes no result) but still answers."""
    proc = sim(
        "run.replicates=50",
        f"run.horizon_days={HORIZON}",
        "run.figures=false",
        "run.events=false",
        "run.by=[2026-01-31]",
        f"hydra.run.dir={run_dir}",
    )
    assert proc.returncode == 0, proc.stderr
    assert "nothing to do" in proc.stdout and "By 31 Jan 2026 (day 104" in proc.stdout
    bad = sim("run.by=[2027-05-01]", f"run.horizon_days={HORIZON}", f"hydra.run.dir={run_dir}")
    assert bad.returncode == 2 and "run.by: 2027-05-01 is day" in bad.stderr
