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
from joblib import Parallel, delayed
from tqdm.auto import tqdm

from .calibration import record_facts_of
from .config import Config
from .io import atomic_path
from .model import SERIES, CeasefireModel
from .parameters import ReplicateConfigs

#: Columns of runs.parquet, with their Arrow types.
RUNS_SCHEMA = pa.schema([
    ("replicate", pa.int64()),
    ("seed", pa.int64()),
    ("truce_days", pa.int64()),
    ("collapsed", pa.bool_()),
    ("collapse_cause", pa.string()),
    ("trade_days_to_50", pa.float64()),
    ("trade_days_to_90", pa.float64()),
    ("trade_loss_usd", pa.float64()),
    ("incidents", pa.int64()),
    ("detected", pa.int64()),
    ("misattributed", pa.int64()),
    ("retaliations", pa.int64()),
    ("casualties", pa.int64()),
    ("mvm_operational_day", pa.float64()),
    ("first_reopen_day", pa.float64()),
    ("rounds_agreed", pa.int64()),
    ("rounds_salvaged", pa.int64()),
    ("rounds_failed", pa.int64()),
    ("parameter_row", pa.int64()),  # the row of parameters.table it took; -1 without one
    ("record_match", pa.bool_()),  # replayed history: does it still reproduce the record? null: no history
])

#: Resolution of the trade-index histogram behind the daily percentiles.
TRADE_BIN = 0.0025
TRADE_BINS = int(2.0 / TRADE_BIN) + 2  # bin 0 holds exact zeros (closed border)
#: Series averaged over the replicates whose truce is still alive at the end of the day.
CONDITIONAL = ("trust_afg_in_pak", "trust_pak_in_afg", "grievance_afg", "grievance_pak")
#: Series averaged over the replicates whose truce was alive when the day began.
AT_RISK = ("incidents", "retaliations")


def replicate_seeds(seed: int, n: int) -> list[int]:
    """One 63-bit seed per replicate, spawned from the master seed."""
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


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
        self.sums = {k: np.zeros(self.days) for k in SERIES}
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
        for k in SERIES:
            if k in CONDITIONAL:
                self.sums[k] += series[k] * alive
            elif k in AT_RISK:
                self.sums[k] += series[k] * at_risk
            else:
                self.sums[k] += series[k]
        self.trade_alive += series["trade_index"] * alive
        self._pending.append(trade_bin(series["trade_index"]))

    def merge(self, other: DailyAccumulator) -> None:
        self.n += other.n
        self.alive += other.alive
        self.at_risk += other.at_risk
        for k in SERIES:
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
        with np.errstate(invalid="ignore", divide="ignore"):
            alive_n = np.where(self.alive > 0, self.alive, np.nan)
            data = {
                "day": np.arange(self.days),
                "date": pd.date_range(start_date, periods=self.days, freq="D"),
                "alive_share": self.alive / self.n,
                "trade_mean": self.sums["trade_index"] / self.n,
                **{f"trade_p{q:02d}": self.trade_percentile(q / 100) for q in (5, 25, 50, 75, 95)},
                "trade_mean_alive": self.trade_alive / alive_n,
                "trade_share_50": self.share_at_least(0.5),
                "trade_share_90": self.share_at_least(0.9),
            }
            for k in CONDITIONAL:
                data[f"{k}_mean"] = self.sums[k] / alive_n
            data["grievance_mean"] = (data["grievance_afg_mean"] + data["grievance_pak_mean"]) / 2
            for k in AT_RISK:
                data[f"{k}_mean"] = self.sums[k] / np.where(self.at_risk > 0, self.at_risk, np.nan)
            for k in ("open_crossings", "stranded_trucks"):
                data[f"{k}_mean"] = self.sums[k] / self.n
        return pd.DataFrame(data)


@dataclass
class ChunkResult:
    rows: list[dict]
    daily: DailyAccumulator


def run_replicate(config: Config, replicate: int, seed: int, configs: ReplicateConfigs | None = None
                  ) -> tuple[dict, dict[str, np.ndarray]]:
    """One replicate: its outcome row (with replicate, seed and the parameter row it took)
    and its daily series."""
    own, row, history = (configs or ReplicateConfigs(config))(replicate)
    model = CeasefireModel(own, rng=seed if history is None else history.seed)
    match = None
    if history is not None:
        # replay the row's history, then go on with this seed; the same draws under
        # settings other than the calibrated ones may make another history: say whether
        # it still reproduces the record
        match = model.replay(history.day, seed, lambda m: all(record_facts_of(m, history.day).values()))
    outcome, series = model.run()
    return {"replicate": replicate, "seed": seed, **outcome, "parameter_row": row, "record_match": match}, series


def run_chunk(config: Config, start: int, seeds: list[int]) -> ChunkResult:
    daily = DailyAccumulator(config.run.horizon_days + 1)
    configs = ReplicateConfigs(config)
    rows = []
    for offset, seed in enumerate(seeds):
        row, series = run_replicate(config, start + offset, seed, configs)
        daily.add(series, row["truce_days"], row["collapsed"])
        rows.append(row)
    return ChunkResult(rows, daily)


def _chunks(config: Config) -> Iterator[tuple[int, list[int]]]:
    seeds = replicate_seeds(config.run.seed, config.run.replicates)
    size = config.run.chunk_size
    for start in range(0, len(seeds), size):
        yield start, seeds[start : start + size]


def effective_jobs(n_jobs: int, replicates: int, chunk_size: int, max_workers: int | None = None) -> int:
    """Workers actually worth starting: no more than the cores (or ``max_workers``, a
    sweep job's share of them), nor than chunks."""
    from joblib import cpu_count

    cores = max(1, cpu_count())  # honours CPU affinity and cgroup quotas (SLURM, containers)
    wanted = cores if n_jobs == -1 else n_jobs
    if max_workers is not None:
        wanted = min(wanted, max_workers)
    return max(1, min(wanted, -(-replicates // chunk_size)))


def release_workers() -> None:
    """Stop joblib's idle worker processes now rather than after their timeout."""
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


@dataclass
class EnsembleResult:
    runs: pd.DataFrame
    daily: pd.DataFrame
    workers: int = 1


def run_ensemble(
    config: Config, runs_path: Path | None = None, progress: bool | None = None, max_workers: int | None = None
) -> EnsembleResult:
    """Run ``run.replicates`` replicates; stream the outcome rows to ``runs_path``.

    ``max_workers`` caps the worker processes (a sweep job's share of the cores).

    ``runs_path`` is written under a temporary name and renamed when complete (the
    writer is closed first, by the exit stack's order), so an interrupted run never
    leaves a file that looks finished.
    """
    run = config.run
    if progress is None:
        progress = run.progress and sys.stderr.isatty()
    jobs = effective_jobs(run.n_jobs, run.replicates, run.chunk_size, max_workers)
    tasks = (delayed(run_chunk)(config, start, seeds) for start, seeds in _chunks(config))
    results = Parallel(n_jobs=jobs, return_as="generator")(tasks) if jobs > 1 else (t[0](*t[1], **t[2]) for t in tasks)

    daily = DailyAccumulator(run.horizon_days + 1)
    tables = []
    bar = tqdm(total=run.replicates, desc="replicates", unit="rep", disable=not progress, file=sys.stderr)
    with contextlib.ExitStack() as stack:
        stack.callback(bar.close)
        writer = None
        if runs_path is not None:
            tmp = stack.enter_context(atomic_path(runs_path))
            writer = stack.enter_context(pq.ParquetWriter(tmp, RUNS_SCHEMA))
        for chunk in results:
            table = pa.Table.from_pylist(chunk.rows, schema=RUNS_SCHEMA)
            if writer is not None:
                writer.write_table(table)
            tables.append(table)
            daily.merge(chunk.daily)
            bar.update(len(chunk.rows))
    runs = pa.concat_tables(tables).to_pandas()
    return EnsembleResult(runs=runs, daily=daily.frame(config.scenario.start_date), workers=jobs)
