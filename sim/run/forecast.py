"""A forecast as of any day of a record: the ``forecast`` settings resolved, the calibrated
ensemble conditioned on the record to that day (sim/analysis/sequential.py), and the
populations kept in a cache so that moving the forecast a week on costs one update.

What a run does with ``forecast`` (docs/forecasting.md):

- **the default** (the shipped record, ``as_of`` its last day, 5 November 2025, no
  ``origins``): nothing here runs; replicates draw from the calibration's posterior,
  whose histories reproduce the record to day 17 (sim/run/parameters.py).
- **any other day or record**: the population standing on ``as_of`` is found or made,
  and becomes the run's parameter table (``parameters.table``: its rows carry their
  histories, ``record_seed`` and ``record_day = as_of``). It is made by the filter's
  weekly updates (days 7, 14, 21, ...: :func:`sim.analysis.sequential.schedule`) from
  the nearest start: the calibration's posterior on day 17 when the record agrees with
  the shipped one to that day and ``as_of`` is on or after it, else the prior (the outside
  view's, ``conf/calibration/priors.csv``) on day 0. Each population is kept in the
  cache under a digest of everything it depends on (the model's settings, the priors,
  the tolerance, the start, the record's events to its day, the filter's settings), so
  that a record extended by a week reuses every population to last week's day.
- **origins**: the same for each earlier day, and a smaller forecast from each
  (``origin_replicates``), written to ``origins.csv`` with the run's own: how the
  forecast moved, read by the brief (``python -m sim.brief``).

The record is checked where it is read (sim/analysis/record.py): a row the model cannot
represent, a date out of order, an unknown event type or actor is refused in one
paragraph naming the row; so is an ``as_of`` beyond the record's last day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..analysis import record as rec
from ..analysis import sequential as sq
from ..core.errors import ConfigError
from ..core.io import read_parquet, write_json, write_parquet
from ..core.schema import CONF_DIR, Config, to_dict
from .parameters import HISTORY, read_table, resolve
from .parameters import check as check_table

#: Bump when the filter's algorithm changes: cached populations of another version are not reused.
FILTER_VERSION = 1
#: The calibration's tolerance and the outside view's priors (installed by experiments/calibration.py).
TOLERANCE = CONF_DIR / "calibration" / "tolerance.json"
PRIORS = CONF_DIR / "calibration" / "priors.csv"
#: The default parameter table: the calibration's posterior, its histories to day 17.
POSTERIOR = "calibration/posterior.csv"


# --------------------------------------------------------------------------- the settings


def start_of(config: Config) -> dt.date:
    """Day 0 of the scenario (19 October 2025, the Doha ceasefire)."""
    return dt.date.fromisoformat(config.scenario.start_date)


def day_of(value: str, start: dt.date, key: str) -> int:
    """A day number from a date (YYYY-MM-DD) or a whole number of days since ``start``."""
    text = str(value).strip()
    if text.lstrip("+-").isdigit():
        return int(text)
    try:
        return (dt.date.fromisoformat(text) - start).days
    except ValueError:
        raise ConfigError(
            f"{key}: {value!r} is neither a date written YYYY-MM-DD nor a day number (0 = {start.isoformat()})."
        ) from None


@dataclass(frozen=True)
class Plan:
    """A forecast's settings resolved: the record's files, its last day, the day of the
    forecast and of the earlier origins."""

    record: Path
    counts: Path
    shipped: bool  # the record and counts that ship with the project
    last_day: int
    as_of: int
    origins: tuple[int, ...]

    @property
    def is_default(self) -> bool:
        return self.shipped and self.as_of == rec.RECORD_DAY and not self.origins


def record_path(record: str | None) -> Path:
    """``forecast.record``, else the record that ships."""
    return rec.RECORD_CSV if record is None else Path(record).expanduser().resolve()


def counts_path(counts: str | None, record: Path) -> Path:
    """``forecast.counts``, else record_counts.csv beside the record, else the shipped one."""
    if counts is not None:
        return Path(counts).expanduser().resolve()
    beside = record.with_name("record_counts.csv")
    return beside if beside.is_file() else rec.COUNTS_CSV


def plan(config: Config) -> Plan:
    """The forecast's settings, checked: the record readable, ``as_of`` and every origin
    within it (on or after day 1, on or before its last day), the origins before
    ``as_of``."""
    f, start = config.forecast, start_of(config)
    record = record_path(f.record)
    counts = counts_path(f.counts, record)
    shipped = record == rec.RECORD_CSV and counts == rec.COUNTS_CSV
    events = evidence_events(record)
    last_row = max((e.day for e in events), default=0)
    if f.record_to is not None:
        last_day = day_of(f.record_to, start, "forecast.record_to")
        if last_day < last_row:
            raise ConfigError(
                f"forecast.record_to: {f.record_to} is before the record's last row (day {last_row}, "
                f"{start + dt.timedelta(last_row)}): the record cannot be complete to a day before its own events."
            )
    else:
        last_day = max(last_row, rec.RECORD_DAY) if shipped or f.record is not None else last_row
    as_of = last_day if f.as_of is None else day_of(f.as_of, start, "forecast.as_of")
    where = f"the record {record}" if f.record else "the record that ships (docs/context/record.csv)"
    if as_of > last_day:
        raise ConfigError(
            f"forecast.as_of: day {as_of} ({start + dt.timedelta(as_of)}) is beyond {where}, which ends on day "
            f"{last_day} ({start + dt.timedelta(last_day)}). Add the events since then to the record (and, if "
            "nothing happened after its last row, say so with forecast.record_to=DATE), or forecast from an "
            "earlier day."
        )
    if as_of < rec.FIRST_DAY:
        raise ConfigError(
            f"forecast.as_of: day {as_of} is before day {rec.FIRST_DAY}, the first day the record's statistics read "
            f"(day 0 = {start}, the ceasefire)."
        )
    if as_of >= config.run.horizon_days:
        raise ConfigError(
            f"forecast.as_of: day {as_of} is not before run.horizon_days ({config.run.horizon_days}): nothing "
            "would be left to forecast."
        )
    origins = tuple(sorted({day_of(o, start, "forecast.origins") for o in f.origins}))
    bad = [o for o in origins if not rec.FIRST_DAY <= o < as_of]
    if bad:
        raise ConfigError(
            f"forecast.origins: day {bad[0]} is not between day {rec.FIRST_DAY} and the day before as_of "
            f"(day {as_of}): an origin is an earlier day of the same record."
        )
    p = Plan(record, counts, shipped, last_day, as_of, origins)
    if not p.is_default and config.parameters.table != POSTERIOR:
        raise ConfigError(
            f"forecast: parameters.table is {config.parameters.table!r}, but a forecast as of day {as_of} (or of "
            f"another record) conditions the calibration's posterior ({POSTERIOR}) or its prior itself: leave "
            "parameters.table at its default."
        )
    return p


@lru_cache(maxsize=8)
def _events(record: Path, mtime: int) -> tuple:
    return tuple(rec.read_record(record))


def evidence_events(record: Path) -> tuple:
    """The record's events, checked (read once per file version)."""
    if not record.is_file():
        raise ConfigError(f"forecast.record: {record} is missing (or not a file).")
    return _events(record, record.stat().st_mtime_ns)


def tolerance() -> dict:
    if not TOLERANCE.is_file():
        raise ConfigError(
            f"{TOLERANCE} is missing: install a calibration (python -m experiments.calibration --install)."
        )
    return json.loads(TOLERANCE.read_text())


def evidence(config: Config, p: Plan | None = None) -> sq.Evidence:
    """What a history must reproduce: the record's events, its counted rates and the
    calibration's tolerance."""
    p = p or plan(config)
    return sq.Evidence(evidence_events(p.record), rec.read_rates(p.counts), tolerance())


# --------------------------------------------------------------------------- the populations


def installed_priors() -> dict[str, tuple[float, float]]:
    """The outside view's Beta shapes the installed posterior was fitted under (none:
    uniform priors)."""
    if not PRIORS.is_file():
        return {}
    table = pd.read_csv(PRIORS)
    return {row.key: (float(row.a), float(row.b)) for row in table.itertuples()}


def cache_dir(config: Config) -> Path:
    if config.forecast.cache is not None:
        return Path(config.forecast.cache).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "ceasefire-sim"


@dataclass
class Filter:
    """Everything a population depends on besides its checkpoints: the model's settings,
    the priors, the evidence, the start, the filter's settings."""

    config: Config
    chosen: list
    evidence: sq.Evidence
    start: sq.Population
    start_label: str
    settings: sq.Settings
    seed: int
    cache: Path

    def key(self, checkpoints: tuple[int, ...]) -> str:
        """The digest a population standing on ``checkpoints`` is cached under."""
        model = {k: v for k, v in to_dict(self.config).items() if k not in ("run", "forecast", "parameters")}
        day = checkpoints[-1] if checkpoints else 0
        data = {
            "version": FILTER_VERSION,
            "model": model,
            "pinned": sorted(self.config.parameters.pinned),
            "priors": [(f.key, f.lo, f.hi, f.a, f.b) for f in self.chosen],
            "tolerance": self.evidence.tolerance,
            "start": self.start_label,
            "events": [tuple(e) for e in self.evidence.until(day)],
            "rates": dataclasses.asdict(self.evidence.rates) if self.evidence.rates else None,
            "checkpoints": checkpoints,
            "particles": len(self.start.z),
            "settings": dataclasses.asdict(dataclasses.replace(self.settings, n_jobs=1)),
            "seed": self.seed,
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:24]

    def population(self, checkpoints: tuple[int, ...], say: Callable[[str], None]) -> tuple[sq.Population, list]:
        """The population standing on ``checkpoints`` (from the cache, or by updating the
        one standing on all but the last), and the diagnostics of every update from the
        start."""
        if checkpoints == self.start.checkpoints:
            return self.start, []
        path = self.cache / "populations" / f"{self.key(checkpoints)}.parquet"
        previous, steps = self.population(checkpoints[:-1], say)
        if path.is_file():
            table = read_parquet(path)
            population = sq.Population.from_table(self.chosen, table.drop(columns=["step"]), checkpoints)
            return population, [*steps, json.loads(table["step"].iloc[0])]
        day = checkpoints[-1]
        population, step = sq.update(
            self.config, self.chosen, previous, day, self.evidence, self.seed + 7919 * day, self.settings
        )
        say(f"forecast: {sq.describe_step(step, len(population.z))}")
        table = population.table(self.chosen).assign(step=json.dumps({**vars(step), "ess": step.ess}))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        write_parquet(table, tmp)
        os.replace(tmp, path)  # atomic: two jobs making the same population write the same bytes
        return population, [*steps, {**vars(step), "ess": step.ess}]


def agrees_with_shipped(ev: sq.Evidence) -> bool:
    """Whether a record states what the shipped one does to day 17 (its statistics equal):
    then the calibration's posterior stands on day 17 of this record too."""
    shipped = sq.Evidence(tuple(rec.read_record()), rec.read_rates(), ev.tolerance)
    return all(ev.statistics(d) == shipped.statistics(d) for d in (rec.RECORD_DAY,))


def make_filter(config: Config, p: Plan, day: int, n_jobs: int = -1) -> Filter:
    """The filter that reaches ``day``: from the posterior on day 17 where it can (the
    default table, a record that agrees with the shipped one, ``day`` on or after 17),
    else from the prior on day 0."""
    from ..analysis.calibration import calibrated_factors

    f = config.forecast
    chosen = calibrated_factors(config, shapes=installed_priors())
    ev = evidence(config, p)
    settings = sq.Settings(n_jobs=n_jobs)
    if day >= rec.RECORD_DAY and agrees_with_shipped(ev):
        table = read_table(POSTERIOR)
        rng = np.random.default_rng(f.seed)
        rows = table if len(table) <= f.particles else table.iloc[np.sort(rng.choice(len(table), f.particles, False))]
        start = sq.Population.from_table(chosen, rows.reset_index(drop=True), (rec.RECORD_DAY,))
        label = "posterior:" + hashlib.sha256(resolve(POSTERIOR).read_bytes()).hexdigest()
    else:
        start = sq.prior_population(chosen, f.particles, f.seed)
        label = "prior"
    return Filter(config, chosen, ev, start, label, settings, f.seed, cache_dir(config))


def conditioned(
    config: Config, p: Plan, day: int, say: Callable[[str], None], n_jobs: int = -1
) -> tuple[pd.DataFrame, list, str]:
    """The population standing on ``day`` as a parameter table, the diagnostics of its
    updates, and where it started."""
    filt = make_filter(config, p, day, n_jobs)
    days = tuple(sq.schedule(filt.start.day, day))
    population, steps = filt.population((*filt.start.checkpoints, *days), say)
    return population.table(filt.chosen), steps, filt.start_label.split(":")[0]


# --------------------------------------------------------------------------- the run


@dataclass
class Prepared:
    """A run's forecast: its settings, the table its replicates draw from (None: the
    default, the posterior as installed), the diagnostics, the origins' tables."""

    plan: Plan
    table: Path | None
    steps: list
    start: str
    origins: dict[int, Path]


def prepare(
    config: Config, say: Callable[[str], None] = print, max_workers: int | None = None
) -> tuple[Config, Prepared | None]:
    """The run's configuration with the population conditioned on the record to
    ``as_of`` as its parameter table (nothing changes for the default forecast), on at
    most ``max_workers`` workers."""
    from .workers import effective_jobs

    p = plan(config)
    jobs = effective_jobs(config.run.n_jobs, config.forecast.particles, sq.CHUNK, max_workers)
    if p.is_default:
        return config, None
    cache = cache_dir(config) / "tables"
    table_path, steps, start = None, [], "posterior"
    if not (p.shipped and p.as_of == rec.RECORD_DAY):
        say(f"forecast: conditioning {config.forecast.particles:,} particles on the record to day {p.as_of}")
        table, steps, start = conditioned(config, p, p.as_of, say, jobs)
        table_path = save_table(table, cache)
    origins = {}
    for o in p.origins:
        table, _, _ = conditioned(config, p, o, say, jobs)
        origins[o] = save_table(table, cache)
    if table_path is not None:
        config = dataclasses.replace(config, parameters=dataclasses.replace(config.parameters, table=str(table_path)))
        check_table(config)
    return config, Prepared(p, table_path, steps, start, origins)


def save_table(table: pd.DataFrame, folder: Path) -> Path:
    """A population's table as a file named by its contents (what a run's parameters.table names)."""
    data = table.to_csv(index=False).encode()
    path = folder / f"{hashlib.sha256(data).hexdigest()[:24]}.csv"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path


def describe(config: Config, prepared: Prepared) -> dict:
    """``forecast.json``: the day, the record, the start and every update's diagnostics."""
    p, start = prepared.plan, start_of(config)
    return {
        "as_of_day": p.as_of,
        "as_of": (start + dt.timedelta(p.as_of)).isoformat(),
        "record": str(p.record),
        "record_sha256": hashlib.sha256(p.record.read_bytes()).hexdigest(),
        "counts": str(p.counts),
        "record_last_day": p.last_day,
        "shipped_record": p.shipped,
        "start": prepared.start,
        "particles": config.forecast.particles,
        "updates": prepared.steps,
        "origins": [(start + dt.timedelta(o)).isoformat() for o in p.origins],
    }


def describe_line(config: Config, prepared: Prepared) -> str:
    """The printout's line on what the forecast was conditioned on."""
    p, start = prepared.plan, start_of(config)
    where = "the record that ships" if p.shipped else str(p.record)
    line = f"Forecast as of {start + dt.timedelta(p.as_of)} (day {p.as_of}), conditioned on {where}"
    if prepared.steps:
        ess = ", ".join(f"day {s['day']}: {s['ess']}" for s in prepared.steps)
        n = config.forecast.particles
        line += f": {n:,} particles from the {prepared.start} (particles alive at each update: {ess})"
    if p.origins:
        line += f"; earlier origins in origins.csv ({len(p.origins)})"
    return line + "."


def write_outputs(config: Config, prepared: Prepared, out_dir: Path) -> None:
    """``forecast.json`` and ``population.parquet`` (the table the replicates drew from);
    the earlier origins' ``origins.csv`` is sim/run/origins.py's."""
    write_json(describe(config, prepared), out_dir / "forecast.json")
    if prepared.table is not None:
        write_parquet(pd.read_csv(prepared.table), out_dir / "population.parquet")


def observed(config: Config, day: int) -> dict[str, float]:
    """The statistics of the record a run's histories reproduce (the forecast's record,
    or the one that ships) to ``day``."""
    f = config.forecast
    return _observed(f.record, f.counts, day)


@lru_cache(maxsize=64)
def _observed(record: str | None, counts: str | None, day: int) -> dict[str, float]:
    path = record_path(record)
    return rec.statistics(evidence_events(path), day, rec.read_rates(counts_path(counts, path)))


__all__ = ["HISTORY", "Plan", "Prepared", "plan", "prepare", "write_outputs"]
