"""The conflict's actors: the two states, the militant spoilers, the governments'
choices, what each counts as a breach, and when the truce breaks down.
"""

from __future__ import annotations

from dataclasses import dataclass

from .knobs import knob


@dataclass(frozen=True)
class StatesConfig:
    accident_rate: float = knob(
        "local border clash by a state's own forces",
        lo=0,
        hi=0.5,
        unit="1/day",
        sa=(0.0, 0.04),
        source="assumption; clashes in Kurram and N. Waziristan on 24-25 Oct during the truce (nepalnews.com)",
        calibrated=True,
    )
    blame_gain: float = knob(
        "Richardson a: grievance added by one perceived hostile act",
        lo=0,
        hi=1,
        sa=(0.05, 0.3),
        source="Richardson arms-race form; magnitude assumption",
        calibrated=True,
    )
    fatigue: float = knob(
        "Richardson m: daily decay of grievance towards its floor",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.005, 0.05),
        source="Richardson arms-race form; magnitude assumption",
        calibrated=True,
    )
    trust_loss: float = knob("trust lost per perceived hostile act", lo=0, hi=1, sa=(0.05, 0.25), calibrated=True)
    trust_gain: float = knob("trust regained per quiet day", lo=0, hi=1, unit="1/day", sa=(0.0, 0.005), calibrated=True)
    finding_trust_gain: float = knob(
        "trust regained when a verified finding clears the other state",
        lo=0,
        hi=1,
        sa=(0.0, 0.1),
        source="Fearon 1995 (information reduces uncertainty); magnitude assumption",
        calibrated=True,
    )
    round_trust_gain: float = knob(
        "trust regained by a round ending in agreement", lo=0, hi=1, sa=(0.0, 0.1), calibrated=True
    )
    casualty_pressure: float = knob(
        "domestic pressure added per casualty suffered", lo=0, hi=1, sa=(0.0, 0.03), calibrated=True
    )
    pressure_decay: float = knob(
        "daily decay of domestic pressure", lo=0, hi=1, unit="1/day", sa=(0.01, 0.1), calibrated=True
    )
    economic_adjustment: float = knob(
        "daily speed at which economic pressure follows trade losses",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.02, 0.3),
        calibrated=True,
    )
    domestic_weight: float = knob(
        "weight of domestic pressure in the motive to strike back", lo=0, hi=2, sa=(0.0, 0.6), calibrated=True
    )
    economic_weight: float = knob(
        "weight of economic pressure in the restraint", lo=0, hi=2, sa=(0.0, 0.6), calibrated=True
    )
    retaliation_threshold: float = knob(
        "Epstein threshold on motive minus restraint",
        lo=-1,
        hi=1,
        sa=(0.2, 0.7),
        source="Epstein, PNAS 99 2002 (threshold rule); magnitude assumption",
        calibrated=True,
    )
    decision_noise: float = knob(
        "logistic temperature of the decision to strike back", lo=0.001, hi=1, sa=(0.03, 0.3), calibrated=True
    )
    generosity: float = knob(
        "Wu & Axelrod: chance of leaving a hostile act unanswered",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Wu & Axelrod, JCR 39(1) 1995; magnitude assumption",
        calibrated=True,
    )
    contrition: float = knob(
        "Wu & Axelrod: chance of not answering a reply to one's own error",
        lo=0,
        hi=1,
        sa=(0.0, 1.0),
        source="Wu & Axelrod, JCR 39(1) 1995; magnitude assumption",
        calibrated=True,
    )
    strike_casualties_mean: float = knob(
        "mean casualties of a deliberate strike or clash", lo=0, hi=1000, sa=(1, 15), calibrated=True
    )
    effort_trust_gain: float = knob(
        "host state's militant suppression added by full trust", lo=0, hi=1, sa=(0.0, 0.6), calibrated=True
    )
    patience_days: float = knob(
        "e-folding time of patience while a finding is pending",
        lo=0.1,
        hi=365,
        unit="days",
        sa=(2, 20),
        calibrated=True,
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
        calibrated=True,
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
    cells: int = knob("militant cells", lo=1, hi=1000, sa=(2, 10), calibrated=True)
    target_afghanistan_share: float = knob(
        "share of attacks inside Afghanistan", lo=0, hi=1, sa=(0.0, 0.3), calibrated=True
    )
    unattributable_share: float = knob(
        "share of attacks no investigation can attribute", lo=0, hi=1, sa=(0.1, 0.5), calibrated=True
    )
    round_surge: float = knob(
        "attack-rate multiplier around a round of talks",
        lo=0,
        hi=20,
        sa=(1.0, 3.0),
        source="Clayton et al. 2022: violence spikes around ceasefire talks; Kydd & Walter 2002; magnitude assumption",
        calibrated=True,
    )
    surge_window_days: int = knob(
        "days either side of a round with the surge", lo=0, hi=60, unit="days", sa=(0, 7), calibrated=True
    )
    trust_surge: float = knob(
        "attack-rate multiplier added by full mean trust between the states (spoilers strike when the moderates "
        "look strong)",
        lo=0,
        hi=10,
        sa=(0.0, 2.0),
        source="Kydd & Walter, IO 56(2) 2002; magnitude assumption",
        calibrated=True,
    )
    deaths_median: float = knob(
        "median of the lognormal deaths of a routine attack (deaths: its whole part)",
        lo=0.01,
        hi=1000,
        sa=(1.0, 2.0),
        source="fitted: mean 1.64 deaths an attack (PIPS 2024: 852 killed in 521 attacks), with the tail below",
        calibrated=True,
    )
    deaths_sigma: float = knob(
        "log-scale spread of a routine attack's deaths",
        lo=0.01,
        hi=5,
        sa=(0.4, 0.8),
        source="fitted (as above)",
        calibrated=True,
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
        calibrated=True,
    )
    high_profile_deaths_median: float = knob(
        "median deaths of a high-profile attack",
        lo=0.01,
        hi=1000,
        sa=(12.0, 30.0),
        source="the 2024-25 attacks with 10+ killed: 10-42, median 18 (record-to-5nov.md sec. 5); fitted",
        calibrated=True,
    )
    high_profile_deaths_sigma: float = knob(
        "log-scale spread of a high-profile attack's deaths",
        lo=0.01,
        hi=5,
        sa=(0.3, 0.9),
        source="fitted (as above)",
        calibrated=True,
    )
    strike_degradation: float = knob(
        "share of a cell's capacity a state strike on it destroys",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Jordan, Security Studies 2009; Johnston, Int. Security 2012 (leadership decapitation); assumption",
        calibrated=True,
    )
    recovery_days: float = knob(
        "e-folding time in which a degraded cell rebuilds its capacity",
        lo=1,
        hi=3650,
        unit="days",
        sa=(15, 120),
        calibrated=True,
    )
    strike_mobilisation: float = knob(
        "mobilisation added by each state strike on Afghan soil, fading (recruitment, revenge); a mobilisation m "
        "multiplies the attack rate by 1 + m / (1 + m), at most 2",
        lo=0,
        hi=5,
        sa=(0.0, 0.2),
        source="Kydd & Walter 2002; Byman 2005 (backlash of strikes); magnitude assumption",
        calibrated=True,
    )
    mobilisation_days: float = knob(
        "e-folding time of the mobilisation a strike causes", lo=1, hi=3650, unit="days", sa=(30, 180), calibrated=True
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
        calibrated=True,
    )
    restraint_cost: float = knob(
        "cost to the Taliban's cohesion of acting against the TTP (threshold of its will to act)",
        lo=0,
        hi=2,
        sa=(0.2, 1.0),
        source="Byman, Deadly Connections 2005 (passive support); Kabul: the TTP is Pakistan's issue (28 Oct 2025)",
        calibrated=True,
    )
    crackdown_noise: float = knob(
        "logistic temperature of Kabul's choice to crack down", lo=0.001, hi=1, sa=(0.05, 0.3), calibrated=True
    )
    crackdown_leverage_weight: float = knob(
        "weight of the mediators' pressure in Kabul's will to crack down", lo=0, hi=2, sa=(0.2, 1.0), calibrated=True
    )
    crackdown_economic_weight: float = knob(
        "weight of Kabul's economic pressure (the closed border) in its will to crack down",
        lo=0,
        hi=2,
        sa=(0.2, 1.0),
        calibrated=True,
    )
    named_weight: float = knob(
        "will to crack down added by a finding of the mechanism that names the host state's inaction",
        lo=0,
        hi=2,
        sa=(0.0, 0.4),
        source="Mattes & Savun 2010 (information to third parties); assumption",
        calibrated=True,
    )
    named_memory_days: float = knob(
        "e-folding memory of such findings", lo=1, hi=365, unit="days", sa=(10, 60), calibrated=True
    )
    crackdown_days: int = knob(
        "days a crackdown suppresses the cells", lo=1, hi=365, unit="days", sa=(14, 60), calibrated=True
    )
    crackdown_effect: float = knob(
        "suppression of the cells a crackdown adds, times Kabul's capability",
        lo=0,
        hi=1,
        sa=(0.2, 0.8),
        calibrated=True,
    )
    complicity_learning: float = knob(
        "share of the way to certainty that an attack counted as a breach moves Pakistan's belief in Kabul's "
        "complicity, times its belief in Kabul's capability",
        lo=0,
        hi=1,
        sa=(0.02, 0.2),
        source="Kydd & Walter, IO 56(2) 2002; magnitude assumption",
        calibrated=True,
    )
    restraint_credit: float = knob(
        "share of the belief in complicity a verified crackdown removes", lo=0, hi=1, sa=(0.1, 0.5), calibrated=True
    )
    unverified_credence: float = knob(
        "weight given to a crackdown nobody verified, against a verified one",
        lo=0,
        hi=1,
        sa=(0.0, 0.6),
        source="Pakistan: written assurances are 'part of an ongoing process' (1-3 Nov 2025); assumption",
        calibrated=True,
    )
    restraint_relief: float = knob(
        "grievance a verified crackdown removes from the target state", lo=0, hi=1, sa=(0.0, 0.2), calibrated=True
    )
    suspend_trade_prob: float = knob(
        "chance Kabul suspends trade from its side after a Pakistani strike on its soil",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Torkham closed by the Taliban about 19 Feb 2023 (record-to-5nov.md sec. 3); magnitude assumption",
        calibrated=True,
    )
    suspension_days: int = knob(
        "days a suspension by Kabul lasts", lo=1, hi=365, unit="days", sa=(3, 21), calibrated=True
    )
    overt_margin: float = knob(
        "Pakistan strikes overtly (an air strike on Afghan targets) rather than deniably (on the militants) when "
        "its motive exceeds its threshold by this much (the logistic's midpoint)",
        lo=-2,
        hi=2,
        sa=(0.0, 0.5),
        source="Asif, 29 Oct 2025: retaliation 'deep into Afghanistan' (record-to-5nov.md sec. 2); assumption",
        calibrated=True,
    )
    overt_casualties_mean: float = knob(
        "mean deaths of an overt air strike",
        lo=0,
        hi=1000,
        sa=(5, 30),
        source="Khost/Kunar Apr 2022 ~47, Khost/Paktika Mar 2024 ~8, Barmal Dec 2024 ~46, Aug 2025 ~3 (record sec. 4)",
        calibrated=True,
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
        calibrated=True,
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
        calibrated=True,
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
        calibrated=True,
    )


@dataclass(frozen=True)
class CollapseConfig:
    hostility_memory_days: float = knob(
        "e-folding memory of state-on-state hostilities", lo=0.5, hi=365, unit="days", sa=(3, 14), calibrated=True
    )
    hostility_threshold: float = knob(
        "sustained hostilities (weighted strikes in memory) that end the truce",
        lo=0.1,
        hi=100,
        sa=(1.5, 4.0),
        source="assumption: a few deliberate strikes within a week, as on 11-15 Oct 2025",
        calibrated=True,
    )
    accident_weight: float = knob(
        "weight of an accidental clash in the hostility index", lo=0, hi=10, sa=(0.25, 1.0), calibrated=True
    )
    void_grievance: float = knob(
        "grievance above which a party may declare the truce void", lo=0, hi=1, sa=(0.7, 0.95), calibrated=True
    )
    void_prob: float = knob(
        "chance it does so in answer to a hostile act, unless the mediators talk it round",
        lo=0,
        hi=1,
        sa=(0.0, 0.5),
        calibrated=True,
    )
    war_clash_multiplier: float = knob(
        "while the truce is broken down, the forces' clash rate is multiplied by this",
        lo=1,
        hi=100,
        sa=(2.0, 10.0),
        source="assumption: clashes on most days of 11-15 Oct 2025 (case-facts.md)",
        calibrated=True,
    )
    renewal_base: float = knob(
        "daily chance that a broken-down truce is renewed without the mediators",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.0, 0.05),
        calibrated=True,
    )
    renewal_leverage: float = knob(
        "daily chance of a renewal added by the mediators' full pressure",
        lo=0,
        hi=1,
        unit="1/day",
        sa=(0.05, 0.4),
        source="assumption: the 48-hour truce of 15 Oct and the Doha ceasefire of 19 Oct 2025, 4 and 8 days "
        "after the fighting began, both mediated (case-facts.md)",
        calibrated=True,
    )
    renewal_min_days: int = knob(
        "days of fighting before a renewal can be brokered", lo=0, hi=365, unit="days", sa=(1, 7), calibrated=True
    )
