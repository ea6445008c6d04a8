"""Where the uncertainty comes from (sim/analysis/uncertainty.py), the recovery that lasts
and the month-end losses (sim/core/outputs.py), and the readable names of the knobs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.uncertainty import anova, uncertainty_split
from sim.core.dates import month_end_days, parse_day
from sim.core.outputs import first_day_sustained
from sim.core.schema import readable_name

TRUCE = {"survival": [{"days": 90, "p": 0.5, "lower": 0.4, "upper": 0.6}], "rmst_days": {"lower": 90, "upper": 110}}


def test_the_split_recovers_a_known_between_row_variance():
    """Rows with their own mean (SD 2) plus chance (SD 1): the between-row SD and its share
    of the variance come back."""
    rng = np.random.default_rng(1)
    rows = np.repeat(np.arange(400), 10)
    truth = rng.normal(0, 2, 400)  # each row's own mean
    values = truth[rows] + rng.normal(0, 1, rows.size)
    split = anova(values, rows)
    assert split["between_rows_sd"] == pytest.approx(truth.std(), rel=0.05)
    share = truth.var() / (truth.var() + 1)
    assert split["share_of_variance"] == pytest.approx(share, abs=0.03)
    p10, p90 = np.percentile(truth, [10, 90])
    assert split["row_p10"] == pytest.approx(p10, abs=0.25) and split["row_p90"] == pytest.approx(p90, abs=0.25)
    assert anova(rng.normal(0, 1, rows.size), rows)["share_of_variance"] < 0.05  # chance only


def runs_frame(rows: np.ndarray, days: np.ndarray, horizon: int = 365) -> pd.DataFrame:
    return pd.DataFrame({"parameter_row": rows, "truce_days": days, "collapsed": days < horizon})


def test_parameters_are_told_apart_only_with_replicates_sharing_rows():
    days = np.array([30, 100, 365, 200] * 50)
    own = uncertainty_split(runs_frame(np.arange(200), days), 365, TRUCE)
    assert not own["parameters"]["separated"] and "per_row=1" in own["parameters"]["reason"]
    assert own["monte_carlo"]["p_hold_90"] == pytest.approx(0.1)  # the interval's half-width
    none = uncertainty_split(runs_frame(np.full(200, -1), days), 365, TRUCE)
    assert not none["parameters"]["separated"] and "no parameter table" in none["parameters"]["reason"]
    shared = uncertainty_split(runs_frame(np.repeat(np.arange(50), 4), np.repeat([30, 365] * 25, 4)), 365, TRUCE)
    p = shared["parameters"]["p_hold_90"]
    assert shared["parameters"]["separated"] and p["share_of_variance"] == pytest.approx(1.0)
    assert (p["row_p10"], p["row_p90"]) == (0.0, 1.0)  # each row holds always or never


def test_a_lasting_recovery_needs_thirty_days_in_a_row():
    index = np.zeros(120)
    index[10:30] = 1.0  # 20 days at baseline, then closed again
    index[50:] = 0.95
    assert first_day_sustained(index, 0.9, 30) == 50.0
    assert np.argmax(index >= 0.9) == 10  # the first day reached is earlier
    assert np.isnan(first_day_sustained(index[:70], 0.9, 30))  # 20 days are not 30


def test_month_ends_and_days():
    assert month_end_days("2025-10-19", 4) == (12, 42, 73, 104)  # 31 Oct, 30 Nov, 31 Dec, 31 Jan
    assert parse_day("2026-01-31", "2025-10-19") == 104 and parse_day(" 90 ", "2025-10-19") == 90
    for bad in ("2026-02-30", "tomorrow", "2025-10-18"):
        with pytest.raises(ValueError):
            parse_day(bad, "2025-10-19")


def test_readable_names_come_from_the_schema():
    assert readable_name("scenario.afghanistan.trust") == "Afghanistan: initial trust in the other state"
    assert readable_name("mediation.mediators.qatar.leverage") == "Qatar: initial leverage over the parties"
    assert readable_name("states.contrition").startswith("Chance of not answering")  # no citation first
    assert readable_name("no.such_key") == "no.such_key"
