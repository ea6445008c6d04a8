"""CeasefireModel: one replicate of the Afghanistan-Pakistan truce, one step a day.

Day 0 is 19 October 2025, the Doha ceasefire; the crossings have been closed since
12 October. :meth:`CeasefireModel.step` is the day, in the order described in the ODD
protocol of ``docs/model.md``:

1. a round of talks ends, if one is due (agree, extend, or break down);
2. militant cells attack;
3. the states' forces clash by accident;
4. the incidents land: casualties, crossings closed, the monitor investigates;
5. the states respond: to what they perceive now, and to the findings now due;
6. Pakistan reopens crossings, and the crossings carry the day's trucks;
7. the states adjust (fatigue, calming, trust, economic pressure);
8. the mediators' leverage fades;
9. the truce collapses if hostilities are sustained or a party declares it void; the
   hostility index then fades overnight.
"""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from typing import Any

import mesa
import numpy as np

from .agents import (
    MILITANTS,
    UNKNOWN,
    Crossing,
    Incident,
    Kind,
    Mediator,
    Monitor,
    SpoilerCell,
    State,
)
from .config import Config, Round

AFG, PAK = "afghanistan", "pakistan"

# Mesa logs every step at INFO; Hydra's logging setup would print 365 lines a replicate.
logging.getLogger("MESA").setLevel(logging.WARNING)

#: Daily series every replicate records (day 0 included).
SERIES = (
    "trade_index",
    "trust_afg_in_pak",
    "trust_pak_in_afg",
    "grievance_afg",
    "grievance_pak",
    "open_crossings",
    "stranded_trucks",
    "incidents",
    "retaliations",
)


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


@dataclass(frozen=True)
class RandomStreams:
    """One generator per stochastic process, for common random numbers.

    Each process (militant attacks, accidental clashes, the monitor, the states' choices,
    the talks, the crossings) draws from its own stream, spawned from the replicate's
    seed with ``numpy.random.SeedSequence``. Replicate i of two sweep points then sees
    the same militant attacks and the same accidents for as long as the two histories
    agree, rather than draws shifted by a single extra draw elsewhere, so differences
    between points are paired (common random numbers; Law, *Simulation Modeling and
    Analysis*, 5th ed., sec. 11.2).
    """

    militants: random.Random
    accidents: random.Random
    monitor: random.Random
    states: random.Random
    talks: random.Random
    crossings: random.Random

    @classmethod
    def spawn(cls, seed: int | None) -> RandomStreams:
        names = [f.name for f in cls.__dataclass_fields__.values()]
        children = np.random.SeedSequence(seed).spawn(len(names))
        return cls(**{n: random.Random(int(c.generate_state(1, np.uint64)[0])) for n, c in zip(names, children, strict=True)})


class CeasefireModel(mesa.Model):
    """One replicate. ``config`` is a validated :class:`sim.config.Config`; ``rng`` a seed."""

    def __init__(self, config: Config, rng: int | None = None, horizon: int | None = None):
        super().__init__(rng=rng)
        self.streams = RandomStreams.spawn(rng)
        self.config = config
        self.horizon = config.run.horizon_days if horizon is None else horizon
        sc = config.scenario

        self.states = {
            AFG: State(self, AFG, sc.afghanistan, config.states),
            PAK: State(self, PAK, sc.pakistan, config.states),
        }
        self.states[AFG].other = self.states[PAK]
        self.states[PAK].other = self.states[AFG]
        self.state_list = list(self.states.values())
        self.mediators = [Mediator(self, name, m) for name, m in config.mediation.mediators.items()]
        sp = config.spoilers
        militants = self.streams.militants
        self.spoilers = [
            SpoilerCell(self, activity=militants.uniform(0.5, 1.5), risk_aversion=sp.risk_aversion * militants.uniform(0.5, 1.5))
            for _ in range(sp.cells)
        ]
        mean_activity = sum(c.activity for c in self.spoilers) / sp.cells
        for cell in self.spoilers:  # keep the all-cell rate at spoilers.attack_rate
            cell.activity /= mean_activity
        self.monitor = Monitor(self, config.mvm)
        self.crossings = [
            Crossing(self, name, c, config.crossings.max_queue_days) for name, c in sc.crossings.items()
        ]
        self.baseline_trucks = sum(c.baseline for c in self.crossings)
        self.initial_trucks = sum(c.backlog for c in self.crossings)
        self._crossing_weights = [c.baseline for c in self.crossings]

        self.rounds = {r.end_day: r for r in round_calendar(config, self.horizon)}
        w = sp.surge_window_days
        self.surge_days = {
            d for r in self.rounds.values() for d in range(r.start_day - w, r.end_day + w + 1)
        }
        self._hostility_decay = math.exp(-1.0 / config.collapse.hostility_memory_days)
        mvm = config.mvm  # chance a victim waits for a finding: patience against the delay
        self._p_wait = mvm.acceptance * math.exp(-mvm.reporting_delay_days / config.states.patience_days)

        # the state of the truce
        self.day = 0
        self.alive = True
        self.collapse_day: int | None = None
        self.collapse_cause: str | None = None
        self.declared_void_by: str | None = None
        self.hostility = 0.0
        self.mediator_pressure = self._combined_pressure()
        self.last_serious_day = 0  # the fighting ran up to the ceasefire
        self.trade_index = 0.0
        self.open_crossings = 0
        self.stranded_trucks = self.initial_trucks
        self.first_reopen_day: int | None = None
        self.steady_trade = False  # all crossings open at baseline flow: a fast path
        self.steady_days = 0  # days on that path (arrivals = trucks through = baseline)
        self.incoming: list[Incident] = []  # strikes ordered today land tomorrow
        self.counts = dict.fromkeys(
            ("incidents", "detected", "misattributed", "retaliations", "casualties",
             "rounds_agreed", "rounds_salvaged", "rounds_failed"), 0
        )
        self.incidents_today = self.retaliations_today = 0
        self.rows: list[tuple] = []
        self.record()

    # ------------------------------------------------------------------ the day

    def step(self) -> None:
        self.day += 1  # our own counter: Mesa's observable `steps` is slower to read
        day = self.day
        self.incidents_today = self.retaliations_today = 0
        if day in self.rounds:
            self.hold_round(self.rounds[day])
        incidents = self.incoming
        self.incoming = []
        incidents += self.militants_attack(day)
        incidents += self.forces_clash(day)
        self.incidents_land(incidents, day)
        self.states_respond(incidents, day)
        self.crossings_operate(day)
        self.states_adjust()
        self.mediators_adjust()
        self.check_collapse(day)
        self.record()

    # 1. rounds of talks
    def hold_round(self, rnd: Round) -> None:
        """A round ends: agreement (details of the mechanism, trust up), or a walk-out that
        the mediators may salvage (the truce is extended), or a breakdown."""
        r = self.config.rounds
        afg, pak = self.states[AFG], self.states[PAK]
        trust = (afg.trust + pak.trust) / 2
        grievance = (afg.grievance + pak.grievance) / 2
        p_agree = r.agreement_base + r.trust_weight * trust + r.leverage_weight * self.mediator_pressure - r.grievance_weight * grievance
        if self.streams.talks.random() < p_agree:
            self.counts["rounds_agreed"] += 1
            self.monitor.agree(self.day)
            for s in (afg, pak):
                s.trust = min(1.0, s.trust + self.config.states.round_trust_gain)
            self.renew_leverage()
        elif self.streams.talks.random() < self._salvage_chance():
            self.counts["rounds_salvaged"] += 1
            self.renew_leverage()
        else:
            self.counts["rounds_failed"] += 1
            for s in (afg, pak):
                s.grievance = min(1.0, s.grievance + r.breakdown_grievance)

    def renew_leverage(self) -> None:
        m = self.config.mediation
        if m.renew_leverage:
            for med in self.mediators:
                med.renew(m.renewal)
            self.mediator_pressure = self._combined_pressure()

    # 2. militants
    def militants_attack(self, day: int) -> list[Incident]:
        """Each cell may strike inside Pakistan (its host: Afghanistan) or Afghanistan.

        Cell c strikes in Pakistan with probability p_c = base * activity_c *
        max(0, 1 - host suppression - risk_aversion_c * detection risk) (see
        :class:`SpoilerCell`), likewise in Afghanistan. While the summed hazard is below 1
        the cells compete for one draw a day (at most one attack a day, each with its exact
        probability); above it, every cell draws on its own.
        """
        sp = self.config.spoilers
        base = sp.attack_rate / sp.cells * (sp.round_surge if day in self.surge_days else 1.0)
        if base <= 0.0:
            return []
        share_afg = sp.target_afghanistan_share
        supp_afg = self.states[AFG].suppression()  # Kabul hosts the cells hitting Pakistan
        supp_pak = self.states[PAK].suppression()
        base_pak, base_afg = base * (1.0 - share_afg), base * share_afg
        # an upper bound of the summed hazard (activities average 1; deterrence only lowers it)
        bound = (base_pak * max(0.0, 1.0 - supp_afg) + base_afg * max(0.0, 1.0 - supp_pak)) * sp.cells
        u = self.streams.militants.random()
        if u >= bound:
            return []  # the usual quiet day: one draw
        risk = self.monitor.detection_risk(day)
        if bound >= 1.0:
            return self._independent_attacks(base_pak, base_afg, supp_afg, supp_pak, risk)
        cumulative = 0.0
        for cell in self.spoilers:
            cumulative += cell.attack_hazard(base_pak, supp_afg, risk)
            if u < cumulative:
                return [self.militant_attack_on(PAK)]
            cumulative += cell.attack_hazard(base_afg, supp_pak, risk)
            if u < cumulative:
                return [self.militant_attack_on(AFG)]
        return []

    def _independent_attacks(self, base_pak: float, base_afg: float, supp_afg: float, supp_pak: float, risk: float) -> list[Incident]:
        attacks = []
        for cell in self.spoilers:
            p_pak = cell.attack_hazard(base_pak, supp_afg, risk)
            p_afg = cell.attack_hazard(base_afg, supp_pak, risk)
            u = self.streams.militants.random()
            if u < p_pak:
                attacks.append(self.militant_attack_on(PAK))
            elif u < p_pak + p_afg:
                attacks.append(self.militant_attack_on(AFG))
        return attacks

    def militant_attack_on(self, victim: str) -> Incident:
        sp = self.config.spoilers
        attack = self.new_incident(Kind.MILITANT, MILITANTS, victim, sp.casualties_mean, self.streams.militants)
        attack.attributable = self.streams.militants.random() >= sp.unattributable_share
        return attack

    # 3. accidents
    def forces_clash(self, day: int) -> list[Incident]:
        """Each state's forces clash by accident with chance accident_rate * (1 - expected
        penalty) (a credible penalty instils discipline); one draw serves both states."""
        p = self.config.states.accident_rate * (1.0 - self.monitor.expected_penalty(day))
        u = self.streams.accidents.random()
        if u >= 2.0 * p:
            return []
        s = self.states[AFG] if u < p else self.states[PAK]
        return [self.new_incident(Kind.ACCIDENT, s.key, s.other.key, self.config.states.strike_casualties_mean, self.streams.accidents)]

    def new_incident(self, kind: Kind, author: str, victim: str, casualty_mean: float, rng: random.Random, provoked_by: Incident | None = None) -> Incident:
        """An incident: where it happens (near a crossing or not) and its casualties, drawn
        from the stream of the process that caused it."""
        near = rng.random() < self.config.crossings.near_crossing_share
        crossing = rng.choices(range(len(self.crossings)), self._crossing_weights)[0] if near else -1
        # exponential draw rounded to the nearest whole casualty: mean ~ casualty_mean
        casualties = int(rng.expovariate(1.0 / casualty_mean) + 0.5) if casualty_mean > 0 else 0
        return Incident(self.day, kind, author, victim, casualties, crossing, provoked_by=provoked_by)

    # 4. incidents land
    def incidents_land(self, incidents: list[Incident], day: int) -> None:
        """Count, hurt, close crossings, feed the hostility index; the monitor investigates,
        and the victim of a detected incident may hold its response until the finding
        (less likely the longer the reporting delay)."""
        if not incidents:
            return
        co = self.config.collapse
        p_wait = self._p_wait
        for inc in incidents:
            self.counts["incidents"] += 1
            self.incidents_today += 1
            self.counts["casualties"] += inc.casualties
            self.states[inc.victim].suffer(inc)
            if inc.state_on_state:
                self.hostility += co.accident_weight if inc.kind is Kind.ACCIDENT else 1.0
            self.close_crossings_after(inc, day)
            if self.monitor.investigate(inc, day):
                self.counts["detected"] += 1
                inc.awaiting_finding = self.streams.monitor.random() < p_wait

    def close_crossings_after(self, inc: Incident, day: int) -> None:
        """Pakistan shuts every crossing after a deliberate strike (as on 11-12 October);
        a serious incident near a crossing shuts that one. Either restarts the calm count."""
        serious = inc.casualties >= self.config.crossings.serious_casualties
        if inc.state_on_state or serious:
            self.last_serious_day = day
        if inc.kind is Kind.RETALIATION:
            for c in self.crossings:
                c.close()
        elif serious and inc.crossing >= 0:
            self.crossings[inc.crossing].close()

    # 5. the states respond
    def states_respond(self, incidents: list[Incident], day: int) -> None:
        """Victims respond at once by their own attribution, or to the findings now due."""
        for inc in incidents:
            if not inc.awaiting_finding:
                victim = self.states[inc.victim]
                self.respond(victim, inc, blamed=victim.blames_other_for(inc))
        if self.monitor.pending:
            for inc in self.monitor.findings_due(day):
                self.apply_finding(inc)

    def apply_finding(self, inc: Incident) -> None:
        """A finding is published: the named state pays the penalty; a victim that waited
        for it responds to what it says (accidents verified as such are not answered)."""
        named = inc.finding
        if named in self.states:
            self.states[named].penalised(self.config.mvm.penalty, wrongly=named != inc.author)
        if named not in (inc.author, UNKNOWN):
            self.mark_misattributed(inc)
        if not inc.awaiting_finding:
            return
        victim = self.states[inc.victim]
        if named == UNKNOWN:
            self.respond(victim, inc, blamed=victim.blames_other_for(inc))
        elif named == MILITANTS:
            victim.reassured()
        elif inc.kind is Kind.ACCIDENT and named == inc.author:
            victim.perceive_hostile_act(inc, weight=0.5)  # a verified accident is not answered
        else:
            self.respond(victim, inc, blamed=True)

    def mark_misattributed(self, inc: Incident) -> None:
        if not inc.misattributed:
            inc.misattributed = True
            self.counts["misattributed"] += 1

    def respond(self, victim: State, inc: Incident, blamed: bool) -> None:
        """The victim blames the other state (or not) and may strike back."""
        if not blamed:
            return
        if inc.kind is Kind.MILITANT:
            self.mark_misattributed(inc)
        victim.perceive_hostile_act(inc)
        self.maybe_declare_void(victim)
        if victim.contrite_about(inc, self.config.mvm.acceptance):
            return
        p = victim.retaliation_probability(
            self.monitor.expected_penalty(self.day), self.mediator_pressure, self.config.mediation.cost_weight
        )
        if p > 0.0 and self.streams.states.random() < p:
            self.counts["retaliations"] += 1
            self.retaliations_today += 1
            strike = self.new_incident(
                Kind.RETALIATION, victim.key, victim.other.key,
                self.config.states.strike_casualties_mean, self.streams.states, provoked_by=inc,
            )
            self.incoming.append(strike)

    def maybe_declare_void(self, victim: State) -> None:
        """At the end of its tether, a party answers a hostile act by declaring the truce
        void, unless the mediators talk it round."""
        co = self.config.collapse
        if (
            self.declared_void_by is None
            and victim.grievance >= co.void_grievance
            and self.streams.states.random() < co.void_prob * (1.0 - self.mediator_pressure)
        ):
            self.declared_void_by = victim.key

    # 6. crossings and trade
    def crossings_operate(self, day: int) -> None:
        cc = self.config.crossings
        if cc.reopen_rule == "humanitarian" and day >= cc.humanitarian_day:
            for c in self.crossings:
                c.partial_capacity = cc.humanitarian_capacity
        if self.reopening_allowed(day):
            pak = self.states[PAK]
            p = cc.reopen_prob * min(1.0, 0.5 + pak.economic_pressure + pak.trust)
            closed = [c for c in self.crossings if not c.is_open]
            if closed and self.streams.crossings.random() < p:
                for c in closed:
                    c.open()
                if self.first_reopen_day is None:
                    self.first_reopen_day = day
        if self.steady_trade:
            self.steady_days += 1  # every crossing open, ramped up, no queue: trade at baseline
            self.trade_index = 1.0
            return
        trucks = 0.0
        self.open_crossings = 0
        self.stranded_trucks = 0.0
        for c in self.crossings:
            trucks += c.operate(cc.ramp_initial, cc.ramp_days, cc.surge_capacity, cc.closed_arrival_share)
            self.open_crossings += c.is_open
            self.stranded_trucks += c.backlog
        self.trade_index = trucks / self.baseline_trucks
        self.steady_trade = self.stranded_trucks == 0.0 and all(
            c.is_open and c.days_open >= cc.ramp_days for c in self.crossings
        )

    def reopening_allowed(self, day: int) -> bool:
        """Pakistan's rule: enough quiet days, and for the 'agreement' rule an agreed mechanism."""
        cc = self.config.crossings
        if day - self.last_serious_day < cc.reopen_calm_days:
            return False
        return cc.reopen_rule != "agreement" or self.monitor.agreed_day is not None

    # 7-8. adjustments
    def states_adjust(self) -> None:
        calming = self.config.mediation.calming * self.mediator_pressure
        for s in self.state_list:
            s.end_of_day(calming, self.trade_index)

    def mediators_adjust(self) -> None:
        if self.mediators:
            decay = self.config.mediation.leverage_decay
            for m in self.mediators:
                m.fade(decay)
            self.mediator_pressure = self._combined_pressure()

    def _combined_pressure(self) -> float:
        """Chance that at least one mediator's pressure bites: 1 - prod(1 - leverage*engagement)."""
        return at_least_one(m.pressure() for m in self.mediators)

    def _salvage_chance(self) -> float:
        """Chance that at least one mediator salvages a round: 1 - prod(1 - leverage*credibility)."""
        return at_least_one(m.salvage_chance() for m in self.mediators)

    # 9. collapse
    def check_collapse(self, day: int) -> None:
        """Sustained state-on-state hostilities end the truce; so does a declaration
        (made in :meth:`maybe_declare_void`, in answer to a hostile act)."""
        if self.hostility >= self.config.collapse.hostility_threshold:
            self.end_truce(day, "hostilities")
        elif self.declared_void_by is not None:
            self.end_truce(day, f"void_{self.declared_void_by}")
        self.hostility *= self._hostility_decay  # memory fades overnight

    def end_truce(self, day: int, cause: str) -> None:
        self.alive = False
        self.running = False
        self.collapse_day = day
        self.collapse_cause = cause
        for c in self.crossings:
            c.close()
            c.partial_capacity = 0.0

    # ------------------------------------------------------------------ records

    def record(self) -> None:
        """Append today's values of :data:`SERIES` (one tuple a day: cheap)."""
        afg, pak = self.states[AFG], self.states[PAK]
        self.rows.append((
            self.trade_index,
            afg.trust,
            pak.trust,
            afg.grievance,
            pak.grievance,
            self.open_crossings,
            self.stranded_trucks,
            self.incidents_today,
            self.retaliations_today,
        ))

    def run_until(self, day: int) -> None:
        """Step to ``day`` (or the horizon, or the collapse, whichever comes first)."""
        while self.running and self.day < min(day, self.horizon):
            self.step()

    def reseed(self, seed: int) -> None:
        """Draw everything from now on from the streams of ``seed`` (used to go on from a
        replayed history: sim/parameters.py)."""
        self.streams = RandomStreams.spawn(seed)

    def replay(self, day: int, seed: int, check: Any = None) -> Any:
        """Step the history drawn from this model's seed to ``day``, then go on with the
        streams of ``seed``. ``check(model)``, if given, runs in between (on a model that
        reached ``day``) and its result is returned."""
        self.run_until(day)
        result = check(self) if check is not None and self.horizon >= day else None
        self.reseed(seed)
        return result

    def run(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Run to the horizon or the collapse; return the outcome row and the daily series.

        After the day of a collapse the series are padded: no trade, no crossing open,
        trust, grievance and stranded trucks frozen, no further incident recorded.
        """
        self.run_until(self.horizon)
        series = self.padded_series()
        return self.outcome(series["trade_index"]), series

    def padded_series(self) -> dict[str, np.ndarray]:
        """The daily series, day 0 to the horizon, padded after a collapse."""
        table = np.asarray(self.rows, dtype=float)
        out = {}
        n = self.horizon + 1
        for j, key in enumerate(SERIES):
            arr = np.empty(n)
            arr[: len(table)] = table[:, j]
            arr[len(table):] = 0.0 if key in ("trade_index", "open_crossings", "incidents", "retaliations") else table[-1, j]
            out[key] = arr
        return out

    def outcome(self, trade: np.ndarray) -> dict[str, Any]:
        """The outcome row, given the padded daily trade index (day 0 to the horizon)."""
        usd = self.config.scenario.trade_usd_per_day
        lost_days = (1.0 - trade[1:]).sum()  # padding after a collapse counts as a day lost
        return {
            "truce_days": self.collapse_day if self.collapse_day is not None else self.horizon,
            "collapsed": not self.alive,
            "collapse_cause": self.collapse_cause,
            "trade_days_to_50": first_day_at_least(trade, 0.5),
            "trade_days_to_90": first_day_at_least(trade, 0.9),
            "trade_loss_usd": float(lost_days * usd),
            "incidents": self.counts["incidents"],
            "detected": self.counts["detected"],
            "misattributed": self.counts["misattributed"],
            "retaliations": self.counts["retaliations"],
            "casualties": self.counts["casualties"],
            "mvm_operational_day": _nan_if_none(self.monitor.operational_day if self.monitor.operational(self.day) else None),
            "first_reopen_day": _nan_if_none(self.first_reopen_day),
            "rounds_agreed": self.counts["rounds_agreed"],
            "rounds_salvaged": self.counts["rounds_salvaged"],
            "rounds_failed": self.counts["rounds_failed"],
        }

    def trucks_balance(self) -> float:
        """Initial backlog + arrivals - processed - turned back - final backlog: zero when
        trucks are conserved."""
        arrived = sum(c.arrived for c in self.crossings) + self.steady_days * self.baseline_trucks
        gone = sum(c.processed + c.turned_back + c.backlog for c in self.crossings)
        gone += self.steady_days * self.baseline_trucks
        return self.initial_trucks + arrived - gone


def at_least_one(probabilities) -> float:
    """Chance that at least one of independent events happens: 1 - prod(1 - p)."""
    return 1.0 - math.prod(1.0 - p for p in probabilities)


def first_day_at_least(series: np.ndarray, level: float) -> float:
    hits = np.flatnonzero(series >= level)
    return float(hits[0]) if hits.size else math.nan


def _nan_if_none(value: int | None) -> float:
    return math.nan if value is None else float(value)

