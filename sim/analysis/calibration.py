"""Calibration to the record up to 5 November 2025, by approximate Bayesian computation.

The record (sim/analysis/record.py: docs/context/record.csv and record_counts.csv;
nothing after 5 November 2025 is used) is read by the same code as a replicate's event
log, into summary statistics of days 1-17 (20 October to 5 November): days with fire
between the two states' forces (none), renunciations (none), rounds that broke down
(none) and rounds concluded (round 2, salvaged), crossings reopened for trade (none):
the **facts**, matched exactly; militant attacks and their deaths a week (PICSS, October
2025), attacks with 10 or more killed (two) and one on 24-25 October: the **counts**,
matched within a tolerance.

Parameters: every behavioural parameter with a sensitivity range (:func:`behavioural_factors`:
137, everything but the mechanism's and the mediators' knobs, which are the policy
choices the model compares), each with a uniform prior on its sensitivity range.

Two samplers, one distance (facts exact; counts by an L1 distance scaled by each
count's standard deviation over simulated histories, Prangle 2017):

* **ABC-SMC** (:func:`abc_smc`; Toni et al., *J. R. Soc. Interface* 6, 2009; Beaumont et
  al., *Biometrika* 96, 2009) with pyabc (Schaelte et al., *JOSS* 2022): the tolerance
  falls generation by generation (the median of the last one's distances), the scales
  are refitted each generation (``AdaptivePNormDistance``), the run lives in pyabc's
  SQLite database, so a run stopped resumes (:func:`abc_smc` with ``resume``); the
  multicore sampler on one machine, pyabc's Redis or Dask samplers on a cluster.
* **rejection** (:func:`abc_rejection`; Pritchard et al., *Mol. Biol. Evol.* 16, 1999),
  kept as a check: prior draws, the ones stating the facts, the closest share of them by
  the counts. Its reference table also serves simulation-based calibration
  (:func:`sbc_ranks`; Talts et al. 2018): synthetic records made at known parameters,
  the rank of the truth among each posterior.

The posterior table keeps, with each accepted parameter vector, the seed of its history
(``record_seed``, ``record_day``): a forecast replicate that takes the row replays that
history to day 17 and then goes on with its own seed (sim/run/parameters.py). The
calibrated ensemble is therefore a forecast *from 5 November*: every replicate states
the record's facts and its counts within the final tolerance.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ConfigError
from ..core.processes import die_with_child_of, die_with_parent
from ..core.schema import Config, set_values
from ..model import CeasefireModel, replicate_seeds
from . import record as rec
from .sensitivity import Factor, design_table, factors

RECORD_DAY = rec.RECORD_DAY
FACTS = rec.FACTS
COUNTS = rec.COUNTS
#: Knobs that are policy choices (the mechanism's design, the mediation), not behaviour:
#: the model compares them, the calibration does not learn them (the mechanism did not
#: operate before 5 November).
POLICY_PREFIXES = ("mvm.", "mediation.")


def behavioural_factors(config: Config) -> list[Factor]:
    """Every parameter with a sensitivity range that is not a policy choice, with its
    prior range (the sensitivity range)."""
    return [f for f in factors(config) if not f.key.startswith(POLICY_PREFIXES)]


def calibrated_factors(config: Config, keys: Sequence[str] | None = None) -> list[Factor]:
    """The calibrated parameters (all behavioural ones, or ``keys``) with their priors."""
    chosen = behavioural_factors(config)
    if keys is None:
        return chosen
    by_key = {f.key: f for f in factors(config)}
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise ConfigError(f"not parameters with a sensitivity range, so they have no prior: {', '.join(missing)}")
    return [by_key[k] for k in keys]


def sample_prior(chosen: list[Factor], n: int, seed: int) -> pd.DataFrame:
    """n draws from the uniform prior on the sensitivity ranges (Latin hypercube)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(chosen), seed=seed).random(n)
    return design_table(chosen, from_unit(chosen, unit))


def from_unit(chosen: list[Factor], unit: np.ndarray) -> np.ndarray:
    """Points of the unit cube as parameter values: uniform on each range, integers
    uniform over lo..hi (each whole value with the same chance), 6 significant digits
    (a table written as CSV then holds exactly the values simulated)."""
    lo = np.array([f.lo for f in chosen])
    hi = np.array([f.hi for f in chosen])
    span = np.array([f.hi - f.lo + (1 if f.integer else 0) for f in chosen])
    x = lo + unit * span
    for j, f in enumerate(chosen):
        if f.integer:
            x[:, j] = np.minimum(np.floor(x[:, j]), hi[j])
    return np.vectorize(lambda v: float(f"{v:.6g}"))(x)


# --------------------------------------------------------------------------- the record and a history


@functools.cache
def record_statistics(record_day: int = RECORD_DAY) -> dict[str, float]:
    """The record's summary statistics (read once)."""
    return rec.record_statistics(record_day)


def simulate_statistics(config: Config, values: dict[str, Any], seed: int, record_day: int = RECORD_DAY):
    """One history to ``record_day`` at ``values``: its summary statistics."""
    model = CeasefireModel(set_values(config, values), rng=seed, horizon=record_day)
    model.run_until(record_day)
    return rec.statistics(model.events(), record_day)


def history_matches(model: Any, record_day: int = RECORD_DAY) -> bool:
    """Whether a model stepped to ``record_day`` states every fact of the record (the
    check a replayed history passes)."""
    return rec.facts_match(rec.statistics(model.events(), record_day), record_statistics(record_day))


def typed(chosen: list[Factor], row: dict[str, float]) -> dict[str, int | float]:
    return {f.key: (int(row[f.key]) if f.integer else float(row[f.key])) for f in chosen}


# --------------------------------------------------------------------------- the distance


def count_scales(stats: pd.DataFrame, counts: Sequence[str] = COUNTS) -> dict[str, float]:
    """Each count's standard deviation over simulated histories: the scale of the distance
    (a count that never varies gets scale 1). The SD rather than the median absolute
    deviation, which is 0 for a rare event (an attack with 10+ killed on 24-25 October)
    and would drop it from the distance."""
    out = {}
    for k in counts:
        sd = float(stats[k].to_numpy(dtype=float).std())
        out[k] = sd if sd > 0 else 1.0
    return out


def count_distance(stats: pd.DataFrame, observed: dict[str, float], scales: dict[str, float]) -> np.ndarray:
    """The L1 distance of the counts, each scaled; infinite where a fact differs."""
    d = np.zeros(len(stats))
    for k, s in scales.items():
        d += np.abs(stats[k].to_numpy(dtype=float) - observed[k]) / s
    facts = np.ones(len(stats), dtype=bool)
    for k in FACTS:
        facts &= stats[k].to_numpy(dtype=float) == observed[k]
    return np.where(facts, d, np.inf)


# --------------------------------------------------------------------------- rejection


def simulate_rows(config: Config, chosen: list[Factor], rows: list[dict], seeds: list[int], record_day: int):
    """The summary statistics of one history a row (parameter values) and seed."""
    return [simulate_statistics(config, typed(chosen, r), s, record_day) for r, s in zip(rows, seeds, strict=True)]


def reference_table(
    config: Config,
    chosen: list[Factor],
    n_draws: int,
    seed: int,
    n_jobs: int = -1,
    chunk: int = 500,
    record_day: int = RECORD_DAY,
) -> pd.DataFrame:
    """``n_draws`` prior draws, each with the seed of its history and that history's
    summary statistics. Deterministic for a seed, whatever ``n_jobs``."""
    from joblib import Parallel, delayed, parallel_config

    draws = sample_prior(chosen, n_draws, seed)
    seeds = replicate_seeds(seed, n_draws)
    rows = draws.to_dict("records")
    tasks = [
        delayed(simulate_rows)(config, chosen, rows[i : i + chunk], seeds[i : i + chunk], record_day)
        for i in range(0, n_draws, chunk)
    ]
    if n_jobs == 1:
        results = [t[0](*t[1], **t[2]) for t in tasks]
    else:  # loky workers that die with this process
        with parallel_config(backend="loky", initializer=die_with_parent, initargs=(os.getpid(),)):
            results = Parallel(n_jobs=n_jobs)(tasks)
    stats = pd.DataFrame([s for part in results for s in part], columns=list(rec.STATISTICS))
    return pd.concat([draws, stats], axis=1).assign(record_seed=np.array(seeds, dtype=np.int64))


@dataclass
class AbcResult:
    draws: pd.DataFrame  # every prior draw: parameters, seed, statistics, distance, match
    keys: list[str]
    tolerance: float

    @property
    def accepted(self) -> pd.DataFrame:
        return self.draws.loc[self.draws["match"]].reset_index(drop=True)

    @property
    def acceptance_rate(self) -> float:
        return float(self.draws["match"].mean())

    def posterior_table(self, record_day: int = RECORD_DAY) -> pd.DataFrame:
        """The accepted draws as a parameter table (sim/run/parameters.py)."""
        table = self.accepted[[*self.keys, "record_seed"]].copy()
        table["record_day"] = record_day
        return table


def within_tolerance(stats: dict[str, float], tolerance: dict[str, Any]) -> bool:
    """Whether a history's statistics state the record's facts and lie within the
    tolerance of an ABC-SMC run (:meth:`SmcResult.tolerance`)."""
    record, weights = tolerance["record"], tolerance["weights"]
    d = sum(w * abs(stats[k] - record[k]) for k, w in weights.items())
    return rec.facts_match(stats, record) and d <= tolerance["epsilon"] * (1 + 1e-9)


def accept_closest(distance: np.ndarray, share: float) -> tuple[np.ndarray, float]:
    """The draws with a finite distance no larger than the ``share`` quantile of all
    draws' distances (at least one if any is finite), and that tolerance."""
    finite = np.isfinite(distance)
    if not finite.any():
        return finite, math.inf
    k = max(1, int(round(share * len(distance))))
    k = min(k, int(finite.sum()))
    tol = float(np.sort(distance[finite])[k - 1])
    return finite & (distance <= tol), tol


def abc_rejection(
    config: Config,
    n_draws: int,
    seed: int,
    share: float = 0.05,
    n_jobs: int = -1,
    chunk: int = 500,
    keys: Sequence[str] | None = None,
    record_day: int = RECORD_DAY,
) -> AbcResult:
    """Rejection ABC: ``n_draws`` prior draws, one history each to ``record_day``;
    accepted when it states every fact of the record and its counts are among the
    closest ``share`` of all draws. Deterministic for a seed, whatever ``n_jobs``."""
    chosen = calibrated_factors(config, keys)
    draws = reference_table(config, chosen, n_draws, seed, n_jobs, chunk, record_day)
    observed = record_statistics(record_day)
    d = count_distance(draws, observed, count_scales(draws))
    match, tol = accept_closest(d, share)
    return AbcResult(draws.assign(distance=d, match=match), [f.key for f in chosen], tol)


# --------------------------------------------------------------------------- simulation-based calibration


def sbc_ranks(
    table: pd.DataFrame, keys: Sequence[str], truths: int, share: float, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulation-based calibration of rejection ABC on a reference table (Talts et al.
    2018): ``truths`` rows drawn at random are synthetic records, each fitted on the rest
    of the table as the record is (its facts exact, its counts the closest ``share``). The
    rank of the true value among a posterior of L draws is uniform on 0..L when the
    method is calibrated (truths drawn among the histories whose facts enough others share:
    choosing truths by their data keeps the ranks uniform). Returns the ranks (with L) and, per truth and parameter, the
    posterior's SD over the prior's (how far the statistics narrow it)."""
    rng = np.random.default_rng(seed)
    stats = table[list(rec.STATISTICS)]
    # truths among the histories whose facts enough others share to make a posterior
    # (choosing truths by their data keeps the ranks uniform: they are uniform given any data)
    need = max(2, int(round(share * len(table))))
    same = stats.groupby(list(FACTS))[FACTS[0]].transform("size").to_numpy()
    eligible = np.flatnonzero(same > need)
    if len(eligible) < truths:
        raise ConfigError(f"only {len(eligible)} histories can serve as synthetic records; make the table bigger")
    picks = rng.choice(eligible, size=truths, replace=False)
    scales = count_scales(stats)
    values = table[list(keys)].to_numpy(dtype=float)
    prior_sd = values.std(axis=0)
    ranks, narrowing = [], []
    for i in picks:
        observed = stats.iloc[i].to_dict()
        d = count_distance(stats, observed, scales)
        d[i] = np.inf  # not its own reference
        match, _ = accept_closest(d, share)
        post = values[match]
        # ties (integer parameters) broken at random so that ranks stay uniform
        below = (post < values[i]).sum(axis=0)
        ties = (post == values[i]).sum(axis=0)
        rank = below + np.array([rng.integers(0, t + 1) for t in ties])
        ranks.append({"truth": int(i), "L": int(match.sum()), **dict(zip(keys, rank, strict=True))})
        narrowing.append(dict(zip(keys, post.std(axis=0) / np.where(prior_sd > 0, prior_sd, np.nan), strict=True)))
    return pd.DataFrame(ranks), pd.DataFrame(narrowing)


def sbc_coverage(ranks: pd.DataFrame, keys: Sequence[str], level: float = 0.9) -> pd.Series:
    """Share of truths inside the central ``level`` interval of their posterior (from
    the ranks: a rank r of L is inside when (1 - level)/2 <= r/L <= (1 + level)/2)."""
    q = ranks[list(keys)].to_numpy(dtype=float) / ranks["L"].to_numpy(dtype=float)[:, None]
    lo, hi = (1 - level) / 2, (1 + level) / 2
    return pd.Series(((q >= lo) & (q <= hi)).mean(axis=0), index=list(keys))


def binomial_interval(n: int, p: float, alpha: float = 0.01) -> tuple[float, float]:
    """The central 1 - alpha interval of a Binomial(n, p) share."""
    from scipy import stats

    return stats.binom.ppf(alpha / 2, n, p) / n, stats.binom.ppf(1 - alpha / 2, n, p) / n


# --------------------------------------------------------------------------- ABC-SMC (pyabc)


def _safe(key: str) -> str:
    """A parameter name pyabc stores as a column (no dots)."""
    return key.replace(".", "__")


def pyabc_prior(chosen: list[Factor]):
    """The prior pyabc samples: a standard normal per parameter, ``z``, that
    :func:`from_particle` maps onto the uniform prior on the sensitivity range
    (``lo + Phi(z) (hi - lo)``; an integer parameter uniform on [lo, hi + 1), floored).
    In z the support is unbounded, so a perturbed particle never falls outside the prior
    (in 137 dimensions a Gaussian step from a box almost always leaves it)."""
    import pyabc

    class StandardNormalPrior(pyabc.Distribution):
        """pyabc's Distribution of independent standard normals, its density and draws
        in one numpy call (pyabc's own loops over 137 scipy variables, 7 ms a particle)."""

        def rvs(self, *args, **kwargs):
            return pyabc.Parameter(dict(zip(self.keys(), np.random.normal(size=len(self)).tolist(), strict=True)))

        def pdf(self, x):
            z = np.fromiter((float(x[k]) for k in self.keys()), float, len(self))
            return float(np.exp(-0.5 * (z @ z) - 0.5 * len(z) * math.log(2 * math.pi)))

    return StandardNormalPrior(**{_safe(f.key): pyabc.RV("norm", 0.0, 1.0) for f in chosen})


def from_particle(chosen: list[Factor], par: dict[str, float]) -> dict[str, int | float]:
    """A particle (standard normal z per parameter) as parameter values."""
    from scipy.special import ndtr

    out: dict[str, int | float] = {}
    for f in chosen:
        u = float(ndtr(par[_safe(f.key)]))
        if f.integer:
            out[f.key] = min(int(math.floor(f.lo + u * (f.hi - f.lo + 1))), int(f.hi))
        else:
            out[f.key] = float(f"{f.lo + u * (f.hi - f.lo):.6g}")
    return out


def _prior_transition():
    import pyabc

    class PriorTransition(pyabc.transition.Transition):
        """Proposes each parameter afresh from its (standard normal) prior, whatever the
        population: for the parameters the record hardly informs, whose importance
        weight then cancels (prior over proposal = 1), so that 137 dimensions do not make
        the weights degenerate. The acceptance step still selects on them."""

        def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
            pass

        def rvs_single(self):
            return pyabc.Parameter({k: float(np.random.normal()) for k in self.X.columns})

        def pdf(self, x):
            if isinstance(x, pd.DataFrame):
                z = x.to_numpy(dtype=float)
                return np.exp(-0.5 * (z * z).sum(axis=1) - 0.5 * z.shape[1] * math.log(2 * math.pi))
            z = np.fromiter((float(v) for v in (x.values() if isinstance(x, dict) else x.to_numpy())), float)
            return float(np.exp(-0.5 * (z @ z) - 0.5 * len(z) * math.log(2 * math.pi)))

    return PriorTransition()


def _gaussian_transition(inflation: float):
    import pyabc
    from scipy import stats

    class GaussianTransition(pyabc.transition.Transition):
        """An independence proposal: one Gaussian with the population's weighted mean and
        ``inflation`` times its weighted covariance. Its density is smooth where a kernel
        density of 1,000 particles in a dozen dimensions is lumpy, so the importance
        weights prior / proposal stay even (a kernel mixture, pyabc's default, left an
        effective sample of 23 of 1,000 after six generations here)."""

        def __init__(self, inflation: float = 1.5):
            self.inflation = inflation

        def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
            x = X.to_numpy(dtype=float)
            w = np.asarray(w, dtype=float) / np.sum(w)
            self.mean_ = w @ x
            cov = np.atleast_2d(np.cov(x.T, aweights=w))
            self.cov_ = self.inflation * cov + 1e-9 * np.eye(x.shape[1])
            self.dist_ = stats.multivariate_normal(self.mean_, self.cov_)

        def rvs_single(self):
            values = np.random.multivariate_normal(self.mean_, self.cov_)
            return pyabc.Parameter(dict(zip(self.X.columns, values.tolist(), strict=True)))

        def pdf(self, x):
            cols = list(self.X.columns)
            if isinstance(x, pd.DataFrame):
                return np.atleast_1d(self.dist_.pdf(x[cols].to_numpy(dtype=float)))
            return float(self.dist_.pdf(np.array([float(x[k]) for k in cols])))

    return GaussianTransition(inflation)


def smc_transition(chosen: list[Factor], adapted: Sequence[str], inflation: float = 1.5):
    """The ABC-SMC proposal: on the ``adapted`` parameters a Gaussian fitted to the
    population (its covariance times ``inflation``), on the rest fresh prior draws."""
    import pyabc

    adapted_keys = tuple(_safe(k) for k in adapted)
    rest = tuple(_safe(f.key) for f in chosen if f.key not in set(adapted))
    mapping = {}
    if adapted_keys:
        mapping[adapted_keys] = _gaussian_transition(inflation)
    if rest:
        mapping[rest] = _prior_transition()
    return pyabc.AggregatedTransition(mapping)


def _record_distance(facts: Sequence[str]):
    import pyabc

    class RecordDistance(pyabc.distance.AdaptivePNormDistance):
        """The counts' L1 distance, each scaled by its SD over the generation (refitted
        every generation; Prangle 2017); infinite when a history differs from the record
        in a fact. The facts and the seed carry weight 0 in the norm."""

        def __call__(self, x, x_0, t=None, par=None):
            if any(x[k] != x_0[k] for k in facts):
                return math.inf
            return super().__call__(x, x_0, t, par)

    weights = {**{k: 1.0 for k in COUNTS}, **{k: 0.0 for k in facts}, "seed": 0.0}
    return RecordDistance(p=1, fixed_weights=weights, scale_function=pyabc.distance.scale.standard_deviation)


def redis_address(redis: str) -> tuple[str, int]:
    """``HOST:PORT`` as (host, port), or :class:`ConfigError`."""
    host, _, port = redis.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--redis must be HOST:PORT (e.g. login01:6379), not {redis!r}")
    return host, int(port)


def check_redis(redis: str, timeout: float = 5.0) -> None:
    """The Redis server of ``--redis HOST:PORT`` answers (its name resolves and its port
    takes a connection), checked before any draw; :class:`ConfigError` if not."""
    import socket

    host, port = redis_address(redis)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as err:
        raise ConfigError(
            f"--redis {redis}: cannot reach a Redis server at {host}:{port} ({err.strerror or err}). Start it "
            "(redis-server --port PORT) and the workers on the nodes (abc-redis-worker --host=HOST --port=PORT), "
            "check the address, or leave out --redis to run on this machine."
        ) from None


def make_sampler(n_procs: int, redis: str | None = None):
    """pyabc's sampler: one process (reproducible for a seed), ``n_procs`` processes on
    this machine, or, with ``redis`` ("host:port"), the workers of a cluster that
    ``abc-redis-worker --host=HOST --port=PORT`` started on its nodes (pyabc's
    RedisEvalParallelSampler)."""
    import pyabc

    if redis:
        host, port = redis_address(redis)
        return pyabc.sampler.RedisEvalParallelSampler(host=host, port=port)
    sampler = (
        pyabc.sampler.SingleCoreSampler()
        if n_procs == 1
        else pyabc.sampler.MulticoreEvalParallelSampler(n_procs=n_procs)
    )
    sampler.show_progress = False
    return sampler


def make_smc(
    config: Config,
    chosen: list[Factor],
    population: int,
    n_procs: int,
    adapted: Sequence[str],
    record_day: int = RECORD_DAY,
    resumed: bool = False,
    redis: str | None = None,
):
    """The pyabc ABC-SMC object: the model runs a history to ``record_day`` with a seed
    drawn from numpy's global generator (pyabc seeds it per worker) and returns its
    statistics and that seed."""
    import pyabc

    main = os.getpid()

    def model(par):
        die_with_child_of(main)  # a worker pyabc forked here dies with this process
        seed = int(np.random.randint(0, 2**31 - 1))
        return {**simulate_statistics(config, from_particle(chosen, par), seed, record_day), "seed": seed}

    sampler = make_sampler(n_procs, redis)
    return pyabc.ABCSMC(
        model,
        pyabc_prior(chosen),
        _record_distance(FACTS),
        population_size=population,
        transitions=smc_transition(chosen, adapted),
        sampler=sampler,
        # a new run's t = 0 keeps every history that states the facts; then (and from the
        # first generation a resumed run adds) the median of the last generation's distances
        eps=pyabc.epsilon.QuantileEpsilon(initial_epsilon="from_sample" if resumed else 1e12, alpha=0.5),
    )


@dataclass
class SmcResult:
    history: Any  # pyabc.History
    keys: list[str]
    #: the last generation's weight of each count in the distance (None: no generation ran here)
    weights: dict[str, float] | None = None

    def tolerance(self) -> dict[str, Any] | None:
        """What an accepted history of the last generation satisfies: the facts of the
        record exactly, and sum_k weight_k |count_k - record_k| <= epsilon."""
        if self.weights is None:
            return None
        eps = float(self.tolerances()["epsilon"].iloc[-1])
        return {"epsilon": eps, "weights": self.weights, "record": record_statistics()}

    @property
    def generations(self) -> int:
        return self.history.max_t + 1

    def particles(self, chosen: list[Factor], t: int | None = None) -> pd.DataFrame:
        """Generation ``t``'s (the last's) particles as parameter values, with their
        weight, statistics and the seed of their history."""
        pop = self.history.get_population(self.history.max_t if t is None else t)
        rows = []
        for p in pop.particles:
            stats = {s: float(np.asarray(p.sum_stat[s])) for s in rec.STATISTICS}
            seed = int(np.asarray(p.sum_stat["seed"]))
            rows.append({**from_particle(chosen, p.parameter), "weight": p.weight, **stats, "record_seed": seed})
        frame = pd.DataFrame(rows)
        frame["weight"] /= frame["weight"].sum()
        return frame

    def tolerances(self) -> pd.DataFrame:
        """Each generation's tolerance, histories simulated and effective sample size
        (Kish: 1 / sum of squared normalised weights)."""
        pops = self.history.get_all_populations()
        frame = pops.loc[pops["t"] >= 0, ["t", "epsilon", "samples"]].reset_index(drop=True)
        ess = []
        for t in frame["t"]:
            w = np.asarray(self.history.get_distribution(t=int(t))[1], dtype=float)
            ess.append(float(w.sum() ** 2 / (w**2).sum()))
        return frame.assign(ess=ess)

    def posterior_table(self, chosen: list[Factor], n: int, seed: int, record_day: int = RECORD_DAY) -> pd.DataFrame:
        """``n`` rows resampled from the last generation by weight (a table whose rows a
        run takes with equal chance), integers floored as simulated, with each history's
        seed."""
        parts = self.particles(chosen)
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(parts), size=n, replace=True, p=parts["weight"].to_numpy())
        table = parts.iloc[pick][[*self.keys, "record_seed"]].reset_index(drop=True)
        table["record_day"] = record_day
        return table


def abc_smc(
    config: Config,
    db: Path,
    population: int,
    generations: int,
    n_procs: int = 2,
    seed: int = 0,
    resume: bool = True,
    min_acceptance_rate: float = 0.005,
    max_simulations: float = np.inf,
    record_day: int = RECORD_DAY,
    keys: Sequence[str] | None = None,
    adapted: Sequence[str] = (),
    progress: Callable[[str], None] | None = None,
    redis: str | None = None,
) -> SmcResult:
    """ABC-SMC over the behavioural parameters, stored in the SQLite database ``db``.
    With ``resume`` and a database holding a run, that run goes on to ``generations``
    generations in all (the ones stored are kept); the proposal adapts to the population
    on the ``adapted`` parameters (those a screening finds informed: :func:`informed`) and
    draws the others afresh from the prior; otherwise a new run starts (seeded by
    ``seed``: reproducible with ``n_procs=1``; with several processes pyabc's workers
    race, so the particles differ from run to run although their distribution does not)."""
    import logging

    import pyabc

    for name in ("ABC", "Sampler", "Epsilon", "Distance", "Population", "Adaptation", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger(f"ABC.{name}").setLevel(logging.WARNING)
    chosen = calibrated_factors(config, keys)
    np.random.seed(seed % 2**32)
    observed = {**record_statistics(record_day), "seed": 0}
    url = f"sqlite:///{Path(db).resolve()}"
    stored = pyabc.History(url) if resume and Path(db).is_file() else None
    done = stored.max_t + 1 if stored is not None and stored.n_populations > 0 else 0
    smc = make_smc(config, chosen, population, n_procs, adapted, record_day, resumed=done > 0, redis=redis)
    if done:
        smc.load(url, stored.id, observed_sum_stat=observed)
    else:
        Path(db).unlink(missing_ok=True)
        smc.new(url, observed)
    if progress:
        progress(f"pyabc: {done} generation(s) stored in {db}; running to {generations}")
    if done < generations:
        smc.run(
            max_nr_populations=generations - done,
            min_acceptance_rate=min_acceptance_rate,
            max_total_nr_simulations=max_simulations,
        )
    weights = None
    dist = smc.distance_function
    last = smc.history.max_t
    if last in getattr(dist, "scale_weights", {}):
        ids = list(dist.sumstat.get_ids())
        weights = {k: float(dist.scale_weights[last][ids.index(k)]) for k in COUNTS}
    return SmcResult(smc.history, [f.key for f in chosen], weights)


# --------------------------------------------------------------------------- summaries


def prior_sd(f: Factor) -> float:
    width = f.hi - f.lo + (1 if f.integer else 0)  # a discrete uniform over lo..hi for integers
    return float(np.sqrt((width**2 - (1 if f.integer else 0)) / 12))


def posterior_summary(table: pd.DataFrame, chosen: list[Factor]) -> pd.DataFrame:
    """Prior range, the default in conf/ when it ran, posterior median and 90% interval,
    and how much the record narrowed each parameter (posterior SD over prior SD; 1 = not
    informed)."""
    rows = []
    for f in chosen:
        x = table[f.key].to_numpy(dtype=float)
        q05, q50, q95 = np.quantile(x, [0.05, 0.5, 0.95])
        sd = prior_sd(f)
        rows.append(
            {
                "key": f.key,
                "prior_lo": f.lo,
                "prior_hi": f.hi,
                "default": f.default,
                "posterior_median": q50,
                "posterior_q05": q05,
                "posterior_q95": q95,
                "sd_ratio": float(x.std(ddof=1) / sd) if sd > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)


def informed(result: AbcResult, chosen: list[Factor], alpha: float = 1e-3, most: int = 5) -> list[str]:
    """The parameters whose rejection posterior differs from the prior (two-sample
    Kolmogorov-Smirnov test of the accepted draws against all draws, p < ``alpha``), at
    most ``most`` of them, the strongest first: a screening for the proposal of ABC-SMC."""
    from scipy import stats

    acc, everything = result.accepted, result.draws
    p = {f.key: stats.ks_2samp(acc[f.key], everything[f.key]).pvalue for f in chosen}
    keys = sorted((k for k, v in p.items() if v < alpha), key=p.get)
    return keys[:most]
