"""The output folder's contract (sim/run/folder.py): complete, or refused, or resumable;
never mixed. Each test reproduces a way a folder could lie and checks it no longer can."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import sim

from sim.cli.run import cannot_write
from sim.core.errors import UsageError
from sim.core.io import read_parquet
from sim.run import places
from sim.run.config import with_values
from sim.run.folder import (
    JOB_OUTPUTS,
    LOCK,
    MANIFEST,
    ROOT,
    RUN_MARK,
    check_out_dir,
    check_target,
    claim,
    config_digest,
    job_status,
    unlock,
    write_manifest,
)

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


def children_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def workers_of(pid: int) -> list[int]:
    """Every process below ``pid``: the pools' fork server, its workers, the resource trackers."""
    found, stack = [], children_of(pid)
    while stack:
        child = stack.pop()
        found.append(child)
        stack += children_of(child)
    return found


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
    while len(loky_workers(proc.pid)) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, "no workers started"
        time.sleep(0.2)
    time.sleep(1.0)
    workers = workers_of(proc.pid)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and "interrupted" in err and "to resume the run" in err and "sweep" not in err
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


# --------------------------------------------------------------------------- issue 29: a run deletes only what it wrote


def fake_run(folder: Path, config) -> Path:
    """A complete run folder of ``config`` (placeholder outputs, a real manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RUN_MARK).write_text(json.dumps({"config_sha256": config_digest(config)}))
    for name in (*JOB_OUTPUTS, "survival.png"):
        (folder / name).write_text("{}\n")
    write_manifest(folder, config, 1.0, 1)
    return folder


def user_files(folder: Path) -> list[Path]:
    """A user's notes and plots beside a run's outputs."""
    notes = folder / "notes.txt"
    notes.write_text("my notes\n")
    (folder / "my_plots").mkdir(exist_ok=True)
    (folder / "my_plots" / "a.png").write_bytes(b"png")
    return [notes, folder / "my_plots" / "a.png"]


def test_overwrite_refuses_the_folder_above_a_checkout(tmp_path):
    """The repro: `python -m sim run.replicates=5 hydra.run.dir=.. run.overwrite=true`
    from inside a checkout deleted the checkout and every neighbour."""
    checkout = tmp_path / "parent" / "checkout"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "pyproject.toml").write_text("[project]\n")
    neighbour = tmp_path / "parent" / "neighbour.txt"
    neighbour.write_text("x")
    proc = sim("run.replicates=5", "hydra.run.dir=..", "run.overwrite=true", cwd=checkout)
    assert proc.returncode == 2 and "hydra.run.dir" in proc.stderr and "Traceback" not in proc.stderr
    assert (checkout / "pyproject.toml").exists() and (checkout / ".git").is_dir() and neighbour.exists()
    assert not (tmp_path / "parent" / ".lock").exists()


@pytest.mark.parametrize(
    "where", ["/", "/etc", "/etc/ceasefire", "/usr/local/out", "/tmp", "/var", "/home", "/proc/x", "home", "above home"]
)
def test_no_run_writes_into_system_folders_or_a_home(where, tmp_path, monkeypatch):
    home = tmp_path / "me"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    folder = {"home": home, "above home": tmp_path}.get(where, Path(where))
    with pytest.raises(UsageError, match="no run, sweep or study writes there"):
        check_target(folder, "hydra.run.dir")


@pytest.mark.parametrize("mark", ["pyproject.toml", ".git", ".git/", "pyvenv.cfg", "setup.py"])
def test_no_run_writes_into_a_project_a_repository_or_a_venv(mark, tmp_path, monkeypatch):
    folder = tmp_path / "p"
    folder.mkdir()
    if mark.endswith("/"):
        (folder / mark).mkdir()
    else:
        (folder / mark).write_text("x")
    with pytest.raises(UsageError, match=f"it has {mark.rstrip('/')}"):
        check_target(folder, "hydra.run.dir")
    # the folder above the project, wherever the project is checked out (above /tmp/x it
    # is /tmp, refused first as a folder that holds everyone's): here a project of the test's
    project = tmp_path / "work" / "ceasefire-sim"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text("x")
    monkeypatch.setattr(places, "ROOT", project)
    with pytest.raises(UsageError, match="holds this project"):
        check_target(tmp_path / "work", "hydra.run.dir")
    assert check_target(tmp_path / "mine", "hydra.run.dir") == (tmp_path / "mine").resolve()


def test_overwrite_removes_only_what_runs_write(config, tmp_path):
    """A run folder of another configuration, with the user's notes and plots, a symbolic
    link of theirs and a manifest tampered to name their notes: overwriting removes the
    run's files only."""
    folder = fake_run(tmp_path / "r", config)
    mine = user_files(folder)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep")
    (folder / "data").symlink_to(precious)
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"]["notes.txt"] = manifest["files"]["../precious.txt"] = {"size": 1, "sha256": "0"}
    (folder / MANIFEST).write_text(json.dumps(manifest))
    (folder / ".runs.parquet.123.0a1b2c3d.partial").write_text("half")
    other = with_values(config, {"mvm.penalty": 0.77, "run.overwrite": True})
    try:
        assert claim(folder, other) == "run"
    finally:
        unlock(folder)
    assert all(p.exists() for p in mine) and precious.read_text() == "keep" and (folder / "data").is_symlink()
    left = sorted(p.name for p in folder.iterdir())
    assert left == [".lock", "data", "my_plots", "notes.txt", RUN_MARK]


def test_a_folder_that_is_not_a_run_folder_is_refused_even_with_overwrite(config, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "survey.csv").write_text("x")
    (folder / RUN_MARK).write_text("not a run's mark")
    with pytest.raises(UsageError, match="is not a run folder"):
        claim(folder, with_values(config, {"run.overwrite": True}))
    assert sorted(p.name for p in folder.iterdir()) == [RUN_MARK, "survey.csv"]  # no .lock either


def test_a_refused_run_of_another_configuration_says_what_is_kept(config, tmp_path):
    folder = fake_run(tmp_path / "r", config)
    user_files(folder)
    with pytest.raises(UsageError, match="my_plots, notes.txt would be kept"):
        claim(folder, with_values(config, {"mvm.penalty": 0.77}))
    assert not (folder / LOCK).exists()


def test_resuming_after_sigterm_keeps_the_users_files_and_is_byte_identical(tmp_path):
    """The repro: kill a run, add notes.txt and my_plots/ to its folder, run the same
    command: both were deleted."""
    args = ("run.replicates=200", "run.chunk_size=10", "run.n_jobs=1", "run.figures=false", "run.horizon_days=120")
    out = tmp_path / "k"
    proc = start(*args, f"hydra.run.dir={out}")
    wait_for(out / "config.yaml")  # the ensemble is running
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "to resume the run" in err and "sweep" not in err
    assert job_status(out)[0] == "incomplete"
    mine = user_files(out)
    resumed = sim(*args, f"hydra.run.dir={out}")
    assert resumed.returncode == 0, resumed.stderr
    assert all(p.exists() for p in mine)
    reference = sim(*args, f"hydra.run.dir={tmp_path / 'ref'}")
    assert reference.returncode == 0
    for name in ("runs.parquet", "daily.parquet", "summary.json", "config.yaml"):
        assert (out / name).read_bytes() == (tmp_path / "ref" / name).read_bytes(), name


@pytest.mark.parametrize("where", ["home", "/"])
def test_a_refused_run_leaves_no_lock(where, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("x")
    folder = home if where == "home" else Path(where)
    had_lock = (folder / LOCK).exists()
    proc = subprocess.run(
        [sys.executable, "-m", "sim", *SMALL, f"hydra.run.dir={folder}"],
        capture_output=True,
        text=True,
        env={**os.environ, "HOME": str(home)},
        timeout=120,
    )
    assert proc.returncode == 2 and "no run, sweep or study writes there" in proc.stderr
    assert (folder / LOCK).exists() == had_lock
    assert sorted(p.name for p in home.iterdir()) == [".bashrc"]


def test_a_quoted_folder_with_a_space_leaves_no_stray_folder(tmp_path):
    out = tmp_path / "with space" / "out"
    proc = sim(*SMALL, "run.replicates=5", f"hydra.run.dir='{out}'", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert job_status(out) == ("complete", "")
    assert [p.name for p in tmp_path.iterdir()] == ["with space"]


def test_two_default_runs_started_together_both_finish(tmp_path):
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sim", *SMALL, "run.replicates=5"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], [r[1] for r in results]
    folders = sorted(tmp_path.glob("outputs/*/*"))
    assert len(folders) == 2 and all(job_status(f) == ("complete", "") for f in folders)


def test_a_name_too_long_is_refused(tmp_path):
    proc = sim(*SMALL, f"hydra.run.dir={tmp_path / ('a' * 300)}")
    assert proc.returncode == 2 and "at most 255" in proc.stderr and "Traceback" not in proc.stderr


def test_an_unknown_config_name_is_a_user_error():
    proc = sim("--config-name", "nonexistent")
    assert proc.returncode == 2 and "--config-name nonexistent" in proc.stderr and "Available: config" in proc.stderr


def test_a_sweep_too_big_is_refused_at_once(tmp_path):
    started = time.monotonic()
    proc = sim("-m", "run.seed=range(0,1000000)", "run.replicates=10", f"hydra.sweep.dir={tmp_path / 's'}")
    assert proc.returncode == 2 and "1,000,000 points" in proc.stderr and "cluster" in proc.stderr
    assert time.monotonic() - started < 20 and not (tmp_path / "s").exists()


def session_of(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-s", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if int(p) != pid]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_sweep_killed_with_sigkill_leaves_no_process(tmp_path):
    """The repro: SIGKILL of a sweep left the joblib launcher's loky workers alive."""
    out = tmp_path / "s"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "-m", "mvm=none,joint", "run.replicates=4000", f"hydra.sweep.dir={out}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not (out / "0" / RUN_MARK).exists() or not (out / "1" / RUN_MARK).exists():
        assert time.monotonic() < deadline and proc.poll() is None, "the jobs never started"
        time.sleep(0.2)
    workers = session_of(proc.pid)
    assert workers
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [w for w in workers if alive(w)]


def loky_workers(pid: int) -> list[int]:
    """The loky worker processes of ``pid``: the children of its fork server, or loky's
    own workers where it starts them itself (not the server, nor the resource trackers)."""
    found = []
    for w in children_of(pid):
        try:
            cmdline = Path(f"/proc/{w}/cmdline").read_bytes()
        except OSError:
            continue
        if b"forkserver" in cmdline:
            found += children_of(w)
        elif b"LokyProcess" in cmdline:
            found.append(w)
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pgrep")
def test_a_worker_killed_by_the_system_is_one_paragraph(tmp_path):
    """The out-of-memory killer, as a SIGKILL of one worker: a message saying the folder
    is incomplete and resumable, not joblib's TerminatedWorkerError."""
    out = tmp_path / "o"
    proc = start("run.replicates=20000", "run.n_jobs=2", "run.figures=false", f"hydra.run.dir={out}")
    deadline = time.monotonic() + 60
    while len(workers := loky_workers(proc.pid)) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, "no workers started"
        time.sleep(0.2)
    os.kill(workers[0], signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err
    assert "worker process was killed" in err and "resumes it" in err
    assert job_status(out)[0] == "incomplete"


def test_check_out_dir_refuses_what_cannot_be_written(tmp_path):
    blocker = tmp_path / "f"
    blocker.write_text("x")
    for path, message in [
        (Path("/proc/x"), "inside a system folder"),
        (blocker, "is a file"),
        (blocker / "x", "is a file"),
        (tmp_path / ("n" * 300), "at most 255"),
        (ROOT / "sim" / "out", "source tree"),
        ("", "is empty"),
    ]:
        with pytest.raises(UsageError, match=message) as err:
            check_out_dir(path, "--out")
        assert str(err.value).startswith("--out")
    assert check_out_dir(ROOT / "experiments" / "results" / "x", "--out") == ROOT / "experiments" / "results" / "x"
    assert not (ROOT / "experiments" / "results" / "x").exists()  # tried, then removed


def test_check_out_dir_refuses_a_folder_that_cannot_be_written(tmp_path):
    locked = tmp_path / "ro"
    locked.mkdir()
    if os.geteuid() != 0:
        locked.chmod(0o555)
    elif subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("root, and no chattr to make a folder unwritable")
    try:
        with pytest.raises(UsageError, match="cannot write into"):
            check_out_dir(locked / "out", "--out")
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(locked)], capture_output=True)
        locked.chmod(0o755)


def test_a_sweep_refused_before_any_job_leaves_no_lock_and_no_folder(tmp_path):
    proc = sim("-m", "mvm=none,joint", "run.horizon_days=30,60", *SMALL[:1], f"hydra.sweep.dir={tmp_path / 's'}")
    assert proc.returncode == 2 and "must share one horizon" in proc.stderr
    assert list(tmp_path.iterdir()) == []
