"""A sweep folder read back: every job of a Hydra multirun in one table, and compared.

:func:`load_sweep` reads the design (``design.json``: every point's overrides, written
when the sweep starts, whether Hydra or :func:`sim.run.grid.run_grid` runs it) and every
job's folder (``point.json``, its outputs): the complete points into ``Sweep.points`` (one
row a point, the swept keys as columns holding their values, typed as Hydra reads them,
every estimate of the point's ``summary.json`` flattened, typed by :func:`sweep_schema`)
and ``Sweep.runs`` (every replicate, keyed by ``job`` and the overrides); the others are
listed with why. :func:`compare` sets each point against the baseline point.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core import outputs
from ..core.errors import ConfigError, UsageError
from ..core.io import read_parquet
from .folder import FAILED, job_status
from .points import DESIGN as DESIGN_NAME
from .points import POINT, parse_baseline, point_values, read_design, same_value


@dataclass
class Job:
    num: int
    path: Path | None
    overrides: list[str]
    status: str  # complete | failed | incomplete | missing
    reason: str = ""

    values: dict[str, Any] = field(init=False)  # by key, typed: mvm -> 'joint', mvm.penalty -> 0.5

    def __post_init__(self) -> None:
        self.values = point_values(self.overrides)


@dataclass
class Sweep:
    """A sweep folder read back: the points, the replicates, the jobs that did not finish."""

    path: Path
    jobs: list[Job]
    keys: list[str]  # the swept keys, in command-line order
    points: pd.DataFrame  # one row a complete point (sweep.parquet)
    runs: pd.DataFrame  # every replicate of every complete point (runs.parquet)
    horizon: int
    baseline_job: int | None = None
    baseline_named: bool = False  # named by the user or the sweep's config, not the first point
    daily: dict[int, pd.DataFrame] = field(default_factory=dict)
    stale: list[Job] = field(default_factory=list)  # folders of an earlier sweep: ignored
    start_date: str | None = None  # day 0's date (scenario.start_date of the points)

    @property
    def not_complete(self) -> list[Job]:
        return [j for j in self.jobs if j.status != "complete"]

    def label(self, job: int) -> str:
        row = self.points.loc[self.points["job"] == job]
        return str(row["label"].iloc[0])

    def runs_of(self, job: int) -> pd.DataFrame:
        return self.runs.loc[self.runs["job"] == job]


def _read_point(job_dir: Path) -> tuple[int, list[str]] | None:
    """A job folder's number and overrides (its point.json), or None."""
    try:
        point = json.loads((job_dir / POINT).read_text())
        return int(point["num"]), [str(o) for o in point["overrides"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def unstarted_job(folder: Path, num: int, overrides: list[str]) -> Job:
    """A job with no point.json: refused before it could start (its folder holds only the
    failure note the sweep wrote), or never started."""
    status, reason = job_status(folder) if (folder / FAILED).is_file() else ("missing", "never started")
    return Job(num, folder if status == "failed" else None, overrides, status, reason)


def find_jobs(sweep_dir: Path) -> tuple[list[Job], list[Job]]:
    """The jobs of the sweep in ``sweep_dir``, and the folders left there by an earlier
    sweep into the same folder (not part of this one: ignored).

    The sweep's design is ``design.json``: a job it expects but that has no folder of its
    own (or whose folder holds another point) is ``missing``.
    """
    design = read_design(sweep_dir)
    if design is None:
        raise UsageError(
            f"'{sweep_dir}' is not a sweep folder: it has no readable {DESIGN_NAME} (written at the top of the "
            "sweep folder when a sweep starts). Give the folder of a 'python -m sim -m ...' run or a study's sweep, "
            "not one job's folder or a parent."
        )
    found: dict[int, Job] = {}
    for point_file in sorted(sweep_dir.glob(f"*/{POINT}")):
        job_dir = point_file.parent
        point = _read_point(job_dir)
        if point is not None:
            found[point[0]] = Job(point[0], job_dir, point[1], *job_status(job_dir))
    expected = design.get("points")
    if expected is None:  # another sweeper (Optuna, ...): its points are the folders
        return [found[k] for k in sorted(found)], []
    jobs = []
    for num, overrides in enumerate(expected):
        job = found.pop(num, None)
        if job is None:
            jobs.append(unstarted_job(sweep_dir / str(num), num, overrides))
        elif sorted(job.overrides) != sorted(overrides):
            earlier = " ".join(job.overrides)
            jobs.append(
                Job(
                    num,
                    None,
                    overrides,
                    "missing",
                    f"never started (its folder holds an earlier sweep's job: {earlier})",
                )
            )
        else:
            jobs.append(job)
    stale = [found[k] for k in sorted(found)]
    return jobs, stale


def swept_keys(jobs: Sequence[Job]) -> list[str]:
    """Keys whose value differs between jobs, in the order they were given; a one-point
    sweep has none."""
    keys: list[str] = []
    for job in jobs:
        for key in job.values:
            if key not in keys:
                keys.append(key)
    return [k for k in keys if len({repr(j.values.get(k)) for j in jobs}) > 1]


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """summary.json as one flat row: p_hold_90, p_hold_90_lower, rmst_days, ... ."""
    from ..analysis.estimates import SURVIVAL_TIMES  # lifelines: imported only when needed

    truce, trade, events = summary["truce"], summary["trade"], summary["events"]
    row: dict[str, Any] = {"replicates": truce["replicates"], "collapsed_share": truce["collapsed_share"]}
    survival = {s["days"]: s for s in truce["survival"]}
    for days in SURVIVAL_TIMES:  # NaN beyond the horizon: not estimated
        s = survival.get(days, {})
        row[f"p_hold_{days}"] = s.get("p")
        row[f"p_hold_{days}_lower"] = s.get("lower")
        row[f"p_hold_{days}_upper"] = s.get("upper")
    r, m = truce["rmst_days"], truce["median_days"]
    row.update(rmst_days=r["mean"], rmst_days_lower=r["lower"], rmst_days_upper=r["upper"])
    row.update(median_days=m["median"], median_days_lower=m["lower"], median_days_upper=m["upper"])
    for name, d in truce.get("definitions", {}).items():  # the three coded definitions
        by_day = {x["days"]: x["p"] for x in d["survival"]}
        for days in SURVIVAL_TIMES:
            row[f"p_no_{name}_{days}"] = by_day.get(days)
        row[f"rmst_{name}_days"] = d["rmst_days"]["mean"]
    causes = truce.get("collapse_causes", {})
    for cause in outputs.COLLAPSE_CAUSES:
        row[f"collapses_{cause}"] = causes.get(cause, 0)
    for level, key in (("50", "days_to_50"), ("90", "days_to_90"), ("90_sustained", "days_to_90_sustained")):
        d = trade.get(key)  # days to 50% / 90% of baseline trade, to 90% held 30 days (older sweeps lack it)
        if d is None:
            continue
        row[f"trade{level}_share_recovered"] = d["share_recovered"]
        row[f"trade{level}_median_all"] = d["median_all"]  # half of all replicates there by then
        for k in ("median", "lower", "upper", "p05", "p95"):  # among the replicates that recover
            row[f"trade{level}_recovered_{k}"] = d[k]
    for name in ("loss_usd", "bilateral_loss_usd", "transit_loss_usd"):  # the last two: older sweeps lack them
        for k, v in trade.get(name, {}).items():
            row[f"{name}_{k}"] = v
    row.update(events)
    return {k: (np.nan if v is None else v) for k, v in row.items()}


def _job_report(jobs: Sequence[Job]) -> str:
    bad = [j for j in jobs if j.status != "complete"]
    return "; ".join(f"job {j.num} ({' '.join(j.overrides) or 'no overrides'}): {j.status}, {j.reason}" for j in bad)


def sweep_schema(points: pd.DataFrame, keys: Sequence[str]) -> pa.Schema:
    """The Arrow schema of sweep.parquet: the job, its label and swept values, then
    every flattened estimate (counts as integers, the rest as numbers)."""
    fixed = [("job", pa.int64()), ("label", pa.string())]
    swept = [(k, pa.Schema.from_pandas(points[[k]], preserve_index=False).field(k).type) for k in keys]
    counts = {"horizon_days", "replicates", *(f"collapses_{c}" for c in outputs.COLLAPSE_CAUSES)}
    rest = [
        (c, pa.int64() if c in counts else pa.float64()) for c in points.columns if c not in ("job", "label", *keys)
    ]
    return pa.schema(fixed + swept + rest)


def load_sweep(sweep_dir: Path | str, baseline: str | None = None) -> Sweep:
    """Read a sweep folder: complete points into tables; the others listed with why.

    Raises :class:`UsageError` if the folder does not exist, holds no job or none is
    complete; :class:`ConfigError` if the points' horizons differ or the baseline
    matches no point.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise UsageError(f"sweep folder '{sweep_dir}' does not exist.")
    jobs, stale = find_jobs(sweep_dir)
    if not jobs:
        raise UsageError(f"'{sweep_dir}' holds no job of its sweep (no */{POINT}).")
    keys = swept_keys(jobs)
    rows, runs, horizon = [], [], 0
    for job in jobs:
        if job.status != "complete":
            continue
        try:
            summary = json.loads((job.path / "summary.json").read_text())
            point_runs = read_parquet(job.path / "runs.parquet")
        except Exception as err:  # a corrupt file: the job cannot be used
            job.status, job.reason = "failed", f"unreadable output: {type(err).__name__}: {err}"
            continue
        horizon = int(summary["truce"]["horizon_days"])
        label = ", ".join(o for o in job.overrides if o.partition("=")[0] in keys) or "all"
        rows.append(
            {
                "job": job.num,
                "label": label,
                **{k: job.values.get(k) for k in keys},
                "horizon_days": horizon,
                **flatten_summary(summary),
            }
        )
        point_runs.insert(0, "job", job.num)
        runs.append(point_runs)
    if not rows:
        raise UsageError(f"no job of '{sweep_dir}' is complete: {_job_report(jobs)}")
    horizons = {r["horizon_days"] for r in rows}
    if len(horizons) > 1:
        raise ConfigError(
            f"the points of '{sweep_dir}' have different horizons ({sorted(horizons)} days): "
            "their survival cannot be compared; sweep run.horizon_days in separate sweeps."
        )
    points = pd.DataFrame(rows)
    all_runs = pd.concat(runs, ignore_index=True)
    for k in keys:
        all_runs[k] = all_runs["job"].map(dict(zip(points["job"], points[k], strict=True)))
    all_runs = all_runs[["job", *keys, *[c for c in all_runs.columns if c not in ("job", *keys)]]]
    sweep = Sweep(sweep_dir, jobs, keys, points, all_runs, horizon, stale=stale)
    sweep.start_date = start_date_of(next(j for j in jobs if j.status == "complete").path)
    named = baseline or configured_baseline(sweep_dir)
    sweep.baseline_job = pick_baseline(sweep, named)
    sweep.baseline_named = bool(named)
    return sweep


def start_date_of(job_dir: Path) -> str | None:
    """Day 0's date of a job (its config.yaml), or None if it cannot be read."""
    import yaml

    try:
        return str(yaml.safe_load((job_dir / "config.yaml").read_text())["scenario"]["start_date"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def read_daily(sweep: Sweep, job: int) -> pd.DataFrame:
    if job not in sweep.daily:
        path = next(j.path for j in sweep.jobs if j.num == job)
        sweep.daily[job] = read_parquet(path / "daily.parquet")
    return sweep.daily[job]


def configured_baseline(sweep_dir: Path) -> str | None:
    """The baseline the sweep was run with (its design.json), if any."""
    return (read_design(sweep_dir) or {}).get("baseline")


def pick_baseline(sweep: Sweep, baseline: str | None) -> int:
    """The job of the baseline point: the first complete one, or the one whose overrides
    include every ``key=value`` of ``baseline`` (comma-separated)."""
    if not baseline:
        return int(sweep.points["job"].iloc[0])
    wanted = parse_baseline(baseline)
    for job in sweep.jobs:
        if job.status == "complete" and all(same_value(job.values.get(k), v) for k, v in wanted.items()):
            return job.num
    raise ConfigError(f"baseline '{baseline}' matches no complete point. Points: {'; '.join(sweep.points['label'])}.")


def compare(sweep: Sweep) -> pd.DataFrame:
    """Each point against the baseline (see :func:`sim.analysis.comparison.compare_arms`)."""
    from ..analysis.comparison import compare_arms

    base = sweep.runs_of(sweep.baseline_job)
    rows = []
    for _, point in sweep.points.iterrows():
        other = sweep.runs_of(point["job"])
        rows.append(
            {
                "job": point["job"],
                "label": point["label"],
                **{k: point[k] for k in sweep.keys},
                "baseline": point["job"] == sweep.baseline_job,
                "p_hold_90": point["p_hold_90"],
                "rmst_days": point["rmst_days"],
                **(
                    blank_comparison(compare_arms(base, base, sweep.horizon))
                    if point["job"] == sweep.baseline_job
                    else compare_arms(base, other, sweep.horizon)
                ),
            }
        )
    return pd.DataFrame(rows)


def blank_comparison(row: dict[str, Any]) -> dict[str, Any]:
    """The baseline's own row (its comparison with itself): nothing to compare it with,
    so every difference and p-value is blank."""
    return {k: (v if k in ("paired", "replicates") else np.nan) for k, v in row.items()}
