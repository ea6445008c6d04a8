"""Calibration to what was known on 5 November 2025, by approximate Bayesian computation.

The record (docs/context/case-facts.md; nothing after 5 November 2025 is used):

* the truce of 19 October (day 0) still holds on 5 November (day 17);
* there were violent incidents during the truce on 24-25 October (days 5 and 6:
  clashes in Kurram and North Waziristan, nepalnews.com);
* Istanbul round 2 ended on 30 October (day 11) with the truce extended and the
  mechanism agreed in principle, after Pakistan had called it failed and the mediators
  salvaged it (trtworld.com): in the model the round did not break down (it agreed or
  was salvaged);
* every crossing stayed closed (closed since 12 October; none reopened by 5 November).

Method: rejection ABC (Pritchard et al., *Mol. Biol. Evol.* 16, 1999; Beaumont, *Annu.
Rev. Ecol. Evol. Syst.* 41, 2010) with the record's four facts as summary statistics
and zero tolerance (they are yes/no facts). Each draw from the prior (uniform on each
calibrated parameter's sensitivity range, a Latin hypercube) runs one replicate for 17
days; a draw is accepted when its history matches every fact. The accepted draws are
a sample of the posterior p(parameters | record).

The posterior table keeps, with each accepted parameter vector, the seed of its history
(``record_seed``, ``record_day``): a forecast replicate that takes the row replays that
history to day 17 and then goes on with its own seed (sim/run/parameters.py). The calibrated
ensemble is therefore a forecast *from 5 November*: every replicate is consistent with
the record, and parameter uncertainty is carried with chance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..model import CeasefireModel, replicate_seeds
from ..schema import Config, set_values
from .sensitivity import Factor, design_table, factors

#: 5 November 2025, the day before Istanbul round 3: the last day of the record.
RECORD_DAY = 17
#: 24-25 October 2025: clashes in Kurram and North Waziristan during the truce.
INCIDENT_DAYS = (5, 6)
#: The facts of the record, in the order the tables list them.
FACTS = ("truce_holds", "incidents_24_25_oct", "round_2_extends_truce", "crossings_closed")

#: The parameters calibrated: the union of the ten highest Morris mu* of each output
#: (experiments/sensitivity.py: restricted mean truce, days to 90% trade), leaving out the
#: mechanism's and the mediators' knobs, which are the policy choices the model compares
#: (and the mechanism did not operate before day 17): 12 parameters; plus three the record
#: speaks to directly: the surge of attacks around a round, the risk that a party walks
#: out of a round (round 2 was salvaged), and Pakistan's security case for keeping the
#: crossings shut (still shut on 5 November). (The Morris ranking varies every ranked parameter over its whole range, so
#: it does not depend on the defaults the calibration then sets.)
CALIBRATED = (
    "spoilers.attack_rate",
    "states.blame_gain",
    "states.accident_rate",
    "states.retaliation_threshold",
    "collapse.void_prob",
    "states.domestic_weight",
    "states.economic_weight",
    "collapse.hostility_memory_days",
    "states.decision_noise",
    "scenario.afghanistan.effort",
    "crossings.reopen_prob",
    "crossings.reopen_calm_days",
    "spoilers.round_surge",
    "negotiation.walkout_risk",
    "crossings.reopen_threshold",
)


def calibrated_factors(config: Config, keys: tuple[str, ...] = CALIBRATED) -> list[Factor]:
    """The calibrated parameters with their prior ranges (the sensitivity ranges)."""
    by_key = {f.key: f for f in factors(config)}
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise ConfigError(f"not parameters with a sensitivity range, so they have no prior: {', '.join(missing)}")
    return [by_key[k] for k in keys]


def sample_prior(chosen: list[Factor], n: int, seed: int) -> pd.DataFrame:
    """n draws from the uniform prior on the sensitivity ranges (Latin hypercube)."""
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(chosen), seed=seed).random(n)
    lo = np.array([f.lo for f in chosen])
    hi = np.array([f.hi for f in chosen])
    # integers: uniform over lo..hi, each whole value with the same chance
    span = np.array([f.hi - f.lo + (1 if f.integer else 0) for f in chosen])
    x = lo + unit * span
    for j, f in enumerate(chosen):
        if f.integer:
            x[:, j] = np.minimum(np.floor(x[:, j]), hi[j])
    # 6 significant digits: the table written as CSV then holds exactly the values simulated
    x = np.vectorize(lambda v: float(f"{v:.6g}"))(x)
    return design_table(chosen, x)


def record_facts(
    series: dict[str, np.ndarray], outcome: dict[str, Any], record_day: int = RECORD_DAY
) -> dict[str, bool]:
    """Which facts of the record a replicate's first ``record_day`` days reproduce."""
    days = slice(0, record_day + 1)
    return {
        "truce_holds": not outcome["first_breakdown_day"] <= record_day,  # NaN: never broke down
        "incidents_24_25_oct": bool(series["incidents"][list(INCIDENT_DAYS)].sum() >= 1),
        "round_2_extends_truce": outcome["rounds_failed"] == 0
        and outcome["rounds_agreed"] + outcome["rounds_salvaged"] >= 1,
        "crossings_closed": bool(series["open_crossings"][days].max() == 0),
    }


def record_facts_of(model: Any, record_day: int = RECORD_DAY) -> dict[str, bool]:
    """The facts of the record in a model stepped to ``record_day``."""
    day = model.truce.collapse_day
    outcome = {
        "first_breakdown_day": math.nan if day is None else day,
        "rounds_agreed": model.talks.agreed,
        "rounds_salvaged": model.talks.salvaged,
        "rounds_failed": model.talks.failed,
    }
    return record_facts(model.series(), outcome, record_day)


def _simulate_chunk(
    config: Config, rows: list[dict[str, Any]], seeds: list[int], record_day: int
) -> list[dict[str, bool]]:
    out = []
    for values, seed in zip(rows, seeds, strict=True):
        model = CeasefireModel(set_values(config, values), rng=seed, horizon=record_day)
        outcome, series = model.run()
        out.append(record_facts(series, outcome, record_day))
    return out


@dataclass
class AbcResult:
    draws: pd.DataFrame  # every prior draw, with its seed and which facts it reproduced
    keys: list[str]

    @property
    def accepted(self) -> pd.DataFrame:
        return self.draws.loc[self.draws["match"]].reset_index(drop=True)

    @property
    def acceptance_rate(self) -> float:
        return float(self.draws["match"].mean())

    def posterior_table(self) -> pd.DataFrame:
        """The accepted draws as a parameter table (sim/run/parameters.py)."""
        table = self.accepted[[*self.keys, "record_seed"]].copy()
        table["record_day"] = RECORD_DAY
        return table


def abc_rejection(
    config: Config,
    n_draws: int,
    seed: int,
    keys: tuple[str, ...] = CALIBRATED,
    n_jobs: int = -1,
    chunk: int = 500,
    record_day: int = RECORD_DAY,
) -> AbcResult:
    """Rejection ABC: ``n_draws`` prior draws, one replicate each to ``record_day``;
    accepted when every fact of the record is reproduced. Deterministic for a seed,
    whatever ``n_jobs``."""
    from joblib import Parallel, delayed

    chosen = calibrated_factors(config, keys)
    draws = sample_prior(chosen, n_draws, seed)
    seeds = replicate_seeds(seed, n_draws)
    records = draws.to_dict("records")
    rows = [
        {k: (int(v) if f.integer else float(v)) for (k, v), f in zip(r.items(), chosen, strict=True)} for r in records
    ]
    tasks = [
        delayed(_simulate_chunk)(config, rows[i : i + chunk], seeds[i : i + chunk], record_day)
        for i in range(0, n_draws, chunk)
    ]
    results = Parallel(n_jobs=n_jobs)(tasks) if n_jobs != 1 else [t[0](*t[1], **t[2]) for t in tasks]
    facts = pd.DataFrame([f for part in results for f in part])
    draws = draws.assign(record_seed=np.array(seeds, dtype=np.int64), **{k: facts[k].to_numpy() for k in FACTS})
    draws["match"] = draws[list(FACTS)].all(axis=1)
    return AbcResult(draws, list(keys))


def posterior_summary(result: AbcResult, chosen: list[Factor]) -> pd.DataFrame:
    """Prior range, the default in conf/ when it ran, posterior median and 90% interval,
    and how much the record narrowed each parameter (posterior SD over prior SD; 1 = not
    informed)."""
    acc = result.accepted
    rows = []
    for f in chosen:
        width = f.hi - f.lo + (1 if f.integer else 0)  # a discrete uniform over lo..hi for integers
        prior_sd = np.sqrt((width**2 - (1 if f.integer else 0)) / 12)
        q05, q50, q95 = np.quantile(acc[f.key], [0.05, 0.5, 0.95])
        rows.append(
            {
                "key": f.key,
                "prior_lo": f.lo,
                "prior_hi": f.hi,
                "default": f.default,
                "posterior_median": q50,
                "posterior_q05": q05,
                "posterior_q95": q95,
                "sd_ratio": float(acc[f.key].std() / prior_sd) if prior_sd > 0 else np.nan,
            }
        )
    return pd.DataFrame(rows)
