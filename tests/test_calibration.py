"""Calibration to the record up to 5 November 2025 (sim/analysis/calibration.py) and the
calibrated default it installs (conf/calibration/posterior.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import calibration as cal
from sim.run.config import with_values
from sim.run.ensemble import run_replicate
from sim.run.parameters import ReplicateConfigs, read_table


@pytest.fixture(scope="module")
def posterior(config):
    return read_table(config.parameters.table)


def _series(incidents_days=(5,), open_day=None, days=18):
    incidents = np.zeros(days)
    incidents[list(incidents_days)] = 1
    crossings = np.zeros(days)
    if open_day is not None:
        crossings[open_day:] = 5
    return {"incidents": incidents, "open_crossings": crossings}


def _outcome(collapsed=False, truce_days=17, agreed=1, salvaged=0, failed=0):
    """An outcome row; ``collapsed``/``truce_days`` say when the model's truce first broke down."""
    return {
        "first_breakdown_day": truce_days if collapsed else np.nan,
        "rounds_agreed": agreed,
        "rounds_salvaged": salvaged,
        "rounds_failed": failed,
    }


def test_the_facts_of_the_record():
    assert all(cal.record_facts(_series(), _outcome()).values())
    assert all(cal.record_facts(_series((6,)), _outcome(agreed=0, salvaged=1)).values())  # a salvaged round extends it
    assert not cal.record_facts(_series(), _outcome(collapsed=True, truce_days=12))["truce_holds"]
    assert cal.record_facts(_series(), _outcome(collapsed=True, truce_days=40))["truce_holds"]
    assert not cal.record_facts(_series((3, 9)), _outcome())["incidents_24_25_oct"]
    assert not cal.record_facts(_series(), _outcome(agreed=0, failed=1))["round_2_extends_truce"]
    assert not cal.record_facts(_series(open_day=15), _outcome())["crossings_closed"]
    assert cal.record_facts(_series(open_day=18, days=30), _outcome())[
        "crossings_closed"
    ]  # after 5 Nov: not the record


def test_abc_is_reproducible_whatever_the_workers(config):
    base = with_values(config, {"parameters.table": None})
    one = cal.abc_rejection(base, 300, seed=7, n_jobs=1, chunk=100)
    two = cal.abc_rejection(base, 300, seed=7, n_jobs=2, chunk=100)
    pd.testing.assert_frame_equal(one.draws, two.draws)
    assert 0 < one.acceptance_rate < 1
    for f in cal.calibrated_factors(base):
        assert one.draws[f.key].between(f.lo, f.hi).all()


def test_every_calibrated_replicate_reproduces_the_record(config):
    """The default ensemble replays accepted histories: each of its replicates matches
    every fact of the record up to 5 November (day 17), then goes its own way."""
    record = with_values(config, {"run.horizon_days": cal.RECORD_DAY})
    longer = with_values(config, {"run.horizon_days": 60})
    record_configs, longer_configs = ReplicateConfigs(record), ReplicateConfigs(longer)
    truce_days = []
    for replicate in range(80):
        row, series, _ = run_replicate(record, replicate, seed=1000 + replicate, configs=record_configs)
        assert row["parameter_row"] == replicate
        assert all(cal.record_facts(series, row).values()), replicate
        row60, series60, _ = run_replicate(longer, replicate, seed=1000 + replicate, configs=longer_configs)
        for key, values in series.items():
            np.testing.assert_array_equal(series60[key][: cal.RECORD_DAY + 1], values)
        truce_days.append(row60["truce_days"])
    assert len(set(truce_days)) > 5  # what follows 5 November differs


def test_the_defaults_are_the_posterior_medians(config, posterior):
    for f in cal.calibrated_factors(config):
        median = posterior[f.key].median()
        default = f.default
        assert abs(default - median) <= 0.01 * (f.hi - f.lo) + (0.5 if f.integer else 0), f.key


def test_the_posterior_is_a_real_update_of_the_prior(config, posterior):
    """The record shifts the quiet days Pakistan wants before reopening up (every crossing
    stayed closed to 5 November) and the retaliation threshold (restraint) up (no strike
    between the states): Kolmogorov-Smirnov against the uniform prior. (The attack rate,
    now all attacks, is no longer narrowed by the four facts.)"""
    chosen = {f.key: f for f in cal.calibrated_factors(config)}
    assert set(cal.CALIBRATED) == set(posterior.columns) - {"record_seed", "record_day"}
    assert len(posterior) >= 3000
    for key in ("crossings.reopen_calm_days", "states.retaliation_threshold"):
        f = chosen[key]
        ks = stats.kstest(posterior[key], stats.uniform(loc=f.lo, scale=f.hi - f.lo).cdf)
        assert ks.pvalue < 1e-6, key
        assert posterior[key].mean() > (f.lo + f.hi) / 2, key


def test_runs_say_whether_the_replayed_history_still_reproduces_the_record(config):
    """With the calibrated settings every replayed history reproduces the record; with a
    setting changed (a much higher attack rate) the same draws make other histories, and
    the runs say which."""
    base = with_values(config, {"run.replicates": 60, "run.horizon_days": 30, "run.n_jobs": 1, "run.progress": False})
    from sim.run.ensemble import run_ensemble

    assert run_ensemble(base).runs["record_match"].all()
    changed = run_ensemble(with_values(base, {"spoilers.attack_rate": 4.0})).runs["record_match"]
    assert changed.notna().all() and 0 < changed.mean() < 1
    assert run_ensemble(with_values(base, {"parameters.table": None})).runs["record_match"].isna().all()
