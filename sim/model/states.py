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

from ..core.events import CRACKDOWN, MECHANISM, MVM_FINDING, RENUNCIATION
from .incidents import AFG, MILITANTS, PAK, STRIKES, UNKNOWN, Incident, Kind, severity

#: Kabul's TTP commitment at which its action is verified by the mechanism (the issue's
#: last position: sim/model/negotiation.py).
VERIFIED = 1.0 - 1e-9

if TYPE_CHECKING:
    from ..core.schema import ChoicesConfig, Config, StateInit, StatesConfig
    from .model import CeasefireModel


class State(mesa.Agent):
    """Afghanistan or Pakistan: trust and grievance towards the other, and the choice to strike.

    - Grievance follows Richardson's arms-race equation dx/dt = a*y - m*x + g: it grows
      with the other side's perceived hostile acts (``blame_gain``), decays by fatigue
      towards a floor (``fatigue``, ``grievance_floor``).
    - What it counts as a breach is its reading of the truce (``breaches``): Pakistan
      counts an attack by Afghan-based militants of a size as Kabul's breach (Asif, 20
      Oct 2025), a complicity and commitment problem (Fearon 1995; Walter 1997), not a
      misreading. The hurt of such an attack is weighted by its belief that Kabul *can*
      restrain the militants (Kydd & Walter, IO 2002), and it raises its belief that
      Kabul lets them act (``belief_complicity``), which is part of its trust; a crackdown
      by Kabul lowers it, the more so when verified (:meth:`credit_restraint`).
    - A party that does not count militant attacks blames the other by its own
      attribution, biased without a verified finding (``blame_bias``): when that blame is
      wrong it is the noise of Wu & Axelrod (JCR 1995).
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
        self.capability = init.capability
        self.belief_capability = init.belief_capability
        self.complicity = init.belief_complicity
        self.crackdown_until = -1  # the day its current crackdown on the militants ends
        self.crackdown_boost = 0.0  # suppression the crackdown adds while it runs
        self.named_inaction = 0.0  # will to act added by findings naming its inaction
        self.ordered_strike_on = -1  # the last day it ordered a strike (at most one a day)
        self.economic_pressure = init.trade_dependence  # the crossings are closed on day 0
        self.hostile_acts_today = 0
        self.crackdown_verified = False  # whether its crackdown under way was verified by the mechanism

    # -- militants on its soil
    def suppression(self) -> float:
        """Effort against militants on its soil; more when it trusts the other side, and
        while it cracks down."""
        return min(1.0, self.effort + self.params.effort_trust_gain * self.trust + self.crackdown_boost)

    def cracking_down(self, day: int) -> bool:
        return day <= self.crackdown_until

    # -- perception
    def blames_other_for(self, incident: Incident) -> bool:
        """Own attribution of an incident on its soil, with no finding to go by."""
        if incident.kind is Kind.STRIKE_ON_MILITANTS:
            return False  # not a breach in its reading (breaches.afghanistan_counts_strikes_on_militants)
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

    def perceive_breach_by_proxy(self, incident: Incident, choices: ChoicesConfig) -> None:
        """An attack by militants from the other's soil that it counts as the other's
        breach (Kydd & Walter 2002): it hurts in proportion to the belief that the other
        government could have stopped it, and moves the belief that it lets them act
        (complicity) towards certainty by ``complicity_learning`` times that belief; the
        belief is part of trust (trust falls by as much as complicity rises)."""
        self.perceive_hostile_act(incident, weight=self.belief_capability)
        rise = choices.complicity_learning * self.belief_capability * (1.0 - self.complicity)
        self.complicity += rise
        self.trust = max(0.0, self.trust - rise)

    def credit_restraint(self, verified: bool, choices: ChoicesConfig) -> None:
        """The other government cracked down on the militants: the belief in its
        complicity falls by ``restraint_credit`` of itself (by ``unverified_credence`` of
        that when nobody verified it), trust rises by as much, and grievance eases."""
        weight = 1.0 if verified else choices.unverified_credence
        drop = weight * choices.restraint_credit * self.complicity
        self.complicity -= drop
        self.trust = min(1.0, self.trust + drop)
        self.grievance = max(0.0, self.grievance - weight * choices.restraint_relief)

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

    def motive_margin(
        self, expected_penalty: float, mediator_pressure: float, cost_weight: float, commitment: float = 0.0
    ) -> float:
        """Epstein's rule: motive (grievance times distrust, plus domestic pressure) minus
        restraint (expected penalty, mediator pressure, economic pressure, and the cost of
        breaking a commitment on strikes agreed in modalities still in force:
        ``commitment``, Fearon, JCR 1997, tying hands) minus the threshold."""
        p = self.params
        motive = self.grievance * (1.0 - self.trust) + p.domestic_weight * self.domestic_pressure
        restraint = expected_penalty + cost_weight * mediator_pressure + p.economic_weight * self.economic_pressure
        return motive - restraint - commitment - p.retaliation_threshold

    def strike_probability(self, margin: float) -> float:
        """The threshold rule smoothed by a logistic with ``decision_noise``, less
        Wu & Axelrod's generosity."""
        p = self.params
        return (1.0 - p.generosity) * logistic(margin / p.decision_noise)

    # -- the end of the day
    def end_of_day(self, calming: float, trade_index: float, named_fade: float) -> None:
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
        if self.named_inaction:
            self.named_inaction *= named_fade
        lost = 1.0 - trade_index if trade_index < 1.0 else 0.0
        self.economic_pressure += p.economic_adjustment * (self.trade_dependence * lost - self.economic_pressure)


def logistic(x: float) -> float:
    if x < -30.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(-x))


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
        self.strikes = dict.fromkeys(STRIKES, 0)  # strikes landed, by kind
        self.retaliations = self.misattributed = self.crackdowns = 0
        self.retaliations_today = 0
        self._named_fade = math.exp(-1.0 / config.choices.named_memory_days)

    @property
    def strikes_on_militants(self) -> int:
        return self.strikes[Kind.STRIKE_ON_MILITANTS]

    @property
    def air_strikes(self) -> int:
        return self.strikes[Kind.AIR_STRIKE]

    def __getitem__(self, key: str) -> State:
        return self.by_key[key]

    def __iter__(self) -> Iterator[State]:
        return iter(self.pair)

    def strikes_landing(self) -> list[Incident]:
        """Yesterday's strikes, which land today (counted as they land, by kind)."""
        landing, self.incoming = self.incoming, []
        self.retaliations_today = len(landing)
        if landing:
            self.retaliations += self.retaliations_today
            for strike in landing:
                self.strikes[strike.kind] += 1
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
        """Victims respond at once by their reading, or to the findings now due."""
        for inc in incidents:
            if not inc.awaiting_finding:
                self.respond_by_own_reading(inc, day)
        monitor = self.model.monitor
        if monitor.pending:
            for inc in monitor.findings_due(day):
                self.apply_finding(inc, day)

    def respond_by_own_reading(self, inc: Incident, day: int) -> None:
        """A breach in the victim's reading is answered as one; anything else is blamed on
        the other state by the victim's own (biased) attribution, or on the militants."""
        victim = self.by_key[inc.victim]
        self.respond(victim, inc, day, blamed=inc.breach or victim.blames_other_for(inc))

    def apply_finding(self, inc: Incident, day: int) -> None:
        """A finding is published: the named state pays the penalty (as far as it is
        enforced); the mechanism's credibility follows whether it was right; a victim that
        waited responds to what it says (accidents verified as such are not answered).

        A finding that militants did it names the host state's inaction, when the terms
        agreed allow it and the host is not cracking down on them: Kabul's will to act rises (``named_weight``), and
        Pakistan, which counts such attacks as Kabul's breaches, is not reassured (a
        finding that "militants did it" reassures it only if Kabul is seen to act)."""
        named = inc.finding
        host = self.by_key[inc.victim].other
        monitor = self.model.monitor
        inaction = (
            inc.kind is Kind.MILITANT and named == MILITANTS and monitor.names_inaction and not host.cracking_down(day)
        )
        detail = f"{inc.kind.value} of day {inc.day}" + ("; host inaction" if inaction else "")
        self.model.log.add(day, MVM_FINDING, MECHANISM, named, detail=detail)
        if named in self.by_key or inaction:
            self.model.implementation.finding_named(named if named in self.by_key else host.key, day)
        monitor.track_record(named in (inc.author, UNKNOWN))
        if named in self.by_key:
            self.by_key[named].penalised(monitor.penalty * monitor.enforcement(), wrongly=named != inc.author)
        if named not in (inc.author, UNKNOWN):
            self.mark_misattributed(inc)
        if inaction:
            host.named_inaction += self.config.choices.named_weight
        if not inc.awaiting_finding:
            return
        victim = self.by_key[inc.victim]
        if named == UNKNOWN or (named == MILITANTS and inc.breach and inaction):
            self.respond_by_own_reading(inc, day)
        elif named == MILITANTS:
            inc.blame, inc.breach = MILITANTS, False
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
        """The victim blames the other state (or not: the militants) and may strike back.

        An attack the victim counts as the other's breach hurts as a breach by proxy
        (:meth:`State.perceive_breach_by_proxy`); one it blames on the other by its own
        attribution is a misattribution (the militants did it); a strike on militants on
        its soil weighs ``strike_on_militants_weight`` of a strike on its forces. Then the
        choice (:meth:`choose_answer`)."""
        inc.blame = victim.other.key if blamed else MILITANTS
        if not blamed:
            return
        if inc.kind is Kind.MILITANT:
            if inc.breach:
                victim.perceive_breach_by_proxy(inc, self.config.choices)
                self.model.implementation.attack_counted(day)
            else:
                self.mark_misattributed(inc)
                victim.perceive_hostile_act(inc)
        elif inc.kind is Kind.STRIKE_ON_MILITANTS:
            victim.perceive_hostile_act(inc, weight=self.config.breaches.strike_on_militants_weight)
        else:
            victim.perceive_hostile_act(inc)
        self.maybe_declare_void(victim, day)
        if inc.kind in STRIKES and victim.key == AFG:
            self.maybe_suspend_trade(day)
        if victim.contrite_about(inc, self.model.monitor.credibility):
            return
        self.choose_answer(victim, inc, day)

    def choose_answer(self, victim: State, inc: Incident, day: int) -> None:
        """Hold, or strike: Epstein's threshold rule (:meth:`State.motive_margin`) says
        whether. Kabul answers on the border. Pakistan answers fire on the border, and a
        militant attack with a strike inside Afghanistan: deniable, on the militants, or,
        when its motive clears the threshold by ``overt_margin`` or more (the logistic's
        midpoint), an overt air strike on Afghan targets ("retaliation deep into
        Afghanistan", Asif, 29 Oct 2025). A breach Pakistan leaves unanswered after its
        public threat costs it domestic pressure (an audience cost: Fearon, APSR 1994).
        A state orders at most one strike a day, whatever the number of hostile acts it
        answers (otherwise chains of strikes, each answered, pile up without bound when
        neither side is generous)."""
        m, st, ch = self.model, self.config.states, self.config.choices
        if victim.ordered_strike_on == day:
            return  # one strike a day answers all of the day's hostile acts
        margin = victim.motive_margin(
            m.monitor.expected_penalty(day),
            m.mediation.pressure,
            self.config.mediation.cost_weight,
            self.commitment_cost(victim),
        )
        p = victim.strike_probability(margin)
        if not (p > 0.0 and self.stream.random() < p):
            if victim.key == PAK and inc.breach and day >= ch.threat_day:
                victim.domestic_pressure = min(1.0, victim.domestic_pressure + ch.audience_cost)
            return
        kind, mean = Kind.RETALIATION, st.strike_casualties_mean
        if victim.key == PAK and inc.kind is Kind.MILITANT:
            if self.stream.random() < logistic((margin - ch.overt_margin) / st.decision_noise):
                kind, mean = Kind.AIR_STRIKE, ch.overt_casualties_mean
            else:
                kind = Kind.STRIKE_ON_MILITANTS
        victim.ordered_strike_on = day
        if victim.key == PAK:
            m.implementation.struck(day)
        strike = m.border.new_incident(day, kind, victim.key, victim.other.key, mean, self.stream, provoked_by=inc)
        if kind is Kind.STRIKE_ON_MILITANTS:
            strike.breach = self.config.breaches.afghanistan_counts_strikes_on_militants
        self.incoming.append(strike)

    def commitment_cost(self, state: State) -> float:
        """What breaking Pakistan's agreed restraint on strikes costs it, while the
        provision is in force (sim/model/implementation.py); Kabul made no such commitment."""
        if state.key != PAK:
            return 0.0
        return self.config.negotiation.strike_commitment_weight * self.model.implementation.level("strike_restraint")

    def delivery_seen(self, day: int) -> float:
        """What Pakistan can verify of Kabul's action against the TTP today: a crackdown
        under way, in full when the mechanism verified it, at ``unverified_credence`` when
        nobody did; a promise on paper counts for nothing (science.md: a promise is not
        delivery)."""
        afg = self.afg
        if not afg.cracking_down(day):
            return 0.0
        return 1.0 if afg.crackdown_verified else self.config.choices.unverified_credence

    def maybe_suspend_trade(self, day: int) -> None:
        """Kabul answers a Pakistani strike on its soil by suspending trade from its side
        (``suspend_trade_prob``, for ``suspension_days``)."""
        ch = self.config.choices
        if ch.suspend_trade_prob and self.stream.random() < ch.suspend_trade_prob:
            self.model.border.suspend_trade(day, ch.suspension_days)

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

    # -- Kabul's choice
    def kabul_decides(self, day: int) -> None:
        """Kabul cracks down on the TTP (arrests, relocation away from the border) or looks
        away. Its will to act: the mediators' pressure, its economic pressure (the closed
        border) and the findings that named its inaction, against the cost to its
        cohesion (``restraint_cost``), through a logistic; the daily chance is
        ``crackdown_rate`` times that will times its capability (Kabul says it cannot stop
        the TTP: 28 Oct 2025; Byman 2005 on passive support). A crackdown suppresses the
        cells for ``crackdown_days``; the mechanism may verify it, and Pakistan credits it
        (:meth:`State.credit_restraint`)."""
        afg = self.afg
        if afg.cracking_down(day):
            return
        if afg.crackdown_boost:
            afg.crackdown_boost = 0.0
        ch = self.config.choices
        will = (
            ch.crackdown_leverage_weight * self.model.mediation.pressure
            + ch.crackdown_economic_weight * afg.economic_pressure
            + afg.named_inaction
            + self.config.negotiation.ttp_commitment_weight * self.model.implementation.level("ttp_steps")
            - ch.restraint_cost
        )
        p = ch.crackdown_rate * afg.capability * logistic(will / ch.crackdown_noise)
        if p <= 0.0 or self.stream.random() >= p:
            return
        afg.crackdown_until = day + ch.crackdown_days - 1
        afg.crackdown_boost = ch.crackdown_effect * afg.capability
        afg.named_inaction = 0.0
        self.crackdowns += 1
        monitor = self.model.monitor
        agreed = self.model.implementation.level("ttp_steps")
        verified = monitor.verifies(day) or (agreed >= VERIFIED and monitor.operational(day))
        afg.crackdown_verified = verified
        self.model.log.add(day, CRACKDOWN, AFG, MILITANTS, detail="verified" if verified else "unverified")
        self.model.implementation.steps_taken(day)
        self.pak.credit_restraint(verified, ch)

    # -- the end of the day
    def step(self, calming: float, trade_index: float) -> None:
        for s in self.pair:
            s.end_of_day(calming, trade_index, self._named_fade)
