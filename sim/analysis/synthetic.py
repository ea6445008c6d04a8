"""Simulation-based calibration of forecasts (Talts et al. 2018, for parameters; here for
what follows an origin): truths drawn from the model, each truth's own log fed to the
sequential filter up to an origin, and the forecast of its later days compared with what
the truth did next.

A forecast system that is calibrated puts the truth's later value at a uniformly
distributed rank of its forecast: the probability integral transform (PIT; Gneiting,
Balabdaoui & Raftery, *JRSS B* 69, 2007; randomised for a discrete quantity, Czado,
Gneiting & Held, *Biometrics* 65, 2009) is uniform on (0, 1) over many truths, and a
central interval of level q covers the truth a share q of the time.

The truths are drawn from the same prior the filter starts from (the outside view's:
``conf/calibration/priors.csv``), so this checks the filter and its tolerance, not the
model against the world: that is the backtest's and the rolling origins' job
(experiments/rolling.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core import events as ev
from ..core.processes import parallel
from ..core.schema import Config, set_values
from ..model import CeasefireModel, replicate_seeds
from . import record as rec
from . import sequential as sq
from .sensitivity import Factor


@dataclass(frozen=True)
class Outcome:
    """A later quantity of a history, read from its event log after the origin."""

    name: str
    label: str
    read: Callable[[list, int, int], float]  # (events, origin, horizon) -> value


def attacks_after(events: list, origin: int, horizon: int) -> float:
    return float(sum(1 for e in events if e.event_type == ev.MILITANT_ATTACK and origin < e.day <= horizon))


def state_fire_days_after(events: list, origin: int, horizon: int) -> float:
    return float(ev.state_fire_days([e for e in events if origin < e.day <= horizon]))


def rounds_agreed_after(events: list, origin: int, horizon: int) -> float:
    return float(
        sum(
            1
            for e in events
            if e.event_type == ev.TALKS_ROUND
            and origin < e.day <= horizon
            and (e.detail or "").split(":", 1)[0].strip() in ev.AGREEMENTS
        )
    )


OUTCOMES = (
    Outcome("attacks", "militant attacks after the origin", attacks_after),
    Outcome("state_fire_days", "days with fire between the states after the origin", state_fire_days_after),
    Outcome("agreements", "rounds that agreed something after the origin", rounds_agreed_after),
)


def history(config: Config, chosen: list[Factor], z: np.ndarray, seed: int, origin: int, own: int, horizon: int):
    """One particle's history: replayed from ``seed`` to ``origin``, then its own seed
    ``own`` to ``horizon``; its event log."""
    model = CeasefireModel(set_values(config, sq.values_of(chosen, z[None, :])[0]), rng=int(seed), horizon=horizon)
    model.replay(origin, int(own))
    model.run_until(horizon)
    return model.events()


def outcomes_of(config, chosen, z, seeds, owns, replay_to, origin, horizon, outcomes) -> list[dict[str, float]]:
    """The outcomes after ``origin`` of histories replayed to ``replay_to``."""
    out = []
    for zi, seed, own in zip(z, seeds, owns, strict=True):
        log = history(config, chosen, zi, seed, replay_to, own, horizon)
        out.append({o.name: o.read(log, origin, horizon) for o in outcomes})
    return out


def forecast(
    config: Config,
    chosen: list[Factor],
    population: sq.Population,
    origin: int,
    horizon: int,
    seed: int,
    outcomes: Sequence[Outcome] = OUTCOMES,
    n_jobs: int = -1,
) -> pd.DataFrame:
    """Each particle's outcomes after ``origin``: its history replayed to the day the
    population stands on (0 for the prior: a fresh history), then a fresh seed to
    ``horizon`` (deterministic for a seed, whatever ``n_jobs``)."""
    from joblib import delayed

    owns = np.array(replicate_seeds(seed, len(population.z)), dtype=np.int64)
    size = sq.CHUNK
    tasks = [
        delayed(outcomes_of)(
            config,
            chosen,
            population.z[i : i + size],
            population.seeds[i : i + size],
            owns[i : i + size],
            population.day,
            origin,
            horizon,
            tuple(outcomes),
        )
        for i in range(0, len(population.z), size)
    ]
    return pd.DataFrame([r for part in parallel(tasks, 1 if len(tasks) == 1 else n_jobs) for r in part])


@dataclass
class Truth:
    """A synthetic truth: its parameters (z), its seed, and its log to the horizon."""

    z: np.ndarray
    seed: int
    events: list

    def evidence(self, tolerance: dict, facts: tuple[str, ...] | None = None) -> sq.Evidence:
        """The truth's log as a record (its counts from its own events), read with the
        calibration's tolerance and facts (or others)."""
        return sq.Evidence(tuple(self.events), None, tolerance, rec.FACTS if facts is None else facts)


def draw_truths(config: Config, chosen: list[Factor], n: int, horizon: int, seed: int) -> list[Truth]:
    """``n`` truths from the prior: parameters and a history to ``horizon``."""
    prior = sq.prior_population(chosen, n, seed)
    truths = []
    for z, s in zip(prior.z, prior.seeds, strict=True):
        log = history(config, chosen, z, int(s), horizon, int(s), horizon)
        truths.append(Truth(z, int(s), log))
    return truths


def randomised_pit(values: np.ndarray, truth: float, u: float) -> float:
    """``F(v-) + u P(X = v)``: uniform on (0, 1) for a calibrated discrete forecast."""
    values = np.asarray(values, dtype=float)
    return float(np.mean(values < truth) + u * np.mean(values == truth))


def covered(values: np.ndarray, truth: float, level: float) -> bool:
    """Whether the central interval of ``level`` of the forecast holds the truth."""
    lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    return bool(lo <= truth <= hi)


def crps(values: np.ndarray, truth: float) -> float:
    """The continuous ranked probability score of an ensemble (Hersbach 2000)."""
    import scoringrules as sr

    return float(sr.crps_ensemble(float(truth), np.asarray(values, dtype=float), backend="numpy"))


def check_truth(
    config: Config,
    chosen: list[Factor],
    truth: Truth,
    origin: int,
    horizon: int,
    particles: int,
    tolerance: dict,
    seed: int,
    settings: sq.Settings,
    outcomes: Sequence[Outcome] = OUTCOMES,
    facts: tuple[str, ...] | None = None,
) -> list[dict]:
    """One truth: the filter from the prior to ``origin`` on the truth's log, the forecast
    of its later outcomes, and, for comparison, the prior's forecast (the same particles'
    parameters before any conditioning, fresh histories): PIT, coverage and CRPS of each."""
    evidence = truth.evidence(tolerance, facts)
    start = sq.prior_population(chosen, particles, seed)
    days = sq.schedule(0, origin)
    populations, steps = sq.condition(config, chosen, start, days, evidence, seed, settings)
    conditioned = forecast(config, chosen, populations[-1], origin, horizon, seed + 1, outcomes, settings.n_jobs)
    unconditioned = forecast(config, chosen, start, origin, horizon, seed + 1, outcomes, settings.n_jobs)
    rng = np.random.default_rng(seed)
    rows = []
    for o in outcomes:
        value = o.read(truth.events, origin, horizon)
        after = conditioned[o.name].to_numpy()
        before = unconditioned[o.name].to_numpy()
        rows.append(
            {
                "outcome": o.name,
                "truth": value,
                "pit": randomised_pit(after, value, rng.random()),
                "covered_50": covered(after, value, 0.5),
                "covered_90": covered(after, value, 0.9),
                "crps": crps(after, value),
                "crps_prior": crps(before, value),
                "ess_last": int(steps["ess"].iloc[-1]),
            }
        )
    return rows
