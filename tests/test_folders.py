"""The output folder's contract (sim/run/folder.py): complete, or refused, or resumable;
never mixed. Each test reproduces a way a folder could lie and checks it no longer can."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import sim

from sim.cli.run import cannot_write
from sim.core.io import read_parquet
from sim.run.folder import ROOT, job_status

pytestmark = pytest.mark.slow  # make test-fast leaves these out (subprocesses, studies, ensembles)

SMALL = ("run.replicates=40", "run.chunk_size=10", "run.figures=false", "run.horizon_days=120")


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def test_a_second_run_into_a_busy_folder_is_refused_and_the_first_is_intact(tmp_path):
    out = tmp_path / "s"
    first = start("run.replicates=400", "run.figures=false", f"hydra.run.dir={out}")
    wait_for(out / "run.json")
    second = sim("run.replicates=400", "run.figures=false", "mvm=none", f"hydra.run.dir={out}")
    assert second.returncode == 2 and "another run is writing into" in second.stderr
    assert first.wait(timeout=600) == 0
    assert job_status(out) == ("complete", "")
    assert len(read_parquet(out / "runs.parquet")) == 400


def test_a_second_sweep_into_a_busy_sweep_folder_is_refused(tmp_path):
    out = tmp_path / "m"
    first = start("-m", "mvm=none,joint", *SMALL, f"hydra.sweep.dir={out}")
    wait_for(out / "0" / "run.json")
    second = sim("-m", "mvm=none,joint", *SMALL, f"hydra.sweep.dir={out}")
    assert second.returncode == 2 and "another run is writing into" in second.stderr
    assert first.wait(timeout=600) == 0
    assert all(job_status(out / j)[0] == "complete" for j in ("0", "1"))


@pytest.mark.parametrize(
    ("folder", "message"),
    [("conf", "inside the project's source tree"), ("", "is empty"), ("/proc/ceasefire", "system folder")],
)
def test_folders_that_must_not_be_written_are_refused(folder, message):
    before = (ROOT / "conf" / "config.yaml").read_bytes()
    proc = sim(*SMALL, f"hydra.run.dir={folder}", cwd=ROOT)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr
    assert (ROOT / "conf" / "config.yaml").read_bytes() == before
    assert not (ROOT / "conf" / "runs.parquet").exists()


def test_a_reused_folder_is_refused_unless_overwritten_and_then_holds_one_run(tmp_path):
    out = tmp_path / "r"
    assert sim("run.replicates=40", "run.horizon_days=120", f"hydra.run.dir={out}").returncode == 0
    assert (out / "survival.png").exists()
    hydra_config = (out / ".hydra" / "config.yaml").read_bytes()
    refused = sim(*SMALL, "mvm=none", f"hydra.run.dir={out}")
    assert refused.returncode == 2 and "holds a finished run of another configuration" in refused.stderr
    assert (out / ".hydra" / "config.yaml").read_bytes() == hydra_config  # refused before Hydra wrote anything
    again = sim("run.replicates=40", "run.horizon_days=120", f"hydra.run.dir={out}")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    replaced = sim(*SMALL, "mvm=none", "run.overwrite=true", f"hydra.run.dir={out}")
    assert replaced.returncode == 0, replaced.stderr
    assert not list(out.glob("*.png"))  # the old run's figures went with it
    assert job_status(out) == ("complete", "")
    assert "design: none" in (out / "config.yaml").read_text()


def test_a_corrupt_file_of_the_right_size_is_caught_and_recomputed(tmp_path):
    out = tmp_path / "c"
    assert sim(*SMALL, f"hydra.run.dir={out}").returncode == 0
    good = (out / "runs.parquet").read_bytes()
    (out / "runs.parquet").write_bytes(good[: len(good) // 2] + b"\0" * (len(good) - len(good) // 2))
    assert job_status(out)[1] == "runs.parquet does not match its checksum in manifest.json (corrupt)"
    assert sim(*SMALL, f"hydra.run.dir={out}").returncode == 0
    assert (out / "runs.parquet").read_bytes() == good and job_status(out) == ("complete", "")


def test_a_resumed_sweep_job_loses_its_old_failure_note(tmp_path):
    out = tmp_path / "f"
    assert sim("-m", "mvm=none,joint", *SMALL, f"hydra.sweep.dir={out}").returncode == 0
    (out / "1" / "manifest.json").unlink()
    (out / "1" / "failed.txt").write_text("RuntimeError: an earlier attempt\n")
    proc = sim("-m", "mvm=none,joint", *SMALL, f"hydra.sweep.dir={out}")
    assert proc.returncode == 0 and "2 of 2 points complete" in proc.stdout
    assert not (out / "1" / "failed.txt").exists()


def test_a_sweep_job_folder_blocked_by_a_file_is_refused_before_any_job(tmp_path):
    out = tmp_path / "b"
    out.mkdir()
    (out / "1").write_text("in the way")
    proc = sim("-m", "mvm=none,joint", *SMALL, f"hydra.sweep.dir={out}")
    assert proc.returncode == 2 and "blocked by files" in proc.stderr and "Traceback" not in proc.stderr
    assert not (out / "0").exists()


def workers_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_die_with_their_parent(tmp_path, sig):
    proc = start("run.replicates=20000", "run.n_jobs=2", "run.figures=false", f"hydra.run.dir={tmp_path / 'k'}")
    deadline = time.monotonic() + 60
    while len(workers_of(proc.pid)) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, "no workers started"
        time.sleep(0.2)
    time.sleep(1.0)
    workers = workers_of(proc.pid)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and "interrupted" in err
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(w) for w in workers)


def test_a_full_disk_is_one_paragraph(tmp_path):
    err = OSError(28, "No space left on device")
    text = cannot_write(tmp_path, err)
    assert "No space left on device" in text and "run the same command again" in text


def test_an_experiment_into_a_file_is_refused(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("x")
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.mediation", "--quick", "--out", str(target)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 2 and "is a file, not a folder" in proc.stderr and "Traceback" not in proc.stderr
