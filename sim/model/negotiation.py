"""The negotiation: the agenda, each party's positions, and how a round of talks bargains.

The agenda as it stood on 5 November 2025 (docs/context/record-to-5nov.md, sec. 2) is
five issues, each on a common scale of four positions (0, 1/3, 2/3, 1); position 0 is
the status quo (no agreement on that issue) and each step is a further concession by
the party that gives it (:data:`LABELS`):

- ``ttp_action``: Kabul's commitment against the TTP: none, verbal, written, verified by
  the mechanism (Pakistan's "single-point agenda": "decisive and verifiable action";
  Kabul: it "cannot prevent attacks inside Pakistan");
- ``strikes``: Pakistan's commitment on cross-border strikes and Afghan airspace (Kabul's
  demand, 29 Oct; Pakistan's threat of strikes "deep into Afghanistan");
- ``mechanism``: the monitoring-and-verification mechanism's terms: none, complaints only,
  findings with a penalty on the violator, and findings that can also name a host's
  inaction (agreed in principle 30 Oct; who sits on it and its penalties not said);
- ``trade``: trade and transit: kept as Pakistan's lever, an aid lane, bilateral trade
  reopened, trade and transit "separated from politics" (Kabul, 29 Oct);
- ``refugees``: the return of Afghan refugees: returns continue (Pakistan, 1 Nov: "no
  more extensions"), registered refugees stay, phased returns, returns halted.

Each party has, per issue, an ideal position, a weight and a limit (the least it accepts
on that issue alone) (``negotiation.issues`` in conf/config.yaml). Its utility of a package
is the weighted closeness to its ideals, ``sum_k w_k (1 - |x_k - ideal_k|)`` (weights
summing to 1; additive multi-issue utility, Raiffa 1982). Its reservation value is the
utility of its limits: it accepts a package worth at least that, whatever the mix, which
is where linkage widens the zone of agreement (Sebenius 1983).

A commitment by the other party (Kabul's on the TTP as Pakistan reads it, Pakistan's on
strikes as Kabul reads it) is read at ``position * (trust + (1 - trust) * mechanism)``: a
promise is worth what the reader trusts, unless the mechanism agreed in the same package
can verify it (Fearon 1995: verification stands in for trust; Walter 1997).

Two procedures (:func:`single_text`, :func:`issue_by_issue`) produce the texts a round
puts to the parties; :class:`Bargain` holds what a round needs of both parties.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .incidents import AFG, PAK

if TYPE_CHECKING:
    from ..core.schema import NegotiationConfig

#: The issues, in the order of a package's positions.
ISSUES = ("ttp_action", "strikes", "mechanism", "trade", "refugees")
#: The positions every issue can take; 0 is the status quo.
LEVELS = (0.0, 1 / 3, 2 / 3, 1.0)
#: What each position means, issue by issue (for the event log and the docs).
LABELS = {
    "ttp_action": ("none", "verbal", "written", "verified"),
    "strikes": ("reserved", "no fire on forces", "no strikes on Afghan soil", "airspace respected"),
    "mechanism": ("none", "complaints only", "findings and penalty", "penalty and naming inaction"),
    "trade": ("lever", "aid lane", "bilateral reopened", "separated from politics"),
    "refugees": ("returns continue", "registered stay", "phased returns", "returns halted"),
}
#: The issue on which each party reads the *other's* commitment.
READS_COMMITMENT = {PAK: ISSUES.index("ttp_action"), AFG: ISSUES.index("strikes")}
MECHANISM = ISSUES.index("mechanism")

#: Every package: one row per combination of positions (4^5 = 1,024), in positions.
PACKAGES = np.array(list(itertools.product(LEVELS, repeat=len(ISSUES))))
STATUS_QUO = np.zeros(len(ISSUES))


def level_index(position: float) -> int:
    """The index of a position in :data:`LEVELS`."""
    return int(round(position * (len(LEVELS) - 1)))


def describe(package: np.ndarray) -> str:
    """A package in words, the agreed items only (for the event log)."""
    items = [f"{k}={LABELS[k][level_index(x)]}" for k, x in zip(ISSUES, package, strict=True) if x > 0]
    return ", ".join(items) or "nothing"


@dataclass(frozen=True)
class Positions:
    """One party's ideal, weight and limit on each issue (arrays in :data:`ISSUES` order)."""

    party: str
    ideal: np.ndarray
    weight: np.ndarray  # normalised to sum to 1
    limit: np.ndarray

    @classmethod
    def of(cls, party: str, ideal, weight, limit) -> Positions:
        w = np.asarray(weight, dtype=float)
        if w.sum() <= 0:
            raise ValueError(f"{party}: the issues' weights must not all be zero")
        return cls(party, np.asarray(ideal, dtype=float), w / w.sum(), np.asarray(limit, dtype=float))

    def utility(self, packages: np.ndarray, trust: float) -> np.ndarray:
        """The utility of each package (rows of ``packages``), the other's commitment read
        through trust and the mechanism."""
        if packages is PACKAGES:  # every package: cached, and so is the last trust's result (read-only)
            last = self.__dict__.get("_last")
            if last is not None and last[0] == trust:
                return last[1]
            rest, promised, verified = self._every_package()
        else:
            rest, promised, verified = self._parts(packages if packages.ndim == 2 else packages[None, :])
        c = READS_COMMITMENT[self.party]
        read = promised * (trust + (1.0 - trust) * verified)
        u = rest + self.weight[c] * (1.0 - np.abs(read - self.ideal[c]))
        if packages is PACKAGES:
            u.flags.writeable = False
            object.__setattr__(self, "_last", (trust, u))
        return u

    def utility_of(self, package: np.ndarray, trust: float) -> float:
        """The utility of one package (:meth:`utility` of that row), as a Python float.

        The parts that do not depend on trust are computed once per package (the
        modalities in force are read every day while a provision is pending); the rest is
        the same arithmetic in Python floats, which round as numpy's float64 do."""
        key = package.tobytes()
        cached = self.__dict__.get("_one")
        if cached is None or cached[0] != key:
            rest, promised, verified = self._parts(package[None, :])
            c = READS_COMMITMENT[self.party]
            parts = (rest[0], promised[0], verified[0], self.weight[c], self.ideal[c])
            cached = (key, tuple(float(x) for x in parts))
            object.__setattr__(self, "_one", cached)
        rest, promised, verified, weight, ideal = cached[1]
        read = promised * (trust + (1.0 - trust) * verified)
        return rest + weight * (1.0 - abs(read - ideal))

    def _parts(self, packages: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The utility of the issues other than the commitment it reads; the commitment;
        the mechanism that verifies it."""
        c = READS_COMMITMENT[self.party]
        closeness = 1.0 - np.abs(packages - self.ideal)
        closeness[:, c] = 0.0
        return closeness @ self.weight, packages[:, c], packages[:, MECHANISM]

    def _every_package(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        cached = self.__dict__.get("_cache")
        if cached is None:
            cached = self._parts(PACKAGES)
            object.__setattr__(self, "_cache", cached)
        return cached

    def reservation(self) -> float:
        """The utility of its limits, read at face value: the least it accepts."""
        return float((1.0 - np.abs(self.limit - self.ideal)) @ self.weight)

    def accepts_on_issue(self, issue: int, position: float, slack: float) -> bool:
        """Whether a position on one issue alone is within its limit (no farther from its
        ideal than the limit is), the limit widened by ``slack`` (concessions made in the
        round)."""
        far = abs(self.limit[issue] - self.ideal[issue]) + slack
        return bool(abs(position - self.ideal[issue]) <= far + 1e-3)  # limits are given to 3 decimals


def effective_reservation(
    base: float, nc: NegotiationConfig, pressure: float, grievance: float, texts_rejected: int
) -> float:
    """A party's reservation value for the next text: the utility of its limits
    (``base``), lowered by the mediators' leverage (sticks and carrots move what a party
    must get, Beardsley 2011), raised by its grievance, and lowered by the concessions
    made as texts are rejected (at ``concession`` a text, damped by grievance: Pruitt &
    Carnevale 1993). Magnitudes: assumptions with sensitivity ranges (``negotiation``)."""
    r = base - nc.leverage_weight * pressure + nc.grievance_weight * grievance
    return r - nc.concession * texts_rejected * (1.0 - grievance)


@dataclass
class Bargain:
    """What one text of a round is judged on: both parties' positions, trust and
    reservation values as moved by the mediators' leverage, grievance and the
    concessions made so far (:meth:`sim.model.talks.Talks.reservations`)."""

    afg: Positions
    pak: Positions
    trust: tuple[float, float]  # Afghanistan's, Pakistan's
    reserve: tuple[float, float]  # their effective reservation values
    shock: tuple[float, float] = (0.0, 0.0)  # their private shocks to them (resolve), unknown to the mediators

    def surpluses(self, packages: np.ndarray, known: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Each party's surplus over its reservation value, as the mediators know it
        (``known``: without the private shocks) or as the party does."""
        sa, sp = (0.0, 0.0) if known else self.shock
        return (
            self.afg.utility(packages, self.trust[0]) - self.reserve[0] - sa,
            self.pak.utility(packages, self.trust[1]) - self.reserve[1] - sp,
        )

    def accepted(self, package: np.ndarray) -> tuple[bool, bool]:
        """Whether each party accepts a package (by its own, shocked, reservation value)."""
        a, p = self.surpluses(package, known=False)
        return bool(a[0] >= -1e-9), bool(p[0] >= -1e-9)


def single_text(bargain: Bargain, candidates: np.ndarray = PACKAGES) -> np.ndarray:
    """The mediators' single negotiating text (Raiffa 1982): the package that leaves the
    worse-off party best off (the largest smaller surplus; ties: the larger sum, then the
    first in order). Linking issues, it can trade a concession one party values little
    for one the other values much (Sebenius 1983)."""
    a, p = bargain.surpluses(candidates)
    worst = np.minimum(a, p)
    best = worst.max()
    ties = np.flatnonzero(worst >= best - 1e-9)
    return candidates[ties[np.argmax((a + p)[ties])]].copy()


def issue_by_issue(bargain: Bargain, slack: tuple[float, float]) -> np.ndarray:
    """Offers issue by issue, with no one to link them (alternating offers, Rubinstein
    1982, one issue at a time): an issue is settled at the position in both parties'
    limits (each moved by its ``slack``) nearest the middle of their ideals, and stays at
    the status quo where their limits do not meet."""
    package = STATUS_QUO.copy()
    for k in range(len(ISSUES)):
        ok = [
            x
            for x in LEVELS
            if bargain.afg.accepts_on_issue(k, x, slack[0]) and bargain.pak.accepts_on_issue(k, x, slack[1])
        ]
        if ok:
            middle = 0.5 * (bargain.afg.ideal[k] + bargain.pak.ideal[k])
            package[k] = min(ok, key=lambda x: (abs(x - middle), x))
    return package
