"""The figures of one ensemble: survival of the truce, trade, and the day-by-day dynamics."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ...core.outputs import series
from ..estimates import Estimates, median_all
from .common import BLUE, GREY, ORANGE, RED, _date_axis, _dates, plt, save_figure

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
    broken-down truce closes the border, and over truces not yet broken); the share of
    replicates at each level of trade that day (90% of the baseline or more, 50-90%, below
    50%), with the day by which half of them had recovered for good (90% held 30 days),
    if they had; and the days the crossings first reopen. A replicate's border is mostly
    either closed (0) or open (about 1), so a band of quantiles jumps between the two:
    the shares of replicates at each level say what a band cannot."""
    fig, (ax, ax_share, ax_open) = plt.subplots(
        3, 1, figsize=(8, 7.5), sharex=True, gridspec_kw={"height_ratios": [3, 2, 1.2]}
    )
    x = pd.to_datetime(daily["date"])
    ax.plot(x, daily["trade_mean"], color="k", lw=2, label="mean, all replicates")
    ax.plot(x, daily["trade_mean_alive"], color=ORANGE, lw=1.5, label="mean over truces not yet broken")
    ax.axhline(1.0, color=GREY, lw=0.8)
    ax.set_ylabel("trade index\n(1 = pre-crisis flow)")
    ax.set_ylim(0, 1.3)
    ax.set_title(title or "Trade across the border")
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)

    high, mid = daily["trade_share_90"], daily["trade_share_50"] - daily["trade_share_90"]
    ax_share.stackplot(
        x,
        high,
        mid,
        1.0 - daily["trade_share_50"],
        colors=(BLUE, "#9ecae1", "#e0e0e0"),
        labels=("at 90% of baseline or more", "50-90%", "below 50%"),
    )
    half = median_all(runs["trade_days_to_90_sustained"]) if "trade_days_to_90_sustained" in runs else np.inf
    if np.isfinite(half):  # half of all replicates recovered for good by then
        day = _dates(start_date, np.array([half]))[0]
        ax_share.axvline(day, color="k", ls=":", lw=1)
        ax_share.annotate(" half of the replicates recovered for good", (day, 0.9), fontsize=8)
    ax_share.set_ylim(0, 1)
    ax_share.set_ylabel("share of replicates,\nby trade that day")
    ax_share.legend(loc="upper right", fontsize=8)
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
