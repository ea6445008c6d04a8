"""Sweeps (`python -m sim -m ...`): aggregation, comparison, common random numbers,
resuming, failed jobs, the launchers, and the messages a mistake gets."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from helpers import sim

from sim.analysis.comparison import compare_arms
from sim.core.io import read_parquet
from sim.run.config import default_config, with_values
from sim.run.ensemble import run_ensemble
from sim.run.folder import job_status
from sim.run.sweep_folder import load_sweep
from sim.run.workers import available_cores, launcher_workers

pytestmark = pytest.mark.slow  # make test-fast leaves these out (subprocesses, studies, ensembles)

SMALL = ("run.replicates=40", "run.chunk_size=10", "run.horizon_days=200")


def is_png(path: Path) -> bool:
    return path.exists() and mpimg.imread(path).shape[0] > 100


@pytest.fixture(scope="module")
def design_sweep(tmp_path_factory) -> tuple[Path, str]:
    """Three designs, run by the default (joblib) launcher."""
    out = tmp_path_factory.mktemp("sweep") / "designs"
    proc = sim("-m", "mvm=none,joint,third_party", *SMALL, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_sweep_writes_one_table_and_the_figures(design_sweep):
    out, stdout = design_sweep
    points = read_parquet(out / "sweep.parquet")
    assert points["mvm"].tolist() == ["none", "joint", "third_party"]
    for col in (
        "p_hold_90",
        "p_hold_90_lower",
        "rmst_days",
        "trade90_share_recovered",
        "loss_usd_mean",
        "incidents_mean",
    ):
        assert col in points and points[col].notna().all(), col
    assert "median_days" in points  # NaN where not reached within the horizon
    runs = read_parquet(out / "runs.parquet")
    assert len(runs) == 3 * 40 and runs.groupby("mvm").size().to_dict() == {"joint": 40, "none": 40, "third_party": 40}
    # each point's runs are exactly its job's runs.parquet, keyed by its override
    job1 = read_parquet(out / "1" / "runs.parquet")
    pd.testing.assert_frame_equal(
        runs.loc[runs["mvm"] == "joint"].drop(columns=["job", "mvm"]).reset_index(drop=True), job1
    )
    for fig in ("survival.png", "trade.png"):
        assert is_png(out / fig), fig
    assert not (out / "heatmap.png").exists()  # one categorical key: no grid
    assert "3 of 3 points complete" in stdout and "[job 2] mvm=third_party" in stdout


def test_comparison_against_the_first_point(design_sweep):
    out, _ = design_sweep
    comp = pd.read_csv(out / "comparison.csv")
    assert comp["baseline"].tolist() == [True, False, False]
    base = comp.iloc[0]
    assert base[["diff_truce_days", "logrank_p", "diff_truce_days_p"]].isna().all()  # nothing to compare
    assert base["replicates"] == 40
    runs = read_parquet(out / "runs.parquet")
    none = runs[runs.mvm == "none"].set_index("seed").truce_days
    joint = runs[runs.mvm == "joint"].set_index("seed").truce_days
    row = comp.iloc[1]
    assert row["paired"] and row["diff_truce_days"] == pytest.approx((joint - none.loc[joint.index]).mean())
    assert row["diff_truce_days_lower"] < row["diff_truce_days"] < row["diff_truce_days_upper"]
    assert 0 < row["logrank_p"] <= 1 and 0 < row["diff_truce_days_p"] <= 1
    # the paired p-value agrees with the interval: below 0.05 exactly when 0 is outside it
    outside = row["diff_truce_days_lower"] > 0 or row["diff_truce_days_upper"] < 0
    assert (row["diff_truce_days_p"] < 0.05) == outside


def hand_values(runs: pd.DataFrame, name: str, horizon: int) -> pd.Series:
    """A comparison measure's value in each replicate (by seed), computed here from the columns."""
    by_seed = runs.set_index("seed")
    if name == "loss_usd":
        return by_seed["trade_loss_usd"]
    if name.startswith("trade_day"):
        return by_seed[f"trade_share_day{name.removeprefix('trade_day')}"]
    column = {
        "truce_days": "truce_days",
        "trade90_days": "trade_days_to_90",
        "trade90_sustained_days": "trade_days_to_90_sustained",
    }.get(name, name.replace("_days", "_day"))
    return by_seed[column].fillna(horizon).clip(upper=horizon)


def test_every_paired_difference_matches_a_hand_computation(design_sweep):
    """comparison.csv's paired differences and intervals (truce by each definition, trade
    on days 90 and 180, days to recovery, US$ lost), recomputed by hand from runs.parquet."""
    out, stdout = design_sweep
    comp = pd.read_csv(out / "comparison.csv").set_index("label")
    runs = read_parquet(out / "runs.parquet")
    names = [c.removeprefix("diff_") for c in comp.columns if c.startswith("diff_") and c.count("_") >= 1]
    names = [n for n in names if not n.endswith(("_lower", "_upper", "_p"))]
    assert {"violation_days", "breakdown_days", "renunciation_days", "trade_day90", "trade_day180"} <= set(names)
    assert {"trade90_sustained_days", "loss_usd"} <= set(names)
    for point in ("joint", "third_party"):
        row = comp.loc[f"mvm={point}"]
        for name in names:
            base = hand_values(runs[runs.mvm == "none"], name, 200)
            diff = hand_values(runs[runs.mvm == point], name, 200) - base.loc[runs[runs.mvm == point]["seed"]].values
            half = 2.0226909117347285 * diff.std(ddof=1) / np.sqrt(len(diff))  # t(0.975, 39)
            assert row[f"diff_{name}"] == pytest.approx(diff.mean(), abs=1e-9), name
            if diff.std() > 0:
                assert row[f"diff_{name}_lower"] == pytest.approx(diff.mean() - half, rel=1e-6, abs=1e-9), name
                assert row[f"diff_{name}_upper"] == pytest.approx(diff.mean() + half, rel=1e-6, abs=1e-9), name
    assert "Paired differences from the baseline" in stdout and "share on 17 Jan 2026 (day 90)" in stdout
    assert is_png(out / "comparison.png")


def test_common_random_numbers(design_sweep):
    """Replicate i has the same seed at every point of the sweep."""
    out, _ = design_sweep
    runs = read_parquet(out / "runs.parquet")
    seeds = runs.pivot(index="replicate", columns="mvm", values="seed")
    assert (seeds.nunique(axis=1) == 1).all()


def test_no_oversubscription(design_sweep):
    """The launcher's concurrent jobs times each job's workers fit the cores."""
    out, _ = design_sweep
    cores = available_cores()
    concurrent = launcher_workers(-1, 3, cores)
    for job in ("0", "1", "2"):
        workers = json.loads((out / job / "manifest.json").read_text())["workers"]
        assert workers * concurrent <= max(cores, concurrent)


def test_launcher_share_of_cores():
    assert launcher_workers(-1, 3, 2) == 2
    assert launcher_workers(-1, 1, 8) == 1  # one point: one job, which may use all 8
    assert launcher_workers(-2, None, 8) == 7
    assert launcher_workers(3, 10, 8) == 3


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory) -> Path:
    """A 2 x 2 numeric grid, one of whose knobs the default scenario never reads (the start
    day of an imposed mechanism, when it must be agreed)."""
    out = tmp_path_factory.mktemp("sweep") / "grid"
    proc = sim("-m", "mvm.penalty=0,1", "mvm.start_day=0,10", *SMALL, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    return out


def test_paired_difference_of_a_parameter_without_effect_is_exactly_zero(grid_sweep):
    """Common random numbers: two points that differ only in a knob without effect give
    identical replicates, so the paired difference is exactly 0, not noise."""
    comp = pd.read_csv(grid_sweep / "comparison.csv").set_index("label")
    same = comp.loc["mvm.penalty=0, mvm.start_day=10"]
    assert same["diff_truce_days"] == 0 and same["diff_truce_days_lower"] == 0 == same["diff_truce_days_upper"]
    assert same["logrank_p"] == pytest.approx(1.0)
    assert comp.loc["mvm.penalty=1, mvm.start_day=0", "diff_truce_days"] != 0


def test_grid_sweep_draws_heatmaps(grid_sweep):
    points = read_parquet(grid_sweep / "sweep.parquet")
    assert len(points) == 4 and points["mvm.penalty"].dtype.kind in "if"
    assert is_png(grid_sweep / "heatmap.png")


def test_pairing_narrows_the_interval(small):
    """The paired interval of a real difference is much narrower than the unpaired one."""
    config = with_values(small, {"run.replicates": 300})
    base = run_ensemble(config).runs
    other = run_ensemble(with_values(config, {"mvm.detection_prob": 0.9})).runs
    paired = compare_arms(base, other, config.run.horizon_days)
    unpaired = compare_arms(base, other.assign(seed=other["seed"] + 1), config.run.horizon_days)
    assert paired["paired"] and not unpaired["paired"]
    assert paired["diff_truce_days"] == pytest.approx(unpaired["diff_truce_days"])
    width = paired["diff_truce_days_upper"] - paired["diff_truce_days_lower"]
    width_unpaired = unpaired["diff_truce_days_upper"] - unpaired["diff_truce_days_lower"]
    assert width < 0.6 * width_unpaired


def test_resume_skips_finished_jobs_and_reruns_the_rest(tmp_path, design_sweep):
    src, _ = design_sweep
    out = tmp_path / "resume"
    shutil.copytree(src, out)
    (out / "1" / "manifest.json").unlink()  # job 1 was killed before it finished
    shutil.rmtree(out / "2")  # job 2 never started
    before = {j: (out / j / "runs.parquet").stat().st_mtime_ns for j in ("0", "1")}
    proc = sim("-m", "mvm=none,joint,third_party", *SMALL, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert "[job 0] mvm=none" in proc.stdout and "already complete, skipped" in proc.stdout
    assert (out / "0" / "runs.parquet").stat().st_mtime_ns == before["0"]
    assert (out / "1" / "runs.parquet").stat().st_mtime_ns != before["1"]
    assert (out / "2" / "manifest.json").exists()
    pd.testing.assert_frame_equal(read_parquet(out / "runs.parquet"), read_parquet(src / "runs.parquet"))


def test_a_changed_configuration_is_not_taken_for_finished(design_sweep):
    out, _ = design_sweep
    config = default_config(["mvm=none", *SMALL])
    assert job_status(out / "0", config)[0] == "complete"
    assert job_status(out / "0", with_values(config, {"run.n_jobs": 1}))[0] == "complete"  # no effect on results
    assert job_status(out / "0", with_values(config, {"run.replicates": 30})) == (
        "incomplete",
        "finished with another configuration",
    )
    assert job_status(out / "1", config)[0] == "incomplete"  # mvm=joint


def test_aggregating_a_sweep_with_unfinished_jobs(tmp_path, design_sweep):
    src, _ = design_sweep
    out = tmp_path / "partial"
    shutil.copytree(src, out)
    (out / "1" / "manifest.json").unlink()
    (out / "1" / "failed.txt").write_text("RuntimeError: boom\n")
    shutil.rmtree(out / "2")
    for name in ("sweep.parquet", "comparison.csv"):
        (out / name).unlink()
    proc = sim(str(out), module="sim.sweep")
    assert proc.returncode == 1, proc.stderr
    assert "1 of 3 points complete" in proc.stdout
    assert "job 1 (mvm=joint" in proc.stdout and "RuntimeError: boom" in proc.stdout
    assert "job 2 (mvm=third_party" in proc.stdout and "never started" in proc.stdout
    assert read_parquet(out / "sweep.parquet")["mvm"].tolist() == ["none"]
    failed = pd.read_csv(out / "failed_jobs.csv")
    assert failed["status"].tolist() == ["failed", "missing"]


def test_a_failed_job_does_not_stop_the_others(tmp_path):
    """A job that fails (here: its folder holds files no run wrote, so it is refused) is
    reported; the others finish and are aggregated; the exit code is non-zero."""
    out = tmp_path / "failing"
    (out / "1" / "runs.parquet").mkdir(parents=True)
    proc = sim("-m", "mvm=none,joint,third_party", "run.replicates=10", "run.horizon_days=60", f"hydra.sweep.dir={out}")
    assert proc.returncode == 1
    assert "2 of 3 points complete" in proc.stdout and "job 1 (mvm=joint" in proc.stdout
    assert (
        "UsageError" in (out / "1" / "failed.txt").read_text()
        and "runs.parquet" in (out / "1" / "failed.txt").read_text()
    )
    assert read_parquet(out / "sweep.parquet")["mvm"].tolist() == ["none", "third_party"]
    assert pd.read_csv(out / "failed_jobs.csv")["status"].tolist() == ["failed"]


def test_a_corrupt_job_output_is_reported_not_fatal(tmp_path, design_sweep):
    src, _ = design_sweep
    out = tmp_path / "corrupt"
    shutil.copytree(src, out)
    path = out / "2" / "runs.parquet"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"\0" * (len(data) - len(data) // 2))  # same size, broken
    proc = sim(str(out), "--baseline", "mvm=joint", module="sim.sweep")
    assert proc.returncode == 1
    assert "job 2" in proc.stdout and "does not match its checksum" in proc.stdout
    comp = pd.read_csv(out / "comparison.csv")
    assert comp.loc[comp["baseline"], "label"].tolist() == ["mvm=joint"] and len(comp) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-m", "mvm.penalty=0.5,1.5"), "mvm.penalty=1.5"),
        (("-m", "mvm=none,nonsense"), "unknown option 'nonsense' for config group 'mvm'"),
        (("-m", "experiment=mediation"), "unknown key 'experiment'"),
        (("-m", "run.horizon_days=60,120"), "must share one horizon"),
        (("-m", "hydra/launcher=nope", "mvm=none,joint"), "unknown launcher 'nope'"),
        (("-m", "mvm=none,joint", "hydra.callbacks.sweep.baseline=mvm=none"), "needs quotes"),
        (("-m", "mvm=none,joint", 'hydra.callbacks.sweep.baseline="mvm=nah"'), "matches no point of the sweep"),
    ],
)
def test_a_bad_sweep_is_refused_before_any_job_runs(tmp_path, args, message):
    out = tmp_path / "bad"
    proc = sim(*args, "run.replicates=10", f"hydra.sweep.dir={out}")
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not list(out.glob("*/manifest.json"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("/no/such/folder",), "does not exist"),
        ((".",), "is not a sweep folder"),
    ],
)
def test_aggregation_errors(args, message, tmp_path):
    proc = sim(*args, module="sim.sweep", cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_slurm_without_slurm_is_refused(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    if shutil.which("sbatch"):
        pytest.skip("this machine has SLURM")
    proc = sim("-m", "hydra/launcher=slurm", "mvm=none,joint", f"hydra.sweep.dir={tmp_path / 's'}")
    assert proc.returncode == 2 and "no SLURM" in proc.stderr and "submitit_local" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_only_the_sweeps_own_jobs_are_aggregated(tmp_path, design_sweep):
    """A second, smaller sweep into the folder of the first: the first one's extra job is
    left there but is not part of the new sweep."""
    src, _ = design_sweep
    out = tmp_path / "reused"
    shutil.copytree(src, out)
    proc = sim("-m", "mvm=none,joint", *SMALL, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    assert read_parquet(out / "sweep.parquet")["mvm"].tolist() == ["none", "joint"]
    assert "2 of 2 points complete" in proc.stdout and "ignored: 1 folders left by an earlier sweep" in proc.stdout


def test_a_job_folder_is_not_a_sweep(design_sweep):
    src, _ = design_sweep
    before = (src / "0" / "runs.parquet").stat().st_mtime_ns
    proc = sim(str(src / "0"), module="sim.sweep")
    assert proc.returncode == 2 and "is not a sweep folder" in proc.stderr
    assert (src / "0" / "runs.parquet").stat().st_mtime_ns == before


def test_unknown_baseline(design_sweep, tmp_path):
    src, _ = design_sweep
    out = tmp_path / "b"
    shutil.copytree(src, out)
    proc = sim(str(out), "--baseline", "mvm=nonsense", module="sim.sweep")
    assert proc.returncode == 2 and "matches no complete point" in proc.stderr and "mvm=third_party" in proc.stderr


def test_submitit_local_launcher_gives_the_same_results(tmp_path, design_sweep):
    """The SLURM launcher's local executor: same jobs, same seeds, same results."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    src, _ = design_sweep
    out = tmp_path / "submitit"
    proc = sim("-m", "hydra/launcher=submitit_local", "mvm=none,joint,third_party", *SMALL, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0, proc.stderr
    ours, theirs = read_parquet(out / "runs.parquet"), read_parquet(src / "runs.parquet")
    pd.testing.assert_frame_equal(ours, theirs)


def test_ray_launcher_gives_the_same_results(tmp_path, design_sweep):
    """A local Ray: skipped unless the ray extra is installed (pip install -e .[ray])."""
    pytest.importorskip("hydra_plugins.hydra_ray_launcher")
    src, _ = design_sweep
    out = tmp_path / "ray"
    proc = sim("-m", "hydra/launcher=ray", "mvm=none,joint,third_party", *SMALL, f"hydra.sweep.dir={out}", timeout=900)
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(read_parquet(out / "runs.parquet"), read_parquet(src / "runs.parquet"))


def test_load_sweep_api(design_sweep):
    out, _ = design_sweep
    sweep = load_sweep(out, baseline="mvm=joint")
    assert sweep.keys == ["mvm"] and sweep.baseline_job == 1 and not sweep.not_complete
    assert np.isfinite(sweep.points["rmst_days"]).all()
    assert os.path.samefile(sweep.path, out)


def test_many_points_draw_the_best_the_worst_and_the_baseline():
    from sim.analysis.plots import MAX_CURVES, pick_points

    points = pd.DataFrame({"job": range(20), "rmst_days": np.arange(20) * 10.0})
    assert pick_points(points.head(MAX_CURVES)) == list(range(MAX_CURVES))
    assert pick_points(points, baseline=10) == [19, 18, 17, 16, 10, 3, 2, 1, 0]
    assert pick_points(points, baseline=0) == [19, 18, 17, 16, 3, 2, 1, 0]
