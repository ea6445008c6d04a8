"""Experiment 5: when Pakistan reopens the crossings, and what a lane through them does
while they are shut. Three reopening rules: Pakistan's lever (the default: a decision
tied to what the talks deliver on the TTP, to calm and to its economic pressure), a
spell of calm, or only once a mechanism is agreed; and three lanes: none, people (the
default: Torkham for returning refugees) or people and humanitarian goods
(1,000 replicates each, 365 days). Recovery curves,
trade lost (bilateral and transit, US$, the case facts' figures) and the trade still on
other routes at the end (diversion with hysteresis).

Writes trade.png, losses.png, survival.png and results.md into
experiments/results/trade_recovery/.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis.plots import save_figure  # noqa: E402
from sim.run.grid import Grid  # noqa: E402

from .base import Experiment, GridStudy, design_table, fmt_interval  # noqa: E402

NAME = "trade_recovery"
RULE, LANE = "crossings.reopen_rule", "crossings.aid_lane"


def losses_plot(points: pd.DataFrame, path) -> None:
    """Trade lost in the first year by reopening rule and lane, bilateral and transit
    stacked (means), and the share of trade still on other routes at the end."""
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [2, 1]})
    labels = [f"{r}\n{lane}" for r, lane in zip(points[RULE], points[LANE], strict=True)]
    x = np.arange(len(points))
    bilateral = points["bilateral_loss_usd_mean"] / 1e6
    transit = points["transit_loss_usd_mean"] / 1e6
    ax.bar(x, bilateral, color="#1f77b4", label="bilateral")
    ax.bar(x, transit, bottom=bilateral, color="#ff7f0e", label="transit")
    err = np.vstack(
        [
            (points["loss_usd_mean"] - points["loss_usd_p05"]) / 1e6,
            (points["loss_usd_p95"] - points["loss_usd_mean"]) / 1e6,
        ]
    )
    ax.errorbar(x, points["loss_usd_mean"] / 1e6, yerr=err, fmt="none", ecolor="black", capsize=4)
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("trade lost in the first year (US$ m)")
    ax.set_title("Trade lost by reopening rule and lane (bars: 5-95% of replicates)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    bx.barh(x, 100 * points["diverted_end_mean"], color="#7f7f7f")
    bx.set_yticks(x, [label.replace("\n", " / ") for label in labels], fontsize=8)
    bx.invert_yaxis()
    bx.set_xlabel("% of trade on other routes at day 365 (mean)")
    bx.set_title("Diverted for good (Iran, Central Asia)", fontsize=10)
    bx.grid(alpha=0.3, axis="x")
    save_figure(fig, path)


def _usd(m: float, lo: float, hi: float) -> str:
    return f"{m / 1e6:,.0f} ({lo / 1e6:,.0f}-{hi / 1e6:,.0f})"


def recovery_table(points: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reopening rule": points[RULE],
            "aid lane": points[LANE],
            "reopened at all": [f"{100 * s:.0f}%" for s in points["reopened_share"]],
            "first reopening, median day": points["first_reopen_day_median"],
            "mechanism agreed": [f"{100 * s:.0f}%" for s in points["mvm_agreed_share"]],
            "trade back to 90%": [f"{100 * s:.0f}%" for s in points["trade90_share_recovered"]],
            "days to 90% (median of those)": [
                fmt_interval(m, lo, hi, 0)
                for m, lo, hi in zip(
                    points["trade90_recovered_median"],
                    points["trade90_recovered_lower"],
                    points["trade90_recovered_upper"],
                    strict=True,
                )
            ],
            "trade lost, US$ m (5-95%)": [
                _usd(m, lo, hi)
                for m, lo, hi in zip(
                    points["loss_usd_mean"], points["loss_usd_p05"], points["loss_usd_p95"], strict=True
                )
            ],
            "of which transit, US$ m": [f"{v / 1e6:,.0f}" for v in points["transit_loss_usd_mean"]],
            "diverted at day 365": [f"{100 * s:.1f}%" for s in points["diverted_end_mean"]],
        }
    )


def headline(points: pd.DataFrame) -> str:
    p = points.assign(key=points[RULE] + "/" + points[LANE]).set_index("key")
    base = p.loc["lever/people"]
    parts = [
        f"{key}: {100 * (row['loss_usd_mean'] / base['loss_usd_mean'] - 1):+.0f}%"
        for key, row in p.iterrows()
        if key != "lever/people"
    ]
    return (
        f"with reopening as Pakistan's lever and a lane for people (the default), trade lost in the first year is "
        f"US${base['loss_usd_mean'] / 1e6:,.0f} m on average "
        f"(transit US${base['transit_loss_usd_mean'] / 1e6:,.0f} m), "
        f"the crossings reopen in {100 * base['reopened_share']:.0f}% of replicates (median day "
        f"{base['first_reopen_day_median']:.0f}) and {100 * base['diverted_end_mean']:.1f}% of trade is on other "
        f"routes at day 365. Against it: " + "; ".join(parts) + "."
    )


class TradeRecovery(GridStudy):
    name = NAME
    title = "Trade recovery"
    question = "When does Pakistan reopen the crossings, and what does a lane through them save?"
    intro = (
        "Three rules for reopening the crossings and three lanes through them while they are shut, "
        "everything else at its default."
    )
    figures = ("trade.png", "losses.png", "survival.png")

    def grid(self, quick: bool) -> Grid:
        return Grid(
            {
                RULE: ("lever", "calm") if quick else ("lever", "calm", "agreement"),
                LANE: ("people", "goods") if quick else ("none", "people", "goods"),
            },
            {"run.replicates": 1000},
            baseline={RULE: "lever", LANE: "people"},
        )

    def draw(self, exp: Experiment) -> None:
        losses_plot(exp.sweep.points, exp.out / "losses.png")

    def tables(self, exp: Experiment) -> dict:
        return {
            "Recovery and losses": recovery_table(exp.sweep.points),
            "Truce and trade against the default (lever, lane for people)": design_table(exp),
        }

    def headline(self, exp: Experiment) -> str:
        return headline(exp.sweep.points)


STUDY = TradeRecovery()

if __name__ == "__main__":
    STUDY.main()
