"""The six stylized facts of science.md as statistical tests with fixed seeds.

Each test runs enough replicates for its test statistic to be decisive at the fixed
seed (the effect sizes are large against the sampling error), so the tests are
deterministic and would fail if the mechanism they check were broken.
"""

from __future__ import annotations

import numpy as np
import pytest
from lifelines.statistics import logrank_test
from scipy import stats

from sim.config import with_values
from sim.ensemble import run_ensemble
from sim.model import CeasefireModel

#: The mechanism operating from day 0, so that designs differ only in their knobs.
FROM_DAY_0 = {"mvm.design": "custom", "mvm.start": "day", "mvm.start_day": 0, "mvm.coverage": 0.6,
              "mvm.acceptance": 0.8, "mvm.reporting_delay_days": 2}
QUIET = {"spoilers.attack_rate": 0.0, "states.accident_rate": 0.0}


@pytest.fixture(scope="module")
def base(config):
    return with_values(config, {"run.replicates": 400, "run.n_jobs": 2, "run.progress": False, "run.seed": 1})


def test_fact1_no_militants_no_accidents_no_collapse(base):
    runs = run_ensemble(with_values(base, QUIET)).runs
    assert runs["incidents"].sum() == 0
    assert runs["retaliations"].sum() == 0
    assert not runs["collapsed"].any()
    assert (runs["truce_days"] == base.run.horizon_days).all()


def test_fact2_a_stronger_mechanism_makes_truces_last_longer(base):
    weak = run_ensemble(with_values(base, {**FROM_DAY_0, "mvm.detection_prob": 0.2,
                                           "mvm.attribution_accuracy": 0.55, "mvm.penalty": 0.1})).runs
    strong = run_ensemble(with_values(base, {**FROM_DAY_0, "mvm.detection_prob": 0.9,
                                             "mvm.attribution_accuracy": 0.95, "mvm.penalty": 0.9})).runs
    test = logrank_test(weak["truce_days"], strong["truce_days"], weak["collapsed"], strong["collapsed"])
    assert test.p_value < 0.001
    assert strong["truce_days"].mean() > weak["truce_days"].mean()
    assert strong["collapsed"].mean() < weak["collapsed"].mean()


def test_fact2_no_mechanism_is_worse_than_the_default_joint_one(base):
    none = run_ensemble(with_values(base, {"mvm.design": "none", "mvm.start": "never"})).runs
    joint = run_ensemble(base).runs
    test = logrank_test(none["truce_days"], joint["truce_days"], none["collapsed"], joint["collapsed"])
    assert test.p_value < 0.01
    assert joint["truce_days"].mean() > none["truce_days"].mean()


def test_fact3_better_attribution_breaks_retaliation_spirals(base):
    """Same militant activity (the mechanism deters nobody, penalties are nil, no collapse
    cuts the exposure short): accurate findings leave fewer state retaliations."""
    same_activity = {**FROM_DAY_0, "mvm.detection_prob": 1.0, "mvm.coverage": 1.0, "mvm.penalty": 0.0,
                     "spoilers.risk_aversion": 0.0, "states.effort_trust_gain": 0.0,
                     "states.accident_rate": 0.0,
                     "collapse.hostility_threshold": 100.0, "collapse.void_prob": 0.0,
                     "run.horizon_days": 180}
    poor = run_ensemble(with_values(base, {**same_activity, "mvm.attribution_accuracy": 0.5})).runs
    good = run_ensemble(with_values(base, {**same_activity, "mvm.attribution_accuracy": 0.95})).runs
    attacks_poor = poor["incidents"] - poor["retaliations"]
    attacks_good = good["incidents"] - good["retaliations"]
    # the militant activity really is the same ...
    assert stats.mannwhitneyu(attacks_poor, attacks_good).pvalue > 0.01
    # ... and the retaliations are not
    assert stats.mannwhitneyu(poor["retaliations"], good["retaliations"], alternative="greater").pvalue < 1e-6
    assert good["misattributed"].mean() < poor["misattributed"].mean()


def test_fact5_trade_stays_at_zero_while_closed_and_recovers_within_weeks(base):
    quiet = with_values(base, {**QUIET, "run.replicates": 100})
    for seed in range(100):
        model = CeasefireModel(quiet, rng=seed)
        row, series = model.run()
        reopen = int(row["first_reopen_day"])
        trade, backlog = series["trade_index"], series["stranded_trucks"]
        assert (trade[:reopen] == 0).all()  # nothing crosses a closed border
        assert row["trade_days_to_90"] - reopen <= 30  # baseline within about a month (March 2025)
        peak = backlog[reopen:].max()
        assert backlog[reopen + 40] < 0.1 * peak  # the stranded trucks clear first ...
        assert (np.diff(backlog[reopen + 14 : reopen + 35]) <= 0).all()  # ... steadily
        assert abs(trade[-1] - 1.0) < 1e-9  # and then trade runs at its baseline


def window_log_hazard_ratio(reference, other, start: int, end: int) -> tuple[float, float]:
    """Cox log hazard ratio (other vs reference) of collapse within days (start, end], among
    the truces alive at ``start``, and its standard error."""
    import pandas as pd
    from lifelines import CoxPHFitter

    rows = []
    for flag, runs in ((0, reference), (1, other)):
        alive = runs[runs["truce_days"] > start]
        rows.append(pd.DataFrame({
            "T": (np.minimum(alive["truce_days"], end) - start).clip(lower=0.5),
            "E": (alive["collapsed"] & (alive["truce_days"] <= end)).astype(int),
            "other": flag,
        }))
    s = CoxPHFitter().fit(pd.concat(rows), "T", "E").summary.loc["other"]
    return float(s["coef"]), float(s["se(coef)"])


def test_fact4_mediator_leverage_helps_early_and_fades_without_renewal(base):
    """Turkiye and Qatar with leverage renewed by each round against the same mediators
    whose leverage only fades (Beardsley 2011): no difference in the hazard of collapse in
    the first 60 days, a much higher hazard without renewal from day 120 on; the change
    in the log hazard ratio between the windows is tested with a z statistic."""
    config = with_values(base, {"run.replicates": 600})
    renewed = run_ensemble(config).runs
    fading = run_ensemble(with_values(config, {"mediation.renew_leverage": False})).runs
    early, se_early = window_log_hazard_ratio(renewed, fading, 0, 60)
    late, se_late = window_log_hazard_ratio(renewed, fading, 120, config.run.horizon_days)
    assert abs(early) < 1.96 * se_early  # early on, renewal makes no detectable difference
    assert late > 0 and stats.norm.sf(late / se_late) < 1e-6  # later, fading leverage costs
    z = (late - early) / np.hypot(se_early, se_late)
    assert stats.norm.sf(z) < 1e-6


def test_fact6_more_attacks_and_more_casualties_raise_the_hazard_of_collapse(base):
    """Dose response: the hazard of collapse rises with the militant attack rate (a Cox
    model on the rate: hazard ratio > 1) at every step of the dose, and with the
    casualties an attack causes (log-rank)."""
    import pandas as pd
    from lifelines import CoxPHFitter

    doses = (0.06, 0.12, 0.24)
    arms = {d: run_ensemble(with_values(base, {"spoilers.attack_rate": d})).runs for d in doses}
    data = pd.concat(pd.DataFrame({"T": r["truce_days"].clip(lower=0.5), "E": r["collapsed"].astype(int), "rate": d})
                     for d, r in arms.items())
    s = CoxPHFitter().fit(data, "T", "E").summary.loc["rate"]
    assert s["coef"] > 0 and s["p"] < 1e-10
    rates = [r["collapsed"].sum() / r["truce_days"].sum() for r in arms.values()]
    assert rates[0] < rates[1] < rates[2]  # collapses per truce-day rise at every step
    light = run_ensemble(with_values(base, {"spoilers.casualties_mean": 1.0})).runs
    heavy = run_ensemble(with_values(base, {"spoilers.casualties_mean": 12.0})).runs
    test = logrank_test(light["truce_days"], heavy["truce_days"], light["collapsed"], heavy["collapsed"])
    assert heavy["truce_days"].mean() < light["truce_days"].mean() and test.p_value < 1e-3
