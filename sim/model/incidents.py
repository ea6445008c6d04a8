"""Incidents: what happened, who did it, whom it hit, and what became known of it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

AFG, PAK = "afghanistan", "pakistan"
MILITANTS = "militants"
UNKNOWN = "unknown"


class Kind(Enum):
    """What an incident was, in truth."""

    MILITANT = "militant"  # attack by a militant cell inside one of the states
    ACCIDENT = "accident"  # local clash by a state's own forces, not ordered
    RETALIATION = "retaliation"  # deliberate strike by one state on the other (on the border, or away)
    AIR_STRIKE = "air_strike"  # Pakistan's overt air strike on targets in Afghanistan
    STRIKE_ON_MILITANTS = "strike_on_militants"  # a deniable strike on militants on the other's soil


#: Deliberate strikes by a state (they land the day after they are ordered).
STRIKES = frozenset((Kind.RETALIATION, Kind.AIR_STRIKE, Kind.STRIKE_ON_MILITANTS))


@dataclass(slots=True)
class Incident:
    """One violent incident and what became known of it."""

    day: int
    kind: Kind
    author: str  # "militants" or the key of the state that fired
    victim: str  # key of the state hit
    casualties: int
    crossing: int  # index of the crossing it happened near, or -1
    attributable: bool = True
    high_profile: bool = False  # a suicide or urban mass-casualty attack
    provoked_by: Incident | None = None  # the incident a retaliation answers
    detected: bool = False
    finding: str | None = None  # whom the mechanism's finding names
    awaiting_finding: bool = False  # the victim holds its response until the finding
    misattributed: bool = False
    blame: str | None = None  # whom the victim's government publicly blames (None: not yet)
    breach: bool = False  # the victim's government counts it as a breach of the truce by the other

    @property
    def state_on_state(self) -> bool:
        """Fire between the two states' forces (a strike on militants is not)."""
        return self.kind is not Kind.MILITANT and self.kind is not Kind.STRIKE_ON_MILITANTS


def severity(casualties: int) -> float:
    """Weight of an incident in grievance: 0.5 for a bloodless one, 3 at most (assumption)."""
    return min(3.0, 0.5 + casualties / 8.0)


def wrong_party(incident: Incident) -> str:
    """Whom a wrong finding names: the host state for a militant attack, else the victim."""
    if incident.kind is Kind.MILITANT:
        return PAK if incident.victim == AFG else AFG
    return incident.victim
