"""From a text to the ground: the provisions of agreed modalities, carried out over time or
reneged, and a mechanism that can stop operating once set up.

An agreement is not its implementation (Joshi, Quinn & Regan, JPR 2015; Joshi & Quinn,
BJPolS 2015: the extent implemented, not the signing, predicts how long peace lasts;
Stedman, Rothchild & Cousens 2002). When a round agrees modalities
(:meth:`sim.model.talks.Talks.agree`), each provision of the package becomes a
:class:`Provision` that a party must carry out:

- ``mechanism`` (the mediators and both parties): set up and operating, after a mean
  ``mvm.setup_delay_days`` (a daily hazard; it can stall and be reneged like any other);
  once operating it can be **suspended** (a party boycotts it or denies access, the more so
  while a finding names it: ``implementation.suspension_rate``, ``finding_suspension``)
  and resume (``resume_days``);
- ``ttp_steps`` (Kabul): carried out by the first crackdown on the TTP after the
  agreement (an observed step, :meth:`Implementation.steps_taken`); until then it is a
  promise, which moves Kabul's will to act but not Pakistan's reopening (a promise is not
  delivery: :meth:`sim.model.border.Border.reopen_chance`);
- ``strike_restraint`` (Pakistan): in force from the agreement, reneged by its next
  strike on Afghan soil (:meth:`Implementation.struck`);
- ``trade_terms`` (Pakistan): carried out when the crossings reopen for trade after the
  agreement (:meth:`Implementation.crossings_reopened`).

A provision not yet carried out is reneged with a daily hazard ``renege_rate`` (UCDP:
26.7% of agreements with ceasefire provisions ended within a year), raised by attacks
Pakistan counts as Kabul's breach (spoilers strike at implementation: Kydd & Walter 2002)
and by the mechanism's findings that name the party, and by the party's utility of the
package falling below its reservation value (Fearon 1995: the commitment problem),
lowered by the guarantors' support, the mediators' guarantee or their pressure (Walter
1997). The mechanism is set up faster under a guarantee. Every step goes to the event
log.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.events import (
    AFGHANISTAN,
    MECHANISM,
    MECHANISM_OPERATING,
    MECHANISM_SUSPENDED,
    MEDIATORS,
    PAKISTAN,
    PROVISION_IMPLEMENTED,
    PROVISION_RENEGED,
)

if TYPE_CHECKING:
    from ..core.schema import Config
    from .eventlog import EventLog
    from .model import CeasefireModel

#: The provisions of the modalities, each with the party that must carry it out.
PROVISIONS = {"mechanism": MEDIATORS, "ttp_steps": AFGHANISTAN, "strike_restraint": PAKISTAN, "trade_terms": PAKISTAN}
PENDING, IMPLEMENTED, RENEGED = "pending", "implemented", "reneged"
#: Days over which attacks and findings weigh on implementation.
MEMORY_DAYS = 30


@dataclass
class Provision:
    """One provision of agreed modalities: who carries it out, the position agreed, and
    where it stands (pending, implemented or reneged, and the day)."""

    name: str
    party: str
    level: float
    agreed_day: int
    state: str = PENDING
    day: int | None = None  # the day it was implemented or reneged

    @property
    def in_force(self) -> bool:
        """Agreed and not reneged (a promise, or carried out)."""
        return self.state != RENEGED


class Implementation:
    """The provisions of the modalities in force, and the mechanism's life once set up,
    drawing from the implementation's own stream."""

    def __init__(self, model: CeasefireModel, config: Config, rng: random.Random, log: EventLog):
        self.model = model
        self.ic = config.implementation
        self.setup_days = config.mvm.setup_delay_days
        self.guarantee = config.mediation.guarantee
        self.stream = rng
        self.log = log
        self.provisions: dict[str, Provision] = {}
        self.first_day: dict[str, int] = {}  # the first day each provision was ever implemented
        self.reneged = 0
        self.suspensions = 0
        self._attacks: deque[int] = deque()  # days of attacks Pakistan counted as Kabul's breach
        self._findings: dict[str, int] = {}  # the last day a finding named each state

    # -- what the talks agree
    def start(self, day: int, levels: dict[str, float]) -> None:
        """Modalities agreed: each provision with a position above the status quo starts
        (renegotiated ones take the new position and keep their course)."""
        for name, level in levels.items():
            if level <= 0.0:
                continue
            old = self.provisions.get(name)
            if old is not None and old.in_force:
                old.level = level
                continue
            self.provisions[name] = Provision(name, PROVISIONS[name], level, day)
        if "strike_restraint" in self.provisions and self.provisions["strike_restraint"].state == PENDING:
            self.implement("strike_restraint", day)  # in force from the agreement: kept until a strike

    def lapse(self, day: int) -> None:
        """The package lapses (the truce broke down, or a review round failed): every
        provision still pending is reneged."""
        for p in self.provisions.values():
            if p.state == PENDING:
                self.renege(p, day, "the package lapsed")
        mechanism = self.provisions.get("mechanism")  # a mechanism set up goes on (and can still be suspended)
        self.provisions = {"mechanism": mechanism} if mechanism is not None and mechanism.state == IMPLEMENTED else {}

    # -- the day
    def step(self, day: int) -> None:
        """Each pending provision is carried out or reneged; an operating mechanism may be
        suspended, a suspended one resume."""
        while self._attacks and self._attacks[0] < day - MEMORY_DAYS:
            self._attacks.popleft()
        for p in list(self.provisions.values()):
            if p.state != PENDING:
                continue
            if self.stream.random() < self.renege_hazard(p):
                self.renege(p, day, "reneged")
            elif p.name == "mechanism" and self.stream.random() < self.setup_hazard():
                self.implement(p.name, day)
                self.model.monitor.start_operating(day)
                self.log.add(day, MECHANISM_OPERATING, MECHANISM, detail="set up")
        self.mechanism_life(day)

    def setup_hazard(self) -> float:
        """Daily chance the mechanism starts operating: one over its mean set-up time,
        which a guarantee shortens."""
        mean = max(1.0, self.setup_days * (1.0 - self.ic.guarantee_effect * self.guarantee))
        return 1.0 / mean

    def renege_hazard(self, p: Provision) -> float:
        """Daily chance that the party reneges on a pending provision: ``renege_rate``,
        raised by the attacks Pakistan counted as Kabul's breach in the last 30 days and
        the mechanism's findings that named the party (each weighs ``attack_weight``),
        and by its utility shortfall (the commitment problem); lowered by the guarantors'
        support, the mediators' guarantee or their pressure, whichever is greater."""
        ic = self.ic
        named = p.party in self._findings and self._findings[p.party] >= self.model.day - MEMORY_DAYS
        attacks = 1.0 + ic.attack_weight * (len(self._attacks) + named)
        shortfall = 1.0 + ic.shortfall_weight * self.model.talks.shortfall(p.party)
        support = 1.0 - ic.guarantee_effect * max(self.guarantee, self.model.mediation.pressure)
        return min(1.0, ic.renege_rate * attacks * shortfall * support)

    def mechanism_life(self, day: int) -> None:
        """An operating mechanism is suspended with a daily hazard (more while a finding
        names a party that disputes it); a suspended one resumes."""
        monitor = self.model.monitor
        p = self.provisions.get("mechanism")
        if p is None or p.state != IMPLEMENTED:
            return
        ic = self.ic
        if monitor.suspended:
            if self.stream.random() < 1.0 / ic.resume_days:
                monitor.resume(day)
                self.log.add(day, MECHANISM_OPERATING, MECHANISM, detail="resumed")
            return
        named = any(day - d <= MEMORY_DAYS for d in self._findings.values())
        hazard = ic.suspension_rate * (1.0 + ic.finding_suspension * named)
        if self.stream.random() < hazard:
            who = max(self._findings, key=self._findings.get) if named else MECHANISM
            monitor.suspend(day)
            self.suspensions += 1
            self.log.add(day, MECHANISM_SUSPENDED, who, MECHANISM, detail="boycotted" if named else "stopped meeting")

    # -- what happens on the ground
    def implement(self, name: str, day: int) -> None:
        p = self.provisions[name]
        p.state, p.day = IMPLEMENTED, day
        self.first_day.setdefault(name, day)
        self.log.add(day, PROVISION_IMPLEMENTED, p.party, detail=name)

    def renege(self, p: Provision, day: int, why: str) -> None:
        p.state, p.day = RENEGED, day
        self.reneged += 1
        self.log.add(day, PROVISION_RENEGED, p.party, detail=f"{p.name}: {why}")

    def steps_taken(self, day: int) -> None:
        """Kabul cracked down on the TTP: its pending TTP steps are carried out."""
        p = self.provisions.get("ttp_steps")
        if p is not None and p.state == PENDING:
            self.implement("ttp_steps", day)

    def struck(self, day: int) -> None:
        """Pakistan struck on Afghan soil: its restraint on strikes is reneged."""
        p = self.provisions.get("strike_restraint")
        if p is not None and p.in_force:
            self.renege(p, day, "a strike on Afghan soil")

    def crossings_reopened(self, day: int) -> None:
        """The crossings reopened for trade: Pakistan's trade terms are carried out."""
        p = self.provisions.get("trade_terms")
        if p is not None and p.state == PENDING:
            self.implement("trade_terms", day)

    def attack_counted(self, day: int) -> None:
        """An attack Pakistan counts as Kabul's breach: it weighs on implementation for a month."""
        self._attacks.append(day)

    def finding_named(self, state: str, day: int) -> None:
        """A finding named a state's forces (or its inaction)."""
        self._findings[state] = day

    # -- what the others read
    def in_force(self, name: str) -> bool:
        p = self.provisions.get(name)
        return p is not None and p.in_force

    def implemented(self, name: str) -> bool:
        p = self.provisions.get(name)
        return p is not None and p.state == IMPLEMENTED

    def level(self, name: str) -> float:
        """The position agreed on a provision, while it is in force (0 otherwise)."""
        p = self.provisions.get(name)
        return p.level if p is not None and p.in_force else 0.0

    def troubled(self) -> bool:
        """A provision reneged since the modalities, or a party now worse off than its
        reservation value: what makes a review round fail."""
        reneged = any(p.state == RENEGED for p in self.provisions.values())
        return reneged or any(self.model.talks.shortfall(party) > 0.0 for party in (AFGHANISTAN, PAKISTAN))

    def day_of(self, name: str) -> float:
        """The first day a provision was implemented (NaN: never)."""
        return float(self.first_day.get(name, math.nan))
