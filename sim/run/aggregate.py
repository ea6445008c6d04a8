"""Writing a sweep's tables and figures into its folder (``python -m sim.sweep DIR`` does it again).

When a sweep ends, :func:`aggregate` writes into the sweep folder:

- ``sweep.parquet``: one row a point (:func:`sim.run.sweep_folder.sweep_schema`);
- ``runs.parquet``: every replicate of every point, keyed by ``job`` and the overrides;
- ``comparison.csv``: each point against the baseline point: the paired difference,
  with its 95% interval and p-value, of every measure of
  :data:`sim.analysis.comparison.MEASURES` (days of truce by each definition, trade on
  day 90 and 180, days to 90% and to a lasting recovery, US$ lost), and the log-rank
  p-value;
- ``survival.png`` and ``trade.png`` (by point, over dates), ``comparison.png`` (the
  paired differences at each month end) and, for a grid of two numeric parameters,
  ``heatmap.png``;
- ``failed_jobs.csv`` when some jobs did not finish (they are named; the rest are
  aggregated).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import ConfigError, UsageError
from ..core.io import write_csv, write_parquet
from .sweep_folder import Sweep, compare, load_sweep, read_daily, sweep_schema

#: Points listed in the printed summary of a sweep (all of them are in comparison.csv).
MAX_PRINTED = 40
ACTIVE: dict[str, Any] = {}


def aggregate(sweep_dir: Path | str, baseline: str | None = None, quiet: bool = False) -> Sweep:
    """Read the sweep and write its tables and figures into the sweep folder."""
    from ..analysis import plots

    sweep = load_sweep(sweep_dir, baseline)
    out = sweep.path
    write_parquet(sweep.points, out / "sweep.parquet", schema=sweep_schema(sweep.points, sweep.keys))
    write_parquet(sweep.runs, out / "runs.parquet")
    comparison = compare(sweep)
    write_csv(comparison, out / "comparison.csv")
    failed = out / "failed_jobs.csv"
    if sweep.not_complete:
        write_csv(
            pd.DataFrame(
                [
                    {"job": j.num, "overrides": " ".join(j.overrides), "status": j.status, "reason": j.reason}
                    for j in sweep.not_complete
                ]
            ),
            failed,
        )
    else:
        failed.unlink(missing_ok=True)
    shown = plots.pick_points(sweep.points, baseline=sweep.baseline_job)
    plots.sweep_survival_plot(sweep, shown, out / "survival.png", comparison)
    plots.sweep_trade_plot(sweep, shown, out / "trade.png", {j: read_daily(sweep, j) for j in shown})
    figure = out / "comparison.png"
    if sweep.start_date and len(shown) > 1:
        plots.comparison_plot(sweep, differences_over_time(sweep, shown), figure)
    else:
        figure.unlink(missing_ok=True)
    heatmap = out / "heatmap.png"
    if grid_keys(sweep) and sweep.points["rmst_days"].notna().any():
        plots.sweep_heatmap(sweep, *grid_keys(sweep), heatmap)
    else:
        heatmap.unlink(missing_ok=True)
    if not quiet:
        print(describe_sweep(sweep, comparison))
    return sweep


def differences_over_time(sweep: Sweep, jobs: list[int]) -> dict[int, pd.DataFrame]:
    """Each shown point but the baseline: its paired differences at each month end."""
    from ..analysis.comparison import differences_by_date

    base = sweep.runs_of(sweep.baseline_job)
    return {
        j: differences_by_date(base, sweep.runs_of(j), sweep.horizon, sweep.start_date)
        for j in jobs
        if j != sweep.baseline_job
    }


def grid_keys(sweep: Sweep) -> tuple[str, str] | None:
    """The two swept keys of a numeric two-parameter grid, else None."""
    if len(sweep.keys) != 2:
        return None
    a, b = sweep.keys
    numeric = all(pd.api.types.is_numeric_dtype(sweep.points[k]) for k in (a, b))
    return (a, b) if numeric else None


def describe_sweep(sweep: Sweep, comparison: pd.DataFrame) -> str:
    n_ok = len(sweep.points)
    lines = [f"Sweep {sweep.path}: {n_ok} of {len(sweep.jobs)} points complete"]
    for job in sweep.not_complete:
        lines.append(f"  job {job.num} ({' '.join(job.overrides)}): {job.status} ({job.reason})")
    if sweep.stale:
        lines.append(
            f"  ignored: {len(sweep.stale)} folders left by an earlier sweep into this folder "
            f"(jobs {', '.join(str(j.num) for j in sweep.stale)}; not part of this sweep)"
        )
    base_label = sweep.label(sweep.baseline_job)
    if sweep.baseline_job != sweep.jobs[0].num and not sweep.baseline_named:
        lines.append(f"  note: the first point did not finish, so the baseline is the first that did ({base_label})")
    lines.append(
        f"Against the baseline ({base_label}); truce days within {sweep.horizon} days, paired by replicate; "
        "p-values: paired t-test of the difference, and log-rank (unpaired) of the survival curves:"
    )
    width = max(len(s) for s in comparison["label"])
    lines.append(f"  {'point':<{width}}  P(90 d)  RMST  {'diff in truce days [95% CI]':<28}  paired p  log-rank p")
    shown = comparison if len(comparison) <= MAX_PRINTED else comparison.iloc[:MAX_PRINTED]
    for _, r in shown.iterrows():
        p90 = "    n/a" if pd.isna(r["p_hold_90"]) else f"{r['p_hold_90']:7.2f}"
        if r["baseline"]:
            diff, p_paired, p_logrank = "(baseline)", "", ""
        else:
            diff = f"{r['diff_truce_days']:+.1f} [{r['diff_truce_days_lower']:+.1f}, {r['diff_truce_days_upper']:+.1f}]"
            p_paired, p_logrank = f"{r['diff_truce_days_p']:.2g}", f"{r['logrank_p']:.2g}"
        lines.append(
            f"  {r['label']:<{width}}  {p90}  {r['rmst_days']:4.0f}  {diff:<28}  {p_paired:>8}  {p_logrank:>10}"
        )
    if len(shown) < len(comparison):
        lines.append(f"  ... and {len(comparison) - len(shown)} more points: every one is in comparison.csv")
    lines += describe_differences(sweep, shown)
    lines.append(
        f"Tables and figures in {sweep.path}: sweep.parquet, runs.parquet, comparison.csv, survival.png, trade.png"
        + (", comparison.png" if (sweep.path / "comparison.png").exists() else "")
        + (", heatmap.png" if grid_keys(sweep) else "")
    )
    return "\n".join(lines)


def _difference(r: pd.Series, name: str, unit: str) -> str:
    """One paired difference with its interval, in the measure's unit."""
    scale, fmt, suffix = {"days": (1, "+.1f", " d"), "share": (100, "+.1f", " pts"), "usd": (1e-6, "+,.0f", " m")}[unit]
    mid, lo, hi = (r[f"diff_{name}{k}"] * scale for k in ("", "_lower", "_upper"))
    return f"{mid:{fmt}}{suffix} [{lo:{fmt}}, {hi:{fmt}}]"


#: The printout's groups of measures (sim.analysis.comparison.MEASURES), in words.
GROUPS = {
    "truce": "days of truce within the horizon",
    "trade": "trade",
    "cost": "trade lost within the horizon",
}


def describe_differences(sweep: Sweep, shown: pd.DataFrame) -> list[str]:
    """Every measure's paired difference against the baseline, point by point (the
    headline's truce days are in the table above)."""
    from ..analysis.comparison import MEASURES
    from ..core.dates import day_label

    lines = ["Paired differences from the baseline, 95% intervals (every one, with p-values, in comparison.csv):"]
    for _, r in shown.loc[~shown["baseline"].astype(bool)].iterrows():
        lines.append(f"  {r['label']}:")
        for group, words in GROUPS.items():
            parts = []
            for m in MEASURES:
                if m.group != group or m.name == "truce_days" or pd.isna(r[f"diff_{m.name}"]):
                    continue
                what = m.short
                if m.day is not None and sweep.start_date:
                    what = f"share on {day_label(sweep.start_date, m.day)}"
                parts.append(f"{what} {_difference(r, m.name, m.unit)}")
            if parts:
                lines.append(f"    {words}: " + "; ".join(parts))
    return lines


def aggregate_after_failure() -> None:
    """A sweep stopped by a failed job: aggregate the jobs that did finish, if any."""
    if not ACTIVE:
        return
    sweep_dir, baseline = ACTIVE["dir"], ACTIVE.get("baseline")
    ACTIVE.clear()
    try:
        aggregate(sweep_dir, baseline)
    except (ConfigError, UsageError) as err:
        print(f"ceasefire-sim: nothing to aggregate: {err}", file=sys.stderr)
