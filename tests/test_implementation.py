"""Agreements in stages and implementation that can fail (sim/model/talks.py,
sim/model/implementation.py): a text in principle sets nothing up; a review round can
break down with a package in force; a mechanism set up can stop operating; provisions are
reneged; a closure over a local dispute ends sooner than one used as leverage."""

from __future__ import annotations

import math

import numpy as np
import pytest
from helpers import assumed
from lifelines.statistics import logrank_test

from sim.core import events as ev
from sim.model import CeasefireModel
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_ensemble

BASE = assumed(default_config(["run.horizon_days=120"]))
QUIET = {"spoilers.attack_rate": 0.0, "states.accident_rate": 0.0}
#: Principle at round 2 (day 11), modalities at round 3 (day 18), a linked text both accept.
STAGED = {
    **QUIET,
    "negotiation.principle_chance": 1.0,
    "negotiation.unmediated_share": 1.0,
    "negotiation.modalities_chance": 1.0,
    "negotiation.leverage_weight": 0.15,
    "negotiation.grievance_weight": 0.0,
    "negotiation.concession": 0.0,
    "negotiation.resolve_noise": 0.0,
}


def events_of(model, kind: str) -> list[ev.Event]:
    return [e for e in model.events() if e.event_type == kind]


def test_an_agreement_in_principle_alone_never_makes_a_mechanism_operate():
    """With every round at the principle stage only talks about talks, the text in
    principle of day 11 is all there is: no mechanism agreed, set up or finding, whatever
    the seed; no provision is carried out."""
    only_principle = with_values(BASE, {**STAGED, "negotiation.modalities_chance": 0.0})
    for seed in range(15):
        model = CeasefireModel(only_principle, rng=seed)
        row, _ = model.run()
        assert row["principle_day"] == 11 and row["stage"] == "principle"
        assert math.isnan(row["modalities_day"]) and math.isnan(row["mvm_agreed_day"])
        assert math.isnan(row["mvm_operational_day"]) and row["detected"] == 0
        for kind in (ev.MECHANISM_OPERATING, ev.MVM_FINDING, ev.PROVISION_IMPLEMENTED):
            assert not events_of(model, kind), kind


def test_a_review_round_can_break_down_with_a_package_in_force():
    """Modalities agreed on day 18; a provision reneged the next day (the hazard at 1);
    the next round (a review) breaks down (review_failure 1): the log says failed, the
    package lapses and the process is back at the principle stage."""
    troubled = with_values(
        BASE,
        {**STAGED, "implementation.renege_rate": 1.0, "negotiation.review_failure": 1.0, "mvm.setup_delay_days": 45},
    )
    model = CeasefireModel(troubled, rng=2)
    model.run_until(60)
    rounds = [(e.day, e.detail) for e in events_of(model, ev.TALKS_ROUND)]
    assert rounds[:2] == [(11, "principle"), (18, "modalities")]
    assert events_of(model, ev.PROVISION_RENEGED)
    review = next(detail for day, detail in rounds if day > 18)
    assert review == "failed"
    assert model.talks.stage == "principle" and model.talks.describe() == "nothing"
    calm = with_values(troubled, {"implementation.renege_rate": 0.0})
    kept = CeasefireModel(calm, rng=2)
    kept.run_until(60)
    assert [d for day, d in ((e.day, e.detail) for e in events_of(kept, ev.TALKS_ROUND)) if day > 18][0] in (
        "reaffirmed",
        "renegotiated",
    )


def test_a_mechanism_set_up_can_stop_operating_and_resume():
    """Set up at once, then suspended (the hazard at 1: a boycott or denied access): it
    no longer operates, detects nothing; it resumes after a while."""
    cfg = with_values(
        BASE,
        {
            **STAGED,
            "mvm.setup_delay_days": 0,
            "implementation.renege_rate": 0.0,
            "implementation.suspension_rate": 1.0,
            "implementation.resume_days": 5.0,
        },
    )
    model = CeasefireModel(cfg, rng=4)
    model.run_until(19)
    assert events_of(model, ev.MECHANISM_OPERATING)[0].detail == "set up"
    assert model.monitor.suspended and not model.monitor.operational(19)
    model.run_until(120)
    details = [e.detail for e in events_of(model, ev.MECHANISM_OPERATING)]
    assert "resumed" in details and len(events_of(model, ev.MECHANISM_SUSPENDED)) >= 2
    row, _ = model.run()
    assert row["mvm_suspensions"] == len(events_of(model, ev.MECHANISM_SUSPENDED))


def test_pakistans_strike_reneges_its_restraint():
    model = CeasefireModel(with_values(BASE, STAGED), rng=1)
    model.run_until(18)
    assert model.implementation.implemented("strike_restraint")
    cost = model.states.commitment_cost(model.states.pak)
    assert cost > 0 and model.states.commitment_cost(model.states.afg) == 0
    model.implementation.struck(19)
    assert not model.implementation.in_force("strike_restraint") and model.states.commitment_cost(model.states.pak) == 0
    assert events_of(model, ev.PROVISION_RENEGED)[-1].detail.startswith("strike_restraint")


def test_reneged_trade_terms_no_longer_move_pakistans_reopening():
    """Modalities with trade terms on day 18 move Pakistan's will to reopen; once it
    reneges on them (still pending: the crossings shut), they move it no more."""
    model = CeasefireModel(with_values(BASE, {**STAGED, "crossings.reopen_threshold": 1.4}), rng=1)
    model.run_until(18)
    terms = model.implementation.provisions.get("trade_terms")
    assert terms is not None and terms.state != "implemented" and model.border.trade_terms() > 0
    model.implementation.renege(terms, 19, "reneged")
    assert model.border.trade_terms() == 0.0 and not model.implementation.in_force("trade_terms")


@pytest.mark.slow
def test_a_local_dispute_closure_ends_sooner_than_a_leverage_closure():
    """The same parameters and seeds, the crossings shut on day 0 with no talks: over a
    local dispute they reopen by a local settlement within days or weeks; as leverage,
    when Pakistan's demand is met or the closure costs too much (log-rank test)."""
    closed = {
        "scenario.closed_days": 0,
        "scenario.rounds": [],
        "mediation.mediators": {},
        "crossings.aid_lane": "none",
        "run.replicates": 200,
        "run.horizon_days": 180,
        "run.n_jobs": 1,
        "run.progress": False,
        "run.events": False,
    }
    leverage = with_values(default_config(["mediation=none"]), closed)
    local = with_values(leverage, {"scenario.closure_cause": "local"})
    days = {}
    for name, cfg in (("leverage", leverage), ("local", local)):
        runs = run_ensemble(cfg).runs
        reopened = runs["first_reopen_day"].notna()
        days[name] = (runs["first_reopen_day"].fillna(cfg.run.horizon_days).to_numpy(), reopened.to_numpy())
    (t_lev, e_lev), (t_loc, e_loc) = days["leverage"], days["local"]
    test = logrank_test(t_loc, t_lev, e_loc, e_lev)
    assert np.median(t_loc) < np.median(t_lev) and test.p_value < 1e-6
    assert np.median(t_loc) <= 30  # within days or weeks
