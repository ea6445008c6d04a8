"""The event log and the three coded definitions of a broken truce: the coding rules by
hand on small logs, the log against the outcome columns, and life after a violation and
after a breakdown."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import assumed

from sim.core import events as ev
from sim.core.events import Event
from sim.model import CeasefireModel
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_ensemble

BASE = assumed(default_config(["run.horizon_days=120"]))


def fire(day: int, fatalities: int = 1, kind: str = ev.ARMED_CLASH, a: str = ev.PAKISTAN, b: str = ev.AFGHANISTAN):
    return Event(day, kind, a, b, fatalities=fatalities)


def attack(day: int, fatalities: int = 5) -> Event:
    return Event(day, ev.MILITANT_ATTACK, ev.MILITANTS, ev.PAKISTAN, fatalities=fatalities, pak_blames=ev.AFGHANISTAN)


# --------------------------------------------------------------------------- coding rules by hand


def test_violation_is_the_first_lethal_fire_between_the_states_forces():
    log = [attack(2, 30), fire(3, 0), fire(5, 2, ev.SHELLING, ev.AFGHANISTAN, ev.PAKISTAN), fire(9, 4)]
    assert ev.violation_day(log) == 5  # the militant attack and the bloodless clash do not count
    assert ev.violation_day(log, fatalities=3) == 9
    assert math.isnan(ev.violation_day([attack(2, 30), fire(3, 0)]))  # censored: not within the log
    assert math.isnan(ev.violation_day([]))


def test_breakdown_by_deaths_within_the_window_or_fire_on_three_of_seven_days():
    # 25 deaths: 10 on day 1 and 15 on day 30 are within 30 days (days 1-30); day 31 is not
    assert ev.breakdown_day([fire(1, 10), fire(30, 15)]) == 30
    assert math.isnan(ev.breakdown_day([fire(1, 10), fire(31, 15)]))
    # two events on one day are one fire day; three fire days within 7 (days 4-10) break it down
    assert math.isnan(ev.breakdown_day([fire(4), fire(4, 2, ev.AIR_DRONE_STRIKE), fire(9)]))
    assert ev.breakdown_day([fire(4), fire(9), fire(10)]) == 10
    assert math.isnan(ev.breakdown_day([fire(4), fire(9), fire(11)]))  # days 4 and 11 are 8 days apart
    # militant attacks never count, however deadly
    assert math.isnan(ev.breakdown_day([attack(d, 50) for d in range(1, 10)]))
    # thresholds from the config
    assert ev.breakdown_day([fire(1, 10), fire(40, 15)], deaths=25, deaths_window=60) == 40
    assert ev.breakdown_day([fire(1), fire(3)], fire_days=2, fire_window=3) == 3


def test_renunciation_is_a_government_statement():
    log = [fire(2, 9), Event(6, ev.RENUNCIATION, ev.AFGHANISTAN), Event(8, ev.RENUNCIATION, ev.PAKISTAN)]
    assert ev.renunciation_day(log) == 6
    assert math.isnan(ev.renunciation_day([Event(3, ev.RENUNCIATION, ev.MILITANTS), fire(2, 40)]))


def test_definitions_follow_the_config():
    log = [fire(1, 1), fire(2, 1), fire(3, 1)]
    cfg = with_values(BASE, {"definitions.breakdown_fire_days": 4, "definitions.breakdown_fire_window": 7})
    assert ev.definition_days(log, BASE.definitions)["breakdown"] == 3
    assert math.isnan(ev.definition_days(log, cfg.definitions)["breakdown"])


# --------------------------------------------------------------------------- the log against the outcomes


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A small run of the default model (with its posterior table) and its event log."""
    out = tmp_path_factory.mktemp("logged")
    config = default_config(["run.replicates=40", "run.horizon_days=200", "run.n_jobs=1"])
    result = run_ensemble(config, runs_path=out / "runs.parquet", events_path=out / "events.parquet")
    return config, result.runs, out


def test_every_day_and_count_of_runs_parquet_is_recomputed_from_the_log(logged):
    config, runs, out = logged
    log = ev.read_events(out)
    assert list(log.columns) == list(ev.COLUMNS) and set(log["event_type"]) <= set(ev.EVENT_TYPES)
    violent = log[log["event_type"].isin([*ev.STATE_FIRE, ev.MILITANT_ATTACK])]
    by = lambda frame: frame.groupby("replicate").size().reindex(runs["replicate"], fill_value=0).to_numpy()  # noqa: E731
    assert (by(violent) == runs["incidents"]).all()
    strikes = log[log["event_type"].isin([ev.SHELLING, ev.AIR_DRONE_STRIKE])]
    assert (by(strikes) == runs["retaliations"]).all()
    assert (by(log[log["event_type"] == ev.MILITANT_ATTACK]) == runs["militant_attacks"]).all()
    deaths = violent.groupby("replicate")["fatalities"].sum().reindex(runs["replicate"], fill_value=0).to_numpy()
    assert (deaths == runs["casualties"]).all()
    talks = log[log["event_type"] == ev.TALKS_ROUND].assign(outcome=lambda f: f["detail"].str.split(":").str[0])
    assert set(talks["outcome"]) <= set(ev.ROUND_OUTCOMES)
    assert (by(talks[talks["outcome"].isin(ev.AGREEMENTS)]) == runs["rounds_agreed"]).all()
    for outcome in ("salvaged", "stalled", "failed"):
        assert (by(talks[talks["outcome"] == outcome]) == runs[f"rounds_{outcome}"]).all()
    first = lambda frame: frame.groupby("replicate")["day"].min().reindex(runs["replicate"]).to_numpy()  # noqa: E731
    for stage in ("principle", "modalities"):
        np.testing.assert_array_equal(first(talks[talks["outcome"] == stage]), runs[f"{stage}_day"])
    done = log[log["event_type"] == ev.PROVISION_IMPLEMENTED]
    for provision in ("ttp_steps", "trade_terms"):
        np.testing.assert_array_equal(first(done[done["detail"] == provision]), runs[f"{provision}_day"])
    set_up = log[(log["event_type"] == ev.MECHANISM_OPERATING) & (log["detail"] == "set up")]
    np.testing.assert_array_equal(first(set_up), runs["mvm_operational_day"])
    assert (by(log[log["event_type"] == ev.PROVISION_RENEGED]) == runs["provisions_reneged"]).all()
    assert (by(log[log["event_type"] == ev.MECHANISM_SUSPENDED]) == runs["mvm_suspensions"]).all()
    assert (by(log[log["event_type"] == ev.TRUCE_RENEWED]) == runs["renewals"]).all()
    for _, row in runs.iterrows():
        rows = ev.rows_of(log[log["replicate"] == row["replicate"]])
        days = ev.definition_days(rows, config.definitions)
        for name in ev.DEFINITIONS:
            assert np.isclose(days[name], row[f"{name}_day"], equal_nan=True), (row["replicate"], name)
        assert ev.state_fire_days(rows) == row["state_fire_days"]
        reopened = [e.day for e in rows if e.event_type == ev.CROSSING_REOPENED and e.detail is None]
        assert np.isclose(min(reopened, default=np.nan), row["first_reopen_day"], equal_nan=True)
        assert row["truce_days"] == (config.run.horizon_days if np.isnan(days["breakdown"]) else days["breakdown"])
    # one replicate read alone is the same as its rows of the whole log
    one = ev.read_events(out, replicate=3)
    assert one.reset_index(drop=True).equals(log[log["replicate"] == 3].reset_index(drop=True))
    # the dates are day 0 = 19 October 2025 plus the day
    assert ((pd.to_datetime(log["date"]) - pd.Timestamp("2025-10-19")).dt.days == log["day"]).all()


def test_the_log_is_ordered_and_each_government_blames_someone_for_fire(logged):
    """Each government has said whom it blames for every exchange of fire, except for one
    whose victim still waits for the mechanism's finding at the horizon."""
    config, _, out = logged
    log = ev.read_events(out)
    for _, rows in log.groupby("replicate"):
        assert rows["day"].is_monotonic_increasing
    fire_rows = log[log["event_type"].isin(ev.STATE_FIRE)]
    settled = fire_rows[fire_rows["day"] < config.run.horizon_days - config.mvm.reporting_delay_days]
    assert len(settled) > 0.9 * len(fire_rows)
    assert settled["afg_blames"].notna().all() and settled["pak_blames"].notna().all()
    attacks = log[log["event_type"] == ev.MILITANT_ATTACK]
    assert set(attacks["pak_blames"].dropna()) <= {ev.AFGHANISTAN, ev.MILITANTS}


def test_a_run_without_the_log_writes_none_and_says_so(tmp_path):
    config = with_values(BASE, {"run.replicates": 4, "run.events": False})
    result = run_ensemble(config, runs_path=tmp_path / "runs.parquet", events_path=tmp_path / "events.parquet")
    assert not (tmp_path / "events.parquet").exists() and result.runs["violation_day"].notna().any()
    with pytest.raises(Exception, match="run.events=false"):
        ev.read_events(tmp_path)


# --------------------------------------------------------------------------- life after a violation and a breakdown


def test_a_truce_violated_but_holding():
    """Lethal clashes, but the governments never read them as sustained nor renounce."""
    cfg = with_values(
        BASE,
        {
            "states.accident_rate": 0.05,
            "states.retaliation_threshold": 1.0,
            "states.generosity": 1.0,
            "collapse.hostility_threshold": 100.0,
            "collapse.void_prob": 0.0,
            "spoilers.attack_rate": 0.0,
        },
    )
    model = CeasefireModel(cfg, rng=4)
    row, series = model.run()
    assert not np.isnan(row["violation_day"]) and np.isnan(row["first_breakdown_day"])
    assert row["truce_state"] == "violated" and series["truce_holds"].all()
    assert np.isnan(row["renunciation_day"]) and row["renewals"] == 0


def test_a_breakdown_followed_by_a_renewed_truce_and_trade_following_the_crossings():
    """Fighting breaks the truce down; the mediators broker a new one; Pakistan reopens the
    crossings once it holds and trade comes back; while it is broken down nothing crosses."""
    cfg = with_values(
        BASE,
        {
            "run.horizon_days": 240,
            "states.accident_rate": 0.03,
            "collapse.renewal_leverage": 0.5,
            "crossings.reopen_calm_days": 5,
            "crossings.reopen_prob": 0.5,
        },
    )
    seen = False
    for seed in range(40):
        model = CeasefireModel(cfg, rng=seed)
        row, series = model.run()
        if row["renewals"] == 0:
            continue
        log = model.log.events()
        broke, renewed = row["first_breakdown_day"], min(e.day for e in log if e.event_type == ev.TRUCE_RENEWED)
        assert broke < renewed
        assert series["truce_holds"][int(broke)] == 0
        assert (series["open_crossings"][int(broke) + 1 : renewed] == 0).all()
        assert (series["trade_index"][int(broke) + 1 : renewed] == 0).all()
        if series["truce_holds"][renewed] == 1 and series["trade_index"][renewed:].max() > 0.5:  # it held; trade back
            reopened = [e.day for e in log if e.event_type == ev.CROSSING_REOPENED and e.day >= renewed]
            assert reopened and series["open_crossings"][reopened[0]] > 0
            seen = True
            break
    assert seen, "no replicate renewed its truce and reopened the crossings"
