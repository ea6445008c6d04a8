"""CeasefireModel: one replicate of the Afghanistan-Pakistan truce, one step a day.

Day 0 is 19 October 2025, the Doha ceasefire; the crossings have been closed since
12 October. :meth:`CeasefireModel.step` is the day, in the order described in the ODD
protocol of ``docs/model.md``, each phase delegated to the actors that own it:

1. the talks: a round of talks ends, if one is due (a text in principle, modalities, a
   review; salvaged, stalled or broken down); the provisions of agreed modalities are
   carried out or reneged, and the mechanism set up, suspended or resumed
   (sim/model/implementation.py);
2. Kabul cracks down on the militants or looks away; yesterday's strikes land (on the
   border, on the militants, or on Afghan targets), and the militants attack;
3. the states' forces clash by accident;
4. the incidents land: casualties, the truce's hostility index, crossings closed, the
   monitor investigates;
5. the states respond, each by its reading of what is a breach: hold, answer on the
   border, strike the militants or Afghan targets (Pakistan), suspend trade (Kabul);
   and to the findings now due;
6. the border: Pakistan may reopen crossings, and the crossings carry the day's trucks;
7. the states adjust (fatigue, calming, trust, economic pressure);
8. the mediators' leverage fades;
9. the truce breaks down if the governments read the fighting as sustained or a party
   declared it void (Pakistan then shuts every crossing); the hostility index fades
   overnight.

The run goes on to the horizon whatever happens to the truce: a truce can be violated
and hold, break down, and be renewed (a round that agrees, or a truce brokered between
rounds: phase 1). Every event goes to the replicate's event log (:attr:`log`), from which
the three definitions of a broken truce are coded (sim/core/events.py).

Every agent (the states, the militant cells, the mediators, the monitor, the crossings)
is a Mesa agent (``model.agents_by_type``), held by the actor that owns its phase (States,
Militants, Mediation, Border; Talks and Truce hold no agent). Each actor owns its state
and its rules; those that draw own their random stream
(:class:`sim.model.streams.RandomStreams`); they read the model rather than write its
flags. The daily loops iterate plain tuples
rather than Mesa AgentSets: ``AgentSet.do`` costs about 3 us a call against 0.6 us for
a tuple (measured with Mesa 3.5.1), some 14% of a replicate's time. Batch runs step
without Mesa's event machinery (:meth:`CeasefireModel.run_until`).
"""

from __future__ import annotations

import logging
from typing import Any

import mesa
import numpy as np

from ..core import events, outputs
from ..core.schema import Config
from .border import Border
from .eventlog import EventLog
from .implementation import Implementation
from .incidents import PAK, Incident, Kind
from .mediators import Mediation
from .militants import Militants
from .monitor import DESIGNS
from .states import States
from .streams import RandomStreams
from .talks import Talks
from .truce import Truce

__all__ = ["CeasefireModel"]

# Mesa logs every step at INFO; Hydra's logging setup would print 365 lines a replicate.
logging.getLogger("MESA").setLevel(logging.WARNING)


class CeasefireModel(mesa.Model):
    """One replicate. ``config`` is a validated :class:`sim.core.schema.Config`; ``rng`` a seed."""

    #: Step with Mesa's event schedule in run_until (True) or call step directly (batch runs).
    mesa_schedule = False

    def __init__(self, config: Config, rng: int | None = None, horizon: int | None = None):
        super().__init__(rng=rng)
        self.config = config
        self.horizon = config.run.horizon_days if horizon is None else horizon
        self.streams = streams = RandomStreams.spawn(rng)

        self.log = log = EventLog(list(config.scenario.crossings))
        self.states = States(self, config, streams.states, streams.accidents)
        self.mediation = Mediation(self, config.mediation)
        self.talks = Talks(self, config, self.horizon, streams.talks, log)
        self.implementation = Implementation(self, config, streams.implementation, log)
        self.militants = Militants(self, config, self.talks.surge_days, streams.militants, log)
        self.monitor = DESIGNS[config.mvm.design](self, config.mvm, config.states.patience_days, streams.monitor)
        self.border = Border(self, config.scenario, config.crossings, streams.crossings, log)
        self.truce = Truce(config.collapse, log, config.definitions.violation_fatalities)

        self.day = 0  # our own counter: Mesa's observable `steps` is slower to read
        self.incidents = self.casualties = self.incidents_today = 0
        self.rows: list[tuple] = []  # the daily series, one tuple a day (outputs.SERIES)
        self._coded: tuple[int, dict[str, float]] | None = None
        self._events: tuple[tuple[int, int], list[events.Event]] | None = None
        self.record()

    # ------------------------------------------------------------------ the day

    def step(self) -> None:
        self.day += 1
        day = self.day
        truce = self.truce
        self.talks.step(day)
        self.implementation.step(day)
        self.states.kabul_decides(day)
        incidents = self.states.strikes_landing()
        incidents += self.militants.step(day, self.states, self.border)
        incidents += self.states.forces_clash(day, at_war=not truce.alive)
        self.incidents_land(incidents, day)
        self.states.respond_to(incidents, day)
        self.border.step(day, self.states[PAK], truce.alive)
        self.states.step(self.mediation.calming(), self.border.trade_index)
        self.mediation.step(day)
        if truce.step(day):
            self.border.shut_down(day)
            self.talks.lapse()
        self.record()

    def incidents_land(self, incidents: list[Incident], day: int) -> None:
        """Log, count, hurt, feed the hostility index, close crossings; strikes on Afghan
        soil degrade and mobilise the militants; the monitor investigates. (Routine
        attacks were logged and counted by the militants.)"""
        militants = self.militants
        self.incidents_today = len(incidents) + militants.routine_today
        self.incidents += self.incidents_today
        self.casualties += militants.routine_deaths_today
        for inc in incidents:
            self.log.incident(day, inc)
            self.casualties += inc.casualties
            kind = inc.kind
            if kind is Kind.STRIKE_ON_MILITANTS or kind is Kind.AIR_STRIKE:
                militants.struck(day, overt=kind is Kind.AIR_STRIKE)
            else:
                self.states[inc.victim].suffer(inc)
            self.truce.record(inc)
            self.border.after_incident(inc, day)
            self.monitor.investigate(inc, day)

    # ------------------------------------------------------------------ records

    def record(self) -> None:
        """Append today's values of every declared series (:data:`sim.core.outputs.SERIES`)."""
        self.rows.append(outputs.read_series(self))

    def run_until(self, day: int) -> None:
        """Step to ``day`` (or the horizon, whichever comes first).

        With :attr:`mesa_schedule` off (batch runs: the ensemble, the calibration), a day
        is this class's ``step`` called directly, without Mesa's per-step event machinery
        (``Model._wrapped_step`` -> ``_advance_time`` -> an event scheduled and popped:
        a third of a replicate's time in Mesa 3.5), with Mesa's counters set as Mesa
        would have them once the days are run (``steps`` and ``time`` both equal ``day``;
        ``time`` is an observable, 2% of a replicate's time when set every day, and
        nothing reads either while a day runs). A model stepped this way is for
        running to the end, not for Mesa's ``step()`` afterwards (its event list still
        waits at day 1); the page keeps Mesa's schedule (``mesa_schedule = True``).
        """
        last = min(day, self.horizon)
        if self.mesa_schedule:
            while self.running and self.day < last:
                self.step()
            return
        step = type(self).step
        while self.running and self.day < last:
            step(self)
        self.steps = self.day
        self.time = float(self.day)

    def reseed(self, seed: int) -> None:
        """Draw everything from now on from the streams of ``seed`` (used by :meth:`replay`,
        to go on from a replayed history)."""
        self.streams.reseed(seed)

    def replay(self, day: int, seed: int, check: Any = None) -> Any:
        """Step the history drawn from this model's seed to ``day``, then go on with the
        streams of ``seed``. ``check(model)``, if given, runs in between (on a model that
        reached ``day``) and its result is returned."""
        self.run_until(day)
        result = check(self) if check is not None and self.horizon >= day else None
        self.reseed(seed)
        return result

    def run(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Run to the horizon; return the outcome row and the daily series (the event
        log stays in :attr:`log`)."""
        self.run_until(self.horizon)
        series = self.series()
        return outputs.outcome_row(self, series), series

    def series(self) -> dict[str, np.ndarray]:
        """The daily series of the days run so far (day 0 included)."""
        return outputs.series_arrays(self.rows)

    def coded(self) -> dict[str, float]:
        """What is coded from the event log so far: the three definitions of a broken
        truce (day, or NaN), the days with fire between the states' forces and the
        militant attacks. Cached until the log grows."""
        if self._coded is None or self._coded[0] != len(self.log):
            log = self.events()
            values = events.definition_days(log, self.config.definitions)
            values["state_fire_days"] = events.state_fire_days(log)
            values["militant_attacks"] = events.count(log, events.MILITANT_ATTACK)
            self._coded = (len(self.log), values)
        return self._coded[1]

    def events(self) -> list[events.Event]:
        """The event log as events, as of the end of the last day run (cached for the
        day: blame can change only while a day runs)."""
        key = (len(self.log), self.day)
        if self._events is None or self._events[0] != key:
            self._events = (key, self.log.events())
        return self._events[1]

    # ------------------------------------------------------------------ for tests and the page

    @property
    def counts(self) -> dict[str, int]:
        """The running counters (:data:`sim.core.outputs.COUNTERS`) as of today."""
        return {name: outputs.outcome(name).read(self, {}) for name in outputs.COUNTERS}

    @property
    def incoming(self) -> list[Incident]:
        """Strikes ordered today, landing tomorrow."""
        return self.states.incoming

    def new_incident(
        self, kind: Kind, author: str, victim: str, casualty_mean: float, rng: Any, provoked_by: Incident | None = None
    ) -> Incident:
        """An incident today, placed on the border (:meth:`sim.model.border.Border.new_incident`)."""
        return self.border.new_incident(self.day, kind, author, victim, casualty_mean, rng, provoked_by)

    def trucks_balance(self) -> float:
        return self.border.trucks_balance()

    @property
    def initial_trucks(self) -> float:
        return self.border.initial_trucks
