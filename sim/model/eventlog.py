"""The replicate's event log, as the actors write it (sim/core/events.py says what a row is).

Violent incidents are logged as they land and coded when the log is read, so that each
government's public blame is the one it settled on (a victim waiting for the mechanism's
finding blames whom the finding names). Everything else is logged as it happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.events import (
    AIR_DRONE_STRIKE,
    ARMED_CLASH,
    MILITANT_ATTACK,
    SHELLING,
    Event,
)
from .incidents import AFG, MILITANTS, Incident, Kind

if TYPE_CHECKING:
    from collections.abc import Sequence


def incident_event(day: int, inc: Incident, crossings: Sequence[str]) -> Event:
    """An incident landing on ``day`` as an event: its type, actors and each government's
    public blame (a strike ordered one day lands the next).

    The victim's government blames whom it settled on (``Incident.blame``: the other
    state, the militants, or nobody yet). The other government: for a militant attack,
    the militants (the host denies any part, as Kabul does); for a clash, the victim's
    forces (each side says the other fired first); for a deliberate strike, whoever it
    answers (the militants, if it answers a militant attack: Pakistan says it strikes
    militant hideouts, as on 9 and 15-17 October 2025). A strike on militants on Afghan
    soil is an air or drone strike with actor 2 the militants (not fire between the
    states' forces); an overt air strike has detail "overt", a high-profile attack
    "high-profile". Each government's reading (``pak_breach``, ``afg_breach``): whether
    the victim's government counts the event as a breach by the other.
    """
    crossing = crossings[inc.crossing] if inc.crossing >= 0 else None
    kind, detail = inc.kind, None
    actor2 = inc.victim
    if kind is Kind.MILITANT:
        event_type, actor1, other_says = MILITANT_ATTACK, MILITANTS, MILITANTS
        detail = "high-profile" if inc.high_profile else None
    elif kind is Kind.ACCIDENT:
        event_type, actor1, other_says = ARMED_CLASH, inc.author, inc.victim
    elif kind is Kind.STRIKE_ON_MILITANTS:
        event_type, actor1, actor2, other_says = AIR_DRONE_STRIKE, inc.author, MILITANTS, MILITANTS
        detail = "on militants"
    else:
        event_type = SHELLING if crossing is not None else AIR_DRONE_STRIKE
        actor1 = inc.author
        cause = inc.provoked_by
        other_says = MILITANTS if cause is not None and cause.kind is Kind.MILITANT else inc.victim
        detail = "overt" if kind is Kind.AIR_STRIKE else None
    pak, afg = (other_says, inc.blame) if inc.victim == AFG else (inc.blame, other_says)
    breach_afg = inc.breach and inc.victim == AFG
    breach_pak = inc.breach and inc.victim != AFG
    return Event(day, event_type, actor1, actor2, crossing, inc.casualties, pak, afg, detail, breach_pak, breach_afg)


#: An Event from a tuple of all its fields (what ``Event._make`` does, without its checks).
_as_event = tuple.__new__


class EventLog:
    """The events of one replicate, in the order they happened."""

    def __init__(self, crossings: Sequence[str]):
        self.crossings = tuple(crossings)
        self._entries: list[Event | tuple[int, Incident]] = []

    def add(self, *fields, **named) -> None:
        """An event other than a violent incident (the fields of :class:`sim.core.events.Event`)."""
        self._entries.append(Event(*fields, **named))

    def incident(self, day: int, inc: Incident) -> None:
        self._entries.append((day, inc))

    def routine_attacks(self, day: int, attacks: list[tuple[str, int]]) -> None:
        """The day's routine militant attacks, (victim, deaths) each (no government counts
        one as a breach; both blame the militants): their events as they will be read,
        every field given, built as the tuples they are (``Event(...)`` fills in defaults
        by keyword: three times the cost, for the most frequent row of the log)."""
        self._entries += [
            _as_event(
                Event, (day, MILITANT_ATTACK, MILITANTS, victim, None, deaths, MILITANTS, MILITANTS, None, False, False)
            )
            for victim, deaths in attacks
        ]

    def events(self) -> list[Event]:
        """The log as events (incidents coded with the blame each government settled on)."""
        crossings = self.crossings
        return [e if isinstance(e, Event) else incident_event(e[0], e[1], crossings) for e in self._entries]

    def __len__(self) -> int:
        return len(self._entries)
