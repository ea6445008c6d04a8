"""Experiment: rolling origins. The forecast made as of days 5, 8, 11 and 14 of the record,
each scored on what the record says happened after it, and a synthetic check of the
forecasts' calibration.

1. **Rolling origins.** For each origin the run conditions on the record to that day
   (``forecast.as_of``: sim/run/forecast.py, the sequential filter from the outside view's
   prior), forecasts the days after it, and is scored by the scoring command's function
   (``python -m sim.score``) on the questions of conf/questions/record_to_5nov.yaml that
   the record resolves after the origin and by day 17: the count questions' windows start
   the day after the origin and their resolutions are counted from the record's rows in
   that window; a "by day 17" question is, from an origin, the question of the days
   after it (every history reproduces the record to the origin, so none has the event
   earlier), and its base rate is scaled so that the reference's probability covers those
   days only. Nothing the origin's forecast scores on was fed to it.
2. **Synthetic truths** (simulation-based calibration of forecasts): ``--truths`` truths
   drawn from the prior (parameters and a history to ``--synthetic-horizon``), each one's
   own log fed to the filter up to ``--synthetic-origin`` with the calibration's
   tolerance and facts; its forecast of militant attacks, days of fire between the
   states and agreements after the origin against what the truth did: randomised PIT
   (uniform if calibrated: Kolmogorov-Smirnov test), the coverage of the central 50%
   and 90% intervals with exact binomial 95% intervals, and the CRPS against the prior's
   forecast. A truth no particle reproduces is counted, not hidden.

Writes rolling.csv (the scores by origin and question), rolling_by_origin.csv (each
origin's mean scores), headlines.csv (each origin's headline probabilities), synthetic.csv
(one row per truth and outcome), synthetic_calibration.csv (PIT and coverage by outcome),
rolling.png, synthetic.png and results.md into experiments/results/rolling/ (or --out).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import yaml
from scipy import stats

from sim.analysis import headlines, plots
from sim.analysis import record as rec
from sim.analysis import sequential as sq
from sim.analysis import synthetic as syn
from sim.analysis.scoring import target_values
from sim.core.errors import UsageError
from sim.core.io import write_csv, write_text
from sim.core.schema import CONF_DIR
from sim.run import forecast
from sim.run.config import default_config
from sim.run.grid import Grid, run_grid
from sim.run.reading import score_run

from .base import Study, fmt_interval, split_launcher, write_report

NAME = "rolling"
#: The questions the origins are scored on (their by_day-17 and day 1-17 versions).
QUESTIONS = CONF_DIR / "questions" / "record_to_5nov.yaml"
ORIGINS = (5, 8, 11, 14)
LEVELS = (0.5, 0.9)


# --------------------------------------------------------------------------- the questions of an origin


def record_frame(path: Path | None = None) -> pd.DataFrame:
    """The record's events as one replicate of an event log (what the scoring reads); a
    round's detail is its outcome, as the model logs it."""
    rows = [
        {
            "replicate": 0,
            "day": e.day,
            "event_type": e.event_type,
            "actor1": e.actor1,
            "actor2": e.actor2,
            "detail": (e.detail or "").split(":", 1)[0].strip(),
            "fatalities": e.fatalities,
        }
        for e in rec.read_record(path)
    ]
    return pd.DataFrame(rows)


def origin_questions(origin: int, record: pd.DataFrame, source: Path = QUESTIONS) -> dict:
    """The questions file of ``origin``: what the record resolves after it and by day 17."""
    from sim.analysis.questions import parse_question

    raw = yaml.safe_load(source.read_text())
    one = pd.DataFrame({"replicate": [0]})
    kept = []
    for q in raw["questions"]:
        q = dict(q)
        target = q["target"]
        if isinstance(target, dict):  # a count: its window from the day after the origin
            if target["to_day"] <= origin:
                continue
            first = max(target["from_day"], origin + 1)
            q["id"] = q["id"].replace(f"days_{target['from_day']}_", f"days_{first}_")
            q["target"] = {**target, "from_day": first}
            window = parse_question({k: v for k, v in q.items() if k != "resolution"}, 0)
            q["resolution"] = {"value": int(target_values(window, one, record, 365)[0])}
        elif q.get("by_day") is not None:
            if q["by_day"] <= origin:
                continue
            if q.get("base_rate"):  # the reference's probability over the days after the origin
                q["base_rate"] = float(q["base_rate"]) * (q["by_day"] - origin) / q["by_day"]
        kept.append(q)
    return {
        "description": f"From an origin on day {origin}: what the record resolves after it and by day 17 "
        f"(derived from {source.name} by experiments/rolling.py).",
        "questions": kept,
    }


# --------------------------------------------------------------------------- 1. the rolling origins


def origin_settings(args: argparse.Namespace) -> dict[str, object]:
    """What every origin's run shares: its size, the filter's, a cache of its own."""
    return {
        "forecast.particles": args.particles,
        "forecast.cache": str((args.out / "cache").resolve()),
        "run.replicates": args.replicates,
        "run.figures": False,
    }


def condition_origins(origins: list[int], fixed: dict[str, object], overrides: list[str]) -> None:
    """The populations of every origin, one after the other, so that they share the
    updates they have in common (days 7 and 14 of the weekly schedule) through the cache."""
    for o in origins:
        config = default_config([*overrides, *(f"{k}={v}" for k, v in fixed.items()), f"forecast.as_of={o}"])
        forecast.prepare(config, say=lambda line: print(f"{NAME}: {line}", flush=True))


def run_origins(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every origin's forecast (and the shipped one, as of day 17, for its headlines),
    scored on its questions; returns the scores and the headlines."""
    fixed = origin_settings(args)
    overrides, launcher = split_launcher(args.overrides)
    if launcher is None:  # on a cluster launcher each origin conditions its own on its node
        condition_origins(args.origins, fixed, overrides)
    days = [*args.origins, rec.RECORD_DAY]
    grid = Grid({"forecast.as_of": [str(d) for d in days]}, fixed)
    sweep = run_grid(grid, args.out / "runs", overrides, launcher, quiet=True)
    record = record_frame()
    scores, heads = [], []
    for job in sweep.jobs:
        day = int(job.values["forecast.as_of"])
        if job.status != "complete":
            raise UsageError(f"the forecast as of day {day} did not finish: {job.reason}")
        summary = yaml.safe_load((job.path / "summary.json").read_text())
        heads += [{"origin_day": day, **row} for row in headlines.rows(summary)]
        if day >= rec.RECORD_DAY:
            continue
        questions = args.out / "questions" / f"origin_{day:02d}.yaml"
        questions.parent.mkdir(exist_ok=True)
        write_text(yaml.safe_dump(origin_questions(day, record), sort_keys=False, allow_unicode=True), questions)
        scores.append(score_run(job.path, questions).assign(origin_day=day))
        print(f"{NAME}: origin day {day} scored", flush=True)
    return pd.concat(scores, ignore_index=True), pd.DataFrame(heads)


def by_origin(scores: pd.DataFrame) -> pd.DataFrame:
    """Each origin's mean log score against the base rate's, and on how many questions it
    is no worse."""
    rows = []
    for day, s in scores.groupby("origin_day"):
        both = s.dropna(subset=["log", "ref_log"])
        rows.append(
            {
                "origin day": day,
                "questions": len(s),
                "mean log score": both["log"].mean(),
                "base rate's": both["ref_log"].mean(),
                "log-score skill": 1 - both["log"].mean() / both["ref_log"].mean(),
                "no worse than the base rate": f"{int((both['log'] <= both['ref_log']).sum())} of {len(both)}",
            }
        )
    return pd.DataFrame(rows).round(3)


def scores_table(scores: pd.DataFrame) -> pd.DataFrame:
    cols = {
        "origin_day": "origin day",
        "id": "question",
        "forecast_p": "P(yes)",
        "forecast_median": "median",
        "forecast_q05": "5%",
        "forecast_q95": "95%",
        "outcome": "outcome",
        "log": "log score",
        "ref_log": "base rate's",
    }
    return scores[list(cols)].rename(columns=cols).round(3)


# --------------------------------------------------------------------------- 2. synthetic truths


def run_synthetic(args: argparse.Namespace) -> pd.DataFrame:
    """Each truth's forecast after the origin from its own log (one row per truth and
    outcome); a truth no particle reproduces is a row with ``matched`` false."""
    from sim.analysis.calibration import calibrated_factors

    horizon = args.synthetic_horizon
    overrides, _ = split_launcher(args.overrides)
    config = default_config([*overrides, "parameters.table=null", f"run.horizon_days={horizon}"])
    chosen = calibrated_factors(config, shapes=forecast.installed_priors())
    settings = sq.Settings(n_jobs=-1)
    rows = []
    for i, truth in enumerate(syn.draw_truths(config, chosen, args.truths, horizon, seed=args.seed)):
        try:
            found = syn.check_truth(
                config,
                chosen,
                truth,
                args.synthetic_origin,
                horizon,
                args.synthetic_particles,
                forecast.tolerance(),
                args.seed + 1000 * (i + 1),
                settings,
            )
            rows += [{"truth_id": i, "matched": True, **r} for r in found]
        except ValueError:  # no particle reproduced this truth's log
            rows.append({"truth_id": i, "matched": False})
        print(f"{NAME}: synthetic truth {i + 1} of {args.truths}", flush=True)
    return pd.DataFrame(rows)


def calibration_table(synthetic: pd.DataFrame) -> pd.DataFrame:
    """Per outcome: PIT uniformity (Kolmogorov-Smirnov), coverage of the 50% and 90%
    intervals with exact binomial 95% intervals, CRPS against the prior's."""
    rows = []
    for outcome, s in synthetic[synthetic["matched"]].groupby("outcome", sort=False):
        row = {"outcome": outcome, "truths": len(s), "PIT KS p": stats.kstest(s["pit"], "uniform").pvalue}
        for level in LEVELS:
            k = int(s[f"covered_{int(level * 100)}"].sum())
            ci = stats.binomtest(k, len(s), level).proportion_ci()
            row[f"{level:.0%} interval covers"] = fmt_interval(k / len(s), ci.low, ci.high)
        row["CRPS"] = s["crps"].mean()
        row["CRPS from the prior"] = s["crps_prior"].mean()
        rows.append(row)
    return pd.DataFrame(rows).round(3)


# --------------------------------------------------------------------------- figures


def plot_rolling(scores: pd.DataFrame, heads: pd.DataFrame, path: Path) -> Path:
    """Left: each binary question's forecast probability by origin (every outcome was
    no); middle: each count's forecast (median, 90%) and what the record says; right:
    the headline probabilities by origin."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    binary = scores[scores["forecast_p"].notna()]
    for qid, s in binary.groupby("id"):
        axes[0].plot(s["origin_day"], s["forecast_p"], "o-", label=qid.replace("_by_day_17", ""))
    axes[0].set(xlabel="origin (day)", ylabel="P(by day 17)", title="Binary questions (all resolved no)")
    axes[0].legend(fontsize=7)
    counts = scores[scores["forecast_p"].isna()]
    names = [q.rsplit("_days_", 1)[0] for q in counts["id"]]
    for k, (name, s) in enumerate(counts.assign(name=names).groupby("name")):
        x = s["origin_day"] + 0.3 * (k - 1)
        colour = f"C{k}"
        axes[1].vlines(x, s["forecast_q05"], s["forecast_q95"], color=colour, alpha=0.5, lw=3)
        axes[1].plot(x, s["forecast_median"], "o", color=colour, label=name)
        axes[1].plot(x, s["outcome"], "D", color=colour, mfc="none")
    axes[1].set(xlabel="origin (day)", ylabel="count, day after origin to 17", title="Counts (diamond: record)")
    axes[1].legend(fontsize=7)
    for _, s in heads.groupby("key", sort=False):
        if s["unit"].iloc[0] != "probability":
            continue
        axes[2].plot(s["origin_day"], s["value"], "o-", label=s["short"].iloc[0])
        axes[2].fill_between(s["origin_day"], s["lower"], s["upper"], alpha=0.15)
    axes[2].set(xlabel="origin (day)", ylabel="probability", title="Headlines by origin", ylim=(0, 1))
    axes[2].legend(fontsize=7)
    fig.suptitle("Forecasts from rolling origins within the record (day 0 = 19 Oct 2025)", fontsize=10)
    return plots.save_figure(fig, path)


def plot_synthetic(synthetic: pd.DataFrame, path: Path) -> Path:
    """The PIT histogram of each outcome over the truths (flat if calibrated)."""
    matched = synthetic[synthetic["matched"]]
    names = list(dict.fromkeys(matched["outcome"]))
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names, strict=True):
        pit = matched.loc[matched["outcome"] == name, "pit"]
        ax.hist(pit, bins=np.linspace(0, 1, 6), color=plots.BLUE, alpha=0.7)
        ax.axhline(len(pit) / 5, color=plots.GREY, ls="--", lw=1)
        ax.set(title=name.replace("_", " "), xlabel="PIT")
    axes[0][0].set_ylabel("truths")
    fig.suptitle("Synthetic truths: where each truth fell in its own forecast (dashed: calibrated)", fontsize=10)
    return plots.save_figure(fig, path)


# --------------------------------------------------------------------------- the study


class Rolling(Study):
    name = NAME
    title = "Rolling origins and synthetic truths"
    question = "Scored at every origin on what followed it, is the forecast better than a base rate, and calibrated?"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--origins", type=int, nargs="+", default=list(ORIGINS), help="origin days (%(default)s)")
        parser.add_argument("--particles", type=int, default=1000, help="filter particles an origin (%(default)s)")
        parser.add_argument("--replicates", type=int, default=1000, help="replicates an origin (%(default)s)")
        parser.add_argument("--truths", type=int, default=50, help="synthetic truths (%(default)s)")
        parser.add_argument("--synthetic-origin", type=int, default=11, help="their origin day (%(default)s)")
        parser.add_argument("--synthetic-horizon", type=int, default=60, help="their last day (%(default)s)")
        parser.add_argument("--synthetic-particles", type=int, default=200, help="particles a truth (%(default)s)")
        parser.add_argument("--seed", type=int, default=20251105, help="seed of the truths (%(default)s)")

    def check(self, parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
        if args.quick:
            args.particles, args.replicates, args.truths, args.synthetic_particles = 60, 60, 3, 30
            args.synthetic_horizon = 30
            args.origins = args.origins[-1:]
        if any(not 1 <= o < rec.RECORD_DAY for o in args.origins):
            parser.error(f"--origins must be days 1 to {rec.RECORD_DAY - 1} (the record's, before its last)")
        if not 1 <= args.synthetic_origin < args.synthetic_horizon:
            parser.error("--synthetic-origin must be at least 1 and before --synthetic-horizon")
        for name in ("particles", "replicates", "synthetic_particles"):
            if getattr(args, name) < 10:
                parser.error(f"--{name.replace('_', '-')} must be at least 10")
        if args.truths < 1:
            parser.error("--truths must be at least 1")
        args.origins = sorted(set(args.origins))

    def run(self, args: argparse.Namespace) -> str:
        scores, heads = run_origins(args)
        synthetic = run_synthetic(args)
        write_csv(scores, args.out / "rolling.csv")
        write_csv(heads, args.out / "headlines.csv")
        write_csv(synthetic, args.out / "synthetic.csv")
        plot_rolling(scores, heads, args.out / "rolling.png")
        plot_synthetic(synthetic, args.out / "synthetic.png")
        origins, calibration = by_origin(scores), calibration_table(synthetic)
        write_csv(origins, args.out / "rolling_by_origin.csv")  # what docs/forecasting.md's numbers are made from
        write_csv(calibration, args.out / "synthetic_calibration.csv")
        head = headline(origins, calibration, synthetic)
        write_report(
            args.out,
            NAME,
            self.title,
            "Lower log scores are better; the reference is each question's base rate over the days after the "
            "origin. Synthetic truths: a calibrated forecast puts the truths' PIT uniformly on (0, 1) and covers "
            "them at the intervals' levels.",
            f"Run: `python -m experiments.{NAME}{' --quick' if args.quick else ''}` (origins "
            f"{', '.join(map(str, args.origins))}: {args.particles:,} particles, {args.replicates:,} replicates "
            f"each; {args.truths} synthetic truths from day {args.synthetic_origin} to {args.synthetic_horizon}, "
            f"{args.synthetic_particles} particles each).",
            {
                "By origin": origins,
                "Every question": scores_table(scores),
                "Synthetic truths: calibration": calibration,
            },
            ["rolling.png", "synthetic.png"],
            head,
        )
        return head


def headline(origins: pd.DataFrame, calibration: pd.DataFrame, synthetic: pd.DataFrame) -> str:
    skill = ", ".join(f"day {r['origin day']} {r['log-score skill']:+.2f}" for _, r in origins.iterrows())
    matched = int(synthetic.drop_duplicates("truth_id")["matched"].sum())
    cover = "; ".join(f"{r['outcome']} {r['90% interval covers']}" for _, r in calibration.iterrows())
    return (
        f"log-score skill against the base rate by origin: {skill}; synthetic truths ({matched} of "
        f"{synthetic['truth_id'].nunique()} reproduced): the 90% intervals cover {cover}."
    )


STUDY = Rolling()

if __name__ == "__main__":
    STUDY.main()
