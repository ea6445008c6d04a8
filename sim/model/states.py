"""Afghanistan and Pakistan: trust, grievance, attribution, and the choice to strike back.

:class:`State` is one state's perceptions and decision rules; :class:`States` is the two
of them with their forces: the accidental clashes, how the victims of the day's
incidents respond, the findings of the mechanism they act on, and their end of day.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

import mesa

from ..events import MECHANISM, MVM_FINDING, RENUNCIATION
from .incidents import AFG, MILITANTS, PAK, UNKNOWN, Incident, Kind, severity

if TYPE_CHECKING:
    from ..schema import Config, StateInit, StatesConfig
    from .model import CeasefireModel


class State(mesa.Agent):
    """Afghanistan or Pakistan: trust and grievance towards the other, and the choice to strike.

    - Grievance follows Richardson's arms-race equation dx/dt = a*y - m*x + g: it grows
      with the other side's perceived hostile acts (``blame_gain``), decays by fatigue
      towards a floor (``fatigue``, ``grievance_floor``).
    - Attribution without a verified finding is biased (``blame_bias``): Pakistan blames
      Kabul for militant attacks (case-facts.md, stated positions). Such misattribution
      is the noise of Wu & Axelrod (JCR 1995).
    - Striking back follows Epstein (PNAS 2002): act when motive (grievance times
      distrust, plus domestic pressure) minus restraint (expected penalty, mediator
      pressure, economic pressure) exceeds a threshold; with Wu & Axelrod's generosity
      (leave some acts unanswered) and contrition (do not answer a reply to one's own
      error).
    - Economic pressure follows trade losses, weighted by trade dependence: landlocked
      Afghanistan feels more (case-facts.md, trade).
    """

    def __init__(self, model: mesa.Model, key: str, init: StateInit, params: StatesConfig, rng: random.Random):
        super().__init__(model)
        self.stream = rng
        self.key = key
        self.params = params
        self.other: State = self  # set by the model once both exist
        self.trust = init.trust
        self.grievance = init.grievance
        self.grievance_floor = init.grievance_floor
        self.domestic_pressure = init.domestic_pressure
        self.trade_dependence = init.trade_dependence
        self.blame_bias = init.blame_bias
        self.effort = init.effort
        self.economic_pressure = init.trade_dependence  # the crossings are closed on day 0
        self.hostile_acts_today = 0

    # -- militants on its soil
    def suppression(self) -> float:
        """Effort against militants on its soil; more when it trusts the other side."""
        return min(1.0, self.effort + self.params.effort_trust_gain * self.trust)

    # -- perception
    def blames_other_for(self, incident: Incident) -> bool:
        """Own attribution of an incident on its soil, with no finding to go by."""
        if incident.kind is not Kind.MILITANT:
            return True  # fire from across the line is seen for what it is
        return self.stream.random() < self.blame_bias

    def suffer(self, incident: Incident) -> None:
        """Casualties on its side raise domestic pressure."""
        p = self.params
        self.domestic_pressure = min(1.0, self.domestic_pressure + p.casualty_pressure * incident.casualties)

    def perceive_hostile_act(self, incident: Incident, weight: float = 1.0) -> None:
        """The other state is held responsible: grievance up, trust down (Richardson a)."""
        p = self.params
        s = weight * severity(incident.casualties)
        self.grievance = min(1.0, self.grievance + p.blame_gain * s)
        self.trust = max(0.0, self.trust - p.trust_loss * s)
        self.hostile_acts_today += 1

    def reassured(self) -> None:
        """A verified finding clears the other state: uncertainty about intentions falls (Fearon)."""
        self.trust = min(1.0, self.trust + self.params.finding_trust_gain)

    def round_agreed(self) -> None:
        """A round of talks ended in agreement: some trust regained."""
        self.trust = min(1.0, self.trust + self.params.round_trust_gain)

    def round_broke_down(self, grievance: float) -> None:
        """A round broke down and the mediators did not salvage it: grievance added."""
        self.grievance = min(1.0, self.grievance + grievance)

    def penalised(self, penalty: float, wrongly: bool) -> None:
        """The mechanism names this state a violator: a cost; outrage if the finding is wrong."""
        self.economic_pressure = min(1.0, self.economic_pressure + 0.5 * penalty)
        if wrongly:
            self.grievance = min(1.0, self.grievance + self.params.blame_gain * penalty)

    # -- the decision to strike back
    def contrite_about(self, incident: Incident, acceptance: float) -> bool:
        """Wu & Axelrod's contrition: a reply to our own accident is not answered."""
        cause = incident.provoked_by
        if cause is None or cause.author != self.key or cause.kind is not Kind.ACCIDENT:
            return False
        chance = self.params.contrition
        if cause.finding == self.key:  # the mechanism verified our own fault
            chance = max(chance, acceptance)
        return self.stream.random() < chance

    def retaliation_probability(self, expected_penalty: float, mediator_pressure: float, cost_weight: float) -> float:
        """Epstein-style threshold rule, smoothed by a logistic with ``decision_noise``."""
        p = self.params
        motive = self.grievance * (1.0 - self.trust) + p.domestic_weight * self.domestic_pressure
        restraint = expected_penalty + cost_weight * mediator_pressure + p.economic_weight * self.economic_pressure
        x = (motive - restraint - p.retaliation_threshold) / p.decision_noise
        if x < -30.0:
            return 0.0
        return (1.0 - p.generosity) / (1.0 + math.exp(-x))

    # -- the end of the day
    def end_of_day(self, calming: float, trade_index: float) -> None:
        """Fatigue and the mediators' calming pull grievance to its floor (Richardson m, g);
        a quiet day rebuilds a little trust; domestic pressure decays; economic pressure
        moves towards the share of trade lost, weighted by trade dependence."""
        p = self.params
        floor = self.grievance_floor
        if self.grievance > floor:
            self.grievance = max(floor, self.grievance - p.fatigue * (self.grievance - floor) - calming)
        if self.hostile_acts_today == 0:
            if self.trust < 1.0:
                self.trust = min(1.0, self.trust + p.trust_gain)
        else:
            self.hostile_acts_today = 0
        self.domestic_pressure *= 1.0 - p.pressure_decay
        lost = 1.0 - trade_index if trade_index < 1.0 else 0.0
        self.economic_pressure += p.economic_adjustment * (self.trade_dependence * lost - self.economic_pressure)


class States:
    """The two states and their forces, drawing from the states' stream (choices) and
    the accidents' stream (clashes nobody ordered). They read the mechanism, the
    mediators, the border and the truce from the model.

    Retaliatory strikes ordered today land tomorrow (:attr:`incoming`).
    """

    def __init__(self, model: CeasefireModel, config: Config, rng: random.Random, accidents: random.Random):
        self.model = model
        self.config = config
        self.stream = rng
        self.accidents = accidents
        sc = config.scenario
        afg = State(model, AFG, sc.afghanistan, config.states, rng)
        pak = State(model, PAK, sc.pakistan, config.states, rng)
        afg.other, pak.other = pak, afg
        self.afg, self.pak = afg, pak
        self.by_key = {AFG: afg, PAK: pak}
        self.pair = (afg, pak)
        self.incoming: list[Incident] = []  # strikes ordered today land tomorrow
        self.retaliations = self.misattributed = 0
        self.retaliations_today = 0

    def __getitem__(self, key: str) -> State:
        return self.by_key[key]

    def __iter__(self) -> Iterator[State]:
        return iter(self.pair)

    def strikes_landing(self) -> list[Incident]:
        """Yesterday's strikes, which land today (counted as they land)."""
        landing, self.incoming = self.incoming, []
        self.retaliations_today = len(landing)
        self.retaliations += self.retaliations_today
        return landing

    # -- accidents
    def forces_clash(self, day: int, at_war: bool) -> list[Incident]:
        """Each state's forces clash by accident with chance accident_rate * (1 - expected
        penalty) (a credible penalty instils discipline), times ``war_clash_multiplier``
        while the truce is broken down; one draw serves both states."""
        m = self.model
        p = self.config.states.accident_rate * (1.0 - m.monitor.expected_penalty(day))
        if at_war:
            p = min(0.5, p * self.config.collapse.war_clash_multiplier)
        u = self.accidents.random()
        if u >= 2.0 * p:
            return []
        s = self.by_key[AFG] if u < p else self.by_key[PAK]
        return [
            m.border.new_incident(
                day, Kind.ACCIDENT, s.key, s.other.key, self.config.states.strike_casualties_mean, self.accidents
            )
        ]

    # -- responses
    def respond_to(self, incidents: list[Incident], day: int) -> None:
        """Victims respond at once by their own attribution, or to the findings now due."""
        for inc in incidents:
            if not inc.awaiting_finding:
                victim = self.by_key[inc.victim]
                self.respond(victim, inc, day, blamed=victim.blames_other_for(inc))
        monitor = self.model.monitor
        if monitor.pending:
            for inc in monitor.findings_due(day):
                self.apply_finding(inc, day)

    def apply_finding(self, inc: Incident, day: int) -> None:
        """A finding is published: the named state pays the penalty; a victim that waited
        for it responds to what it says (accidents verified as such are not answered)."""
        named = inc.finding
        self.model.log.add(day, MVM_FINDING, MECHANISM, named, detail=f"{inc.kind.value} of day {inc.day}")
        if named in self.by_key:
            self.by_key[named].penalised(self.config.mvm.penalty, wrongly=named != inc.author)
        if named not in (inc.author, UNKNOWN):
            self.mark_misattributed(inc)
        if not inc.awaiting_finding:
            return
        victim = self.by_key[inc.victim]
        if named == UNKNOWN:
            self.respond(victim, inc, day, blamed=victim.blames_other_for(inc))
        elif named == MILITANTS:
            inc.blame = MILITANTS
            victim.reassured()
        elif inc.kind is Kind.ACCIDENT and named == inc.author:
            inc.blame = named
            victim.perceive_hostile_act(inc, weight=0.5)  # a verified accident is not answered
        else:
            self.respond(victim, inc, day, blamed=True)

    def mark_misattributed(self, inc: Incident) -> None:
        if not inc.misattributed:
            inc.misattributed = True
            self.misattributed += 1

    def respond(self, victim: State, inc: Incident, day: int, blamed: bool) -> None:
        """The victim blames the other state (or not: the militants) and may strike back."""
        inc.blame = victim.other.key if blamed else MILITANTS
        if not blamed:
            return
        if inc.kind is Kind.MILITANT:
            self.mark_misattributed(inc)
        victim.perceive_hostile_act(inc)
        self.maybe_declare_void(victim, day)
        if victim.contrite_about(inc, self.config.mvm.acceptance):
            return
        m = self.model
        p = victim.retaliation_probability(
            m.monitor.expected_penalty(day), m.mediation.pressure, self.config.mediation.cost_weight
        )
        if p > 0.0 and self.stream.random() < p:
            strike = m.border.new_incident(
                day,
                Kind.RETALIATION,
                victim.key,
                victim.other.key,
                self.config.states.strike_casualties_mean,
                self.stream,
                provoked_by=inc,
            )
            self.incoming.append(strike)

    def maybe_declare_void(self, victim: State, day: int) -> None:
        """At the end of its tether, a party answers a hostile act by declaring the truce
        void, unless the mediators talk it round: a renunciation, in the log."""
        co = self.config.collapse
        truce = self.model.truce
        if (
            truce.declared_void_by is None
            and victim.grievance >= co.void_grievance
            and self.stream.random() < co.void_prob * (1.0 - self.model.mediation.pressure)
        ):
            truce.declare_void(victim.key)
            self.model.log.add(day, RENUNCIATION, victim.key, detail="the truce no longer holds")

    # -- the end of the day
    def step(self, calming: float, trade_index: float) -> None:
        for s in self.pair:
            s.end_of_day(calming, trade_index)
