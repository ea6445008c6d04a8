"""The agents: two states, the mediators, militant cells, the monitor and the crossings.

Each class docstring names the research its behaviour rests on (see ``docs/model.md``
and ``docs/context/science.md``). Agents hold their own state and small decision
rules; the order in which they act each day is in :meth:`sim.model.CeasefireModel.step`.
All randomness comes from the model's seeded streams (``model.streams``, one a process).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from .config import CrossingInit, MediatorConfig, MvmConfig, StateInit, StatesConfig
    from .model import CeasefireModel


class Kind(Enum):
    """What an incident was, in truth."""

    MILITANT = "militant"  # attack by a militant cell inside one of the states
    ACCIDENT = "accident"  # local clash by a state's own forces, not ordered
    RETALIATION = "retaliation"  # deliberate strike by one state on the other


MILITANTS = "militants"
UNKNOWN = "unknown"


@dataclass(slots=True)
class Incident:
    """One violent incident and what became known of it."""

    day: int
    kind: Kind
    author: str  # "militants" or the key of the state that fired
    victim: str  # key of the state hit
    casualties: int
    crossing: int  # index of the crossing it happened near, or -1
    attributable: bool = True
    provoked_by: Incident | None = None  # the incident a retaliation answers
    detected: bool = False
    finding: str | None = None  # whom the mechanism's finding names
    awaiting_finding: bool = False  # the victim holds its response until the finding
    misattributed: bool = False

    @property
    def state_on_state(self) -> bool:
        return self.kind is not Kind.MILITANT


def severity(casualties: int) -> float:
    """Weight of an incident in grievance: 0.5 for a bloodless one, 3 at most (assumption)."""
    return min(3.0, 0.5 + casualties / 8.0)


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

    def __init__(self, model: CeasefireModel, key: str, init: StateInit, params: StatesConfig):
        super().__init__(model)
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
        return self.model.streams.states.random() < self.blame_bias

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
        return self.model.streams.states.random() < chance

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


class Mediator(mesa.Agent):
    """Türkiye or Qatar: leverage that fades unless renewed (Beardsley, AJPS 2008; 2011).

    Leverage decays by ``leverage_decay`` a day; a round renews a share ``renewal`` of
    what was lost when ``renew_leverage`` is on. Leverage times engagement is the pressure
    the mediator brings: it calms grievances, raises the cost of striking and salvages
    rounds a party walks out of (with its credibility), as on 29-30 October 2025.
    """

    def __init__(self, model: CeasefireModel, name: str, params: MediatorConfig):
        super().__init__(model)
        self.name = name
        self.initial_leverage = params.leverage
        self.leverage = params.leverage
        self.credibility = params.credibility
        self.engagement = params.engagement

    def pressure(self) -> float:
        return self.leverage * self.engagement

    def salvage_chance(self) -> float:
        return self.leverage * self.credibility

    def fade(self, decay: float) -> None:
        self.leverage *= 1.0 - decay

    def renew(self, renewal: float) -> None:
        self.leverage += renewal * (self.initial_leverage - self.leverage)


class SpoilerCell(mesa.Agent):
    """A militant cell (TTP; a few attacks inside Afghanistan too).

    Epstein (PNAS 2002): a cell acts when its grievance exceeds its perceived risk;
    here each cell has its own activity (grievance) and risk aversion, its hazard is
    suppressed by the host state's effort and by the mechanism's chance of detecting
    it, and rises around rounds of talks (spoilers strike when talks are near).
    """

    def __init__(self, model: CeasefireModel, activity: float, risk_aversion: float):
        super().__init__(model)
        self.activity = activity
        self.risk_aversion = risk_aversion

    def attack_hazard(self, base: float, suppression: float, detection_risk: float) -> float:
        hazard = base * self.activity * max(0.0, 1.0 - suppression - self.risk_aversion * detection_risk)
        return min(1.0, hazard)


class Monitor(mesa.Agent):
    """The monitoring-and-verification mechanism (Fortna 2003; Mattes & Savun 2009, 2010).

    Once operational, it detects an incident in a watched sector with chance
    ``coverage * detection_prob``, names its author correctly with chance
    ``attribution_accuracy`` (an unattributable attack yields no name), and reports after
    ``reporting_delay_days``. Its findings change what the states believe (they reduce
    the uncertainty about intentions, Fearon 1995) and what a violation costs
    (a penalty on the verified violator: a cost-increasing provision).
    """

    def __init__(self, model: CeasefireModel, params: MvmConfig):
        super().__init__(model)
        self.params = params
        self.operational_day: int | None = params.start_day if params.start == "day" else None
        self.agreed_day: int | None = None
        self.pending: list[tuple[int, Incident]] = []
        watch = params.coverage * params.detection_prob
        self._watch = watch
        self._expected_penalty = watch * params.penalty * params.acceptance

    def agree(self, day: int) -> None:
        """A round agreed the operational details: it starts after the set-up delay."""
        if self.agreed_day is None:
            self.agreed_day = day
            if self.params.start == "agreement":
                self.operational_day = day + self.params.setup_delay_days

    def operational(self, day: int) -> bool:
        return self.operational_day is not None and day >= self.operational_day

    def detection_risk(self, day: int) -> float:
        return self._watch if self.operational(day) else 0.0

    def expected_penalty(self, day: int) -> float:
        return self._expected_penalty if self.operational(day) else 0.0

    def investigate(self, incident: Incident, day: int) -> bool:
        """Detect and attribute one incident; the finding is due after the reporting delay."""
        if not self.operational(day) or self.model.streams.monitor.random() >= self._watch:
            return False
        incident.detected = True
        if not incident.attributable:
            incident.finding = UNKNOWN
        elif self.model.streams.monitor.random() < self.params.attribution_accuracy:
            incident.finding = incident.author
        else:
            incident.finding = wrong_party(incident)
        self.pending.append((day + self.params.reporting_delay_days, incident))
        return True

    def findings_due(self, day: int) -> list[Incident]:
        if not self.pending or self.pending[0][0] > day:
            return []
        due = [inc for when, inc in self.pending if when <= day]
        self.pending = [(when, inc) for when, inc in self.pending if when > day]
        return due


def wrong_party(incident: Incident) -> str:
    """Whom a wrong finding names: the host state for a militant attack, else the victim."""
    if incident.kind is Kind.MILITANT:
        return "pakistan" if incident.victim == "afghanistan" else "afghanistan"
    return incident.victim


class Crossing(mesa.Agent):
    """A border crossing: its trucks a day, its backlog, and its reopening ramp.

    Closed since 12 October 2025 (case-facts.md). On reopening its capacity ramps from
    ``ramp_initial`` to ``surge_capacity`` of the baseline flow over ``ramp_days``,
    calibrated to the March 2025 Torkham reopening (trade back to its pre-closure level
    within about a month). Trucks queue first in, first out, so the stranded backlog
    clears first. The queue holds at most ``max_queue_days`` of baseline flow: beyond
    that, traders turn back (5,000 to 12,000 vehicles were stranded in the 27-day closure
    of 2025). Trucks are conserved: backlog + arrivals = processed + turned back + new
    backlog.
    """

    def __init__(self, model: CeasefireModel, name: str, params: CrossingInit, max_queue_days: float):
        super().__init__(model)
        self.name = name
        self.baseline = params.trucks_per_day
        self.backlog = params.backlog
        self.max_queue = max(params.backlog, max_queue_days * params.trucks_per_day)
        self.turned_back = 0.0
        self.is_open = False
        self.days_open = 0
        self.partial_capacity = 0.0  # humanitarian opening while formally closed
        self.arrived = 0.0
        self.processed = 0.0

    def open(self) -> None:
        self.is_open = True
        self.days_open = 0

    def close(self) -> None:
        self.is_open = False
        self.model.steady_trade = False  # the model's fast path no longer applies

    def capacity_share(self, ramp_initial: float, ramp_days: int, surge: float) -> float:
        """Capacity as a share of the baseline flow: the reopening ramp, or a partial opening."""
        if not self.is_open:
            return self.partial_capacity
        if self.days_open >= ramp_days:
            return surge
        return ramp_initial + (surge - ramp_initial) * self.days_open / ramp_days

    def operate(self, ramp_initial: float, ramp_days: int, surge: float, closed_arrival_share: float) -> float:
        """One day of traffic, first in first out; returns the trucks that crossed."""
        if self.is_open or self.partial_capacity > 0.0:
            arrivals = self.baseline
            queue = self.backlog + arrivals
            done = min(queue, self.baseline * self.capacity_share(ramp_initial, ramp_days, surge))
            if self.is_open:
                self.days_open += 1
        else:
            arrivals = self.baseline * closed_arrival_share
            queue = self.backlog + arrivals
            done = 0.0
        left = queue - done
        if left > self.max_queue:  # past a few days' wait, traders turn back
            self.turned_back += left - self.max_queue
            left = self.max_queue
        self.backlog = left
        self.arrived += arrivals
        self.processed += done
        return done
