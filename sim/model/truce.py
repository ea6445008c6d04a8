"""The truce itself: the hostility index, declarations, and the day it collapses."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .incidents import Incident, Kind

if TYPE_CHECKING:
    from ..schema import CollapseConfig


class Truce:
    """Sustained state-on-state hostilities end the truce; so does a party declaring it
    void (:meth:`sim.model.states.States.maybe_declare_void`).

    The hostility index adds 1 for a deliberate strike and ``accident_weight`` for an
    accidental clash, and fades overnight with an e-folding memory of
    ``hostility_memory_days``; the truce collapses when it reaches
    ``hostility_threshold`` (assumption: a few deliberate strikes within a week, as on
    11-15 October 2025).
    """

    def __init__(self, config: CollapseConfig):
        self.config = config
        self.hostility = 0.0
        self._decay = math.exp(-1.0 / config.hostility_memory_days)
        self.alive = True
        self.collapse_day: int | None = None
        self.cause: str | None = None
        self.declared_void_by: str | None = None

    def record(self, inc: Incident) -> None:
        """A state-on-state incident feeds the hostility index."""
        if inc.state_on_state:
            self.hostility += self.config.accident_weight if inc.kind is Kind.ACCIDENT else 1.0

    def declare_void(self, party: str) -> None:
        if self.declared_void_by is None:
            self.declared_void_by = party

    def step(self, day: int) -> None:
        """The truce collapses if hostilities are sustained or a party declared it void;
        then the hostility index fades overnight."""
        if self.hostility >= self.config.hostility_threshold:
            self.end(day, "hostilities")
        elif self.declared_void_by is not None:
            self.end(day, f"void_{self.declared_void_by}")
        self.hostility *= self._decay  # memory fades overnight

    def end(self, day: int, cause: str) -> None:
        self.alive = False
        self.collapse_day = day
        self.cause = cause
