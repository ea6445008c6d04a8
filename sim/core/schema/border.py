"""The border: its crossings, the trade they carry, and Pakistan's decision to reopen them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .knobs import knob


@dataclass(frozen=True)
class CrossingsConfig:
    reopen_rule: Literal["lever", "calm", "agreement"] = knob(
        "how Pakistan decides to reopen a leverage closure: lever (its choice, tied to the TTP action it can see, "
        "to the trade terms of agreed modalities, to calm and to its own economic pressure), calm (a daily chance "
        "after a spell of calm: the first generation's rule), agreement (calm, and a mechanism agreed in modalities)",
        source="2017: closed about a month, reopening tied to action against a list of 76 militants (record sec. 3)",
        lever=True,
    )
    local_settlement_rate: float = knob(
        "a closure over a local dispute (scenario.closure_cause: local): the daily chance it is settled locally "
        "(a jirga, a delegation, an exemption) and the crossings reopen",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.05, 0.2),
        source=(
            "reference class: Afghanistan-Pakistan closures over local disputes outside the backtest (June 2016 6 "
            "days, May 2017 22, Oct 2021 28, Feb 2022 3, Nov 2022 8, Jan 2024 10, May 2024 3, a relocation 4: mean "
            "10.5 days; docs/context/reference-classes.csv)"
        ),
        calibrated=True,
    )
    reopen_calm_days: int = knob(
        "quiet days Pakistan wants before reopening (lever: the calm term is full after this many)",
        lo=0,
        hi=365,
        unit="days",
        sa=(3, 30),
        source="earlier closures lasted 6-27 days (thenews.com.pk 1044363, 1293239; wionews.com); magnitude assumption",
        calibrated=True,
    )
    reopen_prob: float = knob(
        "daily chance Pakistan reopens the closed crossings once the rule is met (lever: at full will)",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.01, 0.2),
        calibrated=True,
    )
    reopen_threshold: float = knob(
        "lever: Pakistan's security case for keeping the border shut (threshold of its will to reopen)",
        lo=0,
        hi=3,
        sa=(0.4, 1.4),
        source="Foreign Office 24 and 31 Oct 2025: trade closed 'till the evaluation of the security situation' "
        "(record sec. 3); magnitude assumption",
        calibrated=True,
    )
    reopen_noise: float = knob(
        "lever: logistic temperature of the choice to reopen", lo=0.001, hi=1, sa=(0.05, 0.3), calibrated=True
    )
    reopen_delivery_weight: float = knob(
        "lever: weight of the TTP action Pakistan can see (a crackdown under way: in full once verified, else at "
        "choices.unverified_credence; a promise counts for nothing)",
        lo=0,
        hi=3,
        sa=(0.5, 1.5),
        source="2017: reopening tied to action against a list of militants (record sec. 3); magnitude assumption",
        calibrated=True,
    )
    reopen_calm_weight: float = knob(
        "lever: weight of calm (quiet days over reopen_calm_days, at most 1)",
        lo=0,
        hi=3,
        sa=(0.2, 0.8),
        calibrated=True,
    )
    reopen_economic_weight: float = knob(
        "lever: weight of Pakistan's own economic pressure (tomato prices up fivefold, Rs1 bn a day lost)",
        lo=0,
        hi=3,
        sa=(0.2, 1.0),
        source="Reuters via Geo, 24 Oct 2025 (record sec. 3); magnitude assumption",
        calibrated=True,
    )
    trade_commitment_weight: float = knob(
        "lever: will to reopen added by the agreed trade position (1: trade separated from politics)",
        lo=0,
        hi=3,
        sa=(0.2, 1.0),
        source="Kabul's demand to 'separate trade from politics' (29 Oct 2025); magnitude assumption",
        calibrated=True,
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
    aid_lane_capacity: float = knob(
        "goods lane: capacity, share of the baseline trucks", lo=0, hi=1, sa=(0.1, 0.4), calibrated=True
    )
    ramp_initial: float = knob(
        "capacity share on the day of reopening",
        lo=0,
        hi=2,
        sa=(0.1, 0.5),
        source="March 2025 Torkham reopening: trade back to its level within about a month (nukta.com; afintl.com)",
        calibrated=True,
    )
    ramp_days: int = knob(
        "days for capacity to ramp up to surge_capacity",
        lo=0,
        hi=365,
        unit="days",
        sa=(7, 35),
        source="March 2025 Torkham reopening: trade back to its level within about a month (nukta.com; afintl.com)",
        calibrated=True,
    )
    surge_capacity: float = knob(
        "peak capacity (share of baseline) while the backlog clears", lo=0.5, hi=2, sa=(1.0, 1.3), calibrated=True
    )
    closed_arrival_share: float = knob(
        "trucks still arriving at a closed crossing, share of baseline", lo=0, hi=1, sa=(0.0, 0.1), calibrated=True
    )
    max_queue_days: float = knob(
        "longest queue at a crossing, in days of baseline flow; more trucks turn back",
        lo=0,
        hi=365,
        unit="days",
        source="5,000 (AP) to 12,000 (jirga) vehicles stranded in the Feb-Mar 2025 closure (thenews.com.pk 1293239)",
        sa=(2, 8),
        calibrated=True,
    )
    serious_casualties: int = knob(
        "casualties that make an incident near a crossing close it", lo=1, hi=10_000, sa=(5, 25), calibrated=True
    )
    near_crossing_share: float = knob(
        "share of incidents near enough a crossing to close it", lo=0, hi=1, sa=(0.1, 0.6), calibrated=True
    )
    transit_diversion_max: float = knob(
        "share of Afghan transit trade a long closure diverts to other routes (Iran, Central Asia) at most",
        lo=0,
        hi=1,
        sa=(0.4, 0.9),
        source="~2016: 75% of Afghan transit trade said to have moved to Iran; ~2018: 80% of cargo to Bandar Abbas and "
        "Chabahar (record sec. 3)",
        calibrated=True,
    )
    bilateral_diversion_max: float = knob(
        "share of bilateral trade a long closure diverts at most (goods bought elsewhere)",
        lo=0,
        hi=1,
        sa=(0.2, 0.6),
        source="~Afghan trade with Pakistan fell from US$3 bn (2015) to 1.5 bn (2016) (record sec. 3)",
        calibrated=True,
    )
    diversion_lag_days: int = knob(
        "days of closure before traders start to switch routes",
        lo=0,
        hi=365,
        unit="days",
        sa=(20, 60),
        source="the 25-27-day closure of Feb-Mar 2025 recovered fully within a month (case-facts.md): no lasting "
        "diversion below about a month; magnitude assumption",
        calibrated=True,
    )
    diversion_days: float = knob(
        "e-folding time of the diversion once it starts", lo=1, hi=3650, unit="days", sa=(30, 180), calibrated=True
    )
    diversion_stickiness: float = knob(
        "share of the diverted trade that does not come back when the crossings reopen (hysteresis: new contracts, "
        "routes, ports)",
        lo=0,
        hi=1,
        sa=(0.2, 0.8),
        source="transit through Pakistan still down 60-66% in 2024-25 while Iran's Mahirud rose eightfold; against: "
        "bilateral trade still US$1.6-2.3 bn (record sec. 3); magnitude assumption",
        calibrated=True,
    )
    return_days: float = knob(
        "e-folding time in which the rest of the diverted trade comes back after reopening",
        lo=1,
        hi=3650,
        unit="days",
        sa=(15, 120),
        calibrated=True,
    )
