"""The outside view: the calibration's prior tilted so that, before the record is seen, the
model behaves as the reference classes of its kind of process do (Kahneman & Lovallo,
*Management Science* 39(1), 1993; Tetlock & Gardner, *Superforecasting*, 2015).

Each :class:`Target` is a rate a reference class gives (docs/context/reference-classes.csv)
and the event of a year-long history that stands for it: that modalities follow a text in
principle within a year (PA-X), that an agreement with ceasefire provisions ends within 90
days (UCDP), that a ceasefire fails within a year (Fortna's ceasefires). Under the uniform
prior over the calibrated knobs the model's rates differ; the outside view is the prior
closest to it (in Kullback-Leibler divergence) whose rates are the reference classes':
an exponential tilt ``p(theta) exp(lambda . g(theta))`` (maximum entropy under moment
constraints; Csiszar 1975), where ``g_j(theta)`` is the expected excess of target j in a
history at ``theta`` (P(condition and event | theta) - rate x P(condition | theta)).

The expectations come from **prior-predictive histories** (one year-long history a prior
draw, :func:`prior_predictive`) through a **surrogate**: two logistic regressions a target
on the unit-scaled parameters (:class:`Surrogate`). :func:`tilt` solves for ``lambda`` (the
convex dual of the maximum-entropy problem) and reports the rates before and after and
the effective sample size of the tilt. The record (the case) is then fitted under this
prior by ABC-SMC (sim/analysis/smc.py: :func:`sim.analysis.smc.tilted_prior`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..core import events as ev
from ..core.processes import parallel
from ..core.schema import Config, set_values
from ..model import CeasefireModel, replicate_seeds
from .sensitivity import Factor


@dataclass(frozen=True)
class Target:
    """A reference-class rate: among histories where ``condition`` holds, the share where
    ``event`` does (both read from :func:`indicators`)."""

    name: str
    condition: str  # a column of the indicators ("always": every history)
    event: str
    rate: float
    figure: str  # the row of docs/context/reference-classes.csv
    stands_for: str


#: The reference-class rates the prior is tilted to (docs/context/reference-classes.csv).
TARGETS = (
    Target(
        "modalities_within_a_year",
        "principle",
        "modalities_within_a_year",
        0.372,
        "pax_interstate_partial_framework_followed_by_implementation_1y",
        "modalities follow a text in principle within a year (PA-X, interstate partial frameworks)",
    ),
    Target(
        "reneged_within_90_days",
        "modalities_90_days_before_the_horizon",
        "reneged_within_90_days",
        0.153,
        "ucdp_agreements_with_ceasefire_ended_within_90d",
        "an agreement with ceasefire provisions ends within 90 days (UCDP peace agreements)",
    ),
    Target(
        "renounced_within_a_year",
        "always",
        "renounced_within_a_year",
        0.323,
        "civil_ceasefire_failed_within_1y_share",
        "a ceasefire fails (a government declares it over) within a year (Fortna's ceasefires, computed from her data)",
    ),
    Target(
        "breakdown_within_a_year",
        "always",
        "breakdown_within_a_year",
        0.865,
        "afpak_deadly_state_episodes_per_year",
        "sustained fire between the two states within a year: about 8 deadly state-on-state episodes on this "
        "border in 2022-2025, 2 a year (record-to-5nov.md sec. 4): 1 - exp(-2)",
    ),
)


def indicators(model: CeasefireModel, horizon: int) -> dict[str, bool]:
    """The events of a finished history the targets read."""
    talks = model.talks
    coded = model.coded()
    reneged = [e.day for e in model.events() if e.event_type == ev.PROVISION_RENEGED]
    mod = talks.modalities_day
    return {
        "always": True,
        "principle": talks.principle_day is not None,
        "modalities_within_a_year": mod is not None and talks.principle_day is not None,
        "modalities_90_days_before_the_horizon": mod is not None and mod <= horizon - 90,
        "reneged_within_90_days": mod is not None and any(mod <= d <= mod + 90 for d in reneged),
        "breakdown_within_a_year": not math.isnan(coded["breakdown"]),
        "renounced_within_a_year": not math.isnan(coded["renunciation"]),
    }


def simulate_indicators(config: Config, values: list[dict[str, Any]], seeds: list[int]) -> list[dict[str, bool]]:
    out = []
    for row, seed in zip(values, seeds, strict=True):
        model = CeasefireModel(set_values(config, row), rng=seed)
        model.run_until(model.horizon)
        out.append(indicators(model, model.horizon))
    return out


def prior_predictive(config: Config, chosen: list[Factor], n: int, seed: int, n_jobs: int = -1) -> pd.DataFrame:
    """``n`` prior draws (a Latin hypercube), each with the indicators of one history to
    ``run.horizon_days`` (365: a year). Deterministic for a seed, whatever ``n_jobs``."""
    from joblib import delayed

    from .calibration import sample_prior, typed

    draws = sample_prior(chosen, n, seed)
    seeds = replicate_seeds(seed + 1, n)
    rows = [typed(chosen, r) for r in draws.to_dict("records")]
    chunk = 200
    tasks = [
        delayed(simulate_indicators)(config, rows[i : i + chunk], seeds[i : i + chunk]) for i in range(0, n, chunk)
    ]
    parts = parallel(tasks, n_jobs)
    return pd.concat([draws, pd.DataFrame([x for part in parts for x in part])], axis=1)


def unit(chosen: list[Factor], values: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Parameter values scaled to [0, 1] on their prior ranges."""
    x = values[[f.key for f in chosen]].to_numpy(dtype=float) if isinstance(values, pd.DataFrame) else values
    lo = np.array([f.lo for f in chosen])
    hi = np.array([f.hi for f in chosen])
    return (x - lo) / (hi - lo)


@dataclass
class Surrogate:
    """P(condition | theta) and P(condition and event | theta) of each target, two
    logistic regressions on the unit-scaled parameters (scikit-learn, L2-regularised)."""

    targets: Sequence[Target]
    models: dict[str, Any] = field(default_factory=dict)

    def fit(self, u: np.ndarray, table: pd.DataFrame) -> Surrogate:
        from ..core.errors import require

        LogisticRegression = require("sklearn.linear_model").LogisticRegression  # noqa: N806
        for t in self.targets:
            for part, y in (("condition", table[t.condition]), ("both", table[t.condition] & table[t.event])):
                y = y.to_numpy(dtype=int)
                if y.min() == y.max():  # always or never: a constant
                    self.models[f"{t.name}:{part}"] = float(y[0])
                else:
                    self.models[f"{t.name}:{part}"] = LogisticRegression(C=1.0, max_iter=2000).fit(u, y)
        return self

    def _p(self, key: str, u: np.ndarray) -> np.ndarray:
        m = self.models[key]
        return np.full(len(u), m) if isinstance(m, float) else m.predict_proba(u)[:, 1]

    def excess(self, u: np.ndarray) -> np.ndarray:
        """g(theta): each target's expected excess over its rate (n x targets)."""
        u = np.atleast_2d(u)
        return np.column_stack(
            [self._p(f"{t.name}:both", u) - t.rate * self._p(f"{t.name}:condition", u) for t in self.targets]
        )


@dataclass
class Tilt:
    """The outside view: ``lambda`` and the surrogate; the tilted weight of a draw is
    ``exp(lambda . g(theta))`` (normalised over a sample)."""

    chosen: list[Factor]
    surrogate: Surrogate
    lam: np.ndarray
    weights: np.ndarray  # the tilted weight of each prior-predictive draw (summing to 1)
    report: pd.DataFrame  # each target: its rate, the prior's, the tilted prior's; the tilt's ESS

    def log_weight(self, u: np.ndarray) -> np.ndarray:
        return self.surrogate.excess(u) @ self.lam

    def bound(self) -> float:
        """An upper bound of the log weight (g_j lies in [-rate, 1 - rate])."""
        return float(
            sum(abs(lam) * max(t.rate, 1.0 - t.rate) for lam, t in zip(self.lam, self.surrogate.targets, strict=True))
        )


def solve(g: np.ndarray) -> np.ndarray:
    """``lambda`` minimising log mean exp(g . lambda): at its minimum the tilted sample's
    mean of ``g`` is zero (every target's rate met)."""
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    def dual(lam: np.ndarray) -> tuple[float, np.ndarray]:
        s = g @ lam
        w = np.exp(s - logsumexp(s))
        return float(logsumexp(s) - math.log(len(g))), g.T @ w

    return minimize(dual, np.zeros(g.shape[1]), jac=True, method="BFGS").x


def tilt(chosen: list[Factor], table: pd.DataFrame, targets: Sequence[Target] = TARGETS) -> Tilt:
    """The outside view from a prior-predictive table (:func:`prior_predictive`)."""
    u = unit(chosen, table)
    surrogate = Surrogate(targets).fit(u, table)
    g = surrogate.excess(u)
    lam = solve(g)
    s = g @ lam
    w = np.exp(s - s.max())
    w /= w.sum()
    rows = []
    for t in targets:
        cond = table[t.condition].to_numpy(dtype=float)
        both = cond * table[t.event].to_numpy(dtype=float)
        rows.append(
            {
                "target": t.name,
                "stands for": t.stands_for,
                "reference rate": t.rate,
                "figure": t.figure,
                "uniform prior": both.sum() / max(cond.sum(), 1.0),
                "outside view": float(w @ both) / max(float(w @ cond), 1e-12),
                "histories with the condition": int(cond.sum()),
            }
        )
    report = pd.DataFrame(rows).assign(ess=float(1.0 / (w @ w)), draws=len(table))
    return Tilt(chosen, surrogate, lam, w, report)


def shapes(chosen: list[Factor], table: pd.DataFrame, t: Tilt, z: float = 3.0) -> dict[str, tuple[float, float]]:
    """The outside view as priors: each knob whose marginal under the tilt departs from
    its marginal under the current prior (the tilted mean more than ``z`` standard errors,
    from the tilt's effective sample size, from the untilted one) gets a Beta on its range
    with the tilted mean and variance (the method of moments); the others keep their
    current shape. (The joint tilt is approximated by its marginals: the prior stays a
    product, which ABC-SMC samples as before.)"""
    u = unit(chosen, table)
    w = t.weights
    se = math.sqrt(1.0 / 12.0 / (1.0 / float(w @ w)))
    out: dict[str, tuple[float, float]] = {}
    for j, f in enumerate(chosen):
        m, m0 = float(w @ u[:, j]), float(u[:, j].mean())
        v = float(w @ (u[:, j] - m) ** 2)
        k = m * (1.0 - m) / v - 1.0 if v > 0 else 0.0
        if abs(m - m0) > z * se and k > 0:
            out[f.key] = (round(m * k, 3), round((1.0 - m) * k, 3))
        elif f.a != 1.0 or f.b != 1.0:
            out[f.key] = (f.a, f.b)
    return out


def rates(table: pd.DataFrame, targets: Sequence[Target] = TARGETS) -> dict[str, float]:
    """Each target's rate in a prior-predictive table."""
    return {
        t.name: float((table[t.condition] & table[t.event]).sum() / max(table[t.condition].sum(), 1)) for t in targets
    }


def outside_view(
    config: Config,
    chosen: list[Factor],
    n: int,
    iterations: int,
    seed: int,
    progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, tuple[float, float]], pd.DataFrame]:
    """The prior of the calibration, tilted to the reference classes ``iterations`` times
    (each time ``n`` year-long prior-predictive histories under the current prior, the
    tilt, its Beta marginals: :func:`shapes`), and checked by a last prior-predictive
    run. Returns the Beta shapes of the knobs the reference classes move, and a table of
    each target's rate at each step (``uniform`` the prior before, ``outside view`` the
    prior after)."""
    from .calibration import with_shape

    found: dict[str, tuple[float, float]] = {}
    steps = []
    for it in range(iterations + 1):
        current = [with_shape(f, found) for f in chosen]
        table = prior_predictive(config, current, n, seed + it)
        steps.append({"step": "uniform prior" if it == 0 else f"outside view, iteration {it}", **rates(table)})
        if it == iterations:
            break
        t = tilt(current, table)
        found = shapes(current, table, t)
        if progress:
            progress(
                f"outside view, iteration {it + 1}: tilt's effective sample {t.report['ess'].iloc[0]:.0f} of "
                f"{n}; {len(found)} knobs shaped"
            )
    report = pd.DataFrame(steps)
    reference = {"step": "reference classes", **{t.name: t.rate for t in TARGETS}}
    return found, pd.concat([pd.DataFrame([reference]), report], ignore_index=True)
