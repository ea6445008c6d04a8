"""The analyst's questions by date: will the truce hold to a given day, where is trade that
day, and what has been lost by then (``python -m sim.query RUN_DIR --by 2026-01-31``).

From a finished run's tables, for each day asked:

- **P(truce holds to that day)** by each coded definition of a broken truce (violation,
  breakdown, renunciation: sim/core/events.py), Kaplan-Meier on ``runs.parquet``'s
  ``*_day`` columns with its 95% interval (every replicate runs to the horizon, so before
  the horizon it is the share of replicates whose truce had not broken by the end of
  that day), and the share of replicates with **a truce in force that day**
  (``daily.parquet``'s ``truce_holds_mean``: not broken down, or renewed) with a Wilson
  interval;
- **trade that day**, share of its pre-crisis flow (``daily.parquet``): the mean over
  replicates, the 5-95% and 25-75% bands, the median, and the share of replicates at 90%
  or more;
- **US$ trade lost by that day**: each replicate's cumulative loss (``runs.parquet``'s
  ``trade_loss_usd_mNN`` at month ends, ``trade_loss_usd`` at the horizon; linear in
  between for a day that is neither), with the 95% interval of its mean and the 5-95% band.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from scipy import stats

from ..core.dates import date_of, month_end_days
from ..core.events import DEFINITIONS
from ..core.outputs import MONTH_ENDS, RECOVERY_LEVEL, month_loss_column
from .estimates import Z95, survival_at

#: Each definition of a broken truce, as "the truce holds" reads under it: (short, in words).
HOLDS_MEANS = {
    "violation": ("no violation", "no lethal fire between the states' forces"),
    "breakdown": ("no breakdown", "no sustained fighting between them"),
    "renunciation": ("not renounced", "no government declared the truce over"),
}
IN_FORCE = ("in force that day", "not broken down that day, or renewed")

#: Why a definition answers "will the truce hold?" when it is the headline (definitions.headline): one sentence.
WHY_HEADLINE = {
    "breakdown": (
        "Quote 'no breakdown' for 'will the truce hold': sustained fighting between the two states' forces "
        "(25 deaths within 30 days, UCDP's threshold for an armed conflict, or fire on 3 of 7 days) is what ends "
        "a truce, while a single lethal exchange (violation) is something most truces survive and a "
        "government's declaration (renunciation) may come late or never."
    ),
    "violation": (
        "Quote 'no violation' for 'will the truce hold' (this run's definitions.headline): any lethal fire "
        "between the two states' forces counts, the strictest reading (the default, breakdown, asks for "
        "sustained fighting)."
    ),
    "renunciation": (
        "Quote 'not renounced' for 'will the truce hold' (this run's definitions.headline): the truce holds "
        "until a government declares it over, the loosest reading (the default, breakdown, asks whether "
        "sustained fighting resumed)."
    ),
}


def holds_by(runs: pd.DataFrame, definition: str, day: int, horizon: int) -> dict[str, float]:
    """P(the truce has not broken by ``definition`` by the end of ``day``): Kaplan-Meier on
    ``<definition>_day`` (NaN: not within the horizon, censored there), with its 95% interval."""
    days = runs[f"{definition}_day"].to_numpy(dtype=float)
    observed = np.isfinite(days)
    kmf = KaplanMeierFitter(alpha=0.05).fit(np.where(observed, days, horizon), observed)
    return {k: v for k, v in survival_at(kmf, day).items() if k != "days"}


def wilson(share: float, n: int) -> tuple[float, float]:
    """The Wilson 95% interval of a share of ``n`` replicates."""
    centre = (share + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * math.sqrt(share * (1 - share) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def in_force(daily: pd.DataFrame, day: int, n: int) -> dict[str, float]:
    """The share of replicates with a truce in force on ``day`` (not broken down, or
    renewed: the model's own state), with its Wilson interval."""
    share = float(daily.loc[daily["day"] == day, "truce_holds_mean"].iloc[0])
    lower, upper = wilson(share, n)
    return {"p": share, "lower": lower, "upper": upper}


def trade_on(daily: pd.DataFrame, day: int) -> dict[str, float]:
    """Trade on ``day``, share of its pre-crisis flow, over the replicates: mean, median,
    the 25-75% and 5-95% bands, and the share at 90% of baseline or more."""
    row = daily.loc[daily["day"] == day].iloc[0]
    return {
        "mean": float(row["trade_mean"]),
        "median": float(row["trade_p50"]),
        "p25": float(row["trade_p25"]),
        "p75": float(row["trade_p75"]),
        "p05": float(row["trade_p05"]),
        "p95": float(row["trade_p95"]),
        "share_at_90": float(row["trade_share_90"]),
    }


def loss_knots(runs: pd.DataFrame, start_date: str, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """The days at which each replicate's cumulative loss is known (day 0, the month ends
    within the horizon, the horizon) and the losses there (replicates x days)."""
    ends = [d for d in month_end_days(start_date, MONTH_ENDS) if d < horizon]
    columns = [month_loss_column(k + 1) for k in range(len(ends))]
    days = np.array([0, *ends, horizon], dtype=float)
    values = np.column_stack(
        [np.zeros(len(runs)), *(runs[c].to_numpy(dtype=float) for c in columns), runs["trade_loss_usd"]]
    )
    return days, values


def loss_by(runs: pd.DataFrame, day: int, start_date: str, horizon: int) -> dict[str, Any]:
    """US$ trade lost from day 1 to ``day``: each replicate's cumulative loss there (exact
    at month ends and the horizon, linear between them), its mean with a 95% t-interval,
    and the 5-95% band over replicates."""
    days, values = loss_knots(runs, start_date, horizon)
    i = int(np.searchsorted(days, day, side="left"))
    if days[i] == day:
        lost, exact = values[:, i], True
    else:
        w = (day - days[i - 1]) / (days[i] - days[i - 1])
        lost, exact = (1 - w) * values[:, i - 1] + w * values[:, i], False
    mean = float(lost.mean())
    half = float(stats.t.ppf(0.975, len(lost) - 1) * lost.std(ddof=1) / math.sqrt(len(lost))) if len(lost) > 1 else 0
    return {
        "mean": mean,
        "lower": mean - half,
        "upper": mean + half,
        "p05": float(np.percentile(lost, 5)),
        "p95": float(np.percentile(lost, 95)),
        "exact": exact,
    }


def answer(
    runs: pd.DataFrame, daily: pd.DataFrame, day: int, horizon: int, start_date: str, headline: str
) -> dict[str, Any]:
    """Every answer for one day (see the module's docstring), as a JSON-ready mapping."""
    return {
        "day": int(day),
        "date": date_of(start_date, day).isoformat(),
        "replicates": len(runs),
        "headline": headline,
        "holds": {name: holds_by(runs, name, day, horizon) for name in DEFINITIONS},
        "in_force": in_force(daily, day, len(runs)),
        "trade": trade_on(daily, day),
        "loss_usd": loss_by(runs, day, start_date, horizon),
    }


def _p(x: dict[str, float]) -> str:
    return f"{x['p']:.2f} (95% CI {x['lower']:.2f}-{x['upper']:.2f})"


def _musd(*values: float) -> str:
    """US$ millions: one value, or a range."""
    return "US$" + "-".join(f"{v / 1e6:,.0f}" for v in values) + " m"


def describe_answer(a: dict[str, Any], horizon: int) -> str:
    """One day's answers for a reader."""
    when = date.fromisoformat(a["date"])
    head, t, loss = a["headline"], a["trade"], a["loss_usd"]
    short, words = HOLDS_MEANS[head]
    lines = [
        f"By {when:%d %b %Y} (day {a['day']} of {horizon}; {a['replicates']:,} replicates):",
        f"  Will the truce hold to then? P({short}) = {_p(a['holds'][head])}.",
        "  P(the truce holds to then), by definition:",
    ]
    rows = [(*HOLDS_MEANS[n], " [headline]" if n == head else "", a["holds"][n]) for n in DEFINITIONS]
    for short, words, mark, p in [*rows, (*IN_FORCE, "", a["in_force"])]:
        lines.append(f"    {short:<19}{words + mark:<52}{_p(p)}")
    lines.append(
        f"  Trade that day: {100 * t['mean']:.0f}% of its pre-crisis flow on average, median {100 * t['median']:.0f}% "
        f"(half the replicates {100 * t['p25']:.0f}-{100 * t['p75']:.0f}%, 90% of them "
        f"{100 * t['p05']:.0f}-{100 * t['p95']:.0f}%); {100 * t['share_at_90']:.0f}% of replicates at "
        f"{RECOVERY_LEVEL:.0%} or more"
    )
    how = "" if loss["exact"] else " (read between the month ends around it)"
    lines.append(
        f"  Trade lost by then: {_musd(loss['mean'])} on average (95% CI {_musd(loss['lower'], loss['upper'])}; "
        f"90% of replicates {_musd(loss['p05'], loss['p95'])}){how}"
    )
    return "\n".join(lines)


def describe_answers(found: list[dict[str, Any]], horizon: int) -> str:
    """Every day's answers, then which definition answers "will the truce hold" and why."""
    text = [describe_answer(a, horizon) for a in found]
    return "\n".join([*text, WHY_HEADLINE[found[0]["headline"]]]) if found else ""


def record_note(runs: pd.DataFrame) -> str:
    """A warning when replayed histories stop reproducing the record (``record_match``):
    the run's settings then rewrite what happened before the forecast date; empty if not."""
    matched = runs["record_match"].dropna() if "record_match" in runs else pd.Series(dtype=bool)
    if matched.empty or matched.all():
        return ""
    return (
        f"Warning: only {matched.mean():.0%} of the replicates still reproduce the record to 5 Nov 2025 under this "
        "run's settings (settings that change the days before the forecast date, or a model changed since its "
        "calibration): the others are a 'what if, from the ceasefire on', not a forecast from today (the named "
        "what-ifs, whatif=..., change things from 6 Nov on and keep the record)."
    )
