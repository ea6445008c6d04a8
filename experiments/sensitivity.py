"""Experiment 6: global sensitivity analysis. Which of the model's parameters move the
forecast of how long the truce holds and how fast trade recovers?

Stage 1, Morris screening over every parameter with a sensitivity range in the
parameter table (171; docs/model.md): 10 trajectories (1,720 points) x 100 replicates.
Stage 2, Sobol first- and total-order indices (with bootstrap 95% intervals) over the
4 most influential parameters of each output: a Saltelli sample of 128 x (k + 2) points
x 50 replicates. Outputs: restricted mean survival of the truce at 365 days and the
restricted mean days to 90% trade recovery. Each stage is a Hydra sweep over the rows
of its design (``parameters.row``), so it scales out like any sweep (add
hydra/launcher=slurm). Method: sim/analysis/sensitivity.py.

``--reduced``: 4 trajectories x 50 replicates, then Sobol with 64 x (k + 2) points x 25
replicates (about 20 minutes on 2 cores), for a re-measurement between full runs.

Writes morris.png, sobol.png, morris.csv, sobol.csv and results.md into
experiments/results/sensitivity/ (or --out); the designs and sweeps in morris/ and sobol/.
"""

from __future__ import annotations

import argparse

import pandas as pd

from sim.analysis import plots
from sim.analysis import sensitivity as sa
from sim.core.schema import readable_name
from sim.run.config import default_config
from sim.run.grid import Grid

from .base import Experiment, Study, run_points, write_report

NAME = "sensitivity"
FULL = {"trajectories": 10, "morris_replicates": 100, "sobol_n": 128, "sobol_replicates": 50, "top": 4}
QUICK = {"trajectories": 2, "morris_replicates": 6, "sobol_n": 8, "sobol_replicates": 10, "top": 2}
#: ``--reduced``: between the two, for a re-measurement in about 20 minutes on 2 cores.
REDUCED = {"trajectories": 4, "morris_replicates": 50, "sobol_n": 64, "sobol_replicates": 25, "top": 4}
SEED = 20251105  # SALib's samplers and bootstraps


def stage(args: argparse.Namespace, which: str, design, replicates: int) -> tuple[Experiment, pd.DataFrame]:
    """Run one design as a grid over its rows; return the experiment and its outputs."""
    path = sa.write_design(design, args.out / which / "design.csv")
    grid = Grid(
        {"parameters.row": range(len(design))},
        {
            "parameters.table": str(path.resolve()),
            "run.figures": False,
            "run.events": False,  # the indices need the runs table only
            "run.replicates": replicates,
        },
    )
    exp = run_points(NAME, args, grid, sub=f"{which}/sweep", quiet=True)
    return exp, sa.outputs(exp.sweep.runs, exp.sweep.horizon)


def top_table(morris: pd.DataFrame, out: str, n: int = 15) -> pd.DataFrame:
    t = morris.loc[(morris["output"] == out) & (morris["rank"] <= n)]
    return pd.DataFrame(
        {
            "rank": t["rank"],
            "parameter": [readable_name(k, 80) for k in t["key"]],
            "key": t["key"],
            "mu* (days)": [f"{m:.1f} ± {c:.1f}" for m, c in zip(t["mu_star"], t["mu_star_conf"], strict=True)],
            "mu (days, signed)": t["mu"].round(1),
            "sigma (days)": t["sigma"].round(1),
        }
    )


def sobol_table(sobol: pd.DataFrame, out: str) -> pd.DataFrame:
    t = sobol.loc[sobol["output"] == out].sort_values("ST", ascending=False)
    return pd.DataFrame(
        {
            "parameter": [readable_name(k, 80) for k in t["key"]],
            "key": t["key"],
            "S1 (95% CI)": [
                f"{s:.2f} ({s - c:.2f} to {s + c:.2f})" for s, c in zip(t["S1"], t["S1_conf"], strict=True)
            ],
            "ST (95% CI)": [
                f"{s:.2f} ({s - c:.2f} to {s + c:.2f})" for s, c in zip(t["ST"], t["ST_conf"], strict=True)
            ],
        }
    )


def headline(morris: pd.DataFrame, sobol: pd.DataFrame, n_factors: int) -> str:
    parts = []
    for out, name in (("rmst_days", "the truce's restricted mean survival"), ("trade90_days", "days to 90% trade")):
        m = morris.loc[morris["output"] == out].head(3)
        s = sobol.loc[sobol["output"] == out].sort_values("ST", ascending=False).iloc[0]
        lead = ", ".join(f"{readable_name(r['key'], 80)} (mu* {r['mu_star']:.0f} d)" for _, r in m.iterrows())
        parts.append(
            f"for {name}: {lead}; Sobol: {readable_name(s['key'], 80)} has the largest total-order index, "
            f"S1 {s['S1']:.2f}, ST {s['ST']:.2f}"
        )
    return f"of {n_factors} parameters screened, the most influential " + "; ".join(parts) + "."


class Sensitivity(Study):
    name = NAME
    title = "Global sensitivity analysis"
    question = "Which of the model's assumptions move the forecast most?"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--reduced", action="store_true", help="4 trajectories x 50, Sobol 64 x (k + 2) x 25 (about 20 minutes)"
        )

    def run(self, args: argparse.Namespace) -> str:
        size = QUICK if args.quick else REDUCED if args.reduced else FULL
        factors = sa.factors(default_config())

        morris_design = sa.morris_design(factors, size["trajectories"], seed=SEED)
        exp_m, y_m = stage(args, "morris", morris_design, size["morris_replicates"])
        morris = sa.analyze_morris(factors, morris_design, y_m, seed=SEED)
        morris.to_csv(args.out / "morris.csv", index=False)
        plots.morris_plot(morris, args.out / "morris.png")

        chosen_keys = sa.most_influential(morris, size["top"])
        chosen = [f for f in factors if f.key in chosen_keys]
        sobol_design = sa.sobol_design(chosen, size["sobol_n"], seed=SEED)
        exp_s, y_s = stage(args, "sobol", sobol_design, size["sobol_replicates"])
        sobol = sa.analyze_sobol(chosen, y_s, len(sobol_design), seed=SEED)
        sobol.to_csv(args.out / "sobol.csv", index=False)
        plots.sobol_plot(sobol, args.out / "sobol.png")

        head = headline(morris, sobol, len(factors))
        write_report(
            args.out,
            NAME,
            self.title,
            f"Morris screening of all {len(factors)} parameters with a sensitivity range "
            f"({exp_m.size}; the ranges are the table's 'sensitivity range' column in docs/model.md), then Sobol "
            f"indices of the {len(chosen)} most influential ({exp_s.size}). mu* is the mean absolute change of the "
            "output, in days, per full range of a parameter (the change a step of 2/3 of the range makes, divided "
            "by 2/3); S1 the share of the output's variance a parameter explains alone, ST with all its "
            "interactions.",
            f"Run: `python -m experiments.{NAME}{' --quick' if args.quick else ' --reduced' if args.reduced else ''}` "
            f"(Morris {exp_m.size}, Sobol {exp_s.size}; {exp_m.elapsed_s + exp_s.elapsed_s:.0f} s on this machine for "
            "the points this invocation ran: points already complete are resumed, not run again).",
            {
                "Morris: restricted mean truce at the horizon": top_table(morris, "rmst_days"),
                "Morris: days to 90% trade recovery": top_table(morris, "trade90_days"),
                "Sobol: restricted mean truce": sobol_table(sobol, "rmst_days"),
                "Sobol: days to 90% trade recovery": sobol_table(sobol, "trade90_days"),
            },
            ["morris.png", "sobol.png"],
            head,
        )
        return head


STUDY = Sensitivity()

if __name__ == "__main__":
    STUDY.main()
