"""Forecast questions: the questions file's format, read and checked (``conf/questions/``;
the format is in ``docs/scoring.md``).

A questions file asks, for each question, either a **binary** question on a *day target*
("did it happen by day ``by_day``?") or a **quantity** (a day, or a count of events in a
window of days); each may carry its resolution (what happened) and a reference base rate.
:func:`load_questions` reads one, or raises :class:`ConfigError` naming the question and
the key. The vocabulary of counts is the event log's (sim/core/events.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..core.errors import ConfigError, UsageError
from ..core.events import ACTORS, EVENT_TYPES
from ..core.events import STATES as STATES_SET

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
    return parse_file(path)[1]


def parse_file(path: Path) -> tuple[str, list[Question]]:
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
