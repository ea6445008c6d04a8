"""The rounds of talks: their calendar, and how a round ends."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..schema import Round

if TYPE_CHECKING:
    from ..schema import Config
    from .mediators import Mediation
    from .monitor import Monitor
    from .states import States


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
    """

    def __init__(self, config: Config, horizon: int, rng: random.Random):
        self.config = config
        self.stream = rng
        self.rounds = {r.end_day: r for r in round_calendar(config, horizon)}
        self.agreed = self.salvaged = self.failed = 0

    def windows(self) -> list[tuple[int, int]]:
        """(first day, last day) of every round."""
        return [(r.start_day, r.end_day) for r in self.rounds.values()]

    def step(self, day: int, states: States, mediation: Mediation, monitor: Monitor) -> None:
        """A round ends today, if one is due: agreement, salvage, or breakdown."""
        if day not in self.rounds:
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
        elif self.stream.random() < mediation.salvage_chance():
            self.salvaged += 1
            mediation.renew_leverage()
        else:
            self.failed += 1
            for s in (afg, pak):
                s.round_broke_down(r.breakdown_grievance)
