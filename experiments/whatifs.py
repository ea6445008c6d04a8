"""Experiment: the named what-ifs from the forecast date, each against the forecast.

Every what-if of conf/whatif/ (they change things from 6 Nov 2025, the day after the
record, and leave days 0-17 as they were; qatar_alone_from_6nov is turkey_withdraws by
another name and is not run twice) against no what-if: 1,000 replicates each, 365 days,
paired by replicate. For each: the paired difference, with its 95% interval, in days of
truce by each definition of a broken truce, trade on days 90 and 180, days to a lasting
recovery (90% of the flow held 30 days) and US$ trade lost.

Writes survival.png, trade.png, comparison.csv (every difference and p-value) and
results.md into experiments/results/whatifs/ (or --out); ``make figures`` ships them into
docs/studies/whatifs/, from which the README's answers are generated (python -m sim.docs --all).
"""

from __future__ import annotations

import shutil

import pandas as pd

from sim.analysis.comparison import differences_table
from sim.core.schema import group_options
from sim.run.grid import Grid

from .base import Experiment, GridStudy

#: The what-ifs run: no what-if (the baseline) and each named one, once.
WHATIFS = ("none", *(w for w in group_options("whatif") if w not in ("none", "qatar_alone_from_6nov")))
#: At --quick size (the tests): the two of the analyst's questions, on a shorter horizon.
QUICK_WHATIFS = ("none", "turkey_withdraws", "third_party_monitors")
#: How the headline names each what-if.
WORDS = {
    "turkey_withdraws": "Türkiye stepping back after 5 Nov",
    "third_party_monitors": "third-party monitors instead of the joint mechanism",
    "no_mechanism": "no mechanism",
    "goods_lane": "a goods lane from 6 Nov",
    "mediators_guarantee": "a full guarantee by the mediators",
}


class WhatIfs(GridStudy):
    name = "whatifs"
    title = "Named what-ifs from the forecast date"
    question = (
        "What changes if, from 6 Nov 2025, Türkiye steps back, the monitors are third-party, a goods lane opens...?"
    )
    intro = (
        "Each named what-if of conf/whatif/ against the forecast (no what-if): they change things from 6 Nov 2025, "
        "the day after the record, so days 0-17 replay the record in both (tested). qatar_alone_from_6nov is "
        "turkey_withdraws by another name."
    )

    def grid(self, quick: bool) -> Grid:
        if quick:
            return Grid({"whatif": QUICK_WHATIFS}, {"run.horizon_days": 200}, baseline={"whatif": "none"})
        return Grid({"whatif": WHATIFS}, {"run.replicates": 1000}, baseline={"whatif": "none"})

    def tables(self, exp: Experiment) -> dict[str, pd.DataFrame]:
        return {
            "Each what-if against the forecast: paired differences, 95% intervals": differences_table(exp.comparison),
            **super().tables(exp),
        }

    def draw(self, exp: Experiment) -> None:
        shutil.copyfile(exp.sweep.path / "comparison.csv", exp.out / "comparison.csv")
        if (exp.sweep.path / "comparison.png").exists():
            shutil.copyfile(exp.sweep.path / "comparison.png", exp.out / "comparison.png")

    figures = ("comparison.png", "survival.png", "trade.png")

    def headline(self, exp: Experiment) -> str:
        """Days without a breakdown each what-if adds (or costs), and what Türkiye's
        withdrawal costs in trade."""
        parts = []
        for whatif, words in WORDS.items():
            if whatif not in set(exp.sweep.points["whatif"]):
                continue
            r = exp.point(whatif=whatif)
            part = (
                f"{words}: {r['diff_breakdown_days']:+.0f} days without a breakdown "
                f"({r['diff_breakdown_days_lower']:+.0f} to {r['diff_breakdown_days_upper']:+.0f})"
            )
            if whatif == "turkey_withdraws":
                part += f" and US${r['diff_loss_usd'] / 1e6:+,.0f} m of trade lost"
            parts.append(part)
        return f"within {exp.sweep.horizon} days, against the forecast: " + "; ".join(parts)


STUDY = WhatIfs()

if __name__ == "__main__":
    STUDY.main()
