"""Forecasts that move with the news: the calibrated ensemble conditioned on the record to
any day, and carried forward as events arrive, by sequential Monte Carlo.

A **particle** is a parameter vector (in ``z``: a standard normal per calibrated knob that
the prior maps onto its range, as sim/analysis/smc.py does) and the seed of a history,
replayed deterministically to the day the population is conditioned on (``record_day``;
a replay costs about 40 microseconds a day). :func:`update` moves a population from one
day to a later one as new events arrive (resample-move, Chopin 2002; with an ABC
likelihood, Del Moral, Doucet & Jasra 2012):

1. **extend**: each particle's history is replayed to the new day and read into the
   record's summary statistics (sim/analysis/record.py): it lives if it states every fact
   of the record to that day and its counts are within the calibration's tolerance;
2. **resample** the survivors back to the population's size (systematic resampling);
3. **rejuvenate**: each particle takes ABC-MCMC steps (Marjoram et al., PNAS 2003): a
   Gaussian step in ``z`` (the survivors' covariance, scaled), a fresh history to the new
   day, accepted if it states the record within the tolerance, with the prior's ratio
   (a standard normal in ``z``). Duplicates thus become distinct parameter vectors and
   histories, and the population does not degenerate.

The posterior at one origin is the prior of the next: :func:`condition` runs the updates
over a list of days from any population (the prior at day 0, or the shipped calibration at
day 17). Neither pyabc (an ABC-SMC run for one fixed data set, started from the prior) nor
``particles`` (sequential samplers that need a likelihood) adds data to an existing
population of a simulator with no likelihood, so the filter is written here, on numpy and
joblib; the first calibration is pyabc's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.schema import Config, set_values
from ..model import CeasefireModel, replicate_seeds
from . import record as rec
from .sensitivity import Factor

HISTORY = ("record_seed", "record_day")


@dataclass(frozen=True)
class Record:
    """What the particles must reproduce: the record's events and counted rates."""

    events: tuple
    rates: rec.Rates
    tolerance: dict  # the count weights and epsilon of the calibration (conf/calibration/tolerance.json)

    def statistics(self, day: int) -> dict[str, float]:
        return rec.statistics(self.events, day, self.rates)


def to_z(chosen: list[Factor], values: pd.DataFrame) -> np.ndarray:
    """Parameter values as ``z`` (an integer at the middle of its interval)."""
    from scipy.special import ndtri
    from scipy.stats import beta

    cols = []
    for f in chosen:
        x = values[f.key].to_numpy(dtype=float)
        width = f.hi - f.lo + (1 if f.integer else 0)
        u = np.clip((x - f.lo + (0.5 if f.integer else 0.0)) / width, 1e-6, 1 - 1e-6)
        cdf = u if (f.a == 1.0 and f.b == 1.0) else beta.cdf(u, f.a, f.b)
        cols.append(ndtri(np.clip(cdf, 1e-9, 1 - 1e-9)))
    return np.column_stack(cols)


def from_z(chosen: list[Factor], z: np.ndarray) -> pd.DataFrame:
    """``z`` as parameter values (the prior's mapping: sim/analysis/calibration.py from_unit)."""
    from scipy.special import ndtr

    from .calibration import design_table, from_unit

    return design_table(chosen, from_unit(chosen, ndtr(z)))


def statistics_of(config: Config, chosen: list[Factor], z: np.ndarray, seeds: Sequence[int], day: int, record: Record):
    """The summary statistics of the history of each (z, seed) to ``day``."""
    from .calibration import typed

    values = from_z(chosen, z).to_dict("records")
    out = []
    for row, seed in zip(values, seeds, strict=True):
        model = CeasefireModel(set_values(config, typed(chosen, row)), rng=int(seed), horizon=day)
        model.run_until(day)
        out.append(rec.statistics(model.events(), day, record.rates))
    return out


def distance(stats: list[dict[str, float]], observed: dict[str, float], tolerance: dict) -> np.ndarray:
    """The calibration's distance: infinite where a fact differs, else the weighted L1
    distance of the counts."""
    weights = tolerance["weights"]
    d = np.array([sum(w * abs(s[k] - observed[k]) for k, w in weights.items()) for s in stats])
    facts = np.array([rec.facts_match(s, observed) for s in stats])
    return np.where(facts, d, np.inf)


def _parallel(fn: Callable, chunks: list[tuple], n_jobs: int) -> list:
    from joblib import Parallel, delayed

    if n_jobs == 1 or len(chunks) == 1:
        return [fn(*c) for c in chunks]
    return Parallel(n_jobs=n_jobs)(delayed(fn)(*c) for c in chunks)


def simulate(
    config: Config, chosen: list[Factor], z: np.ndarray, seeds: np.ndarray, day: int, record: Record, n_jobs: int
) -> list[dict[str, float]]:
    """Statistics of many histories, in chunks over the workers (deterministic whatever
    ``n_jobs``)."""
    size = 100
    chunks = [(config, chosen, z[i : i + size], seeds[i : i + size], day, record) for i in range(0, len(z), size)]
    return [s for part in _parallel(statistics_of, chunks, n_jobs) for s in part]


@dataclass
class Population:
    """Particles conditioned on the record to ``day``: their ``z`` and history seeds."""

    z: np.ndarray
    seeds: np.ndarray
    day: int

    def table(self, chosen: list[Factor]) -> pd.DataFrame:
        """As a parameter table a run draws from (sim/run/parameters.py): the values, and
        the history each row replays to ``day``."""
        return from_z(chosen, self.z).assign(record_seed=self.seeds.astype(np.int64), record_day=self.day)

    @classmethod
    def from_table(cls, chosen: list[Factor], table: pd.DataFrame) -> Population:
        days = table["record_day"].unique() if "record_day" in table else [0]
        if len(days) != 1:
            raise ValueError("a population's histories all run to one day")
        seeds = table["record_seed"].to_numpy() if "record_seed" in table else np.zeros(len(table), dtype=np.int64)
        return cls(to_z(chosen, table), seeds.astype(np.int64), int(days[0]))


def prior_population(chosen: list[Factor], n: int, seed: int) -> Population:
    """``n`` particles from the prior (standard normal in ``z``), with no history yet."""
    rng = np.random.default_rng(seed)
    return Population(rng.standard_normal((n, len(chosen))), np.array(replicate_seeds(seed, n), dtype=np.int64), 0)


def systematic(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: ``n`` indices drawn in proportion to ``weights``."""
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights / weights.sum()), positions), len(weights) - 1)


@dataclass
class Step:
    """One update's diagnostics: how many particles survived the new events, the
    effective sample size before resampling, and the moves' acceptance rate."""

    day: int
    survived: int
    ess: float
    accepted: float
    simulations: int


def update(
    config: Config,
    chosen: list[Factor],
    population: Population,
    day: int,
    record: Record,
    seed: int,
    moves: int = 2,
    scale: float = 0.5,
    n_jobs: int = -1,
) -> tuple[Population, Step]:
    """The population conditioned on the record to ``day`` (later than its own): extend,
    resample, rejuvenate (module docstring)."""
    rng = np.random.default_rng(seed)
    n = len(population.z)
    observed = record.statistics(day)
    eps = record.tolerance["epsilon"]
    d = distance(
        simulate(config, chosen, population.z, population.seeds, day, record, n_jobs), observed, record.tolerance
    )
    alive = np.isfinite(d) & (d <= eps)
    survived = int(alive.sum())
    if survived == 0:
        raise ValueError(
            f"no particle reproduces the record to day {day}: a population too small, or a record "
            "the model cannot reach"
        )
    idx = systematic(alive.astype(float), n, rng)
    z, seeds = population.z[idx].copy(), population.seeds[idx].copy()
    cov = np.cov(population.z[alive].T) if survived > 2 else np.eye(z.shape[1])
    cov = scale * np.atleast_2d(cov) + 1e-6 * np.eye(z.shape[1])
    accepted, simulations = 0, n
    for m in range(moves):
        proposal = z + rng.multivariate_normal(np.zeros(z.shape[1]), cov, size=n)
        new_seeds = np.array(replicate_seeds(seed + 1000 * (m + 1), n), dtype=np.int64)
        stats = simulate(config, chosen, proposal, new_seeds, day, record, n_jobs)
        simulations += n
        ok = distance(stats, observed, record.tolerance) <= eps
        log_prior = -0.5 * ((proposal**2).sum(axis=1) - (z**2).sum(axis=1))
        ok &= np.log(rng.random(n)) < log_prior
        z[ok], seeds[ok] = proposal[ok], new_seeds[ok]
        accepted += int(ok.sum())
    return Population(z, seeds, day), Step(day, survived, float(survived), accepted / (moves * n), simulations)


def condition(
    config: Config,
    chosen: list[Factor],
    start: Population,
    days: Sequence[int],
    record: Record,
    seed: int,
    n_jobs: int = -1,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Population], pd.DataFrame]:
    """The population carried through ``days`` (each later than the last): every
    origin's population, and the diagnostics of each update."""
    populations, steps = [], []
    current = start
    for i, day in enumerate(days):
        current, step = update(config, chosen, current, day, record, seed + 7919 * (i + 1), n_jobs=n_jobs)
        populations.append(current)
        steps.append(step)
        if progress:
            progress(
                f"day {day}: {step.survived} of {len(current.z)} particles reproduced the record, moves accepted "
                f"{step.accepted:.0%} ({step.simulations:,} histories)"
            )
    return populations, pd.DataFrame([vars(s) for s in steps])
