"""The rounds of talks: their calendar, the bargaining in a round, and what an agreement changes."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

from ..core.events import AFGHANISTAN, MEDIATORS, PAKISTAN, TALKS_OFFER, TALKS_ROUND
from ..core.schema import Round
from .negotiation import (
    ISSUES,
    MECHANISM,
    STATUS_QUO,
    Bargain,
    Positions,
    describe,
    effective_reservation,
    issue_by_issue,
    single_text,
)

if TYPE_CHECKING:
    from ..core.schema import Config, NegotiationConfig
    from .eventlog import EventLog
    from .model import CeasefireModel

TTP, STRIKES_ISSUE, TRADE = (ISSUES.index(k) for k in ("ttp_action", "strikes", "trade"))


def round_calendar(config: Config, horizon: int) -> list[Round]:
    """The scheduled rounds (the scenario's) still to come on day 1; a round beyond the
    horizon is kept for the militants' surge before it. Later rounds are set by how each
    round ends (:meth:`Talks.schedule_next`)."""
    return [r for r in config.scenario.rounds if r.end_day >= 1]


def positions_of(nc: NegotiationConfig) -> tuple[Positions, Positions]:
    """Kabul's and Pakistan's positions on the agenda (``negotiation.issues``)."""

    def party(name: str, key: str) -> Positions:
        pos = [getattr(nc.issues[k], name) for k in ISSUES]
        return Positions.of(key, [p.ideal for p in pos], [p.weight for p in pos], [p.limit for p in pos])

    return party("afghanistan", AFGHANISTAN), party("pakistan", PAKISTAN)


class Talks:
    """Rounds of talks as bargaining over the agenda (sim/model/negotiation.py), drawing
    from the talks' stream.

    A round puts up to ``texts`` texts to the parties. With mediators and the
    ``single_text`` protocol, each text is the mediators' single negotiating text linking
    the issues (Raiffa 1982); without mediators, or with ``issue_by_issue``, the parties
    settle what they can issue by issue. A party accepts a text worth at least its
    reservation value, which the mediators' leverage lowers (sticks and carrots), its
    grievance raises, and each rejected text lowers by ``concession`` times (1 -
    grievance) (Rubinstein 1982: delay is costly); in each round it carries a private
    shock (its resolve, ``resolve_noise``) that the mediators do not know, so a text
    they expect both to accept can be rejected (Fearon 1995); it reads the other's commitment
    through its trust and the mechanism in the text (Fearon 1995). After a rejected text
    a party walks out with chance ``walkout_risk`` (Binmore, Rubinstein & Wolinsky 1986),
    higher with each mediator beyond the first (coordination: Beardsley 2011).

    A round ends in:

    - *agreement* on a package (the items at a position above the status quo): the
      mechanism exists from then, with the terms agreed; the commitments bind (Kabul's
      on the TTP, Pakistan's on strikes; the trade position moves Pakistan's reopening);
      trust rises; a broken-down truce is renewed; follow-up rounds every
      ``mediation.round_interval_days`` (Doha: "follow-up meetings to verify
      implementation");
    - *salvage*: the mediators keep the parties at the table (29-30 October 2025); the
      next round after ``salvage_gap_days``;
    - *breakdown*: grievance rises on both sides, each mediator steps back a little, and
      the talks pause for ``hiatus_days``.

    Every text (its package, who accepts) and every outcome goes to the log. Between
    rounds, a broken-down truce can be renewed by a truce brokered in the field
    (:meth:`broker_renewal`).
    """

    def __init__(self, model: CeasefireModel, config: Config, horizon: int, rng: random.Random, log: EventLog):
        self.model = model
        self.config = config
        self.nc = config.negotiation
        self.stream = rng
        self.log = log
        self.horizon = horizon
        self.afg_positions, self.pak_positions = positions_of(config.negotiation)
        self._reservation = (self.afg_positions.reservation(), self.pak_positions.reservation())
        self.surge_days: set[int] = set()  # days near a round, when the militants surge
        self.rounds: dict[int, Round] = {}
        for r in round_calendar(config, horizon):
            self.add_round(r)
        if not self.rounds:
            self.add_round(Round(name="round 1", start_day=1, end_day=1))
        self.package = STATUS_QUO.copy()  # what is agreed so far (the status quo: nothing)
        self.agreed_day: int | None = None
        self.agreed = self.salvaged = self.failed = 0
        self.texts = 0

    # -- the calendar
    def add_round(self, r: Round) -> None:
        """Put a round on the calendar. The militants surge around it even when it ends
        after the horizon, so that a run's first days do not depend on its length."""
        w = self.config.spoilers.surge_window_days
        self.surge_days.update(range(r.start_day - w, r.end_day + w + 1))
        if r.end_day <= self.horizon:
            self.rounds[r.end_day] = r

    def schedule_next(self, day: int, gap: int) -> None:
        """The next round, ``gap`` days on, unless one is already scheduled later."""
        if any(d > day for d in self.rounds):
            return
        n = len(self.rounds) + 1
        self.add_round(Round(name=f"round {n}", start_day=day + gap, end_day=day + gap))

    def windows(self) -> list[tuple[int, int]]:
        """(first day, last day) of every round scheduled so far."""
        return [(r.start_day, r.end_day) for r in self.rounds.values()]

    # -- the day
    def step(self, day: int) -> None:
        """A round ends today, if one is due; otherwise a broken-down truce may be renewed
        in the field."""
        if day in self.rounds:
            self.hold_round(day, self.rounds[day])
        elif not self.model.truce.alive:
            self.broker_renewal(day)

    def hold_round(self, day: int, r: Round) -> None:
        """Bargain; then agreement, salvage or breakdown. A follow-up round while a package
        is in force and the truce holds cannot break down: without a better text the
        package is reaffirmed."""
        package = self.bargain(day, r)
        if package is None and self.package.any() and self.model.truce.alive:
            package = self.package
        mediation = self.model.mediation
        if package is not None:
            self.agreed += 1
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="agreed")
            self.agree(day, package, r.name)
            self.schedule_next(day, self.config.mediation.round_interval_days)
        elif mediation.mediators and self.stream.random() < mediation.salvage_chance():
            self.salvaged += 1
            mediation.renew_leverage()
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="salvaged")
            self.schedule_next(day, self.nc.salvage_gap_days)
        else:
            self.failed += 1
            for s in self.model.states:
                s.round_broke_down(self.nc.breakdown_grievance)
            mediation.step_back(self.nc.step_back)
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="failed")
            self.schedule_next(day, self.nc.hiatus_days)

    # -- the bargaining
    def in_force(self) -> tuple[float, float] | None:
        """Each party's utility of the package in force (None: nothing agreed yet)."""
        if not self.package.any():
            return None
        states = self.model.states.pair
        positions = (self.afg_positions, self.pak_positions)
        return tuple(float(pos.utility(self.package, s.trust)[0]) for s, pos in zip(states, positions, strict=True))

    def reservations(self, texts_rejected: int, floors: tuple[float, float] | None) -> tuple[float, float]:
        """Each party's effective reservation value: its limits' utility, lowered by the
        mediators' leverage and by the concessions made so far, raised by its grievance;
        never below what it already has (``floors``: :meth:`in_force`)."""
        nc, pressure = self.nc, self.model.mediation.pressure
        values = []
        for i, (s, base) in enumerate(zip(self.model.states.pair, self._reservation, strict=True)):
            r = effective_reservation(base, nc, pressure, s.grievance, texts_rejected)
            if floors is not None:
                r = max(r, floors[i])
            values.append(r)
        return values[0], values[1]

    def linked(self) -> bool:
        """Whether the texts link issues: the mediators' single text, with mediators."""
        return self.nc.protocol == "single_text" and bool(self.model.mediation.engaged())

    def bargain(self, day: int, r: Round) -> np.ndarray | None:
        """Put texts to the parties until both accept one, a party walks out, or the
        round runs out of texts; return the package agreed, or None."""
        afg, pak = self.model.states.pair
        nc = self.nc
        linked = self.linked()
        walkout = min(1.0, nc.walkout_risk * (1.0 + nc.coordination_cost * max(0, self.model.mediation.engaged() - 1)))
        shock = (self.stream.gauss(0.0, nc.resolve_noise), self.stream.gauss(0.0, nc.resolve_noise))
        floors = self.in_force()  # trust does not change within a round
        for t in range(nc.texts):
            reserve = self.reservations(t, floors)
            b = Bargain(self.afg_positions, self.pak_positions, (afg.trust, pak.trust), reserve, shock)
            if linked:
                text, by = single_text(b), MEDIATORS
            else:
                slack = tuple(nc.concession * t * (1.0 - s.grievance) for s in (afg, pak))
                text, by = issue_by_issue(b, slack), (AFGHANISTAN, PAKISTAN)[t % 2]
            ok_afg, ok_pak = b.accepted(text)
            self.texts += 1
            self.log.add(
                day,
                TALKS_OFFER,
                by,
                detail=f"{r.name}, text {t + 1}: {describe(text)}; afghanistan {_says(ok_afg)}, "
                f"pakistan {_says(ok_pak)}",
            )
            if ok_afg and ok_pak:
                return text
            if self.stream.random() < walkout:
                return None
        return None

    # -- what an agreement changes
    def agree(self, day: int, package: np.ndarray, name: str) -> None:
        """The package binds: the mechanism with its terms, Kabul's commitment on the TTP,
        Pakistan's on strikes, the trade position; trust rises, leverage renews; a
        broken-down truce is renewed."""
        m = self.model
        self.package = package
        if self.agreed_day is None:
            self.agreed_day = day
        if package[MECHANISM] > 0:
            m.monitor.agree(day, package[MECHANISM])
        afg, pak = m.states.pair
        afg.ttp_commitment = package[TTP]
        pak.strike_commitment_cost = self.nc.strike_commitment_weight * package[STRIKES_ISSUE]
        m.border.trade_commitment(day, package[TRADE])
        for s in m.states:
            s.round_agreed()
        m.mediation.renew_leverage()
        if not m.truce.alive:
            m.truce.renew(day, f"{name} agreed")

    def lapse(self) -> None:
        """The truce broke down: the commitments of the package lapse (the mechanism, once
        set up, goes on; a later round can agree a package again)."""
        self.package = STATUS_QUO.copy()
        afg, pak = self.model.states.pair
        afg.ttp_commitment = 0.0
        pak.strike_commitment_cost = 0.0
        self.model.border.agreed_trade = 0.0

    def broker_renewal(self, day: int) -> None:
        """A truce that has broken down is renewed with a daily chance ``renewal_base +
        renewal_leverage * mediators' pressure``, once ``renewal_min_days`` of fighting
        have passed (assumption, after October 2025: fighting from 11 October, a 48-hour
        truce brokered on 15 October, the Doha ceasefire mediated by Qatar and Turkiye on
        19 October; mediators' leverage brings parties to settle, Beardsley 2011). A
        brokered renewal regains some trust, as an agreed round does, and renews the
        mediators' leverage."""
        c, m = self.config.collapse, self.model
        truce = m.truce
        if truce.broken_since is None or day - truce.broken_since < c.renewal_min_days:
            return
        if self.stream.random() < c.renewal_base + c.renewal_leverage * m.mediation.pressure:
            truce.renew(day, "brokered")
            for s in m.states:
                s.round_agreed()
            m.mediation.renew_leverage()

    def describe(self) -> str:
        """The package in force, in words."""
        return describe(self.package)

    def agreed_level(self, issue: str) -> float:
        """The agreed position on an issue (0: the status quo)."""
        return float(self.package[ISSUES.index(issue)])


def _says(ok: bool) -> str:
    return "accepts" if ok else "rejects"
