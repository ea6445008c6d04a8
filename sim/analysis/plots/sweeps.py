"""The figures of a sweep: survival and trade by point over dates, the paired differences
against the baseline over dates, a heatmap of a two-key grid, a forest of paired differences."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from textwrap import fill

import numpy as np
import pandas as pd

from ...core.dates import month_end_days
from ...core.outputs import MONTH_ENDS, month_loss_column
from ..estimates import curve_of, fit_km
from .common import BLUE, GREY, ORANGE, _date_axis, _dates, plt, save_figure

#: Most curves drawn in one sweep figure; beyond it, the best and the worst points.
MAX_CURVES = 8


def pick_points(points: pd.DataFrame, max_curves: int = MAX_CURVES, baseline: int | None = None) -> list[int]:
    """The jobs to draw: all, or the best and worst by restricted mean survival time
    (and the baseline, wherever it ranks)."""
    ranked = points.sort_values("rmst_days", ascending=False)["job"].tolist()
    if len(ranked) <= max_curves:
        return points["job"].tolist()
    half = max_curves // 2
    chosen = ranked[:half] + ranked[-half:]
    if baseline is not None and baseline not in chosen:
        chosen.insert(half, baseline)
    return chosen


def _point_colors(n: int) -> list:
    return list(plt.get_cmap("tab10" if n <= 10 else "viridis")(np.linspace(0, 1, n) if n > 10 else range(n)))


def _subset_note(sweep, jobs: Sequence[int]) -> str:
    n = len(sweep.points)
    half = MAX_CURVES // 2
    return (
        ""
        if len(jobs) == n
        else f" (the {half} best and {half} worst of {n} points by restricted mean, and the baseline)"
    )


#: Most curves drawn with their 95% bands; with more, the bands would hide the curves.
MAX_BANDS = 3


def _replicates_note(sweep) -> str:
    n = sweep.points["replicates"]
    return (
        f"{int(n.iloc[0]):,} replicates a point"
        if n.nunique() == 1
        else f"{int(n.min()):,}-{int(n.max()):,} replicates a point"
    )


def _x(sweep, days: np.ndarray):
    """Dates for the x axis (day 0 = the sweep's start date), or the days if it is unknown."""
    return _dates(sweep.start_date, days) if sweep.start_date else days


def _x_axis(sweep, ax: plt.Axes) -> None:
    """The x axis: dates from day 0 to the horizon."""
    if sweep.start_date:
        ax.set_xlim(*_x(sweep, np.array([0, sweep.horizon])))
        _date_axis(ax)
    else:
        ax.set_xlim(0, sweep.horizon)
        ax.set_xlabel("days since the ceasefire (day 0)")


def pairing_caption(sweep, comparison: pd.DataFrame | None) -> str:
    """In plain words: why the bands of two points can overlap, and the log-rank p be
    large, while their paired difference is clear; with a point of this sweep as the example."""
    text = (
        "Shaded: each point's own 95% band. The bands can overlap, and the log-rank test (which compares the curves "
        "as if they were independent samples) can find no difference, while the paired difference is clear: replicate "
        "i meets the same attacks, accidents and posterior row at every point, so comparing each replicate with "
        "itself cancels the chance both points share and leaves the effect of what changed."
    )
    rows = [] if comparison is None else comparison.loc[~comparison["baseline"].astype(bool)]
    rows = rows.loc[rows["diff_truce_days_p"].notna()] if len(rows) else rows
    if len(rows):
        r = rows.iloc[0]
        text += (
            f" E.g. {r['label']} against {sweep.label(sweep.baseline_job)}: log-rank p = {r['logrank_p']:.2g}, "
            f"paired difference {r['diff_truce_days']:+.1f} days of truce (95% CI {r['diff_truce_days_lower']:+.1f} "
            f"to {r['diff_truce_days_upper']:+.1f}), paired p = {r['diff_truce_days_p']:.2g} (comparison.csv)."
        )
    return text


def sweep_survival_plot(sweep, jobs: Sequence[int], path: Path, comparison: pd.DataFrame | None = None) -> Path:
    """Kaplan-Meier curves of the truce at each point, over dates, with their 95% bands
    when there are few curves; the baseline point drawn thicker; a caption on paired and
    unpaired evidence (:func:`pairing_caption`)."""
    fig, ax = plt.subplots(figsize=(9, 5.6))
    bands = len(jobs) <= MAX_BANDS
    for job, color in zip(jobs, _point_colors(len(jobs)), strict=True):
        curve = curve_of(fit_km(sweep.runs_of(job)))
        base = job == sweep.baseline_job
        x = _x(sweep, curve["day"].to_numpy())
        if bands:
            ax.fill_between(x, curve["lower"], curve["upper"], step="post", color=color, alpha=0.12)
        label = sweep.label(job) + (" (baseline)" if base else "")
        ax.step(x, curve["survival"], where="post", color=color, lw=2.5 if base else 1.5, label=label)
    _x_axis(sweep, ax)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("P(truce still holds)")
    detail = "shaded: 95% intervals" if bands else "95% intervals in sweep.parquet"
    ax.set_title(
        f"How long the truce holds, by sweep point{_subset_note(sweep, jobs)}\n({_replicates_note(sweep)}; {detail})",
        fontsize=10,
    )
    ax.grid(alpha=0.3)
    ax.legend(
        fontsize=7,
        loc="upper right" if len(jobs) <= 4 else "center left",
        bbox_to_anchor=None if len(jobs) <= 4 else (1.01, 0.5),
    )
    fig.text(0.01, -0.02, fill(pairing_caption(sweep, comparison), 130), fontsize=7.5, va="top", color="0.25")
    return save_figure(fig, path)


def month_end_losses(sweep, job: int) -> tuple[np.ndarray, np.ndarray]:
    """The month ends within the horizon and the mean US$ lost by each, at one point."""
    runs = sweep.runs_of(job)
    ends = month_end_days(sweep.start_date, MONTH_ENDS) if sweep.start_date else ()
    days = [d for k, d in enumerate(ends, 1) if d < sweep.horizon and month_loss_column(k) in runs]
    means = [runs[month_loss_column(k)].mean() for k in range(1, len(days) + 1)]
    return np.array(days, dtype=float), np.array(means)


def sweep_trade_plot(sweep, jobs: Sequence[int], path: Path, daily: dict[int, pd.DataFrame]) -> Path:
    """Trade recovery at each point, over dates: the mean trade index over all
    replicates, the share of replicates with trade back to at least 90% of its baseline,
    and the mean US$ trade lost by each month end."""
    fig, (ax, ax_share, ax_loss) = plt.subplots(3, 1, figsize=(9, 8.5), sharex=True)
    for job, color in zip(jobs, _point_colors(len(jobs)), strict=True):
        d = daily[job]
        lw = 2.5 if job == sweep.baseline_job else 1.5
        x = _x(sweep, d["day"].to_numpy())
        label = sweep.label(job) + (" (baseline)" if job == sweep.baseline_job else "")
        ax.plot(x, d["trade_mean"], color=color, lw=lw, label=label)
        ax_share.plot(x, d["trade_share_90"], color=color, lw=lw)
        days, losses = month_end_losses(sweep, job)
        ax_loss.plot(_x(sweep, days), losses / 1e6, color=color, lw=lw, marker="o", ms=3)
    ax.axhline(1.0, color=GREY, lw=0.8)
    ax.set_ylabel("mean trade index\n(1 = pre-crisis flow)")
    ax.set_title(
        f"Trade across the border, by sweep point{_subset_note(sweep, jobs)}\n({_replicates_note(sweep)})", fontsize=10
    )
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax_share.set_ylabel("share of replicates with\ntrade >= 90% of baseline")
    ax_share.set_ylim(0, 1)
    ax_loss.set_ylabel("trade lost by each\nmonth end (US$ m, mean)")
    for a in (ax, ax_share, ax_loss):
        a.grid(alpha=0.3)
    _x_axis(sweep, ax_loss)
    return save_figure(fig, path)


def comparison_plot(sweep, by_date: dict[int, pd.DataFrame], path: Path) -> Path:
    """Each point against the baseline, over dates (``by_date``: each job's
    :func:`sim.analysis.comparison.differences_by_date`): the paired difference in the
    share of truces holding, and in US$ trade lost by each month end, with 95% bands."""
    fig, (ax_hold, ax_loss) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for (job, diffs), color in zip(by_date.items(), _point_colors(len(by_date) + 1)[1:], strict=True):
        for ax, measure, scale in ((ax_hold, "holds", 100.0), (ax_loss, "loss_usd", 1e-6)):
            d = diffs.loc[diffs["measure"] == measure]
            x = _x(sweep, d["day"].to_numpy())
            ax.fill_between(x, d["lower"] * scale, d["upper"] * scale, color=color, alpha=0.15)
            ax.plot(x, d["mean"] * scale, color=color, marker="o", ms=3, label=sweep.label(job))
    for ax in (ax_hold, ax_loss):
        ax.axhline(0, color=GREY, lw=1)
        ax.grid(alpha=0.3)
    ax_hold.set_ylabel("truces holding by then\n(difference, percentage points)")
    ax_loss.set_ylabel("trade lost by then\n(difference, US$ m)")
    ax_hold.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax_hold.set_title(
        f"Against the baseline ({sweep.label(sweep.baseline_job)}), at each month end: paired differences by "
        f"replicate, 95% bands\n({_replicates_note(sweep)}; every measure's difference: comparison.csv)",
        fontsize=10,
    )
    _x_axis(sweep, ax_loss)
    return save_figure(fig, path)


def sweep_heatmap(sweep, x_key: str, y_key: str, path: Path) -> Path:
    """For a grid of two numeric parameters: P(truce holds 90 days) and the restricted
    mean survival time at each cell, annotated."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, (col, name, fmt) in zip(
        axes,
        (
            ("p_hold_90", "P(truce holds 90 days)", "{:.2f}"),
            ("rmst_days", f"restricted mean survival (days, of {sweep.horizon})", "{:.0f}"),
        ),
        strict=True,
    ):
        grid = sweep.points.pivot_table(index=y_key, columns=x_key, values=col)
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(grid.shape[1]), [f"{v:g}" for v in grid.columns])
        ax.set_yticks(range(grid.shape[0]), [f"{v:g}" for v in grid.index])
        ax.set_xlabel(x_key)
        ax.set_ylabel(y_key)
        ax.set_title(f"{name}\n({_replicates_note(sweep)})", fontsize=10)
        lo, hi = np.nanmin(grid.to_numpy()), np.nanmax(grid.to_numpy())
        for (i, j), v in np.ndenumerate(grid.to_numpy()):
            if np.isfinite(v):
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="k" if hi > lo and (v - lo) / (hi - lo) > 0.6 else "w",
                )
        fig.colorbar(image, ax=ax, shrink=0.85)
    return save_figure(fig, path)


def forest_plot(comparison: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Each point's paired difference from the baseline, with its 95% interval: truce
    days (left) and days to 90% trade recovery (right; fewer is better)."""
    comp = comparison.loc[~comparison["baseline"].astype(bool)].iloc[::-1]
    base = comparison.loc[comparison["baseline"].astype(bool), "label"].iloc[0]
    fig, axes = plt.subplots(1, 2, figsize=(11, 0.5 * len(comp) + 1.8), sharey=True)
    y = np.arange(len(comp))
    for ax, col, name, color in (
        (axes[0], "diff_truce_days", "more days of truce", BLUE),
        (axes[1], "diff_trade90_days", "days to 90% trade (fewer = faster)", ORANGE),
    ):
        mid = comp[col].to_numpy()
        err = np.vstack([mid - comp[f"{col}_lower"].to_numpy(), comp[f"{col}_upper"].to_numpy() - mid])
        ax.errorbar(mid, y, xerr=err, fmt="o", color=color, capsize=4)
        ax.axvline(0, color=GREY, lw=1)
        ax.set_xlabel(f"paired difference from the baseline: {name}")
        ax.grid(alpha=0.3, axis="x")
    axes[0].set_yticks(y, comp["label"])
    fig.suptitle(title or f"Against the baseline ({base}), 95% intervals", fontsize=10)
    return save_figure(fig, path)
