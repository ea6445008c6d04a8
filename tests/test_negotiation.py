"""The negotiation (issue 14): packages, reservation values, linkage, a mechanism that must be
agreed, reopening as Pakistan's decision, and trade diverted by long closures."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import assumed

from sim.core import events as ev
from sim.model import CeasefireModel
from sim.model.negotiation import PACKAGES, Bargain, Positions, describe, issue_by_issue, single_text
from sim.model.talks import positions_of
from sim.run.config import default_config, with_values

BASE = assumed(default_config(["run.horizon_days=120"]))
QUIET = {"spoilers.attack_rate": 0.0, "states.accident_rate": 0.0}
#: Talks that agree a text in principle at round 2 (30 Oct, day 11) and put modalities to the
#: parties at round 3 (6 Nov, day 18), which a linked text gets agreed (no private shocks,
#: strong leverage).
EASY = {
    **QUIET,
    "negotiation.principle_chance": 1.0,
    "negotiation.unmediated_share": 1.0,
    "negotiation.modalities_chance": 1.0,
    "negotiation.leverage_weight": 0.15,
    "negotiation.grievance_weight": 0.0,
    "negotiation.concession": 0.0,
    "negotiation.resolve_noise": 0.0,
}


def two_party(afg_limit, pak_limit) -> Bargain:
    """Kabul and Pakistan with opposite ideals on every issue and equal weights."""
    afg = Positions.of("afghanistan", [0, 1, 0, 1, 1], [1] * 5, afg_limit)
    pak = Positions.of("pakistan", [1, 0, 1, 0, 0], [1] * 5, pak_limit)
    return Bargain(afg, pak, (1.0, 1.0), (afg.reservation(), pak.reservation()))


def test_a_package_inside_both_reservation_values_is_agreed_and_one_outside_is_not():
    b = two_party(afg_limit=[2 / 3, 1 / 3, 2 / 3, 1 / 3, 1 / 3], pak_limit=[1 / 3, 2 / 3, 1 / 3, 2 / 3, 2 / 3])
    middle = np.array([1 / 3, 2 / 3, 1 / 3, 2 / 3, 2 / 3])  # each issue within both limits
    assert b.accepted(middle) == (True, True)
    kabul_wins = np.array([0, 1, 0, 1, 1.0])  # Kabul's ideal: Pakistan's utility 0
    assert b.accepted(kabul_wins) == (True, False)
    assert b.accepted(1 - kabul_wins) == (False, True)
    # a reservation value raised above every package's utility: nothing is agreed
    hard = Bargain(b.afg, b.pak, (1.0, 1.0), (1.01, b.reserve[1]))
    assert not any(hard.accepted(x)[0] for x in PACKAGES)


def test_trust_and_the_mechanism_decide_what_a_promise_is_worth():
    """Pakistan reads Kabul's TTP commitment through its trust, unless the mechanism in the
    same package can verify it (Fearon 1995)."""
    afg, pak = positions_of(BASE.negotiation)
    written_no_mvm = np.array([2 / 3, 0, 0, 0, 0])
    written_full_mvm = np.array([2 / 3, 0, 1, 0, 0])
    assert pak.utility(written_no_mvm, 0.1)[0] < pak.utility(written_no_mvm, 0.9)[0]
    assert pak.utility(written_full_mvm, 0.1)[0] == pytest.approx(pak.utility(written_full_mvm, 0.9)[0])


def test_a_linked_text_closes_a_gap_issue_by_issue_offers_cannot():
    """The stated positions of 5 November: on the TTP, strikes and refugees the parties'
    limits do not meet, so issue by issue only the mechanism and trade settle and
    Pakistan rejects the result; the mediators' single text trades Kabul's written
    commitment for airspace and trade (Sebenius 1983) and both accept it."""
    afg, pak = positions_of(BASE.negotiation)
    eased = (afg.reservation() - 0.06, pak.reservation() - 0.06)  # leverage and concessions
    b = Bargain(afg, pak, (0.15, 0.1), eased)
    piecemeal = issue_by_issue(b, slack=(0.0, 0.0))
    assert piecemeal[0] == 0 and piecemeal[1] == 0  # no overlap on the TTP or on strikes
    assert b.accepted(piecemeal) == (True, False)
    linked = single_text(b)
    assert b.accepted(linked) == (True, True)
    assert linked[0] > 0 and linked[1] > 0, describe(linked)


def test_the_same_talks_agree_with_a_linked_text_and_not_issue_by_issue():
    """Both reach the text in principle of round 2; only the linked text gets modalities."""
    linked = CeasefireModel(with_values(BASE, EASY), rng=3).run()[0]
    piecemeal = CeasefireModel(with_values(BASE, {**EASY, "negotiation.protocol": "issue_by_issue"}), rng=3).run()[0]
    assert linked["principle_day"] == 11 and linked["modalities_day"] == 18 and "ttp_action=" in linked["package"]
    assert piecemeal["principle_day"] == 11 and math.isnan(piecemeal["modalities_day"])
    assert piecemeal["package"] == "nothing" and piecemeal["stage"] == "principle"
    assert piecemeal["rounds_agreed"] == 1 < piecemeal["rounds_salvaged"] + piecemeal["rounds_failed"]


def test_the_event_log_records_every_text_and_outcome():
    model = CeasefireModel(with_values(BASE, EASY), rng=3)
    model.run()
    log = model.events()
    offers = [e for e in log if e.event_type == ev.TALKS_OFFER]
    rounds = [e for e in log if e.event_type == ev.TALKS_ROUND]
    assert rounds and {e.day for e in offers} <= {e.day for e in rounds}  # a text in principle bargains no text
    assert next(e for e in rounds if e.day == 11).detail == "principle"  # no text bargained: a framework
    agreed = next(e for e in rounds if e.detail == "modalities")
    last = [e for e in offers if e.day == agreed.day][-1]
    assert "afghanistan accepts, pakistan accepts" in last.detail and "Istanbul round 3" in last.detail
    assert len(offers) == model.talks.texts


def test_no_mechanism_operates_without_an_agreement_unless_imposed():
    never = with_values(BASE, {"negotiation.protocol": "issue_by_issue"})  # the parties never agree
    for seed in range(6):
        model = CeasefireModel(never, rng=seed)
        row = model.run()[0]
        assert math.isnan(row["modalities_day"]) and math.isnan(row["mvm_operational_day"])
        assert row["detected"] == 0 and not any(e.event_type == ev.MVM_FINDING for e in model.events())
    imposed = with_values(never, {"mvm.start": "imposed", "mvm.start_day": 4})
    rows = [CeasefireModel(imposed, rng=s).run()[0] for s in range(6)]
    assert all(r["mvm_operational_day"] == 4 for r in rows) and sum(r["detected"] for r in rows) > 0


def test_the_terms_agreed_decide_the_penalty_and_what_findings_can_name():
    model = CeasefireModel(with_values(BASE, QUIET), rng=1)
    monitor = model.monitor
    monitor.agree(5, 1 / 3)  # complaints only
    assert monitor.operational_day is None and not monitor.operational(30)  # agreed is not set up
    assert monitor.penalty == 0 and not monitor.names_inaction
    monitor.agree(9, 2 / 3)
    assert monitor.penalty == BASE.mvm.penalty and not monitor.names_inaction
    monitor.agree(12, 1.0)
    assert monitor.names_inaction and monitor.agreed_day == 5


@pytest.mark.parametrize("rule", ["lever", "calm", "agreement"])
def test_reopening_never_happens_without_pakistans_decision(rule):
    """Pakistan never decides to reopen (reopen_prob 0): whatever the talks agree and however
    calm it is, no crossing reopens (an aid lane is not a reopening for trade); and every
    reopening that does happen is Pakistan's."""
    shut = with_values(BASE, {**EASY, "crossings.reopen_rule": rule, "crossings.reopen_prob": 0.0})
    for seed in range(4):
        model = CeasefireModel(shut, rng=seed)
        row, series = model.run()
        assert math.isnan(row["first_reopen_day"]) and series["open_crossings"].max() == 0
    opened = with_values(BASE, {**EASY, "crossings.reopen_rule": rule, "crossings.reopen_prob": 1.0})
    model = CeasefireModel(opened, rng=0)
    model.run()
    reopened = [e for e in model.events() if e.event_type == ev.CROSSING_REOPENED]
    assert reopened and all(e.actor1 == ev.PAKISTAN for e in reopened)


def test_a_promised_ttp_step_moves_pakistans_reopening_only_once_it_is_seen():
    """A promise is not delivery: modalities with Kabul's written TTP commitment leave
    Pakistan's will to reopen where it was until Kabul is seen to crack down; an
    unverified crackdown counts for ``unverified_credence``, a verified one in full."""
    cfg = with_values(BASE, {**EASY, "choices.crackdown_rate": 0.0})
    model = CeasefireModel(cfg, rng=3)
    model.run_until(18)  # round 3 agrees modalities with a TTP position
    implementation = model.implementation
    assert implementation.level("ttp_steps") > 0 and not implementation.implemented("ttp_steps")
    pak, border, afg = model.states.pak, model.border, model.states.afg
    promised = border.reopen_chance(19, pak)
    ttp = implementation.provisions.pop("ttp_steps")  # the same day without the promise
    assert border.reopen_chance(19, pak) == promised
    implementation.provisions["ttp_steps"] = ttp
    afg.crackdown_until, afg.crackdown_verified = 25, False
    seen = border.reopen_chance(19, pak)
    afg.crackdown_verified = True
    verified = border.reopen_chance(19, pak)
    assert promised < seen < verified


def test_pakistan_reopens_sooner_when_kabul_is_seen_to_act():
    """The same agreed modalities; Kabul acting on them or not (its crackdowns): Pakistan
    reopens sooner only where it acts (paired seeds, Wilcoxon signed-rank)."""
    from scipy import stats

    agreed = with_values(BASE, {**EASY, "crossings.trade_commitment_weight": 0.0})
    idle = with_values(agreed, {"choices.crackdown_rate": 0.0})
    acting = with_values(agreed, {"choices.crackdown_rate": 0.5})
    days = {
        name: np.array([CeasefireModel(cfg, rng=s).run()[0]["first_reopen_day"] for s in range(40)], dtype=float)
        for name, cfg in (("idle", idle), ("acting", acting))
    }
    horizon = BASE.run.horizon_days + 1
    idle_days, acting_days = np.nan_to_num(days["idle"], nan=horizon), np.nan_to_num(days["acting"], nan=horizon)
    assert np.median(acting_days) < np.median(idle_days)
    assert stats.wilcoxon(acting_days, idle_days, alternative="less").pvalue < 0.01


def closure_of(days_closed: int) -> dict[str, float]:
    """Trade after a closure of ``days_closed`` days (from 12 October, day -7), in a quiet
    world where Pakistan reopens on the day the closure reaches that length."""
    cfg = with_values(
        BASE,
        {
            **QUIET,
            "run.horizon_days": 400,
            "crossings.reopen_rule": "calm",
            "crossings.reopen_prob": 1.0,
            "crossings.reopen_calm_days": days_closed - 7,
            "crossings.aid_lane": "none",
            "negotiation.protocol": "issue_by_issue",  # no agreement: no goods lane
        },
    )
    row, series = CeasefireModel(cfg, rng=2).run()
    assert row["first_reopen_day"] == days_closed - 7
    return {"trade_end": float(series["trade_index"][-30:].mean()), "diverted": row["diverted_end"]}


def test_a_long_closure_diverts_trade_for_good_and_a_short_one_does_not():
    """March 2025: Torkham shut 25-27 days, trade back to its level within about a month
    (case-facts.md); a half-year closure leaves part of Afghan trade on other routes."""
    short = closure_of(27)
    assert short["diverted"] == 0 and short["trade_end"] == pytest.approx(1.0)
    long = closure_of(180)
    assert long["diverted"] > 0.1 and long["trade_end"] < 0.9
    cc = BASE.crossings
    transit = BASE.scenario.transit_usd_per_day
    share = transit / (transit + BASE.scenario.bilateral_usd_per_day)
    most = cc.diversion_stickiness * ((1 - share) * cc.bilateral_diversion_max + share * cc.transit_diversion_max)
    assert long["diverted"] <= most + 1e-9


def test_bilateral_and_transit_trade_add_up_in_usd():
    row, series = CeasefireModel(with_values(BASE, QUIET), rng=4).run()
    sc = BASE.scenario
    total = series["bilateral_usd"] + series["transit_usd"]
    np.testing.assert_allclose(total, series["trade_index"] * (sc.bilateral_usd_per_day + sc.transit_usd_per_day))
    assert row["trade_loss_usd"] == pytest.approx(row["bilateral_loss_usd"] + row["transit_loss_usd"])
