"""Experiment: a backtest of the reopening of the border on the closures before 2025-10.

For each earlier closure of the record (2017; February 2023; September 2023;
February-March 2025: docs/context/case-facts.md, record-to-5nov.md sec. 3), run with its
cause (``scenario.closure_cause``: 2017 as leverage, tied to a list of 76 militants; the
others over local disputes: a medical-visa dispute, border posts, post construction), the
model forecasts from the day the crossings closed how long they stay shut to trade (and,
for 2025, when trade is back to 90%), and the forecast is scored with the scoring command
(``python -m sim.score``: log score and CRPS) against what happened and against a
base-rate reference (a constant daily hazard, the mean of the other closures: leave one
out). Questions and resolutions: conf/questions/backtest/.

The backtest scenario is the default one with every crossing shut on day 0 (no earlier
days of closure), no mediated rounds, no aid lane and no mediators: those closures were
bilateral (assumption: the states' trust and grievance of October 2025, the behaviour
of the calibrated posterior, its parameters without the histories of October 2025).
Writes backtest.csv, backtest.png and results.md into experiments/results/backtest/.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis import plots
from sim.core.errors import UsageError
from sim.core.io import write_csv
from sim.core.schema import CONF_DIR
from sim.run.grid import Grid, run_grid
from sim.run.parameters import read_table
from sim.run.reading import score_run

from .base import Study, write_report

NAME = "backtest"
QUESTIONS = CONF_DIR / "questions" / "backtest"
#: The closures: (id, first day, observed length in days, cause: case-facts.md, record sec. 3).
CLOSURES = (
    ("2017", "2017-02-16", 32, "leverage"),
    ("2023_feb", "2023-02-19", 6, "local"),
    ("2023_sep", "2023-09-06", 9, "local"),
    ("2025", "2025-02-21", 26, "local"),
)
CAUSES = ("leverage", "local")


def scenario(table: Path | None) -> dict[str, object]:
    """The backtest scenario: shut on day 0, bilateral (no rounds, mediators or aid lane)."""
    return {
        "scenario.closed_days": 0,
        "scenario.rounds": [],
        "mediation": "none",
        "crossings.aid_lane": "none",
        "parameters.table": None if table is None else str(table),
    }


def parameters_only(posterior: Path, out: Path) -> Path:
    """The posterior's parameters without the histories of October 2025."""
    table = read_table(str(posterior.resolve()), "--posterior")  # a garbage file: ConfigError, one paragraph
    return write_csv(table.drop(columns=[c for c in ("record_seed", "record_day") if c in table]), out)


def run(posterior: Path, out: Path, replicates: int, horizon: int = 365, overrides: Sequence[str] = ()) -> pd.DataFrame:
    """Run every closure (one point of a grid over the start dates) and score it with the
    scoring command's function (``python -m sim.score``); returns the scores, one row per
    question."""
    out.mkdir(parents=True, exist_ok=True)
    table = parameters_only(posterior, (out / "posterior_parameters_only.csv").resolve())
    fixed = {**scenario(table), "run.replicates": replicates, "run.horizon_days": horizon, "run.figures": False}
    jobs = {}
    for cause in CAUSES:  # a grid over the start dates of the closures of each cause
        starts = [start for _, start, _, c in CLOSURES if c == cause]
        grid = Grid({"scenario.start_date": starts}, {**fixed, "scenario.closure_cause": cause})
        sweep = run_grid(grid, out / f"runs_{cause}", list(overrides), quiet=True)
        jobs.update({job.values["scenario.start_date"]: job for job in sweep.jobs})
    rows = []
    for cid, start, _, _ in CLOSURES:
        job = jobs[start]
        if job.status != "complete":
            raise UsageError(f"the run of the {cid} closure did not finish: {job.reason}")
        rows.append(score_run(job.path, QUESTIONS / f"{cid}.yaml").assign(closure=cid))
        print(f"{NAME}: {cid} scored", flush=True)
    return pd.concat(rows, ignore_index=True)


def table(scores: pd.DataFrame) -> pd.DataFrame:
    """The scores for a report: forecast, outcome, log score and CRPS, model and reference."""
    cols = {
        "id": "question",
        "outcome": "what happened, day",
        "forecast_median": "model median",
        "forecast_q05": "model 5%",
        "forecast_q95": "model 95%",
        "ref_forecast": "base rate mean",
        "log": "log score",
        "ref_log": "base-rate log score",
        "crps": "CRPS",
        "ref_crps": "base-rate CRPS",
    }
    frame = scores[list(cols)].rename(columns=cols)
    return frame.round(2)


def plot(scores: pd.DataFrame, path: Path) -> Path:
    """Each closure: the model's forecast (median and 90% interval) and the reference's
    mean against what happened."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    y = np.arange(len(scores))
    ax.hlines(y, scores["forecast_q05"], scores["forecast_q95"], color=plots.BLUE, lw=3, alpha=0.5, label="model, 90%")
    ax.plot(scores["forecast_median"], y, "o", color=plots.BLUE, label="model, median")
    ax.plot(scores["ref_forecast"], y, "s", color=plots.GREY, label="base rate, mean")
    ax.plot(scores["outcome"], y, "D", color=plots.ORANGE, label="what happened")
    ax.set_yticks(y, scores["id"].str.replace("closure_", ""), fontsize=8)
    ax.set_xlabel("days from the closure")
    ax.set_title("Backtest on the earlier closures: reopening for trade (and 2025's recovery)", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    return plots.save_figure(fig, path)


class Backtest(Study):
    name = NAME
    title = "Backtest on the earlier closures"
    question = "Would the model have forecast how long the border's earlier closures lasted?"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--posterior",
            type=Path,
            default=CONF_DIR / "calibration" / "posterior.csv",
            help="the posterior table whose parameters run (default: %(default)s)",
        )
        parser.add_argument("--replicates", type=int, default=1000, help="replicates a closure (default: %(default)s)")

    def check(self, parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
        if args.quick:
            args.replicates = 100
        if not args.posterior.is_file():
            parser.error(f"--posterior {args.posterior} does not exist")
        if args.replicates < 10:
            parser.error("--replicates must be at least 10")

    def run(self, args: argparse.Namespace) -> str:
        scores = run(args.posterior, args.out, args.replicates, overrides=args.overrides)
        write_csv(scores, args.out / "backtest.csv")
        plot(scores, args.out / "backtest.png")
        head = headline(scores)
        write_report(
            args.out,
            NAME,
            self.title,
            "Lower scores are better; the reference is a base rate (a constant daily hazard, the mean of the "
            "other closures: leave one out).",
            f"Run: `python -m experiments.{NAME}{' --quick' if args.quick else ''}` "
            f"({args.replicates:,} replicates a closure).",
            {"Scores": table(scores)},
            ["backtest.png"],
            head,
        )
        return head


def headline(scores: pd.DataFrame) -> str:
    """On how many questions the model's log score and CRPS are no worse than the base rate's."""
    log_ok = int((scores["log"] <= scores["ref_log"]).sum())
    crps_ok = int((scores["crps"] <= scores["ref_crps"]).sum())
    n = len(scores)
    return (
        f"the model's log score is no worse than the base rate's on {log_ok} of {n} questions, its CRPS on "
        f"{crps_ok} of {n} (CRPS {scores['crps'].min():.0f}-{scores['crps'].max():.0f} days against "
        f"{scores['ref_crps'].min():.0f}-{scores['ref_crps'].max():.0f})."
    )


STUDY = Backtest()

if __name__ == "__main__":
    STUDY.main()
