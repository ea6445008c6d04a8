"""Experiment 3: how much mediation matters, and how it mediates. Turkiye and Qatar
together (as in Doha and Istanbul), Qatar or Turkiye alone, or no mediator; the
mediators putting a single text that links issues (Raiffa 1982; Sebenius 1983) or the
parties trading offers issue by issue. With no mediator there is no one to write a
single text, so its two points are the same replicate by replicate. Two mediators add
leverage but coordinate at a cost (Beardsley 2011). 1,000 replicates each, 365 days;
baseline: no mediation.

Writes survival.png, rmst.png, trade.png and results.md into
experiments/results/mediation/.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis.plots import save_figure  # noqa: E402
from sim.run.grid import Grid  # noqa: E402

from .base import Experiment, GridStudy, design_table  # noqa: E402

NAME = "mediation"
LINEUP, PROTOCOL = "mediation", "negotiation.protocol"


def rmst_bars(points: pd.DataFrame, path) -> None:
    """Restricted mean survival and the share of replicates with a mechanism agreed, by
    mediator line-up, with a single text or issue by issue."""
    lineups = list(dict.fromkeys(points[LINEUP]))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.2))
    x = np.arange(len(lineups))
    for offset, (protocol, color, name) in zip(
        (-0.2, 0.2),
        (("single_text", "#1f77b4", "the mediators' single text"), ("issue_by_issue", "#ff7f0e", "issue by issue")),
        strict=True,
    ):
        rows = points.loc[points[PROTOCOL] == protocol].set_index(LINEUP).reindex(lineups)
        err = np.vstack([rows["rmst_days"] - rows["rmst_days_lower"], rows["rmst_days_upper"] - rows["rmst_days"]])
        ax.bar(x + offset, rows["rmst_days"], width=0.38, yerr=err, capsize=4, color=color, label=name)
        bx.bar(x + offset, 100 * rows["mvm_agreed_share"], width=0.38, color=color, label=name)
    ax.set_ylabel("restricted mean survival of the truce (days)")
    ax.set_title("Days of truce in the first year, 95% intervals", fontsize=10)
    bx.set_ylabel("% of replicates")
    bx.set_title("A mechanism agreed within the year", fontsize=10)
    for a in (ax, bx):
        a.set_xticks(x, lineups)
        a.legend(fontsize=8)
        a.grid(alpha=0.3, axis="y")
    save_figure(fig, path)


class Mediation(GridStudy):
    name = NAME
    title = "Mediation"
    question = "How much does mediation matter, and does a single text that links issues help?"
    intro = (
        "Mediator line-ups, with the mediators putting a single text that links the issues or the parties "
        "trading offers issue by issue. Without mediators, rounds still happen bilaterally, issue by issue; "
        "the protocol setting then has no effect, so its two points are identical replicate by replicate."
    )
    figures = ("rmst.png", "survival.png", "trade.png")

    def grid(self, quick: bool) -> Grid:
        return Grid(
            {
                LINEUP: ("none", "turkey_qatar") if quick else ("none", "qatar_only", "turkey_only", "turkey_qatar"),
                PROTOCOL: ("single_text", "issue_by_issue"),
            },
            {"run.replicates": 1000},
            baseline={LINEUP: "none", PROTOCOL: "issue_by_issue"},
        )

    def draw(self, exp: Experiment) -> None:
        rmst_bars(exp.sweep.points, exp.out / "rmst.png")

    def tables(self, exp: Experiment) -> dict:
        return {"Line-ups against no mediation": design_table(exp)}

    def headline(self, exp: Experiment) -> str:
        both = exp.point(**{LINEUP: "turkey_qatar", PROTOCOL: "single_text"})
        piecemeal = exp.point(**{LINEUP: "turkey_qatar", PROTOCOL: "issue_by_issue"})
        none = exp.baseline
        try:
            qatar = exp.point(**{LINEUP: "qatar_only", PROTOCOL: "single_text"})
            alone = f"Qatar alone with a single text, {qatar['diff_truce_days']:.0f} days. "
        except KeyError:  # not in a --quick design
            alone = ""
        return (
            f"Turkiye and Qatar with a single text add {both['diff_truce_days']:.0f} days of truce in the first year "
            f"over no mediation (95% CI {both['diff_truce_days_lower']:.0f} to {both['diff_truce_days_upper']:.0f}; "
            f"paired p = {both['diff_truce_days_p']:.1g}); issue by issue, {piecemeal['diff_truce_days']:.0f} days "
            f"({piecemeal['diff_truce_days_lower']:.0f} to {piecemeal['diff_truce_days_upper']:.0f}). {alone}"
            f"A mechanism is agreed within the year in "
            f"{100 * both['mvm_agreed_share']:.0f}% of replicates with both mediators' single text, "
            f"{100 * piecemeal['mvm_agreed_share']:.0f}% issue by issue, {100 * none['mvm_agreed_share']:.0f}% "
            f"without mediators."
        )


STUDY = Mediation()

if __name__ == "__main__":
    STUDY.main()
