"""The record to 5 November 2025 as data, and the summary statistics that read it and the
model's event log one way.

The record is two files in ``docs/context/``:

* ``record.csv``: the events of 12 October to 5 November 2025 in the event log's own
  schema (sim/core/events.py), each with its source and a partisan flag: the closure of every
  crossing, the Doha ceasefire, Istanbul round 2 (a text in principle), the significant militant
  attacks, the people-only openings of Chaman and Torkham; no fire between the two
  states' forces (record-to-5nov.md sec. 1: "No exchange of fire between Pakistani and
  Afghan state forces was reported in the window").
* ``record_counts.csv``: counts over a period that no event list gives (PICSS's monthly
  count of militant attacks and their deaths, October 2025), each with its source.

:func:`statistics` computes the summary statistics from a list of
:class:`sim.core.events.Event` with the coding rules of sim/core/events.py, whether the events are
a replicate's log or the record's rows. Two kinds:

* **facts** (:data:`FACTS`): what the record states outright, matched exactly by an
  accepted history: days with fire between the states, renunciations, rounds that broke
  down, rounds that agreed a text in principle (round 2) and modalities (none), reopenings
  for trade;
* **counts** (:data:`COUNTS`): what the record measures with noise, matched within a
  tolerance: militant attacks and their deaths a week, significant attacks (10 or more
  killed: record-to-5nov.md sec. 5), and a significant attack on 24-25 October.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..core import events as ev
from ..core.errors import ConfigError
from .record_file import read_counts_file, read_record_file

CONTEXT = Path(__file__).resolve().parents[2] / "docs" / "context"
RECORD_CSV = CONTEXT / "record.csv"
COUNTS_CSV = CONTEXT / "record_counts.csv"
#: Day 0 of the record: the Doha ceasefire, 19 October 2025.
START_DATE = dt.date(2025, 10, 19)
#: 5 November 2025, the day before Istanbul round 3: the last day of the record.
RECORD_DAY = 17
#: The first day the statistics read (day 0 is the ceasefire itself, an initial condition).
FIRST_DAY = 1
#: 24-25 October 2025: the groups stopped at Ghaki and Spinwam (Dawn, 27 Oct).
INCIDENT_DAYS = (5, 6)
#: An attack with this many killed or more is significant (record-to-5nov.md sec. 5:
#: about 7 such attacks in 2024 of 521).
SIGNIFICANT_DEATHS = 10

#: Statistics matched exactly: yes/no facts and small counts the record states outright.
FACTS = (
    "state_fire_days",
    "renunciations",
    "rounds_failed",
    "principle_agreed",
    "modalities_agreed",
    "trade_reopenings",
)
#: Statistics matched within a tolerance (a distance scaled by their spread).
COUNTS = ("attacks_per_week", "attack_deaths_per_week", "significant_attacks", "significant_attacks_24_25_oct")
STATISTICS = (*FACTS, *COUNTS)
LABELS = {
    "state_fire_days": "days with fire between the states",
    "renunciations": "renunciations of the truce",
    "rounds_failed": "rounds that broke down",
    "principle_agreed": "rounds that agreed a text in principle",
    "modalities_agreed": "rounds that agreed modalities",
    "trade_reopenings": "crossings reopened for trade",
    "attacks_per_week": "militant attacks a week",
    "attack_deaths_per_week": "deaths in militant attacks a week",
    "significant_attacks": "attacks with 10+ killed",
    "significant_attacks_24_25_oct": "attacks with 10+ killed on 24-25 Oct",
}


@dataclass(frozen=True)
class Rates:
    """Counts over a period from a source that lists no events (per day)."""

    attacks_per_day: float
    deaths_per_day: float


def _outcome(e: ev.Event) -> str:
    """What an event's detail says before any explanation (the record's rows add one after
    a colon: "principle: Pakistan called round 2 failed ...")."""
    return (e.detail or "").split(":", 1)[0].strip()


def _in_window(events: Iterable[ev.Event], first: int, last: int) -> list[ev.Event]:
    return [e for e in events if first <= e.day <= last]


def statistics(events: Iterable[ev.Event], last_day: int = RECORD_DAY, rates: Rates | None = None) -> dict[str, float]:
    """The summary statistics of days ``FIRST_DAY``..``last_day`` of an event log (the
    model's or the record's). Attacks and their deaths a week come from the log's militant
    attacks, or from ``rates`` when the source counts them without listing them (the
    record: PICSS's monthly count)."""
    window = _in_window(events, FIRST_DAY, last_day)
    days = last_day - FIRST_DAY + 1
    attacks = [e for e in window if e.event_type == ev.MILITANT_ATTACK]
    significant = [e for e in attacks if e.fatalities >= SIGNIFICANT_DEATHS]
    rounds = [_outcome(e) for e in window if e.event_type == ev.TALKS_ROUND]
    if rates is None:
        rates = Rates(len(attacks) / days, sum(e.fatalities for e in attacks) / days)
    return {
        "state_fire_days": float(ev.state_fire_days(window)),
        "renunciations": float(ev.count(window, ev.RENUNCIATION)),
        "rounds_failed": float(rounds.count("failed")),
        "principle_agreed": float(rounds.count("principle")),
        "modalities_agreed": float(rounds.count("modalities")),
        "trade_reopenings": float(
            sum(1 for e in window if e.event_type == ev.CROSSING_REOPENED and _outcome(e) != "people only")
        ),
        "attacks_per_week": 7 * rates.attacks_per_day,
        "attack_deaths_per_week": 7 * rates.deaths_per_day,
        "significant_attacks": float(len(significant)),
        "significant_attacks_24_25_oct": float(sum(1 for e in significant if e.day in INCIDENT_DAYS)),
    }


def facts_match(stats: dict[str, float], record: dict[str, float], facts: Sequence[str] = FACTS) -> bool:
    """Whether a history states every fact of the record exactly."""
    return all(stats[k] == record[k] for k in facts)


# --------------------------------------------------------------------------- the record


def read_record(path: Path | str | None = None) -> list[ev.Event]:
    """The record's events (``record.csv``, or ``path``: a record in the same schema, with
    later events too), checked in full (sim/analysis/record_file.py: one paragraph naming
    the row and the column of the first mistake)."""
    frame = read_record_file(RECORD_CSV if path is None else path, FIRST_DAY)
    return ev.rows_of(frame)


def read_rates(path: Path | str | None = None, start: dt.date = START_DATE) -> Rates:
    """The record's counts without a list of events (``record_counts.csv``): the rates a
    day of the period that overlaps the window."""
    counts = read_counts_file(COUNTS_CSV if path is None else path, ("militant_attacks", "militant_attack_deaths"))
    per_day = {name: value / ((end - begin).days + 1) for name, (begin, end, value) in counts.items()}
    return Rates(per_day["militant_attacks"], per_day["militant_attack_deaths"])


def record_statistics(last_day: int = RECORD_DAY) -> dict[str, float]:
    """The record's summary statistics to ``last_day``, read by :func:`statistics` as a
    model's log is (the record checked first: :func:`read_record`)."""
    if last_day < FIRST_DAY:
        raise ConfigError(f"the record's statistics start on day {FIRST_DAY}; a window to day {last_day} is empty.")
    return statistics(read_record(), last_day, read_rates())
