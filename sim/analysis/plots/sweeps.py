"""The figures of a sweep: survival and trade by point, a heatmap of a two-key grid, a forest of paired differences."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..estimates import fit_km
from .common import BLUE, GREY, ORANGE, plt, save_figure

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


def sweep_survival_plot(sweep, jobs: Sequence[int], path: Path) -> Path:
    """Kaplan-Meier curves of the truce at each point, with their 95% bands when there
    are few curves; the baseline point drawn thicker."""
    fig, ax = plt.subplots(figsize=(9, 5))
    bands = len(jobs) <= MAX_BANDS
    for job, color in zip(jobs, _point_colors(len(jobs)), strict=True):
        kmf = fit_km(sweep.runs_of(job), label=sweep.label(job))
        base = job == sweep.baseline_job
        kmf.plot_survival_function(
            ax=ax,
            ci_show=bands,
            ci_alpha=0.12,
            color=color,
            lw=2.5 if base else 1.5,
            label=sweep.label(job) + (" (baseline)" if base else ""),
        )
    ax.set_xlim(0, sweep.horizon)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("days since the ceasefire (day 0 = 19 Oct 2025)")
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
    return save_figure(fig, path)


def sweep_trade_plot(sweep, jobs: Sequence[int], path: Path, daily: dict[int, pd.DataFrame]) -> Path:
    """Trade recovery at each point: the mean trade index over all replicates, and the
    share of replicates with trade back to at least 90% of its baseline."""
    fig, (ax, ax_share) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True)
    for job, color in zip(jobs, _point_colors(len(jobs)), strict=True):
        d = daily[job]
        lw = 2.5 if job == sweep.baseline_job else 1.5
        ax.plot(
            d["day"],
            d["trade_mean"],
            color=color,
            lw=lw,
            label=sweep.label(job) + (" (baseline)" if job == sweep.baseline_job else ""),
        )
        ax_share.plot(d["day"], d["trade_share_90"], color=color, lw=lw)
    ax.axhline(1.0, color=GREY, lw=0.8)
    ax.set_ylabel("mean trade index\n(1 = pre-crisis flow)")
    ax.set_title(
        f"Trade across the border, by sweep point{_subset_note(sweep, jobs)}\n({_replicates_note(sweep)})", fontsize=10
    )
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax_share.set_ylabel("share of replicates with\ntrade >= 90% of baseline")
    ax_share.set_ylim(0, 1)
    ax_share.set_xlabel("days since the ceasefire (day 0 = 19 Oct 2025)")
    for a in (ax, ax_share):
        a.grid(alpha=0.3)
    ax.set_xlim(0, sweep.horizon)
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
