"""Estimates against cases whose answers are known."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.estimates import (
    describe,
    estimate,
    fit_km,
    rmst_with_se,
    survival_at,
    trade_summary,
)
from sim.core import outputs

#: A blank value of each type of runs.parquet's columns.
BLANK = {"float64": np.nan, "int64": 0, "bool": False, "string": ""}


def runs_from(days, collapsed, **extra) -> pd.DataFrame:
    """runs.parquet of replicates whose truce broke down on ``days`` (or not: censored),
    every other outcome blank unless given."""
    n = len(days)
    day_or_nan = [float(d) if c else np.nan for d, c in zip(days, collapsed, strict=True)]
    base = {o.name: [BLANK[o.dtype]] * n for o in outputs.OUTCOMES}
    base.update(
        {
            "truce_days": days,
            "collapsed": collapsed,
            "breakdown_day": day_or_nan,
            "first_breakdown_day": day_or_nan,
            "collapse_cause": ["hostilities" if c else None for c in collapsed],
            "trade_loss_usd": [1.0] * n,
            "bilateral_loss_usd": [0.6] * n,
            "transit_loss_usd": [0.4] * n,
            "complicity_belief": [0.5] * n,
        }
    )
    base.update(extra)
    return pd.DataFrame(base)


def test_kaplan_meier_by_hand():
    # events at 5, 10, 20; censored at 10 and 30: S = 4/5, then 4/5*3/4 = 0.6, then 0.6*1/2 = 0.3
    kmf = fit_km(runs_from([5, 10, 10, 20, 30], [True, True, False, True, False]))
    assert survival_at(kmf, 4)["p"] == pytest.approx(1.0)
    assert survival_at(kmf, 7)["p"] == pytest.approx(0.8)
    assert survival_at(kmf, 15)["p"] == pytest.approx(0.6)
    assert survival_at(kmf, 30)["p"] == pytest.approx(0.3)
    s = survival_at(kmf, 15)
    assert s["lower"] < 0.6 < s["upper"]
    # area under the curve to 30: 5*1 + 5*0.8 + 10*0.6 + 10*0.3 = 18
    assert rmst_with_se(kmf, 30)[0] == pytest.approx(18.0)


def test_rmst_and_its_interval_on_an_exponential_sample():
    """Without censoring the RMST is the sample mean of min(T, tau) and its standard error
    the usual one; and the 95% interval covers the true value, sum_k<tau P(ceil(T) > k)."""
    rng = np.random.default_rng(11)
    t = np.ceil(rng.exponential(100, 4000)).astype(int)
    tau = 150
    runs = runs_from(np.minimum(t, tau), t <= tau)
    rmst, se = rmst_with_se(fit_km(runs), tau)
    x = np.minimum(t, tau)
    assert rmst == pytest.approx(x.mean())
    assert se == pytest.approx(x.std(ddof=1) / math.sqrt(x.size), rel=0.01)
    summary = estimate(runs, tau).summary["truce"]["rmst_days"]
    truth = sum(math.exp(-k / 100) for k in range(tau))
    assert summary["lower"] < truth < summary["upper"]


def test_median_not_reached_is_null():
    runs = runs_from([365] * 9 + [10], [False] * 9 + [True])
    summary = estimate(runs, 365).summary["truce"]
    assert summary["median_days"]["median"] is None
    assert [s["days"] for s in summary["survival"]] == [30, 90, 180, 365]
    assert summary["survival"][0]["p"] == pytest.approx(0.9)
    assert "not reached" in describe(estimate(runs, 365).summary)


def test_trade_recovery_uses_the_replicates_that_recover():
    days50 = [10.0, 20.0, 30.0, np.nan]
    runs = runs_from(
        [100] * 4,
        [False] * 4,
        trade_days_to_50=days50,
        trade_days_to_90=[np.nan] * 4,
        trade_loss_usd=[1e6, 2e6, 3e6, 4e6],
    )
    out = trade_summary(runs)
    assert out["days_to_50"]["median"] == 20.0
    assert out["days_to_50"]["share_recovered"] == 0.75
    assert out["days_to_90"]["median"] is None and out["days_to_90"]["share_recovered"] == 0.0
    assert out["loss_usd"]["mean"] == pytest.approx(2.5e6)


def test_median_interval_covers_the_median():
    rng = np.random.default_rng(3)
    values = rng.integers(20, 60, 500).astype(float)
    runs = runs_from([100] * 500, [False] * 500, trade_days_to_50=values, trade_days_to_90=values + 5)
    d = trade_summary(runs)["days_to_50"]
    assert d["lower"] <= d["median"] <= d["upper"]
    assert d["p05"] < d["lower"] and d["upper"] < d["p95"]


def test_describe_copes_with_intervals_that_are_not_reached():
    """Few replicates recover: the printed summary says so rather than crashing."""
    days = [np.nan] * 9 + [40.0]
    runs = runs_from([10] * 10, [True] * 10, trade_days_to_50=days, trade_days_to_90=[np.nan] * 10)
    text = describe(estimate(runs, 365).summary, "2025-10-19")
    assert "50% of baseline first reached in 10% of replicates" in text
    assert "half of all replicates: not reached" in text
    assert "no replicate held" in text and "90% of baseline first reached: in no replicate" in text
