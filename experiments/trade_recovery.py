"""Experiment 5: when Pakistan reopens the crossings. After a spell of calm (the default
rule and the baseline; the calibrated posterior's median is 18 quiet days), as soon as a
round agrees, or a humanitarian opening at 20% of
capacity from day 21 before full reopening (conf/experiment/trade_recovery.yaml; 1,000
replicates each, 365 days): recovery curves and the trade lost.

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

from .base import Experiment, SweepStudy, design_table, fmt_interval  # noqa: E402

NAME = "trade_recovery"
RULE = "crossings.reopen_rule"


def losses_plot(points: pd.DataFrame, path) -> None:
    """Trade lost in the first year by reopening rule: mean and the 5-95% spread."""
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(points))
    mean = points["loss_usd_mean"] / 1e6
    err = np.vstack([mean - points["loss_usd_p05"] / 1e6, points["loss_usd_p95"] / 1e6 - mean])
    ax.bar(x, mean, yerr=err, capsize=5, color="#ff7f0e")
    ax.set_xticks(x, points[RULE])
    ax.set_ylabel("trade lost in the first year (US$ m)")
    ax.set_title("Trade lost by reopening rule (mean; bars: 5-95% of replicates)", fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    save_figure(fig, path)


def recovery_table(points: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "reopening rule": points[RULE],
            "reopened at all": [f"{100 * s:.0f}%" for s in points["reopened_share"]],
            "first reopening, median day": points["first_reopen_day_median"],
            "trade back to 50%": [f"{100 * s:.0f}%" for s in points["trade50_share_recovered"]],
            "days to 50% (median of those)": [
                fmt_interval(m, lo, hi, 0)
                for m, lo, hi in zip(
                    points["trade50_recovered_median"],
                    points["trade50_recovered_lower"],
                    points["trade50_recovered_upper"],
                    strict=True,
                )
            ],
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
                f"{m / 1e6:,.0f} ({lo / 1e6:,.0f}-{hi / 1e6:,.0f})"
                for m, lo, hi in zip(
                    points["loss_usd_mean"], points["loss_usd_p05"], points["loss_usd_p95"], strict=True
                )
            ],
        }
    )


def headline(points: pd.DataFrame) -> str:
    p = points.set_index(RULE)
    calm = p.loc["calm", "loss_usd_mean"]
    parts = [
        f"{rule}: US${p.loc[rule, 'loss_usd_mean'] / 1e6:,.0f} m "
        f"({100 * (p.loc[rule, 'loss_usd_mean'] / calm - 1):+.0f}%)"
        for rule in p.index
        if rule != "calm"
    ]
    return (
        f"trade lost in the first year: US${calm / 1e6:,.0f} m when the crossings reopen after a spell of calm; "
        + "; ".join(parts)
        + f". Trade back to 90% in {100 * p.loc['calm', 'trade90_share_recovered']:.0f}% of replicates on calm."
    )


class TradeRecovery(SweepStudy):
    name = NAME
    title = "Trade recovery"
    intro = "Three rules for reopening the crossings, everything else at its default."
    figures = ("trade.png", "losses.png", "survival.png")

    def draw(self, exp: Experiment) -> None:
        losses_plot(exp.sweep.points, exp.out / "losses.png")

    def tables(self, exp: Experiment) -> dict:
        return {
            "Recovery and losses": recovery_table(exp.sweep.points),
            "Truce and trade against reopening on calm": design_table(exp),
        }

    def headline(self, exp: Experiment) -> str:
        return headline(exp.sweep.points)


if __name__ == "__main__":
    TradeRecovery().main()
