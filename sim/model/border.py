"""The border: its crossings, the trucks they carry, Pakistan's decision to reopen them, and the
trade a long closure diverts to other routes."""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

import mesa

from ..core.events import AFGHANISTAN, CROSSING_CLOSED, CROSSING_REOPENED, PAKISTAN
from .incidents import STRIKES, Incident, Kind
from .states import logistic

if TYPE_CHECKING:
    from ..core.schema import CrossingInit, CrossingsConfig, ScenarioConfig
    from .eventlog import EventLog
    from .states import State


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

    def __init__(self, border: Border, name: str, params: CrossingInit, config: CrossingsConfig):
        super().__init__(border.model)
        self.border = border
        self.name = name
        self.baseline = params.trucks_per_day
        self.backlog = params.backlog
        self.max_queue = max(params.backlog, config.max_queue_days * params.trucks_per_day)
        # the ramp and the trickle of a closed crossing, read once (the configuration is fixed for a run)
        self.ramp_initial, self.ramp_days, self.surge = config.ramp_initial, config.ramp_days, config.surge_capacity
        self.closed_arrivals = self.baseline * config.closed_arrival_share  # a day's arrivals at full demand
        self.turned_back = 0.0
        self.is_open = False
        self.days_open = 0
        self.partial_capacity = 0.0  # humanitarian opening while formally closed
        self.arrived = 0.0
        self.processed = 0.0

    def open(self, day: int, detail: str | None = None) -> None:
        if not self.is_open:
            self.border.open_now += 1
        self.is_open = True
        self.days_open = 0
        self.border.log.add(day, CROSSING_REOPENED, PAKISTAN, crossing=self.name, detail=detail)

    def close(self, day: int, by: str = PAKISTAN) -> None:
        if self.is_open:
            self.border.log.add(day, CROSSING_CLOSED, by, crossing=self.name)
            self.border.open_now -= 1
        self.is_open = False
        self.border.steady_trade = False  # the border's fast path no longer applies

    def open_lane(self, day: int, capacity: float) -> None:
        """An aid lane through a closed crossing: people and humanitarian goods (reduced
        capacity; a lane for people only carries no trucks)."""
        if self.partial_capacity < capacity and not self.is_open:
            self.border.log.add(day, CROSSING_REOPENED, PAKISTAN, crossing=self.name, detail="aid lane")
        self.partial_capacity = max(self.partial_capacity, capacity)

    def close_lane(self, day: int) -> None:
        if self.partial_capacity > 0.0 and not self.is_open:
            self.border.log.add(day, CROSSING_CLOSED, PAKISTAN, crossing=self.name, detail="aid lane")
        self.partial_capacity = 0.0

    def capacity_share(self) -> float:
        """Capacity as a share of the baseline flow: the reopening ramp, or a partial opening."""
        if not self.is_open:
            return self.partial_capacity
        if self.days_open >= self.ramp_days:
            return self.surge
        return self.ramp_initial + (self.surge - self.ramp_initial) * self.days_open / self.ramp_days

    def operate(self, demand: float) -> float:
        """One day of traffic, first in first out; returns the trucks that crossed. Arrivals
        are the baseline times ``demand`` (what has not been diverted to other routes)."""
        if self.is_open or self.partial_capacity > 0.0:
            arrivals = self.baseline * demand
            queue = self.backlog + arrivals
            capacity = self.baseline * self.capacity_share()
            done = queue if queue < capacity else capacity  # min(queue, capacity), without the call
            if self.is_open:
                self.days_open += 1
        else:
            arrivals = self.closed_arrivals * demand
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


class Border:
    """The crossings together: where incidents happen, which close them, when Pakistan
    reopens them, the day's trade, and the trade that goes elsewhere.

    Pakistan shuts every crossing after a deliberate strike (as on 11-12 October 2025) and
    a crossing near a serious incident. Reopening is Pakistan's decision
    (:meth:`reopen_chance`), never while the truce is broken down nor while Kabul
    suspends trade (:meth:`suspend_trade`). A lane for people, or people and humanitarian
    goods, can run through the closed crossings (``aid_lane``; Torkham reopened for
    returning refugees only on 1 November 2025). A long closure diverts Afghan trade to
    other routes with hysteresis (:meth:`divert`). Closures and reopenings go to the log.
    """

    def __init__(
        self,
        model: mesa.Model,
        scenario: ScenarioConfig,
        config: CrossingsConfig,
        rng: random.Random,
        log: EventLog,
    ):
        self.model = model
        self.config = config
        self.log = log
        self.stream = rng
        self.open_now = 0  # crossings open for trade right now (kept by Crossing.open and close)
        self.crossings = tuple(Crossing(self, name, c, config) for name, c in scenario.crossings.items())
        self.baseline_trucks = sum(c.baseline for c in self.crossings)
        self.initial_trucks = sum(c.backlog for c in self.crossings)
        self._weights = [c.baseline for c in self.crossings]
        usd = scenario.bilateral_usd_per_day + scenario.transit_usd_per_day
        self._transit_share = scenario.transit_usd_per_day / usd if usd > 0 else 0.0
        self.last_serious_day = 0  # the fighting ran up to the ceasefire
        self.trade_index = 0.0
        self.open_crossings = 0
        self.stranded_trucks = self.initial_trucks
        self.first_reopen_day: int | None = None
        self.steady_trade = False  # all crossings open at the day's demand, no queue: a fast path
        self.steady_trucks = 0.0  # trucks through (= arrivals) on that path
        self.suspended_until = 0  # Kabul suspends trade from its side until this day
        self.suspensions = 0
        self.local_dispute = scenario.closure_cause == "local"  # the day-0 closure is over a local dispute
        self.closed_run = scenario.closed_days  # days every crossing has been shut for trade (12 Oct 2025: 7)
        self.diverted = {"bilateral": 0.0, "transit": 0.0}  # share of each trade gone to other routes
        self.peak_diverted = dict(self.diverted)
        self.demand = 1.0  # arrivals as a share of the baseline (1 - the diverted share of trucks)
        self.diverted_share = 0.0  # 1 - demand
        self._scenario = scenario
        self.bilateral_usd = self.transit_usd = 0.0  # today's trade, US$
        self._return = math.exp(-1.0 / config.return_days)

    # -- incidents
    def new_incident(
        self,
        day: int,
        kind: Kind,
        author: str,
        victim: str,
        casualty_mean: float,
        rng: random.Random,
        provoked_by: Incident | None = None,
    ) -> Incident:
        """An incident with casualties drawn from an exponential with mean ``casualty_mean``
        (rounded to the nearest whole casualty), placed by :meth:`place_incident`."""
        casualties = int(rng.expovariate(1.0 / casualty_mean) + 0.5) if casualty_mean > 0 else 0
        return self.place_incident(day, kind, author, victim, casualties, rng, provoked_by)

    def place_incident(
        self,
        day: int,
        kind: Kind,
        author: str,
        victim: str,
        casualties: int,
        rng: random.Random,
        provoked_by: Incident | None = None,
    ) -> Incident:
        """An incident: where it happens (near a crossing or not), drawn from the stream of
        the process that caused it. Fire between the states' forces is a breach in the
        victim's reading; an overt air strike is never near a crossing."""
        near = kind is not Kind.AIR_STRIKE and rng.random() < self.config.near_crossing_share
        crossing = rng.choices(range(len(self.crossings)), self._weights)[0] if near else -1
        inc = Incident(day, kind, author, victim, casualties, crossing, provoked_by=provoked_by)
        inc.breach = inc.state_on_state
        return inc

    def after_incident(self, inc: Incident, day: int) -> None:
        """Pakistan shuts every crossing after a deliberate strike (as on 11-12 October);
        a serious incident near a crossing shuts that one. Either restarts the calm count."""
        serious = inc.casualties >= self.config.serious_casualties
        if inc.state_on_state or serious:
            self.last_serious_day = day
        if inc.kind in STRIKES:
            for c in self.crossings:
                c.close(day)
        elif serious and inc.crossing >= 0:
            self.crossings[inc.crossing].close(day)

    # -- the day
    def step(self, day: int, pakistan: State, truce_holds: bool) -> None:
        """The aid lane opens when due; Pakistan may reopen the closed crossings (not while
        the truce is broken down); the crossings carry the day's trucks; trade diverts or
        comes back."""
        cc = self.config
        if truce_holds and day == cc.aid_lane_day and cc.aid_lane != "none":
            self.open_aid_lane(day, cc.aid_lane_capacity if cc.aid_lane == "goods" else 0.0)
        closed = self.open_now < len(self.crossings)
        if (
            truce_holds
            and closed
            and self.reopening_allowed(day)
            and self.stream.random() < self.reopen_chance(day, pakistan)
        ):
            self.reopen(day)
        self.divert()
        if self.steady_trade:
            self.steady_trucks += self.baseline_trucks * self.demand
            self.trade_index = self.demand
        else:
            self.carry_trucks()
        self.bilateral_usd, self.transit_usd = self.usd_today()

    def reopen(self, day: int, detail: str | None = None) -> None:
        """Every closed crossing reopens for trade (Pakistan's decision, or a local settlement)."""
        for c in self.crossings:
            if not c.is_open:
                c.open(day, detail)
        if self.first_reopen_day is None:
            self.first_reopen_day = day
        self.local_dispute = False
        self.model.implementation.crossings_reopened(day)

    def reopen_chance(self, day: int, pakistan: State) -> float:
        """The daily chance the closed crossings reopen.

        A closure over a local dispute (a gate, a post, travel papers: ``scenario.
        closure_cause: local``, February and September 2023, February-March 2025) ends with a
        local settlement, ``local_settlement_rate`` a day (reference class: closures over
        local disputes outside the backtest, mean 10.5 days).

        A closure as leverage ends with Pakistan's decision. Under the ``lever`` rule (the
        2017 closure: about a month, tied to action against a list of 76 militants;
        October 2025: trade closed "till the evaluation of the security situation"):
        ``reopen_prob`` times a logistic of its will, which is what it can verify of Kabul's
        action against the TTP (a crackdown under way, verified or seen: not what Kabul
        signed: :meth:`sim.model.states.States.delivery_seen`), calm (quiet days over
        ``reopen_calm_days``), its own economic pressure (the cost of the closure) and its
        own trade terms in modalities in force (under ``sequencing: ttp_first`` only once
        Kabul's TTP steps are seen), against its security case (``reopen_threshold``).
        Under ``calm`` and ``agreement`` (the first generation's rules): ``reopen_prob``
        scaled by its economic pressure and trust once enough quiet days have passed (and
        a mechanism is agreed)."""
        cc = self.config
        if self.local_dispute:
            return cc.local_settlement_rate
        quiet = day - self.last_serious_day
        if cc.reopen_rule == "lever":
            calm = min(1.0, quiet / cc.reopen_calm_days) if cc.reopen_calm_days else 1.0
            will = (
                cc.reopen_delivery_weight * self.model.states.delivery_seen(day)
                + cc.reopen_calm_weight * calm
                + cc.reopen_economic_weight * pakistan.economic_pressure
                + cc.trade_commitment_weight * self.trade_terms()
                - cc.reopen_threshold
            )
            return cc.reopen_prob * logistic(will / cc.reopen_noise)
        if quiet < cc.reopen_calm_days:
            return 0.0
        if cc.reopen_rule == "agreement" and self.model.monitor.agreed_day is None:
            return 0.0
        return cc.reopen_prob * min(1.0, 0.5 + pakistan.economic_pressure + pakistan.trust)

    def open_aid_lane(self, day: int, capacity: float) -> None:
        """A lane through the closed crossings: for people only (no trucks; logged once),
        or for people and humanitarian goods at ``capacity`` of the trucks."""
        if capacity > 0.0:
            for c in self.crossings:
                c.open_lane(day, capacity)
        else:
            self.log.add(day, CROSSING_REOPENED, PAKISTAN, detail="people only")

    def trade_terms(self) -> float:
        """The weight of Pakistan's own trade terms in its will to reopen: the position
        agreed, while that provision is in force (not reneged, its package not lapsed),
        unless the modalities put the TTP steps first and they are not yet seen."""
        implementation = self.model.implementation
        if self.model.config.negotiation.sequencing == "ttp_first" and not implementation.implemented("ttp_steps"):
            return 0.0
        return implementation.level("trade_terms")

    def trade_commitment(self, day: int, level: float) -> None:
        """Modalities agreed a trade position (it moves Pakistan's will to reopen: :meth:`trade_terms`); an
        agreed aid lane (or more) opens a goods lane through the closed crossings; with
        ``sequencing: trade_first`` the crossings reopen for trade at once."""
        if level > 0.0 and self.model.truce.alive:
            if self.model.config.negotiation.sequencing == "trade_first":
                self.reopen(day, "trade first, as the modalities agreed")
            else:
                self.open_aid_lane(day, self.config.aid_lane_capacity)

    def divert(self) -> None:
        """Trade diverted to other routes (Iran, Central Asia), with hysteresis.

        While no crossing is open for trade, after ``diversion_lag_days`` of closure the
        diverted share of each trade rises towards its maximum with an e-folding time of
        ``diversion_days`` (traders switch routes once a closure looks long: the 25-27-day
        closure of 2025 recovered within a month; after the closures of 2016-17, 75% of
        transit trade was said to have moved to Iran). Once the crossings reopen, the
        diversion returns towards ``diversion_stickiness`` of its peak with an e-folding
        time of ``return_days``: that part does not come back."""
        cc = self.config
        closed = self.open_now == 0
        self.closed_run = self.closed_run + 1 if closed else 0
        d = self.diverted
        if closed:
            run = self.closed_run - cc.diversion_lag_days
            if run <= 0:
                return
            grown = 1.0 - math.exp(-run / cc.diversion_days)
            for key, top in (("bilateral", cc.bilateral_diversion_max), ("transit", cc.transit_diversion_max)):
                d[key] = max(d[key], top * grown)
                self.peak_diverted[key] = max(self.peak_diverted[key], d[key])
        else:
            if d["bilateral"] == 0.0 and d["transit"] == 0.0:
                return
            for key in d:
                floor = cc.diversion_stickiness * self.peak_diverted[key]
                d[key] = floor + (d[key] - floor) * self._return
                if d[key] - floor < 1e-6:
                    d[key] = floor
        self.diverted_share = (1.0 - self._transit_share) * d["bilateral"] + self._transit_share * d["transit"]
        self.demand = 1.0 - self.diverted_share

    def diversion_settled(self) -> bool:
        """No diversion still coming back (each share at its sticky floor)."""
        cc = self.config
        return all(v == cc.diversion_stickiness * self.peak_diverted[k] for k, v in self.diverted.items())

    def carry_trucks(self) -> None:
        """The day's traffic at every crossing: the trade index, the open crossings and the
        trucks stranded; whether tomorrow can take the fast path (:attr:`steady_trade`)."""
        trucks = stranded = 0.0
        demand = self.demand
        for c in self.crossings:
            trucks += c.operate(demand)
            stranded += c.backlog
        self.open_crossings = self.open_now
        self.stranded_trucks = stranded
        self.trade_index = trucks / self.baseline_trucks
        self.steady_trade = (
            stranded == 0.0
            and all(c.is_open and c.days_open >= self.config.ramp_days for c in self.crossings)
            and self.diversion_settled()
        )

    def usd_today(self) -> tuple[float, float]:
        """Today's bilateral and transit trade in US$: the trucks through carry the two in
        the proportion that has not been diverted."""
        d, scenario = self.diverted, self._scenario
        total = scenario.bilateral_usd_per_day + scenario.transit_usd_per_day
        if self.demand <= 0.0:
            return 0.0, 0.0
        scale = self.trade_index * total / self.demand
        return (
            scale * (1.0 - self._transit_share) * (1.0 - d["bilateral"]),
            scale * self._transit_share * (1.0 - d["transit"]),
        )

    def suspend_trade(self, day: int, days: int) -> None:
        """Kabul suspends trade from its side for ``days`` days (as the Taliban closed
        Torkham in February 2023): every crossing closes, and none reopens before then."""
        self.suspended_until = max(self.suspended_until, day + days)
        self.suspensions += 1
        self.log.add(day, CROSSING_CLOSED, AFGHANISTAN, detail=f"trade suspended by Kabul for {days} days")
        for c in self.crossings:
            c.close(day, by=AFGHANISTAN)

    def reopening_allowed(self, day: int) -> bool:
        """Never while Kabul suspends trade."""
        return day >= self.suspended_until

    def shut_down(self, day: int) -> None:
        """The truce has broken down: every crossing closes, aid lanes too."""
        for c in self.crossings:
            c.close(day)
            c.close_lane(day)

    def trucks_balance(self) -> float:
        """Initial backlog + arrivals - processed - turned back - final backlog: zero when
        trucks are conserved."""
        arrived = sum(c.arrived for c in self.crossings) + self.steady_trucks
        gone = sum(c.processed + c.turned_back + c.backlog for c in self.crossings) + self.steady_trucks
        return self.initial_trucks + arrived - gone
