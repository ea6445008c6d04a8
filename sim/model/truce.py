"""The truce itself: the governments' reading of the fighting, declarations, the truce's
state, and its renewal."""

from __future__ import annotations

import math
from enum import Enum
from typing import TYPE_CHECKING

from ..core.events import MEDIATORS, TRUCE_RENEWED
from .incidents import Incident, Kind

if TYPE_CHECKING:
    from ..core.schema import CollapseConfig
    from .eventlog import EventLog


class TruceState(Enum):
    """Where the truce stands (docs/model.md, "States of the truce")."""

    HOLDING = "holding"  # no lethal fire between the states' forces since it began
    VIOLATED = "violated"  # violated (lethal fire between the forces) but holding
    BROKEN_DOWN = "broken_down"  # the parties are fighting: no truce
    RENEWED = "renewed"  # a new truce, brokered after a breakdown


class Truce:
    """The truce holds, is violated but holds, breaks down, and may be renewed.

    - A lethal exchange of fire between the two states' forces (``violation_fatalities``
      or more killed) makes a holding truce *violated*: it still holds.
    - It *breaks down* when the governments read the fighting as sustained, or when one
      of them declares it void (:meth:`sim.model.states.States.maybe_declare_void`).
      The governments' reading is a hostility index: 1 for a deliberate strike and
      ``accident_weight`` for a clash, fading overnight with an e-folding memory of
      ``hostility_memory_days``; the truce breaks down when it reaches
      ``hostility_threshold`` (assumption: a few deliberate strikes within a week, as on
      11-15 October 2025). While it is broken down the forces clash more often
      (``war_clash_multiplier``), Pakistan keeps every crossing shut, and the fighting
      flares with each strike answered and fades with the parties' fatigue.
    - A broken-down truce is *renewed* when the talks agree, or when a new truce is
      brokered (:meth:`sim.model.talks.Talks.broker_renewal`); the hostility index
      starts again from zero, and a renewed truce can be violated and break down again.

    The analysts' definitions of a broken truce (violation, breakdown, renunciation) are
    coded from the event log alone (sim/core/events.py), not read from this state.
    """

    def __init__(self, config: CollapseConfig, log: EventLog, violation_fatalities: int = 1):
        self.config = config
        self.log = log
        self.violation_fatalities = violation_fatalities
        self.hostility = 0.0
        self._decay = math.exp(-1.0 / config.hostility_memory_days)
        self.state = TruceState.HOLDING
        self.alive = True
        self.collapse_day: int | None = None  # the day it first broke down
        self.cause: str | None = None  # why it first broke down
        self.broken_since: int | None = None  # the day the current breakdown began
        self.declared_void_by: str | None = None
        self.breakdowns = self.renewals = 0

    def record(self, inc: Incident) -> None:
        """A state-on-state incident feeds the hostility index; a lethal one violates a
        holding truce."""
        if inc.state_on_state:
            self.hostility += self.config.accident_weight if inc.kind is Kind.ACCIDENT else 1.0
            if self.alive and inc.casualties >= self.violation_fatalities:
                self.state = TruceState.VIOLATED

    def declare_void(self, party: str) -> None:
        if self.declared_void_by is None:
            self.declared_void_by = party

    def step(self, day: int) -> bool:
        """The truce breaks down if hostilities are sustained or a party declared it void;
        then the hostility index fades overnight. True if it broke down today."""
        broke = False
        if self.alive:
            if self.hostility >= self.config.hostility_threshold:
                broke = self.break_down(day, "hostilities")
            elif self.declared_void_by is not None:
                broke = self.break_down(day, f"void_{self.declared_void_by}")
        self.hostility *= self._decay  # memory fades overnight
        return broke

    def break_down(self, day: int, cause: str) -> bool:
        self.alive = False
        self.state = TruceState.BROKEN_DOWN
        self.broken_since = day
        self.breakdowns += 1
        if self.collapse_day is None:
            self.collapse_day = day
            self.cause = cause
        return True

    def renew(self, day: int, how: str) -> None:
        """A new truce: the fighting stops being read as sustained, declarations lapse."""
        self.alive = True
        self.state = TruceState.RENEWED
        self.broken_since = None
        self.hostility = 0.0
        self.declared_void_by = None
        self.renewals += 1
        self.log.add(day, TRUCE_RENEWED, MEDIATORS, detail=how)
