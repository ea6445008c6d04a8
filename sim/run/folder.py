"""The run folder's contract: a folder is complete, or refused, or resumable; never mixed.

Single runs and sweep jobs share it (:func:`claim`):

- a run owns its folder: an exclusive lock (``fcntl.flock`` on ``.lock``, released by
  the operating system when the process ends, however it ends); a second run into a
  locked folder is refused;
- it writes ``run.json`` first (the configuration's fingerprint), every output under a
  temporary name of its own renamed into place (sim/core/io.py), and ``manifest.json`` last:
  every file with its size and sha256;
- a folder is *complete* when its manifest matches every file (a corrupt file of the
  right size is caught by its checksum). The same configuration into a complete folder
  does nothing (a sweep job: skipped, resuming); into an interrupted one, runs again from
  a clean folder;
- a run removes only what runs write (:data:`RUN_FILES`, their temporary files, and the
  scores ``python -m sim.score`` writes); anything else in a run folder (your notes, your
  plots) is kept, when it resumes and when ``run.overwrite=true`` replaces a run of
  another configuration. A folder holding another configuration's run is refused unless
  ``run.overwrite=true``; a folder that is not a run folder (no ``run.json`` or
  ``manifest.json``) but holds files is refused, overwrite or not;
- a folder no run writes into (a system folder, your home, the project, a repository or a
  virtual environment: sim/run/places.py) is refused before anything is written, and a
  refused run leaves nothing behind (no ``.lock``, no folder).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

from ..core.errors import UsageError
from ..core.io import write_json
from ..core.schema import Config, to_dict
from .parameters import table_digest
from .places import ROOT, check_not_in_source, check_out_dir, check_target, out_dir_arg  # noqa: F401 (shared)

#: The job outputs that must all be present for a job to count as complete.
JOB_OUTPUTS = ("config.yaml", "provenance.json", "runs.parquet", "daily.parquet", "summary.json")
MANIFEST = "manifest.json"
FAILED = "failed.txt"
RUN_MARK = "run.json"
LOCK = ".lock"
#: What Hydra itself puts in a folder before the run starts.
HYDRA_OWN = (".hydra", "__main__.log", "sim.log")
#: The folder ``python -m sim.score`` writes a run's scores into by default.
SCORES_DIR = "scores"


#: Knobs added after run folders were written, at the value that behaves as before they
#: existed: left out of the fingerprint at that value, so that those folders stay complete.
NEUTRAL = {("parameters", "per_row"): 1}


def config_digest(config: Config) -> str:
    """A fingerprint of a resolved configuration (run.n_jobs, run.progress, run.overwrite
    and run.by excluded: they do not change the results; a knob of :data:`NEUTRAL` at its
    neutral value too)."""
    data = to_dict(config)
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("n_jobs", "progress", "overwrite", "by")}
    for (section, key), value in NEUTRAL.items():
        if data[section].get(key) == value:
            del data[section][key]
    if config.parameters.table is not None:  # the table's contents, not only its name
        data["parameters"]["sha256"] = table_digest(config.parameters.table)
    for key in ("record", "counts"):  # a forecast's record: its contents too
        if getattr(config.forecast, key) is not None:
            data["forecast"][f"{key}_sha256"] = file_digest(Path(getattr(config.forecast, key)).expanduser())
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


#: What a forecast run writes besides (sim/run/forecast.py): how it was conditioned, the table its replicates
#: drew from, the forecasts from earlier origins.
FORECAST = ("forecast.json", "population.parquet", "origins.csv")
#: Files a run may write (figures; the event log unless run.events=false; a sweep's point; a forecast's
#: population and origins: sim/run/forecast.py); in the manifest when present.
FIGURES = ("survival.png", "trade.png", "dynamics.png", "events.parquet", "point.json", *FORECAST)
#: Every file a run writes into its folder: the only files resuming or run.overwrite=true removes.
RUN_FILES = (*JOB_OUTPUTS, *FIGURES, RUN_MARK, MANIFEST, FAILED)
#: A run's file under its temporary name (sim/core/io.py atomic_path: .NAME.PID.HEX.partial).
PARTIAL = re.compile(r"^\.(?P<name>.+)\.\d+\.[0-9a-f]+\.partial$")
#: What a folder may hold and still count as empty: the lock, a failure note, Hydra's own files.
IGNORED = (LOCK, FAILED, *HYDRA_OWN)


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(out_dir: Path, config: Config, elapsed_s: float, workers: int) -> Path:
    """Record the run's outputs with their sizes and sha256; written last, so its presence
    (with files that match it) means complete. A failure note of an earlier attempt goes."""
    names = [*JOB_OUTPUTS, *(f for f in FIGURES if (out_dir / f).exists())]
    files = {name: {"size": (out_dir / name).stat().st_size, "sha256": file_digest(out_dir / name)} for name in names}
    (out_dir / FAILED).unlink(missing_ok=True)
    return write_json(
        {
            "config_sha256": config_digest(config),
            "files": files,
            "elapsed_s": round(elapsed_s, 2),
            "workers": workers,
            "finished": time.strftime("%Y-%m-%dT%H:%M:%S"),
        },
        out_dir / MANIFEST,
    )


def job_status(job_dir: Path, config: Config | None = None) -> tuple[str, str]:
    """("complete" | "failed" | "incomplete", reason). With ``config``, a complete job
    whose configuration differs from it counts as incomplete (it must be run again)."""
    try:
        manifest = json.loads((job_dir / MANIFEST).read_text())
        files = manifest["files"]
    except FileNotFoundError:
        failed = job_dir / FAILED
        if failed.exists():
            return "failed", failed.read_text().strip().splitlines()[0][:300]
        return "incomplete", "no manifest.json: the job did not finish"
    except (ValueError, KeyError, TypeError):
        return "incomplete", "manifest.json is corrupt"
    for name, recorded in files.items():
        path = job_dir / name
        if not isinstance(recorded, dict) or "sha256" not in recorded:
            return "incomplete", "manifest.json has no checksums (written by an older version)"
        if not path.exists() or path.stat().st_size != recorded["size"]:
            return "incomplete", f"{name} is missing or not the size the manifest records"
        if file_digest(path) != recorded["sha256"]:
            return "incomplete", f"{name} does not match its checksum in manifest.json (corrupt)"
    if config is not None and manifest.get("config_sha256") != config_digest(config):
        return "incomplete", "finished with another configuration"
    return "complete", ""


# --------------------------------------------------------------------------- what a folder holds


def is_own(name: str) -> bool:
    """Whether an entry of a run folder is something runs write (a run's file, its
    temporary name, the scores of sim.score), so resuming or overwriting may remove it."""
    if name in RUN_FILES or name == SCORES_DIR:
        return True
    partial = PARTIAL.match(name)
    return partial is not None and partial["name"] in RUN_FILES


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def run_mark(folder: Path) -> dict | None:
    """The folder's run.json, if a run wrote it (a mapping with the configuration's fingerprint)."""
    mark = _read_json(folder / RUN_MARK)
    return mark if isinstance(mark, dict) and isinstance(mark.get("config_sha256"), str) else None


def is_run_folder(folder: Path) -> bool:
    """A folder a run wrote: its run.json, or a manifest.json that lists files."""
    manifest = _read_json(folder / MANIFEST)
    return run_mark(folder) is not None or (isinstance(manifest, dict) and isinstance(manifest.get("files"), dict))


def listing(names: list[str] | set[str]) -> str:
    """Up to five names for a message."""
    names = sorted(names)
    return ", ".join(names[:5]) + (" ..." if len(names) > 5 else "")


def blocked_names(folder: Path) -> list[str]:
    """Folders that carry the name of a run's file (the run cannot write it, and a folder
    is never removed)."""
    return [name for name in RUN_FILES if (folder / name).is_dir() and not (folder / name).is_symlink()]


def folder_state(folder: Path, config: Config) -> tuple[str, str]:
    """What a run of ``config`` finds in ``folder``, without changing it: ("new" |
    "complete" | "resume" | "other" (a run of another configuration) | "foreign" (not a
    run folder, or one it cannot write), what it holds)."""
    if not folder.is_dir():
        return ("new", "") if not os.path.lexists(folder) else ("foreign", "a file, not a folder")
    if os.path.lexists(folder / ".hydra") and not (folder / ".hydra").is_dir():
        return "foreign", "a file named .hydra, where Hydra writes a folder; move it away"
    found = set(os.listdir(folder)) - set(IGNORED)
    if not found:
        return "new", ""
    if not is_run_folder(folder):
        return "foreign", (
            f"files no run wrote ({listing(found)}) and is not a run folder (no run.json or manifest.json): "
            "run.overwrite=true clears only a run folder"
        )
    blocked = blocked_names(folder)
    if blocked:
        return "foreign", f"folders named like a run's files ({listing(blocked)}); move them away"
    status, reason = job_status(folder, config)
    if status == "complete":
        return "complete", ""
    if reason == "finished with another configuration":
        return "other", "a finished run of another configuration"
    mark = run_mark(folder)
    if mark is None:
        return "other", "a run whose configuration is unknown (its run.json is missing)"
    if mark["config_sha256"] == config_digest(config):
        return "resume", reason
    return "other", "an unfinished run of another configuration"


def kept(folder: Path) -> list[str]:
    """What a run leaves alone in a folder: everything runs do not write."""
    return sorted(name for name in os.listdir(folder) if not is_own(name) and name not in IGNORED)


def clear(folder: Path, scores: bool = True) -> None:
    """Remove what runs write (their files, temporary files and, with ``scores``, the
    scores of sim.score); keep everything else: the lock, Hydra's own files of this
    invocation, and whatever else is there (your notes, your plots). A symbolic link is
    removed, never what it points to."""
    for name in os.listdir(folder):
        if not is_own(name) or (name == SCORES_DIR and not scores):
            continue
        path = folder / name
        if path.is_dir() and not path.is_symlink():
            if name == SCORES_DIR:
                shutil.rmtree(path)
            continue  # a folder named like a run's file: not the run's (folder_state refuses it)
        path.unlink(missing_ok=True)


# --------------------------------------------------------------------------- owning a folder

_HELD: dict[Path, tuple[int, list[Path]]] = {}  # folders this process has locked: fd, what it made


def lock(folder: Path) -> None:
    """Take the folder's exclusive lock for the rest of this process (or raise UsageError
    if another process holds it). Taking it again in the same process is a no-op. What
    it makes (the folder, its parents, ``.lock``) is recorded, so that :func:`release`
    can remove it again."""
    folder = folder.resolve()
    if folder in _HELD:
        return
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / LOCK).exists():
        made.insert(0, folder / LOCK)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise busy_error(folder) from None
    _HELD[folder] = (fd, made)


def busy_error(folder: Path) -> UsageError:
    return UsageError(
        f"another run is writing into '{folder}' right now; wait for it to finish, or choose another folder."
    )


def is_busy(folder: Path) -> bool:
    """Whether another process holds the folder's lock (tried without making a .lock)."""
    try:
        fd = os.open(folder / LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def is_locked(folder: Path) -> bool:
    """Whether this process holds the folder's lock."""
    return folder.resolve() in _HELD


def unlock(folder: Path) -> None:
    """Let the lock go (the ``.lock`` file stays: it is the run folder's)."""
    fd, _ = _HELD.pop(folder.resolve(), (None, []))
    if fd is not None:
        os.close(fd)


def release(folder: Path) -> None:
    """Let the lock go and remove what :func:`lock` made (the ``.lock``, the folder and
    its parents, if still empty): a refused run leaves nothing behind."""
    fd, made = _HELD.pop(folder.resolve(), (None, []))
    if fd is None:
        return
    for path in made:  # the lock file first, then the folders, deepest first
        try:
            path.unlink() if path.name == LOCK else path.rmdir()
        except OSError:
            break
    os.close(fd)


def refusal(folder: Path, state: str, what: str, overwrite: bool, key: str) -> UsageError | None:
    """Why a run may not write into a folder in ``state`` (named by ``key``), or None."""
    if state == "foreign":
        return UsageError(f"{key}: '{folder}' holds {what}. Choose another folder (a new one, or a run folder).")
    if state == "other" and not overwrite:
        others = kept(folder)
        keeps = f"; {listing(others)} would be kept" if others else ""
        return UsageError(
            f"{key}: '{folder}' holds {what}. Choose another folder, or add run.overwrite=true to replace it (only "
            f"the files runs write are removed{keeps})."
        )
    return None


def claim(folder: Path, config: Config, key: str = "hydra.run.dir") -> str:
    """Own ``folder`` for a run of ``config``: judge it, lock it, judge it again under the
    lock, and leave it ready. Returns "complete" (nothing to do) or "run" (the run's own
    files removed, anything else kept, its run.json written). Raises :class:`UsageError`
    for a folder no run writes into (sim/run/places.py), one another run holds, or one
    that holds something else (a run of another configuration unless ``run.overwrite``;
    files of a folder that is not a run folder, always); then nothing is left behind."""
    check_target(folder, key)
    err = refusal(folder, *folder_state(folder, config), config.run.overwrite, key)
    if err is not None:  # refused before the lock: a refused folder gets no .lock
        raise busy_error(folder) if not is_locked(folder) and is_busy(folder) else err
    held = is_locked(folder)
    lock(folder)
    state, what = folder_state(folder, config)  # again: no other run can change it now
    err = refusal(folder, state, what, config.run.overwrite, key)
    if err is not None:
        if not held:
            release(folder)
        raise err
    if state == "complete" and not config.run.overwrite:
        return "complete"
    clear(folder, scores=state != "resume")
    write_json(
        {"config_sha256": config_digest(config), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}, folder / RUN_MARK
    )
    return "run"


#: What a sweep writes into its folder besides the job folders (Hydra's multirun.yaml; sim/run/aggregate.py).
SWEEP_FILES = (
    "multirun.yaml",
    "sweep.parquet",
    "runs.parquet",
    "comparison.csv",
    "survival.png",
    "trade.png",
    "heatmap.png",
    "failed_jobs.csv",
)


def claim_sweep_folder(folder: Path) -> None:
    """Own a sweep's folder for the sweep: judged (sim/run/places.py, :func:`check_sweep_folder`),
    then locked; its jobs' folders are claimed by the jobs."""
    check_target(folder, "hydra.sweep.dir")
    check_sweep_folder(folder)
    lock(folder)


def check_sweep_folder(folder: Path) -> None:
    """A sweep writes into a new or empty folder, or a sweep folder (its multirun.yaml):
    not into a folder of other files, whose names its tables and figures could take."""
    if not folder.is_dir() or (folder / "multirun.yaml").exists():
        return
    others = [
        name
        for name in os.listdir(folder)
        if name not in (*SWEEP_FILES, *IGNORED) and not name.isdigit() and not PARTIAL.match(name)
    ]
    if others:
        raise UsageError(
            f"hydra.sweep.dir: '{folder}' holds files no sweep wrote ({listing(others)}) and is not a sweep folder "
            "(no multirun.yaml): a sweep's tables and figures could take their names. Choose a new folder, or the "
            "folder of an earlier sweep to resume it."
        )
