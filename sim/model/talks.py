"""The rounds of talks: their calendar, and how a round ends."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..events import MEDIATORS, TALKS_ROUND
from ..schema import Round

if TYPE_CHECKING:
    from ..schema import Config
    from .eventlog import EventLog
    from .mediators import Mediation
    from .monitor import Monitor
    from .states import States
    from .truce import Truce


def round_calendar(config: Config, horizon: int) -> list[Round]:
    """The scheduled rounds, then one every ``mediation.round_interval_days`` to the horizon."""
    rounds = list(config.scenario.rounds)
    interval = config.mediation.round_interval_days
    day = rounds[-1].end_day + interval if rounds else interval
    n = len(rounds)
    while day <= horizon:
        n += 1
        rounds.append(Round(name=f"round {n}", start_day=day, end_day=day))
        day += interval
    return [r for r in rounds if r.end_day >= 1]


class Talks:
    """Rounds of talks, drawing from the talks' stream.

    A round ends in agreement with chance ``agreement_base + trust_weight * mean trust +
    leverage_weight * mediator pressure - grievance_weight * mean grievance`` (assumption,
    in the spirit of Fearon 1995: information and trust make a bargain reachable); an
    agreement settles the mechanism's details and raises trust. Otherwise a party walks
    out, and the mediators may salvage the round (the truce is extended, as on 29-30
    October 2025; Beardsley 2011); an unsalvaged breakdown raises both grievances.
    A round that agrees while the truce is broken down renews it. Every round's outcome
    goes to the log.

    Between rounds, a broken-down truce can be renewed by a truce brokered in the field
    (:meth:`broker_renewal`).
    """

    def __init__(self, config: Config, horizon: int, rng: random.Random, log: EventLog):
        self.config = config
        self.stream = rng
        self.log = log
        self.rounds = {r.end_day: r for r in round_calendar(config, horizon)}
        self.agreed = self.salvaged = self.failed = 0

    def windows(self) -> list[tuple[int, int]]:
        """(first day, last day) of every round."""
        return [(r.start_day, r.end_day) for r in self.rounds.values()]

    def step(self, day: int, states: States, mediation: Mediation, monitor: Monitor, truce: Truce) -> None:
        """A round ends today, if one is due: agreement, salvage, or breakdown."""
        if day not in self.rounds:
            if not truce.alive:
                self.broker_renewal(day, states, mediation, truce)
            return
        r = self.config.rounds
        afg, pak = states.pair
        trust = (afg.trust + pak.trust) / 2
        grievance = (afg.grievance + pak.grievance) / 2
        p_agree = (
            r.agreement_base
            + r.trust_weight * trust
            + r.leverage_weight * mediation.pressure
            - r.grievance_weight * grievance
        )
        if self.stream.random() < p_agree:
            self.agreed += 1
            monitor.agree(day)
            for s in (afg, pak):
                s.round_agreed()
            mediation.renew_leverage()
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="agreed")
            if not truce.alive:
                truce.renew(day, f"{self.rounds[day].name} agreed")
        elif self.stream.random() < mediation.salvage_chance():
            self.salvaged += 1
            mediation.renew_leverage()
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="salvaged")
        else:
            self.failed += 1
            for s in (afg, pak):
                s.round_broke_down(r.breakdown_grievance)
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="failed")

    def broker_renewal(self, day: int, states: States, mediation: Mediation, truce: Truce) -> None:
        """A truce that has broken down is renewed with a daily chance ``renewal_base +
        renewal_leverage * mediators' pressure``, once ``renewal_min_days`` of fighting
        have passed (assumption, after October 2025: fighting from 11 October, a 48-hour
        truce brokered on 15 October, the Doha ceasefire mediated by Qatar and Turkiye on
        19 October; mediators' leverage brings parties to settle, Beardsley 2011). A
        brokered renewal regains some trust, as an agreed round does, and renews the
        mediators' leverage."""
        c = self.config.collapse
        if truce.broken_since is None or day - truce.broken_since < c.renewal_min_days:
            return
        if self.stream.random() < c.renewal_base + c.renewal_leverage * mediation.pressure:
            truce.renew(day, "brokered")
            for s in states:
                s.round_agreed()
            mediation.renew_leverage()
