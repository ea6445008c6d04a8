"""The typed schema of every knob, with its range, meaning and source.

The values live in the Hydra tree under ``conf/``; this module is the one place that says
what each key is, what is allowed, and where its default comes from. :func:`build`
turns a plain mapping into frozen dataclasses, or raises :class:`ConfigError` with one
paragraph that names the key and what is allowed. The tree is walked in one place:
:func:`leaves` (every leaf of a config, with its declaration: the docs' parameter table,
the sensitivity factors) and :func:`field_at` (the declared type at a dotted key: the
command-line checks); :func:`set_values` sets dotted keys.

The parameter table of ``docs/model.md`` is generated from this schema
(``python -m sim.docs``), so documentation and code cannot drift apart.
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigError

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"
CONFIG_GROUPS = ("scenario", "mvm", "mediation", "experiment")
#: Config groups whose option is a policy lever (decision support: sim/analysis/discovery.py).
LEVER_GROUPS = ("mvm", "mediation")


def knob(
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    source: str = "assumption",
    sa: tuple[float, float] | None = None,
    forbid: tuple = (),
    lever: bool = False,
    deep: tuple[float, float] | None = None,
) -> Any:
    """A schema field: meaning, allowed range [lo, hi], unit, source, sensitivity range,
    and its role in decision support (sim/analysis/discovery.py): a ``lever`` (a choice
    the parties or mediators make) or a ``deep`` uncertainty with its plausible range
    (something neither they control nor the record of 2025 informs). Every other
    behavioural magnitude is an uncertainty carried by the calibrated posterior."""
    return field(
        metadata={
            "doc": doc,
            "lo": lo,
            "hi": hi,
            "unit": unit,
            "source": source,
            "sa": sa,
            "forbid": forbid,
            "lever": lever,
            "deep": deep,
        }
    )


# --------------------------------------------------------------------------- run


@dataclass(frozen=True)
class RunConfig:
    replicates: int = knob("independent replicates", lo=1, hi=10_000_000, source="run setting")
    horizon_days: int = knob(
        "days simulated after day 0 (19 Oct 2025)", lo=1, hi=3650, unit="days", source="run setting"
    )
    seed: int = knob("master seed; replicate seeds are spawned from it", lo=0, hi=2**63 - 1, source="run setting")
    n_jobs: int = knob("worker processes; -1 = all cores", lo=-1, hi=1024, forbid=(0,), source="run setting")
    chunk_size: int = knob(
        "replicates per task (results do not depend on n_jobs)", lo=1, hi=100_000, source="run setting"
    )
    progress: bool = knob("progress bar when attached to a terminal", source="run setting")
    overwrite: bool = knob(
        "replace a run of another configuration in the output folder (only the files runs write are removed; "
        "a folder that is not a run folder is refused either way); false: refuse such a folder",
        source="run setting",
    )
    figures: bool = knob(
        "write survival.png, trade.png and dynamics.png (false for the many points of a design)", source="run setting"
    )
    events: bool = knob(
        "write events.parquet, every replicate's event log (false for huge runs; the outcomes are coded either way)",
        source="run setting",
    )


# --------------------------------------------------------------------------- scenario

SCENARIO_SOURCE = "case-facts.md"


@dataclass(frozen=True)
class Round:
    name: str = knob("name of the round", source="label")
    start_day: int = knob("first day of the round", lo=0, hi=3650, unit="day")
    end_day: int = knob("day the round ends with its outcome", lo=0, hi=3650, unit="day")

    def __post_init__(self) -> None:
        if self.end_day < self.start_day:
            raise ConfigError(f"round '{self.name}': end_day ({self.end_day}) is before start_day ({self.start_day}).")


@dataclass(frozen=True)
class StateInit:
    trust: float = knob(
        "initial trust in the other state",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="both accuse each other of bad faith, trust very low (seed article); magnitude assumption",
    )
    grievance: float = knob(
        "initial grievance against the other state",
        lo=0,
        hi=1,
        sa=(0.3, 0.9),
        source="a week of fighting, 70+ killed (AFP, seed article); magnitude assumption",
    )
    grievance_floor: float = knob(
        "Richardson g: the grievance fatigue decays towards",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Richardson arms-race form (g); magnitude assumption",
    )
    domestic_pressure: float = knob("initial domestic pressure to answer attacks", lo=0, hi=1, sa=(0.1, 0.7))
    trade_dependence: float = knob(
        "weight of trade losses in economic pressure",
        lo=0,
        hi=1,
        source="Afghan imports US$150 m/month vs exports 60 m (didpress.com 21141); Afghanistan landlocked",
    )
    blame_bias: float = knob(
        "chance of blaming the other state for an unverified militant attack",
        lo=0,
        hi=1,
        sa=(0.2, 0.9),
        source="stated positions: Pakistan says Kabul harbours the TTP (seed article); magnitude assumption",
    )
    effort: float = knob("base effort to suppress militants on its soil", lo=0, hi=1, sa=(0.0, 0.5))
    capability: float = knob(
        "capability to restrain the militants on its soil: the most a crackdown can do",
        lo=0,
        hi=1,
        sa=(0.1, 0.9),
        source=(
            "Kabul: it 'cannot prevent attacks inside Pakistan' (state TV, 28 Oct 2025); Pakistan: it must 'regain "
            "control' (Business Recorder, 27 Oct); magnitude assumption"
        ),
    )
    belief_capability: float = knob(
        "belief that the other government can restrain the militants on its soil (Kydd & Walter 2002)",
        lo=0,
        hi=1,
        sa=(0.3, 1.0),
        source="Pakistan: fugitives must be handed over, sanctuaries dismantled (record-to-5nov.md sec. 2); assumption",
    )
    belief_complicity: float = knob(
        "initial belief that the other government lets the militants act (harbours them)",
        lo=0,
        hi=1,
        sa=(0.4, 1.0),
        source="Pakistan: 'Kabul harbours the TTP' (seed article; Asif, 31 Oct 2025); magnitude assumption",
    )


@dataclass(frozen=True)
class CrossingInit:
    trucks_per_day: float = knob(
        "baseline trucks a day",
        lo=1,
        hi=100_000,
        unit="trucks/day",
        source="3-day counts (globalnewsviews.com) scaled so Ghulam Khan = 500/day (wesal.info)",
    )
    backlog: float = knob(
        "stranded trucks on day 0",
        lo=0,
        hi=1_000_000,
        unit="trucks",
        source=(
            "4,000-5,000 vehicles on the Torkham road (dawn.com 1951409); 357 at Chaman (mnnnews.online); split assumed"
        ),
    )


@dataclass(frozen=True)
class ScenarioConfig:
    name: str = knob("scenario name", source="label")
    start_date: str = knob(
        "calendar date of day 0", source="Doha ceasefire 19 Oct 2025 (seed article; menafn.com/1110215738)"
    )
    bilateral_usd_per_day: float = knob(
        "pre-crisis bilateral trade across the border",
        lo=0,
        hi=1e10,
        unit="US$/day",
        source="FY2024-25 bilateral trade US$1.998 bn / 365 (nukta.com; case-facts.md)",
    )
    transit_usd_per_day: float = knob(
        "pre-crisis Afghan transit trade through Pakistan",
        lo=0,
        hi=1e10,
        unit="US$/day",
        source="FY2024-25 transit trade US$0.974 bn / 365 (nukta.com; case-facts.md)",
    )
    closed_days: int = knob(
        "days every crossing had been shut for trade on day 0",
        lo=0,
        hi=3650,
        unit="days",
        source="all crossings closed 11-12 Oct 2025, 7 days before the ceasefire (ariananews.af; case-facts.md)",
    )
    rounds: list[Round] = knob(
        "scheduled rounds of talks", source="Istanbul 25-30 Oct (trtworld.com), 6 Nov 2025 (seed article)"
    )
    afghanistan: StateInit = knob("Afghanistan (Taliban government)")
    pakistan: StateInit = knob("Pakistan")
    crossings: dict[str, CrossingInit] = knob("border crossings", source=SCENARIO_SOURCE)

    def __post_init__(self) -> None:
        import datetime

        try:
            datetime.date.fromisoformat(self.start_date)
        except ValueError:
            raise ConfigError(f"scenario.start_date: '{self.start_date}' is not a date; use YYYY-MM-DD.") from None
        if not self.crossings:
            raise ConfigError("scenario.crossings: at least one crossing is needed.")
        days = [r.end_day for r in self.rounds]
        if days != sorted(days):
            raise ConfigError("scenario.rounds: rounds must be listed in calendar order.")


# --------------------------------------------------------------------------- behaviour


@dataclass(frozen=True)
class StatesConfig:
    accident_rate: float = knob(
        "local border clash by a state's own forces",
        lo=0,
        hi=0.5,
        unit="1/day",
        sa=(0.0, 0.04),
        source="assumption; clashes in Kurram and N. Waziristan on 24-25 Oct during the truce (nepalnews.com)",
    )
    blame_gain: float = knob(
        "Richardson a: grievance added by one perceived hostile act",
        lo=0,
        hi=1,
        sa=(0.05, 0.3),
        source="Richardson arms-race form; magnitude assumption",
    )
    fatigue: float = knob(
        "Richardson m: daily decay of grievance towards its floor",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.005, 0.05),
        source="Richardson arms-race form; magnitude assumption",
    )
    trust_loss: float = knob("trust lost per perceived hostile act", lo=0, hi=1, sa=(0.05, 0.25))
    trust_gain: float = knob("trust regained per quiet day", lo=0, hi=1, unit="1/day", sa=(0.0, 0.005))
    finding_trust_gain: float = knob(
        "trust regained when a verified finding clears the other state",
        lo=0,
        hi=1,
        sa=(0.0, 0.1),
        source="Fearon 1995 (information reduces uncertainty); magnitude assumption",
    )
    round_trust_gain: float = knob("trust regained by a round ending in agreement", lo=0, hi=1, sa=(0.0, 0.1))
    casualty_pressure: float = knob("domestic pressure added per casualty suffered", lo=0, hi=1, sa=(0.0, 0.03))
    pressure_decay: float = knob("daily decay of domestic pressure", lo=0, hi=1, unit="1/day", sa=(0.01, 0.1))
    economic_adjustment: float = knob(
        "daily speed at which economic pressure follows trade losses", lo=0, hi=1, unit="1/day", sa=(0.02, 0.3)
    )
    domestic_weight: float = knob("weight of domestic pressure in the motive to strike back", lo=0, hi=2, sa=(0.0, 0.6))
    economic_weight: float = knob("weight of economic pressure in the restraint", lo=0, hi=2, sa=(0.0, 0.6))
    retaliation_threshold: float = knob(
        "Epstein threshold on motive minus restraint",
        lo=-1,
        hi=1,
        sa=(0.2, 0.7),
        source="Epstein, PNAS 99 2002 (threshold rule); magnitude assumption",
    )
    decision_noise: float = knob("logistic temperature of the decision to strike back", lo=0.001, hi=1, sa=(0.03, 0.3))
    generosity: float = knob(
        "Wu & Axelrod: chance of leaving a hostile act unanswered",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Wu & Axelrod, JCR 39(1) 1995; magnitude assumption",
    )
    contrition: float = knob(
        "Wu & Axelrod: chance of not answering a reply to one's own error",
        lo=0,
        hi=1,
        sa=(0.0, 1.0),
        source="Wu & Axelrod, JCR 39(1) 1995; magnitude assumption",
    )
    strike_casualties_mean: float = knob("mean casualties of a deliberate strike or clash", lo=0, hi=1000, sa=(1, 15))
    effort_trust_gain: float = knob("host state's militant suppression added by full trust", lo=0, hi=1, sa=(0.0, 0.6))
    patience_days: float = knob(
        "e-folding time of patience while a finding is pending", lo=0.1, hi=365, unit="days", sa=(2, 20)
    )


@dataclass(frozen=True)
class SpoilersConfig:
    attack_rate: float = knob(
        "militant attacks a day inside the two states, all cells together, at baseline",
        lo=0,
        hi=20,
        unit="1/day",
        sa=(1.0, 3.0),
        source=(
            "PIPS 2024: 521 attacks (1.4 a day); PICSS Sep-Oct 2025: 69 and 89 a month (2.3-2.9 a day) "
            "(record-to-5nov.md sec. 1, 5)"
        ),
    )
    future_scale: float = knob(
        "militant capability after the record ends (future_from_day on): the attack rate times this; 1 = as "
        "calibrated to October 2025",
        lo=0,
        hi=10,
        deep=(0.5, 2.0),
        source=(
            "deep uncertainty: the rate doubled within a year (PIPS 2024: 1.4 attacks a day; PICSS Oct 2025: 2.9), "
            "and the record to 5 Nov 2025 cannot say where it goes next (record-to-5nov.md sec. 1, 5)"
        ),
    )
    future_from_day: int = knob(
        "first day of future_scale: the day after the record the calibration matches",
        lo=0,
        hi=3650,
        unit="day",
        source="5 Nov 2025 = day 17, the end of the record (record-to-5nov.md)",
    )
    cells: int = knob("militant cells", lo=1, hi=1000, sa=(2, 10))
    target_afghanistan_share: float = knob("share of attacks inside Afghanistan", lo=0, hi=1, sa=(0.0, 0.3))
    unattributable_share: float = knob("share of attacks no investigation can attribute", lo=0, hi=1, sa=(0.1, 0.5))
    round_surge: float = knob(
        "attack-rate multiplier around a round of talks",
        lo=0,
        hi=20,
        sa=(1.0, 3.0),
        source="Clayton et al. 2022: violence spikes around ceasefire talks; Kydd & Walter 2002; magnitude assumption",
    )
    surge_window_days: int = knob("days either side of a round with the surge", lo=0, hi=60, unit="days", sa=(0, 7))
    trust_surge: float = knob(
        "attack-rate multiplier added by full mean trust between the states (spoilers strike when the moderates "
        "look strong)",
        lo=0,
        hi=10,
        sa=(0.0, 2.0),
        source="Kydd & Walter, IO 56(2) 2002; magnitude assumption",
    )
    deaths_median: float = knob(
        "median of the lognormal deaths of a routine attack (deaths: its whole part)",
        lo=0.01,
        hi=1000,
        sa=(1.0, 2.0),
        source="fitted: mean 1.64 deaths an attack (PIPS 2024: 852 killed in 521 attacks), with the tail below",
    )
    deaths_sigma: float = knob(
        "log-scale spread of a routine attack's deaths", lo=0.01, hi=5, sa=(0.4, 0.8), source="fitted (as above)"
    )
    high_profile_share: float = knob(
        "share of attacks that are high-profile (suicide or urban mass-casualty attacks)",
        lo=0,
        hi=1,
        sa=(0.008, 0.025),
        source=(
            "fitted: of 521 attacks in 2024, 7 killed 10 or more and 4 killed 25 or more (PIPS; record-to-5nov.md "
            "sec. 5)"
        ),
    )
    high_profile_deaths_median: float = knob(
        "median deaths of a high-profile attack",
        lo=0.01,
        hi=1000,
        sa=(12.0, 30.0),
        source="the 2024-25 attacks with 10+ killed: 10-42, median 18 (record-to-5nov.md sec. 5); fitted",
    )
    high_profile_deaths_sigma: float = knob(
        "log-scale spread of a high-profile attack's deaths", lo=0.01, hi=5, sa=(0.3, 0.9), source="fitted (as above)"
    )
    strike_degradation: float = knob(
        "share of a cell's capacity a state strike on it destroys",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Jordan, Security Studies 2009; Johnston, Int. Security 2012 (leadership decapitation); assumption",
    )
    recovery_days: float = knob(
        "e-folding time in which a degraded cell rebuilds its capacity", lo=1, hi=3650, unit="days", sa=(15, 120)
    )
    strike_mobilisation: float = knob(
        "mobilisation added by each state strike on Afghan soil, fading (recruitment, revenge); a mobilisation m "
        "multiplies the attack rate by 1 + m / (1 + m), at most 2",
        lo=0,
        hi=5,
        sa=(0.0, 0.2),
        source="Kydd & Walter 2002; Byman 2005 (backlash of strikes); magnitude assumption",
    )
    mobilisation_days: float = knob(
        "e-folding time of the mobilisation a strike causes", lo=1, hi=3650, unit="days", sa=(30, 180)
    )


@dataclass(frozen=True)
class CrossingsConfig:
    reopen_rule: Literal["lever", "calm", "agreement"] = knob(
        "how Pakistan decides to reopen: lever (its choice, tied to what the talks deliver, to calm and to its own "
        "economic pressure), calm (a daily chance after a spell of calm: the first generation's rule), agreement "
        "(calm, and a mechanism agreed)",
        source="2017: closed about a month, reopening tied to action against a list of 76 militants (record sec. 3)",
        lever=True,
    )
    reopen_calm_days: int = knob(
        "quiet days Pakistan wants before reopening (lever: the calm term is full after this many)",
        lo=0,
        hi=365,
        unit="days",
        sa=(3, 30),
        source="earlier closures lasted 6-27 days (thenews.com.pk 1044363, 1293239; wionews.com); magnitude assumption",
    )
    reopen_prob: float = knob(
        "daily chance Pakistan reopens the closed crossings once the rule is met (lever: at full will)",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.01, 0.2),
    )
    reopen_threshold: float = knob(
        "lever: Pakistan's security case for keeping the border shut (threshold of its will to reopen)",
        lo=0,
        hi=3,
        sa=(0.4, 1.4),
        source="Foreign Office 24 and 31 Oct 2025: trade closed 'till the evaluation of the security situation' "
        "(record sec. 3); magnitude assumption",
    )
    reopen_noise: float = knob("lever: logistic temperature of the choice to reopen", lo=0.001, hi=1, sa=(0.05, 0.3))
    reopen_delivery_weight: float = knob(
        "lever: weight of what the talks delivered on the TTP (the agreed position; a crackdown under way adds half)",
        lo=0,
        hi=3,
        sa=(0.5, 1.5),
        source="2017: reopening tied to action against a list of militants (record sec. 3); magnitude assumption",
    )
    reopen_calm_weight: float = knob(
        "lever: weight of calm (quiet days over reopen_calm_days, at most 1)", lo=0, hi=3, sa=(0.2, 0.8)
    )
    reopen_economic_weight: float = knob(
        "lever: weight of Pakistan's own economic pressure (tomato prices up fivefold, Rs1 bn a day lost)",
        lo=0,
        hi=3,
        sa=(0.2, 1.0),
        source="Reuters via Geo, 24 Oct 2025 (record sec. 3); magnitude assumption",
    )
    trade_commitment_weight: float = knob(
        "lever: will to reopen added by the agreed trade position (1: trade separated from politics)",
        lo=0,
        hi=3,
        sa=(0.2, 1.0),
        source="Kabul's demand to 'separate trade from politics' (29 Oct 2025); magnitude assumption",
    )
    aid_lane: Literal["none", "people", "goods"] = knob(
        "a lane through the closed crossings: none, people only (returning refugees: no trucks), or people and "
        "humanitarian goods (aid_lane_capacity of the trucks)",
        source="Torkham reopened 1 Nov 2025 for returning refugees only (record sec. 3)",
        lever=True,
    )
    aid_lane_day: int = knob(
        "day the lane opens (an agreed trade position of 'aid lane' or more opens a goods lane at once)",
        lo=0,
        hi=3650,
        unit="day",
        source="1 Nov 2025 = day 13 (record sec. 3)",
    )
    aid_lane_capacity: float = knob("goods lane: capacity, share of the baseline trucks", lo=0, hi=1, sa=(0.1, 0.4))
    ramp_initial: float = knob(
        "capacity share on the day of reopening",
        lo=0,
        hi=2,
        sa=(0.1, 0.5),
        source="March 2025 Torkham reopening: trade back to its level within about a month (nukta.com; afintl.com)",
    )
    ramp_days: int = knob(
        "days for capacity to ramp up to surge_capacity",
        lo=0,
        hi=365,
        unit="days",
        sa=(7, 35),
        source="March 2025 Torkham reopening: trade back to its level within about a month (nukta.com; afintl.com)",
    )
    surge_capacity: float = knob(
        "peak capacity (share of baseline) while the backlog clears", lo=0.5, hi=2, sa=(1.0, 1.3)
    )
    closed_arrival_share: float = knob(
        "trucks still arriving at a closed crossing, share of baseline", lo=0, hi=1, sa=(0.0, 0.1)
    )
    max_queue_days: float = knob(
        "longest queue at a crossing, in days of baseline flow; more trucks turn back",
        lo=0,
        hi=365,
        unit="days",
        source="5,000 (AP) to 12,000 (jirga) vehicles stranded in the Feb-Mar 2025 closure (thenews.com.pk 1293239)",
        sa=(2, 8),
    )
    serious_casualties: int = knob(
        "casualties that make an incident near a crossing close it", lo=1, hi=10_000, sa=(5, 25)
    )
    near_crossing_share: float = knob(
        "share of incidents near enough a crossing to close it", lo=0, hi=1, sa=(0.1, 0.6)
    )
    transit_diversion_max: float = knob(
        "share of Afghan transit trade a long closure diverts to other routes (Iran, Central Asia) at most",
        lo=0,
        hi=1,
        sa=(0.4, 0.9),
        source="~2016: 75% of Afghan transit trade said to have moved to Iran; ~2018: 80% of cargo to Bandar Abbas and "
        "Chabahar (record sec. 3)",
    )
    bilateral_diversion_max: float = knob(
        "share of bilateral trade a long closure diverts at most (goods bought elsewhere)",
        lo=0,
        hi=1,
        sa=(0.2, 0.6),
        source="~Afghan trade with Pakistan fell from US$3 bn (2015) to 1.5 bn (2016) (record sec. 3)",
    )
    diversion_lag_days: int = knob(
        "days of closure before traders start to switch routes",
        lo=0,
        hi=365,
        unit="days",
        sa=(20, 60),
        source="the 25-27-day closure of Feb-Mar 2025 recovered fully within a month (case-facts.md): no lasting "
        "diversion below about a month; magnitude assumption",
    )
    diversion_days: float = knob(
        "e-folding time of the diversion once it starts", lo=1, hi=3650, unit="days", sa=(30, 180)
    )
    diversion_stickiness: float = knob(
        "share of the diverted trade that does not come back when the crossings reopen (hysteresis: new contracts, "
        "routes, ports)",
        lo=0,
        hi=1,
        sa=(0.2, 0.8),
        source="transit through Pakistan still down 60-66% in 2024-25 while Iran's Mahirud rose eightfold; against: "
        "bilateral trade still US$1.6-2.3 bn (record sec. 3); magnitude assumption",
    )
    return_days: float = knob(
        "e-folding time in which the rest of the diverted trade comes back after reopening",
        lo=1,
        hi=3650,
        unit="days",
        sa=(15, 120),
    )


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
    )
    limit: float = knob(
        "the least it accepts on this issue alone (its reservation point); its reservation value is the utility of "
        "its limits",
        lo=0,
        hi=1,
        sa=(0.0, 1.0),
        source="assumption (conf/config.yaml gives the reading of each)",
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
    texts: int = knob("texts (offers) put to the parties in a round at most", lo=1, hi=50, sa=(2, 8))
    walkout_risk: float = knob(
        "chance a party walks out after a rejected text (risk of breakdown)",
        lo=0,
        hi=1,
        sa=(0.05, 0.4),
        source="Binmore, Rubinstein & Wolinsky, RAND J. Econ. 1986 (bargaining with a risk of breakdown); magnitude "
        "assumption",
    )
    concession: float = knob(
        "reservation value a party gives up with each rejected text, times (1 - its grievance)",
        lo=0,
        hi=1,
        sa=(0.0, 0.06),
        source="Rubinstein 1982 (the cost of delay); magnitude assumption",
    )
    leverage_weight: float = knob(
        "reservation value lowered by the mediators' full pressure (sticks and carrots)",
        lo=0,
        hi=1,
        sa=(0.0, 0.3),
        source="Beardsley, The Mediation Dilemma 2011 (manipulative mediation); magnitude assumption",
    )
    grievance_weight: float = knob("reservation value raised by a party's full grievance", lo=0, hi=1, sa=(0.0, 0.3))
    resolve_noise: float = knob(
        "standard deviation of a party's private shock to its reservation value in a round (its resolve, which the "
        "mediators do not know)",
        lo=0,
        hi=1,
        sa=(0.0, 0.1),
        source="Fearon, IO 1995 (private information about resolve); magnitude assumption",
    )
    coordination_cost: float = knob(
        "each mediator beyond the first multiplies the walk-out risk by 1 + this (coordination)",
        lo=0,
        hi=5,
        sa=(0.0, 0.6),
        source="Beardsley, The Mediation Dilemma 2011 (several mediators coordinate poorly); magnitude assumption",
    )
    breakdown_grievance: float = knob("grievance added to both by a round that breaks down", lo=0, hi=1, sa=(0.0, 0.2))
    salvage_gap_days: int = knob(
        "days to the next round after a salvaged one",
        lo=1,
        hi=365,
        unit="days",
        sa=(3, 21),
        source="round 2 salvaged 30 Oct, round 3 on 6 Nov 2025: 7 days (record sec. 2)",
    )
    hiatus_days: int = knob("days to the next round after a breakdown", lo=1, hi=3650, unit="days", sa=(14, 120))
    step_back: float = knob(
        "share of its leverage a mediator loses when a round breaks down (it steps back; rounds that agree or are "
        "salvaged renew it)",
        lo=0,
        hi=1,
        sa=(0.0, 0.5),
        source="Beardsley 2011 (mediators' own costs); assumption",
    )
    ttp_commitment_weight: float = knob(
        "Kabul's will to crack down added by its agreed TTP position (1: verified action)",
        lo=0,
        hi=3,
        sa=(0.2, 1.2),
        source="written commitments as costly signals (Fearon 1997, tying hands); magnitude assumption",
    )
    strike_commitment_weight: float = knob(
        "restraint on Pakistan's strikes added by its agreed strikes position (1: airspace respected)",
        lo=0,
        hi=3,
        sa=(0.0, 0.6),
        source="Fearon, JCR 1997 (tying hands); magnitude assumption",
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
class CollapseConfig:
    hostility_memory_days: float = knob(
        "e-folding memory of state-on-state hostilities", lo=0.5, hi=365, unit="days", sa=(3, 14)
    )
    hostility_threshold: float = knob(
        "sustained hostilities (weighted strikes in memory) that end the truce",
        lo=0.1,
        hi=100,
        sa=(1.5, 4.0),
        source="assumption: a few deliberate strikes within a week, as on 11-15 Oct 2025",
    )
    accident_weight: float = knob("weight of an accidental clash in the hostility index", lo=0, hi=10, sa=(0.25, 1.0))
    void_grievance: float = knob("grievance above which a party may declare the truce void", lo=0, hi=1, sa=(0.7, 0.95))
    void_prob: float = knob(
        "chance it does so in answer to a hostile act, unless the mediators talk it round", lo=0, hi=1, sa=(0.0, 0.5)
    )
    war_clash_multiplier: float = knob(
        "while the truce is broken down, the forces' clash rate is multiplied by this",
        lo=1,
        hi=100,
        sa=(2.0, 10.0),
        source="assumption: clashes on most days of 11-15 Oct 2025 (case-facts.md)",
    )
    renewal_base: float = knob(
        "daily chance that a broken-down truce is renewed without the mediators",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.0, 0.05),
    )
    renewal_leverage: float = knob(
        "daily chance of a renewal added by the mediators' full pressure",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.05, 0.4),
        source="assumption: the 48-hour truce of 15 Oct and the Doha ceasefire of 19 Oct 2025, 4 and 8 days "
        "after the fighting began, both mediated (case-facts.md)",
    )
    renewal_min_days: int = knob(
        "days of fighting before a renewal can be brokered", lo=0, hi=365, unit="days", sa=(1, 7)
    )


@dataclass(frozen=True)
class BreachesConfig:
    """What each party counts as a breach of the truce (its reading of the Doha text)."""

    pakistan_counts_militant_attacks: bool = knob(
        "Pakistan's reading: an attack by Afghan-based militants (of attack_deaths or more killed, or high-profile) "
        "is a breach by Kabul; false: Pakistan blames Kabul only by its own attribution (blame_bias)",
        source=(
            "Asif to Reuters, 20 Oct 2025: 'Anything coming from Afghanistan will be (a) violation of this agreement' "
            "(record-to-5nov.md sec. 2)"
        ),
    )
    afghanistan_counts_militant_attacks: bool = knob(
        "Kabul's reading of attacks inside Afghanistan: true counts them as Pakistan's breaches; false: it blames "
        "Pakistan only by its own attribution (blame_bias)",
        source="Kabul's demand that Pakistan stop ISIS operating from its soil (29 Oct 2025) is a claim, not a reading",
    )
    attack_deaths: int = knob(
        "deaths that make a militant attack a breach in a counting party's reading (high-profile attacks always are)",
        lo=1,
        hi=1000,
        sa=(5, 20),
        source=(
            "assumption: the mass-casualty attacks (10+ killed: 7 in 2024, 7 in Jan-Oct 2025) are those Pakistan "
            "answered with strikes (record-to-5nov.md sec. 1, 4, 5)"
        ),
    )
    afghanistan_counts_strikes_on_militants: bool = knob(
        "Kabul's reading: a Pakistani strike on militants on Afghan soil is a breach (its airspace and sovereignty)",
        source="Kabul: Pakistan must respect Afghan airspace (29 Oct 2025; record-to-5nov.md sec. 2)",
    )
    strike_on_militants_weight: float = knob(
        "weight of a strike on militants on its soil in Kabul's grievance, against a strike on its forces",
        lo=0,
        hi=1,
        sa=(0.2, 1.0),
    )


@dataclass(frozen=True)
class ChoicesConfig:
    """The governments' choices beyond answering fire: Kabul's crackdown and trade suspension,
    Pakistan's strikes on militants and overt air strikes, and how Pakistan reads Kabul."""

    crackdown_rate: float = knob(
        "daily chance Kabul cracks down on the TTP (arrests, relocation from the border) at full will and capability",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.01, 0.15),
        source="~Kabul offered to relocate TTP fighters away from the border (record-to-5nov.md sec. 2); assumption",
    )
    restraint_cost: float = knob(
        "cost to the Taliban's cohesion of acting against the TTP (threshold of its will to act)",
        lo=0,
        hi=2,
        sa=(0.2, 1.0),
        source="Byman, Deadly Connections 2005 (passive support); Kabul: the TTP is Pakistan's issue (28 Oct 2025)",
    )
    crackdown_noise: float = knob(
        "logistic temperature of Kabul's choice to crack down", lo=0.001, hi=1, sa=(0.05, 0.3)
    )
    crackdown_leverage_weight: float = knob(
        "weight of the mediators' pressure in Kabul's will to crack down", lo=0, hi=2, sa=(0.2, 1.0)
    )
    crackdown_economic_weight: float = knob(
        "weight of Kabul's economic pressure (the closed border) in its will to crack down", lo=0, hi=2, sa=(0.2, 1.0)
    )
    named_weight: float = knob(
        "will to crack down added by a finding of the mechanism that names the host state's inaction",
        lo=0,
        hi=2,
        sa=(0.0, 0.4),
        source="Mattes & Savun 2010 (information to third parties); assumption",
    )
    named_memory_days: float = knob("e-folding memory of such findings", lo=1, hi=365, unit="days", sa=(10, 60))
    crackdown_days: int = knob("days a crackdown suppresses the cells", lo=1, hi=365, unit="days", sa=(14, 60))
    crackdown_effect: float = knob(
        "suppression of the cells a crackdown adds, times Kabul's capability", lo=0, hi=1, sa=(0.2, 0.8)
    )
    complicity_learning: float = knob(
        "share of the way to certainty that an attack counted as a breach moves Pakistan's belief in Kabul's "
        "complicity, times its belief in Kabul's capability",
        lo=0,
        hi=1,
        sa=(0.02, 0.2),
        source="Kydd & Walter, IO 56(2) 2002; magnitude assumption",
    )
    restraint_credit: float = knob(
        "share of the belief in complicity a verified crackdown removes", lo=0, hi=1, sa=(0.1, 0.5)
    )
    unverified_credence: float = knob(
        "weight given to a crackdown nobody verified, against a verified one",
        lo=0,
        hi=1,
        sa=(0.0, 0.6),
        source="Pakistan: written assurances are 'part of an ongoing process' (1-3 Nov 2025); assumption",
    )
    restraint_relief: float = knob(
        "grievance a verified crackdown removes from the target state", lo=0, hi=1, sa=(0.0, 0.2)
    )
    suspend_trade_prob: float = knob(
        "chance Kabul suspends trade from its side after a Pakistani strike on its soil",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Torkham closed by the Taliban about 19 Feb 2023 (record-to-5nov.md sec. 3); magnitude assumption",
    )
    suspension_days: int = knob("days a suspension by Kabul lasts", lo=1, hi=365, unit="days", sa=(3, 21))
    overt_margin: float = knob(
        "Pakistan strikes overtly (an air strike on Afghan targets) rather than deniably (on the militants) when "
        "its motive exceeds its threshold by this much (the logistic's midpoint)",
        lo=-2,
        hi=2,
        sa=(0.0, 0.5),
        source="Asif, 29 Oct 2025: retaliation 'deep into Afghanistan' (record-to-5nov.md sec. 2); assumption",
    )
    overt_casualties_mean: float = knob(
        "mean deaths of an overt air strike",
        lo=0,
        hi=1000,
        sa=(5, 30),
        source="Khost/Kunar Apr 2022 ~47, Khost/Paktika Mar 2024 ~8, Barmal Dec 2024 ~46, Aug 2025 ~3 (record sec. 4)",
    )
    threat_day: int = knob(
        "day of Pakistan's public threat to answer any attack inside Afghanistan (audience cost from then on)",
        lo=0,
        hi=3650,
        unit="day",
        source="Asif, 29 Oct 2025 (day 10; Dawn)",
    )
    audience_cost: float = knob(
        "Pakistan's domestic pressure added by a breach it leaves unanswered after its public threat",
        lo=0,
        hi=1,
        sa=(0.0, 0.2),
        source="Fearon, APSR 1994 (audience costs); magnitude assumption",
    )


@dataclass(frozen=True)
class DefinitionsConfig:
    headline: Literal["violation", "breakdown", "renunciation"] = knob(
        "the definition of a broken truce that truce_days, the headline survival and the comparisons use",
        source="label",
    )
    violation_fatalities: int = knob(
        "violation: people killed by fire between the states' forces", lo=1, hi=1000, source="coding rule"
    )
    breakdown_deaths: int = knob(
        "breakdown: deaths from fire between the states' forces within breakdown_deaths_window",
        lo=1,
        hi=100_000,
        source="UCDP's 25 battle-related deaths (Gleditsch et al. 2002)",
    )
    breakdown_deaths_window: int = knob(
        "breakdown: the window for breakdown_deaths", lo=1, hi=3650, unit="days", source="coding rule"
    )
    breakdown_fire_days: int = knob(
        "breakdown: days with fire between the states' forces within breakdown_fire_window",
        lo=1,
        hi=3650,
        source="coding rule",
    )
    breakdown_fire_window: int = knob(
        "breakdown: the window for breakdown_fire_days", lo=1, hi=3650, unit="days", source="coding rule"
    )

    def __post_init__(self) -> None:
        if self.breakdown_fire_days > self.breakdown_fire_window:
            raise ConfigError(
                f"definitions.breakdown_fire_days ({self.breakdown_fire_days}) cannot exceed "
                f"definitions.breakdown_fire_window ({self.breakdown_fire_window}): no log could ever meet it."
            )


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


@dataclass(frozen=True)
class ParametersConfig:
    table: str | None = knob(
        "table of parameter values, one column per dotted key (CSV or Parquet; a relative path is looked up in "
        "conf/, then the working folder); null = the values above",
        source="run setting; the default is the calibration's posterior sample (docs/calibration.md)",
    )
    row: int | None = knob(
        "null: replicate i takes row i mod n (parameter uncertainty); a number: every replicate takes that row "
        "(one point of a design)",
        lo=0,
        hi=1_000_000_000,
        source="run setting",
    )
    pinned: list[str] = knob(
        "keys the table does not override (filled in from the command line and with_values: an explicit value wins)",
        source="run setting",
    )


@dataclass(frozen=True)
class Config:
    run: RunConfig = knob("run settings")
    scenario: ScenarioConfig = knob("the case")
    states: StatesConfig = knob("behaviour of the two states")
    spoilers: SpoilersConfig = knob("militant spoilers")
    crossings: CrossingsConfig = knob("border crossings and trade")
    negotiation: NegotiationConfig = knob(
        "the rounds of talks as bargaining", source="Istanbul 25-30 Oct (trtworld.com), 6 Nov 2025 (seed article)"
    )
    collapse: CollapseConfig = knob("when the truce breaks down, and how it is renewed")
    breaches: BreachesConfig = knob("what each party counts as a breach")
    choices: ChoicesConfig = knob("the governments' choices: crackdowns, strikes, trade suspensions")
    definitions: DefinitionsConfig = knob("the coded definitions of a broken truce (sim/core/events.py)")
    mvm: MvmConfig = knob("monitoring-and-verification mechanism")
    mediation: MediationConfig = knob("mediators")
    parameters: ParametersConfig = knob("behavioural parameters drawn from a table (sim/run/parameters.py)")


# --------------------------------------------------------------------------- building


def _optional_of(tp: Any) -> Any:
    """``X`` for ``X | None``; None for any other type."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        return next(a for a in args if a is not type(None))
    return None


def _describe(tp: Any) -> str:
    if _optional_of(tp) is not None:
        return _describe(_optional_of(tp)) + " or null"
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if dataclasses.is_dataclass(tp):
        return "a mapping with keys " + ", ".join(f.name for f in dataclasses.fields(tp))
    if origin in (list, dict):
        return {list: "a list", dict: "a mapping"}[origin]
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(tp, str(tp))


def _range_text(meta: Mapping[str, Any]) -> str:
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None:
        return ""
    text = f" in [{lo:g}, {hi:g}]"
    if meta.get("forbid"):
        text += " except " + ", ".join(str(v) for v in meta["forbid"])
    return text


def _coerce(tp: Any, value: Any, key: str, meta: Mapping[str, Any]) -> Any:
    """Check one value against its declared type and range; return the typed value."""
    if _optional_of(tp) is not None:
        return None if value is None else _coerce(_optional_of(tp), value, key, meta)
    origin = typing.get_origin(tp)
    allowed = _describe(tp) + _range_text(meta)
    wrong = ConfigError(f"{key}: got {value!r}, expected {allowed}.")
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise wrong
        return build(tp, value, key)
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            raise wrong
        return [_coerce(item_tp, v, f"{key}[{i}]", {}) for i, v in enumerate(value)]
    if origin is dict:
        _, item_tp = typing.get_args(tp)
        if not isinstance(value, Mapping):
            raise wrong
        return {str(k): _coerce(item_tp, v, f"{key}.{k}", {}) for k, v in value.items()}
    if origin is Literal:
        if value not in typing.get_args(tp):
            raise wrong
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise wrong
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        value = float(value)
    elif tp is str:
        if not isinstance(value, str):
            raise wrong
        return value
    lo, hi = meta.get("lo"), meta.get("hi")
    if value != value or (lo is not None and value < lo) or (hi is not None and value > hi):
        raise wrong
    if value in meta.get("forbid", ()):
        raise wrong
    return value


def build(cls: type, data: Mapping[str, Any], path: str = "") -> Any:
    """Build dataclass ``cls`` from a plain mapping, checking keys, types and ranges."""
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    where = f"'{path}'" if path else "the top level"
    for key in data:
        if key not in names:
            full = f"{path}.{key}" if path else str(key)
            raise ConfigError(f"unknown key '{full}'. Allowed keys under {where}: {', '.join(names)}.")
    values = {}
    for f in dataclasses.fields(cls):
        full = f"{path}.{f.name}" if path else f.name
        if f.name not in data:
            raise ConfigError(f"missing key '{full}': expected {_describe(hints[f.name])}.")
        values[f.name] = _coerce(hints[f.name], data[f.name], full, f.metadata)
    return cls(**values)


def to_dict(config: Config) -> dict[str, Any]:
    """The plain-dict form of a Config (for YAML, JSON and the parameter table)."""
    return dataclasses.asdict(config)


# --------------------------------------------------------------------------- walking the tree


def group_options(group: str) -> list[str]:
    """The options of a config group: the YAML files in conf/<group>/."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


@dataclass(frozen=True)
class Leaf:
    """One leaf of a config: its dotted key, value, declared type and declaration
    (the ``knob`` metadata: doc, lo, hi, unit, source, sa, forbid)."""

    key: str
    value: Any
    type: Any
    meta: Mapping[str, Any]


def leaves(obj: Any, prefix: str = "") -> Iterator[Leaf]:
    """Every leaf of a config in schema order; entries of a mapping of sections (the
    crossings, the mediators) under their names; a list (the rounds) is one leaf."""
    hints = typing.get_type_hints(type(obj))
    for f in dataclasses.fields(obj):
        key = f"{prefix}{f.name}"
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from leaves(value, f"{key}.")
        elif isinstance(value, dict) and all(dataclasses.is_dataclass(v) for v in value.values()):
            for name, entry in value.items():
                yield from leaves(entry, f"{key}.{name}.")
        else:
            yield Leaf(key, value, hints[f.name], f.metadata)


def field_at(path: list[str]) -> tuple[Any, list[str]]:
    """Walk the schema's types along ``path``; return (type at the end, the unknown part)."""
    tp: Any = Config
    for depth, part in enumerate(path):
        if dataclasses.is_dataclass(tp):
            hints = typing.get_type_hints(tp)
            if part not in hints:
                return None, path[: depth + 1]
            tp = hints[part]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]  # any name is allowed for a mapping entry
        elif typing.get_origin(tp) is list:
            if not part.isdigit():
                return None, path[: depth + 1]
            tp = typing.get_args(tp)[0]
        else:
            return None, path[: depth + 1]
    return tp, []


def keys_under(path: list[str]) -> str:
    """The keys allowed under ``path``, for a message."""
    tp, _ = field_at(path)
    if dataclasses.is_dataclass(tp):
        return ", ".join(f.name for f in dataclasses.fields(tp))
    return "(none: it is a single value)"


def set_values(config: Config, values: Mapping[str, Any], validate: bool = False) -> Config:
    """``config`` with dotted keys replaced.

    With ``validate`` the whole tree is built again and checked (:func:`build`). Without,
    the values are trusted (a parameter table, whose every column was checked at its
    smallest and largest value when the run was loaded): each section that changes is
    copied once and its fields set, without running the dataclasses' checks again (a
    replicate's configuration in about 20 us rather than 300).
    """
    if validate:
        data = to_dict(config)
        for dotted, value in values.items():
            *parents, leaf = dotted.split(".")
            node = data
            for part in parents:
                if not isinstance(node, dict) or part not in node:
                    raise ConfigError(f"unknown key '{dotted}'.")
                node = node[part]
            if not isinstance(node, dict) or leaf not in node:
                raise ConfigError(f"unknown key '{dotted}'.")
            node[leaf] = value
        return build(Config, data)
    changes = _Changes()
    for dotted, value in values.items():
        *parents, leaf = dotted.split(".")
        node = changes
        for part in parents:
            node = node.setdefault(part, _Changes())
        node[leaf] = value
    return _with_changes(config, changes)


class _Changes(dict):
    """The changes under one section (as opposed to a value that is itself a mapping)."""


def _with_changes(node: Any, changes: _Changes) -> Any:
    current = node if isinstance(node, dict) else vars(node)
    updates = {k: _with_changes(current[k], v) if isinstance(v, _Changes) else v for k, v in changes.items()}
    if isinstance(node, dict):
        return {**node, **updates}
    new = copy.copy(node)  # a frozen dataclass: copied, then its fields set (no checks run again)
    for key, value in updates.items():
        object.__setattr__(new, key, value)
    return new
