"""Experiment 7: calibration to the record up to 5 November 2025 (rejection ABC).

Draws the calibrated parameters (sim/analysis/calibration.py: CALIBRATED) from a uniform prior
on their sensitivity ranges (a Latin hypercube of 40,000 draws), runs each draw for the
17 days from the ceasefire of 19 October to 5 November, and keeps the draws whose
history reproduces every fact of the record: the truce holds; violent incidents on
24-25 October; Istanbul round 2 (30 October) extends the truce; every crossing closed.
Nothing after 5 November 2025 is used.

Writes posterior.csv (a parameter table: the accepted parameters and the seeds of their
histories), draws.parquet (every draw and the facts it reproduced), summary.csv,
posterior.png (prior and posterior of each parameter), facts.png, and
forecast.png (the calibrated forecast against the point defaults) and results.md into
experiments/results/calibration/ (or --out). With --install, posterior.csv replaces
conf/calibration/posterior.csv, the table the default scenario draws from, and the
posterior medians become the defaults in conf/ (marked [calibrated]).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis import calibration as cal
from sim.analysis import plots
from sim.analysis.estimates import estimate
from sim.errors import ConfigError
from sim.io import write_csv, write_parquet, write_text
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_ensemble
from sim.schema import CONF_DIR

from .base import RESULTS

NAME = "calibration"
INSTALLED = CONF_DIR / "calibration" / "posterior.csv"
SEED = 20251105


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m experiments.{NAME}", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--draws", type=int, default=40_000, help="prior draws (default: %(default)s)")
    parser.add_argument(
        "--replicates", type=int, default=1000, help="replicates of each forecast compared (default: %(default)s)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="2,000 draws and 200 replicates, for tests and a first look"
    )
    parser.add_argument(
        "--install",
        action="store_true",
        help=f"copy the posterior to {INSTALLED} (the default scenario's table) and make its medians the defaults",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / NAME, help="results folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.replicates = 2000, 200
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} is a file, not a folder")
    if args.draws < 100 or args.replicates < 10:
        parser.error("--draws must be at least 100 and --replicates at least 10")
    return args


def posterior_medians(summary: pd.DataFrame, table: pd.DataFrame) -> dict[str, int | float]:
    """Each calibrated parameter's posterior median, a whole number for integer ones."""
    return {
        k: int(round(v)) if pd.api.types.is_integer_dtype(table[k]) else float(v)
        for k, v in zip(summary["key"], summary["posterior_median"], strict=True)
    }


def set_default(files: dict[Path, list[str]], key: str, value: str, scenario: str) -> None:
    """Set ``value`` as the default of ``key`` in the lines of its YAML file under conf/
    (read into ``files`` once) and mark the line [calibrated]; comments and layout kept."""
    section, *middle, leaf = key.split(".")
    path = CONF_DIR / "config.yaml"
    if section == "scenario":  # scenario.<party>.<knob> lives in the scenario's own file
        path, section = CONF_DIR / "scenario" / f"{scenario}.yaml", middle[0]
    lines = files.setdefault(path, path.read_text().split("\n"))
    start = lines.index(f"{section}:")
    for i in range(start + 1, len(lines)):
        match = re.match(rf"^  {leaf}:\s*\S+(\s*#\s*(\[calibrated\]\s*)?(.*))?$", lines[i])
        if match:
            lines[i] = f"  {leaf}: {value}".ljust(29) + f" # [calibrated] {match.group(3) or ''}".rstrip()
            return
        if lines[i] and not lines[i].startswith(" "):
            break
    raise ConfigError(f"cannot find {key} in {path} to set its default")


def install(posterior: Path, summary: pd.DataFrame) -> None:
    """The posterior becomes the table the default scenario draws from, and its medians
    the defaults (3 significant digits; whole numbers for integer parameters). Every
    file is rewritten only once all the new defaults are found."""
    table = pd.read_csv(posterior)
    scenario = default_config().scenario.name
    files: dict[Path, list[str]] = {}
    for key, median in posterior_medians(summary, table).items():
        set_default(files, key, str(median) if isinstance(median, int) else f"{median:.3g}", scenario)
    INSTALLED.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(posterior, INSTALLED)
    for path, lines in files.items():
        write_text("\n".join(lines), path)
    print(
        f"{NAME}: installed {INSTALLED} ({len(table):,} rows) and set {len(summary)} defaults to its medians; "
        "run `python -m sim.docs` to refresh the parameter table"
    )


def facts_plot(draws: pd.DataFrame, path: Path) -> Path:
    """Share of prior draws reproducing each fact, and all of them."""
    shares = [draws[f].mean() for f in cal.FACTS] + [draws["match"].mean()]
    labels = [
        "truce holds to 5 Nov",
        "incidents 24-25 Oct",
        "round 2 extends the truce",
        "all crossings closed",
        "all four",
    ]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.barh(labels[::-1], shares[::-1], color=[plots.ORANGE] + [plots.BLUE] * 4)
    for y, v in enumerate(shares[::-1]):
        ax.text(v + 0.01, y, f"{v:.1%}", va="center", fontsize=8)
    ax.set_xlim(0, 1.1)
    ax.set_xlabel(f"share of the {len(draws):,} prior draws that reproduce it")
    ax.set_title("The record up to 5 November 2025, fact by fact", fontsize=10)
    return plots.save_figure(fig, path)


def forecasts(posterior: Path, replicates: int, summary: pd.DataFrame) -> dict[str, object]:
    """The default scenario forecast three ways: point values at the posterior medians
    (no parameter uncertainty), the posterior's parameters without their histories, and
    the calibrated ensemble (parameters and histories: the default)."""
    base = default_config([f"run.replicates={replicates}", "run.progress=false"])
    table = pd.read_csv(posterior)
    medians = posterior_medians(summary, table)
    no_history = posterior.with_name("posterior_parameters_only.csv")
    write_csv(table.drop(columns=["record_seed", "record_day"]), no_history)
    configs = {
        "posterior medians, fixed": with_values(base, {"parameters.table": None, "parameters.row": None, **medians}),
        "posterior parameters, fresh histories": with_values(base, {"parameters.table": str(no_history)}),
        "calibrated ensemble (parameters + histories to 5 Nov)": with_values(
            base, {"parameters.table": str(posterior)}
        ),
    }
    out = {}
    for label, config in configs.items():
        result = run_ensemble(config)
        out[label] = (estimate(result.runs, config.run.horizon_days, config.definitions.headline), result.runs)
    return out


def conditional(runs: pd.DataFrame, day: int, at: int) -> float:
    """P(truce holds ``at`` days | it held ``day`` days)."""
    alive = runs.loc[runs["truce_days"] >= day]
    return float((alive["truce_days"] >= at).mean()) if len(alive) else np.nan


def fmt_p(est, days: int) -> str:
    s = next(s for s in est.summary["truce"]["survival"] if s["days"] == days)
    return f"{s['p']:.2f} ({s['lower']:.2f}-{s['upper']:.2f})"


def main(argv=None) -> None:
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    config = default_config(["parameters.table=null"])
    chosen = cal.calibrated_factors(config)
    print(f"{NAME}: {args.draws:,} prior draws of {len(chosen)} parameters, 17 days each", flush=True)
    result = cal.abc_rejection(config, args.draws, SEED)
    if result.accepted.empty:
        print(f"{NAME}: no draw reproduced the record; nothing to write", file=sys.stderr)
        sys.exit(1)
    write_parquet(result.draws, args.out / "draws.parquet")
    posterior = write_csv(result.posterior_table(), args.out / "posterior.csv")
    summary = cal.posterior_summary(result, chosen)
    write_csv(summary, args.out / "summary.csv")
    abc_s = time.perf_counter() - started
    plots.posterior_plot(result.draws, summary, args.out / "posterior.png")
    facts_plot(result.draws, args.out / "facts.png")

    fc = forecasts(posterior, args.replicates, summary)
    start = config.scenario.start_date
    plots.forecast_comparison_plot(
        {k: v[0] for k, v in fc.items()},
        args.out / "forecast.png",
        start,
        mark_day=cal.RECORD_DAY,
        title=f"The default scenario forecast with and without calibration ({args.replicates:,} replicates each)",
    )
    rows = []
    for label, (est, runs) in fc.items():
        r = est.summary["truce"]["rmst_days"]
        rows.append(
            {
                "forecast": label,
                "P(holds 17 d)": f"{(runs['truce_days'] >= 17).mean():.2f}",
                "P(holds 90 d)": fmt_p(est, 90),
                "P(holds 365 d)": fmt_p(est, 365),
                "restricted mean, days": f"{r['mean']:.0f} ({r['lower']:.0f}-{r['upper']:.0f})",
                "P(holds 90 d given 17 d)": f"{conditional(runs, 17, 90):.2f}",
                "trade back to 90%": f"{runs['trade_days_to_90'].notna().mean():.0%}",
            }
        )
    forecast_table = pd.DataFrame(rows)

    if args.install:
        install(posterior, summary)

    cal_est = fc["calibrated ensemble (parameters + histories to 5 Nov)"][0]
    headline = (
        f"{len(result.accepted):,} of {args.draws:,} prior draws ({result.acceptance_rate:.1%}) reproduce the "
        f"record to "
        f"5 November 2025; the record narrows {', '.join(summary.nsmallest(3, 'sd_ratio')['key'])} most "
        f"(posterior SD "
        f"{summary['sd_ratio'].min():.2f}-{summary.nsmallest(3, 'sd_ratio')['sd_ratio'].max():.2f} of the prior's). "
        f"Calibrated forecast: P(holds 90 d) {fmt_p(cal_est, 90)}, P(holds 365 d) {fmt_p(cal_est, 365)}."
    )
    table = summary.assign(
        **{c: summary[c].round(3) for c in ("posterior_median", "posterior_q05", "posterior_q95", "sd_ratio")}
    )
    lines = [
        "# Calibration to the record up to 5 November 2025",
        "",
        f"Run: `python -m experiments.{NAME}{' --quick' if args.quick else ''}` ({args.draws:,} prior draws, "
        f"{len(chosen)} parameters; ABC {abc_s:.0f} s, everything {time.perf_counter() - started:.0f} s on this "
        f"machine).",
        "",
        f"**Headline:** {headline}",
        "",
        "## Posterior of each calibrated parameter",
        "",
        "Prior: uniform on the sensitivity range. `sd_ratio`: posterior SD / prior SD (1 = the record says nothing).",
        "",
        table.to_markdown(index=False),
        "",
        "## Forecasts compared",
        "",
        forecast_table.to_markdown(index=False),
        "",
        "## Figures",
        "",
        "![posterior.png](posterior.png)",
        "![facts.png](facts.png)",
        "![forecast.png](forecast.png)",
        "",
    ]
    (args.out / "results.md").write_text("\n".join(lines))
    (args.out / "headline.txt").write_text(headline + "\n")
    print(f"{NAME}: {headline}\nReport: {args.out / 'results.md'}")


if __name__ == "__main__":
    try:
        main()
    except ConfigError as err:
        print(f"{NAME}: {err}", file=sys.stderr)
        sys.exit(2)
