"""Sweeps: every job of a Hydra multirun read into one table, compared and plotted.

``python -m sim -m mvm=none,joint`` runs one job a point (Hydra's joblib launcher by
default, Ray or SLURM on request) and, when the sweep ends, :class:`SweepCallback`
writes into the sweep folder:

- ``sweep.parquet``: one row a point, the swept overrides as columns, every estimate of
  the point's ``summary.json`` (flattened);
- ``runs.parquet``: every replicate of every point, keyed by ``job`` and the overrides;
- ``comparison.csv``: each point against the baseline point (log-rank p-value, paired
  difference in truce days, difference in days to 90% trade recovery);
- ``survival.png``, ``trade.png`` and, for a grid of two numeric parameters,
  ``heatmap.png``.

``python -m sim.sweep DIR [--baseline KEY=VALUE]`` does the same for any sweep folder,
also one in which some jobs failed or never ran: it names them and aggregates the rest.

A job is *complete* when its ``manifest.json`` (written last, atomically) lists files
that are all present with the recorded sizes. Re-running a sweep with the same
``hydra.sweep.dir`` skips complete jobs whose configuration is unchanged (resuming).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from hydra.experimental.callback import Callback

from .config import Config, ConfigError, to_dict
from .io import read_parquet, write_csv, write_json, write_parquet, write_text

#: The job outputs that must all be present for a job to count as complete.
JOB_OUTPUTS = ("config.yaml", "provenance.json", "runs.parquet", "daily.parquet", "summary.json")
MANIFEST = "manifest.json"
FAILED = "failed.txt"
#: Set by the sweep's driver for the jobs: how many points the sweep has, and which keys vary.
POINTS_ENV = "CEASEFIRE_SIM_SWEEP_POINTS"
KEYS_ENV = "CEASEFIRE_SIM_SWEEP_KEYS"
JOBLIB_LAUNCHER = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
SUBMITIT_LOCAL_LAUNCHER = "hydra_plugins.hydra_submitit_launcher.submitit_launcher.LocalLauncher"
#: Validate every point of sweeps up to this size; beyond it, every distinct value once.
VALIDATE_ALL_UP_TO = 64
#: Points listed in the printed summary of a sweep (all of them are in comparison.csv).
MAX_PRINTED = 40

# the sweep folder of the multirun in progress in this process (for the failure path)
ACTIVE: dict[str, Any] = {}


# --------------------------------------------------------------------------- job side


def config_digest(config: Config) -> str:
    """A fingerprint of a resolved configuration (run.n_jobs and run.progress excluded:
    they do not change the results)."""
    data = to_dict(config)
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("n_jobs", "progress")}
    if config.parameters.table is not None:  # the table's contents, not only its name
        from .parameters import table_digest

        data["parameters"]["sha256"] = table_digest(config.parameters.table)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def write_manifest(out_dir: Path, config: Config, elapsed_s: float, workers: int) -> Path:
    """Record the job's outputs and sizes; written last, so its presence means complete."""
    files = {name: (out_dir / name).stat().st_size for name in JOB_OUTPUTS}
    return write_json(
        {"config_sha256": config_digest(config), "files": files, "elapsed_s": round(elapsed_s, 2),
         "workers": workers, "finished": time.strftime("%Y-%m-%dT%H:%M:%S")},
        out_dir / MANIFEST,
    )


def job_status(job_dir: Path, config: Config | None = None) -> tuple[str, str]:
    """("complete" | "failed" | "incomplete", reason). With ``config``, a complete job
    whose configuration differs from it counts as incomplete (it must be run again)."""
    try:
        manifest = json.loads((job_dir / MANIFEST).read_text())
        files = manifest["files"]
    except FileNotFoundError:
        failed = job_dir / FAILED
        if failed.exists():
            return "failed", failed.read_text().strip().splitlines()[0][:300]
        return "incomplete", "no manifest.json: the job did not finish"
    except (ValueError, KeyError, TypeError):
        return "incomplete", "manifest.json is corrupt"
    for name, size in files.items():
        path = job_dir / name
        if not path.exists() or path.stat().st_size != size:
            return "incomplete", f"{name} is missing or not the size the manifest records"
    if config is not None and manifest.get("config_sha256") != config_digest(config):
        return "incomplete", "finished with another configuration"
    return "complete", ""


def available_cores() -> int:
    """Cores this process may use (joblib honours CPU affinity and cgroup quotas, as
    under SLURM or in a container)."""
    from joblib import cpu_count

    return max(1, cpu_count())


def launcher_workers(n_jobs: int, points: int | None, cores: int) -> int:
    """Jobs the joblib launcher runs at once (joblib's n_jobs convention: -1 = all
    cores, -2 = all but one)."""
    workers = n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)
    return min(workers, points) if points else workers


def job_worker_budget(run_n_jobs: int) -> int:
    """Worker processes one sweep job may start, so that the jobs running at once and
    each job's own workers together fit the cores (no oversubscription).

    On this machine the cores are shared among the jobs running at once: under the
    joblib launcher ``cores // concurrent jobs``, under submitit's local executor (which
    starts every job at once) ``cores // points``, at least 1. Inside a Ray task, the
    CPUs Ray gave it; on SLURM, the CPUs of the allocation (joblib reads the affinity).
    An explicit ``run.n_jobs`` above the budget is lowered to it.
    """
    from hydra.core.hydra_config import HydraConfig

    cores = available_cores()
    wanted = cores if run_n_jobs == -1 else run_n_jobs
    launcher = HydraConfig.get().launcher
    points = int(os.environ.get(POINTS_ENV, "0")) or None
    target = launcher.get("_target_")
    if target == JOBLIB_LAUNCHER:
        budget = cores // launcher_workers(int(launcher.n_jobs), points, cores)
    elif target == SUBMITIT_LOCAL_LAUNCHER:
        budget = cores // (points or cores)
    else:
        budget = _ray_task_cpus() or cores
    return max(1, min(wanted, budget))


def _ray_task_cpus() -> int:
    if "ray" not in sys.modules:
        return 0
    try:
        import ray

        if not ray.is_initialized():
            return 0
        return int(ray.get_runtime_context().get_assigned_resources().get("CPU", 0))
    except Exception:  # not inside a Ray task
        return 0


# --------------------------------------------------------------------------- the design


def sweep_points(cfg: Any) -> list[list[str]] | None:
    """The overrides of every job of a basic-sweeper multirun, in job order (as Hydra's
    BasicSweeper builds them from ``hydra.sweeper.params`` and the command line); None
    for another sweeper (Optuna, ...) whose points are not known in advance."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    if not str(cfg.hydra.sweeper.get("_target_", "")).endswith("BasicSweeper"):
        return None
    params = cfg.hydra.sweeper.get("params") or {}
    args = [f"{k}={v}" for k, v in params.items()] + list(cfg.hydra.overrides.task)
    overrides = OverridesParser.create().parse_overrides(args)
    return [list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]


def varying_keys(points: Sequence[Sequence[str]]) -> list[str]:
    """The keys whose value differs between points."""
    values: dict[str, set[str]] = {}
    for point in points:
        for ov in point:
            key, _, value = ov.partition("=")
            values.setdefault(key, set()).add(value)
    return [k for k, v in values.items() if len(v) > 1]


def job_label(overrides: Sequence[str]) -> str:
    """A job's overrides as the sweep's progress lines show them: the swept ones only."""
    keys = set(os.environ.get(KEYS_ENV, "").split())
    shown = [ov for ov in overrides if ov.partition("=")[0] in keys]
    return " ".join(shown or overrides)


def check_one_horizon(points: Sequence[Sequence[str]]) -> None:
    """Points must share one horizon: restricted means over different horizons differ by
    construction, and survival beyond the shorter one is unknown."""
    horizons = {ov.split("=", 1)[1] for point in points for ov in point if ov.split("=", 1)[0] == "run.horizon_days"}
    if len(horizons) > 1:
        raise ConfigError(
            f"run.horizon_days is swept ({', '.join(sorted(horizons))}): the points of a sweep must share one "
            "horizon to be compared; run one sweep per horizon."
        )


def validate_points(points: list[list[str]]) -> None:
    """Compose and check every point before any job starts; raise :class:`ConfigError`
    naming the point. A big sweep is checked one key at a time: every distinct value of
    a key, or only its smallest and largest where all are numbers (ranges are
    intervals), each on the first point."""
    from hydra import compose

    from . import config as schema

    candidates = points if len(points) <= VALIDATE_ALL_UP_TO else _value_extremes(points)
    for point in candidates:
        schema.check_overrides(["--multirun", *point])  # a point of a sweep
        try:
            cfg = compose(config_name="config", overrides=[*point])
        except Exception as err:  # Hydra's own composition errors
            raise ConfigError(f"sweep point {' '.join(point)}: {err}") from None
        try:
            schema.load_config(cfg)
        except ConfigError as err:
            raise ConfigError(f"sweep point {' '.join(point)}: {err}") from None


def _value_extremes(points: list[list[str]]) -> list[list[str]]:
    """The first point, and for each position where the points differ the first point
    with that position's distinct values (numbers: the smallest and the largest)."""
    first = points[0]
    candidates = [first]
    for i in range(len(first)):
        values = {point[i] for point in points}
        if len(values) < 2:
            continue
        key = first[i].partition("=")[0]
        numbers = typed([v.partition("=")[2] for v in values])
        if all(isinstance(v, int | float) for v in numbers):
            values = {f"{key}={min(numbers)}", f"{key}={max(numbers)}"}
        candidates += [[*first[:i], ov, *first[i + 1 :]] for ov in sorted(values)]
    return candidates


# --------------------------------------------------------------------------- reading a sweep


@dataclass
class Job:
    num: int
    path: Path | None
    overrides: list[str]
    status: str  # complete | failed | incomplete | missing
    reason: str = ""

    @property
    def values(self) -> dict[str, str]:
        return dict(ov.split("=", 1) for ov in self.overrides if "=" in ov)


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

    @property
    def not_complete(self) -> list[Job]:
        return [j for j in self.jobs if j.status != "complete"]

    def label(self, job: int) -> str:
        row = self.points.loc[self.points["job"] == job]
        return str(row["label"].iloc[0])

    def runs_of(self, job: int) -> pd.DataFrame:
        return self.runs.loc[self.runs["job"] == job]


def _read_yaml(path: Path) -> Any:
    with open(path) as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def find_jobs(sweep_dir: Path) -> tuple[list[Job], list[Job]]:
    """The jobs of the sweep in ``sweep_dir``, and the folders left there by an earlier
    sweep into the same folder (not part of this one: ignored).

    The sweep's design is ``multirun.yaml`` (Hydra writes it at the top of the sweep
    folder): a job it expects but that has no folder of its own is ``missing``.
    """
    from omegaconf import OmegaConf

    design = sweep_dir / "multirun.yaml"
    if not design.exists():
        raise ConfigError(
            f"'{sweep_dir}' is not a sweep folder: it has no multirun.yaml (Hydra writes one at the top of "
            "hydra.sweep.dir). Give the folder of a 'python -m sim -m ...' run, not one job's folder or a parent."
        )
    try:
        expected = sweep_points(OmegaConf.load(design))
    except Exception as err:
        raise ConfigError(f"{design} cannot be read: {err}") from None
    found: dict[int, Job] = {}
    for hydra_yaml in sorted(sweep_dir.glob("*/.hydra/hydra.yaml")):
        job_dir = hydra_yaml.parent.parent
        try:
            num = int(_read_yaml(hydra_yaml)["hydra"]["job"]["num"])
            overrides = [str(o) for o in _read_yaml(job_dir / ".hydra" / "overrides.yaml") or []]
        except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError):
            continue
        found[num] = Job(num, job_dir, overrides, *job_status(job_dir))
    if expected is None:  # another sweeper (Optuna, ...): its points are the folders
        return [found[k] for k in sorted(found)], []
    jobs = []
    for num, overrides in enumerate(expected):
        job = found.pop(num, None)
        if job is None:
            jobs.append(Job(num, None, overrides, "missing", "never started"))
        elif sorted(job.overrides) != sorted(overrides):
            jobs.append(Job(num, None, overrides, "missing", f"never started (its folder holds an earlier sweep's job: {' '.join(job.overrides)})"))
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
    return [k for k in keys if len({j.values.get(k) for j in jobs}) > 1]


def typed(values: Iterable[str]) -> list[Any]:
    """Override values as numbers when every value is a number, else as text."""
    values = list(values)
    parsed = [yaml.safe_load(v) if v is not None else None for v in values]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in parsed):
        return parsed
    return [str(v) for v in values]


def flatten_summary(summary: dict[str, Any]) -> dict[str, Any]:
    """summary.json as one flat row: p_hold_90, p_hold_90_lower, rmst_days, ... ."""
    from .estimates import SURVIVAL_TIMES  # lifelines: imported only when needed
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
    for cause, n in truce.get("collapse_causes", {}).items():
        row[f"collapses_{cause}"] = n
    for level in ("50", "90"):  # days to 50% / 90% of baseline trade
        d = trade[f"days_to_{level}"]
        row[f"trade{level}_share_recovered"] = d["share_recovered"]
        row[f"trade{level}_median_all"] = d["median_all"]  # half of all replicates there by then
        for k in ("median", "lower", "upper", "p05", "p95"):  # among the replicates that recover
            row[f"trade{level}_recovered_{k}"] = d[k]
    for k, v in trade["loss_usd"].items():
        row[f"loss_usd_{k}"] = v
    row.update(events)
    return {k: (np.nan if v is None else v) for k, v in row.items()}


def load_sweep(sweep_dir: Path | str, baseline: str | None = None) -> Sweep:
    """Read a sweep folder: complete points into tables; the others listed with why.

    Raises :class:`ConfigError` if the folder does not exist or holds no job.
    """
    sweep_dir = Path(sweep_dir)
    if not sweep_dir.is_dir():
        raise ConfigError(f"sweep folder '{sweep_dir}' does not exist.")
    jobs, stale = find_jobs(sweep_dir)
    if not jobs:
        raise ConfigError(f"'{sweep_dir}' holds no job of its sweep (no */.hydra/hydra.yaml).")
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
        label = ", ".join(f"{k}={job.values.get(k)}" for k in keys) or "all"
        rows.append({"job": job.num, "label": label, **{k: job.values.get(k) for k in keys},
                     "horizon_days": horizon, **flatten_summary(summary)})
        point_runs.insert(0, "job", job.num)
        runs.append(point_runs)
    if not rows:
        raise ConfigError(f"no job of '{sweep_dir}' is complete: {_job_report(jobs)}")
    horizons = {r["horizon_days"] for r in rows}
    if len(horizons) > 1:
        raise ConfigError(f"the points of '{sweep_dir}' have different horizons ({sorted(horizons)} days): "
                          "their survival cannot be compared; sweep run.horizon_days in separate sweeps.")
    points = pd.DataFrame(rows)
    all_runs = pd.concat(runs, ignore_index=True)
    for k in keys:
        points[k] = typed(points[k])
        all_runs[k] = all_runs["job"].map(dict(zip(points["job"], points[k], strict=True)))
    all_runs = all_runs[["job", *keys, *[c for c in all_runs.columns if c not in ("job", *keys)]]]
    sweep = Sweep(sweep_dir, jobs, keys, points, all_runs, horizon, stale=stale)
    named = baseline or configured_baseline(sweep_dir)
    sweep.baseline_job = pick_baseline(sweep, named)
    sweep.baseline_named = bool(named)
    return sweep


def read_daily(sweep: Sweep, job: int) -> pd.DataFrame:
    if job not in sweep.daily:
        path = next(j.path for j in sweep.jobs if j.num == job)
        sweep.daily[job] = read_parquet(path / "daily.parquet")
    return sweep.daily[job]


def configured_baseline(sweep_dir: Path) -> str | None:
    """The baseline the sweep was run with (hydra.callbacks.sweep.baseline), if any."""
    try:
        return _read_yaml(sweep_dir / "multirun.yaml")["hydra"]["callbacks"]["sweep"]["baseline"]
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return None


def pick_baseline(sweep: Sweep, baseline: str | None) -> int:
    """The job of the baseline point: the first complete one, or the one whose overrides
    include every ``key=value`` of ``baseline`` (comma-separated)."""
    if not baseline:
        return int(sweep.points["job"].iloc[0])
    wanted = parse_baseline(baseline)
    for job in sweep.jobs:
        if job.status == "complete" and all(_same(job.values.get(k), v) for k, v in wanted.items()):
            return job.num
    raise ConfigError(
        f"baseline '{baseline}' matches no complete point. Points: {'; '.join(sweep.points['label'])}."
    )


def _same(a: str | None, b: str) -> bool:
    """Two override values are the same as YAML reads them (true = True, 1 = 1.0)."""
    if a is None:
        return False
    try:
        return a == b or yaml.safe_load(a) == yaml.safe_load(b)
    except yaml.YAMLError:
        return False


def parse_baseline(baseline: str) -> dict[str, str]:
    wanted = dict(part.strip().split("=", 1) for part in baseline.split(",") if "=" in part)
    if not wanted:
        raise ConfigError(f"baseline '{baseline}': give it as key=value[,key=value] (e.g. mvm=none).")
    return wanted


def check_baseline(baseline: str, points: Sequence[Sequence[str]]) -> None:
    """The baseline must name one of the sweep's points."""
    wanted = parse_baseline(baseline)
    for point in points:
        values = dict(ov.split("=", 1) for ov in point if "=" in ov)
        if all(_same(values.get(k), v) for k, v in wanted.items()):
            return
    raise ConfigError(
        f"hydra.callbacks.sweep.baseline '{baseline}' matches no point of the sweep. "
        f"Points: {'; '.join(' '.join(p) for p in points[:10])}{' ...' if len(points) > 10 else ''}."
    )


# --------------------------------------------------------------------------- comparison


def compare(sweep: Sweep) -> pd.DataFrame:
    """Each point against the baseline (see :func:`sim.estimates.compare_arms`)."""
    from .estimates import compare_arms

    base = sweep.runs_of(sweep.baseline_job)
    rows = []
    for _, point in sweep.points.iterrows():
        other = sweep.runs_of(point["job"])
        rows.append({
            "job": point["job"], "label": point["label"], **{k: point[k] for k in sweep.keys},
            "baseline": point["job"] == sweep.baseline_job,
            "p_hold_90": point["p_hold_90"], "rmst_days": point["rmst_days"],
            **(blank_comparison(compare_arms(base, base, sweep.horizon)) if point["job"] == sweep.baseline_job
               else compare_arms(base, other, sweep.horizon)),
        })
    return pd.DataFrame(rows)


def blank_comparison(row: dict[str, Any]) -> dict[str, Any]:
    """The baseline's own row (its comparison with itself): nothing to compare it with,
    so every difference and p-value is blank."""
    return {k: (v if k in ("paired", "replicates") else np.nan) for k, v in row.items()}


# --------------------------------------------------------------------------- writing


def _job_report(jobs: Sequence[Job]) -> str:
    bad = [j for j in jobs if j.status != "complete"]
    return "; ".join(f"job {j.num} ({' '.join(j.overrides) or 'no overrides'}): {j.status}, {j.reason}" for j in bad)


def aggregate(sweep_dir: Path | str, baseline: str | None = None, quiet: bool = False) -> Sweep:
    """Read the sweep and write its tables and figures into the sweep folder."""
    from . import plots

    sweep = load_sweep(sweep_dir, baseline)
    out = sweep.path
    write_parquet(sweep.points, out / "sweep.parquet")
    write_parquet(sweep.runs, out / "runs.parquet")
    comparison = compare(sweep)
    write_csv(comparison, out / "comparison.csv")
    failed = out / "failed_jobs.csv"
    if sweep.not_complete:
        write_csv(
            pd.DataFrame([{"job": j.num, "overrides": " ".join(j.overrides), "status": j.status, "reason": j.reason} for j in sweep.not_complete]),
            failed,
        )
    else:
        failed.unlink(missing_ok=True)
    shown = plots.pick_points(sweep.points, baseline=sweep.baseline_job)
    plots.sweep_survival_plot(sweep, shown, out / "survival.png")
    plots.sweep_trade_plot(sweep, shown, out / "trade.png", {j: read_daily(sweep, j) for j in shown})
    heatmap = out / "heatmap.png"
    if grid_keys(sweep) and sweep.points["rmst_days"].notna().any():
        plots.sweep_heatmap(sweep, *grid_keys(sweep), heatmap)
    else:
        heatmap.unlink(missing_ok=True)
    if not quiet:
        print(describe_sweep(sweep, comparison))
    return sweep


def grid_keys(sweep: Sweep) -> tuple[str, str] | None:
    """The two swept keys of a numeric two-parameter grid, else None."""
    if len(sweep.keys) != 2:
        return None
    a, b = sweep.keys
    numeric = all(pd.api.types.is_numeric_dtype(sweep.points[k]) for k in (a, b))
    return (a, b) if numeric else None


def describe_sweep(sweep: Sweep, comparison: pd.DataFrame) -> str:
    n_ok = len(sweep.points)
    lines = [f"Sweep {sweep.path}: {n_ok} of {len(sweep.jobs)} points complete"]
    for job in sweep.not_complete:
        lines.append(f"  job {job.num} ({' '.join(job.overrides)}): {job.status} ({job.reason})")
    if sweep.stale:
        lines.append(f"  ignored: {len(sweep.stale)} folders left by an earlier sweep into this folder "
                     f"(jobs {', '.join(str(j.num) for j in sweep.stale)}; not part of this sweep)")
    base_label = sweep.label(sweep.baseline_job)
    if sweep.baseline_job != sweep.jobs[0].num and not sweep.baseline_named:
        lines.append(f"  note: the first point did not finish, so the baseline is the first that did ({base_label})")
    lines.append(f"Against the baseline ({base_label}); truce days within {sweep.horizon} days, paired by replicate; "
                 "p-values: paired t-test of the difference, and log-rank (unpaired) of the survival curves:")
    width = max(len(s) for s in comparison["label"])
    lines.append(f"  {'point':<{width}}  P(90 d)  RMST  {'diff in truce days [95% CI]':<28}  paired p  log-rank p")
    shown = comparison if len(comparison) <= MAX_PRINTED else comparison.iloc[:MAX_PRINTED]
    for _, r in shown.iterrows():
        p90 = "    n/a" if pd.isna(r["p_hold_90"]) else f"{r['p_hold_90']:7.2f}"
        if r["baseline"]:
            diff, p_paired, p_logrank = "(baseline)", "", ""
        else:
            diff = f"{r['diff_truce_days']:+.1f} [{r['diff_truce_days_lower']:+.1f}, {r['diff_truce_days_upper']:+.1f}]"
            p_paired, p_logrank = f"{r['diff_truce_days_p']:.2g}", f"{r['logrank_p']:.2g}"
        lines.append(f"  {r['label']:<{width}}  {p90}  {r['rmst_days']:4.0f}  {diff:<28}  {p_paired:>8}  {p_logrank:>10}")
    if len(shown) < len(comparison):
        lines.append(f"  ... and {len(comparison) - len(shown)} more points: every one is in comparison.csv")
    lines.append(f"Tables and figures in {sweep.path}: sweep.parquet, runs.parquet, comparison.csv, survival.png, trade.png"
                 + (", heatmap.png" if grid_keys(sweep) else ""))
    return "\n".join(lines)


# --------------------------------------------------------------------------- the callback


class SweepCallback(Callback):
    """Hydra callback: checks every point before a sweep starts, records failed jobs,
    and aggregates the sweep when it ends.

    Configured in ``conf/config.yaml`` under ``hydra.callbacks.sweep``; ``baseline``
    names the baseline point; on the command line its value needs quotes because it
    holds an '=': ``'hydra.callbacks.sweep.baseline="mvm=none"'``.
    """

    def __init__(self, baseline: str | None = None) -> None:
        self.baseline = baseline

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        from .__main__ import fail

        ACTIVE.clear()
        points = sweep_points(config)
        try:
            if points:
                check_one_horizon(points)
                validate_points(points)
                if self.baseline:
                    check_baseline(self.baseline, points)
        except ConfigError as err:
            fail(err)
        os.environ[POINTS_ENV] = str(len(points) if points else 0)
        os.environ[KEYS_ENV] = " ".join(varying_keys(points or []))
        ACTIVE.update(dir=Path(config.hydra.sweep.dir), baseline=self.baseline)
        if points:
            print(f"Sweep of {len(points)} points into {config.hydra.sweep.dir}", flush=True)

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        from hydra.core.utils import JobStatus

        if job_return.status == JobStatus.FAILED:
            out_dir = Path(config.hydra.runtime.output_dir)
            err = job_return._return_value
            write_text(f"{type(err).__name__}: {err}\n", out_dir / FAILED)

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        ACTIVE.clear()
        try:
            aggregate(Path(config.hydra.sweep.dir), self.baseline)
        except Exception as err:  # every job finished; say why their summary is missing
            print(f"ceasefire-sim: the jobs finished but the sweep cannot be aggregated: {type(err).__name__}: {err}",
                  file=sys.stderr)
            sys.exit(1)


def aggregate_after_failure() -> None:
    """A sweep stopped by a failed job: aggregate the jobs that did finish, if any."""
    if not ACTIVE:
        return
    sweep_dir, baseline = ACTIVE["dir"], ACTIVE.get("baseline")
    ACTIVE.clear()
    try:
        aggregate(sweep_dir, baseline)
    except ConfigError as err:
        print(f"ceasefire-sim: nothing to aggregate: {err}", file=sys.stderr)


# --------------------------------------------------------------------------- CLI


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.sweep",
        description="Aggregate a sweep folder (python -m sim -m ...) into sweep.parquet, runs.parquet, "
        "comparison.csv and the sweep figures. Exit 0 if every job is complete, 1 if some are not "
        "(the rest are aggregated), 2 if nothing can be aggregated.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep folder (hydra.sweep.dir)")
    parser.add_argument("--baseline", help="the baseline point as key=value[,key=value] (default: the one the sweep "
                        "was run with, hydra.callbacks.sweep.baseline, else the first point)")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    try:
        sweep = aggregate(args.sweep_dir, args.baseline, quiet=args.quiet)
    except ConfigError as err:
        print(f"ceasefire-sim: {err}", file=sys.stderr)
        return 2
    return 1 if sweep.not_complete else 0


if __name__ == "__main__":
    sys.exit(main())
