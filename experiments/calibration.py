"""Experiment 7: calibration to the record up to 5 November 2025 (ABC-SMC, with rejection
ABC as a check), predictive checks, simulation-based calibration and a backtest.

1. **Rejection ABC** (the check, and the reference table): ``--draws`` prior draws of every
   behavioural parameter (sim/analysis/calibration.py: 137) on a Latin hypercube, each run
   for the 17 days from the ceasefire of 19 October to 5 November; accepted: the draws
   whose history states every fact of the record and whose counts are among the closest
   2% of all draws (sim/analysis/record.py reads the record and the histories one way).
2. **Screening**: the parameters whose rejection posterior differs from the prior
   (Kolmogorov-Smirnov, p < 0.001): the ABC-SMC proposal adapts on them.
3. **ABC-SMC** with pyabc (``--population`` particles, up to ``--generations``), its
   database ``abc.db`` in the results folder: run the same command again to resume a run
   stopped, ``--fresh`` to start over.
4. **Predictive checks**: the record's statistics against the prior predictive (the
   reference table) and the posterior predictive (fresh histories at posterior draws).
5. **Simulation-based calibration** (Talts et al. 2018) of the rejection method on the
   reference table: ``--truths`` synthetic records made at known parameters, each fitted
   as the record is; the ranks of the truths, the coverage of the 90% intervals.
6. **Forecasts** before (the table installed when it ran) and after (the new posterior,
   parameters and histories) on the three definitions of a broken truce.
7. **Backtest** on the earlier closures (experiments/backtest.py).

Nothing after 5 November 2025 is used. Writes posterior.csv (the parameter table, with
the seed of each history), summary.csv, checks.csv, sbc.csv, forecasts.csv, backtest.csv,
the figures and results.md into experiments/results/calibration/ (or --out). With
--install, posterior.csv replaces conf/calibration/posterior.csv, the table the default
scenario draws from, and the posterior medians of the parameters the record informs
become the defaults in conf/ (marked [calibrated]).
"""

from __future__ import annotations

import argparse
import json
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
from sim.analysis import record as rec
from sim.analysis.estimates import estimate
from sim.core.errors import ConfigError
from sim.core.io import write_csv, write_parquet, write_text
from sim.core.schema import CONF_DIR
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_ensemble
from sim.run.folder import out_dir_arg

from . import backtest
from .base import RESULTS, write_between_markers

NAME = "calibration"
INSTALLED = CONF_DIR / "calibration" / "posterior.csv"
SEED = 20251105
#: Share of the rejection draws accepted (the closest by the counts, among those stating the facts).
SHARE = 0.02
#: Rows of the posterior table (resampled from the last generation by weight).
TABLE_ROWS = 4000
#: Parameters whose defaults earlier calibrations set: reset to the new medians too.
EARLIER = (
    "spoilers.attack_rate",
    "states.blame_gain",
    "states.accident_rate",
    "states.retaliation_threshold",
    "collapse.void_prob",
    "states.domestic_weight",
    "states.economic_weight",
    "collapse.hostility_memory_days",
    "states.decision_noise",
    "scenario.afghanistan.effort",
    "crossings.reopen_prob",
    "crossings.reopen_calm_days",
    "spoilers.round_surge",
    "negotiation.walkout_risk",
    "crossings.reopen_threshold",
)


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=f"python -m experiments.{NAME}", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--draws", type=int, default=40_000, help="rejection draws (default: %(default)s)")
    parser.add_argument("--population", type=int, default=1000, help="ABC-SMC particles (default: %(default)s)")
    parser.add_argument("--generations", type=int, default=6, help="ABC-SMC generations at most (default: %(default)s)")
    parser.add_argument(
        "--max-simulations", type=int, default=300_000, help="ABC-SMC histories at most (default: %(default)s)"
    )
    parser.add_argument("--truths", type=int, default=100, help="synthetic records of the SBC (default: %(default)s)")
    parser.add_argument(
        "--replicates", type=int, default=1000, help="replicates of each forecast and backtest (default: %(default)s)"
    )
    parser.add_argument("--n-procs", type=int, default=2, help="pyabc's worker processes (default: %(default)s)")
    parser.add_argument(
        "--redis",
        metavar="HOST:PORT",
        help="run the ABC-SMC on a cluster: pyabc's Redis sampler, its workers started on the nodes with "
        "abc-redis-worker --host=HOST --port=PORT (README, 'Sweeps on a cluster')",
    )
    parser.add_argument("--fresh", action="store_true", help="start the ABC-SMC over instead of resuming abc.db")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3,000 draws, 200 particles in 2 generations, 50 truths, 100 replicates: for tests and a first look",
    )
    parser.add_argument(
        "--install",
        action="store_true",
        help=f"copy the posterior to {INSTALLED} (the default scenario's table) and make its medians the defaults",
    )
    parser.add_argument("--out", type=out_dir_arg, default=RESULTS / NAME, help="results folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.quick:
        args.draws, args.population, args.generations, args.truths, args.replicates = 3000, 200, 2, 50, 100
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out {args.out} is a file, not a folder")
    if args.draws < 500 or args.replicates < 10 or args.population < 50 or args.generations < 1 or args.truths < 10:
        parser.error("--draws must be at least 500, --replicates 10, --population 50, --generations 1 and --truths 10")
    if args.n_procs < 1:
        parser.error("--n-procs must be at least 1")
    if args.redis:
        cal.check_redis(args.redis)  # before any draw: the address resolves and the server answers
    return args


# --------------------------------------------------------------------------- install


def posterior_medians(summary: pd.DataFrame, table: pd.DataFrame, keys) -> dict[str, int | float]:
    """The posterior median of each of ``keys``, a whole number for integer ones."""
    s = summary.set_index("key")
    return {
        k: int(round(s.loc[k, "posterior_median"]))
        if pd.api.types.is_integer_dtype(table[k])
        else float(s.loc[k, "posterior_median"])
        for k in keys
    }


def set_default(files: dict[Path, list[str]], key: str, value: str, scenario: str) -> bool:
    """Set ``value`` as the default of ``key`` in the lines of its YAML file under conf/
    (read into ``files`` once) and mark the line [calibrated]; comments and layout kept.
    False if the key is not a line of its own (a nested mapping written inline)."""
    section, *middle, leaf = key.split(".")
    path = CONF_DIR / "config.yaml"
    if section == "scenario":  # scenario.<party>.<knob> lives in the scenario's own file
        path, section = CONF_DIR / "scenario" / f"{scenario}.yaml", middle.pop(0)
    if middle:
        return False
    lines = files.setdefault(path, path.read_text().split("\n"))
    start = lines.index(f"{section}:")
    for i in range(start + 1, len(lines)):
        match = re.match(rf"^  {leaf}:\s*\S+(\s*#\s*(\[calibrated\]\s*)?(.*))?$", lines[i])
        if match:
            lines[i] = f"  {leaf}: {value}".ljust(29) + f" # [calibrated] {match.group(3) or ''}".rstrip()
            return True
        if lines[i] and not lines[i].startswith(" "):
            break
    raise ConfigError(f"cannot find {key} in {path} to set its default")


def install(posterior: Path, summary: pd.DataFrame, keys) -> list[str]:
    """The posterior becomes the table the default scenario draws from, and the medians
    of ``keys`` the defaults (3 significant digits; whole numbers for integer parameters).
    Every file is rewritten only once all the new defaults are found. Returns the keys set."""
    table = pd.read_csv(posterior)
    scenario = default_config().scenario.name
    files: dict[Path, list[str]] = {}
    done = []
    for key, median in posterior_medians(summary, table, keys).items():
        if set_default(files, key, str(median) if isinstance(median, int) else f"{median:.3g}", scenario):
            done.append(key)
    INSTALLED.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(posterior, INSTALLED)
    if posterior.with_name("tolerance.json").is_file():
        shutil.copyfile(posterior.with_name("tolerance.json"), INSTALLED.with_name("tolerance.json"))
    for path, lines in files.items():
        write_text("\n".join(lines), path)
    print(
        f"{NAME}: installed {INSTALLED} ({len(table):,} rows) and set {len(done)} defaults to its medians; "
        "run `python -m sim.docs` to refresh the parameter table"
    )
    return done


DOC = Path(__file__).resolve().parent.parent / "docs" / "calibration.md"
BEGIN, END = "<!-- posterior table: begin (experiments/calibration.py --install) -->", "<!-- posterior table: end -->"


def docs_table(summary: pd.DataFrame) -> str:
    """Every calibrated parameter's prior and posterior, the most narrowed first."""
    rows = [
        "| parameter | prior (uniform) | posterior median | 90% interval | SD ratio, ABC-SMC | SD ratio, rejection |",
        "|---|---|---|---|---|---|",
    ]
    for _, r in summary.sort_values("sd_ratio").iterrows():
        key = f"**{r['key']}**" if r["screened"] else r["key"]
        rows.append(
            f"| {key} | {r['prior_lo']:g}-{r['prior_hi']:g} | {r['posterior_median']:.3g} | "
            f"{r['posterior_q05']:.3g}-{r['posterior_q95']:.3g} | {r['sd_ratio']:.2f} | {r['sd_ratio_rejection']:.2f} |"
        )
    return "\n".join(rows)


def write_docs_table(summary: pd.DataFrame, doc: Path = DOC) -> None:
    """The table of docs/calibration.md between its markers, from this run's summary."""
    write_between_markers(doc, BEGIN, END, docs_table(summary))


# --------------------------------------------------------------------------- checks


def posterior_predictive(config, chosen, table: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """The statistics of ``n`` fresh histories at posterior draws (new seeds)."""
    from sim.model import replicate_seeds

    rows = table.sample(n=n, replace=len(table) < n, random_state=seed)[[f.key for f in chosen]]
    seeds = replicate_seeds(seed, n)
    parts = cal.simulate_rows(config, chosen, rows.to_dict("records"), seeds, cal.RECORD_DAY)
    return pd.DataFrame(parts, columns=list(rec.STATISTICS))


def check_table(record: dict, prior: pd.DataFrame, posterior: pd.DataFrame, accepted: pd.DataFrame) -> pd.DataFrame:
    """Each statistic: the record's value; its mean and 90% interval under the prior
    predictive, the posterior predictive and the accepted histories (the ones the
    forecast replays); the share of each that equals the record (facts) or lies at or
    below it (counts: a predictive p-value)."""
    rows = []
    for k in rec.STATISTICS:
        row = {"statistic": rec.LABELS[k], "kind": "fact" if k in rec.FACTS else "count", "record": record[k]}
        for label, frame in (("prior", prior), ("posterior", posterior), ("accepted", accepted)):
            x = frame[k].to_numpy(dtype=float)
            q05, q95 = np.quantile(x, [0.05, 0.95])
            row[f"{label} mean"] = x.mean()
            row[f"{label} 90%"] = f"{q05:.3g}-{q95:.3g}"
            row[f"{label} share"] = float((x == record[k]).mean() if k in rec.FACTS else (x <= record[k]).mean())
        rows.append(row)
    return pd.DataFrame(rows)


def checks_plot(record: dict, prior: pd.DataFrame, posterior: pd.DataFrame, path: Path) -> Path:
    """The record's statistics (orange) against the prior (grey) and posterior (blue)
    predictive distributions."""
    keys = list(rec.STATISTICS)
    fig, axes = plt.subplots(3, 3, figsize=(11, 7.5), layout="constrained")
    for ax, k in zip(axes.flat, keys, strict=True):
        both = np.concatenate([prior[k], posterior[k]])
        lo, hi = np.quantile(both, [0.0, 0.995])
        lo, hi = min(lo, record[k]), max(hi, record[k])
        discrete = np.allclose(both, np.round(both)) and hi - lo <= 30
        bins = np.arange(lo - 0.5, hi + 1.5) if discrete else np.linspace(lo, hi, 30)
        ax.hist(prior[k], bins=bins, density=True, color=plots.GREY, alpha=0.4, label="prior predictive")
        ax.hist(
            posterior[k],
            bins=bins,
            density=True,
            histtype="step",
            color=plots.BLUE,
            lw=1.8,
            label="posterior predictive",
        )
        ax.axvline(record[k], color=plots.ORANGE, lw=2, label="the record")
        ax.set_title(f"{rec.LABELS[k]}{' (fact)' if k in rec.FACTS else ''}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("Predictive checks: the record of 20 Oct - 5 Nov 2025 against the model's histories", fontsize=11)
    return plots.save_figure(fig, path)


def sbc_plot(ranks: pd.DataFrame, coverage: pd.Series, keys: list[str], path: Path, band: tuple[float, float]) -> Path:
    """Rank histograms of the screened parameters (uniform when calibrated) and the 90%
    coverage of every parameter with its binomial band."""
    shown = keys[:8]
    fig = plt.figure(figsize=(12, 7), layout="constrained")
    grid = fig.add_gridspec(3, 4)
    q = ranks[shown].to_numpy(dtype=float) / ranks["L"].to_numpy(dtype=float)[:, None]
    bins = 10
    lo_n, hi_n = [__import__("scipy").stats.binom.ppf(a, len(ranks), 1 / bins) for a in (0.005, 0.995)]
    for j, k in enumerate(shown):
        ax = fig.add_subplot(grid[j // 4, j % 4])
        ax.hist(q[:, j], bins=np.linspace(0, 1, bins + 1), color=plots.BLUE, alpha=0.7)
        ax.axhspan(lo_n, hi_n, color=plots.GREY, alpha=0.3)
        ax.set_title(k, fontsize=8)
        ax.tick_params(labelsize=7)
    ax = fig.add_subplot(grid[2, :])
    ax.plot(np.arange(len(coverage)), coverage.to_numpy(), "o", ms=3, color=plots.BLUE)
    ax.axhspan(*band, color=plots.GREY, alpha=0.3, label="99% binomial band around 0.90")
    ax.axhline(0.9, color=plots.ORANGE, lw=1)
    ax.set_xlabel(f"the {len(coverage)} behavioural parameters")
    ax.set_ylabel("90% interval covers the truth")
    ax.set_ylim(0.5, 1.02)
    ax.legend(fontsize=7)
    fig.suptitle(
        f"Simulation-based calibration: {len(ranks)} synthetic records at known parameters (rank of the truth, "
        "normalised; grey: 99% band of a uniform histogram)",
        fontsize=10,
    )
    return plots.save_figure(fig, path)


# --------------------------------------------------------------------------- forecasts


HORIZONS = (30, 90, 180, 365)


def forecast_rows(label: str, runs: pd.DataFrame, horizon: int, headline: str) -> list[dict]:
    est = estimate(runs, horizon, headline)
    out = []
    for name, block in est.summary["truce"]["definitions"].items():
        p = {s["days"]: s["p"] for s in block["survival"]}
        out.append(
            {
                "forecast": label,
                "definition": name,
                **{f"P(holds {d} d)": p.get(d) for d in HORIZONS},
                "restricted mean, days": block["rmst_days"]["mean"],
            }
        )
    return out


def forecasts(tables: dict[str, Path], replicates: int) -> tuple[pd.DataFrame, dict]:
    """The default scenario's forecast from each parameter table, on the three definitions."""
    base = default_config([f"run.replicates={replicates}", "run.progress=false"])
    rows, curves = [], {}
    for label, table in tables.items():
        config = with_values(base, {"parameters.table": str(table)})
        runs = run_ensemble(config).runs
        rows += forecast_rows(label, runs, config.run.horizon_days, config.definitions.headline)
        curves[label] = estimate(runs, config.run.horizon_days, config.definitions.headline)
    return pd.DataFrame(rows), curves


def sbc_summary(coverage: pd.Series, narrowing: pd.DataFrame) -> pd.DataFrame:
    """Each parameter's SBC coverage of the 90% interval and mean posterior SD over prior SD."""
    return pd.DataFrame({"coverage_90": coverage, "mean_sd_ratio": narrowing.mean()}).rename_axis("key").reset_index()


def write_report(
    out: Path,
    args: argparse.Namespace,
    n_params: int,
    seconds: tuple[float, float, float],
    tolerances: pd.DataFrame,
    summary: pd.DataFrame,
    checks: pd.DataFrame,
    coverage: pd.Series,
    band: tuple[float, float],
    sbc_table: pd.DataFrame,
    forecast: pd.DataFrame,
    scores: pd.DataFrame,
) -> str:
    """results.md and headline.txt from the run's tables; returns the headline."""
    rejection_s, smc_s, total = seconds
    generations = len(tolerances)
    informed = summary.loc[summary["sd_ratio"] < 0.9, "key"].tolist()
    after = forecast[forecast["forecast"].str.startswith("after")].set_index("definition")
    headline = (
        f"ABC-SMC over {n_params} behavioural parameters: {generations} generations, "
        f"{tolerances['samples'].sum():,} histories, final tolerance {tolerances['epsilon'].iloc[-1]:.2f}; the "
        f"record narrows {len(informed)} parameters below 0.9 of their prior SD ({', '.join(informed[:6])}"
        f"{', ...' if len(informed) > 6 else ''}). SBC: 90% intervals cover the truth for "
        f"{coverage.between(*band).mean():.0%} of the parameters within the binomial band. "
        f"Forecast: P(no breakdown by 90 d) {after.loc['breakdown', 'P(holds 90 d)']:.2f}, by 365 d "
        f"{after.loc['breakdown', 'P(holds 365 d)']:.2f}."
    )
    fmt = summary.assign(
        **{
            c: summary[c].round(3)
            for c in ("posterior_median", "posterior_q05", "posterior_q95", "sd_ratio", "sd_ratio_rejection")
        }
    )
    lines = [
        "# Calibration to the record up to 5 November 2025",
        "",
        f"Run: `python -m experiments.{NAME}{' --quick' if args.quick else ''}` ({n_params} parameters; "
        f"rejection {args.draws:,} draws in {rejection_s:.0f} s; ABC-SMC {args.population:,} particles, "
        f"{generations} generations in {smc_s:.0f} s; everything {total:.0f} s on this machine).",
        "",
        f"**Headline:** {headline}",
        "",
        "## The record's statistics against the model (predictive checks)",
        "",
        "`share`: of the histories, the share equal to the record (facts) or at or below it (counts).",
        "",
        checks.round(3).to_markdown(index=False),
        "",
        "![checks.png](checks.png)",
        "",
        "## ABC-SMC generations",
        "",
        tolerances.to_markdown(index=False),
        "",
        "## Posterior of each parameter",
        "",
        "Prior: uniform on the sensitivity range. `sd_ratio`: posterior SD / prior SD (1 = the record says "
        "nothing), ABC-SMC and rejection; `screened`: the ABC-SMC proposal adapts on it.",
        "",
        fmt.to_markdown(index=False),
        "",
        "![posterior.png](posterior.png)",
        "",
        "## Simulation-based calibration",
        "",
        f"{args.truths} synthetic records at parameters drawn from the prior, each fitted by rejection ABC on the "
        f"rest of the reference table. 99% binomial band for the 90% coverage: {band[0]:.2f}-{band[1]:.2f}.",
        "",
        sbc_table.round(3).to_markdown(index=False),
        "",
        "![sbc.png](sbc.png)",
        "",
        "## Forecasts before and after",
        "",
        forecast.round(3).to_markdown(index=False),
        "",
        "![forecast.png](forecast.png)",
        "",
        "## Backtest on the earlier closures",
        "",
        backtest.table(scores).to_markdown(index=False),
        "",
        "![backtest.png](backtest.png)",
        "",
    ]
    (out / "results.md").write_text("\n".join(lines))
    (out / "headline.txt").write_text(headline + "\n")
    return headline


# --------------------------------------------------------------------------- main


def main(argv=None) -> None:
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    config = default_config(["parameters.table=null"])
    chosen = cal.calibrated_factors(config)
    keys = [f.key for f in chosen]
    record = cal.record_statistics()
    say = lambda msg: print(f"{NAME}: {msg}", flush=True)  # noqa: E731

    say(f"rejection ABC: {args.draws:,} prior draws of {len(chosen)} parameters, 17 days each")
    rej = cal.abc_rejection(config, args.draws, SEED, share=SHARE)
    if rej.accepted.empty:
        say("no draw reproduced the record; nothing to write")
        sys.exit(1)
    write_parquet(rej.draws, args.out / "draws.parquet")
    screened = cal.informed(rej, chosen)
    rejection_s = time.perf_counter() - started
    say(f"rejection: {len(rej.accepted):,} accepted ({rejection_s:.0f} s); screened: {', '.join(screened) or 'none'}")

    t0 = time.perf_counter()
    db = args.out / "abc.db"
    smc = cal.abc_smc(
        config,
        db,
        args.population,
        args.generations,
        n_procs=args.n_procs,
        seed=SEED,
        resume=not args.fresh,
        max_simulations=args.max_simulations,
        adapted=screened,
        progress=say,
    )
    smc_s = time.perf_counter() - t0
    tolerances = smc.tolerances()
    say(f"ABC-SMC: {smc.generations} generations, {tolerances['samples'].sum():,} histories ({smc_s:.0f} s)")
    table = smc.posterior_table(chosen, TABLE_ROWS, SEED)
    posterior = write_csv(table, args.out / "posterior.csv")
    write_csv(tolerances, args.out / "tolerances.csv")
    if smc.tolerance() is not None:
        write_text(json.dumps(smc.tolerance(), indent=1), args.out / "tolerance.json")

    summary = cal.posterior_summary(table, chosen)
    rej_summary = cal.posterior_summary(rej.accepted, chosen)
    summary["sd_ratio_rejection"] = rej_summary["sd_ratio"].to_numpy()
    summary["screened"] = summary["key"].isin(screened)
    write_csv(summary, args.out / "summary.csv")
    shown = summary.set_index("key").loc[screened or summary.nsmallest(8, "sd_ratio")["key"].tolist()].reset_index()
    draws = pd.concat([rej.draws[keys].assign(match=False), table[keys].assign(match=True)], ignore_index=True)
    plots.posterior_plot(
        draws,
        shown,
        args.out / "posterior.png",
        title="Prior and ABC-SMC posterior of the parameters the record informs",
    )

    say("predictive checks")
    post_pred = posterior_predictive(config, chosen, table, min(2000, 4 * args.replicates), SEED + 1)
    checks = check_table(record, rej.draws, post_pred, smc.particles(chosen))
    write_csv(checks, args.out / "checks.csv")
    checks_plot(record, rej.draws, post_pred, args.out / "checks.png")

    say(f"simulation-based calibration: {args.truths} synthetic records")
    ranks, narrowing = cal.sbc_ranks(rej.draws, keys, args.truths, SHARE, seed=SEED)
    coverage = cal.sbc_coverage(ranks, keys)
    band = cal.binomial_interval(args.truths, 0.9)
    write_csv(ranks, args.out / "sbc.csv")
    sbc_keys = screened or list(narrowing.mean().nsmallest(8).index)
    sbc_plot(ranks, coverage, sbc_keys, args.out / "sbc.png", band)

    say("forecasts before and after")
    old = args.out / "posterior_before.csv"
    if INSTALLED.is_file():
        shutil.copyfile(INSTALLED, old)
    tables = {"before (installed when run)": old} if old.is_file() else {}
    tables["after (this posterior: parameters and histories)"] = posterior
    forecast, curves = forecasts(tables, args.replicates)
    write_csv(forecast, args.out / "forecasts.csv")
    plots.forecast_comparison_plot(
        curves,
        args.out / "forecast.png",
        config.scenario.start_date,
        mark_day=cal.RECORD_DAY,
        title=f"The default forecast before and after this calibration ({args.replicates:,} replicates each)",
    )

    say("backtest on the earlier closures")
    scores = backtest.run(posterior, args.out / "backtest", args.replicates)
    write_csv(scores, args.out / "backtest.csv")
    backtest.plot(scores, args.out / "backtest.png")

    if args.install:
        write_docs_table(summary)
        install(posterior, summary, sorted(set(screened) | set(EARLIER)))

    total = time.perf_counter() - started
    sbc_table = sbc_summary(coverage, narrowing)
    headline = write_report(
        args.out,
        args,
        len(chosen),
        (rejection_s, smc_s, total),
        tolerances,
        summary,
        checks,
        coverage,
        band,
        sbc_table,
        forecast,
        scores,
    )
    say(f"{headline}\nReport: {args.out / 'results.md'}")


if __name__ == "__main__":
    try:
        main()
    except ConfigError as err:
        print(f"{NAME}: {err}", file=sys.stderr)
        sys.exit(2)
