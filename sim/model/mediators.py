"""Türkiye and Qatar: the mediators' leverage, the pressure it brings, and its fading.

A mediator's behaviour is a registered class (:data:`MEDIATOR_KINDS`), chosen per
mediator by ``mediation.mediators.<name>.kind`` in ``conf/mediation/*.yaml``: a mediator
that behaves differently is one subclass registered under a new kind, and one YAML file.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from ..core.schema import MediationConfig, MediatorConfig

#: Mediator behaviours by the name ``mediation.mediators.<name>.kind`` gives them.
MEDIATOR_KINDS: dict[str, type[Mediator]] = {}


def register_mediator(kind: str) -> Callable[[type[Mediator]], type[Mediator]]:
    def add(cls: type[Mediator]) -> type[Mediator]:
        MEDIATOR_KINDS[kind] = cls
        return cls

    return add


def at_least_one(probabilities: Iterable[float]) -> float:
    """Chance that at least one of independent events happens: 1 - prod(1 - p)."""
    return 1.0 - math.prod(1.0 - p for p in probabilities)


class Mediator(mesa.Agent):
    """A mediator with leverage that fades unless renewed (Beardsley, AJPS 2008; 2011).

    Leverage decays by ``leverage_decay`` a day; a round renews a share ``renewal`` of
    what was lost when ``renew_leverage`` is on. Leverage times engagement is the pressure
    the mediator brings: it calms grievances, raises the cost of striking and salvages
    rounds a party walks out of (with its credibility), as on 29-30 October 2025.
    """

    def __init__(self, model: mesa.Model, name: str, params: MediatorConfig):
        super().__init__(model)
        self.name = name
        self.initial_leverage = params.leverage
        self.leverage = params.leverage
        self.credibility = params.credibility
        self.engagement = params.engagement
        self.until_day = params.until_day

    def withdraw(self) -> None:
        """It leaves the mediation: no pressure, no salvage, nothing to renew."""
        self.leverage = self.initial_leverage = self.credibility = self.engagement = 0.0

    def pressure(self) -> float:
        return self.leverage * self.engagement

    def salvage_chance(self) -> float:
        return self.leverage * self.credibility

    def fade(self, decay: float) -> None:
        self.leverage *= 1.0 - decay

    def renew(self, renewal: float) -> None:
        self.leverage += renewal * (self.initial_leverage - self.leverage)


register_mediator("leverage")(Mediator)


class Mediation:
    """The mediators together: their combined pressure, their chance of salvaging a
    round, and their daily phase (leverage fades)."""

    def __init__(self, model: mesa.Model, config: MediationConfig):
        self.config = config
        self.mediators = tuple(MEDIATOR_KINDS[m.kind](model, name, m) for name, m in config.mediators.items())
        self.pressure = self._combined_pressure()

    def _combined_pressure(self) -> float:
        """Chance that at least one mediator's pressure bites: 1 - prod(1 - leverage*engagement)."""
        return at_least_one(m.pressure() for m in self.mediators)

    def salvage_chance(self) -> float:
        """Chance that at least one mediator salvages a round: 1 - prod(1 - leverage*credibility)."""
        return at_least_one(m.salvage_chance() for m in self.mediators)

    def calming(self) -> float:
        """Grievance the mediators remove today."""
        return self.config.calming * self.pressure

    def engaged(self) -> int:
        """How many mediators bring any pressure to bear (coordination costs grow with them)."""
        return sum(1 for m in self.mediators if m.pressure() > 0.0)

    def step_back(self, share: float) -> None:
        """A round broke down: each mediator loses ``share`` of its leverage (Beardsley
        2011: a failed mediation costs the mediator, which steps back; rounds that agree
        or are salvaged renew it)."""
        if share:
            for m in self.mediators:
                m.leverage *= 1.0 - share
            self.pressure = self._combined_pressure()

    def renew_leverage(self) -> None:
        """A round that agrees or is salvaged renews part of the lost leverage (Beardsley 2011)."""
        if self.config.renew_leverage:
            for m in self.mediators:
                m.renew(self.config.renewal)
            self.pressure = self._combined_pressure()

    def step(self, day: int) -> None:
        """The day's end: a mediator whose last day this is withdraws; leverage fades (one
        loop for the fading and the combined pressure: this runs every day of every
        replicate)."""
        for m in self.mediators:
            if m.until_day == day:
                m.withdraw()
        if self.mediators:
            decay = self.config.leverage_decay
            miss = 1  # as math.prod starts, so that the pressure is the same to the last bit
            for m in self.mediators:
                m.fade(decay)
                miss *= 1.0 - m.pressure()
            self.pressure = 1.0 - miss
