"""Parameter tables (sim/run/parameters.py): design points, parameter draws, pinned keys,
replayed histories, and clear errors for bad tables."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import sim

from sim.core.errors import ConfigError
from sim.core.io import read_parquet
from sim.core.schema import set_values
from sim.model import CeasefireModel
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_ensemble, run_replicate
from sim.run.folder import config_digest
from sim.run.parameters import HISTORY, ReplicateConfigs, check_horizon
from sim.run.points import value_extremes
from sim.run.workers import available_cores, effective_jobs

KEYS = ["spoilers.attack_rate", "states.retaliation_threshold", "spoilers.cells"]


@pytest.fixture()
def table(tmp_path):
    path = tmp_path / "table.csv"
    pd.DataFrame({KEYS[0]: [0.05, 0.3, 0.2], KEYS[1]: [0.6, 0.25, 0.4], KEYS[2]: [3, 8, 5]}).to_csv(path, index=False)
    return path


@pytest.fixture()
def plain(small):
    """The small default without the calibrated table: every replicate the same values."""
    return with_values(small, {"parameters.table": None, "parameters.row": None})


def test_a_fixed_row_is_the_same_as_setting_its_values(plain, table):
    design = with_values(plain, {"parameters.table": str(table), "parameters.row": 1})
    direct = with_values(plain, {KEYS[0]: 0.3, KEYS[1]: 0.25, KEYS[2]: 8})
    a, b = run_ensemble(design).runs, run_ensemble(direct).runs
    assert (a["parameter_row"] == 1).all() and (b["parameter_row"] == -1).all()
    pd.testing.assert_frame_equal(a.drop(columns="parameter_row"), b.drop(columns="parameter_row"))


def test_without_a_row_replicate_i_takes_row_i_mod_n(plain, table):
    config = with_values(plain, {"parameters.table": str(table)})
    runs = run_ensemble(config).runs
    assert runs["parameter_row"].tolist() == [i % 3 for i in range(len(runs))]
    own, row, history = ReplicateConfigs(config)(4)
    assert row == 1 and history is None
    assert (own.spoilers.attack_rate, own.states.retaliation_threshold, own.spoilers.cells) == (0.3, 0.25, 8)
    assert isinstance(own.spoilers.cells, int)


def test_an_explicit_value_wins_over_the_table(plain, table):
    config = with_values(with_values(plain, {"parameters.table": str(table)}), {KEYS[0]: 0.01})
    assert KEYS[0] in config.parameters.pinned
    for replicate in range(3):
        own, _, _ = ReplicateConfigs(config)(replicate)
        assert own.spoilers.attack_rate == 0.01
    assert ReplicateConfigs(config)(1)[0].states.retaliation_threshold == 0.25  # the others still drawn


def test_a_row_with_a_history_replays_it_then_goes_its_own_way(plain, table):
    t = pd.read_csv(table).assign(record_seed=[11, 22, 33], record_day=12)
    path = table.with_name("history.csv")
    t.to_csv(path, index=False)
    config = with_values(plain, {"parameters.table": str(path), "parameters.row": 0})
    own, _, history = ReplicateConfigs(config)(0)
    assert history.seed == 11 and history.day == 12
    replay = CeasefireModel(own, rng=11)
    _, original = replay.run()
    diverged = 0
    for replicate, seed in enumerate([101, 202, 303, 404, 505]):
        _, series, _ = run_replicate(config, replicate, seed)
        for key in ("trust_afg_in_pak", "grievance_pak", "incidents", "open_crossings"):
            np.testing.assert_array_equal(series[key][:13], original[key][:13])
        diverged += not np.array_equal(series["trust_afg_in_pak"], original["trust_afg_in_pak"])
    assert diverged >= 4  # after day 12 each replicate draws from its own seed


def test_whole_numbers_written_as_decimals_fit_an_integer_column(plain, tmp_path):
    path = tmp_path / "spreadsheet.csv"
    path.write_text("spoilers.cells,spoilers.attack_rate\n3.0,0.1\n7.0,1.0\n")
    own, _, _ = ReplicateConfigs(with_values(plain, {"parameters.table": str(path)}))(1)
    assert own.spoilers.cells == 7 and isinstance(own.spoilers.cells, int) and own.spoilers.attack_rate == 1.0


def test_the_fingerprint_follows_the_tables_contents(plain, table):
    config = with_values(plain, {"parameters.table": str(table)})
    before = config_digest(config)
    pd.read_csv(table).assign(**{KEYS[0]: 0.07}).to_csv(table, index=False)
    assert config_digest(config) != before


@pytest.mark.parametrize(
    "content, row, message",
    [
        ("spoilers.attack_rate\n0.1\n", 5, "past the last row"),
        ("spoilers.nonsense\n0.1\n", None, "unknown key 'spoilers.nonsense'"),
        ("spoilers.attack_rate\n99\n", None, "spoilers.attack_rate: got 99"),
        ("spoilers.cells\n2.5\n", None, "spoilers.cells: got 2.5, expected an integer"),
        ("run.horizon_days\n30\n", None, "run settings, not model parameters"),
        ("parameters.row\n1\n", None, "run settings, not model parameters"),
        ("spoilers.attack_rate\nlots\n", None, "not numbers"),
        ("spoilers.attack_rate,states.fatigue\n0.1,\n", None, "empty cells"),
        ("spoilers.attack_rate,record_seed\n0.1,3\n", None, "needs both record_seed and record_day"),
        ("spoilers.attack_rate,record_seed,record_day\n0.1,-5,17\n", None, "record_seed must be whole numbers >= 0"),
        ("spoilers.attack_rate,record_seed,record_day\n0.1,5,-3\n", None, "record_day must be whole days >= 1"),
        ("", None, "cannot read"),
    ],
)
def test_a_bad_table_is_a_clear_error(plain, tmp_path, content, row, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        with_values(plain, {"parameters.table": str(path), "parameters.row": row})


@pytest.mark.slow
def test_bad_tables_on_the_command_line_exit_2(tmp_path):
    missing = sim("parameters.table=/nonexistent/t.csv", f"hydra.run.dir={tmp_path / 'a'}")
    assert missing.returncode == 2 and "parameters.table: '/nonexistent/t.csv' not found" in missing.stderr
    assert "Traceback" not in missing.stderr
    row = sim("parameters.table=null", "parameters.row=3", f"hydra.run.dir={tmp_path / 'b'}")
    assert row.returncode == 2 and "parameters.table is null" in row.stderr


def test_a_big_sweep_is_checked_at_each_keys_extremes():
    points = [[f"parameters.row={i}", f"mvm={m}"] for i in range(100) for m in ("none", "joint")]
    candidates = value_extremes(points)
    assert ["parameters.row=99", "mvm=none"] in candidates and ["parameters.row=0", "mvm=joint"] in candidates
    assert len(candidates) == 5  # the first point, rows 0 and 99, both designs


@pytest.mark.slow
def test_a_key_on_the_command_line_is_pinned(tmp_path):
    """The default draws the calibrated parameters; one given on the command line is kept
    in every replicate, and the run says so."""
    import yaml

    out = tmp_path / "run"
    proc = sim("run.replicates=20", "run.figures=false", "spoilers.attack_rate=0.2", f"hydra.run.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "calibrated but set explicitly, so not drawn: spoilers.attack_rate" in proc.stdout
    summary = json.loads((out / "summary.json").read_text())["parameters"]
    from sim.run import parameters as P

    drawn = len(P.keys_of(P.read_table("calibration/posterior.csv"))) - 1  # every column but the pinned one
    assert summary["pinned_calibrated"] == ["spoilers.attack_rate"] and summary["drawn"] == drawn > 100
    saved = yaml.safe_load((out / "config.yaml").read_text())
    assert saved["parameters"]["pinned"] == ["spoilers.attack_rate"]
    assert saved["parameters"]["table"] == "calibration/posterior.csv"
    runs = read_parquet(out / "runs.parquet")
    assert runs["parameter_row"].tolist() == list(range(20))


def test_a_rows_configuration_without_rechecks_equals_the_checked_one(config):
    """The fast path (copy the sections a row changes, set their fields) builds the same
    configuration as building and checking the whole tree again."""
    configs = ReplicateConfigs(config)
    for replicate in (0, 1, 17, 4321):
        own, row, _ = configs(replicate)
        values = {k: configs.table[k].iat[row].item() for k in configs.table.columns if k not in HISTORY}
        assert own == set_values(config, values, validate=True)
        assert own != config


def test_a_history_must_end_before_the_horizon(config, tmp_path):
    """The calibrated table's histories run to day 17: a horizon of 17 or less would make
    every replicate of a row the same whatever its seed; so would a table's own history
    to day 400 within a 120-day horizon."""
    long_histories = tmp_path / "long.csv"
    long_histories.write_text("spoilers.attack_rate,record_seed,record_day\n0.1,5,400\n")
    with pytest.raises(ConfigError, match="run.horizon_days=17 is not beyond the histories"):
        default_config(["run.horizon_days=17"])
    assert default_config(["run.horizon_days=18"]).run.horizon_days == 18
    with pytest.raises(ConfigError, match="run.horizon_days=120 is not beyond the histories"):
        check_horizon(with_values(config, {"run.horizon_days": 120, "parameters.table": str(long_histories)}))


def test_a_pinned_key_must_be_a_key(config):
    with pytest.raises(ConfigError, match="parameters.pinned: foo.bar is not a key"):
        with_values(config, {"parameters.pinned": ["foo.bar"]})


def test_an_explicit_n_jobs_is_capped_at_the_cores():
    cores = available_cores()
    assert effective_jobs(16 * cores, replicates=10_000, chunk_size=10) == cores
    assert effective_jobs(-1, replicates=10_000, chunk_size=10) == cores
    assert effective_jobs(16 * cores, replicates=10, chunk_size=10) == 1


def _value_at(config, key: str):
    node = config
    for part in key.split("."):
        node = node[part] if isinstance(node, dict) else getattr(node, part)
    return node


def test_every_calibrated_knob_resolves_by_the_documented_precedence(config):
    """For each knob the schema declares calibrated: with no table its value is the
    YAML's, the posterior median generated into conf/calibrated.yaml; with the table a
    replicate takes its row's value; an explicit value wins over the row."""
    from sim.run import parameters as P

    keys = P.calibrated_keys(config)
    table = P.read_table(config.parameters.table)
    assert sorted(keys) == sorted(P.keys_of(table))  # the table draws every calibrated knob, nothing else
    plain = with_values(config, {"parameters.table": None})
    medians = P.medians(table, config)
    drawn, _, _ = ReplicateConfigs(config)(5)
    for key in keys:
        assert _value_at(plain, key) == medians[key], key  # 3. the YAML
        assert _value_at(drawn, key) == pytest.approx(table[key].iat[5]), key  # 2. the row
    for key in keys[::7]:  # 1. an explicit value, for a spread of the knobs (each with_values re-validates)
        lo, hi = next(f for f in P.leaves(config) if f.key == key).meta["sa"]
        value = type(_value_at(config, key))(hi)
        pinned = with_values(config, {key: value})
        assert key in pinned.parameters.pinned and P.describe(pinned)["pinned_calibrated"] == [key]
        own, _, _ = ReplicateConfigs(pinned)(5)
        assert _value_at(own, key) == value, key


def test_the_yaml_of_the_calibrated_knobs_is_generated_from_the_installed_table(config):
    """conf/calibrated.yaml cannot drift from the posterior it summarises."""
    from sim.core.schema import CONF_DIR
    from sim.run import parameters as P

    table = P.read_table(config.parameters.table)
    expected = P.medians_yaml(table, config, "conf/calibration/posterior.csv")
    assert (CONF_DIR / "calibrated.yaml").read_text() == expected
