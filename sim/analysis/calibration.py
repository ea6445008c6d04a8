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

import dataclasses
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..core.collection import few_collections
from ..core.errors import ConfigError
from ..core.processes import parallel
from ..core.schema import Config, set_values
from ..model import CeasefireModel, replicate_seeds
from . import record as rec
from .sensitivity import Factor, design_table, factors, typed

RECORD_DAY = rec.RECORD_DAY
FACTS = rec.FACTS
COUNTS = rec.COUNTS


def behavioural_factors(config: Config) -> list[Factor]:
    """Every knob the schema declares ``calibrated`` (behaviour, not a policy choice: the
    mechanism's and the mediators' knobs are what the model compares, and the mechanism
    did not operate before 5 November), with its prior range (the sensitivity range)."""
    return [f for f in factors(config) if f.calibrated]


def calibrated_factors(
    config: Config, keys: Sequence[str] | None = None, shapes: dict[str, tuple[float, float]] | None = None
) -> list[Factor]:
    """The calibrated parameters (all behavioural ones, or ``keys``) with their priors:
    uniform on the sensitivity range, or the Beta ``shapes`` give a knob (the outside
    view: sim/analysis/outside_view.py)."""
    chosen = [with_shape(f, shapes) for f in behavioural_factors(config)]
    if keys is None:
        return chosen
    by_key = {f.key: with_shape(f, shapes) for f in factors(config)}
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise ConfigError(f"not parameters with a sensitivity range, so they have no prior: {', '.join(missing)}")
    return [by_key[k] for k in keys]


def with_shape(f: Factor, shapes: dict[str, tuple[float, float]] | None) -> Factor:
    """``f`` with the prior's shape ``shapes`` gives its key (unchanged without one)."""
    if not shapes or f.key not in shapes:
        return f
    a, b = shapes[f.key]
    return dataclasses.replace(f, a=float(a), b=float(b))


def sample_prior(chosen: list[Factor], n: int, seed: int) -> pd.DataFrame:
    """n draws from the prior on the sensitivity ranges (Latin hypercube; each knob uniform
    or, where the outside view set it, a Beta: :meth:`Factor.quantile`)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(chosen), seed=seed).random(n)
    return design_table(chosen, from_unit(chosen, unit))


def from_unit(chosen: list[Factor], unit: np.ndarray) -> np.ndarray:
    """Points of the unit cube as parameter values through each knob's prior: uniform on
    its range (or the outside view's Beta), integers over lo..hi (each whole value with the
    same chance under a uniform prior), 6 significant digits (a table written as CSV then
    holds exactly the values simulated)."""
    lo = np.array([f.lo for f in chosen])
    hi = np.array([f.hi for f in chosen])
    span = np.array([f.hi - f.lo + (1 if f.integer else 0) for f in chosen])
    shaped = np.column_stack([f.quantile(unit[:, j]) for j, f in enumerate(chosen)]) if len(unit) else unit
    x = lo + shaped * span
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
    with few_collections():
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
    from joblib import delayed

    draws = sample_prior(chosen, n_draws, seed)
    seeds = replicate_seeds(seed, n_draws)
    rows = draws.to_dict("records")
    tasks = [
        delayed(simulate_rows)(config, chosen, rows[i : i + chunk], seeds[i : i + chunk], record_day)
        for i in range(0, n_draws, chunk)
    ]
    results = parallel(tasks, n_jobs)
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
    shapes: dict[str, tuple[float, float]] | None = None,
) -> AbcResult:
    """Rejection ABC: ``n_draws`` prior draws (uniform, or the outside view's ``shapes``),
    one history each to ``record_day``; accepted when it states every fact of the record
    and its counts are among the closest ``share`` of all draws. Deterministic for a seed,
    whatever ``n_jobs``."""
    chosen = calibrated_factors(config, keys, shapes)
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


# --------------------------------------------------------------------------- summaries


def prior_sd(f: Factor) -> float:
    width = f.hi - f.lo + (1 if f.integer else 0)  # a discrete uniform over lo..hi for integers
    if f.a != 1.0 or f.b != 1.0:  # the outside view's Beta on the range
        return float(width * np.sqrt(f.a * f.b / ((f.a + f.b) ** 2 * (f.a + f.b + 1))))
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
