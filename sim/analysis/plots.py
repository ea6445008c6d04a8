"""The figures of one ensemble, drawn from the estimates and the daily table (Agg backend).

Every function takes what it draws (the Kaplan-Meier curve, the daily table, the outcome
rows) and a path, writes a PNG atomically, and returns the path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..core.io import atomic_path  # noqa: E402
from ..core.outputs import SENSITIVITY_OUTPUTS as SA_OUTPUTS  # noqa: E402
from ..core.outputs import series  # noqa: E402
from .estimates import Estimates, fit_km  # noqa: E402

BLUE, ORANGE, GREY, RED = "#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728"


def save_figure(fig: plt.Figure, path: Path) -> Path:
    """Write the figure atomically and free it."""
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)


def _dates(start_date: str, days: np.ndarray) -> pd.DatetimeIndex:
    return pd.Timestamp(start_date) + pd.to_timedelta(days, unit="D")


def _date_axis(ax: plt.Axes) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))


#: How each definition of a broken truce is drawn (its colour and line style).
DEFINITION_STYLES = {"violation": ("tab:orange", ":"), "breakdown": (BLUE, "-"), "renunciation": ("tab:red", "--")}


def survival_plot(est: Estimates, path: Path, start_date: str, title: str = "") -> Path:
    """Kaplan-Meier survival of the truce under each coded definition (violation,
    breakdown, renunciation), each with its 95% band; the headline definition's
    estimates at 30/90/180/365 days marked."""
    truce = est.summary["truce"]
    headline = truce.get("headline", "breakdown")
    curves = est.curves or {headline: est.curve}
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, curve in curves.items():
        color, style = DEFINITION_STYLES.get(name, (BLUE, "-"))
        x = _dates(start_date, curve["day"].to_numpy())
        ax.fill_between(x, curve["lower"], curve["upper"], step="post", color=color, alpha=0.15)
        rmst = truce["definitions"][name]["rmst_days"] if "definitions" in truce else truce["rmst_days"]
        label = f"{name}{' (headline)' if name == headline else ''}: restricted mean {rmst['mean']:.0f} d"
        ax.step(
            x, curve["survival"], where="post", color=color, ls=style, lw=2.4 if name == headline else 1.6, label=label
        )
    for s in truce["survival"]:
        d = _dates(start_date, np.array([s["days"]]))[0]
        ax.errorbar([d], [s["p"]], yerr=[[s["p"] - s["lower"]], [s["upper"] - s["p"]]], fmt="o", color="k", capsize=3)
        ax.annotate(f"{s['days']} d: {s['p']:.2f}", (d, s["p"]), textcoords="offset points", xytext=(5, 6), fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("P(truce not yet broken)")
    ax.set_title(title or "How long the truce holds")
    _date_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, title="definition (95% bands)", title_fontsize=8)
    return save_figure(fig, path)


def trade_plot(daily: pd.DataFrame, runs: pd.DataFrame, path: Path, start_date: str, title: str = "") -> Path:
    """Trade across the border: the mean trade index (over all replicates, where a
    broken-down truce closes the border, and over truces not yet broken) with the 5-95% band;
    the share of replicates in which trade is back to 50% and 90% of its baseline; and
    the days the crossings first reopen. Replicates are mostly either closed (0) or open
    (about 1), so means and shares say more than a median."""
    fig, (ax, ax_share, ax_open) = plt.subplots(
        3, 1, figsize=(8, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 2, 1.2]}
    )
    x = pd.to_datetime(daily["date"])
    ax.fill_between(x, daily["trade_p05"], daily["trade_p95"], color=ORANGE, alpha=0.15, label="5-95% of replicates")
    ax.plot(x, daily["trade_mean"], color="k", lw=2, label="mean, all replicates")
    ax.plot(x, daily["trade_mean_alive"], color=ORANGE, lw=1.5, label="mean over truces not yet broken")
    ax.axhline(1.0, color=GREY, lw=0.8)
    ax.set_ylabel("trade index\n(1 = pre-crisis flow)")
    ax.set_ylim(0, max(1.3, float(daily["trade_p95"].max()) + 0.05))
    ax.set_title(title or "Trade across the border")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)

    ax_share.plot(x, daily["trade_share_50"], color=BLUE, ls="--", label="at least 50% of baseline")
    ax_share.plot(x, daily["trade_share_90"], color=BLUE, lw=2, label="at least 90% of baseline")
    ax_share.set_ylim(0, 1)
    ax_share.set_ylabel("share of\nreplicates")
    ax_share.legend(loc="upper left", fontsize=8)
    ax_share.grid(alpha=0.3)

    reopen = runs["first_reopen_day"].dropna().to_numpy()
    if reopen.size:
        bins = np.arange(0, len(daily) + 7, 7)
        ax_open.hist(_dates(start_date, reopen), bins=_dates(start_date, bins), color=GREY)
        median = _dates(start_date, np.array([np.median(reopen)]))[0]
        for a in (ax, ax_share):
            a.axvline(median, color=GREY, ls=":", lw=1)
        ax.annotate(" median first reopening", (median, 1.2), fontsize=8, color=GREY)
    ax_open.set_ylabel("first reopening\n(replicates a week)")
    ax_open.text(
        0.99,
        0.8,
        f"{100 * reopen.size / len(runs):.0f}% of replicates reopen",
        transform=ax_open.transAxes,
        ha="right",
        fontsize=8,
        color=GREY,
    )
    _date_axis(ax_open)
    return save_figure(fig, path)


def dynamics_plot(
    daily: pd.DataFrame, path: Path, round_days: Sequence[int] = (), start_date: str = "", title: str = ""
) -> Path:
    """Mean trust each way and grievance over the truces not yet broken (headline
    definition: a broken truce leaves the average; the rise of trust is partly
    survivorship, the truces that last being the trusting ones); the daily incidents and
    retaliations over all replicates, with the share whose truce is broken down that
    day (the model's state: it can be renewed); rounds dotted."""
    fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True)
    x = pd.to_datetime(daily["date"])
    a, b, c = axes
    a.plot(x, daily["trust_afg_in_pak_mean"], label=series("trust_afg_in_pak").label, color=BLUE)
    a.plot(x, daily["trust_pak_in_afg_mean"], label=series("trust_pak_in_afg").label, color=RED)
    a.set_ylabel("trust\n(truces not yet broken)")
    b.plot(x, daily["grievance_afg_mean"], label=series("grievance_afg").label, color=BLUE)
    b.plot(x, daily["grievance_pak_mean"], label=series("grievance_pak").label, color=RED)
    b.set_ylabel("grievance\n(truces not yet broken)")
    c.plot(x, daily["incidents_mean"], label=series("incidents").label, color="k")
    c.plot(x, daily["retaliations_mean"], label=series("retaliations").label, color=ORANGE)
    c.plot(x, 1.0 - daily["truce_holds_mean"], label="share of truces broken down that day", color=RED, ls="--")
    c.set_ylabel("events a day; share\n(all replicates)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
        if start_date:
            for d in round_days:
                ax.axvline(_dates(start_date, np.array([d]))[0], color=GREY, ls=":", lw=0.8)
    a.set_ylim(0, 1)
    b.set_ylim(0, 1)
    a.set_title(title or "Dynamics (dotted: rounds of talks)")
    _date_axis(c)
    return save_figure(fig, path)


# --------------------------------------------------------------------------- sweeps

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


def morris_plot(table: pd.DataFrame, path: Path, top: int = 15, labelled: int = 6, title: str = "") -> Path:
    """Morris screening, one column per output: above, the ``top`` highest mu* with their
    bootstrap 95% intervals (red: a larger value lowers the output); below, mu*
    (influence) against sigma (non-linearity, interactions) for every factor, the
    ``labelled`` most influential named."""
    fig, axes = plt.subplots(
        2, 2, figsize=(14, 0.32 * top + 6.5), layout="constrained", gridspec_kw={"height_ratios": [0.32 * top + 0.8, 5]}
    )
    for col, (out, name) in enumerate(SA_OUTPUTS.items()):
        t = table.loc[table["output"] == out]
        bars, scatter = axes[0, col], axes[1, col]
        best = t.loc[t["rank"] <= top].iloc[::-1]
        low = np.minimum(best["mu_star_conf"], best["mu_star"])  # mu* >= 0: the interval stops at 0
        bars.barh(
            best["key"],
            best["mu_star"],
            xerr=[low, best["mu_star_conf"]],
            capsize=2,
            color=np.where(best["mu"] < 0, RED, BLUE),
            ecolor=GREY,
        )
        bars.tick_params(axis="y", labelsize=8)
        bars.set_xlabel(f"mu*: mean |elementary effect| on {name}, per full range")
        bars.set_title(f"{name}: the {top} most influential (red: a larger value lowers it)", fontsize=10)
        bars.grid(alpha=0.3, axis="x")
        named = t["rank"] <= labelled
        scatter.scatter(t.loc[~named, "mu_star"], t.loc[~named, "sigma"], s=14, color=GREY, alpha=0.6)
        scatter.scatter(t.loc[named, "mu_star"], t.loc[named, "sigma"], s=24, color=BLUE)
        for _, r in t.loc[named].iterrows():
            scatter.annotate(
                r["key"].split(".", 1)[1],
                (r["mu_star"], r["sigma"]),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
        hi = max(t["mu_star"].max(), t["sigma"].max()) * 1.08
        scatter.plot([0, hi], [0, hi], color=GREY, lw=0.8, ls="--")
        scatter.set_xlim(0, hi)
        scatter.set_ylim(0, hi)
        scatter.set_xlabel("mu* (days per full range)")
        scatter.set_ylabel("sigma: spread of the elementary effects (days)")
        scatter.grid(alpha=0.3)
    fig.suptitle(
        title or f"Morris screening of all {table['key'].nunique()} parameters with a sensitivity range", fontsize=11
    )
    return save_figure(fig, path)


def sobol_plot(table: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Sobol first-order (S1) and total-order (ST) indices with 95% intervals, one panel
    per output, factors in order of ST."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 0.45 * table["key"].nunique() + 2.5), layout="constrained")
    for ax, (out, name) in zip(axes, SA_OUTPUTS.items(), strict=True):
        t = table.loc[table["output"] == out].sort_values("ST")
        y = np.arange(len(t))
        ax.barh(y + 0.2, t["ST"], height=0.4, xerr=t["ST_conf"], color=ORANGE, capsize=3, label="total order ST")
        ax.barh(y - 0.2, t["S1"], height=0.4, xerr=t["S1_conf"], color=BLUE, capsize=3, label="first order S1")
        ax.set_yticks(y, t["key"], fontsize=8)
        ax.axvline(0, color=GREY, lw=0.8)
        ax.set_xlabel("share of the output's variance")
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3, axis="x")
        ax.legend(fontsize=8, loc="lower right")
    fig.suptitle(title or "Sobol indices of the most influential parameters (95% bootstrap intervals)", fontsize=11)
    return save_figure(fig, path)


def posterior_plot(draws: pd.DataFrame, summary: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Each calibrated parameter: the prior draws (grey) and the accepted ones (blue),
    as densities over the prior range; the default in conf/ when it ran (dashed) and the posterior
    median (solid)."""
    n = len(summary)
    cols = 4
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.3 * rows), layout="constrained")
    accepted = draws.loc[draws["match"]]
    for ax, (_, s) in zip(axes.flat, summary.iterrows(), strict=False):
        if pd.api.types.is_integer_dtype(draws[s["key"]]):  # one bin per whole value, or per few
            step = max(1, int(np.ceil((s["prior_hi"] - s["prior_lo"] + 1) / 16)))
            bins = np.arange(s["prior_lo"] - 0.5, s["prior_hi"] + step, step)
        else:
            bins = np.linspace(s["prior_lo"], s["prior_hi"], 16)
        ax.hist(draws[s["key"]], bins=bins, density=True, color=GREY, alpha=0.35, label="prior")
        ax.hist(accepted[s["key"]], bins=bins, density=True, histtype="step", color=BLUE, lw=1.8, label="posterior")
        ax.axvline(s["default"], color=ORANGE, ls="--", lw=1.2, label="default in conf/ when run")
        ax.axvline(s["posterior_median"], color=BLUE, lw=1.2, label="posterior median")
        ax.set_title(f"{s['key']}\nSD ratio {s['sd_ratio']:.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6, loc="upper right")
    fig.suptitle(title or "Prior and posterior of the calibrated parameters (rejection ABC)", fontsize=11)
    return save_figure(fig, path)


def forecast_comparison_plot(
    curves: dict[str, Estimates], path: Path, start_date: str, mark_day: int | None = None, title: str = ""
) -> Path:
    """Kaplan-Meier curves of several ensembles of the same scenario, with 95% bands."""
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for (label, est), color in zip(curves.items(), _point_colors(len(curves)), strict=True):
        curve = est.curve
        dates = _dates(start_date, curve["day"].to_numpy())
        rmst = est.summary["truce"]["rmst_days"]
        ax.step(
            dates,
            curve["survival"],
            where="post",
            color=color,
            lw=2,
            label=f"{label} (restricted mean {rmst['mean']:.0f} d, {rmst['lower']:.0f}-{rmst['upper']:.0f})",
        )
        ax.fill_between(dates, curve["lower"], curve["upper"], step="post", color=color, alpha=0.15)
    if mark_day is not None:
        ax.axvline(_dates(start_date, np.array([mark_day]))[0], color=GREY, ls=":", lw=1)
        ax.annotate(
            " record ends (5 Nov 2025)",
            (_dates(start_date, np.array([mark_day]))[0], 0.03),
            fontsize=8,
            color=GREY,
            va="bottom",
        )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("P(truce still holds)")
    _date_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(title or "How long the truce holds: forecasts compared", fontsize=10)
    return save_figure(fig, path)


# --------------------------------------------------------------------------- decision support


def peeling_plot(boxes: Sequence, path: Path, title: str = "") -> Path:
    """PRIM's peeling trajectory of each feared outcome: coverage (share of the futures
    with the outcome that the box holds) against density (share of the box's futures
    with it), coloured by the number of restricted dimensions; the chosen box ringed."""
    fig, axes = plt.subplots(1, len(boxes), figsize=(5.2 * len(boxes), 4.4), layout="constrained", squeeze=False)
    for ax, box in zip(axes[0], boxes, strict=True):
        t = box.trajectory
        sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18, zorder=3)
        ax.plot(t["coverage"], t["density"], color=GREY, lw=0.7, zorder=2)
        chosen = t.loc[t["chosen"]]
        ax.scatter(chosen["coverage"], chosen["density"], s=160, facecolors="none", edgecolors=RED, lw=2, zorder=4)
        ax.axhline(box.stats["mean"], color=GREY, ls=":", lw=1)
        ax.annotate(f" all futures: {box.stats['mean']:.0%}", (0.0, box.stats["mean"]), fontsize=7, color=GREY)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_title(f"{box.outcome}\n({box.cases} of {box.futures} futures)", fontsize=9)
        ax.grid(alpha=0.3)
        fig.colorbar(sc, ax=ax, label="restricted dimensions", shrink=0.8)
    fig.suptitle(title or "PRIM peeling trajectories (ringed: the box chosen)", fontsize=11)
    return save_figure(fig, path)


def boxes_plot(boxes: Sequence, path: Path, title: str = "") -> Path:
    """Each chosen box: its restricted dimensions as the box's share of the range the
    futures span (0 to 1), with the quasi-p-value of each restriction."""
    n = max(1, max(len(b.limits) for b in boxes))
    fig, axes = plt.subplots(
        1, len(boxes), figsize=(5.6 * len(boxes), 0.7 * n + 1.8), layout="constrained", squeeze=False
    )
    for ax, box in zip(axes[0], boxes, strict=True):
        lim = box.limits
        for i, (_key, r) in enumerate(lim.iterrows()):
            span = r["full_hi"] - r["full_lo"] or 1.0
            lo, hi = (r["lo"] - r["full_lo"]) / span, (r["hi"] - r["full_lo"]) / span
            ax.plot([0, 1], [i, i], color=GREY, lw=6, alpha=0.25, solid_capstyle="butt")
            ax.plot([lo, hi], [i, i], color=RED, lw=6, solid_capstyle="butt")
            qp = pd.Series([r["qp_lo"], r["qp_hi"]]).min()  # NaN: no quasi-p-value
            ax.annotate(f"{r['lo']:.3g} to {r['hi']:.3g} (qp {qp:.1g})", (1.02, i), va="center", fontsize=7)
        ax.set_yticks(range(len(lim)), lim.index, fontsize=8)
        ax.set_xlim(0, 1.6)
        ax.set_ylim(-0.7, max(len(lim), 1) - 0.3)
        ax.set_xticks([0, 0.5, 1], ["low end", "", "high end"])
        s = box.stats
        ax.set_title(
            f"{box.outcome}\ncoverage {s['coverage']:.0%}, density {s['density']:.0%} "
            f"(all futures {s['mean']:.0%}), mass {s['mass']:.0%}",
            fontsize=9,
        )
        ax.invert_yaxis()
    fig.suptitle(
        title or "The boxes found: where in the range of each uncertainty the feared outcome lives", fontsize=11
    )
    return save_figure(fig, path)


def cart_plot(trees: Sequence, path: Path, title: str = "") -> Path:
    """The classification trees (scikit-learn) that cross-check PRIM, one per outcome:
    (outcome name, tree, feature names)."""
    from sklearn.tree import plot_tree

    fig, axes = plt.subplots(len(trees), 1, figsize=(15, 5.5 * len(trees)), layout="constrained", squeeze=False)
    for ax, (name, tree, columns) in zip(axes[:, 0], trees, strict=True):
        plot_tree(
            tree,
            feature_names=columns,
            class_names=["no", "yes"],
            filled=True,
            impurity=False,
            proportion=True,
            precision=2,
            fontsize=7,
            ax=ax,
        )
        ax.set_title(f"CART: {name}", fontsize=10)
    fig.suptitle(title or "Classification trees on the same futures (the cross-check of PRIM)", fontsize=11)
    return save_figure(fig, path)


def robustness_plot(table: pd.DataFrame, regrets: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Left: the regret of each lever setting across the futures (box: quartiles, whiskers:
    5th-95th percentiles, dot: mean). Right: satisficing, the share of futures in which it
    meets the threshold, with 95% intervals. Settings in order of mean regret."""
    order = list(table["setting"])
    fig, (ax1, ax2) = plt.subplots(
        1, 2, figsize=(13, 0.38 * len(order) + 2), layout="constrained", sharey=True, width_ratios=[3, 2]
    )
    y = np.arange(len(order))
    ax1.boxplot(
        [regrets[s].to_numpy() for s in order],
        positions=y,
        vert=False,
        whis=(5, 95),
        showfliers=False,
        widths=0.6,
        medianprops={"color": BLUE},
    )
    ax1.scatter(table["mean regret"], y, color=RED, zorder=3, s=18, label="mean regret")
    today = table["today"] if "today" in table else pd.Series(False, index=table.index)
    ax1.set_yticks(y, [f"{s} (today)" if t else s for s, t in zip(order, today, strict=True)], fontsize=8)
    ax1.set_xlabel("regret: truce days short of the best setting in that future")
    ax1.grid(alpha=0.3, axis="x")
    ax1.legend(fontsize=8, loc="upper right")
    ax1.invert_yaxis()
    err = np.vstack([table["satisficing"] - table["satisficing_lo"], table["satisficing_hi"] - table["satisficing"]])
    ax2.barh(y, table["satisficing"], xerr=err, color=BLUE, alpha=0.7, capsize=3)
    ax2.set_xlim(0, 1)
    ax2.set_xlabel("share of futures where it succeeds more often than not")
    ax2.grid(alpha=0.3, axis="x")
    fig.suptitle(title or "Robustness of each lever setting across the futures", fontsize=11)
    return save_figure(fig, path)


def voi_plot(effects: pd.DataFrame, path: Path, title: str = "") -> Path:
    """Gain in expected truce days per unit of each improvement of the mechanism, with 95%
    intervals, in every future and in the futures of a box (column ``where``)."""
    fig, ax = plt.subplots(figsize=(8.5, 0.9 * effects["key"].nunique() + 1.8), layout="constrained")
    keys = list(dict.fromkeys(effects["key"]))
    wheres = list(dict.fromkeys(effects["where"]))
    for j, (where, color) in enumerate(zip(wheres, [BLUE, RED, ORANGE], strict=False)):
        t = effects.loc[effects["where"] == where].set_index("key").loc[keys]
        y = np.arange(len(keys)) + (j - (len(wheres) - 1) / 2) * 0.3
        ax.errorbar(
            t["effect"],
            y,
            xerr=[t["effect"] - t["lo"], t["hi"] - t["effect"]],
            fmt="o",
            color=color,
            capsize=3,
            label=where,
        )
    labels = [f"{k}\n(per {effects.loc[effects['key'] == k, 'unit'].iloc[0]:+g})" for k in keys]
    ax.set_yticks(range(len(keys)), labels, fontsize=8)
    ax.axvline(0, color=GREY, lw=0.8)
    ax.set_xlabel("gain in expected truce days per unit")
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)
    ax.invert_yaxis()
    ax.set_title(title or "Value of the mechanism's information: what each improvement buys", fontsize=10)
    return save_figure(fig, path)
