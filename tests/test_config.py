"""The schema: defaults valid, every config option valid, bad values caught with a clear message."""

from __future__ import annotations

import pytest

from sim.core.errors import ConfigError
from sim.core.schema import CONFIG_GROUPS, group_options
from sim.run.config import check_overrides, default_config, with_values


@pytest.mark.parametrize("group", CONFIG_GROUPS)
def test_every_option_of_every_group_validates(group):
    options = group_options(group)
    assert options, f"conf/{group} has no options"
    for option in options:
        config = default_config([f"{group}={option}"])
        assert config is not None


@pytest.mark.parametrize(
    ("values", "key", "allowed"),
    [
        ({"mvm.detection_prob": 1.7}, "mvm.detection_prob", "[0, 1]"),
        ({"run.replicates": 0}, "run.replicates", "an integer in [1"),
        ({"run.replicates": 2.5}, "run.replicates", "an integer"),
        ({"run.replicates": "many"}, "run.replicates", "an integer"),
        ({"run.n_jobs": 0}, "run.n_jobs", "except 0"),
        ({"run.progress": "yes"}, "run.progress", "true or false"),
        ({"crossings.reopen_rule": "never"}, "crossings.reopen_rule", "'lever', 'calm', 'agreement'"),
        ({"states.accident_rate": float("nan")}, "states.accident_rate", "[0, 0.5]"),
        ({"scenario.start_date": "19/10/2025"}, "scenario.start_date", "YYYY-MM-DD"),
    ],
)
def test_bad_values_name_the_key_and_what_is_allowed(config, values, key, allowed):
    with pytest.raises(ConfigError) as err:
        with_values(config, values)
    assert key in str(err.value)
    assert allowed in str(err.value)


def test_cross_field_checks(config):
    with pytest.raises(ConfigError, match="design 'none' needs mvm.start=never"):
        with_values(config, {"mvm.design": "none", "mvm.start": "imposed"})
    with pytest.raises(ConfigError, match="end_day"):
        with_values(config, {"scenario.rounds": [{"name": "r", "start_day": 9, "end_day": 3}]})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["foo=1"], "unknown key 'foo'. Allowed keys under the top level: run, scenario"),
        (["+mvm.foo=1"], "unknown key 'mvm.foo'. Allowed keys under 'mvm': design, start"),
        (["mvm.detection_prob.x=1"], "unknown key 'mvm.detection_prob.x'"),
        (
            ["mvm=nonsense"],
            "unknown option 'nonsense' for config group 'mvm'. Available: joint, joint_no_penalty, "
            "joint_poor_attribution, joint_slow_reporting, none, third_party",
        ),
        (["-m", "mediation=turkey_qatar,nobody"], "unknown option 'nobody' for config group 'mediation'"),
        (["mvm.penalty=0,0.5"], "several values make a sweep; add -m"),
        (["mediation.mediators={}"], "so {} would change nothing. To remove one entry: ~mediation.mediators.NAME"),
        (["scenario.crossings={}"], "~scenario.crossings.NAME (e.g. ~scenario.crossings."),
    ],
)
def test_unknown_keys_and_options_are_caught_before_hydra(args, message):
    with pytest.raises(ConfigError) as err:
        check_overrides(args)
    assert message in str(err.value)


def test_good_overrides_pass(config):
    check_overrides(
        [
            "mvm=third_party",
            "mvm.detection_prob=0.9",
            "mediation.mediators.qatar.leverage=0.3",
            "scenario.crossings.torkham.backlog=100",
            "hydra.run.dir=x",
            "-m",
            "mvm.penalty=0,0.5",
        ]
    )
