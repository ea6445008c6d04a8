"""Forecasts from the earlier origins of a forecast run (``forecast.origins``): the same
headlines (sim/analysis/headlines.py) from each origin's conditioned population, written
to ``origins.csv`` with the run's own, so that a reader sees how the forecast moved as
the record grew (the brief: ``python -m sim.brief``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from ..analysis import headlines
from ..core.schema import Config
from .forecast import start_of


def origin_summary(config: Config, table: str, replicates: int) -> dict:
    """The summary of a forecast of ``replicates`` from the population in ``table``."""
    from ..analysis.estimates import estimate
    from .config import with_values
    from .ensemble import run_ensemble

    settings = with_values(
        config,
        {"parameters.table": table, "run.replicates": replicates, "run.events": False, "run.figures": False},
    )
    result = run_ensemble(settings, progress=False)
    return estimate(result.runs, settings.run.horizon_days, settings.definitions.headline).summary


def origin_rows(config: Config, prepared, summary: dict, say: Callable[[str], None]) -> pd.DataFrame:
    """One row per origin and headline (the run's own as_of last, at its full size)."""
    start = start_of(config)
    n = config.forecast.origin_replicates
    frames = []
    for day, table in sorted(prepared.origins.items()):
        say(f"forecast: from day {day} ({start + dt.timedelta(day)}), {n:,} replicates")
        frames.append((day, n, origin_summary(config, str(table), n)))
    frames.append((prepared.plan.as_of, config.run.replicates, summary))
    rows = [
        {"origin_day": day, "origin": (start + dt.timedelta(day)).isoformat(), "replicates": reps, **row}
        for day, reps, s in frames
        for row in headlines.rows(s)
    ]
    return pd.DataFrame(rows)


def write_origins(config: Config, prepared, out_dir, summary: dict, say: Callable[[str], None]) -> None:
    """``origins.csv``: the headlines from each earlier origin and from ``as_of`` (none
    without ``forecast.origins``)."""
    if prepared.origins:
        origin_rows(config, prepared, summary, say).to_csv(out_dir / "origins.csv", index=False)
