"""ABC-SMC with pyabc (Toni et al., *J. R. Soc. Interface* 6, 2009; Beaumont et al.,
*Biometrika* 96, 2009; Schaelte et al., *JOSS* 2022): the prior over the calibrated knobs,
the proposal (a Gaussian independence proposal on the parameters the record informs,
fresh prior draws on the rest), the distance (facts exact, counts by an adaptive scaled
L1 norm), the samplers (several processes here, pyabc's Redis sampler on a cluster), and
the run read back (:class:`SmcResult`). The rest of the calibration (the record, the
rejection sampler, SBC, summaries): sim/analysis/calibration.py.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ConfigError, require
from ..core.processes import die_with_child_of
from ..core.schema import Config
from . import record as rec
from .calibration import (
    COUNTS,
    FACTS,
    RECORD_DAY,
    calibrated_factors,
    record_statistics,
    simulate_statistics,
)
from .sensitivity import Factor


def _safe(key: str) -> str:
    """A parameter name pyabc stores as a column (no dots)."""
    return key.replace(".", "__")


def pyabc_prior(chosen: list[Factor]):
    """The prior pyabc samples: a standard normal per parameter, ``z``, that
    :func:`from_particle` maps onto the prior on the sensitivity range
    (``lo + Q(Phi(z)) (hi - lo)``, Q the prior's shape: the identity for a uniform one, the
    outside view's Beta quantile otherwise; an integer parameter on [lo, hi + 1), floored).
    In z the support is unbounded, so a perturbed particle never falls outside the prior
    (in 150 dimensions a Gaussian step from a box almost always leaves it)."""
    pyabc = require("pyabc")

    class StandardNormalPrior(pyabc.Distribution):
        """pyabc's Distribution of independent standard normals, its density and draws
        in one numpy call (pyabc's own loops over the scipy variables, 7 ms a particle)."""

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
        u = float(f.quantile(np.array([ndtr(par[_safe(f.key)])]))[0])
        if f.integer:
            out[f.key] = min(int(math.floor(f.lo + u * (f.hi - f.lo + 1))), int(f.hi))
        else:
            out[f.key] = float(f"{f.lo + u * (f.hi - f.lo):.6g}")
    return out


def _prior_transition():
    pyabc = require("pyabc")

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
    pyabc = require("pyabc")
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
    pyabc = require("pyabc")

    adapted_keys = tuple(_safe(k) for k in adapted)
    rest = tuple(_safe(f.key) for f in chosen if f.key not in set(adapted))
    mapping = {}
    if adapted_keys:
        mapping[adapted_keys] = _gaussian_transition(inflation)
    if rest:
        mapping[rest] = _prior_transition()
    return pyabc.AggregatedTransition(mapping)


def _record_distance(facts: Sequence[str]):
    pyabc = require("pyabc")

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
    pyabc = require("pyabc")

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
    pyabc = require("pyabc")
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
    shapes: dict[str, tuple[float, float]] | None = None,
) -> SmcResult:
    """ABC-SMC over the behavioural parameters, stored in the SQLite database ``db``.
    With ``resume`` and a database holding a run, that run goes on to ``generations``
    generations in all (the ones stored are kept); the proposal adapts to the population
    on the ``adapted`` parameters (those a screening finds informed: :func:`informed`) and
    draws the others afresh from the prior; otherwise a new run starts (seeded by
    ``seed``: reproducible with ``n_procs=1``; with several processes pyabc's workers
    race, so the particles differ from run to run although their distribution does not)."""
    import logging

    pyabc = require("pyabc")

    for name in ("ABC", "Sampler", "Epsilon", "Distance", "Population", "Adaptation", "pyabc"):
        logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger(f"ABC.{name}").setLevel(logging.WARNING)
    chosen = calibrated_factors(config, keys, shapes)
    np.random.seed(seed % 2**32)
    observed = {**record_statistics(record_day), "seed": 0}
    url = f"sqlite:///{Path(db).resolve()}"
    stored = pyabc.History(url) if resume and Path(db).is_file() else None
    done = stored.max_t + 1 if stored is not None and stored.n_populations > 0 else 0
    smc = make_smc(config, chosen, population, n_procs, adapted, record_day, done > 0, redis)
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
