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

from .estimates import Estimates  # noqa: E402
from .io import atomic_path  # noqa: E402

BLUE, ORANGE, GREY, RED = "#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728"


def _save(fig: plt.Figure, path: Path) -> Path:
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


def survival_plot(est: Estimates, path: Path, start_date: str, title: str = "") -> Path:
    """Kaplan-Meier survival of the truce with its 95% band and the headline estimates."""
    curve = est.curve
    x = _dates(start_date, curve["day"].to_numpy())
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.fill_between(x, curve["lower"], curve["upper"], step="post", color=BLUE, alpha=0.25, label="95% interval")
    ax.step(x, curve["survival"], where="post", color=BLUE, lw=2, label="Kaplan-Meier estimate")
    for s in est.summary["truce"]["survival"]:
        d = _dates(start_date, np.array([s["days"]]))[0]
        ax.errorbar([d], [s["p"]], yerr=[[s["p"] - s["lower"]], [s["upper"] - s["p"]]], fmt="o", color="k", capsize=3)
        ax.annotate(f"{s['days']} d: {s['p']:.2f}", (d, s["p"]), textcoords="offset points", xytext=(5, 6), fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("P(truce still holds)")
    ax.set_title(title or "How long the truce holds")
    rmst = est.summary["truce"]["rmst_days"]
    ax.text(0.99, 0.03, f"restricted mean: {rmst['mean']:.0f} days ({rmst['lower']:.0f}-{rmst['upper']:.0f})",
            transform=ax.transAxes, ha="right", fontsize=8, color=GREY)
    _date_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    return _save(fig, path)


def trade_plot(daily: pd.DataFrame, runs: pd.DataFrame, path: Path, start_date: str, title: str = "") -> Path:
    """Fan chart of the trade index (5-95% and 25-75% bands, median, mean) over the
    distribution of the day the crossings first reopen. A truce that collapses closes
    the border, so the distribution is often bimodal: the mean is the line to read."""
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    x = pd.to_datetime(daily["date"])
    ax.fill_between(x, daily["trade_p05"], daily["trade_p95"], color=ORANGE, alpha=0.2, label="5-95% of replicates")
    ax.fill_between(x, daily["trade_p25"], daily["trade_p75"], color=ORANGE, alpha=0.35, label="25-75%")
    ax.plot(x, daily["trade_p50"], color=ORANGE, lw=2, label="median")
    ax.plot(x, daily["trade_mean"], color="k", lw=1, ls="--", label="mean")
    ax.axhline(1.0, color=GREY, lw=0.8)
    ax.set_ylabel("trade index (1 = pre-crisis flow)")
    ax.set_ylim(0, max(1.2, float(daily["trade_p95"].max()) + 0.05))
    ax.set_title(title or "Trade across the border")
    ax.legend(loc="center right", fontsize=8)
    ax.grid(alpha=0.3)
    reopen = runs["first_reopen_day"].dropna().to_numpy()
    if reopen.size:
        bins = np.arange(0, len(daily) + 7, 7)
        ax2.hist(_dates(start_date, reopen), bins=_dates(start_date, bins), color=GREY)
        med = _dates(start_date, np.array([np.median(reopen)]))[0]
        ax.axvline(med, color=GREY, ls=":", lw=1)
        ax.annotate(" median first reopening", (med, 0.03), fontsize=8, color=GREY, ha="left")
    ax2.set_ylabel("crossings\nreopened\n(replicates)")
    shown = f"{100 * reopen.size / len(runs):.0f}% of replicates reopen"
    ax2.text(0.99, 0.85, shown, transform=ax2.transAxes, ha="right", fontsize=8, color=GREY)
    _date_axis(ax2)
    return _save(fig, path)


def dynamics_plot(daily: pd.DataFrame, path: Path, round_days: Sequence[int] = (), start_date: str = "", title: str = "") -> Path:
    """Mean trust each way and grievance (over replicates whose truce is alive), and the
    daily incidents and retaliations (over all replicates); rounds of talks dotted."""
    fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True)
    x = pd.to_datetime(daily["date"])
    a, b, c = axes
    a.plot(x, daily["trust_afg_in_pak_mean"], label="Afghanistan's trust in Pakistan", color=BLUE)
    a.plot(x, daily["trust_pak_in_afg_mean"], label="Pakistan's trust in Afghanistan", color=RED)
    a.set_ylabel("trust")
    b.plot(x, daily["grievance_afg_mean"], label="Afghanistan's grievance", color=BLUE)
    b.plot(x, daily["grievance_pak_mean"], label="Pakistan's grievance", color=RED)
    b.set_ylabel("grievance")
    c.plot(x, daily["incidents_mean"], label="incidents a day", color="k")
    c.plot(x, daily["retaliations_mean"], label="state retaliations a day", color=ORANGE)
    c.set_ylabel("events a day\n(mean over replicates)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
        if start_date:
            for d in round_days:
                ax.axvline(_dates(start_date, np.array([d]))[0], color=GREY, ls=":", lw=0.8)
    a.set_ylim(0, 1)
    b.set_ylim(0, 1)
    a.set_title(title or "Dynamics (dotted: rounds of talks; trust and grievance over truces still alive)")
    _date_axis(c)
    return _save(fig, path)
