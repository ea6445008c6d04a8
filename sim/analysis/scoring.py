"""Proper scores of an ensemble forecast against resolved questions (Gneiting & Raftery,
*JASA* 102, 2007): what ``python -m sim.score`` computes.

A questions file (``conf/questions/``; the format is in ``docs/scoring.md``) asks, for
each question, either a **binary** question on a *day target* ("did it happen by day
``by_day``?") or a **quantity** (a day, or a count of events in a window of days). The
run's replicates are the forecast: the share of replicates in which the event happened
by ``by_day`` is the probability; their values are the ensemble of a quantity.

Every score is negatively oriented (smaller is better) and strictly proper (Gneiting &
Raftery, *JASA* 102, 2007): a forecaster minimises its expected score by saying what it
believes.

- Binary: the Brier score ``(p - y)^2`` (Brier, *Monthly Weather Review* 78, 1950) and
  the log score ``-ln p`` if it happened, ``-ln(1 - p)`` if not. The ensemble's share is
  clipped to ``[1/(2n), 1 - 1/(2n)]`` (``n`` replicates) for the log score only, so that
  an event no replicate produced costs a finite ``ln(2n)``.
- Quantity: the continuous ranked probability score (Matheson & Winkler, *Management
  Science* 22, 1976; Hersbach, *Weather and Forecasting* 15, 2000), of the ensemble's
  empirical distribution (``scoringrules.crps_ensemble``); the log score ``-ln`` of the
  ensemble's probability mass at the observed value, floored at ``1/(2n)``; and the
  probability integral transform (Gneiting, Balabdaoui & Raftery, *JRSS B* 69, 2007) in
  its mid-point form for a discrete forecast, ``F(v-) + P(X = v) / 2``.
- A day that had not come by day ``d`` (``resolution: {not_by_day: d}``, a censored
  observation) is scored by the censored likelihood ``-ln P(X > d)`` (Diks, Panchenko &
  van Dijk, *J. Econometrics* 163, 2011); its CRPS and PIT are not defined (NaN).

Each score is set against a reference forecast, a constant hazard ``base_rate`` a day:
for a day, the time to the first event is geometric on days 1, 2, ... (an exponential
discretised to days) and censored after the horizon as the run's days are; for a count,
Poisson with mean ``base_rate`` times the window's length. Skill is ``1 - score /
reference`` (larger is better; 0 = no better than the base rate; NaN when the
reference's score is 0).

Scores go to ``scores.csv`` and ``scores.json`` in ``RUN_DIR/scores/<questions file
name>/`` unless ``--out`` says otherwise: a run folder is complete when the files its
``manifest.json`` lists match it (``sim.run.folder.job_status``), so files added beside
them leave it complete.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ConfigError, UsageError
from ..core.events import STATE_FIRE
from .questions import DAY_TARGETS, NOT_TARGETS, STATE_FIRE_ALIAS, STATES, CountTarget, Question

#: Score columns of scores.csv, with their reference and skill columns.
SCORES = ("brier", "log", "crps")


@dataclass
class Run:
    """What the scores read from a run folder."""

    path: Path
    runs: pd.DataFrame  # sorted by replicate
    events: pd.DataFrame | None  # None: the run wrote no event log
    horizon: int
    start_date: str


def day_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in DAY_TARGETS if c in runs.columns]


def count_columns(runs: pd.DataFrame) -> list[str]:
    return [c for c in runs.columns if pd.api.types.is_integer_dtype(runs[c]) and c not in NOT_TARGETS]


def check_against_run(q: Question, run: Run) -> None:
    """What only the run can tell: the target exists, its days lie within the horizon."""
    h = run.horizon
    if isinstance(q.target, CountTarget):
        if q.target.to_day > h:
            raise ConfigError(
                f"question '{q.id}': its count's window ends on day {q.target.to_day}, beyond the run's "
                f"horizon ({h} days): the run did not simulate those days."
            )
        if run.events is None:
            raise UsageError(
                f"question '{q.id}' counts events, but {run.path} has no events.parquet (the run was made "
                "with its event log turned off, run.events=false): run it with the log, or leave the question out."
            )
    elif q.target in DAY_TARGETS:
        if q.target not in run.runs.columns:
            raise ConfigError(
                f"question '{q.id}': target '{q.target}' is not a column of {run.path / 'runs.parquet'} (its day "
                f"columns: {', '.join(day_columns(run.runs)) or 'none'})."
            )
    elif q.target not in count_columns(run.runs):
        raise ConfigError(
            f"question '{q.id}': unknown target '{q.target}'. A target is a day column of runs.parquet "
            f"({', '.join(day_columns(run.runs)) or 'none here'}), a count column "
            f"({', '.join(count_columns(run.runs)) or 'none here'}), or a count over the event log, "
            "{count: [TYPES], from_day: A, to_day: B}."
        )
    if q.by_day is not None and q.by_day > h:
        raise ConfigError(
            f"question '{q.id}': by_day {q.by_day} is beyond the run's horizon ({h} days): the run cannot "
            "say whether it happened by then."
        )
    if q.resolution and q.kind == "quantity" and not q.is_count and q.target in DAY_TARGETS:
        key, v = q.resolution
        if v > h:
            hint = "" if key == "not_by_day" else f" (use {{not_by_day: {h}}}: it had not happened by the horizon)"
            raise ConfigError(
                f"question '{q.id}': its resolution's {key} {v} is beyond the run's horizon ({h} days), where "
                f"every replicate is censored{hint}."
            )


def target_values(question: Question, runs: pd.DataFrame, events: pd.DataFrame | None, horizon: int) -> np.ndarray:
    """The target in each replicate (in the order of ``runs``), as floats.

    A day that did not come within the horizon (NaN) is ``horizon + 1``: the forecast of
    a day is censored at the horizon. A count over the event log counts the events of the
    named types on days ``from_day`` to ``to_day`` (with the named actors or detail; the
    ``state_fire`` alias only between the two states), or the days with one.
    """
    t = question.target
    if not isinstance(t, CountTarget):
        values = runs[t].to_numpy(dtype=float)
        if t in DAY_TARGETS:
            values = np.where(np.isnan(values), horizon + 1.0, values)
        return values
    if events is None:
        raise UsageError(f"question '{question.id}' counts events, but the run has no event log.")
    e = events
    in_window = (e["day"] >= t.from_day) & (e["day"] <= t.to_day)
    plain = [x for x in t.types if x != STATE_FIRE_ALIAS]
    chosen = e["event_type"].isin(plain)
    if STATE_FIRE_ALIAS in t.types:
        chosen |= (
            e["event_type"].isin(STATE_FIRE)
            & e["actor1"].isin(STATES)
            & e["actor2"].isin(STATES)
            & (e["actor1"] != e["actor2"])
        )
    mask = in_window & chosen
    for key in ("actor1", "actor2", "detail"):
        if (want := getattr(t, key)) is not None:
            mask &= e[key] == want
    if t.min_fatalities:
        mask &= e["fatalities"] >= t.min_fatalities
    hits = e.loc[mask.fillna(False).astype(bool), ["replicate", "day"]]
    per = hits.groupby("replicate")["day"].nunique() if t.distinct_days else hits.groupby("replicate").size()
    return per.reindex(runs["replicate"].to_numpy(), fill_value=0).to_numpy(dtype=float)


def brier_score(p: float, y: bool) -> float:
    """Brier (1950): ``(p - y)^2`` for a probability ``p`` of an event that happened (y) or not."""
    return (float(p) - float(bool(y))) ** 2


def log_score_binary(p: float, y: bool) -> float:
    """The log score of a probability: ``-ln p`` if the event happened, ``-ln(1 - p)`` if
    not (Gneiting & Raftery 2007); infinite for a certainty that was wrong."""
    q = float(p) if y else 1.0 - float(p)
    return math.inf if q <= 0 else 0.0 - math.log(q)


def clip_probability(p: float, n: int) -> float:
    """An ensemble's share of ``n`` members kept within ``[1/(2n), 1 - 1/(2n)]`` (for the
    log score only): no outcome is certain on a finite ensemble."""
    eps = 1.0 / (2 * n)
    return min(max(float(p), eps), 1.0 - eps)


def crps_ensemble(values: np.ndarray, obs: float) -> float:
    """The CRPS of the ensemble's empirical distribution (Matheson & Winkler 1976; Hersbach
    2000): ``E|X - v| - E|X - X'| / 2``, by ``scoringrules.crps_ensemble``."""
    import scoringrules as sr

    return float(sr.crps_ensemble(float(obs), np.asarray(values, dtype=float), backend="numpy"))


def log_score_ensemble(values: np.ndarray, obs: float) -> float:
    """``-ln`` of the ensemble's mass at ``obs``, floored at ``1/(2n)``."""
    values = np.asarray(values, dtype=float)
    mass = float(np.mean(values == obs))
    return 0.0 - math.log(max(mass, 1.0 / (2 * len(values))))  # 0.0, not -0.0, for a certainty


def censored_log_score_ensemble(values: np.ndarray, day: float) -> float:
    """The censored likelihood score of "not by ``day``": ``-ln P(X > day)`` (Diks,
    Panchenko & van Dijk 2011), the ensemble's share floored at ``1/(2n)``."""
    values = np.asarray(values, dtype=float)
    share = float(np.mean(values > day))
    return 0.0 - math.log(max(share, 1.0 / (2 * len(values))))


def pit_ensemble(values: np.ndarray, obs: float) -> float:
    """The mid-point probability integral transform of a discrete forecast: ``F(v-) +
    P(X = v) / 2`` (Gneiting, Balabdaoui & Raftery 2007); uniform on (0, 1) over many
    questions if the forecasts are calibrated."""
    values = np.asarray(values, dtype=float)
    return float(np.mean(values < obs) + 0.5 * np.mean(values == obs))


def crps_discrete(support: np.ndarray, pmf: np.ndarray, obs: int) -> float:
    """The exact CRPS of a distribution on consecutive integers ``support`` (probabilities
    ``pmf``) at an integer ``obs``: ``sum_k (F(k) - 1{k >= obs})^2`` over every integer k
    where the two differ (F is a step function, constant on each [k, k+1))."""
    support = np.asarray(support, dtype=int)
    cdf = np.cumsum(np.asarray(pmf, dtype=float))
    lo, hi = min(int(support[0]), obs), max(int(support[-1]), obs)
    ks = np.arange(lo, hi)  # F(k) - 1{k >= obs} is 0 at and beyond max(support end, obs)
    idx = ks - int(support[0])
    f = np.where(idx < 0, 0.0, cdf[np.clip(idx, 0, len(cdf) - 1)])
    return float(np.sum((f - (ks >= obs)) ** 2))


def geometric_pmf(rate: float, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """The reference forecast of a day: a constant hazard ``rate`` a day, the first event
    on day k = 1, 2, ... with ``P(T = k) = exp(-rate (k-1)) - exp(-rate k)``, censored
    after the horizon like the run's days (``P(T = horizon + 1) = exp(-rate horizon)``)."""
    k = np.arange(1, horizon + 2)
    survive = np.exp(-rate * (k - 1))
    pmf = survive * -np.expm1(-rate)
    pmf[-1] = math.exp(-rate * horizon)
    return k, pmf


def skill(score: float, reference: float) -> float:
    """``1 - score / reference``: 1 is perfect, 0 no better than the reference, negative
    worse (NaN when the reference scores 0 or either is missing)."""
    if not (np.isfinite(reference) and reference != 0) or np.isnan(score):
        return math.nan
    return 1.0 - score / reference


def _blank() -> dict[str, float]:
    row = {k: math.nan for k in SCORES}
    row.update({f"ref_{k}": math.nan for k in SCORES})
    row["pit"] = math.nan
    return row


def score_binary(q: Question, values: np.ndarray) -> dict[str, Any]:
    n = len(values)
    p = float(np.mean(values <= q.by_day))
    row: dict[str, Any] = {"forecast_p": p, **_blank()}
    ref_p = -math.expm1(-q.base_rate * q.by_day) if q.base_rate else math.nan
    row["ref_forecast"] = ref_p
    if q.resolution is None:
        return {**row, "status": "unresolved", "note": "no resolution yet"}
    key, v = q.resolution
    if key == "not_by_day" and v < q.by_day:
        return {
            **row,
            "status": "unresolved",
            "note": f"known only not to have happened by day {v}, before by_day {q.by_day}",
        }
    y = key == "value" and v <= q.by_day
    row.update(
        status="scored", outcome=float(y), brier=brier_score(p, y), log=log_score_binary(clip_probability(p, n), y)
    )
    if q.base_rate:
        # log(1 - ref_p) = -rate * by_day exactly, however small 1 - ref_p
        row.update(ref_brier=brier_score(ref_p, y), ref_log=-math.log(ref_p) if y else q.base_rate * q.by_day)
    row["note"] = ""
    return row


def score_quantity(q: Question, values: np.ndarray, horizon: int) -> dict[str, Any]:
    from scipy import stats

    q05, median, q95 = np.quantile(values, [0.05, 0.5, 0.95], method="inverted_cdf")
    row: dict[str, Any] = {"forecast_median": median, "forecast_q05": q05, "forecast_q95": q95, **_blank()}
    r = q.base_rate
    if q.is_count or q.target not in DAY_TARGETS:
        days = q.target.days if isinstance(q.target, CountTarget) else horizon
        mean = r * days if r else math.nan
        row["ref_forecast"] = mean
        reference = "poisson"
    else:
        row["ref_forecast"] = 1.0 / -math.expm1(-r) if r else math.nan  # mean of the uncensored geometric
        reference = "geometric"
    if q.resolution is None:
        return {**row, "status": "unresolved", "note": "no resolution yet"}
    key, v = q.resolution
    row["status"] = "scored"
    if key == "not_by_day":
        row.update(
            outcome=math.nan,
            log=censored_log_score_ensemble(values, v),
            note=f"censored: not by day {v}; log score -ln P(X > {v}) only, CRPS and PIT undefined",
        )
        if r:
            row["ref_log"] = r * v  # P(T > v) = exp(-rate v)
        return row
    row.update(
        outcome=float(v),
        crps=crps_ensemble(values, v),
        log=log_score_ensemble(values, v),
        pit=pit_ensemble(values, v),
        note="",
    )
    if r:
        if reference == "poisson":
            import scoringrules as sr

            mean = row["ref_forecast"]
            row["ref_crps"] = float(sr.crps_poisson(v, mean, backend="numpy"))
            row["ref_log"] = float(-stats.poisson.logpmf(v, mean))
        else:
            k, pmf = geometric_pmf(r, horizon)
            row["ref_crps"] = crps_discrete(k, pmf, v)
            row["ref_log"] = -math.log(pmf[v - 1]) if v >= 1 else math.inf
    return row


def score_question(q: Question, run: Run) -> dict[str, Any]:
    """One question's forecast, resolution, scores, reference scores and skill."""
    values = target_values(q, run.runs, run.events, run.horizon)
    row = score_binary(q, values) if q.kind == "binary" else score_quantity(q, values, run.horizon)
    for k in SCORES:
        row[f"skill_{k}"] = skill(row[k], row[f"ref_{k}"])
    start = dt.date.fromisoformat(run.start_date)
    by_date = (start + dt.timedelta(days=q.by_day)).isoformat() if q.by_day is not None else ""
    resolution = "" if q.resolution is None else f"{q.resolution[0]}={q.resolution[1]}"
    head = {
        "id": q.id,
        "kind": q.kind,
        "target": q.target_name,
        "by_day": q.by_day,
        "by_date": by_date,
        "resolution": resolution,
        "base_rate": q.base_rate,
        "replicates": len(values),
    }
    return {**head, **row, "text": q.text, "source": q.source}


COLUMNS = (
    "id",
    "kind",
    "status",
    "target",
    "by_day",
    "by_date",
    "resolution",
    "outcome",
    "forecast_p",
    "forecast_median",
    "forecast_q05",
    "forecast_q95",
    "brier",
    "log",
    "crps",
    "pit",
    "base_rate",
    "ref_forecast",
    "ref_brier",
    "ref_log",
    "ref_crps",
    "skill_brier",
    "skill_log",
    "skill_crps",
    "replicates",
    "note",
    "text",
    "source",
)


def mean_scores(frame: pd.DataFrame) -> dict[str, Any]:
    """Each score averaged over the resolved questions that have it, with the reference's
    average over the same questions and the skill of the averages, ``1 - mean / mean ref``."""
    out: dict[str, Any] = {}
    scored = frame[frame["status"] == "scored"]
    for k in SCORES:
        both = scored[[k, f"ref_{k}"]].dropna()
        has = scored[k].dropna()
        out[k] = {
            "questions": len(has),
            "mean": float(has.mean()) if len(has) else None,
            "questions_with_reference": len(both),
            "mean_with_reference": float(both[k].mean()) if len(both) else None,
            "reference_mean": float(both[f"ref_{k}"].mean()) if len(both) else None,
            "skill": skill(both[k].mean(), both[f"ref_{k}"].mean()) if len(both) else None,
        }
    out["scored"] = len(scored)
    out["unresolved"] = int((frame["status"] == "unresolved").sum())
    return out


def score_frame(questions: list[Question], run: Run, description: str = "") -> pd.DataFrame:
    """Every question scored on ``run``: one row a question (:data:`COLUMNS`), unresolved
    ones included with status "unresolved"; each question first checked against the run."""
    for q in questions:
        check_against_run(q, run)
    frame = pd.DataFrame([score_question(q, run) for q in questions])
    frame = frame.reindex(columns=list(COLUMNS))
    frame["by_day"] = frame["by_day"].astype("Int64")  # blank for a quantity, not 17.0 for a binary
    frame.attrs.update(
        horizon=run.horizon, start_date=run.start_date, replicates=len(run.runs), description=description
    )
    return frame
