"""The rounds of talks: their calendar, the stages a process moves through, the bargaining in
a round, and what an agreement changes."""

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
#: The stages of a peace process (PA-X: Bell & Badanjak, JPR 2019): a ceasefire (Doha, 19 Oct 2025),
#: a text in principle (a framework), modalities (the implementation text).
CEASEFIRE, PRINCIPLE, MODALITIES = "ceasefire", "principle", "modalities"
STAGES = (CEASEFIRE, PRINCIPLE, MODALITIES)
#: The provision each issue of an agreed package becomes (sim/model/implementation.py); refugees: none.
PROVISION_OF = {"mechanism": MECHANISM, "ttp_steps": TTP, "strike_restraint": STRIKES_ISSUE, "trade_terms": TRADE}


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
    """Rounds of talks moving a process through its stages, drawing from the talks' stream.

    Stages (PA-X's: Bell & Badanjak, JPR 2019; science.md, "From agreement to
    implementation"). The process starts at the **ceasefire** of Doha (19 October 2025).

    - A round at the ceasefire stage can agree a **text in principle**: which issues, that a
      mechanism will exist (Istanbul, 30 October 2025). It binds nothing and sets nothing
      up; its chance is ``principle_chance``, of which ``unmediated_share`` is left without
      the mediators' pressure (reference classes: mediation succeeds 39-64% of the time;
      crises end in agreement 62% of the time mediated, 27% not).
    - A round at the principle stage puts a text on **modalities** with chance
      ``modalities_chance`` (otherwise it is talks about talks: *stalled*); the modalities
      are the distributive fight, where each party's limits bite: bargaining over the
      agenda (sim/model/negotiation.py). With mediators and the ``single_text`` protocol
      each text is the mediators' single negotiating text linking the issues (Raiffa 1982);
      without them, or ``issue_by_issue``, the parties settle what they can issue by issue.
      A party accepts a text worth at least its reservation value, which the mediators'
      leverage lowers, its grievance raises, each rejected text lowers by ``concession``
      times (1 - grievance) (Rubinstein 1982), and a private shock moves (its resolve,
      ``resolve_noise``: Fearon 1995); it reads the other's commitment through its trust
      and the mechanism in the text. After a rejected text a party walks out with chance
      ``walkout_risk`` (Binmore, Rubinstein & Wolinsky 1986), higher with each mediator
      beyond the first (Beardsley 2011). Agreed modalities start their implementation
      (sim/model/implementation.py): nothing is delivered by the text itself.
    - A round once modalities are in force **reviews** them: a better text renegotiates
      them; otherwise, if the package is troubled (a provision reneged, or a party now
      worse off than its reservation value: Fearon's commitment problem), the round breaks
      down with chance ``review_failure`` (the pending provisions are reneged, and the
      process is back at the principle stage), else the package is reaffirmed.

    A round that agrees nothing is salvaged by the mediators (the next round
    ``salvage_gap_days`` on; 29-30 October 2025) or breaks down (grievance rises, each
    mediator steps back, the talks pause ``hiatus_days``). Every text and outcome goes to
    the log. A broken-down truce is renewed by a round that agrees, or by a truce brokered
    in the field between rounds (:meth:`broker_renewal`); its breakdown sends the process
    back to the ceasefire stage.
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
        self.rounds: dict[int, Round] = {}  # the rounds held within the horizon, by their last day
        self.scheduled: list[int] = []  # the last day of every round scheduled, within the horizon or not
        calendar = round_calendar(config, horizon)
        for r in calendar:
            self.add_round(r)
        if not calendar:  # no round scheduled at all (not: all of them after the horizon)
            self.add_round(Round(name="round 1", start_day=1, end_day=1))
        self.stage = CEASEFIRE
        self.package = STATUS_QUO.copy()  # the modalities in force (the status quo: nothing)
        self.principle_day: int | None = None  # the first day a text in principle was agreed
        self.modalities_day: int | None = None  # the first day modalities were agreed
        self.agreed = self.salvaged = self.stalled = self.failed = 0
        self.texts = 0

    # -- the calendar
    def add_round(self, r: Round) -> None:
        """Put a round on the calendar. The militants surge around it, and the next round is
        scheduled knowing it, even when it ends after the horizon, so that a run's first
        days do not depend on its length (a calibration's 17-day histories are the first
        17 days of the year-long replicates that replay them)."""
        w = self.config.spoilers.surge_window_days
        self.surge_days.update(range(r.start_day - w, r.end_day + w + 1))
        self.scheduled.append(r.end_day)
        if r.end_day <= self.horizon:
            self.rounds[r.end_day] = r

    def schedule_next(self, day: int, gap: int) -> None:
        """The next round, ``gap`` days on, unless one is already scheduled later."""
        if any(d > day for d in self.scheduled):
            return
        n = len(self.scheduled) + 1
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
        """The round the stage calls for."""
        if self.stage == CEASEFIRE:
            self.framework_round(day, r)
        elif self.stage == PRINCIPLE:
            self.modalities_round(day, r)
        else:
            self.review_round(day, r)

    def framework_round(self, day: int, r: Round) -> None:
        """A text in principle, or no agreement."""
        nc = self.nc
        pressure = self.model.mediation.pressure
        chance = nc.principle_chance * (nc.unmediated_share + (1.0 - nc.unmediated_share) * pressure)
        if self.stream.random() < chance:
            self.stage = PRINCIPLE
            if self.principle_day is None:
                self.principle_day = day
            self.concluded(day, PRINCIPLE, r.name, nc.salvage_gap_days)
        else:
            self.no_agreement(day)

    def modalities_round(self, day: int, r: Round) -> None:
        """A text on modalities, bargained; or talks about talks (stalled)."""
        if self.stream.random() >= self.nc.modalities_chance:
            self.stalled += 1
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="stalled: talks about talks, no text on modalities")
            self.schedule_next(day, self.config.mediation.round_interval_days)
            return
        package = self.bargain(day, r)
        if package is None:
            self.no_agreement(day)
            return
        self.stage = MODALITIES
        if self.modalities_day is None:
            self.modalities_day = day
        self.agree(day, package)
        self.concluded(day, MODALITIES, r.name, self.config.mediation.round_interval_days)

    def review_round(self, day: int, r: Round) -> None:
        """The modalities in force reviewed: renegotiated, reaffirmed, or broken down."""
        package = self.bargain(day, r)
        interval = self.config.mediation.round_interval_days
        if package is not None and not np.array_equal(package, self.package):
            self.agree(day, package)
            self.concluded(day, "renegotiated", r.name, interval)
        elif self.model.implementation.troubled() and self.stream.random() < self.nc.review_failure:
            self.model.implementation.lapse(day)
            self.clear_package()
            self.stage = PRINCIPLE
            self.broke_down(day)
        else:
            self.agreed += 1
            self.model.mediation.renew_leverage()
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="reaffirmed")
            self.schedule_next(day, interval)

    def concluded(self, day: int, outcome: str, name: str, gap: int) -> None:
        """A round agreed a text: trust rises, leverage renews, a broken-down truce is
        renewed; the next round ``gap`` days on."""
        m = self.model
        self.agreed += 1
        self.log.add(day, TALKS_ROUND, MEDIATORS, detail=outcome)
        for s in m.states:
            s.round_agreed()
        m.mediation.renew_leverage()
        if not m.truce.alive:
            m.truce.renew(day, f"{name} agreed")
        self.schedule_next(day, gap)

    def no_agreement(self, day: int) -> None:
        """No text agreed: the mediators salvage the round, or it breaks down."""
        mediation = self.model.mediation
        if mediation.mediators and self.stream.random() < mediation.salvage_chance():
            self.salvaged += 1
            mediation.renew_leverage()
            self.log.add(day, TALKS_ROUND, MEDIATORS, detail="salvaged")
            self.schedule_next(day, self.nc.salvage_gap_days)
        else:
            self.broke_down(day)

    def broke_down(self, day: int) -> None:
        """The round broke down: grievance rises on both sides, each mediator steps back,
        the talks pause."""
        self.failed += 1
        for s in self.model.states:
            s.round_broke_down(self.nc.breakdown_grievance)
        self.model.mediation.step_back(self.nc.step_back)
        self.log.add(day, TALKS_ROUND, MEDIATORS, detail="failed")
        self.schedule_next(day, self.nc.hiatus_days)

    # -- the bargaining
    def in_force(self) -> tuple[float, float] | None:
        """Each party's utility of the package in force (None: nothing agreed yet)."""
        if not self.package.any():
            return None
        states = self.model.states.pair
        positions = (self.afg_positions, self.pak_positions)
        return tuple(pos.utility_of(self.package, s.trust) for s, pos in zip(states, positions, strict=True))

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

    def shortfall(self, party: str) -> float:
        """How far a party's utility of the package in force is below its reservation value
        today (0 when it is not, or nothing is in force): what tempts it to renege."""
        utilities = self.in_force()
        if utilities is None or party not in (AFGHANISTAN, PAKISTAN):
            return 0.0
        i = 0 if party == AFGHANISTAN else 1
        return max(0.0, self.reservations(0, None)[i] - utilities[i])

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
            if ok_afg and ok_pak and text.any():
                return text
            if self.stream.random() < walkout:
                return None
        return None

    # -- what agreed modalities change
    def agree(self, day: int, package: np.ndarray) -> None:
        """Modalities agreed: the package is in force, its terms recorded (the mechanism's
        with the monitor), and each provision starts its implementation
        (sim/model/implementation.py): the mechanism must be set up, Kabul's TTP steps
        taken, Pakistan's restraint kept and its trade terms carried out."""
        m = self.model
        self.package = package
        if package[MECHANISM] > 0:
            m.monitor.agree(day, package[MECHANISM])
        m.implementation.start(day, {name: float(package[i]) for name, i in PROVISION_OF.items()})
        m.border.trade_commitment(day, m.implementation.level("trade_terms"))

    def clear_package(self) -> None:
        """Nothing in force any more (the provisions already reneged or carried out)."""
        self.package = STATUS_QUO.copy()

    def lapse(self) -> None:
        """The truce broke down: the package lapses and the process is back at the
        ceasefire stage (a mechanism set up goes on; a later round can agree again)."""
        self.model.implementation.lapse(self.model.day)
        self.clear_package()
        self.stage = CEASEFIRE

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


def _says(ok: bool) -> str:
    return "accepts" if ok else "rejects"
