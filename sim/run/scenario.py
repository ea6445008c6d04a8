"""One scenario into one folder: the ensemble, its tables, estimates and figures.

:func:`run_scenario` is what ``python -m sim`` does for a single run and for each job of
a sweep (:func:`run_sweep_job`, which skips a job already complete: resuming).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from omegaconf import OmegaConf

from ..core.io import write_json, write_parquet, write_text
from ..core.provenance import provenance
from ..core.schema import Config, to_dict
from ..model import round_calendar
from . import forecast, origins, parameters
from .ensemble import run_ensemble
from .folder import ROOT, claim, is_locked, unlock, write_manifest
from .parameters import HISTORY, keys_of, read_table
from .points import POINT, read_design
from .workers import job_worker_budget, release_workers


def run_scenario(
    config: Config,
    out_dir: Path,
    quiet: bool = False,
    max_workers: int | None = None,
    point: dict | None = None,
    key: str = "hydra.run.dir",
):
    """Run the ensemble of ``config``, write every output into ``out_dir``; return the
    :class:`sim.analysis.estimates.Estimates`, or None if the folder already holds a
    complete run of this configuration. The folder is claimed first (sim/run/folder.py:
    locked, refused if it holds anything else, cleared of an interrupted attempt);
    ``manifest.json`` is written last: it is what marks the folder complete. ``point``:
    a sweep's point (its number and overrides), recorded as point.json; ``key`` names the
    folder in a refusal."""
    started = time.perf_counter()
    held = is_locked(out_dir)  # claimed before Hydra ran (a folder named on the command line)
    try:
        if claim(out_dir, config, key) == "complete":
            if not quiet:
                print(already_complete(out_dir, config))
            return None
        if point is not None:
            write_json(point, out_dir / POINT)
        return _run_into(config, out_dir, started, quiet, max_workers)
    finally:
        if not held:
            unlock(out_dir)


def already_complete(folder: Path, config: Config | None = None) -> str:
    """Nothing to do; with ``run.by``, the answers by date from the run already there."""
    text = (
        f"{folder} already holds a complete run of this configuration (manifest.json): nothing to do. "
        "Add run.overwrite=true to run it again."
    )
    if config is not None and config.run.by:
        from ..core.io import read_parquet

        runs, daily = read_parquet(folder / "runs.parquet"), read_parquet(folder / "daily.parquet")
        text += "\n" + by_date_text(config, runs, daily)
    return text


def by_date_text(config: Config, runs, daily) -> str:
    """The answers for the days ``run.by`` asks for (sim/analysis/by_date.py), as
    ``python -m sim.query`` prints them; empty when it asks for none."""
    if not config.run.by:
        return ""
    from ..analysis.by_date import answer, describe_answers
    from ..core.dates import parse_day

    start, horizon = config.scenario.start_date, config.run.horizon_days
    days = [parse_day(text, start) for text in config.run.by]
    found = [answer(runs, daily, d, horizon, start, config.definitions.headline) for d in days]
    return describe_answers(found, horizon)


def _run_into(config: Config, out_dir: Path, started: float, quiet: bool, max_workers: int | None):
    write_text(OmegaConf.to_yaml(OmegaConf.create(to_dict(config))), out_dir / "config.yaml")
    write_json(provenance(), out_dir / "provenance.json")
    say = (lambda line: None) if quiet else (lambda line: print(line, flush=True))
    # a forecast as of another day (or record): its replicates draw from a conditioned population
    settings, prepared = forecast.prepare(config, say, max_workers)

    result = run_ensemble(
        settings, runs_path=out_dir / "runs.parquet", max_workers=max_workers, events_path=out_dir / "events.parquet"
    )
    if result.workers > 1:
        release_workers()
    # imported only now, once the workers are gone: lifelines and matplotlib are heavy,
    # and the peak memory of a big run is the parent's plus the workers'
    from ..analysis import plots
    from ..analysis.estimates import describe, estimate

    write_parquet(result.daily, out_dir / "daily.parquet")
    est = estimate(result.runs, config.run.horizon_days, config.definitions.headline)
    est.summary["parameters"] = parameters.describe(settings)
    est.summary["uncertainty"]["structural"] = {"backtest": backtest_verdict(), "report": BACKTEST_REPORT}
    if prepared is not None:
        est.summary["forecast"] = forecast.describe(config, prepared)
        forecast.write_outputs(settings, prepared, out_dir)
        origins.write_origins(settings, prepared, out_dir, est.summary, say)
    write_json(est.summary, out_dir / "summary.json")

    start = config.scenario.start_date
    if config.run.figures:
        label = (
            f"{config.scenario.name}, mechanism: {config.mvm.design}, mediators: "
            f"{', '.join(config.mediation.mediators) or 'none'}"
        )
        plots.survival_plot(est, out_dir / "survival.png", start, title=f"How long the truce holds ({label})")
        plots.trade_plot(
            result.daily, result.runs, out_dir / "trade.png", start, title=f"Trade across the border ({label})"
        )
        rounds = [
            r.end_day for r in round_calendar(config, config.run.horizon_days) if r.end_day <= config.run.horizon_days
        ]
        plots.dynamics_plot(result.daily, out_dir / "dynamics.png", rounds, start)
    write_manifest(out_dir, config, time.perf_counter() - started, result.workers)
    if not quiet:
        print(describe(est.summary, start))
        if prepared is not None:
            print(forecast.describe_line(config, prepared))
        print(describe_table(settings, result.runs))
        if config.run.by:
            print(by_date_text(config, result.runs, result.daily))
        print(f"Outputs in {out_dir}")
    return est


#: The shipped backtest's verdict (python -m experiments.backtest; make figures ships it).
BACKTEST_REPORT = "docs/studies/backtest"


def backtest_verdict() -> str | None:
    """The backtest's one-line verdict on the model (its shipped headline), if shipped."""
    path = ROOT / BACKTEST_REPORT / "headline.txt"
    return path.read_text().strip() if path.is_file() else None


def describe_table(config: Config, runs) -> str:
    """One line on where the replicates' parameters came from and, for replayed
    histories, how many still reproduce the record under this run's settings."""
    p = config.parameters
    if p.table is None:
        return (
            "Parameters: the values in conf/ and on the command line, the same in every replicate "
            "(parameters.table=null)."
        )
    table = read_table(p.table)
    drawn = [k for k in keys_of(table) if k not in p.pinned]
    if p.row is not None:
        how = f"every replicate took row {p.row} of"
    elif p.per_row > 1:
        how = f"replicate i took row (i // {p.per_row}) mod {len(table):,} of"
    else:
        how = f"replicate i took row i mod {len(table):,} of"
    line = f"Parameters: {len(drawn)} from a table ({how} {p.table})"
    matched = runs["record_match"].dropna()
    if HISTORY[0] in table.columns and len(matched):
        day = int(table[HISTORY[1]].max())
        line += (
            f"; each replicate replays the random draws of its row's history to day {day}, and "
            f"{matched.mean():.0%} of them reproduce the record to that day with these settings"
        )
        if matched.mean() < 1:
            line += (
                " (the others' first days differ: settings other than the calibrated ones, or a model changed "
                "since its calibration)"
            )
    pinned = parameters.describe(config)
    if pinned["pinned_calibrated"]:
        line += f"; calibrated but set explicitly, so not drawn: {', '.join(pinned['pinned_calibrated'])}"
    if pinned["pinned_other"]:
        line += f"; set explicitly, not drawn: {', '.join(pinned['pinned_other'])}"
    return line + "."


def run_point(
    config: Config, folder: Path, num: int, overrides: Sequence[str], keys: Sequence[str], max_workers: int
) -> str:
    """One point of a sweep, whoever launched it (this process or a Hydra job): its values
    recorded (``point.json``), then the run (skipped if the folder already holds it
    complete: resuming); returns its progress line."""
    label = f"[job {num}] {' '.join(o for o in overrides if o.partition('=')[0] in keys) or ' '.join(overrides)}"
    started = time.perf_counter()
    est = run_scenario(
        config,
        folder,
        quiet=True,
        max_workers=max_workers,
        point={"num": num, "overrides": list(overrides)},
        key=f"job {num}'s folder",
    )
    if est is None:
        return f"{label}: already complete, skipped"
    truce = est.summary["truce"]
    p90 = next((s["p"] for s in truce["survival"] if s["days"] == 90), None)
    p90_text = "" if p90 is None else f"P(holds 90 d) {p90:.2f}, "
    return (
        f"{label}: {p90_text}restricted mean {truce['rmst_days']['mean']:.0f} d ({time.perf_counter() - started:.1f} s)"
    )


def run_sweep_job(config: Config, out_dir: Path, num: int, overrides: list[str], sweep_dir: Path) -> None:
    """One job of a Hydra multirun: the point of :func:`sim.run.grid.run_point`, on its
    share of the cores (the sweep's design.json says how many points share them); one line."""
    design = read_design(sweep_dir) or {}
    points = len(design.get("points") or []) or None
    budget = job_worker_budget(config.run.n_jobs, points)
    say(run_point(config, out_dir, num, overrides, design.get("keys") or [], budget))


def say(line: str) -> None:
    """One line in one write, so that lines of jobs running in parallel do not interleave."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
