"""Where the uncertainty of a forecast comes from: Monte Carlo error, the parameters, the model.

- **Monte Carlo error**: how far the estimate would move with other seeds (chance, and a
  finite number of replicates): the half-width of the 95% interval of P(truce holds 90
  days) and of the restricted mean survival. More replicates narrow it.
- **Parameter uncertainty**: how much the answer differs from one row of the calibrated
  posterior to another. It needs replicates that share a row (``parameters.per_row`` > 1):
  a one-way random-effects analysis of variance of each replicate's "held 90 days" (0 or 1)
  and its days of truce within the horizon, grouped by ``parameter_row``, splits their
  variance into the part between rows and the part within them (chance). Reported: the
  between-row standard deviation, its share of the variance, and the range of a row's own
  value over the middle 80% of rows (row means shrunk to the between-row variance, so
  that chance does not widen it). With replicates sharing rows, the Monte Carlo error is
  computed with the rows as clusters (replicates of one row are not independent).
- **The model itself**: what no interval here covers; the run points to the backtest's
  verdict (docs/studies/backtest).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: The day of the "holds" share the split reports (or the horizon, if shorter).
HOLD_DAY = 90
Z95 = 1.959963984540054


def per_replicate(runs: pd.DataFrame, horizon: int) -> dict[str, np.ndarray]:
    """Each replicate's "held HOLD_DAY days" (0/1; headline definition) and its days of
    truce within the horizon: their means are the Kaplan-Meier estimates (every replicate
    runs to the horizon, so nothing is censored before it)."""
    day = min(HOLD_DAY, horizon)
    broke = runs["collapsed"].to_numpy(bool) & (runs["truce_days"].to_numpy(float) <= day)
    return {"p_hold": (~broke).astype(float), "truce_days": runs["truce_days"].to_numpy(float)}


def anova(values: np.ndarray, rows: np.ndarray) -> dict[str, float]:
    """One-way random-effects split of ``values`` grouped by ``rows`` (unbalanced groups:
    method of moments): the between-row and within-row variances, the between-row SD and
    share, the middle 80% of the rows' shrunk means, and the cluster-robust standard error
    of the overall mean."""
    frame = pd.DataFrame({"y": values, "row": rows})
    groups = frame.groupby("row")["y"]
    k, means = groups.size().to_numpy(float), groups.mean().to_numpy()
    n, g, grand = len(values), len(k), float(values.mean())
    within = float(((frame["y"] - groups.transform("mean")) ** 2).sum() / (n - g)) if n > g else 0.0
    between_ms = float((k * (means - grand) ** 2).sum() / (g - 1)) if g > 1 else 0.0
    k0 = (n - (k**2).sum() / n) / (g - 1) if g > 1 else 1.0
    between = max(0.0, (between_ms - within) / k0)
    shrink = np.sqrt(between / (between + within / k)) if between > 0 else np.zeros_like(k)
    shrunk = grand + shrink * (means - grand)
    se = math.sqrt((k**2 * (means - grand) ** 2).sum() * g / max(g - 1, 1)) / n
    return {
        "between_rows_sd": math.sqrt(between),
        "share_of_variance": between / (between + within) if between + within > 0 else 0.0,
        "row_p10": float(np.percentile(shrunk, 10)),
        "row_p90": float(np.percentile(shrunk, 90)),
        "cluster_se": se,
    }


def uncertainty_split(runs: pd.DataFrame, horizon: int, truce: dict[str, Any]) -> dict[str, Any]:
    """The ``uncertainty`` block of summary.json (see the module's docstring); ``truce``
    is the summary's truce block (its Kaplan-Meier intervals give the Monte Carlo error
    when every replicate has its own row)."""
    values = per_replicate(runs, horizon)
    rows = runs["parameter_row"].to_numpy() if "parameter_row" in runs else np.full(len(runs), -1)
    drawn = rows >= 0
    per_row = int(pd.Series(rows[drawn]).value_counts().min()) if drawn.any() else 0
    hold = next((s for s in truce["survival"] if s["days"] == min(HOLD_DAY, horizon)), None)
    monte_carlo = {
        "replicates": len(runs),
        "p_hold_day": min(HOLD_DAY, horizon),
        "p_hold_90": None if hold is None else (hold["upper"] - hold["lower"]) / 2,
        "rmst_days": (truce["rmst_days"]["upper"] - truce["rmst_days"]["lower"]) / 2,
    }
    out: dict[str, Any] = {"monte_carlo": monte_carlo, "parameters": {"rows": int(np.unique(rows[drawn]).size)}}
    if not drawn.all():
        out["parameters"]["separated"] = False
        out["parameters"]["reason"] = "no parameter table: every replicate runs at the same values"
        return out
    out["parameters"]["replicates_per_row"] = per_row
    if per_row < 2:
        out["parameters"]["separated"] = False
        out["parameters"]["reason"] = "each replicate took its own row: parameters.per_row=1"
        return out
    out["parameters"]["separated"] = True
    for name, y in values.items():
        split = anova(y, rows)
        monte_carlo["p_hold_90" if name == "p_hold" else "rmst_days"] = Z95 * split.pop("cluster_se")
        out["parameters"]["p_hold_90" if name == "p_hold" else "truce_days"] = split
    return out


def describe_uncertainty(block: dict[str, Any], backtest: str | None = None) -> list[str]:
    """The printout's lines: Monte Carlo error, parameter uncertainty, the model itself."""
    mc, par = block["monte_carlo"], block["parameters"]
    day = mc["p_hold_day"]
    hold = "" if mc["p_hold_90"] is None else f"±{mc['p_hold_90']:.2f} on P(holds {day} days), "
    where = (
        "with the rows as clusters: the intervals above treat a row's replicates as independent"
        if par.get("separated")
        else "the 95% intervals above"
    )
    lines = [
        "Uncertainty, by where it comes from:",
        f"  Monte Carlo (chance, {mc['replicates']:,} replicates): {hold}±{mc['rmst_days']:.0f} days on the "
        f"restricted mean ({where}); more replicates narrow it",
    ]
    if par.get("separated"):
        p, t = par["p_hold_90"], par["truce_days"]
        lines.append(
            f"  Parameters (the calibrated posterior, {par['rows']:,} rows x {par['replicates_per_row']} replicates): "
            f"a row's own P(holds {day} days) runs from {p['row_p10']:.2f} to {p['row_p90']:.2f} over the middle 80% "
            f"of rows ({100 * p['share_of_variance']:.0f}% of the variance), its mean days of truce from "
            f"{t['row_p10']:.0f} to {t['row_p90']:.0f} ({100 * t['share_of_variance']:.0f}%); more replicates do not "
            "narrow this"
        )
    else:
        lines.append(
            f"  Parameters: not told apart from chance in this run ({par['reason']}): the intervals above average "
            "over the posterior's spread without showing it; parameters.per_row=10 (ten replicates a row) measures it"
        )
    if backtest:
        lines.append(f"  The model itself (no interval covers it): the backtest on earlier closures: {backtest}")
    return lines
