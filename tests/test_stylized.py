"""The six stylized facts of science.md as statistical tests with fixed seeds.

Each test runs enough replicates for its test statistic to be decisive at the fixed
seed (the effect sizes are large against the sampling error), so the tests are
deterministic and would fail if the mechanism they check were broken.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assumed
from lifelines.statistics import logrank_test
from scipy import stats

from sim.model import CeasefireModel
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_ensemble

pytestmark = pytest.mark.slow  # make test-fast leaves these out (subprocesses, studies, ensembles)

#: The mechanism operating from day 0, so that designs differ only in their knobs.
FROM_DAY_0 = {
    "mvm.design": "custom",
    "mvm.start": "imposed",
    "mvm.start_day": 0,
    "mvm.coverage": 0.6,
    "mvm.acceptance": 0.8,
    "mvm.reporting_delay_days": 2,
}
QUIET = {"spoilers.attack_rate": 0.0, "states.accident_rate": 0.0}


@pytest.fixture(scope="module")
def base(config):
    return with_values(config, {"run.replicates": 400, "run.n_jobs": 2, "run.progress": False, "run.seed": 1})


def test_fact1_no_militants_no_accidents_no_collapse(base, record_property):
    runs = run_ensemble(with_values(base, QUIET)).runs
    record_property("incidents", int(runs["incidents"].sum()))
    record_property("collapses", int(runs["collapsed"].sum()))
    assert runs["incidents"].sum() == 0
    assert runs["retaliations"].sum() == 0
    assert not runs["collapsed"].any()
    assert (runs["truce_days"] == base.run.horizon_days).all()


def test_fact2_a_stronger_mechanism_makes_truces_last_longer(base, record_property):
    weak = run_ensemble(
        with_values(
            base, {**FROM_DAY_0, "mvm.detection_prob": 0.2, "mvm.attribution_accuracy": 0.55, "mvm.penalty": 0.1}
        )
    ).runs
    strong = run_ensemble(
        with_values(
            base, {**FROM_DAY_0, "mvm.detection_prob": 0.9, "mvm.attribution_accuracy": 0.95, "mvm.penalty": 0.9}
        )
    ).runs
    test = logrank_test(weak["truce_days"], strong["truce_days"], weak["collapsed"], strong["collapsed"])
    record_property("mean_truce_strong_weak", (strong["truce_days"].mean(), weak["truce_days"].mean()))
    record_property("collapsed_strong_weak", (strong["collapsed"].mean(), weak["collapsed"].mean()))
    record_property("logrank_p", test.p_value)
    assert test.p_value < 0.001
    assert strong["truce_days"].mean() > weak["truce_days"].mean()
    assert strong["collapsed"].mean() < weak["collapsed"].mean()


def test_fact2_no_mechanism_is_worse_than_the_default_joint_one(base, record_property):
    """The joint mechanism against none, replicate by replicate: the two arms share their
    replicate seeds (common random numbers), so the difference in days to a breakdown is
    paired (Wilcoxon signed-rank, one-sided). The default mechanism is only agreed in
    principle on 30 October: it operates where a later round agrees its modalities and it
    is set up (45% of these replicates, docs/model.md "Stages"), and then changes the day
    of the breakdown in few of them (27 of 400 pairs differ, by 4.4 days on average where
    it operates; 2 days over all). The effect is real but small, so the test is paired and
    its level 1% (measured p = 0.005); a log-rank test on unpaired arms has no power for
    it. A mechanism that operates from day 0 is tested above (fact 2)."""
    none = run_ensemble(with_values(base, {"mvm.design": "none", "mvm.start": "never"})).runs
    joint = run_ensemble(base).runs
    paired = stats.wilcoxon(joint["truce_days"], none["truce_days"], alternative="greater")
    test = logrank_test(none["truce_days"], joint["truce_days"], none["collapsed"], joint["collapsed"])
    record_property("mean_truce_joint_none", (joint["truce_days"].mean(), none["truce_days"].mean()))
    horizon = base.run.horizon_days
    record_property(
        "p_hold_horizon_joint_none", ((joint["truce_days"] >= horizon).mean(), (none["truce_days"] >= horizon).mean())
    )
    record_property("wilcoxon_p_logrank_p", (paired.pvalue, test.p_value))
    assert paired.pvalue < 0.01
    assert joint["truce_days"].mean() > none["truce_days"].mean()


def test_fact3_better_attribution_breaks_retaliation_spirals(base, record_property):
    """Same militant activity (penalties are nil, no crackdowns, no collapse cuts the
    exposure short): where a state blames the other by attribution (Pakistan's reading
    switched off: the noise of Wu & Axelrod), accurate findings leave fewer state
    retaliations. (Under Pakistan's own reading, attribution does not help with the
    attacks it counts as Kabul's breaches: tests/test_actors.py.)"""
    same_activity = {
        **FROM_DAY_0,
        "mvm.detection_prob": 1.0,
        "mvm.coverage": 1.0,
        "mvm.penalty": 0.0,
        "breaches.pakistan_counts_militant_attacks": False,
        "choices.crackdown_rate": 0.0,
        "spoilers.strike_degradation": 0.0,
        "spoilers.strike_mobilisation": 0.0,
        "spoilers.trust_surge": 0.0,
        "states.effort_trust_gain": 0.0,
        "states.accident_rate": 0.0,
        "collapse.hostility_threshold": 100.0,
        "collapse.void_prob": 0.0,
        "run.horizon_days": 180,
    }
    poor = run_ensemble(with_values(base, {**same_activity, "mvm.attribution_accuracy": 0.5})).runs
    good = run_ensemble(with_values(base, {**same_activity, "mvm.attribution_accuracy": 0.95})).runs
    attacks_poor = poor["incidents"] - poor["retaliations"]
    attacks_good = good["incidents"] - good["retaliations"]
    record_property("attacks_poor_good", (attacks_poor.mean(), attacks_good.mean()))
    record_property("attacks_p", stats.mannwhitneyu(attacks_poor, attacks_good).pvalue)
    record_property("retaliations_poor_good", (poor["retaliations"].mean(), good["retaliations"].mean()))
    record_property(
        "retaliations_p", stats.mannwhitneyu(poor["retaliations"], good["retaliations"], alternative="greater").pvalue
    )
    # the militant activity really is the same ...
    assert stats.mannwhitneyu(attacks_poor, attacks_good).pvalue > 0.01
    # ... and the retaliations are not
    assert stats.mannwhitneyu(poor["retaliations"], good["retaliations"], alternative="greater").pvalue < 1e-4
    assert good["misattributed"].mean() < poor["misattributed"].mean()


def test_fact5_trade_stays_at_zero_while_closed_and_recovers_within_weeks(base, record_property):
    """Nothing crosses a closed border but what an aid lane carries (no lane: zero; a lane
    opened by agreed modalities' trade terms: nothing before it, then at most its
    capacity); after a closure shorter than the diversion lag (the 25-27 days of March
    2025), trade is back to baseline within about a month, the stranded trucks first.
    (Longer closures: tests/test_negotiation.py.)"""
    quiet = with_values(assumed(base), {**QUIET, "run.replicates": 100, "crossings.aid_lane": "none"})
    cc = quiet.crossings  # the reopening ramp of March 2025 (ramp_days 14, surge 1.25): the record does not inform it
    to_90, cleared, short = [], [], 0
    for seed in range(250):  # a sixth of quiet closures end within the diversion lag (Pakistan waits for delivery)
        model = CeasefireModel(quiet, rng=seed)
        row, series = model.run()
        trade, backlog = series["trade_index"], series["stranded_trucks"]
        if np.isnan(row["first_reopen_day"]):  # never reopened: nothing crossed but an agreed lane
            assert (trade <= cc.aid_lane_capacity + 1e-9).all()
            continue
        reopen = int(row["first_reopen_day"])
        agreed = reopen if np.isnan(row["modalities_day"]) else int(row["modalities_day"])
        assert (trade[: min(reopen, agreed)] == 0).all()  # nothing crosses a closed border
        assert (trade[:reopen] <= cc.aid_lane_capacity + 1e-9).all()  # ... but an agreed goods lane
        if reopen + 7 > cc.diversion_lag_days:  # closed since day -7: traders have begun to switch
            continue
        short += 1
        assert row["trade_days_to_90"] - reopen <= 30  # baseline within about a month (March 2025)
        peak = backlog[reopen:].max()
        to_90.append(row["trade_days_to_90"] - reopen)
        cleared.append(int(np.argmax(backlog[reopen:] < 0.1 * peak)))
        assert backlog[reopen + 40] < 0.1 * peak  # the stranded trucks clear first ...
        assert (np.diff(backlog[reopen + 14 : reopen + 35]) <= 0).all()  # ... steadily
        assert abs(trade[-1] - 1.0) < 1e-9  # and then trade runs at its baseline
    record_property("short_closures", short)
    record_property("days_reopen_to_90_max", max(to_90))
    record_property("days_backlog_below_10pct_max", max(cleared))
    assert short >= 30  # enough short closures for the checks above to mean something


def window_log_hazard_ratio(reference, other, start: int, end: int) -> tuple[float, float]:
    """Cox log hazard ratio (other vs reference) of collapse within days (start, end], among
    the truces alive at ``start``, and its standard error."""
    import pandas as pd
    from lifelines import CoxPHFitter

    rows = []
    for flag, runs in ((0, reference), (1, other)):
        alive = runs[runs["truce_days"] > start]
        rows.append(
            pd.DataFrame(
                {
                    "T": (np.minimum(alive["truce_days"], end) - start).clip(lower=0.5),
                    "E": (alive["collapsed"] & (alive["truce_days"] <= end)).astype(int),
                    "other": flag,
                }
            )
        )
    s = CoxPHFitter().fit(pd.concat(rows), "T", "E").summary.loc["other"]
    return float(s["coef"]), float(s["se(coef)"])


def test_fact4_mediator_leverage_helps_early_and_fades_without_renewal(base, record_property):
    """Beardsley 2008, 2011: Turkiye and Qatar whose leverage only fades, against no
    mediators: a much lower hazard of collapse in the first 60 days, and an effect on the
    hazard that shrinks by days 120-365 (z test of the change in the Cox log hazard
    ratio between the windows). With leverage renewed by each round the effect lasts:
    the same replicates (common random numbers) hold longer with renewed leverage than
    with fading (paired Wilcoxon, one-sided). The hazard is of the headline definition (a
    coded breakdown); by day 120 most truces have broken down, so a Cox contrast of
    renewed and fading leverage in the late window has little power (log hazard ratio
    0.11, se 0.08: recorded, not asserted), and the late test of the change less power
    (p < 0.005) than the early one (p < 1e-6)."""
    size = {"run.replicates": 1000, "run.n_jobs": base.run.n_jobs, "run.progress": False, "run.seed": base.run.seed}
    config = with_values(base, size)
    none = run_ensemble(with_values(default_config(["mediation=none"]), size)).runs
    renewed = run_ensemble(config).runs
    fading = run_ensemble(with_values(config, {"mediation.renew_leverage": False})).runs
    horizon = config.run.horizon_days
    early, se_early = window_log_hazard_ratio(none, fading, 0, 60)
    late, se_late = window_log_hazard_ratio(none, fading, 120, horizon)
    z = (late - early) / np.hypot(se_early, se_late)
    kept, se_kept = window_log_hazard_ratio(renewed, fading, 120, horizon)
    record_property("log_hr_mediated_vs_none_early_se", (early, se_early))
    record_property("log_hr_mediated_vs_none_late_se", (late, se_late))
    record_property("z_change", z)
    renewal = stats.wilcoxon(renewed["truce_days"], fading["truce_days"], alternative="greater")
    record_property("log_hr_fading_vs_renewed_late_se", (kept, se_kept))
    record_property(
        "mean_truce_renewed_fading_p", (renewed["truce_days"].mean(), fading["truce_days"].mean(), renewal.pvalue)
    )
    assert early < 0 and stats.norm.cdf(early / se_early) < 1e-6  # mediation helps early ...
    assert stats.norm.sf(z) < 0.005  # ... and without renewal its effect shrinks with time
    assert renewal.pvalue < 0.001 and renewed["truce_days"].mean() > fading["truce_days"].mean()  # renewal keeps it


def test_fact6_more_attacks_and_more_casualties_raise_the_hazard_of_collapse(base, record_property):
    """Dose response: the hazard of collapse rises with the militant attack rate (a Cox
    model on the rate: hazard ratio > 1) at every step of the dose, and with the share
    of mass-casualty (high-profile) attacks (log-rank)."""
    import pandas as pd
    from lifelines import CoxPHFitter

    doses = (1.0, 2.0, 3.0)
    arms = {d: run_ensemble(with_values(base, {"spoilers.attack_rate": d})).runs for d in doses}
    data = pd.concat(
        pd.DataFrame({"T": r["truce_days"].clip(lower=0.5), "E": r["collapsed"].astype(int), "rate": d})
        for d, r in arms.items()
    )
    s = CoxPHFitter().fit(data, "T", "E").summary.loc["rate"]
    rates = [r["collapsed"].sum() / r["truce_days"].sum() for r in arms.values()]
    record_property("hr_per_attack_a_day_p", (float(np.exp(s["coef"])), s["p"]))
    record_property("collapses_per_1000_truce_days", [1000 * r for r in rates])
    assert s["coef"] > 0 and s["p"] < 1e-3  # measured 8e-5 (2e-7 before the record-read calibration)
    assert rates[0] < rates[1] < rates[2]  # collapses per truce-day rise at every step
    light = run_ensemble(with_values(base, {"spoilers.high_profile_share": 0.005})).runs
    heavy = run_ensemble(with_values(base, {"spoilers.high_profile_share": 0.03})).runs
    test = logrank_test(light["truce_days"], heavy["truce_days"], light["collapsed"], heavy["collapsed"])
    record_property("mean_truce_light_heavy_p", (light["truce_days"].mean(), heavy["truce_days"].mean(), test.p_value))
    assert heavy["truce_days"].mean() < light["truce_days"].mean() and test.p_value < 1e-3
