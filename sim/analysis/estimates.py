"""Estimates from the outcome rows: truce survival and trade recovery, with intervals.

Survival is a Kaplan-Meier estimate (lifelines) on ``truce_days`` with ``collapsed`` as
the event (a truce alive at the horizon is censored): survival at 30/90/180/365 days
with Greenwood-exponential 95% intervals, the restricted mean survival time up to the
horizon (normal interval from its variance) and the median with its interval. The same
is estimated for each of the three coded definitions of a broken truce (violation,
breakdown, renunciation: sim/core/events.py); ``truce_days`` is the headline one's. Trade
recovery uses the replicates that recover: median days to 50% and 90% of the baseline
flow with a distribution-free interval for the median (scipy's ``quantile_test``), the
5th-95th percentile spread, and the share that recover at all.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times
from scipy import stats

from ..core.events import DEFINITIONS
from ..core.outputs import OUTCOMES, SUSTAINED_DAYS
from .uncertainty import describe_uncertainty, uncertainty_split

SURVIVAL_TIMES = (30, 90, 180, 365)
Z95 = 1.959963984540054


def _finite(x: float) -> float | None:
    """JSON-friendly: None for NaN and infinity."""
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass
class Estimates:
    """What summary.json holds, plus the Kaplan-Meier curve the plots draw."""

    summary: dict[str, Any]
    curve: pd.DataFrame  # the headline definition's: day, survival, lower, upper
    curves: dict[str, pd.DataFrame] = dataclasses.field(default_factory=dict)  # each definition's


def fit_km(runs: pd.DataFrame, label: str = "truce") -> KaplanMeierFitter:
    return KaplanMeierFitter(alpha=0.05).fit(runs["truce_days"].to_numpy(), runs["collapsed"].to_numpy(), label=label)


def survival_at(kmf: KaplanMeierFitter, t: float) -> dict[str, float]:
    """S(t) and its 95% interval (the step functions read at t)."""
    ci = kmf.confidence_interval_survival_function_
    row = ci.loc[ci.index <= t].iloc[-1]
    return {
        "days": int(t),
        "p": float(kmf.survival_function_at_times(t).iloc[0]),
        "lower": float(row.iloc[0]),
        "upper": float(row.iloc[1]),
    }


def rmst_with_se(kmf: KaplanMeierFitter, tau: float) -> tuple[float, float]:
    """Restricted mean survival time to ``tau`` and its standard error.

    The mean is the exact area under lifelines' Kaplan-Meier step function (lifelines'
    own ``restricted_mean_survival_time`` integrates it numerically, with warnings, and
    its ``return_variance`` is the variance of min(T, tau), not of the estimate). The
    standard error is the Greenwood-type formula of Klein & Moeschberger (2003, 4.5):
    Var = sum over event times t_j < tau of A_j^2 d_j / (n_j (n_j - d_j)), with A_j the
    area under the curve from t_j to tau.
    """
    sf = kmf.survival_function_.iloc[:, 0]
    times = sf.index.to_numpy(dtype=float)
    surv = sf.to_numpy()
    keep = times < tau
    knots = np.append(times[keep], tau)
    pieces = surv[keep] * np.diff(knots)
    rmst = float(pieces.sum())
    table = kmf.event_table
    t_ev = table.index.to_numpy(dtype=float)
    d = table["observed"].to_numpy(dtype=float)
    n = table["at_risk"].to_numpy(dtype=float)
    var = 0.0
    tail = np.cumsum(pieces[::-1])[::-1]  # area from knot i to tau
    for tj, dj, nj in zip(t_ev, d, n, strict=True):
        if dj == 0 or tj >= tau or nj <= dj:
            continue
        i = np.searchsorted(knots, tj, side="left")
        area = tail[i] if i < tail.size else 0.0
        var += area**2 * dj / (nj * (nj - dj))
    return rmst, math.sqrt(var)


def survival_block(kmf: KaplanMeierFitter, horizon: int) -> dict[str, Any]:
    """Survival at the usual days, the restricted mean and the median, with intervals."""
    rmst, se = rmst_with_se(kmf, horizon)
    median_ci = median_survival_times(kmf.confidence_interval_)
    return {
        "survival": [survival_at(kmf, t) for t in SURVIVAL_TIMES if t <= horizon],
        "rmst_days": {"mean": float(rmst), "lower": float(rmst - Z95 * se), "upper": float(rmst + Z95 * se)},
        "median_days": {
            "median": _finite(kmf.median_survival_time_),
            "lower": _finite(median_ci.iloc[0, 0]),
            "upper": _finite(median_ci.iloc[0, 1]),
        },
    }


def curve_of(kmf: KaplanMeierFitter) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": kmf.survival_function_.index.to_numpy(),
            "survival": kmf.survival_function_.iloc[:, 0].to_numpy(),
            "lower": kmf.confidence_interval_survival_function_.iloc[:, 0].to_numpy(),
            "upper": kmf.confidence_interval_survival_function_.iloc[:, 1].to_numpy(),
        }
    )


def truce_summary(runs: pd.DataFrame, horizon: int) -> tuple[dict[str, Any], pd.DataFrame]:
    kmf = fit_km(runs)
    causes = runs.loc[runs["first_breakdown_day"].notna(), "collapse_cause"].value_counts()
    summary = {
        "replicates": len(runs),
        "horizon_days": horizon,
        "collapsed_share": float(runs["collapsed"].mean()),
        **survival_block(kmf, horizon),
        "collapse_causes": {str(k): int(v) for k, v in causes.items()},
    }
    return summary, curve_of(kmf)


def definitions_summary(runs: pd.DataFrame, horizon: int) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Each coded definition of a broken truce: the share of replicates where it happened
    within the horizon and its Kaplan-Meier estimates (a day of NaN is censored at the
    horizon)."""
    summary, curves = {}, {}
    for name in DEFINITIONS:
        days = runs[f"{name}_day"].to_numpy(dtype=float)
        observed = np.isfinite(days)
        kmf = KaplanMeierFitter(alpha=0.05).fit(np.where(observed, days, horizon), observed, label=name)
        summary[name] = {"occurred_share": float(observed.mean()), **survival_block(kmf, horizon)}
        curves[name] = curve_of(kmf)
    return summary, curves


def median_with_interval(values: np.ndarray) -> dict[str, float | None]:
    """Median, its distribution-free 95% interval, and the 5th/95th percentiles."""
    if values.size == 0:
        return {"median": None, "lower": None, "upper": None, "p05": None, "p95": None}
    median = float(np.median(values))
    ci = stats.quantile_test(values, q=median, p=0.5).confidence_interval(0.95)
    return {
        "median": median,
        "lower": _finite(ci.low),
        "upper": _finite(ci.high),
        "p05": float(np.percentile(values, 5, method="inverted_cdf")),
        "p95": float(np.percentile(values, 95, method="inverted_cdf")),
    }


def median_all(days: np.ndarray | pd.Series) -> float:
    """The day by which half of all replicates got there (never = infinitely late)."""
    days = np.asarray(days, dtype=float)
    return float(np.median(np.where(np.isfinite(days), days, np.inf)))


#: The recovery measures of summary.json's trade block: its key and the runs.parquet column.
RECOVERY_MEASURES = (
    ("days_to_50", "trade_days_to_50"),
    ("days_to_90", "trade_days_to_90"),
    ("days_to_90_sustained", "trade_days_to_90_sustained"),
)


def trade_summary(runs: pd.DataFrame) -> dict[str, Any]:
    """Days to 50% and 90% of the baseline flow (the first day reached) and to a
    sustained 90% (the first day of 30 in a row at 90% or more), each over the replicates
    that get there, with the share that do; trade lost in US$."""
    out: dict[str, Any] = {}
    for key, column in RECOVERY_MEASURES:
        if column not in runs:  # an older run
            continue
        days = runs[column].to_numpy(dtype=float)
        recovered = days[np.isfinite(days)]
        out[key] = {
            **median_with_interval(recovered),
            "share_recovered": float(recovered.size / days.size),
            "median_all": _finite(median_all(days)),
        }
    for name, column in (
        ("loss_usd", "trade_loss_usd"),
        ("bilateral_loss_usd", "bilateral_loss_usd"),
        ("transit_loss_usd", "transit_loss_usd"),
    ):
        if column in runs:
            out[name] = mean_and_spread(runs[column].to_numpy(dtype=float))
    return out


def mean_and_spread(values: np.ndarray) -> dict[str, float]:
    """Mean and the 5-95% spread of a quantity across replicates."""
    return {
        "mean": float(values.mean()),
        "p05": float(np.percentile(values, 5)),
        "p95": float(np.percentile(values, 95)),
    }


def events_summary(runs: pd.DataFrame) -> dict[str, float]:
    """The statistics of the outcomes that declare them (sim.core.outputs.OUTCOMES): means a
    replicate, shares of replicates where a day is set, medians of that day."""
    out: dict[str, float | None] = {}
    for o in OUTCOMES:
        for key, stat in o.summary.items():
            col = runs[o.name]
            if stat == "mean":
                out[key] = float(col.mean())
            elif stat == "share":
                out[key] = float(col.notna().mean())
            else:  # median of the replicates where it is set
                out[key] = _finite(col.median()) if col.notna().any() else None
    return out


def rounded(value: Any, digits: int = 6) -> Any:
    """Floats to ``digits`` significant digits, recursively (no 0.7180000000000001)."""
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


def estimate(runs: pd.DataFrame, horizon: int, headline: str = "breakdown") -> Estimates:
    """All the estimates of one ensemble; ``headline`` names the definition that
    ``truce_days`` holds (definitions.headline)."""
    truce, curve = truce_summary(runs, horizon)
    truce["headline"] = headline
    definitions, curves = definitions_summary(runs, horizon)
    truce["definitions"] = definitions
    summary = {
        "truce": truce,
        "uncertainty": uncertainty_split(runs, horizon, truce),
        "trade": trade_summary(runs),
        "events": events_summary(runs),
    }
    return Estimates(summary=rounded(summary), curve=curve, curves=curves)


def definitions_table(truce: dict[str, Any]) -> list[str]:
    """The three definitions side by side: P(not yet) at each day, and the restricted mean."""
    defs = truce.get("definitions")
    if not defs:
        return []
    days = [s["days"] for s in next(iter(defs.values()))["survival"]]
    lines = ["  P(not yet) by definition  " + "".join(f"{d:>8} d" for d in days) + "   restricted mean"]
    for name, d in defs.items():
        ps = "".join(f"{s['p']:>10.2f}" for s in d["survival"])
        lines.append(f"  {name:<26}{ps}   {d['rmst_days']['mean']:.0f} days")
    return lines


def _days(x: float | None) -> str:
    return "not reached" if x is None else f"{x:.0f}"


def _interval(lo: float | None, hi: float | None) -> str:
    return f"95% CI {_days(lo)}-{_days(hi)}"


def describe(summary: dict[str, Any], start_date: str | None = None) -> str:
    """A short human summary of summary.json."""
    t, tr, ev = summary["truce"], summary["trade"], summary["events"]
    n = t["replicates"]
    lines = [
        f"Truce ({n} replicates, {t['horizon_days']} days from {start_date or 'day 0'}; "
        f"holds = no {t.get('headline', 'breakdown')}, the headline definition):"
    ]
    for s in t["survival"]:
        if s["p"] == 0.0:
            lines.append(f"  P(holds {s['days']:>3} days) < {1 / n:.2g}  (no replicate held)")
        else:
            lines.append(f"  P(holds {s['days']:>3} days) = {s['p']:.2f}  (95% CI {s['lower']:.2f}-{s['upper']:.2f})")
    r = t["rmst_days"]
    lines.append(f"  restricted mean survival: {r['mean']:.0f} days (95% CI {r['lower']:.0f}-{r['upper']:.0f})")
    m = t["median_days"]
    if m["median"] is None:
        lines.append("  median survival: not reached within the horizon")
    else:
        lines.append(f"  median survival: {m['median']:.0f} days ({_interval(m['lower'], m['upper'])})")
    lines += definitions_table(t)
    if "uncertainty" in summary:
        block = summary["uncertainty"]
        lines += describe_uncertainty(block, block.get("structural", {}).get("backtest"))
    lines.append("Trade (days counted from day 0; the median over the replicates that get there):")
    for key, what in (
        ("days_to_50", "50% of baseline first reached"),
        ("days_to_90", "90% of baseline first reached"),
        ("days_to_90_sustained", f"90% held {SUSTAINED_DAYS} days in a row (a lasting recovery)"),
    ):
        d = tr.get(key)
        if d is None:
            continue
        if d["median"] is None:
            lines.append(f"  {what}: in no replicate")
        else:
            lines.append(
                f"  {what} in {100 * d['share_recovered']:.0f}% of replicates, "
                f"after a median {d['median']:.0f} days ({_interval(d['lower'], d['upper'])}); "
                f"half of all replicates: {_days(d['median_all'])}"
            )
    loss = tr["loss_usd"]
    lines.append(
        f"  trade lost: US${loss['mean'] / 1e6:,.0f} m on average (5-95%: "
        f"{loss['p05'] / 1e6:,.0f}-{loss['p95'] / 1e6:,.0f} m)"
        + (
            f": bilateral US${tr['bilateral_loss_usd']['mean'] / 1e6:,.0f} m, "
            f"transit US${tr['transit_loss_usd']['mean'] / 1e6:,.0f} m"
            if "transit_loss_usd" in tr
            else ""
        )
    )
    lines.append(
        f"Events a replicate: {ev['incidents_mean']:.1f} incidents ({ev['militant_attacks_mean']:.1f} militant "
        f"attacks, {ev['high_profile_attacks_mean']:.1f} of them high-profile), {ev['detected_mean']:.1f} detected by "
        f"the mechanism, {ev['misattributed_mean']:.1f} blamed on the wrong party"
    )
    lines.append(
        f"Choices a replicate: {ev['retaliations_mean']:.1f} deliberate strikes by a state "
        f"({ev['strikes_on_militants_mean']:.1f} Pakistani strikes on militants in Afghanistan, "
        f"{ev['air_strikes_mean']:.1f} overt air strikes; the rest on the border), {ev['crackdowns_mean']:.1f} "
        f"crackdowns by Kabul, {ev['trade_suspensions_mean']:.1f} trade suspensions by Kabul; Pakistan's belief in "
        f"Kabul's complicity ends at {ev['complicity_belief_mean']:.2f} on average"
    )
    if "modalities_share" in ev:
        lines.append(
            f"Talks, by stage: a text in principle in {100 * ev['principle_share']:.0f}% of replicates (median day "
            f"{_days(ev['principle_day_median'])}), modalities in {100 * ev['modalities_share']:.0f}% (median day "
            f"{_days(ev['modalities_day_median'])}), a mechanism operating in {100 * ev['mvm_operational_share']:.0f}% "
            f"(median day {_days(ev['mvm_operational_day_median'])}; {ev['mvm_suspensions_mean']:.2f} suspensions a "
            f"replicate); Kabul's agreed TTP steps seen in {100 * ev['ttp_steps_share']:.0f}%, "
            f"{ev['provisions_reneged_mean']:.2f} provisions reneged a replicate"
        )
        lines.append(
            f"Border: crossings reopened in {100 * ev['reopened_share']:.0f}% of replicates (median day "
            f"{_days(ev['first_reopen_day_median'])}); {100 * ev['diverted_end_mean']:.0f}% of trade on other routes "
            "at the end on average"
        )
    return "\n".join(lines)
