"""`python -m sim`: the outputs a user gets, and the messages a mistake gets."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import matplotlib.image as mpimg
import pytest
from helpers import sim

from sim.core.errors import ConfigError
from sim.core.io import read_parquet
from sim.run.folder import ROOT

pytestmark = pytest.mark.slow  # make test-fast leaves these out (subprocesses, studies, ensembles)

RUN_COLUMNS = [
    "replicate",
    "seed",
    "truce_days",
    "collapsed",
    "violation_day",
    "breakdown_day",
    "renunciation_day",
    "first_breakdown_day",
    "collapse_cause",
    "breakdowns",
    "renewals",
    "truce_state",
    "state_fire_days",
    "militant_attacks",
    "trade_days_to_50",
    "trade_days_to_90",
    "trade_days_to_90_sustained",
    "trade_share_day90",
    "trade_share_day180",
    "trade_loss_usd",
    "bilateral_loss_usd",
    "transit_loss_usd",
    "diverted_end",
    "incidents",
    "detected",
    "misattributed",
    "retaliations",
    "strikes_on_militants",
    "air_strikes",
    "crackdowns",
    "trade_suspensions",
    "high_profile_attacks",
    "complicity_belief",
    "casualties",
    "mvm_operational_day",
    "first_reopen_day",
    "principle_day",
    "modalities_day",
    "mvm_agreed_day",
    "stage",
]
DAILY_COLUMNS = [
    "day",
    "date",
    "alive_share",
    "trade_mean",
    "trade_p05",
    "trade_p50",
    "trade_p95",
    "trust_afg_in_pak_mean",
    "trust_pak_in_afg_mean",
    "grievance_mean",
    "open_crossings_mean",
    "stranded_trucks_mean",
    "trade_mean_alive",
    "trade_share_50",
    "trade_share_90",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("run") / "out"
    # from another folder than the repository: the config tree travels with the package
    proc = sim(
        "run.replicates=60",
        "run.horizon_days=100",
        "run.n_jobs=2",
        "run.chunk_size=10",
        f"hydra.run.dir={out}",
        cwd=out.parent,
    )
    return out, proc


def test_run_writes_every_output(run_dir):
    out, proc = run_dir
    assert proc.returncode == 0, proc.stderr
    for name in (
        "runs.parquet",
        "daily.parquet",
        "summary.json",
        "survival.png",
        "trade.png",
        "dynamics.png",
        "config.yaml",
        "provenance.json",
    ):
        assert (out / name).is_file(), name
    assert not list(out.glob("*.partial")) and not list(out.glob(".*.partial"))


def test_runs_table_has_one_row_a_replicate(run_dir):
    runs = read_parquet(run_dir[0] / "runs.parquet")
    assert list(runs.columns[: len(RUN_COLUMNS)]) == RUN_COLUMNS
    assert len(runs) == 60
    assert runs["replicate"].tolist() == list(range(60))
    assert runs["seed"].is_unique
    assert (runs["truce_days"] <= 100).all()
    broke = runs["first_breakdown_day"].notna()
    assert runs.loc[~broke, "collapse_cause"].isna().all() and runs.loc[broke, "collapse_cause"].notna().all()
    assert (runs.loc[runs["collapsed"], "truce_days"] == runs.loc[runs["collapsed"], "breakdown_day"]).all()


def test_daily_table_covers_every_day(run_dir):
    daily = read_parquet(run_dir[0] / "daily.parquet")
    assert set(DAILY_COLUMNS) <= set(daily.columns)
    assert daily["day"].tolist() == list(range(101))
    assert str(daily["date"].iloc[0].date()) == "2025-10-19"
    assert daily["alive_share"].iloc[0] == 1.0
    assert daily["alive_share"].is_monotonic_decreasing
    assert (daily["trade_p05"] <= daily["trade_p50"]).all() and (daily["trade_p50"] <= daily["trade_p95"]).all()
    assert (daily["trade_share_90"] <= daily["trade_share_50"]).all()


def test_summary_only_reports_times_within_the_horizon(run_dir):
    summary = json.loads((run_dir[0] / "summary.json").read_text())
    assert [s["days"] for s in summary["truce"]["survival"]] == [30, 90]
    for s in summary["truce"]["survival"]:
        assert 0 <= s["lower"] <= s["p"] <= s["upper"] <= 1
    assert set(summary["trade"]) == {
        "days_to_50",
        "days_to_90",
        "days_to_90_sustained",
        "loss_usd",
        "bilateral_loss_usd",
        "transit_loss_usd",
    }
    assert summary["uncertainty"]["parameters"]["separated"] is False  # one replicate a row, by default
    assert summary["uncertainty"]["monte_carlo"]["rmst_days"] > 0
    assert summary["truce"]["replicates"] == 60


def test_plots_are_real_images(run_dir):
    for name in ("survival.png", "trade.png", "dynamics.png"):
        img = mpimg.imread(run_dir[0] / name)
        assert img.shape[0] > 300 and img.shape[1] > 500
        assert img.std() > 0.05  # not a blank canvas


def test_provenance_and_printed_summary(run_dir):
    out, proc = run_dir
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["version"] and prov["libraries"]["mesa"].startswith("3.")
    assert "P(holds  30 days)" in proc.stdout and "restricted mean survival" in proc.stdout
    assert "Uncertainty, by where it comes from:" in proc.stdout and "Monte Carlo" in proc.stdout
    assert "90% held 30 days in a row (a lasting recovery)" in proc.stdout
    assert "mvm:" in (out / "config.yaml").read_text()


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("mvm.detection_prob=1.7", "mvm.detection_prob: got 1.7, expected a number in [0, 1]"),
        ("run.replicates=0", "run.replicates: got 0, expected an integer in [1"),
        ("run.replicates=lots", "run.replicates: got 'lots', expected an integer"),
        ("spoilers.nonsense=1", "unknown key 'spoilers.nonsense'"),
        ("+mvm.foo=1", "unknown key 'mvm.foo'"),
        ("mvm=nonsense", "unknown option 'nonsense' for config group 'mvm'"),
        ("whatif=nonsense", "unknown option 'nonsense' for config group 'whatif'. Available: goods_lane"),
        ("run.by=2027-13-01", "run.by: '2027-13-01' is neither a date"),
    ],
)
def test_bad_input_is_one_clear_message(tmp_path, override, expected):
    out = tmp_path / "out"
    out.mkdir()
    earlier = out / "runs.parquet"
    earlier.write_bytes(b"results of an earlier run")
    proc = sim(override, "run.replicates=5" if "replicates" not in override else "run.n_jobs=1", f"hydra.run.dir={out}")
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert earlier.read_bytes() == b"results of an earlier run"  # nothing written is lost


def test_a_refused_run_leaves_no_output_folder(tmp_path):
    out = tmp_path / "never"
    proc = sim("mvm.penalty=2", f"hydra.run.dir={out}")
    assert proc.returncode == 2
    assert not out.exists()


def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    proc = sim(f"hydra.run.dir={blocker}/out")
    assert proc.returncode == 2 and "is a file, not a folder" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_version_and_help_describe_the_tool():
    version = sim("--version")
    assert version.returncode == 0 and version.stdout.startswith("ceasefire-sim ")
    helptext = sim("--help")
    assert helptext.returncode == 0
    assert "ceasefire-sim" in helptext.stdout and "mvm: joint, joint_no_penalty" in helptext.stdout
    assert "whatif: goods_lane" in helptext.stdout and "whatif=turkey_withdraws" in helptext.stdout
    assert "python -m sim.query" in helptext.stdout and "rewrites the record" in helptext.stdout


def test_printing_the_config_checks_it_first():
    """--cfg job prints a configuration only if it would run."""
    bad = sim("--cfg", "job", "run.replicates=0")
    assert bad.returncode == 2 and "run.replicates: got 0" in bad.stderr and "replicates: 0" not in bad.stdout
    good = sim("--cfg", "job", "run.replicates=7")
    assert good.returncode == 0 and "replicates: 7" in good.stdout


# --------------------------------------------------------------------------- issue 29: other commands' folders and caps


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "/proc/x"], "inside a system folder (/proc)"),
        (["--out", str(ROOT / "sim" / "x")], "source tree"),
        (["--out", "/tmp/" + "n" * 300], "at most 255"),
    ],
)
@pytest.mark.parametrize("parse", ["mediation", "calibration", "zopa"])
def test_an_experiments_out_is_checked_where_it_is_parsed(parse, argv, message, capsys):
    from experiments import study

    with pytest.raises(SystemExit) as exit_:
        study(parse).parse(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "argument --out" in err and message in err
    assert not (ROOT / "sim" / "x").exists()


def test_zopa_refuses_a_grid_too_fine(capsys):
    from experiments import study, zopa

    with pytest.raises(SystemExit) as exit_:
        study("zopa").parse(["--grid", "100000"])
    assert exit_.value.code == 2 and f"--grid must be between 3 and {zopa.MAX_GRID}" in capsys.readouterr().err


def test_calibration_checks_the_redis_address_before_any_draw(tmp_path):
    started = time.monotonic()
    out = str(tmp_path / "c")
    proc = sim("--quick", "--redis", "nohost.invalid:6379", "--out", out, module="experiments.calibration")
    assert proc.returncode == 2 and "cannot reach a Redis server at nohost.invalid:6379" in proc.stderr
    assert "Traceback" not in proc.stderr and time.monotonic() - started < 30
    assert not (tmp_path / "c" / "draws.parquet").exists()
    from experiments import study

    with pytest.raises(ConfigError, match="--redis must be HOST:PORT"):
        study("calibration").parse(["--redis", "nohost"])


def test_backtest_refuses_a_garbage_posterior(tmp_path):
    garbage = tmp_path / "posterior.csv"
    garbage.write_bytes(b"\x00\x01garbage,,\n\xff\xfe\n1,2,3,4\n")
    proc = sim("--quick", "--posterior", str(garbage), "--out", str(tmp_path / "b"), module="experiments.backtest")
    assert proc.returncode == 2 and "--posterior: cannot read" in proc.stderr and "Traceback" not in proc.stderr


def test_aggregating_a_system_folder_is_refused(capsys):
    from sim.cli.sweep import main

    assert main(["/proc/self"]) == 2
    assert "inside a system folder" in capsys.readouterr().err
