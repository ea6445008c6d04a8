"""The border: its crossings, the trucks they carry, and Pakistan's rule for reopening them."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import mesa

from ..events import AFGHANISTAN, CROSSING_CLOSED, CROSSING_REOPENED, PAKISTAN
from .incidents import STRIKES, Incident, Kind

if TYPE_CHECKING:
    from ..schema import CrossingInit, CrossingsConfig
    from .eventlog import EventLog
    from .monitor import Monitor
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

    def __init__(self, border: Border, name: str, params: CrossingInit, max_queue_days: float):
        super().__init__(border.model)
        self.border = border
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

    def open(self, day: int) -> None:
        self.is_open = True
        self.days_open = 0
        self.border.log.add(day, CROSSING_REOPENED, PAKISTAN, crossing=self.name)

    def close(self, day: int, by: str = PAKISTAN) -> None:
        if self.is_open:
            self.border.log.add(day, CROSSING_CLOSED, by, crossing=self.name)
        self.is_open = False
        self.border.steady_trade = False  # the border's fast path no longer applies

    def open_lane(self, day: int, capacity: float) -> None:
        """A humanitarian lane through a closed crossing (reduced capacity)."""
        if self.partial_capacity == 0.0 and capacity > 0.0 and not self.is_open:
            self.border.log.add(day, CROSSING_REOPENED, PAKISTAN, crossing=self.name, detail="humanitarian")
        self.partial_capacity = capacity

    def close_lane(self, day: int) -> None:
        if self.partial_capacity > 0.0 and not self.is_open:
            self.border.log.add(day, CROSSING_CLOSED, PAKISTAN, crossing=self.name, detail="humanitarian")
        self.partial_capacity = 0.0

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


class Border:
    """The crossings together: where incidents happen, which close them, when Pakistan
    reopens them, and the day's trade.

    Pakistan shuts every crossing after a deliberate strike (as on 11-12 October 2025) and
    a crossing near a serious incident; it reopens the closed ones, with a daily chance
    ``reopen_prob`` scaled by its economic pressure and trust, once ``reopen_calm_days``
    have passed without a state-on-state or serious incident (and, under the 'agreement'
    rule, once a mechanism is agreed), never while the truce is broken down. Earlier
    closures lasted 6-27 days (case-facts.md). Closures and reopenings go to the log.
    """

    def __init__(
        self,
        model: mesa.Model,
        crossings: dict[str, CrossingInit],
        config: CrossingsConfig,
        rng: random.Random,
        log: EventLog,
    ):
        self.model = model
        self.config = config
        self.log = log
        self.stream = rng
        self.crossings = tuple(Crossing(self, name, c, config.max_queue_days) for name, c in crossings.items())
        self.baseline_trucks = sum(c.baseline for c in self.crossings)
        self.initial_trucks = sum(c.backlog for c in self.crossings)
        self._weights = [c.baseline for c in self.crossings]
        self.last_serious_day = 0  # the fighting ran up to the ceasefire
        self.trade_index = 0.0
        self.open_crossings = 0
        self.stranded_trucks = self.initial_trucks
        self.first_reopen_day: int | None = None
        self.steady_trade = False  # all crossings open at baseline flow: a fast path
        self.steady_days = 0  # days on that path (arrivals = trucks through = baseline)
        self.suspended_until = 0  # Kabul suspends trade from its side until this day
        self.suspensions = 0

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
    def step(self, day: int, pakistan: State, monitor: Monitor, truce_holds: bool) -> None:
        """Pakistan may reopen the closed crossings (not while the truce is broken down);
        the crossings carry the day's trucks."""
        cc = self.config
        if truce_holds and cc.reopen_rule == "humanitarian" and day >= cc.humanitarian_day:
            for c in self.crossings:
                c.open_lane(day, cc.humanitarian_capacity)
        if truce_holds and self.reopening_allowed(day, monitor):
            p = cc.reopen_prob * min(1.0, 0.5 + pakistan.economic_pressure + pakistan.trust)
            closed = [c for c in self.crossings if not c.is_open]
            if closed and self.stream.random() < p:
                for c in closed:
                    c.open(day)
                if self.first_reopen_day is None:
                    self.first_reopen_day = day
        if self.steady_trade:
            self.steady_days += 1  # every crossing open, ramped up, no queue: trade at baseline
            self.trade_index = 1.0
            return
        self.carry_trucks()

    def carry_trucks(self) -> None:
        cc = self.config
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

    def suspend_trade(self, day: int, days: int) -> None:
        """Kabul suspends trade from its side for ``days`` days (as the Taliban closed
        Torkham in February 2023): every crossing closes, and none reopens before then."""
        self.suspended_until = max(self.suspended_until, day + days)
        self.suspensions += 1
        self.log.add(day, CROSSING_CLOSED, AFGHANISTAN, detail=f"trade suspended by Kabul for {days} days")
        for c in self.crossings:
            c.close(day, by=AFGHANISTAN)

    def reopening_allowed(self, day: int, monitor: Monitor) -> bool:
        """Pakistan's rule: enough quiet days, and for the 'agreement' rule an agreed
        mechanism; never while Kabul suspends trade."""
        cc = self.config
        if day < self.suspended_until or day - self.last_serious_day < cc.reopen_calm_days:
            return False
        return cc.reopen_rule != "agreement" or monitor.agreed_day is not None

    def shut_down(self, day: int) -> None:
        """The truce has broken down: every crossing closes, humanitarian lanes too."""
        for c in self.crossings:
            c.close(day)
            c.close_lane(day)

    def trucks_balance(self) -> float:
        """Initial backlog + arrivals - processed - turned back - final backlog: zero when
        trucks are conserved."""
        arrived = sum(c.arrived for c in self.crossings) + self.steady_days * self.baseline_trucks
        gone = sum(c.processed + c.turned_back + c.backlog for c in self.crossings)
        gone += self.steady_days * self.baseline_trucks
        return self.initial_trucks + arrived - gone
