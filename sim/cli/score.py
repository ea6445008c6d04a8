"""``python -m sim.score RUN_DIR QUESTIONS.yaml [--out DIR]``: a finished run scored
against resolved forecast questions with proper scoring rules.

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

import argparse
import datetime as dt
import hashlib
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..core.errors import EXIT_USER_ERROR, ConfigError, UsageError
from ..core.events import ACTORS, EVENT_TYPES, STATE_FIRE
from ..core.events import STATES as STATES_SET
from ..core.io import read_parquet, write_csv, write_json
from ..run.folder import MANIFEST, RUN_MARK, SCORES_DIR, check_out_dir, job_status

# --------------------------------------------------------------------------- vocabulary
# The event log's vocabulary (sim/core/events.py).
STATES = tuple(sorted(STATES_SET))
#: A count may name this instead of the three types: fire between the two states' forces,
#: the rule of the violation definition (both actors states, not the same one).
STATE_FIRE_ALIAS = "state_fire"

#: runs.parquet columns that hold a day (NaN: not within the horizon).
DAY_TARGETS = (
    "violation_day",
    "breakdown_day",
    "renunciation_day",
    "first_breakdown_day",
    "first_reopen_day",
    "trade_days_to_50",
    "trade_days_to_90",
    "mvm_operational_day",
)
#: Integer columns of runs.parquet that are not counts of events.
NOT_TARGETS = ("replicate", "seed", "parameter_row", "truce_days", "job")

KINDS = ("binary", "quantity")
QUESTION_KEYS = ("id", "text", "target", "kind", "by_day", "resolution", "base_rate", "source")
COUNT_KEYS = ("count", "from_day", "to_day", "actor1", "actor2", "detail", "min_fatalities", "distinct_days")
RESOLUTION_KEYS = ("value", "not_by_day")
FILE_KEYS = ("description", "questions")

#: A questions file to show in a message.
EXAMPLE = "conf/questions/record_to_5nov.yaml"
#: Score columns of scores.csv, with their reference and skill columns.
SCORES = ("brier", "log", "crps")


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class CountTarget:
    """Events of the named types on days ``from_day`` to ``to_day`` (inclusive), optionally
    only those with the given actors or detail or with at least ``min_fatalities`` deaths;
    ``distinct_days``: days with such an event."""

    types: tuple[str, ...]
    from_day: int
    to_day: int
    actor1: str | None = None
    actor2: str | None = None
    detail: str | None = None
    min_fatalities: int = 0
    distinct_days: bool = False

    @property
    def days(self) -> int:
        return self.to_day - self.from_day + 1

    def describe(self) -> str:
        what = "+".join(self.types)
        extra = [f"{k}={v}" for k in ("actor1", "actor2", "detail") if (v := getattr(self, k)) is not None]
        if self.min_fatalities:
            extra.append(f"fatalities>={self.min_fatalities}")
        unit = "days with " if self.distinct_days else ""
        return f"{unit}{what}{' [' + ', '.join(extra) + ']' if extra else ''} on days {self.from_day}-{self.to_day}"


@dataclass(frozen=True)
class Question:
    """One forecast question. ``target`` is a runs.parquet column or a :class:`CountTarget`;
    ``resolution`` is ``None`` (unresolved), ``("value", v)`` or ``("not_by_day", d)``."""

    id: str
    kind: str
    target: str | CountTarget
    text: str = ""
    by_day: int | None = None
    resolution: tuple[str, int] | None = None
    base_rate: float | None = None
    source: str = ""

    @property
    def is_count(self) -> bool:
        return isinstance(self.target, CountTarget)

    @property
    def target_name(self) -> str:
        return self.target.describe() if isinstance(self.target, CountTarget) else self.target


def _where(qid: str | None) -> str:
    return f"question '{qid}'" if qid else "a question"


def _int(value: Any, what: str, qid: str | None, low: int = 0) -> int:
    """A whole number >= low (YAML's true/false are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"{_where(qid)}: {what} must be a whole number >= {low}, not {value!r}.")
    return value


def _unknown(keys: Sequence[str], allowed: Sequence[str], what: str, qid: str | None) -> None:
    extra = [k for k in keys if k not in allowed]
    if extra:
        raise ConfigError(
            f"{_where(qid)}: unknown key{'s' if len(extra) > 1 else ''} {', '.join(repr(str(k)) for k in extra)} "
            f"in {what}; allowed: {', '.join(allowed)}."
        )


def _count_target(data: dict, qid: str) -> CountTarget:
    _unknown(list(data), COUNT_KEYS, "its count target", qid)
    for key in ("from_day", "to_day"):
        if key not in data:
            raise ConfigError(f"question '{qid}': a count target needs {key} (the window of days, inclusive).")
    types = data["count"]
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list) or not types or not all(isinstance(t, str) for t in types):
        raise ConfigError(f"question '{qid}': count must be a list of event types, not {data['count']!r}.")
    for t in types:
        if t not in (*EVENT_TYPES, STATE_FIRE_ALIAS):
            raise ConfigError(
                f"question '{qid}': unknown event type '{t}' in count; the event log's types are "
                f"{', '.join(EVENT_TYPES)} (or {STATE_FIRE_ALIAS}: the first three, between the two states)."
            )
    from_day = _int(data["from_day"], "from_day", qid)
    to_day = _int(data["to_day"], "to_day", qid)
    if to_day < from_day:
        raise ConfigError(f"question '{qid}': the count's window is empty (from_day {from_day} > to_day {to_day}).")
    named: dict[str, Any] = {}
    for key in ("actor1", "actor2"):
        value = data.get(key)
        if value is not None and value not in ACTORS:
            raise ConfigError(f"question '{qid}': {key} '{value}' is not an actor; the actors are {', '.join(ACTORS)}.")
        named[key] = value
    detail = data.get("detail")
    if detail is not None and not isinstance(detail, str):
        raise ConfigError(f"question '{qid}': detail must be text (e.g. agreed), not {detail!r}.")
    distinct = data.get("distinct_days", False)
    if not isinstance(distinct, bool):
        raise ConfigError(f"question '{qid}': distinct_days must be true or false, not {distinct!r}.")
    least = _int(data.get("min_fatalities", 0), "min_fatalities", qid)
    return CountTarget(
        tuple(dict.fromkeys(types)),
        from_day,
        to_day,
        detail=detail,
        min_fatalities=least,
        distinct_days=distinct,
        **named,
    )


def _resolution(value: Any, qid: str) -> tuple[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ConfigError(
            f"question '{qid}': resolution must be a mapping, {{value: V}} or {{not_by_day: D}}, or null "
            f"(unresolved), not {value!r}."
        )
    _unknown(list(value), RESOLUTION_KEYS, "its resolution", qid)
    if len(value) != 1:
        raise ConfigError(
            f"question '{qid}': resolution must hold exactly one of value or not_by_day, not {len(value)} keys "
            "(write null, or leave it out, for a question not yet resolved)."
        )
    key, v = next(iter(value.items()))
    return key, _int(v, f"resolution's {key}", qid)


def parse_question(data: Any, index: int) -> Question:
    """One entry of the questions list, checked."""
    if not isinstance(data, dict):
        raise ConfigError(f"question {index + 1} of the list is not a mapping (id: ..., target: ..., kind: ...).")
    qid = data.get("id")
    if not isinstance(qid, str) or not qid.strip() or any(c.isspace() for c in qid):
        raise ConfigError(f"question {index + 1} of the list needs an id: a name without spaces, not {qid!r}.")
    _unknown(list(data), QUESTION_KEYS, "the question", qid)
    for key in ("target", "kind"):
        if key not in data:
            raise ConfigError(f"question '{qid}': {key} is missing.")
    kind = data["kind"]
    if kind not in KINDS:
        raise ConfigError(f"question '{qid}': kind must be one of {', '.join(KINDS)}, not {kind!r}.")
    raw = data["target"]
    if isinstance(raw, dict):
        if "count" not in raw:
            raise ConfigError(
                f"question '{qid}': a target mapping must be a count over the event log, {{count: [TYPES], "
                "from_day: A, to_day: B}}; it has no count."
            )
        target: str | CountTarget = _count_target(raw, qid)
    elif isinstance(raw, str) and raw:
        target = raw
    else:
        raise ConfigError(
            f"question '{qid}': target must be a runs.parquet column (e.g. violation_day) or a count, "
            f"{{count: [TYPES], from_day: A, to_day: B}}, not {raw!r}."
        )
    by_day = data.get("by_day")
    if kind == "binary":
        if isinstance(target, CountTarget) or target not in DAY_TARGETS:
            shown = target.describe() if isinstance(target, CountTarget) else target
            raise ConfigError(
                f"question '{qid}': a binary question asks whether a day came by by_day, so its target must be "
                f"a day ({', '.join(DAY_TARGETS)}), not {shown}. Ask a count as a quantity question."
            )
        if by_day is None:
            raise ConfigError(f"question '{qid}': a binary question needs by_day (the day it asks about).")
        by_day = _int(by_day, "by_day", qid, low=1)
    elif by_day is not None:
        raise ConfigError(
            f"question '{qid}': by_day belongs to binary questions; a quantity question forecasts the "
            "value itself (leave by_day out)."
        )
    resolution = _resolution(data.get("resolution"), qid)
    if resolution and resolution[0] == "not_by_day" and (isinstance(target, CountTarget) or target not in DAY_TARGETS):
        raise ConfigError(
            f"question '{qid}': not_by_day resolves a day that had not come; its target is a count, so "
            "give its value ({value: N})."
        )
    base_rate = data.get("base_rate")
    if base_rate is not None:
        if isinstance(base_rate, bool) or not isinstance(base_rate, int | float) or not 0 < base_rate < math.inf:
            raise ConfigError(
                f"question '{qid}': base_rate must be a positive number (events a day), or null for no "
                f"reference forecast, not {base_rate!r}."
            )
        base_rate = float(base_rate)
    text, source = data.get("text", ""), data.get("source", "")
    for key, value in (("text", text), ("source", source)):
        if not isinstance(value, str):
            raise ConfigError(f"question '{qid}': {key} must be text, not {value!r}.")
    return Question(qid, kind, target, text.strip(), by_day, resolution, base_rate, source.strip())


def load_questions(path: Path | str) -> list[Question]:
    """The questions of a questions file, checked (a mistake: :class:`ConfigError`, one
    paragraph naming the question; a missing file: :class:`UsageError`)."""
    path = Path(path)
    return _parse_file(path)[1]


def _parse_file(path: Path) -> tuple[str, list[Question]]:
    if path.is_dir():
        raise UsageError(f"questions file '{path}' is a folder; give a questions file (YAML), e.g. {EXAMPLE}.")
    if not path.is_file():
        raise UsageError(f"questions file '{path}' does not exist.")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"questions file '{path}' is not UTF-8 text (byte {err.start}: {err.reason}); save it as UTF-8."
        ) from None
    except yaml.YAMLError as err:
        raise ConfigError(f"questions file '{path}' is not valid YAML: {' '.join(str(err).split())}") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"questions file '{path}' must be a mapping with a 'questions' list (and an optional "
            f"'description'), not {type(data).__name__}."
        )
    _unknown(list(data), FILE_KEYS, f"questions file '{path}'", None)
    items = data.get("questions")
    if not isinstance(items, list) or not items:
        raise ConfigError(f"questions file '{path}': 'questions' must be a non-empty list of questions.")
    description = data.get("description") or ""
    if not isinstance(description, str):
        raise ConfigError(f"questions file '{path}': description must be text.")
    questions = [parse_question(item, i) for i, item in enumerate(items)]
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise ConfigError(f"question '{q.id}' appears twice in '{path}'; ids must be unique.")
        seen.add(q.id)
    return description.strip(), questions


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    """What the scores read from a run folder."""

    path: Path
    runs: pd.DataFrame  # sorted by replicate
    events: pd.DataFrame | None  # None: the run wrote no event log
    horizon: int
    start_date: str


def load_run(run_dir: Path | str, need_events: bool = True) -> Run:
    """A finished run folder (``UsageError`` if it is missing, unfinished or not one)."""
    path = Path(run_dir)
    if not path.is_dir():
        raise UsageError(f"run folder '{path}' does not exist.")
    for name in ("runs.parquet", "config.yaml"):
        if not (path / name).is_file():
            raise UsageError(
                f"'{path}' is not a run folder: it has no {name}. Give the folder a 'python -m sim' run wrote "
                "(for a sweep, one job's folder)."
            )
    if (path / MANIFEST).exists() or (path / RUN_MARK).exists():
        status, reason = job_status(path)
        if status != "complete":
            raise UsageError(f"run folder '{path}' is not complete ({status}: {reason}); run it to the end first.")
    try:
        config = yaml.safe_load((path / "config.yaml").read_text())
        horizon = config["run"]["horizon_days"]
        start_date = str(config["scenario"]["start_date"])
        dt.date.fromisoformat(start_date)
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as err:
        raise UsageError(
            f"{path / 'config.yaml'} does not give run.horizon_days and scenario.start_date ({err!r})."
        ) from None
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise UsageError(f"{path / 'config.yaml'}: run.horizon_days is {horizon!r}, not a whole number of days.")
    runs = read_parquet(path / "runs.parquet")
    if "job" in runs.columns:
        raise UsageError(
            f"'{path}' holds a sweep's runs.parquet (one row per job and replicate): score each job's folder."
        )
    if "replicate" not in runs.columns or runs.empty:
        raise UsageError(f"{path / 'runs.parquet'} has no replicates.")
    runs = runs.sort_values("replicate", kind="stable").reset_index(drop=True)
    events = read_parquet(path / "events.parquet") if need_events and (path / "events.parquet").is_file() else None
    return Run(path, runs, events, int(horizon), start_date)


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


# --------------------------------------------------------------------------- scores (pure)


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


# --------------------------------------------------------------------------- scoring a question


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


def score_run(run_dir: Path | str, questions_path: Path | str) -> pd.DataFrame:
    """Every question of ``questions_path`` scored on the run in ``run_dir``: one row a
    question (:data:`COLUMNS`), unresolved ones included with status "unresolved"."""
    description, questions = _parse_file(Path(questions_path))
    run = load_run(run_dir, need_events=any(q.is_count for q in questions))
    for q in questions:
        check_against_run(q, run)
    frame = pd.DataFrame([score_question(q, run) for q in questions])
    frame = frame.reindex(columns=list(COLUMNS))
    frame["by_day"] = frame["by_day"].astype("Int64")  # blank for a quantity, not 17.0 for a binary
    frame.attrs.update(
        horizon=run.horizon, start_date=run.start_date, replicates=len(run.runs), description=description
    )
    return frame


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


# --------------------------------------------------------------------------- output


def _num(x: Any, fmt: str = ".3f") -> str:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return "inf" if isinstance(x, float) and x == math.inf else "-"
    return format(x, fmt)


def _day(x: float, horizon: int) -> str:
    return f">{horizon}" if x > horizon else f"{x:g}"


def describe(frame: pd.DataFrame, means: dict[str, Any], run_dir: Path, questions_path: Path, out: Path) -> str:
    horizon = frame.attrs["horizon"]
    rows = []
    for _, r in frame.iterrows():
        if r["kind"] == "binary":
            forecast = f"p={r['forecast_p']:.3f}"
            resolved = "yes" if r["outcome"] == 1 else "no"
        else:
            day = r["target"] in DAY_TARGETS
            fmt = (lambda x: _day(x, horizon)) if day else (lambda x: f"{x:g}")
            forecast = f"{fmt(r['forecast_median'])} [{fmt(r['forecast_q05'])}, {fmt(r['forecast_q95'])}]"
            resolved = f"{r['outcome']:g}" if np.isfinite(r["outcome"]) else ""
        if r["status"] == "unresolved":
            resolved = "unresolved"
        elif r["resolution"].startswith("not_by_day"):
            resolved = f"not by {r['resolution'].split('=')[1]}" + (f" ({resolved})" if r["kind"] == "binary" else "")
        rows.append(
            [
                r["id"],
                r["kind"],
                forecast,
                resolved,
                _num(r["brier"]),
                _num(r["log"]),
                _num(r["crps"], ".2f"),
                _num(r["pit"], ".2f"),
                _num(r["ref_brier"]),
                _num(r["ref_log"]),
                _num(r["ref_crps"], ".2f"),
                _num(r["skill_brier"], "+.2f"),
                _num(r["skill_log"], "+.2f"),
                _num(r["skill_crps"], "+.2f"),
            ]
        )
    head = [
        "question",
        "kind",
        "forecast",
        "resolved",
        "Brier",
        "log",
        "CRPS",
        "PIT",
        "ref Brier",
        "ref log",
        "ref CRPS",
        "skill B",
        "skill log",
        "skill CRPS",
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]

    def line(cells: list[str]) -> str:  # the first four columns left-aligned, the scores right-aligned
        return "  ".join(
            c.ljust(w) if i < 4 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    n = frame.attrs["replicates"]
    lines = [
        f"Scores of {run_dir} ({n} replicates, horizon {horizon} days from {frame.attrs['start_date']}) "
        f"against {questions_path}",
        "Scores are negatively oriented (smaller is better); skill = 1 - score / reference (larger is better; "
        "reference: a constant hazard of base_rate a day). Quantity forecasts: median [90% interval].",
        "",
        "  " + line(head),
    ]
    lines += ["  " + line(r) for r in rows]
    lines.append("")
    parts = []
    for k, label in (("brier", "Brier"), ("log", "log"), ("crps", "CRPS")):
        m = means[k]
        if m["questions"]:
            text = f"{label} {m['mean']:.3f} ({m['questions']} q.)"
            if m["questions_with_reference"]:
                text += f", skill {_num(m['skill'], '+.2f')} against the reference"
            parts.append(text)
    lines.append(
        f"Mean over the {means['scored']} resolved questions: "
        + ("; ".join(parts) if parts else "none")
        + (f". Unresolved (not scored): {means['unresolved']}." if means["unresolved"] else ".")
    )
    for _, r in frame.iterrows():
        if r["note"]:
            lines.append(f"  {r['id']}: {r['note']}")
    lines.append(f"Written: {out / 'scores.csv'}, {out / 'scores.json'}")
    return "\n".join(lines)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None if np.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def default_out(run_dir: Path, questions_path: Path) -> Path:
    """``RUN_DIR/scores/<questions file stem>``: the run folder stays complete (its
    manifest lists its own files only), and a run that replaces it clears stale scores."""
    return run_dir / SCORES_DIR / questions_path.stem


def write_scores(frame: pd.DataFrame, out: Path, run_dir: Path, questions_path: Path) -> dict[str, Any]:
    """scores.csv (one row a question) and scores.json (the same, the means, and which run
    and which questions file, by its sha256)."""
    out.mkdir(parents=True, exist_ok=True)
    means = mean_scores(frame)
    write_csv(frame, out / "scores.csv")
    report = {
        "run_dir": str(run_dir.resolve()),
        "questions_file": str(questions_path.resolve()),
        "questions_sha256": hashlib.sha256(questions_path.read_bytes()).hexdigest(),
        "description": frame.attrs.get("description", ""),
        "replicates": frame.attrs.get("replicates"),
        "horizon_days": frame.attrs.get("horizon"),
        "start_date": frame.attrs.get("start_date"),
        "orientation": "scores: smaller is better; skill = 1 - score / reference: larger is better",
        "means": means,
        "questions": frame.to_dict(orient="records"),
    }
    write_json(_jsonable(report), out / "scores.json")
    return means


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.score",
        description="Score a finished run against resolved forecast questions (Brier, log score, CRPS, PIT, "
        "and skill against a constant-hazard reference). Writes scores.csv and scores.json. Exit 0, or 2 for "
        "a mistake in the questions file or a run folder that is missing or unfinished. docs/scoring.md "
        "describes the questions file.",
    )
    parser.add_argument("run_dir", type=Path, help="a run folder (python -m sim wrote it)")
    parser.add_argument("questions", type=Path, help="a questions file, e.g. conf/questions/record_to_5nov.yaml")
    parser.add_argument(
        "--out",
        type=Path,
        help=f"the folder for scores.csv and scores.json (default: RUN_DIR/{SCORES_DIR}/<questions file stem>)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    try:
        frame = score_run(args.run_dir, args.questions)
        out = args.out or default_out(args.run_dir, args.questions)
        check_out_dir(out, "--out")
        means = write_scores(frame, out, args.run_dir, args.questions)
    except (ConfigError, UsageError) as err:
        kind = "configuration error" if isinstance(err, ConfigError) else "error"
        print(f"ceasefire-sim: {kind}: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    if not args.quiet:
        print(describe(frame, means, args.run_dir, args.questions, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
