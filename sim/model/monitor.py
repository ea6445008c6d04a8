"""The monitoring-and-verification mechanism (Fortna 2003; Mattes & Savun 2009, 2010).

A design's behaviour is a registered class (:data:`DESIGNS`), chosen by ``mvm.design``
in ``conf/mvm/*.yaml``. Today's designs (no mechanism, the joint one of 30 October 2025,
third-party monitors, custom settings) differ only in their parameters and share
:class:`Monitor`; a design with new behaviour is one subclass registered under a new
name (``@register_design("name")``) and one YAML file with ``design: name``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa

from .incidents import UNKNOWN, Incident, wrong_party

if TYPE_CHECKING:
    from ..core.schema import MvmConfig

#: The mechanism's terms (positions on the negotiation's mechanism issue) from which its
#: findings carry a penalty, and from which they can name a host's inaction.
PENALTY_TERMS = 2 / 3 - 1e-9
NAMING_TERMS = 1.0 - 1e-9

#: Mechanism designs by the name ``mvm.design`` gives them.
DESIGNS: dict[str, type[Monitor]] = {}


def register_design(*names: str) -> Callable[[type[Monitor]], type[Monitor]]:
    def add(cls: type[Monitor]) -> type[Monitor]:
        for name in names:
            DESIGNS[name] = cls
        return cls

    return add


@register_design("none", "joint", "third_party", "custom")
class Monitor(mesa.Agent):
    """Once operational, the mechanism detects an incident in a watched sector with
    chance ``coverage * detection_prob``, names its author correctly with chance
    ``attribution_accuracy`` (an unattributable attack yields no name), and reports after
    ``reporting_delay_days``. Its findings change what the states believe (they reduce
    the uncertainty about intentions, Fearon 1995) and what a violation costs (a penalty
    on the verified violator: a cost-increasing provision, Mattes & Savun 2009).

    A victim whose incident was detected may hold its response until the finding: with
    chance ``credibility * exp(-reporting_delay / patience_days)`` (patience against the
    delay; assumption). Its credibility starts at ``acceptance`` and follows its track
    record (:meth:`track_record`); its penalty bites as far as someone enforces it
    (:meth:`enforcement`). It deters the militants only through a state that acts on its
    findings: a finding that names militants operating from a state that does nothing
    against them names that state's inaction (:meth:`sim.model.states.States.apply_finding`).
    It can also verify a crackdown (:meth:`verifies`).
    """

    def __init__(self, model: mesa.Model, params: MvmConfig, patience_days: float, rng: random.Random):
        super().__init__(model)
        self.params = params
        self.stream = rng
        imposed = params.start == "imposed"
        self.operational_day: int | None = params.start_day if imposed else None  # the first day it operated
        self.suspended = False  # set up, but suspended (a boycott, denied access: sim/model/implementation.py)
        self.agreed_day: int | None = None
        self.terms = 1.0 if imposed else 0.0  # the terms agreed (sim/model/negotiation.py: mechanism)
        self.pending: list[tuple[int, Incident]] = []
        self.detected = 0
        self._watch = params.coverage * params.detection_prob
        self._patience = math.exp(-params.reporting_delay_days / patience_days)
        self.credibility = params.acceptance
        self._believed()

    def _believed(self) -> None:
        """What follows from its credibility: the chance a victim waits for its finding, and
        the penalty a state expects (before enforcement)."""
        self._p_wait = self.credibility * self._patience
        self._expected_penalty = self._watch * self.penalty * self.credibility

    @property
    def penalty(self) -> float:
        """The penalty on a named violator, if the terms agreed include one (findings and
        penalty, or more)."""
        return self.params.penalty if self.terms >= PENALTY_TERMS else 0.0

    @property
    def names_inaction(self) -> bool:
        """Whether the terms let its findings name a host state's inaction."""
        return self.terms >= NAMING_TERMS

    def agree(self, day: int, terms: float) -> None:
        """Modalities agreed the mechanism with ``terms`` (a position on the mechanism
        issue): its terms are the latest agreed; it operates only once it is set up
        (:meth:`start_operating`, sim/model/implementation.py). An imposed mechanism
        (``start: imposed``) keeps its full terms whatever the talks agree."""
        if self.params.start != "agreement" or terms <= 0.0:
            return
        if self.agreed_day is None:
            self.agreed_day = day
        self.terms = terms
        self._believed()

    def start_operating(self, day: int) -> None:
        """Set up: it operates from today (an agreed mechanism only)."""
        if self.params.start == "agreement" and self.operational_day is None:
            self.operational_day = day

    def suspend(self, day: int) -> None:
        self.suspended = True

    def resume(self, day: int) -> None:
        self.suspended = False

    def operational(self, day: int) -> bool:
        return self.operational_day is not None and day >= self.operational_day and not self.suspended

    def enforcement(self) -> float:
        """The share of a penalty that bites: its reputational part, plus the rest in
        proportion to the mediators' pressure (incentives bite only where someone
        enforces them: Beardsley 2011)."""
        e = self.params.enforcement
        return e + (1.0 - e) * self.model.mediation.pressure

    def expected_penalty(self, day: int) -> float:
        return self._expected_penalty * self.enforcement() if self.operational(day) else 0.0

    def verifies(self, day: int) -> bool:
        """Whether it verifies an action on the ground today (a crackdown): operational,
        and the action in a watched sector and detected."""
        return self.operational(day) and self.stream.random() < self._watch

    def track_record(self, right: bool) -> None:
        """A published finding turns out right or wrong: its credibility follows its record
        (the share of right findings, weighted towards the recent ones)."""
        w = self.params.track_record_weight
        if w:
            self.credibility += w * ((1.0 if right else 0.0) - self.credibility)
            self._believed()

    def investigate(self, incident: Incident, day: int) -> None:
        """Detect and attribute one incident; the finding is due after the reporting delay.
        The victim of a detected incident may wait for it."""
        if not self.operational(day) or self.stream.random() >= self._watch:
            return
        self.detected += 1
        incident.detected = True
        if not incident.attributable:
            incident.finding = UNKNOWN
        elif self.stream.random() < self.params.attribution_accuracy:
            incident.finding = incident.author
        else:
            incident.finding = wrong_party(incident)
        self.pending.append((day + self.params.reporting_delay_days, incident))
        incident.awaiting_finding = self.stream.random() < self._p_wait

    def findings_due(self, day: int) -> list[Incident]:
        if not self.pending or self.pending[0][0] > day:
            return []
        due = [inc for when, inc in self.pending if when <= day]
        self.pending = [(when, inc) for when, inc in self.pending if when > day]
        return due

    def operational_since(self, day: int) -> int | None:
        """The first day it operated, if it had by ``day`` (suspended since or not)."""
        return self.operational_day if self.operational_day is not None and self.operational_day <= day else None
