"""The named what-ifs (conf/whatif/): each changes things only from the day after the
record (6 Nov 2025, day 18), so that days 0-17 replay the record exactly as the forecast
does, and each changes what follows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sim.core.events import CROSSING_REOPENED
from sim.core.schema import CONF_DIR, group_options, leaves
from sim.model import replicate_seeds
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_replicate
from sim.run.parameters import ReplicateConfigs

WHATIFS = [w for w in group_options("whatif") if w != "none"]
#: The last day of the record (5 Nov 2025).
RECORD_DAY = 17
REPLICATES = 50
SETTINGS = {"run.horizon_days": 365, "run.n_jobs": 1}


def replicates(overrides: list[str]) -> list[tuple]:
    """The first REPLICATES replicates of the default forecast with ``overrides`` (the
    same seeds and posterior rows whatever the overrides: common random numbers)."""
    config = with_values(default_config(overrides), SETTINGS)
    configs = ReplicateConfigs(config)
    seeds = replicate_seeds(config.run.seed, REPLICATES)
    return [run_replicate(config, i, seed, configs) for i, seed in enumerate(seeds)]


@pytest.fixture(scope="module")
def baseline() -> list[tuple]:
    return replicates([])


def early(log: list, whatif: str) -> list:
    """The events of the record's days; for goods_lane without the people-only lane of
    1 Nov (the model opens one lane: the goods lane replaces it, and it carries no trucks)."""
    days = [e for e in log if e.day <= RECORD_DAY]
    if whatif == "goods_lane":
        days = [e for e in days if not (e.event_type == CROSSING_REOPENED and e.detail == "people only")]
    return days


def test_every_whatif_is_global_and_says_from_when():
    for name in WHATIFS:
        text = (CONF_DIR / "whatif" / f"{name}.yaml").read_text()
        assert text.startswith("# @package _global_"), name
        assert "from the forecast date" in text.lower().replace("\n# ", " "), name  # or "about the past"


def test_whatif_null_is_the_default_and_none_changes_nothing(config):
    assert default_config(["whatif=none"]) == config


@pytest.mark.parametrize("whatif", WHATIFS)
def test_a_whatif_sets_no_calibrated_knob(config, whatif):
    """A YAML value of a calibrated knob would lose to the parameter table's row: a
    what-if must change levers and designs only."""
    changed = default_config([f"whatif={whatif}"])
    before = {leaf.key: leaf for leaf in leaves(config)}
    moved = [leaf for leaf in leaves(changed) if before.get(leaf.key) is None or before[leaf.key].value != leaf.value]
    assert moved, f"{whatif} changes nothing"
    assert not [leaf.key for leaf in moved if leaf.meta.get("calibrated")]


@pytest.mark.slow
@pytest.mark.parametrize("whatif", WHATIFS)
def test_a_whatif_keeps_the_record_and_changes_what_follows(baseline, whatif):
    runs = replicates([f"whatif={whatif}"])
    later = 0
    for (row, series, log), (b_row, b_series, b_log) in zip(runs, baseline, strict=True):
        for name, values in series.items():
            assert np.array_equal(values[: RECORD_DAY + 1], b_series[name][: RECORD_DAY + 1]), (whatif, name)
        assert early(log, whatif) == early(b_log, whatif)
        assert row["record_match"] == b_row["record_match"]
        later += any(not np.array_equal(v, b_series[k]) for k, v in series.items()) or log != b_log
    assert later >= 1, f"{whatif} changed no replicate after the record"


@pytest.mark.slow
def test_the_day_0_lineup_rewrites_the_record(baseline):
    """mediation=qatar_only removes Türkiye from day 0 on: it changes the record's days
    (the test above can fail)."""
    runs = replicates(["mediation=qatar_only"])
    differ = sum(
        any(not np.array_equal(v[: RECORD_DAY + 1], b[1][k][: RECORD_DAY + 1]) for k, v in r[1].items())
        or early(r[2], "") != early(b[2], "")
        for r, b in zip(runs, baseline, strict=True)
    )
    assert differ > 0


def test_turkey_withdraws_is_qatar_alone_from_6_november():
    a, b = default_config(["whatif=turkey_withdraws"]), default_config(["whatif=qatar_alone_from_6nov"])
    assert dataclasses.asdict(a) == dataclasses.asdict(b)
    assert a.mediation.mediators["turkey"].until_day == RECORD_DAY
