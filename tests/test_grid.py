"""The in-process experiment API (sim/run/grid.py): a grid's points as values, Hydra's job
order, results keyed by value, resuming, the same results as a Hydra multirun of the same
points, and the checks that refuse a grid before anything runs."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.core.errors import ConfigError
from sim.core.io import read_parquet
from sim.run.grid import MAX_POINTS, Grid, override, point_configs, run_grid
from sim.run.points import point_values

TINY = {"run.replicates": 12, "run.chunk_size": 4, "run.horizon_days": 40, "run.figures": False}


@pytest.mark.parametrize(
    "key, value, text",
    [
        ("mvm", "joint", "mvm=joint"),
        ("mvm.penalty", 0.5, "mvm.penalty=0.5"),
        ("spoilers.cells", 3, "spoilers.cells=3"),
        ("mediation.mediators.turkey.until_day", None, "mediation.mediators.turkey.until_day=null"),
        ("run.figures", False, "run.figures=false"),
        ("scenario.rounds", [], "scenario.rounds=[]"),
        ("parameters.table", "/tmp/a b/t.csv", "parameters.table='/tmp/a b/t.csv'"),
    ],
)
def test_a_value_is_written_as_hydra_reads_it_back(key, value, text):
    assert override(key, value) == text
    assert point_values([text]) == {key: value}


def test_jobs_come_in_hydras_order_the_last_key_fastest():
    grid = Grid({"mvm": ("none", "joint"), "mvm.penalty": (0, 1)}, {"run.replicates": 5})
    jobs = grid.jobs()
    assert [point_values(j)["mvm"] for j in jobs] == ["none", "none", "joint", "joint"]
    assert [point_values(j)["mvm.penalty"] for j in jobs] == [0, 1, 0, 1]
    assert all("run.replicates=5" in j for j in jobs)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    out = tmp_path_factory.mktemp("grid") / "sweep"
    grid = Grid({"mvm": ("none", "joint"), "spoilers.attack_rate": (1, 3)}, TINY, baseline={"mvm": "none"})
    return grid, out, run_grid(grid, out, quiet=True)


@pytest.mark.slow
def test_points_are_read_back_by_value(tiny):
    _, out, sweep = tiny
    assert sweep.keys == ["mvm", "spoilers.attack_rate"]
    assert sweep.points["spoilers.attack_rate"].tolist() == [1, 3, 1, 3]
    assert sweep.points["mvm"].tolist() == ["none", "none", "joint", "joint"]
    runs = sweep.runs
    assert len(runs) == 4 * 12 and (runs.groupby("job").size() == 12).all()
    job3 = read_parquet(out / "3" / "runs.parquet")  # a point's runs are its job's own
    pd.testing.assert_frame_equal(
        runs.loc[runs["job"] == 3].drop(columns=["job", "mvm", "spoilers.attack_rate"]).reset_index(drop=True), job3
    )
    assert sweep.label(sweep.baseline_job).startswith("mvm=none")


@pytest.mark.slow
def test_running_again_skips_every_finished_point_and_reruns_a_missing_one(tiny, capsys):
    grid, out, sweep = tiny
    before = read_parquet(out / "runs.parquet")
    for f in (out / "2").iterdir():  # one point lost
        f.unlink()
    (out / "2").rmdir()
    run_grid(grid, out)
    lines = capsys.readouterr().out
    assert lines.count("already complete, skipped") == 3 and "[job 2] mvm=joint spoilers.attack_rate=1:" in lines
    pd.testing.assert_frame_equal(before, read_parquet(out / "runs.parquet"))


@pytest.mark.slow
def test_a_hydra_multirun_of_the_same_points_gives_the_same_results(tiny, tmp_path):
    """Scaling out runs the same points through the same function: Hydra's basic launcher
    (python -m sim -m) writes the same replicates into the same folders."""
    grid, out, _ = tiny
    small = Grid({"mvm": ("none", "joint")}, TINY, baseline={"mvm": "none"})
    here = run_grid(small, tmp_path / "here", quiet=True)
    there = run_grid(small, tmp_path / "there", launcher="basic")
    pd.testing.assert_frame_equal(here.runs, there.runs)
    assert list(there.points["mvm"]) == ["none", "joint"] and there.baseline_job == 0


def test_every_point_is_checked_before_any_runs(tmp_path):
    bad = Grid({"mvm.penalty": (0.5, 7.0)}, TINY)
    with pytest.raises(ConfigError, match=r"point mvm.penalty=7.0 .*mvm.penalty: got 7.0"):
        run_grid(bad, tmp_path / "bad")
    assert not (tmp_path / "bad").exists()
    with pytest.raises(ConfigError, match="unknown key 'mvm.nonsense'"):
        point_configs(Grid({"mvm.nonsense": (1, 2)}).jobs())
    with pytest.raises(ConfigError, match="matches no point"):
        run_grid(Grid({"mvm": ("none", "joint")}, TINY, baseline={"mvm": "third_party"}), tmp_path / "b")


def test_a_grid_too_big_for_one_run_is_refused_at_once(tmp_path):
    huge = Grid({"run.seed": range(MAX_POINTS + 1)}, TINY)
    with pytest.raises(ConfigError, match="more than 10,000"):
        run_grid(huge, tmp_path / "huge")
