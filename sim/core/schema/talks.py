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
    principle_chance: float = knob(
        "chance a round at the ceasefire stage agrees a text in principle (a framework: the issues, that a "
        "mechanism will exist; nothing set up), with the mediators at full pressure",
        lo=0,
        hi=1,
        sa=(0.3, 0.7),
        source=(
            "reference classes (docs/context/reference-classes.csv): mediation success 0.39-0.64 (Bercovitch 1996: "
            "security disputes 0.41, high fatalities 0.39, low 0.64); mediated crises end in agreement 62% of the "
            "time (27% unmediated)"
        ),
        calibrated=True,
    )
    unmediated_share: float = knob(
        "the share of principle_chance left without the mediators' pressure (a bilateral round)",
        lo=0,
        hi=1,
        sa=(0.3, 0.6),
        source="reference classes: crises end in agreement 27% of the time unmediated against 62% mediated (0.44)",
        calibrated=True,
    )
    modalities_chance: float = knob(
        "chance a round at the principle stage puts a text on modalities to the parties (the distributive fight: "
        "the mechanism's terms, the TTP steps, the trade terms), rather than talks about talks",
        lo=0,
        hi=1,
        sa=(0.05, 0.5),
        source=(
            "reference classes: an agreement in principle gets a modalities text within a year in 28% of PA-X "
            "processes (37% of interstate partial frameworks; median wait 291 days); Clayton & Gleditsch 2014: "
            "private information makes a round's outcome hard to predict; magnitude assumption"
        ),
        calibrated=True,
    )
    review_failure: float = knob(
        "chance a review round under a troubled package (a provision reneged, or a party now worse off than its "
        "reservation: Fearon's commitment problem) breaks down rather than being salvaged",
        lo=0,
        hi=1,
        sa=(0.1, 0.7),
        source="Stedman, Rothchild & Cousens 2002 (implementation fails where spoilers and reneging meet); assumption",
        calibrated=True,
    )
    sequencing: Literal["together", "trade_first", "ttp_first"] = knob(
        "the order the modalities put their provisions in: together (each on its own course), trade_first (the "
        "crossings reopen for trade as soon as the modalities are agreed), ttp_first (the trade terms add nothing to "
        "Pakistan's will to reopen until Kabul's TTP steps are seen)",
        source="Pakistan tied trade to verifiable action against the TTP; Kabul asked to separate trade from "
        "politics (record sec. 2); assumption",
        lever=True,
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
        "when it operates: agreement (only once a round agrees modalities with a mechanism, with the terms agreed, "
        "then set up after a mean setup_delay_days; it can stall, be reneged, be suspended and resume), imposed (from "
        "start_day with full terms, whatever the talks: a what-if), or never"
    )
    start_day: int = knob(
        "start = imposed: the first operational day (unused otherwise)", lo=0, hi=3650, unit="day", sa=(0, 30)
    )
    setup_delay_days: int = knob(
        "start = agreement: mean days from agreed modalities to operation (a daily hazard, shortened by a guarantee)",
        lo=0,
        hi=3650,
        unit="days",
        sa=(0, 45),
        deep=(0, 45),
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
    guarantee: float = knob(
        "how far the mediators guarantee the implementation of what is agreed (0: not at all, 1: fully): it "
        "removes implementation.guarantee_effect of the hazard of reneging and of the time to implement",
        lo=0,
        hi=1,
        source="Walter, IO 1997 (third-party guarantees are the critical barrier); a policy choice",
        lever=True,
    )
    mediators: dict[str, MediatorConfig] = knob("the mediators by name")


@dataclass(frozen=True)
class ImplementationConfig:
    """From a text to the ground: each provision of agreed modalities is carried out over
    time or reneged, and a mechanism set up can stop operating (sim/model/implementation.py)."""

    renege_rate: float = knob(
        "daily hazard that a party reneges on a provision it has not yet carried out, at baseline",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.0002, 0.003),
        source=(
            "reference classes: UCDP peace agreements with ceasefire provisions ended within 90 days in 15.3% of "
            "cases, within a year in 26.7% (a hazard of about 0.0008 a day)"
        ),
        calibrated=True,
    )
    attack_weight: float = knob(
        "reneging hazard multiplied by 1 + this for each attack Pakistan counted as Kabul's breach in the last 30 days",
        lo=0,
        hi=10,
        sa=(0.0, 0.5),
        source="Kydd & Walter, IO 2002; Stedman 1997 (spoilers strike at implementation); magnitude assumption",
        calibrated=True,
    )
    shortfall_weight: float = knob(
        "reneging hazard multiplied by 1 + this times how far the party's utility of the package has fallen "
        "below its reservation value (Fearon 1995: the commitment problem)",
        lo=0,
        hi=100,
        sa=(0.0, 20.0),
        source="Fearon, IO 1995; Powell, IO 2006 (commitment problems); magnitude assumption",
        calibrated=True,
    )
    guarantee_effect: float = knob(
        "share of the reneging hazard, and of the time to implement, that a full guarantee by the mediators removes",
        lo=0,
        hi=1,
        sa=(0.2, 0.8),
        source=(
            "Walter 1997; reference classes: a third-party presence lowers the risk of renewed fighting by 50-75% "
            "(Fortna 2004)"
        ),
        calibrated=True,
    )
    suspension_rate: float = knob(
        "daily hazard that an operating mechanism is suspended (a party boycotts it, denies access, it stops "
        "meeting), at baseline",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.0005, 0.005),
        source=(
            "reference classes: UCDP agreements with an implementation commission ended within a year in 15.8% of "
            "cases (about 0.0005 a day); Mattes & Savun 2010: verification must itself be implemented; assumption"
        ),
        calibrated=True,
    )
    finding_suspension: float = knob(
        "suspension hazard multiplied by 1 + this while a finding named a party in the last 30 days (the named "
        "party disputes the mechanism)",
        lo=0,
        hi=50,
        sa=(0.0, 5.0),
        source="assumption",
        calibrated=True,
    )
    resume_days: float = knob(
        "mean days a suspended mechanism takes to resume operating",
        lo=1,
        hi=3650,
        unit="days",
        sa=(7, 90),
        source="assumption",
        calibrated=True,
    )
