"""Run N replicates with independent seeds, in parallel (joblib), with a progress bar.

Replicate ``i`` gets the ``i``-th child of ``numpy.random.SeedSequence(run.seed)``, so a
replicate's seed does not depend on how many there are, nor on how they are split among
workers. Replicates run in fixed-size chunks (``run.chunk_size``) whose results come
back in order; outcome rows are written to Parquet as they arrive, and the daily series
are folded into running sums and a histogram of the trade index, so memory does not grow
with the number of days times replicates. The same config and seed give identical
outputs whatever ``run.n_jobs`` is.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from joblib import delayed
from tqdm.auto import tqdm

from ..core import events, outputs
from ..core.collection import few_collections
from ..core.io import atomic_path
from ..core.processes import parallel
from ..core.schema import Config
from ..model import CeasefireModel, replicate_seeds
from .parameters import ReplicateConfigs
from .workers import effective_jobs

#: Columns of runs.parquet, with their Arrow types (declared in sim.core.outputs).
RUNS_SCHEMA = pa.schema([(c.name, pa.type_for_alias(c.dtype)) for c in outputs.RUNS_COLUMNS])

#: Resolution of the trade-index histogram behind the daily percentiles.
TRADE_BIN = 0.0025
TRADE_BINS = int(2.0 / TRADE_BIN) + 2  # bin 0 holds exact zeros (closed border)


def trade_bin(values: np.ndarray) -> np.ndarray:
    """Histogram bin of trade-index values: 0 for exactly zero, then bins of TRADE_BIN."""
    bins = 1 + np.floor(values / TRADE_BIN).astype(np.int64)
    bins[values <= 0.0] = 0
    return np.minimum(bins, TRADE_BINS - 1).astype(np.int16)


@dataclass
class DailyAccumulator:
    """Running sums over replicates of every daily series, and the trade histogram.

    A chunk keeps each replicate's trade-index bins (small int16 rows) and the parent
    folds them into one (days x bins) histogram, so what travels between processes
    stays small.
    """

    days: int
    n: int = 0

    def __post_init__(self) -> None:
        self.alive = np.zeros(self.days)
        self.at_risk = np.zeros(self.days)
        self.sums = {k: np.zeros(self.days) for k in outputs.SERIES_NAMES}
        self.trade_alive = np.zeros(self.days)  # trade summed over truces still alive
        self.trade_hist: np.ndarray | None = None  # made by the first fold
        self._pending: list[np.ndarray] = []

    def add(self, series: dict[str, np.ndarray], truce_days: int, collapsed: bool) -> None:
        alive = np.ones(self.days)
        at_risk = np.ones(self.days)
        if collapsed:
            alive[truce_days:] = 0.0
            at_risk[truce_days + 1 :] = 0.0
        self.n += 1
        self.alive += alive
        self.at_risk += at_risk
        weights = {"alive": alive, "at_risk": at_risk}
        for s in outputs.SERIES:
            w = weights.get(s.averaged_over)
            self.sums[s.name] += series[s.name] if w is None else series[s.name] * w
        self.trade_alive += series["trade_index"] * alive
        self._pending.append(trade_bin(series["trade_index"]))

    def merge(self, other: DailyAccumulator) -> None:
        self.n += other.n
        self.alive += other.alive
        self.at_risk += other.at_risk
        for k in outputs.SERIES_NAMES:
            self.sums[k] += other.sums[k]
        self.trade_alive += other.trade_alive
        if other.trade_hist is not None:
            self._fold()
            self.trade_hist += other.trade_hist
        self._pending += other._pending
        if len(self._pending) >= 1000:
            self._fold()

    def _fold(self) -> None:
        if self.trade_hist is None:
            self.trade_hist = np.zeros((self.days, TRADE_BINS), dtype=np.int64)
        days = np.arange(self.days)
        for bins in self._pending:
            self.trade_hist[days, bins] += 1
        self._pending = []

    def trade_percentile(self, q: float) -> np.ndarray:
        """The q-quantile of the trade index each day, from the histogram: the lower edge
        of its bin (exact for 0 and for whole multiples of TRADE_BIN such as 1.0)."""
        self._fold()
        cum = np.cumsum(self.trade_hist, axis=1)
        idx = np.argmax(cum >= q * self.n, axis=1)
        return np.where(idx == 0, 0.0, (idx - 1) * TRADE_BIN)  # the bin's lower edge

    def share_at_least(self, level: float) -> np.ndarray:
        """Share of replicates whose trade index is at least ``level`` each day."""
        self._fold()
        first = int(trade_bin(np.array([level]))[0])
        return self.trade_hist[:, first:].sum(axis=1) / self.n

    def frame(self, start_date: str) -> pd.DataFrame:
        """daily.parquet: the share of truces alive; the trade index's mean, percentiles
        and shares recovered; then every other series' mean over the replicates its
        declaration names (alive, then at risk, then all; sim.core.outputs.SERIES)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            denominators = {
                "alive": np.where(self.alive > 0, self.alive, np.nan),
                "at_risk": np.where(self.at_risk > 0, self.at_risk, np.nan),
                "all": self.n,
            }
            data = {
                "day": np.arange(self.days),
                "date": pd.date_range(start_date, periods=self.days, freq="D"),
                "alive_share": self.alive / self.n,
                "trade_mean": self.sums["trade_index"] / self.n,
                **{f"trade_p{q:02d}": self.trade_percentile(q / 100) for q in (5, 25, 50, 75, 95)},
                "trade_mean_alive": self.trade_alive / denominators["alive"],
                "trade_share_50": self.share_at_least(0.5),
                "trade_share_90": self.share_at_least(0.9),
            }
            for over in ("alive", "at_risk", "all"):
                for s in outputs.SERIES:
                    if s.averaged_over == over and s.name != "trade_index":
                        data[f"{s.name}_mean"] = self.sums[s.name] / denominators[over]
                if over == "alive":
                    for name, parts in outputs.COMBINED_MEANS:
                        data[name] = sum(data[f"{p}_mean"] for p in parts) / len(parts)
        return pd.DataFrame(data)


@dataclass
class ChunkResult:
    rows: list[dict]
    daily: DailyAccumulator
    events: pa.Table | None = None


def reproduces_record(model: CeasefireModel, day: int, config: Config) -> bool:
    """Whether a history replayed to ``day`` states every fact of the record to that day:
    the record that ships, or the forecast's own (``forecast.record``: sim/run/forecast.py)."""
    from ..analysis import record as rec
    from .forecast import observed

    return rec.facts_match(rec.statistics(model.events(), day), observed(config, day))


def run_replicate(
    config: Config, replicate: int, seed: int, configs: ReplicateConfigs | None = None
) -> tuple[dict, dict[str, np.ndarray], list[events.Event]]:
    """One replicate: its outcome row (with replicate, seed and the parameter row it took),
    its daily series and its event log."""
    own, row, history = (configs or ReplicateConfigs(config))(replicate)
    model = CeasefireModel(own, rng=seed if history is None else history.seed)
    match = None
    if history is not None:
        # replay the row's history, then go on with this seed; the same draws under
        # settings other than the calibrated ones may make another history: say whether
        # it still reproduces the record
        match = model.replay(history.day, seed, lambda m: reproduces_record(m, history.day, config))
    outcome, series = model.run()
    row = {"replicate": replicate, "seed": seed, **outcome, "parameter_row": row, "record_match": match}
    return row, series, model.events()


def run_chunk(config: Config, start: int, seeds: list[int]) -> ChunkResult:
    """Replicates ``start`` to ``start + len(seeds) - 1``, folded into a chunk result
    (with their event logs as one Arrow table, if the run writes them)."""
    daily = DailyAccumulator(config.run.horizon_days + 1)
    configs = ReplicateConfigs(config)
    rows, logs = [], []
    with few_collections():
        for offset, seed in enumerate(seeds):
            row, series, log = run_replicate(config, start + offset, seed, configs)
            daily.add(series, row["truce_days"], row["collapsed"])
            rows.append(row)
            logs.append((start + offset, log))
    table = events.arrow_table(logs, config.scenario.start_date) if config.run.events else None
    return ChunkResult(rows, daily, table)


def _chunks(config: Config) -> Iterator[tuple[int, list[int]]]:
    seeds = replicate_seeds(config.run.seed, config.run.replicates)
    size = config.run.chunk_size
    for start in range(0, len(seeds), size):
        yield start, seeds[start : start + size]


@dataclass
class EnsembleResult:
    runs: pd.DataFrame
    daily: pd.DataFrame
    workers: int = 1


def run_ensemble(
    config: Config,
    runs_path: Path | None = None,
    progress: bool | None = None,
    max_workers: int | None = None,
    events_path: Path | None = None,
) -> EnsembleResult:
    """Run ``run.replicates`` replicates; stream the outcome rows to ``runs_path`` and the
    event logs to ``events_path`` (if ``run.events``), chunk by chunk: memory does not
    grow with the number of replicates.

    ``max_workers`` caps the worker processes (a sweep job's share of the cores).

    Both files are written under a temporary name and renamed when complete (the
    writers are closed first, by the exit stack's order), so an interrupted run never
    leaves a file that looks finished.
    """
    run = config.run
    if progress is None:
        progress = run.progress and sys.stderr.isatty()
    jobs = effective_jobs(run.n_jobs, run.replicates, run.chunk_size, max_workers)
    tasks = (delayed(run_chunk)(config, start, seeds) for start, seeds in _chunks(config))
    results = parallel(tasks, jobs, generator=True)  # workers that die with this process

    daily = DailyAccumulator(run.horizon_days + 1)
    tables = []
    bar = tqdm(total=run.replicates, desc="replicates", unit="rep", disable=not progress, file=sys.stderr)
    with contextlib.ExitStack() as stack:
        stack.callback(bar.close)
        writer = log_writer = None
        if runs_path is not None:
            tmp = stack.enter_context(atomic_path(runs_path))
            writer = stack.enter_context(pq.ParquetWriter(tmp, RUNS_SCHEMA))
        if events_path is not None and run.events:
            tmp = stack.enter_context(atomic_path(events_path))
            log_writer = stack.enter_context(pq.ParquetWriter(tmp, events.arrow_schema(), compression="zstd"))
        for chunk in results:
            table = pa.Table.from_pylist(chunk.rows, schema=RUNS_SCHEMA)
            if writer is not None:
                writer.write_table(table)
            if log_writer is not None:
                log_writer.write_table(chunk.events)
            tables.append(table)
            daily.merge(chunk.daily)
            bar.update(len(chunk.rows))
    runs = pa.concat_tables(tables).to_pandas()
    return EnsembleResult(runs=runs, daily=daily.frame(config.scenario.start_date), workers=jobs)
