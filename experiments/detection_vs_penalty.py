"""Experiment 2: the joint mechanism's two main knobs, detection and the penalty on a
verified violator, on a 5 x 5 grid (400
replicates a cell, 365 days).

Writes heatmap.png (P(truce holds 90 days) and restricted mean survival at each cell),
survival.png, trade.png and results.md into experiments/results/detection_vs_penalty/.
"""

from __future__ import annotations

import pandas as pd

from sim.run.grid import Grid  # noqa: E402

from .base import Experiment, GridStudy

NAME = "detection_vs_penalty"
DET, PEN = "mvm.detection_prob", "mvm.penalty"


def grid(points: pd.DataFrame, value: str, digits: int) -> pd.DataFrame:
    table = points.pivot_table(index=DET, columns=PEN, values=value).round(digits)
    table.columns = [f"penalty {c:g}" for c in table.columns]
    return table.reset_index().rename(columns={DET: "detection"})


def headline(points: pd.DataFrame) -> str:
    def at(det: float, pen: float) -> pd.Series:
        return points.loc[(points[DET] == det) & (points[PEN] == pen)].iloc[0]

    d_lo, d_hi, p_lo, p_hi = points[DET].min(), points[DET].max(), points[PEN].min(), points[PEN].max()
    worst, best = at(d_lo, p_lo), at(d_hi, p_hi)
    gain_det = at(d_hi, p_lo)["rmst_days"] - worst["rmst_days"]
    gain_pen = at(d_lo, p_hi)["rmst_days"] - worst["rmst_days"]
    return (
        f"restricted mean survival rises from {worst['rmst_days']:.0f} days (detection {d_lo:g}, penalty {p_lo:g}) "
        f"to {best['rmst_days']:.0f} days (detection {d_hi:g}, penalty {p_hi:g}); alone, full detection adds "
        f"{gain_det:.0f} days and the full penalty {gain_pen:.0f} days; "
        f"P(holds 90 d) {worst['p_hold_90']:.2f} to {best['p_hold_90']:.2f}."
    )


class DetectionVsPenalty(GridStudy):
    name = NAME
    title = "Detection against penalty"
    question = "How do the joint mechanism's detection and its penalty trade off?"
    intro = (
        "The joint mechanism with its chance of detecting an incident in a watched sector and the cost "
        "it imposes on a verified violator varied together; everything else at its default."
    )
    figures = ("heatmap.png", "survival.png", "trade.png")

    def grid(self, quick: bool) -> Grid:
        return Grid(
            {
                DET: (0.2, 0.95) if quick else (0.2, 0.4, 0.6, 0.8, 0.95),
                PEN: (0, 1) if quick else (0, 0.25, 0.5, 0.75, 1),
            },
            {"run.replicates": 400},
        )

    def tables(self, exp: Experiment) -> dict:
        points = exp.sweep.points
        return {
            "P(truce holds 90 days)": grid(points, "p_hold_90", 2),
            "Restricted mean survival, days": grid(points, "rmst_days", 0),
            "Share of replicates with trade back to 90%": grid(points, "trade90_share_recovered", 2),
        }

    def headline(self, exp: Experiment) -> str:
        return headline(exp.sweep.points)


STUDY = DetectionVsPenalty()

if __name__ == "__main__":
    STUDY.main()
