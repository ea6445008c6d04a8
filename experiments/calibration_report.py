"""The calibration's report: the predictive checks, the SBC figure and summary, the
posterior table of docs/calibration.md, and results.md (experiments/calibration.py runs
the calibration; this module writes what a reader sees of it)."""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis import plots
from sim.analysis import record as rec

from . import backtest
from .base import write_between_markers

NAME = "calibration"


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


OUTSIDE_BEGIN = "<!-- outside view table: begin (experiments/calibration.py --install) -->"
OUTSIDE_END = "<!-- outside view table: end -->"


def write_outside_view(outside: pd.DataFrame, doc: Path = DOC) -> None:
    """The outside view's rates, step by step, in docs/calibration.md (indented: it sits
    in a numbered list)."""
    table = outside.round(3).to_markdown(index=False)
    write_between_markers(
        doc, OUTSIDE_BEGIN, "   " + OUTSIDE_END, "\n".join("   " + line for line in table.splitlines())
    )


def write_docs_table(summary: pd.DataFrame, doc: Path = DOC) -> None:
    """The table of docs/calibration.md between its markers, from this run's summary."""
    write_between_markers(doc, BEGIN, END, docs_table(summary))


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
    rows = -(-len(keys) // 3)
    fig, axes = plt.subplots(rows, 3, figsize=(11, 2.5 * rows), layout="constrained")
    for ax in axes.flat[len(keys) :]:
        ax.set_visible(False)
    for ax, k in zip(axes.flat, keys, strict=False):
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


def sbc_summary(coverage: pd.Series, narrowing: pd.DataFrame) -> pd.DataFrame:
    """Each parameter's SBC coverage of the 90% interval and mean posterior SD over prior SD."""
    return pd.DataFrame({"coverage_90": coverage, "mean_sd_ratio": narrowing.mean()}).rename_axis("key").reset_index()


def narrowing_text(summary: pd.DataFrame, below: float = 0.9, named: int = 4) -> str:
    """How far the record narrows the parameters: those whose posterior SD is below
    ``below`` of the prior's, else the narrowest ``named``."""
    ranked = summary.sort_values("sd_ratio")
    informed = ranked.loc[ranked["sd_ratio"] < below, "key"].tolist()
    if informed:
        names = ", ".join(informed[:6]) + (", ..." if len(informed) > 6 else "")
        return f"the record narrows {len(informed)} parameters below {below} of their prior SD ({names})"
    narrowest = ", ".join(f"{r.key} {r.sd_ratio:.2f}" for r in ranked.head(named).itertuples())
    return f"the record narrows no parameter below {below} of its prior SD (the narrowest: {narrowest})"


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
    outside: pd.DataFrame,
    priors: pd.DataFrame,
) -> str:
    """results.md and headline.txt from the run's tables; returns the headline."""
    outside_s, rejection_s, smc_s, total = seconds
    generations = len(tolerances)
    after = forecast[forecast["forecast"].str.startswith("after")].set_index("definition")
    reference, tilted = outside.iloc[0], outside.iloc[-1]
    moved = ", ".join(f"{k.replace('_', ' ')} {reference[k]:.2f}/{tilted[k]:.2f}" for k in outside.columns[1:])
    headline = (
        f"Outside view (reference rate / the tilted prior's): {moved}; {len(priors)} knobs shaped. "
        f"ABC-SMC over {n_params} behavioural parameters: {generations} generations, "
        f"{tolerances['samples'].sum():,} histories, final tolerance {tolerances['epsilon'].iloc[-1]:.2f}; "
        f"{narrowing_text(summary)}. SBC: 90% intervals cover the truth for "
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
        f"outside view {args.outside_iterations} x {args.outside:,} year-long histories in {outside_s:.0f} s; "
        f"rejection {args.draws:,} draws in {rejection_s:.0f} s; ABC-SMC {args.population:,} particles, "
        f"{generations} generations in {smc_s:.0f} s; everything {total:.0f} s on this machine).",
        "",
        f"**Headline:** {headline}",
        "",
        "## The outside view: the prior tilted to the reference classes",
        "",
        "Each target is a rate of a reference class (docs/context/reference-classes.csv) and the event of a "
        "year-long history that stands for it; each row, the rates under a prior: the reference classes', the "
        "uniform prior's, then the prior after each tilt (sim/analysis/outside_view.py).",
        "",
        outside.round(3).to_markdown(index=False),
        "",
        "The knobs the tilt moves, Beta(a, b) on their sensitivity range (the others stay uniform):",
        "",
        priors.round(3).to_markdown(index=False),
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
        "Prior: uniform on the sensitivity range, or the outside view's Beta. `sd_ratio`: posterior SD / prior SD "
        "(1 = the record says nothing), ABC-SMC and rejection; `screened`: the ABC-SMC proposal adapts on it.",
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
