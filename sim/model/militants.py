"""Militant spoilers (the TTP, and a few attacks inside Afghanistan): when they strike."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import TYPE_CHECKING

import mesa

from .incidents import AFG, MILITANTS, PAK, Incident, Kind

if TYPE_CHECKING:
    from ..schema import SpoilersConfig
    from .crossings import Border
    from .monitor import Monitor
    from .states import States


class SpoilerCell(mesa.Agent):
    """A militant cell.

    Epstein (PNAS 2002): a cell acts when its grievance exceeds its perceived risk;
    here each cell has its own activity (grievance) and risk aversion, its hazard is
    suppressed by the host state's effort and by the mechanism's chance of detecting
    it, and rises around rounds of talks (spoilers strike when talks are near).
    """

    def __init__(self, model: mesa.Model, activity: float, risk_aversion: float):
        super().__init__(model)
        self.activity = activity
        self.risk_aversion = risk_aversion

    def attack_hazard(self, base: float, suppression: float, detection_risk: float) -> float:
        hazard = base * self.activity * max(0.0, 1.0 - suppression - self.risk_aversion * detection_risk)
        return min(1.0, hazard)


class Militants:
    """The cells together, drawing from the militants' stream.

    Attacks surge around rounds of talks: the attack rate is multiplied by
    ``round_surge`` within ``surge_window_days`` of a round (Clayton et al. 2022:
    violence spikes around ceasefire talks; Kydd & Walter 2002: spoilers strike when
    peace is near).
    """

    def __init__(
        self, model: mesa.Model, config: SpoilersConfig, round_days: Iterable[tuple[int, int]], rng: random.Random
    ):
        self.config = config
        self.stream = rng
        self.cells = tuple(
            SpoilerCell(
                model, activity=rng.uniform(0.5, 1.5), risk_aversion=config.risk_aversion * rng.uniform(0.5, 1.5)
            )
            for _ in range(config.cells)
        )
        mean_activity = sum(c.activity for c in self.cells) / config.cells
        for cell in self.cells:  # keep the all-cell rate at spoilers.attack_rate
            cell.activity /= mean_activity
        w = config.surge_window_days
        self.surge_days = {d for start, end in round_days for d in range(start - w, end + w + 1)}

    def step(self, day: int, states: States, monitor: Monitor, border: Border) -> list[Incident]:
        """Each cell may strike inside Pakistan (its host: Afghanistan) or Afghanistan.

        Cell c strikes in Pakistan with probability p_c = base * activity_c *
        max(0, 1 - host suppression - risk_aversion_c * detection risk) (see
        :class:`SpoilerCell`), likewise in Afghanistan. While the summed hazard is below 1
        the cells compete for one draw a day (at most one attack a day, each with its exact
        probability); above it, every cell draws on its own.
        """
        sp = self.config
        base = sp.attack_rate / sp.cells * (sp.round_surge if day in self.surge_days else 1.0)
        if base <= 0.0:
            return []
        share_afg = sp.target_afghanistan_share
        supp_afg = states[AFG].suppression()  # Kabul hosts the cells hitting Pakistan
        supp_pak = states[PAK].suppression()
        base_pak, base_afg = base * (1.0 - share_afg), base * share_afg
        # an upper bound of the summed hazard (activities average 1; deterrence only lowers it)
        bound = (base_pak * max(0.0, 1.0 - supp_afg) + base_afg * max(0.0, 1.0 - supp_pak)) * sp.cells
        u = self.stream.random()
        if u >= bound:
            return []  # the usual quiet day: one draw
        risk = monitor.detection_risk(day)
        if bound >= 1.0:
            return self._independent_attacks(day, border, base_pak, base_afg, supp_afg, supp_pak, risk)
        cumulative = 0.0
        for cell in self.cells:
            cumulative += cell.attack_hazard(base_pak, supp_afg, risk)
            if u < cumulative:
                return [self.attack_on(PAK, day, border)]
            cumulative += cell.attack_hazard(base_afg, supp_pak, risk)
            if u < cumulative:
                return [self.attack_on(AFG, day, border)]
        return []

    def _independent_attacks(
        self, day: int, border: Border, base_pak: float, base_afg: float, supp_afg: float, supp_pak: float, risk: float
    ) -> list[Incident]:
        attacks = []
        for cell in self.cells:
            p_pak = cell.attack_hazard(base_pak, supp_afg, risk)
            p_afg = cell.attack_hazard(base_afg, supp_pak, risk)
            u = self.stream.random()
            if u < p_pak:
                attacks.append(self.attack_on(PAK, day, border))
            elif u < p_pak + p_afg:
                attacks.append(self.attack_on(AFG, day, border))
        return attacks

    def attack_on(self, victim: str, day: int, border: Border) -> Incident:
        sp = self.config
        attack = border.new_incident(day, Kind.MILITANT, MILITANTS, victim, sp.casualties_mean, self.stream)
        attack.attributable = self.stream.random() >= sp.unattributable_share
        return attack
