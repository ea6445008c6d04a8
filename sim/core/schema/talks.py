"""The talks: the agenda and each party's positions, the monitoring-and-verification
mechanism, and the mediators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigError
from .knobs import knob


@dataclass(frozen=True)
class IssuePosition:
    """One party's position on one issue (positions 0, 1/3, 2/3, 1: sim/model/negotiation.py)."""

    ideal: float = knob(
        "its ideal position", lo=0, hi=1, source="its stated position (conf/config.yaml, record-to-5nov.md sec. 2)"
    )
    weight: float = knob(
        "its weight on this issue (a party's weights are normalised to sum to 1)",
        lo=0,
        hi=1,
        sa=(0.02, 0.6),  # not 0: a party must weigh some issue
        source="the emphasis of its statements (conf/config.yaml); magnitude assumption",
        calibrated=True,
    )
    limit: float = knob(
        "the least it accepts on this issue alone (its reservation point); its reservation value is the utility of "
        "its limits",
        lo=0,
        hi=1,
        sa=(0.0, 1.0),
        source="assumption (conf/config.yaml gives the reading of each)",
        calibrated=True,
    )


@dataclass(frozen=True)
class IssueConfig:
    afghanistan: IssuePosition = knob("Kabul's position")
    pakistan: IssuePosition = knob("Pakistan's position")


#: The agenda's issues (sim/model/negotiation.py: ISSUES), which negotiation.issues must list.
AGENDA = ("ttp_action", "strikes", "mechanism", "trade", "refugees")


@dataclass(frozen=True)
class NegotiationConfig:
    """The rounds of talks as bargaining (sim/model/talks.py, sim/model/negotiation.py)."""

    protocol: Literal["single_text", "issue_by_issue"] = knob(
        "what the texts of a round are: the mediators' single negotiating text linking issues (Raiffa 1982), or "
        "offers issue by issue (Rubinstein 1982); with no mediator, issue by issue",
        source="Raiffa, The Art and Science of Negotiation 1982; Sebenius 1983 (linkage)",
        lever=True,
    )
    texts: int = knob("texts (offers) put to the parties in a round at most", lo=1, hi=50, sa=(2, 8), calibrated=True)
    walkout_risk: float = knob(
        "chance a party walks out after a rejected text (risk of breakdown)",
        lo=0,
        hi=1,
        sa=(0.05, 0.4),
        source="Binmore, Rubinstein & Wolinsky, RAND J. Econ. 1986 (bargaining with a risk of breakdown); magnitude "
        "assumption",
        calibrated=True,
    )
    concession: float = knob(
        "reservation value a party gives up with each rejected text, times (1 - its grievance)",
        lo=0,
        hi=1,
        sa=(0.0, 0.06),
        source="Rubinstein 1982 (the cost of delay); magnitude assumption",
        calibrated=True,
    )
    leverage_weight: float = knob(
        "reservation value lowered by the mediators' full pressure (sticks and carrots)",
        lo=0,
        hi=1,
        sa=(0.0, 0.3),
        source="Beardsley, The Mediation Dilemma 2011 (manipulative mediation); magnitude assumption",
        calibrated=True,
    )
    grievance_weight: float = knob(
        "reservation value raised by a party's full grievance", lo=0, hi=1, sa=(0.0, 0.3), calibrated=True
    )
    resolve_noise: float = knob(
        "standard deviation of a party's private shock to its reservation value in a round (its resolve, which the "
        "mediators do not know)",
        lo=0,
        hi=1,
        sa=(0.0, 0.1),
        source="Fearon, IO 1995 (private information about resolve); magnitude assumption",
        calibrated=True,
    )
    coordination_cost: float = knob(
        "each mediator beyond the first multiplies the walk-out risk by 1 + this (coordination)",
        lo=0,
        hi=5,
        sa=(0.0, 0.6),
        source="Beardsley, The Mediation Dilemma 2011 (several mediators coordinate poorly); magnitude assumption",
        calibrated=True,
    )
    breakdown_grievance: float = knob(
        "grievance added to both by a round that breaks down", lo=0, hi=1, sa=(0.0, 0.2), calibrated=True
    )
    salvage_gap_days: int = knob(
        "days to the next round after a salvaged one",
        lo=1,
        hi=365,
        unit="days",
        sa=(3, 21),
        source="round 2 salvaged 30 Oct, round 3 on 6 Nov 2025: 7 days (record sec. 2)",
        calibrated=True,
    )
    hiatus_days: int = knob(
        "days to the next round after a breakdown", lo=1, hi=3650, unit="days", sa=(14, 120), calibrated=True
    )
    step_back: float = knob(
        "share of its leverage a mediator loses when a round breaks down (it steps back; rounds that agree or are "
        "salvaged renew it)",
        lo=0,
        hi=1,
        sa=(0.0, 0.5),
        source="Beardsley 2011 (mediators' own costs); assumption",
        calibrated=True,
    )
    ttp_commitment_weight: float = knob(
        "Kabul's will to crack down added by its agreed TTP position (1: verified action)",
        lo=0,
        hi=3,
        sa=(0.2, 1.2),
        source="written commitments as costly signals (Fearon 1997, tying hands); magnitude assumption",
        calibrated=True,
    )
    strike_commitment_weight: float = knob(
        "restraint on Pakistan's strikes added by its agreed strikes position (1: airspace respected)",
        lo=0,
        hi=3,
        sa=(0.0, 0.6),
        source="Fearon, JCR 1997 (tying hands); magnitude assumption",
        calibrated=True,
    )
    issues: dict[str, IssueConfig] = knob(
        "the agenda: each party's ideal, weight and limit on each issue",
        source="record-to-5nov.md sec. 2 (stated positions); magnitudes assumption",
    )

    def __post_init__(self) -> None:
        if sorted(self.issues) != sorted(AGENDA):
            raise ConfigError(
                f"negotiation.issues: the agenda is {', '.join(AGENDA)}; got {', '.join(self.issues) or 'none'}."
            )
        for party in ("afghanistan", "pakistan"):
            if sum(getattr(i, party).weight for i in self.issues.values()) <= 0:
                raise ConfigError(f"negotiation.issues: {party}'s weights are all zero; give some issue a weight.")


@dataclass(frozen=True)
class MvmConfig:
    design: str = knob(
        "the design: a registered implementation (sim/model/monitor.py: none, joint, third_party, custom)",
        source="label",
    )
    start: Literal["agreement", "imposed", "never"] = knob(
        "when it operates: agreement (only once a round agrees a package with a mechanism, with the terms agreed, "
        "setup_delay_days later), imposed (from start_day with full terms, whatever the talks: a what-if), or never"
    )
    start_day: int = knob(
        "start = imposed: the first operational day (unused otherwise)", lo=0, hi=3650, unit="day", sa=(0, 30)
    )
    setup_delay_days: int = knob(
        "start = agreement: days from agreement to operation", lo=0, hi=3650, unit="days", sa=(0, 45), deep=(0, 45)
    )
    detection_prob: float = knob(
        "chance an incident in a watched sector is detected",
        lo=0,
        hi=1,
        sa=(0.2, 0.95),
        source="Mattes & Savun, AJPS 2010; Fortna 2003 (form); magnitude assumption",
        lever=True,
    )
    attribution_accuracy: float = knob(
        "chance a finding names the true author",
        lo=0,
        hi=1,
        sa=(0.5, 0.95),
        source="Wu & Axelrod 1995 (noise); magnitude assumption",
        lever=True,
    )
    coverage: float = knob("share of the border watched", lo=0, hi=1, sa=(0.1, 0.8), lever=True)
    reporting_delay_days: int = knob("days from incident to finding", lo=0, hi=365, unit="days", sa=(0, 14), lever=True)
    penalty: float = knob(
        "cost imposed on a verified violator",
        lo=0,
        hi=1,
        sa=(0.0, 1.0),
        source=(
            "Mattes & Savun, ISQ 2009 (cost-increasing provisions); 30 Oct statement: penalty on the "
            "violator (trtworld.com)"
        ),
        lever=True,
    )
    acceptance: float = knob(
        "how far the states defer to and believe its findings at the start (its credibility then follows its "
        "track record)",
        lo=0,
        hi=1,
        sa=(0.3, 1.0),
        deep=(0.3, 1.0),
    )
    track_record_weight: float = knob(
        "weight of each finding in the mechanism's credibility (an average of right and wrong findings, starting "
        "at acceptance)",
        lo=0,
        hi=1,
        sa=(0.0, 0.3),
        source="Fortna 2003 (monitors' credibility); assumption",
    )
    enforcement: float = knob(
        "share of the penalty that bites without the mediators (reputational cost); the rest bites in proportion "
        "to the mediators' pressure",
        lo=0,
        hi=1,
        sa=(0.0, 1.0),
        source="Mattes & Savun, ISQ 2009; Beardsley 2011 (leverage enforces); assumption",
        deep=(0.0, 1.0),
    )

    def __post_init__(self) -> None:
        if self.design == "none" and self.start != "never":
            raise ConfigError("mvm: design 'none' needs mvm.start=never (or pick another design).")


@dataclass(frozen=True)
class MediatorConfig:
    kind: str = knob(
        "its behaviour: a registered implementation (sim/model/mediators.py: leverage)",
        source="Beardsley, AJPS 2008 (leverage)",
    )
    leverage: float = knob(
        "initial leverage over the parties (Beardsley)",
        lo=0,
        hi=1,
        sa=(0.2, 0.8),
        source="Beardsley, AJPS 2008 (leverage); magnitude assumption",
    )
    credibility: float = knob("credibility with both parties", lo=0, hi=1, sa=(0.4, 1.0))
    engagement: float = knob("share of its leverage it brings to bear", lo=0, hi=1, sa=(0.4, 1.0))
    until_day: int | None = knob(
        "the last day it takes part: it withdraws at the end of it (no pressure, no salvage from then on); "
        "null: throughout. A what-if from a given day, e.g. 17 (5 Nov 2025) for a line-up that changes after the "
        "record",
        lo=0,
        hi=3650,
        unit="day",
        lever=True,
        source="Türkiye and Qatar mediated in Doha and Istanbul, 18 Oct-6 Nov 2025 (record sec. 2)",
    )


@dataclass(frozen=True)
class MediationConfig:
    round_interval_days: int = knob(
        "days between rounds after the scheduled ones", lo=1, hi=3650, unit="days", sa=(14, 90)
    )
    leverage_decay: float = knob(
        "daily decay of leverage (Beardsley)",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.0, 0.03),
        source="Beardsley, AJPS 2008; The Mediation Dilemma 2011 (leverage fades); magnitude assumption",
        deep=(0.0, 0.03),
    )
    renew_leverage: bool = knob("whether each round renews leverage")
    renewal: float = knob(
        "share of lost leverage a round restores",
        lo=0,
        hi=1,
        sa=(0.0, 1.0),
        source="Beardsley 2011; magnitude assumption",
    )
    calming: float = knob("grievance removed a day at full mediator pressure", lo=0, hi=1, unit="1/day", sa=(0.0, 0.03))
    cost_weight: float = knob("weight of mediator pressure in the cost of striking", lo=0, hi=5, sa=(0.0, 1.0))
    mediators: dict[str, MediatorConfig] = knob("the mediators by name")
