"""Militant spoilers (the TTP and allied groups, and a few attacks inside Afghanistan):
how often they strike, how many they kill, and how they answer the states and the talks."""

from __future__ import annotations

import functools
import math
import random
from statistics import NormalDist
from typing import TYPE_CHECKING

import mesa
import numpy as np
from scipy.special import ndtri

from .incidents import AFG, MILITANTS, PAK, Incident, Kind

if TYPE_CHECKING:
    from ..core.schema import Config, SpoilersConfig
    from .border import Border
    from .eventlog import EventLog
    from .states import States


class SpoilerCell(mesa.Agent):
    """A militant cell (a TTP faction, the Hafiz Gul Bahadur group, ...).

    Its ``activity`` is its share of the attacks (drawn once; the shares sum to 1); its
    capacity (1 when intact) falls when a state strikes it and rebuilds towards 1 with
    an e-folding time of ``spoilers.recovery_days`` (degradation: Jordan, *Security
    Studies* 18(4) 2009; Johnston, *International Security* 36(4) 2012: strikes on
    militant leaders and camps cut attacks for a while). The capacity is kept as of the
    day it was last struck and rebuilt in closed form when read.
    """

    def __init__(self, model: mesa.Model, activity: float):
        super().__init__(model)
        self.activity = activity
        self._loss, self._since = 0.0, 0  # capacity lost as of day _since

    def capacity(self, day: int, keep: float) -> float:
        """Its capacity on ``day``; ``keep`` is the share of a loss still unrebuilt after a day."""
        return 1.0 - self._loss * keep ** (day - self._since)

    def degrade(self, day: int, share: float, keep: float) -> float:
        """A strike destroys ``share`` of its capacity; returns the capacity lost, weighted
        by its activity."""
        now = self.capacity(day, keep)
        self._loss, self._since = 1.0 - now * (1.0 - share), day
        return self.activity * now * share


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw from a Python generator (Knuth's method: a handful of uniforms for
    the means here, a few a day)."""
    if mean <= 0.0:
        return 0
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@functools.lru_cache(maxsize=64)
def routine_sizes(mu: float, sigma: float, notable: int, size: int) -> tuple[float, tuple[int, ...]]:
    """The chance a routine attack kills fewer than ``notable`` (lognormal ``mu``,
    ``sigma``, deaths its whole part), and ``size`` equally likely quantiles of its deaths
    given that (computed once per distribution, not per replicate; the last 64 kept: a
    table is 32 KB, and every row of the posterior has a distribution of its own, so an
    unbounded cache grew a worker by 16 MB every 1,000 calibrated replicates)."""
    below = NormalDist().cdf((math.log(notable) - mu) / sigma)
    # one numpy call (a calibration draws new sizes for every history: 4,096 inverse
    # CDFs in Python took 4 ms, more than the 17 days it simulates)
    quantiles = ndtri(below * (np.arange(size) + 0.5) / size)
    deaths = np.minimum(notable - 1, np.floor(np.exp(mu + sigma * quantiles)))
    return below, tuple(deaths.astype(np.int64).tolist())


class Militants:
    """The cells together, drawing from the militants' stream: strategic spoilers.

    Each day the attacks are a Poisson count with mean ``attack_rate`` times

    * the cells' remaining capacity (a strike on the militants degrades the cell hit;
      it rebuilds: :class:`SpoilerCell`),
    * ``1 + m / (1 + m)`` for a mobilisation ``m``: every state strike on Afghan soil adds
      ``strike_mobilisation`` to ``m``, fading with ``mobilisation_days`` (revenge and
      recruitment: Kydd & Walter, IO 56(2) 2002; Byman, *Deadly Connections* 2005); the
      effect saturates, at most doubling the rate (assumption: recruits need arms and
      training), so that strikes and attacks cannot feed each other without bound,
    * ``round_surge`` within ``surge_window_days`` of a round, and ``1 + trust_surge *
      mean trust`` (spoilers strike when a deal is near and when the moderates look
      strong: Kydd & Walter 2002; Clayton et al. 2022),
    * ``1 - suppression`` by the host state (for attacks inside Pakistan: Kabul's effort
      and its crackdowns, :meth:`sim.model.states.State.suppression`).

    The mechanism does not deter the cells by itself: only through a state that acts on
    its findings (a crackdown).

    Deaths are heavy-tailed: the whole part of a lognormal, with a class of high-profile
    (suicide or urban mass-casualty) attacks of their own (``high_profile_share``), fitted
    to the size of militant attacks in Pakistan (PIPS 2024: 1.64 deaths an attack; 7 of
    521 attacks killed 10 or more; record-to-5nov.md sec. 5).

    Attacks are drawn as two thinned Poisson streams (the same process, split by size):
    *notable* attacks (high-profile, or killing ``notable_deaths`` or more: what a
    government may count as a breach or what can shut a crossing) become incidents the
    states and the mechanism answer; *routine* ones are logged and counted and go no
    further (the everyday violence of the insurgency), their size drawn from a quantile
    table of the routine distribution below ``notable_deaths``.
    """

    #: Quantiles in the table of routine attacks' deaths.
    TABLE = 4096

    def __init__(
        self,
        model: mesa.Model,
        config: Config,
        surge_days: set[int],
        rng: random.Random,
        log: EventLog,
    ):
        sp: SpoilersConfig = config.spoilers
        self.config = sp
        self.stream = rng
        self.log = log
        self.cells = tuple(SpoilerCell(model, activity=rng.uniform(0.5, 1.5)) for _ in range(sp.cells))
        total = sum(c.activity for c in self.cells)
        for cell in self.cells:  # activities sum to 1: the all-cell rate is spoilers.attack_rate
            cell.activity /= total
        self._weights = [c.activity for c in self.cells]
        self.surge_days = surge_days  # days near a round (kept by the talks as rounds are scheduled)
        self.mobilisation = 0.0
        self._mobilisation_fade = math.exp(-1.0 / sp.mobilisation_days)
        self._keep = math.exp(-1.0 / sp.recovery_days)  # share of a capacity loss left after a day
        self.lost = 0.0  # the cells' capacity lost (weighted by activity), as of today
        b = config.breaches
        self._counted_by = {PAK: b.pakistan_counts_militant_attacks, AFG: b.afghanistan_counts_militant_attacks}
        self.breach_deaths = b.attack_deaths
        self.notable_deaths = min(b.attack_deaths, config.crossings.serious_casualties)
        self._split_sizes()
        self.attacks = self.high_profile = 0
        self.routine_today = self.routine_deaths_today = 0  # attacks only logged today, and their deaths

    def _split_sizes(self) -> None:
        """The chance an attack is notable, the high-profile share of the notable ones,
        and the quantile table of routine attacks' deaths."""
        sp, k = self.config, self.notable_deaths
        self._mu, self._mu_hp = math.log(sp.deaths_median), math.log(sp.high_profile_deaths_median)
        self._below, self._routine_deaths = routine_sizes(self._mu, sp.deaths_sigma, k, self.TABLE)
        h = sp.high_profile_share
        self.p_notable = h + (1.0 - h) * (1.0 - self._below)
        self.hp_given_notable = h / self.p_notable if self.p_notable > 0 else 0.0

    # -- the day
    def step(self, day: int, states: States, border: Border) -> list[Incident]:
        """Today's attacks: the routine ones logged, the notable ones as incidents."""
        sp, rng = self.config, self.stream
        m = self.mobilisation
        rate = sp.attack_rate * (1.0 - self.lost) * (1.0 + m / (1.0 + m))
        if day >= sp.future_from_day:
            rate *= sp.future_scale  # deep uncertainty: capability after the record (1 = as calibrated)
        if day in self.surge_days:
            rate *= sp.round_surge
        if sp.trust_surge:
            rate *= 1.0 + sp.trust_surge * 0.5 * (states.afg.trust + states.pak.trust)
        share_afg = sp.target_afghanistan_share
        rate_pak = rate * (1.0 - share_afg) * max(0.0, 1.0 - states.afg.suppression())
        rate_afg = rate * share_afg * max(0.0, 1.0 - states.pak.suppression())
        total = rate_pak + rate_afg
        self.end_of_day(day)
        if total <= 0.0:
            self.routine_today = self.routine_deaths_today = 0
            return []
        share_pak = rate_pak / total
        self.routine_attacks(day, poisson(rng, total * (1.0 - self.p_notable)), share_pak)
        n = poisson(rng, total * self.p_notable)
        return [self.notable_attack(PAK if rng.random() < share_pak else AFG, day, border) for _ in range(n)]

    def routine_attacks(self, day: int, n: int, share_pak: float) -> None:
        """``n`` routine attacks: one uniform each gives the state hit and the deaths."""
        deaths_total = 0
        if n:
            table, size, draw = self._routine_deaths, self.TABLE, self.stream.random
            attacks = []
            for _ in range(n):
                u = draw()
                if u < share_pak:
                    victim, u = PAK, u / share_pak
                else:
                    victim, u = AFG, (u - share_pak) / (1.0 - share_pak)
                deaths = table[min(size - 1, int(u * size))]
                deaths_total += deaths
                attacks.append((victim, deaths))
            self.log.routine_attacks(day, attacks)
            self.attacks += n
        self.routine_today, self.routine_deaths_today = n, deaths_total

    def notable_attack(self, victim: str, day: int, border: Border) -> Incident:
        """A notable attack: high-profile, or a routine-class one of ``notable_deaths`` or
        more (the exact lognormal tail); an incident, a breach in a counting reading."""
        sp, rng = self.config, self.stream
        normal = NormalDist()
        high_profile = rng.random() < self.hp_given_notable
        if high_profile:
            deaths = int(math.exp(self._mu_hp + sp.high_profile_deaths_sigma * rng.gauss()))
            self.high_profile += 1
        else:
            u = self._below + (1.0 - self._below) * rng.random()
            deaths = int(math.exp(self._mu + sp.deaths_sigma * normal.inv_cdf(min(u, 1.0 - 1e-12))))
        self.attacks += 1
        attack = border.place_incident(day, Kind.MILITANT, MILITANTS, victim, deaths, rng)
        attack.high_profile = high_profile
        attack.attributable = rng.random() >= sp.unattributable_share
        attack.breach = self._counted_by[victim] and (high_profile or deaths >= self.breach_deaths)
        return attack

    def end_of_day(self, day: int) -> None:
        """Degraded cells rebuild (in closed form: the loss shrinks by ``keep`` a day);
        mobilisation fades."""
        if self.lost:
            self.lost *= self._keep
            if self.lost < 1e-6:
                self.lost = 0.0
        if self.mobilisation:
            self.mobilisation *= self._mobilisation_fade

    # -- answers to the states
    def struck(self, day: int, overt: bool) -> None:
        """A state struck on Afghan soil: on the militants, the cell hit (chosen by its
        share of the attacks) loses ``strike_degradation`` of its capacity; every strike
        mobilises (Kydd & Walter 2002)."""
        sp = self.config
        if not overt and sp.strike_degradation:
            cell = self.stream.choices(self.cells, self._weights)[0]
            self.lost += cell.degrade(day, sp.strike_degradation, self._keep)
        self.mobilisation += sp.strike_mobilisation
