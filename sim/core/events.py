"""The event log: what happened in a replicate, coded as conflict event data code it, and
the three pre-registered definitions of a broken truce, computed from the log alone.

Every replicate records its events in the form of ACLED and UCDP GED (Raleigh et al.
2010; Sundberg & Melander 2013): one row per event with its day and date, its type,
actor 1 and actor 2, the crossing it happened at (if any), its fatalities, and whom each
government publicly blames for it. The run writes them to ``events.parquet`` beside
``runs.parquet`` (``run.events``); :func:`read_events` reads them back, one replicate
or all.

The definitions of a broken truce are coding rules a person could apply to news
reports (``docs/model.md``, "Coding rules"); :func:`violation_day`,
:func:`breakdown_day` and :func:`renunciation_day` apply them to a log, whether the
model's or one coded by hand. Each returns the day of the event, or NaN when the log
holds none (a censored observation).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .schema import DefinitionsConfig

# --------------------------------------------------------------------------- vocabulary

#: The actors (ACLED's actor 1 / actor 2).
PAKISTAN = "pakistan"  # Pakistani state forces
AFGHANISTAN = "afghanistan"  # Afghan (Taliban) state forces
MILITANTS = "militants"  # the TTP and other militants
MEDIATORS = "mediators"  # Turkiye and Qatar
MECHANISM = "mechanism"  # the joint monitoring-and-verification mechanism
STATES = frozenset((PAKISTAN, AFGHANISTAN))
ACTORS = (PAKISTAN, AFGHANISTAN, MILITANTS, MEDIATORS, MECHANISM)

#: Fire between the two states' forces (ACLED: battles; explosions/remote violence).
ARMED_CLASH = "armed_clash"  # an exchange of fire on the border that nobody ordered
SHELLING = "shelling"  # a deliberate strike on the border (near a crossing)
AIR_DRONE_STRIKE = "air_drone_strike"  # a deliberate strike away from the crossings
STATE_FIRE = (ARMED_CLASH, SHELLING, AIR_DRONE_STRIKE)
#: A militant attack (ACLED: remote explosive / suicide bomb / armed attack).
MILITANT_ATTACK = "militant_attack"
CROSSING_CLOSED = "crossing_closed"
CROSSING_REOPENED = "crossing_reopened"  # detail "aid lane" (reduced) or "people only" (no trucks)
TALKS_ROUND = "talks_round"  # detail: agreed, salvaged or failed
TALKS_OFFER = "talks_offer"  # a text put to the parties; detail: the round, the package, who accepts
MVM_FINDING = "mvm_finding"  # actor 2: whom the finding names
RENUNCIATION = "renunciation"  # a government states that the truce no longer holds
TRUCE_RENEWED = "truce_renewed"  # detail: brokered, or the round that agreed it
CRACKDOWN = "crackdown"  # Kabul acts against the militants (arrests, relocation); detail: verified or not
#: From a text to the ground (sim/model/implementation.py): the mechanism starts operating (detail "set up")
#: or resumes ("resumed"); it is suspended (actor 1: the party that boycotts it, or the mechanism itself);
#: a provision of agreed modalities is carried out, or reneged (actor 1: the party; detail: the provision).
MECHANISM_OPERATING = "mechanism_operating"
MECHANISM_SUSPENDED = "mechanism_suspended"
PROVISION_IMPLEMENTED = "provision_implemented"
PROVISION_RENEGED = "provision_reneged"
#: What a round of talks ends in (a TALKS_ROUND's detail, before any explanation after a colon), by stage:
#: a ceasefire; a text in principle (a framework: which issues, that a mechanism will exist; nothing set up);
#: modalities (the mechanism's composition, mandate, access, violations and penalty; the TTP steps; the trade
#: terms); a review round that reaffirms or renegotiates the package in force; no text agreed but the
#: mediators keep the parties at the table (salvaged) or the round is only talks about talks (stalled); or
#: a breakdown (failed).
ROUND_OUTCOMES = ("ceasefire", "principle", "modalities", "reaffirmed", "renegotiated", "salvaged", "stalled", "failed")
#: The outcomes that are an agreement.
AGREEMENTS = ("ceasefire", "principle", "modalities", "reaffirmed", "renegotiated")
EVENT_TYPES = (
    *STATE_FIRE,
    MILITANT_ATTACK,
    CROSSING_CLOSED,
    CROSSING_REOPENED,
    TALKS_ROUND,
    TALKS_OFFER,
    MVM_FINDING,
    RENUNCIATION,
    TRUCE_RENEWED,
    CRACKDOWN,
    MECHANISM_OPERATING,
    MECHANISM_SUSPENDED,
    PROVISION_IMPLEMENTED,
    PROVISION_RENEGED,
)

#: The three definitions of a broken truce, in the order of their usual severity.
DEFINITIONS = ("violation", "breakdown", "renunciation")


class Event(NamedTuple):
    """One row of the log (without its replicate and date, added when written)."""

    day: int
    event_type: str
    actor1: str
    actor2: str | None = None
    crossing: str | None = None
    fatalities: int = 0
    pak_blames: str | None = None
    afg_blames: str | None = None
    detail: str | None = None
    pak_breach: bool = False  # Pakistan counts it as a breach of the truce by Kabul
    afg_breach: bool = False  # Kabul counts it as a breach of the truce by Pakistan


#: events.parquet's columns, in order: the replicate, the date, then an Event's fields.
COLUMNS = ("replicate", "day", "date", *Event._fields[1:])


def arrow_schema() -> pa.Schema:
    import pyarrow as pa

    string = pa.string()
    return pa.schema(
        [
            ("replicate", pa.int64()),
            ("day", pa.int64()),
            ("date", pa.date32()),
            ("event_type", string),
            ("actor1", string),
            ("actor2", string),
            ("crossing", string),
            ("fatalities", pa.int64()),
            ("pak_blames", string),
            ("afg_blames", string),
            ("detail", string),
            ("pak_breach", pa.bool_()),
            ("afg_breach", pa.bool_()),
        ]
    )


def arrow_table(logs: Iterable[tuple[int, list[Event]]], start_date: str) -> pa.Table:
    """The logs of several replicates, ``(replicate, events)`` pairs, as one Arrow table
    (built column by column: the rows are transposed once, the dates computed in numpy)."""
    import numpy as np
    import pyarrow as pa

    logs = list(logs)
    rows = [e for _, events in logs for e in events]
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in Event._fields]
    replicate = np.repeat([r for r, _ in logs], [len(events) for _, events in logs]).astype(np.int64)
    day = np.asarray(columns[0], dtype=np.int64)
    date = np.datetime64(str(start_date), "D") + day.astype("timedelta64[D]")
    data = {"replicate": replicate, "day": day, "date": date}
    data.update({name: list(values) for name, values in zip(Event._fields[1:], columns[1:], strict=True)})
    return pa.Table.from_pydict(data, schema=arrow_schema())


def read_events(run_dir: Path | str, replicate: int | None = None) -> pd.DataFrame:
    """The event log of a run folder: every replicate's, or one replicate's (read with a
    filter, so a big log is not loaded whole)."""
    import pyarrow.parquet as pq

    from .errors import UsageError

    path = Path(run_dir) / "events.parquet"
    if not path.is_file():
        raise UsageError(
            f"{path} does not exist: the run wrote no event log (run.events=false), or {run_dir} is not a run folder."
        )
    filters = None if replicate is None else [("replicate", "=", int(replicate))]
    table = pq.read_table(path, filters=filters, use_threads=False, pre_buffer=False)
    return table.to_pandas(use_threads=False)


def rows_of(frame: pd.DataFrame) -> list[Event]:
    """A log read back from Parquet (one replicate's rows) as Events."""
    cols = list(Event._fields)
    records = frame[cols].astype(object).where(frame[cols].notna(), None).itertuples(index=False, name=None)
    return [Event(*r) for r in records]


# --------------------------------------------------------------------------- coding rules


def is_state_fire(e: Event) -> bool:
    """Fire between the two states' forces (either direction)."""
    return e.event_type in STATE_FIRE and e.actor1 in STATES and e.actor2 in STATES and e.actor1 != e.actor2


def violation_day(events: Iterable[Event], fatalities: int = 1) -> float:
    """**Violation**: the first day on which the two states' forces exchange fire (a clash,
    shelling or an air or drone strike by one state's forces on the other's territory or
    forces) that kills at least ``fatalities`` people. Militant attacks do not count,
    whoever a government blames for them, nor does a strike reported as hitting only
    militants (actor 2: militants), although Kabul counts it as a breach (``afg_breach``)."""
    for e in events:
        if e.fatalities >= fatalities and is_state_fire(e):
            return float(e.day)
    return math.nan


def breakdown_day(
    events: Iterable[Event], deaths: int = 25, deaths_window: int = 30, fire_days: int = 3, fire_window: int = 7
) -> float:
    """**Breakdown**: sustained interstate fighting. The first day by which either the
    fire between the two states' forces has killed at least ``deaths`` people within
    ``deaths_window`` days (UCDP's 25 battle-related deaths; Gleditsch et al. 2002), or
    such fire has happened on at least ``fire_days`` of ``fire_window`` days (an
    exchange of fire that does not stop). The windows end on the day coded, inclusive."""
    by_day: dict[int, int] = {}
    for e in events:
        if is_state_fire(e):
            by_day[e.day] = by_day.get(e.day, 0) + e.fatalities
    deaths_seen: deque[tuple[int, int]] = deque()
    fire_seen: deque[int] = deque()
    total = 0
    for day in sorted(by_day):
        deaths_seen.append((day, by_day[day]))
        total += by_day[day]
        while deaths_seen[0][0] <= day - deaths_window:
            total -= deaths_seen.popleft()[1]
        fire_seen.append(day)
        while fire_seen[0] <= day - fire_window:
            fire_seen.popleft()
        if total >= deaths or len(fire_seen) >= fire_days:
            return float(day)
    return math.nan


def renunciation_day(events: Iterable[Event]) -> float:
    """**Renunciation**: the first day on which a government (Islamabad or Kabul, through
    its head of government, foreign, defence or information ministry or official
    spokesperson) states that the truce no longer holds or is void. Threats ("no deal
    means open war") and accusations of violations do not count."""
    for e in events:
        if e.event_type == RENUNCIATION and e.actor1 in STATES:
            return float(e.day)
    return math.nan


def definition_days(events: list[Event], config: DefinitionsConfig) -> dict[str, float]:
    """The three definitions' days (NaN: not within the log), by name. (The two that read
    fire between the states' forces scan it, picked from the log once.)"""
    fire = [e for e in events if is_state_fire(e)]
    return {
        "violation": violation_day(fire, config.violation_fatalities),
        "breakdown": breakdown_day(
            fire,
            config.breakdown_deaths,
            config.breakdown_deaths_window,
            config.breakdown_fire_days,
            config.breakdown_fire_window,
        ),
        "renunciation": renunciation_day(events),
    }


def state_fire_days(events: Iterable[Event]) -> int:
    """Days with fire between the two states' forces."""
    return len({e.day for e in events if is_state_fire(e)})


def count(events: Iterable[Event], event_type: str) -> int:
    return sum(1 for e in events if e.event_type == event_type)
