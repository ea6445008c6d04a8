"""A finished run folder read back for analysis: its replicates, event log, horizon and
start date (:func:`load_run`, refusing a folder that is not a complete run by the folder
contract of sim/run/folder.py), and scored against a questions file (:func:`score_run`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..analysis.questions import parse_file
from ..analysis.scoring import Run, score_frame
from ..core.errors import UsageError
from ..core.io import read_parquet
from ..core.outputs import month_loss_column
from .folder import MANIFEST, RUN_MARK, job_status
from .points import DESIGN


def load_run(run_dir: Path | str, need_events: bool = True) -> Run:
    """A finished run folder (``UsageError`` if it is missing, unfinished or not one)."""
    path = Path(run_dir)
    if not path.is_dir():
        raise UsageError(f"run folder '{path}' does not exist.")
    for name in ("runs.parquet", "config.yaml"):
        if not (path / name).is_file():
            raise UsageError(
                f"'{path}' is not a run folder: it has no {name}. Give the folder a 'python -m sim' run wrote "
                "(for a sweep, one job's folder)."
            )
    if (path / MANIFEST).exists() or (path / RUN_MARK).exists():
        status, reason = job_status(path)
        if status != "complete":
            raise UsageError(f"run folder '{path}' is not complete ({status}: {reason}); run it to the end first.")
    try:
        config = yaml.safe_load((path / "config.yaml").read_text())
        horizon = config["run"]["horizon_days"]
        start_date = str(config["scenario"]["start_date"])
        dt.date.fromisoformat(start_date)
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as err:
        raise UsageError(
            f"{path / 'config.yaml'} does not give run.horizon_days and scenario.start_date ({err!r})."
        ) from None
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise UsageError(f"{path / 'config.yaml'}: run.horizon_days is {horizon!r}, not a whole number of days.")
    runs = read_parquet(path / "runs.parquet")
    if "job" in runs.columns:
        raise UsageError(
            f"'{path}' holds a sweep's runs.parquet (one row per job and replicate): score each job's folder."
        )
    if "replicate" not in runs.columns or runs.empty:
        raise UsageError(f"{path / 'runs.parquet'} has no replicates.")
    runs = runs.sort_values("replicate", kind="stable").reset_index(drop=True)
    events = read_parquet(path / "events.parquet") if need_events and (path / "events.parquet").is_file() else None
    return Run(path, runs, events, int(horizon), start_date)


def score_run(run_dir: Path | str, questions_path: Path | str) -> pd.DataFrame:
    """Every question of ``questions_path`` scored on the run in ``run_dir``
    (:func:`sim.analysis.scoring.score_frame`)."""
    description, questions = parse_file(Path(questions_path))
    run = load_run(run_dir, need_events=any(q.is_count for q in questions))
    return score_frame(questions, run, description)


@dataclass
class QueryRun:
    """What the query by date reads: the run, its daily table and its headline definition."""

    run: Run
    daily: pd.DataFrame
    headline: str


def load_query_run(run_dir: Path | str) -> QueryRun:
    """A complete run folder for ``python -m sim.query`` (``UsageError`` if it is not one:
    no manifest, an unfinished or altered run, no daily table)."""
    path = Path(run_dir)
    if (path / DESIGN).is_file():
        raise UsageError(
            f"'{path}' is a sweep folder: give one job's folder (e.g. {path / '0'}), or compare the points with "
            f"python -m sim.sweep {path}."
        )
    if path.is_dir() and not (path / MANIFEST).is_file() and (path / "runs.parquet").is_file():
        raise UsageError(
            f"'{path}' is not a complete run: it has no {MANIFEST}, which a run writes last. Run it to the end "
            "(the same command resumes it), or give the folder of a finished 'python -m sim' run."
        )
    run = load_run(path, need_events=False)
    if not (path / "daily.parquet").is_file():
        raise UsageError(f"'{path}' has no daily.parquet: give the folder of a finished 'python -m sim' run.")
    if month_loss_column(1) not in run.runs.columns:
        raise UsageError(
            f"'{path}' was written before runs.parquet kept each replicate's trade loss at month ends "
            f"({month_loss_column(1)}, ...): run it again with this version to ask for US$ by date."
        )
    config = yaml.safe_load((path / "config.yaml").read_text())
    headline = str((config.get("definitions") or {}).get("headline", "breakdown"))
    return QueryRun(run, read_parquet(path / "daily.parquet"), headline)
