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
    RETALIATION = "retaliation"  # deliberate strike by one state on the other


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
    provoked_by: Incident | None = None  # the incident a retaliation answers
    detected: bool = False
    finding: str | None = None  # whom the mechanism's finding names
    awaiting_finding: bool = False  # the victim holds its response until the finding
    misattributed: bool = False
    blame: str | None = None  # whom the victim's government publicly blames (None: not yet)

    @property
    def state_on_state(self) -> bool:
        return self.kind is not Kind.MILITANT


def severity(casualties: int) -> float:
    """Weight of an incident in grievance: 0.5 for a bloodless one, 3 at most (assumption)."""
    return min(3.0, 0.5 + casualties / 8.0)


def wrong_party(incident: Incident) -> str:
    """Whom a wrong finding names: the host state for a militant attack, else the victim."""
    if incident.kind is Kind.MILITANT:
        return PAK if incident.victim == AFG else AFG
    return incident.victim
