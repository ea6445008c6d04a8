"""Calibration to the record up to 5 November 2025 (sim/analysis/calibration.py,
sim/analysis/record.py) and the calibrated default it installs
(conf/calibration/posterior.csv, tolerance.json)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import calibration as cal
from sim.analysis import record as rec
from sim.analysis import smc
from sim.core import events as ev
from sim.core.errors import ConfigError
from sim.core.schema import CONF_DIR
from sim.run.config import with_values
from sim.run.ensemble import run_replicate
from sim.run.parameters import ReplicateConfigs, read_table


@pytest.fixture(scope="module")
def posterior(config):
    return read_table(config.parameters.table)


@pytest.fixture(scope="module")
def base(config):
    return with_values(config, {"parameters.table": None})


def test_the_statistics_read_a_log_by_the_coding_rules():
    log = [
        ev.Event(0, ev.TALKS_ROUND, ev.MEDIATORS, detail="agreed"),  # day 0: the ceasefire itself, not read
        ev.Event(3, ev.ARMED_CLASH, ev.PAKISTAN, ev.AFGHANISTAN, fatalities=2),
        ev.Event(3, ev.SHELLING, ev.AFGHANISTAN, ev.PAKISTAN),
        ev.Event(4, ev.AIR_DRONE_STRIKE, ev.PAKISTAN, ev.MILITANTS),  # on militants: not fire between the states
        ev.Event(5, ev.MILITANT_ATTACK, ev.MILITANTS, ev.PAKISTAN, fatalities=12),
        ev.Event(9, ev.MILITANT_ATTACK, ev.MILITANTS, ev.PAKISTAN, fatalities=1),
        ev.Event(11, ev.TALKS_ROUND, ev.MEDIATORS, detail="failed"),
        ev.Event(12, ev.CROSSING_REOPENED, ev.PAKISTAN, detail="people only"),
        ev.Event(13, ev.CROSSING_REOPENED, ev.PAKISTAN, crossing="torkham"),
        ev.Event(16, ev.RENUNCIATION, ev.PAKISTAN),
        ev.Event(18, ev.MILITANT_ATTACK, ev.MILITANTS, ev.PAKISTAN, fatalities=30),  # after 5 November
    ]
    s = rec.statistics(log)
    assert s["state_fire_days"] == 1 and s["renunciations"] == 1
    assert s["rounds_failed"] == 1 and s["principle_agreed"] == 0 and s["modalities_agreed"] == 0
    assert s["trade_reopenings"] == 1  # the people-only lane is not trade
    assert s["significant_attacks"] == 1 and s["significant_attacks_24_25_oct"] == 1
    assert s["attacks_per_week"] == pytest.approx(2 * 7 / 17)
    assert s["attack_deaths_per_week"] == pytest.approx(13 * 7 / 17)


def test_the_record_read_as_a_log_is():
    """docs/context/record.csv and record_counts.csv through the same code: no fire
    between the states, round 2 a text in principle (no modalities), no reopening for
    trade, PICSS's October rate."""
    s = rec.record_statistics()
    assert s == cal.record_statistics()
    assert {k: s[k] for k in rec.FACTS} == {
        "state_fire_days": 0,
        "renunciations": 0,
        "rounds_failed": 0,
        "principle_agreed": 1,
        "modalities_agreed": 0,
        "trade_reopenings": 0,
    }
    assert s["attacks_per_week"] == pytest.approx(89 / 31 * 7)
    assert s["attack_deaths_per_week"] == pytest.approx(109 / 31 * 7)
    assert s["significant_attacks"] == 2 and s["significant_attacks_24_25_oct"] == 1


def test_a_missing_or_broken_record_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="missing"):
        rec.read_record(tmp_path / "nope.csv")
    bad = tmp_path / "record.csv"
    bad.write_text(rec.RECORD_CSV.read_text().replace("militant_attack", "riot", 1))
    with pytest.raises(ConfigError, match="column event_type: 'riot' is not allowed"):
        rec.read_record(bad)
    bad.write_text("day,date\n1,2025-10-20\n")
    with pytest.raises(ConfigError, match="lacks the columns"):
        rec.read_record(bad)


@pytest.mark.slow
def test_abc_is_reproducible_whatever_the_workers(base):
    one = cal.abc_rejection(base, 300, seed=7, n_jobs=1, chunk=100, share=0.05)
    two = cal.abc_rejection(base, 300, seed=7, n_jobs=2, chunk=100, share=0.05)
    pd.testing.assert_frame_equal(one.draws, two.draws)
    assert 0 < one.acceptance_rate < 0.1
    accepted = one.accepted
    for k in rec.FACTS:  # every accepted history states the facts
        assert (accepted[k] == cal.record_statistics()[k]).all(), k
    for f in cal.calibrated_factors(base):
        assert one.draws[f.key].between(f.lo, f.hi).all()
    assert len(cal.calibrated_factors(base)) > 100  # every behavioural parameter, not a chosen few
    assert not any(f.key.startswith(("mvm.", "mediation.")) for f in cal.calibrated_factors(base))


SBC_KEYS = ("spoilers.attack_rate", "states.accident_rate", "crossings.diversion_days")


@pytest.fixture(scope="module")
def sbc(base):
    """SBC at a reduced size: three parameters (one the counts inform strongly, one the
    facts inform, one no 17-day history can see), 3,000 histories, 60 synthetic records."""
    chosen = cal.calibrated_factors(base, SBC_KEYS)
    table = cal.reference_table(base, chosen, 3000, seed=11, n_jobs=2)
    return cal.sbc_ranks(table, list(SBC_KEYS), truths=60, share=0.04, seed=3)


@pytest.mark.slow
def test_sbc_the_posterior_covers_the_truth_at_its_nominal_rate(sbc):
    ranks, _ = sbc
    coverage = cal.sbc_coverage(ranks, SBC_KEYS, level=0.9)
    lo, hi = cal.binomial_interval(len(ranks), 0.9, alpha=0.01)
    for key in SBC_KEYS:
        assert lo <= coverage[key] <= hi, (key, coverage[key])
        # the normalised ranks are uniform (Kolmogorov-Smirnov; a miscalibrated posterior,
        # too narrow or biased, piles them at the ends or to one side)
        q = (ranks[key] + 0.5) / (ranks["L"] + 1)
        assert stats.kstest(q, "uniform").pvalue > 0.001, key


def test_sbc_the_posterior_narrows_where_the_record_carries_information(sbc):
    _, narrowing = sbc
    mean = narrowing.mean()
    assert mean["spoilers.attack_rate"] < 0.85  # the attacks a week say it (measured 0.74)
    assert mean["crossings.diversion_days"] > 0.9  # nothing before day 35 depends on it


@pytest.mark.slow
def test_the_abc_smc_run_resumes_from_its_database(base, tmp_path):
    keys = ("spoilers.attack_rate", "states.accident_rate")
    db = tmp_path / "abc.db"
    first = smc.abc_smc(base, db, population=40, generations=1, n_procs=1, seed=5, keys=keys, adapted=keys)
    assert first.generations == 1
    gen0 = first.particles(cal.calibrated_factors(base, keys), t=0)
    again = smc.abc_smc(base, db, population=40, generations=2, n_procs=1, seed=6, keys=keys, adapted=keys)
    assert again.generations == 2 and again.history.id == first.history.id
    pd.testing.assert_frame_equal(again.particles(cal.calibrated_factors(base, keys), t=0), gen0)
    eps = again.tolerances()["epsilon"].to_numpy()
    assert eps[1] < eps[0]
    last = again.particles(cal.calibrated_factors(base, keys))
    assert (last[list(rec.FACTS)] == pd.Series(cal.record_statistics())[list(rec.FACTS)]).all().all()
    tol = again.tolerance()
    assert all(cal.within_tolerance(row, tol) for row in last[list(rec.STATISTICS)].to_dict("records"))


def test_every_calibrated_replicate_reproduces_the_record(config):
    """The default ensemble replays accepted histories: each of its replicates states
    every fact of the record to 5 November (day 17; no fire between the states) and its
    counts lie within the final tolerance of the ABC-SMC; then it goes its own way."""
    tolerance = json.loads((CONF_DIR / "calibration" / "tolerance.json").read_text())
    assert tolerance["record"] == cal.record_statistics()
    record = with_values(config, {"run.horizon_days": cal.RECORD_DAY})
    longer = with_values(config, {"run.horizon_days": 60})
    record_configs, longer_configs = ReplicateConfigs(record), ReplicateConfigs(longer)
    truce_days = []
    for replicate in range(60):
        row, series, log = run_replicate(record, replicate, seed=1000 + replicate, configs=record_configs)
        assert row["parameter_row"] == replicate and row["record_match"]
        assert cal.within_tolerance(rec.statistics(log), tolerance), replicate
        row60, series60, _ = run_replicate(longer, replicate, seed=1000 + replicate, configs=longer_configs)
        for key, values in series.items():
            np.testing.assert_array_equal(series60[key][: cal.RECORD_DAY + 1], values)
        truce_days.append(row60["truce_days"])
    assert len(set(truce_days)) > 5  # what follows 5 November differs


def test_the_defaults_are_the_posterior_medians(config, posterior):
    """Every calibrated knob's YAML value (conf/calibrated.yaml) is its posterior median."""
    for f in cal.calibrated_factors(config):
        median = posterior[f.key].median()
        assert abs(f.default - median) <= 1e-3 * abs(median) + (0.5 if f.integer else 0), f.key


def test_the_posterior_is_a_real_update_of_the_prior(config, posterior):
    """Every behavioural parameter is in the table, and the record moves the ones it
    speaks to: the attack rate (PICSS's October count) and the chance of an accidental
    clash (no fire between the states to 5 November), against the uniform prior
    (Kolmogorov-Smirnov)."""
    chosen = {f.key: f for f in cal.calibrated_factors(config)}
    assert set(chosen) == set(posterior.columns) - {"record_seed", "record_day"}
    assert len(posterior) >= 3000
    for key in ("spoilers.attack_rate", "states.accident_rate"):
        f = chosen[key]
        ks = stats.kstest(posterior[key], stats.uniform(loc=f.lo, scale=f.hi - f.lo).cdf)
        assert ks.pvalue < 1e-6, key


def test_runs_say_whether_the_replayed_history_still_reproduces_the_record(config):
    """With the calibrated settings every replayed history reproduces the record; with a
    setting changed (the rate of clashes at the top of its range) the same draws make other histories,
    and the runs say which."""
    base = with_values(config, {"run.replicates": 60, "run.horizon_days": 30, "run.n_jobs": 1, "run.progress": False})
    from sim.run.ensemble import run_ensemble

    assert run_ensemble(base).runs["record_match"].all()
    changed = run_ensemble(with_values(base, {"states.accident_rate": 0.04})).runs["record_match"]
    assert changed.notna().all() and 0 < changed.mean() < 1
    assert run_ensemble(with_values(base, {"parameters.table": None})).runs["record_match"].isna().all()


def test_a_cluster_sampler_needs_host_and_port():
    assert type(smc.make_sampler(2, "login01:6379")).__name__ == "RedisEvalParallelSampler"
    with pytest.raises(ConfigError, match="HOST:PORT"):
        smc.make_sampler(2, "login01")
