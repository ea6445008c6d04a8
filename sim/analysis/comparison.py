"""One point of a sweep against the baseline: truce, trade and US$ lost, each as a paired
difference with its 95% interval (common random numbers: replicate i has the same seed,
posterior row and replayed history at every point, so the two arms are compared replicate
by replicate).

:data:`MEASURES` declares what is compared (each a value per replicate): days of truce
within the horizon under each coded definition of a broken truce, trade on day 90 and
day 180 (share of its pre-crisis flow), days to 90% of the flow first reached and to a
lasting recovery (90% for 30 days in a row; a replicate that never gets there counted at
the horizon), and the US$ trade lost over the horizon. :func:`compare_arms` gives each
one's paired difference (other minus baseline) with its t-interval and p-value, plus the
log-rank p-value of the two survival curves (which ignores the pairing);
:func:`differences_by_date` gives the paired differences of the share of truces holding
and of the US$ lost at each month end, for the dated figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from ..core.dates import month_end_days
from ..core.events import DEFINITIONS
from ..core.outputs import MONTH_ENDS, month_loss_column


@dataclass(frozen=True)
class Measure:
    """A per-replicate value compared between two arms: ``diff_<name>`` in comparison.csv.
    ``read(runs, horizon)`` gives the values in the runs' order, or None where the runs
    cannot give it (an older run; a day beyond the horizon). ``group`` and ``short``
    name it in the printout; ``day``: the day a share is read on (its date printed)."""

    name: str
    group: Literal["truce", "trade", "cost"]
    short: str
    unit: Literal["days", "share", "usd"]
    read: Callable[[pd.DataFrame, int], np.ndarray | None]
    day: int | None = None


def restricted(column: str) -> Callable[[pd.DataFrame, int], np.ndarray | None]:
    """A day column, a replicate where it never came counted at the horizon (a
    restricted mean, like the RMST)."""

    def read(runs: pd.DataFrame, horizon: int) -> np.ndarray | None:
        if column not in runs:
            return None
        days = runs[column].to_numpy(dtype=float)
        return np.minimum(np.where(np.isfinite(days), days, horizon), horizon)

    return read


def column(name: str) -> Callable[[pd.DataFrame, int], np.ndarray | None]:
    """A column as it is; None if the runs lack it or it is empty anywhere (beyond the horizon)."""

    def read(runs: pd.DataFrame, horizon: int) -> np.ndarray | None:
        if name not in runs:
            return None
        values = runs[name].to_numpy(dtype=float)
        return values if np.isfinite(values).all() else None

    return read


#: What a sweep compares, in the order of comparison.csv and the printout.
MEASURES: tuple[Measure, ...] = (
    Measure("truce_days", "truce", "headline definition", "days", column("truce_days")),
    *(Measure(f"{name}_days", "truce", f"no {name}", "days", restricted(f"{name}_day")) for name in DEFINITIONS),
    *(
        Measure(f"trade_day{day}", "trade", f"share on day {day}", "share", column(f"trade_share_day{day}"), day)
        for day in (90, 180)
    ),
    Measure("trade90_days", "trade", "days to 90% first reached", "days", restricted("trade_days_to_90")),
    Measure(
        "trade90_sustained_days",
        "trade",
        "days to 90% held 30 days",
        "days",
        restricted("trade_days_to_90_sustained"),
    ),
    Measure("loss_usd", "cost", "US$ lost", "usd", column("trade_loss_usd")),
)


def paired_mean_difference(base: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """Mean of ``other - base`` over paired replicates, its 95% t-interval and the paired
    t-test's p-value (NaN with fewer than 2 pairs; exact when every pair differs alike)."""
    diff = np.asarray(other, dtype=float) - np.asarray(base, dtype=float)
    mean = float(diff.mean())
    if diff.size < 2:
        return {"mean": mean, "lower": math.nan, "upper": math.nan, "p": math.nan}
    if np.all(diff == diff[0]):
        return {"mean": mean, "lower": mean, "upper": mean, "p": 1.0 if mean == 0 else 0.0}
    test = stats.ttest_1samp(diff, 0.0)
    ci = test.confidence_interval(0.95)
    return {"mean": mean, "lower": float(ci.low), "upper": float(ci.high), "p": float(test.pvalue)}


def welch_difference(base: np.ndarray, other: np.ndarray) -> dict[str, float]:
    """Difference in means of two independent samples, its 95% Welch interval and p-value."""
    mean = float(other.mean() - base.mean())
    if min(base.size, other.size) < 2 or (np.all(base == base[0]) and np.all(other == other[0])):
        return {"mean": mean, "lower": math.nan, "upper": math.nan, "p": math.nan}
    test = stats.ttest_ind(other, base, equal_var=False)
    ci = test.confidence_interval(0.95)
    return {"mean": mean, "lower": float(ci.low), "upper": float(ci.high), "p": float(test.pvalue)}


NO_DIFFERENCE = {"mean": math.nan, "lower": math.nan, "upper": math.nan, "p": math.nan}


def paired_by_seed(base: pd.DataFrame, other: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """Both arms in seed order and True if they hold the same replicate seeds; else
    both unchanged and False."""
    seeds = base["seed"]
    if seeds.is_unique and len(base) == len(other) and set(seeds) == set(other["seed"]):
        return base.set_index("seed").sort_index(), other.set_index("seed").sort_index(), True
    return base, other, False


def logrank_p(base: pd.DataFrame, other: pd.DataFrame) -> float:
    """The log-rank p-value of the two arms' truce survival (headline definition): it
    treats them as independent samples, so it ignores the pairing."""
    from lifelines.statistics import logrank_test

    return float(
        logrank_test(
            base["truce_days"],
            other["truce_days"],
            event_observed_A=base["collapsed"],
            event_observed_B=other["collapsed"],
        ).p_value
    )


def compare_arms(base: pd.DataFrame, other: pd.DataFrame, horizon: int) -> dict[str, Any]:
    """One sweep point against the baseline, from their outcome rows: for every measure
    of :data:`MEASURES`, ``diff_<name>`` (other minus baseline), its 95% interval
    (``_lower``, ``_upper``) and p-value (``_p``); paired by seed when both arms hold
    the same replicate seeds (common random numbers), else unpaired (Welch). With the
    log-rank p-value of the two truce-survival curves (``logrank_p``), larger than the
    paired p when common random numbers do their work."""
    b, o, paired = paired_by_seed(base, other)
    row: dict[str, Any] = {"paired": paired, "replicates": len(o), "logrank_p": logrank_p(b, o)}
    difference = paired_mean_difference if paired else welch_difference
    for m in MEASURES:
        xb, xo = m.read(b, horizon), m.read(o, horizon)
        d = NO_DIFFERENCE if xb is None or xo is None else difference(xb, xo)
        row.update(
            {
                f"diff_{m.name}": d["mean"],
                f"diff_{m.name}_lower": d["lower"],
                f"diff_{m.name}_upper": d["upper"],
                f"diff_{m.name}_p": d["p"],
            }
        )
    return row


def held_to(runs: pd.DataFrame, day: int) -> np.ndarray:
    """1 where the truce had not broken by the headline definition by the end of ``day``."""
    broke = runs["collapsed"].to_numpy(bool) & (runs["truce_days"].to_numpy(float) <= day)
    return (~broke).astype(float)


def differences_by_date(base: pd.DataFrame, other: pd.DataFrame, horizon: int, start_date: str) -> pd.DataFrame:
    """At each month end within the horizon, the paired differences (other minus
    baseline) of the share of truces holding (headline definition) and of the US$ trade
    lost by then, with their 95% intervals: one row a day and measure."""
    b, o, paired = paired_by_seed(base, other)
    difference = paired_mean_difference if paired else welch_difference
    rows = []
    for k, day in enumerate(month_end_days(start_date, MONTH_ENDS), start=1):
        if day >= horizon or month_loss_column(k) not in b:
            break
        for measure, xb, xo in (
            ("holds", held_to(b, day), held_to(o, day)),
            ("loss_usd", b[month_loss_column(k)].to_numpy(float), o[month_loss_column(k)].to_numpy(float)),
        ):
            rows.append({"day": day, "measure": measure, **difference(xb, xo)})
    return pd.DataFrame(rows, columns=["day", "measure", "mean", "lower", "upper", "p"])


#: How a difference of each unit reads in a table: scale, format, suffix.
UNIT_FORMAT = {"days": (1.0, "+.1f", ""), "share": (100.0, "+.1f", " pts"), "usd": (1e-6, "+,.0f", "")}
#: Column titles of :func:`differences_table`, by measure (the headline's truce days are the breakdown's).
TABLE_TITLES = {
    "breakdown_days": "days without a breakdown",
    "violation_days": "days without a violation",
    "renunciation_days": "days not renounced",
    "trade_day90": "trade on day 90, pts",
    "trade_day180": "trade on day 180, pts",
    "trade90_sustained_days": "days to a lasting recovery",
    "loss_usd": "US$ m lost",
}


def formatted_difference(row: pd.Series, measure: Measure) -> str:
    """A paired difference and its 95% interval as a table reads it: ``-17.8 (-23.1 to -12.5)``."""
    scale, fmt, suffix = UNIT_FORMAT[measure.unit]
    mid, lo, hi = (row[f"diff_{measure.name}{k}"] for k in ("", "_lower", "_upper"))
    if pd.isna(mid):
        return "n/a"
    return f"{mid * scale:{fmt}} ({lo * scale:{fmt}} to {hi * scale:{fmt}}){suffix}"


def differences_table(comparison: pd.DataFrame, label: str = "label") -> pd.DataFrame:
    """Every point but the baseline against it (a comparison.csv): the paired differences,
    with their 95% intervals, of days of truce by each definition within the horizon,
    trade on days 90 and 180, days to a lasting recovery and US$ lost."""
    measures = {m.name: m for m in MEASURES}
    rows = []
    for _, r in comparison.loc[~comparison["baseline"].astype(bool)].iterrows():
        rows.append(
            {
                "against the baseline": r[label],
                **{title: formatted_difference(r, measures[name]) for name, title in TABLE_TITLES.items()},
            }
        )
    return pd.DataFrame(rows)
