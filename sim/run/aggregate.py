"""Writing a sweep's tables and figures into its folder, and ``python -m sim.sweep DIR``.

When a sweep ends, :func:`aggregate` writes into the sweep folder:

- ``sweep.parquet``: one row a point (:func:`sim.run.sweep_folder.sweep_schema`);
- ``runs.parquet``: every replicate of every point, keyed by ``job`` and the overrides;
- ``comparison.csv``: each point against the baseline point (log-rank p-value, paired
  difference in truce days, difference in days to 90% trade recovery);
- ``survival.png``, ``trade.png`` and, for a grid of two numeric parameters,
  ``heatmap.png``;
- ``failed_jobs.csv`` when some jobs did not finish (they are named; the rest are
  aggregated).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..core.errors import ConfigError, UsageError
from ..core.io import write_csv, write_parquet
from .places import check_out_dir
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
    plots.sweep_survival_plot(sweep, shown, out / "survival.png")
    plots.sweep_trade_plot(sweep, shown, out / "trade.png", {j: read_daily(sweep, j) for j in shown})
    heatmap = out / "heatmap.png"
    if grid_keys(sweep) and sweep.points["rmst_days"].notna().any():
        plots.sweep_heatmap(sweep, *grid_keys(sweep), heatmap)
    else:
        heatmap.unlink(missing_ok=True)
    if not quiet:
        print(describe_sweep(sweep, comparison))
    return sweep


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
    lines.append(
        f"Tables and figures in {sweep.path}: sweep.parquet, runs.parquet, comparison.csv, survival.png, trade.png"
        + (", heatmap.png" if grid_keys(sweep) else "")
    )
    return "\n".join(lines)


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.sweep",
        description="Aggregate a sweep folder (python -m sim -m ...) into sweep.parquet, runs.parquet, "
        "comparison.csv and the sweep figures. Exit 0 if every job is complete, 1 if some are not "
        "(the rest are aggregated), 2 if nothing can be aggregated.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep folder (hydra.sweep.dir)")
    parser.add_argument(
        "--baseline",
        help="the baseline point as key=value[,key=value] (default: the one the sweep "
        "was run with, hydra.callbacks.sweep.baseline, else the first point)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    try:
        check_out_dir(args.sweep_dir, "the sweep folder")
        sweep = aggregate(args.sweep_dir, args.baseline, quiet=args.quiet)
    except (ConfigError, UsageError) as err:
        print(f"ceasefire-sim: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"ceasefire-sim: cannot write into '{args.sweep_dir}': {err.strerror or err}.", file=sys.stderr)
        return 2
    return 1 if sweep.not_complete else 0


if __name__ == "__main__":
    sys.exit(main())
