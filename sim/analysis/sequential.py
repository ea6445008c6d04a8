"""Forecasts that move with the news: the calibrated ensemble conditioned on the record to
any day, and carried forward as events arrive, by sequential Monte Carlo.

A **particle** is a parameter vector (in ``z``: a standard normal per calibrated knob that
the prior maps onto its range, as sim/analysis/calibration.py ``from_unit`` does) and the
seed of a history. The history is not stored: it is replayed deterministically from its
seed to the day the population is conditioned on (a replay to day 17 costs about a
millisecond, a fifth of a year-long replicate: ``make bench``). :func:`update` moves a
population from one day to a later one as new events arrive (resample-move, Gilks &
Berzuini 2001, Chopin 2002; with an ABC likelihood, Del Moral, Doucet & Jasra 2012):

1. **extend**: each particle's history is replayed to the new day and read into the
   record's summary statistics (sim/analysis/record.py). It lives if, at every
   checkpoint so far (the days the population was conditioned on, and the new one), it
   states every fact of the record and its counts are within the calibration's tolerance
   (conf/calibration/tolerance.json). The targets are thus nested, each update's within
   the last one's, and survival is the exact importance weight (a history checked on the
   last day alone would leave the survivors of earlier days a biased sample: measured,
   tests/test_forecast.py);
2. **refill** if fewer than ``min_alive`` live: fresh draws from the prior that pass
   every checkpoint (rejection ABC: the same target), so that a surprising week does not
   leave the population empty;
3. **resample** the survivors back to the population's size (systematic resampling);
4. **rejuvenate**: each particle takes ABC-MCMC steps (Marjoram et al., *PNAS* 2003): a
   Gaussian step in ``z`` (the survivors' covariance, scaled), a fresh history to the new
   day, accepted if it passes every checkpoint, with the prior's ratio (a standard normal
   in ``z``). Duplicates thus become distinct parameter vectors and histories, and the
   population does not degenerate.

The posterior at one origin is the prior of the next: :func:`condition` runs the updates
over a list of days from any population (the prior at day 0, or the shipped calibration
at day 17). Neither pyabc (an ABC-SMC run for one fixed data set, started from the prior)
nor ``particles`` (sequential samplers that need a likelihood) adds data to an existing
population of a simulator with no likelihood, so the filter is written here, on numpy and
joblib; the first calibration is pyabc's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import events as ev
from ..core.collection import few_collections
from ..core.processes import parallel
from ..core.schema import Config, set_values
from ..model import CeasefireModel, replicate_seeds
from . import record as rec
from .sensitivity import Factor

HISTORY = ("record_seed", "record_day")


@dataclass(frozen=True)
class Evidence:
    """What a history must reproduce: the record's events (or a synthetic truth's log),
    the counted rates where the source lists no events (None: counted from the events),
    the calibration's tolerance (its count weights and epsilon), and the statistics
    matched exactly (the record's facts)."""

    events: tuple[ev.Event, ...]
    rates: rec.Rates | None
    tolerance: dict
    facts: tuple[str, ...] = rec.FACTS

    def statistics(self, day: int) -> dict[str, float]:
        return rec.statistics(self.events, day, self.rates)

    def until(self, day: int) -> tuple[ev.Event, ...]:
        """The events the record holds to ``day`` (what a population conditioned to that
        day has seen)."""
        return tuple(e for e in self.events if e.day <= day)


def distance(stats: dict[str, float], observed: dict[str, float], tolerance: dict) -> float:
    """The calibration's distance of the counts: the weighted L1 distance."""
    return sum(w * abs(stats[k] - observed[k]) for k, w in tolerance["weights"].items())


def history_distance(log: Sequence[ev.Event], checkpoints: Sequence[int], evidence: Evidence, observed: dict) -> float:
    """Infinite where the history states another fact than the record at any checkpoint,
    else the largest distance of its counts over the checkpoints: a history reproduces
    the record to a day if it does so at every checkpoint on the way (so that each
    update's target lies within the last one's, and reweighting by survival is exact).
    ``observed``: the record's statistics at each checkpoint."""
    worst = 0.0
    for day in checkpoints:
        mine = rec.statistics(log, day)
        if not rec.facts_match(mine, observed[day], evidence.facts):
            return np.inf
        worst = max(worst, distance(mine, observed[day], evidence.tolerance))
    return worst


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
    """``z`` as a table of parameter values."""
    from .sensitivity import design_table

    return design_table(chosen, _values(chosen, z))


def values_of(chosen: list[Factor], z: np.ndarray) -> list[dict[str, int | float]]:
    """Each row of ``z`` as the values its history runs with (:func:`from_z`'s rows)."""
    from .sensitivity import design_rows

    return design_rows(chosen, _values(chosen, z))


def _values(chosen: list[Factor], z: np.ndarray) -> np.ndarray:
    """``z`` through the prior's mapping (sim/analysis/calibration.py from_unit)."""
    from scipy.special import ndtr

    from .calibration import from_unit

    return from_unit(chosen, ndtr(z))


def distances_of(
    config: Config,
    chosen: list[Factor],
    z: np.ndarray,
    seeds: Sequence[int],
    checkpoints: Sequence[int],
    evidence: Evidence,
) -> np.ndarray:
    """The distance (:func:`history_distance`) of the history of each (z, seed)."""
    day = checkpoints[-1]
    observed = {d: evidence.statistics(d) for d in checkpoints}
    out = np.empty(len(z))
    with few_collections():
        for i, (values, seed) in enumerate(zip(values_of(chosen, z), seeds, strict=True)):
            model = CeasefireModel(set_values(config, values), rng=int(seed), horizon=day)
            model.run_until(day)
            out[i] = history_distance(model.events(), checkpoints, evidence, observed)
    return out


#: Histories per task: results do not depend on the number of workers.
CHUNK = 100


def simulate(
    config: Config,
    chosen: list[Factor],
    z: np.ndarray,
    seeds: np.ndarray,
    checkpoints: Sequence[int],
    evidence: Evidence,
    n_jobs: int,
) -> np.ndarray:
    """Distances of many histories, in chunks over the workers (deterministic whatever
    ``n_jobs``)."""
    from joblib import delayed

    tasks = [
        delayed(distances_of)(config, chosen, z[i : i + CHUNK], seeds[i : i + CHUNK], tuple(checkpoints), evidence)
        for i in range(0, len(z), CHUNK)
    ]
    parts = parallel(tasks, 1 if len(tasks) == 1 else n_jobs)
    return np.concatenate(parts) if parts else np.empty(0)


@dataclass
class Population:
    """Particles conditioned on the record at the ``checkpoints`` (the last is the day the
    population stands on): their ``z`` and history seeds."""

    z: np.ndarray
    seeds: np.ndarray
    checkpoints: tuple[int, ...] = ()

    @property
    def day(self) -> int:
        return self.checkpoints[-1] if self.checkpoints else 0

    def table(self, chosen: list[Factor]) -> pd.DataFrame:
        """As a parameter table a run draws from (sim/run/parameters.py): the values, and
        the history each row replays to ``day``."""
        return from_z(chosen, self.z).assign(record_seed=self.seeds.astype(np.int64), record_day=self.day)

    @classmethod
    def from_table(cls, chosen: list[Factor], table: pd.DataFrame, checkpoints: Sequence[int] = ()) -> Population:
        """A table with histories (``record_seed``, ``record_day``: the shipped posterior,
        a saved population) as a population standing on its ``record_day``."""
        days = table["record_day"].unique() if "record_day" in table else [0]
        if len(days) != 1:
            raise ValueError("a population's histories all run to one day")
        seeds = table["record_seed"].to_numpy() if "record_seed" in table else np.zeros(len(table), dtype=np.int64)
        marks = tuple(checkpoints) or ((int(days[0]),) if int(days[0]) > 0 else ())
        return cls(to_z(chosen, table), seeds.astype(np.int64), marks)


def prior_population(chosen: list[Factor], n: int, seed: int) -> Population:
    """``n`` particles from the prior (standard normal in ``z``), with no history yet."""
    rng = np.random.default_rng(seed)
    return Population(rng.standard_normal((n, len(chosen))), np.array(replicate_seeds(seed, n), dtype=np.int64))


def systematic(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling: ``n`` indices drawn in proportion to ``weights``."""
    positions = (rng.random() + np.arange(n)) / n
    return np.minimum(np.searchsorted(np.cumsum(weights / weights.sum()), positions), len(weights) - 1)


@dataclass
class Step:
    """One update's diagnostics: the particles that reproduced the new events (the
    effective sample size before resampling: the weights are 0 or 1), the prior draws
    that refilled it, the moves' acceptance rate, the distinct particles after the
    moves, and the histories simulated."""

    day: int
    survived: int
    refilled: int
    accepted: float
    moves: int
    distinct: int
    simulations: int

    @property
    def ess(self) -> int:
        return self.survived + self.refilled


@dataclass(frozen=True)
class Settings:
    """How the filter moves. ABC-MCMC steps per update: at least ``moves``, and more (up
    to ``max_moves``) until ``moved`` of the particles have taken a step; the step is
    ``scale`` times the survivors' covariance (``None``: 2.38^2 / dimensions, the
    random-walk optimum of Roberts, Gelman & Gilks 1997), halved after a move that
    accepts under 10% and doubled after one above 40% (Roberts & Rosenthal 2009: adapt
    the scale, keep the shape). Prior draws refill the population when fewer than ``min_alive`` of it live,
    spending at most ``refill_batches`` times its size."""

    moves: int = 2
    max_moves: int = 20
    moved: float = 0.8
    scale: float | None = None
    min_alive: float = 0.5
    refill_batches: int = 40
    n_jobs: int = -1


def refill(
    config: Config,
    chosen: list[Factor],
    checkpoints: Sequence[int],
    evidence: Evidence,
    needed: int,
    n: int,
    seed: int,
    settings: Settings,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Prior draws (batches of ``n``) whose histories pass every checkpoint, until
    ``needed`` are found or ``settings.refill_batches`` batches are spent."""
    eps = evidence.tolerance["epsilon"]
    found_z, found_seeds, simulated = [], [], 0
    for b in range(settings.refill_batches):
        draws = prior_population(chosen, n, seed + 104_729 * (b + 1))
        d = simulate(config, chosen, draws.z, draws.seeds, checkpoints, evidence, settings.n_jobs)
        simulated += n
        ok = d <= eps
        found_z.append(draws.z[ok])
        found_seeds.append(draws.seeds[ok])
        if sum(len(s) for s in found_seeds) >= needed:
            break
    return np.concatenate(found_z), np.concatenate(found_seeds), simulated


def rejuvenate(
    config: Config,
    chosen: list[Factor],
    z: np.ndarray,
    seeds: np.ndarray,
    cov: np.ndarray,
    checkpoints: Sequence[int],
    evidence: Evidence,
    seed: int,
    settings: Settings,
) -> tuple[np.ndarray, np.ndarray, float, int, int]:
    """ABC-MCMC moves of every particle (module docstring, step 4), two kinds in turn,
    each a Metropolis-Hastings kernel of the joint target (parameters and history):

    - **parameters**: a Gaussian step in ``z`` with the history's seed kept (the same
      random numbers under nearby parameters: a nearby history, so most steps pass);
    - **history**: a fresh seed with the parameters kept (an independence proposal from
      the seed's prior: it passes when the new history reproduces the record too).

    Returns the moved particles, the acceptance rate of the parameter steps, the number of
    moves and the histories simulated."""
    rng = np.random.default_rng([seed, 1])
    n, dims = z.shape
    eps = evidence.tolerance["epsilon"]
    scale = settings.scale if settings.scale is not None else 2.38**2 / dims
    accepted, tried, moved = 0, 0, np.zeros(n, dtype=bool)
    m = 0
    while m < settings.moves or (m < settings.max_moves and moved.mean() < settings.moved):
        if m % 2 == 0:
            step_cov = scale * np.atleast_2d(cov) + 1e-6 * np.eye(dims)
            proposal, new_seeds = z + rng.multivariate_normal(np.zeros(dims), step_cov, size=n), seeds
        else:
            proposal, new_seeds = z, np.array(replicate_seeds(seed + 1000 * (m + 1), n), dtype=np.int64)
        ok = simulate(config, chosen, proposal, new_seeds, checkpoints, evidence, settings.n_jobs) <= eps
        ok &= np.log(rng.random(n)) < -0.5 * ((proposal**2).sum(axis=1) - (z**2).sum(axis=1))
        z, seeds = np.where(ok[:, None], proposal, z), np.where(ok, new_seeds, seeds)
        if m % 2 == 0:
            moved |= ok
            accepted, tried = accepted + int(ok.sum()), tried + n
            scale *= 0.5 if ok.mean() < 0.1 else 2.0 if ok.mean() > 0.4 else 1.0
        m += 1
    return z, seeds, accepted / max(1, tried), m, m * n


def update(
    config: Config,
    chosen: list[Factor],
    population: Population,
    day: int,
    evidence: Evidence,
    seed: int,
    settings: Settings = Settings(),
) -> tuple[Population, Step]:
    """The population conditioned on the record to ``day`` (later than its own): extend,
    refill, resample, rejuvenate (module docstring)."""
    if day <= population.day:
        raise ValueError(f"an update moves a population on: day {day} is not after day {population.day}")
    rng = np.random.default_rng(seed)
    n = len(population.z)
    eps = evidence.tolerance["epsilon"]
    checkpoints = (*population.checkpoints, day)
    d = simulate(config, chosen, population.z, population.seeds, checkpoints, evidence, settings.n_jobs)
    alive = d <= eps
    z, seeds = population.z[alive], population.seeds[alive]
    survived, simulations, refilled = int(alive.sum()), n, 0
    if survived < max(2, settings.min_alive * n):
        extra_z, extra_seeds, spent = refill(
            config, chosen, checkpoints, evidence, int(settings.min_alive * n) - survived, n, seed, settings
        )
        z, seeds = np.concatenate([z, extra_z]), np.concatenate([seeds, extra_seeds])
        refilled, simulations = len(extra_z), simulations + spent
    if len(z) == 0:
        raise ValueError(
            f"no history of {n} particles and {simulations - n:,} prior draws reproduces the record to day {day}: "
            "the population is too small for so surprising a record, or the model cannot produce it"
        )
    idx = systematic(np.ones(len(z)), n, rng)
    cov = np.cov(z.T) if len(z) > z.shape[1] else np.diag(np.var(z, axis=0) + 0.05)
    z, seeds = z[idx].copy(), seeds[idx].copy()
    z, seeds, accepted, moves, simulated = rejuvenate(
        config, chosen, z, seeds, cov, checkpoints, evidence, seed, settings
    )
    distinct = len(np.unique(z, axis=0))
    step = Step(day, survived, refilled, accepted, moves, distinct, simulations + simulated)
    return Population(z, seeds, checkpoints), step


def condition(
    config: Config,
    chosen: list[Factor],
    start: Population,
    days: Sequence[int],
    evidence: Evidence,
    seed: int,
    settings: Settings = Settings(),
    progress: Callable[[str], None] | None = None,
) -> tuple[list[Population], pd.DataFrame]:
    """The population carried through ``days`` (each later than the last): every
    origin's population, and the diagnostics of each update."""
    populations, steps = [], []
    current = start
    for day in days:
        current, step = update(config, chosen, current, day, evidence, seed + 7919 * day, settings)
        populations.append(current)
        steps.append(step)
        if progress:
            progress(describe_step(step, len(current.z)))
    return populations, steps_table(steps)


def describe_step(step: Step, n: int) -> str:
    refilled = f" (+{step.refilled} prior draws)" if step.refilled else ""
    return (
        f"day {step.day}: {step.survived} of {n} particles reproduced the record{refilled}; {step.moves} moves, "
        f"{step.accepted:.0%} of the parameter steps accepted; {step.distinct} distinct particles "
        f"({step.simulations:,} histories simulated)"
    )


def steps_table(steps: Sequence[Step]) -> pd.DataFrame:
    return pd.DataFrame([{**vars(s), "ess": s.ess} for s in steps])


def schedule(start: int, as_of: int, every: int = 7) -> list[int]:
    """The days a population standing on ``start`` is updated on to reach ``as_of``: one
    a week counted from day 0 (7, 14, 21, ...: shared by every origin, so a population
    moved a week on reuses the last one) and ``as_of``."""
    days = [d for d in range(every, as_of, every) if d > start]
    return [*days, as_of] if as_of > start else []
