"""Experiment: a backtest of the reopening of the border on the closures before 2025-10.

For each earlier closure of the record (2017; February 2023; September 2023;
February-March 2025: docs/context/case-facts.md, record-to-5nov.md sec. 3), the model
forecasts from the day the crossings closed how long they stay shut to trade (and, for
2025, when trade is back to 90%), and the forecast is scored with the scoring command
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
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis import plots
from sim.cli.score import score_run
from sim.core.errors import ConfigError
from sim.core.io import write_csv
from sim.core.schema import CONF_DIR
from sim.run.folder import out_dir_arg
from sim.run.parameters import read_table

from .base import RESULTS

NAME = "backtest"
QUESTIONS = CONF_DIR / "questions" / "backtest"
#: The closures: (id, first day, observed length in days).
CLOSURES = (
    ("2017", "2017-02-16", 32),
    ("2023_feb", "2023-02-19", 6),
    ("2023_sep", "2023-09-06", 9),
    ("2025", "2025-02-21", 26),
)


def overrides(start_date: str, table: Path | None) -> list[str]:
    """The backtest scenario: shut on day 0, bilateral (no rounds, mediators or aid lane)."""
    return [
        f"scenario.start_date={start_date}",
        "scenario.closed_days=0",
        "scenario.rounds=[]",
        "mediation=none",
        "crossings.aid_lane=none",
        f"parameters.table={table if table is not None else 'null'}",
    ]


def parameters_only(posterior: Path, out: Path) -> Path:
    """The posterior's parameters without the histories of October 2025."""
    table = read_table(str(posterior.resolve()), "--posterior")  # a garbage file: ConfigError, one paragraph
    return write_csv(table.drop(columns=[c for c in ("record_seed", "record_day") if c in table]), out)


def run(posterior: Path, out: Path, replicates: int, horizon: int = 365) -> pd.DataFrame:
    """Run every closure with ``python -m sim`` and score it with ``python -m sim.score``
    (the commands a user runs); returns the scores, one row per question."""
    out.mkdir(parents=True, exist_ok=True)
    table = parameters_only(posterior, (out / "posterior_parameters_only.csv").resolve())
    rows = []
    for cid, start, _ in CLOSURES:
        run_dir = (out / f"run_{cid}").resolve()
        if run_dir.exists():
            shutil.rmtree(run_dir)
        command = [
            sys.executable,
            "-m",
            "sim",
            *overrides(start, table),
            f"run.replicates={replicates}",
            f"run.horizon_days={horizon}",
            "run.progress=false",
            "run.figures=false",
            f"hydra.run.dir={run_dir}",
        ]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        scores = score_run(run_dir, QUESTIONS / f"{cid}.yaml")
        rows.append(scores.assign(closure=cid))
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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        prog=f"python -m experiments.{NAME}", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--posterior",
        type=Path,
        default=CONF_DIR / "calibration" / "posterior.csv",
        help="the posterior table whose parameters run (default: %(default)s)",
    )
    parser.add_argument("--replicates", type=int, default=1000, help="replicates a closure (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="100 replicates a closure")
    parser.add_argument("--out", type=out_dir_arg, default=RESULTS / NAME, help="results folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.quick:
        args.replicates = 100
    if not args.posterior.is_file():
        parser.error(f"--posterior {args.posterior} does not exist")
    if args.replicates < 10:
        parser.error("--replicates must be at least 10")
    scores = run(args.posterior, args.out, args.replicates)
    write_csv(scores, args.out / "backtest.csv")
    plot(scores, args.out / "backtest.png")
    lines = [
        "# Backtest on the earlier closures",
        "",
        f"Run: `python -m experiments.{NAME}"
        f"{' --quick' if args.quick else ''}` ({args.replicates:,} replicates a closure).",
        "",
        "Lower scores are better.",
        "",
        table(scores).to_markdown(index=False),
        "",
        "![backtest.png](backtest.png)",
        "",
    ]
    (args.out / "results.md").write_text("\n".join(lines))
    print(f"{NAME}: report {args.out / 'results.md'}")


if __name__ == "__main__":
    try:
        main()
    except (ConfigError, subprocess.CalledProcessError) as err:
        print(f"{NAME}: {err}", file=sys.stderr)
        sys.exit(2)
