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
  a clean folder. A folder holding anything else (another configuration's run, files no
  run wrote) is refused unless ``run.overwrite=true``, which clears it first;
- folders inside the project's source tree are refused.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from ..core.errors import UsageError
from ..core.io import write_json
from ..core.schema import Config, to_dict
from .parameters import table_digest

#: The job outputs that must all be present for a job to count as complete.
JOB_OUTPUTS = ("config.yaml", "provenance.json", "runs.parquet", "daily.parquet", "summary.json")
MANIFEST = "manifest.json"
FAILED = "failed.txt"
RUN_MARK = "run.json"
LOCK = ".lock"
#: What Hydra itself puts in a folder before the run starts.
HYDRA_OWN = (".hydra", "__main__.log", "sim.log")
#: The project's source tree: no run writes into these (results/ folders aside).
ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE = ("sim", "conf", "tests", "docs", "notebooks", ".git", ".ci", "experiments", "benchmarks")
RESULTS_OK = ("experiments/results", "benchmarks/results")


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
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


#: Files a run may write (figures; the event log unless run.events=false; a sweep's point); in the manifest
#: when present.
FIGURES = ("survival.png", "trade.png", "dynamics.png", "events.parquet", "point.json")


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


# --------------------------------------------------------------------------- owning a folder

_HELD: dict[Path, int] = {}  # folders this process has locked: path -> file descriptor


def check_not_in_source(path: Path) -> None:
    """Refuse a folder that is the project's root or inside its source tree."""
    path = path.resolve()
    if not (ROOT / "pyproject.toml").exists():  # an installed package: no source tree
        return
    if (
        path == ROOT
        or any(path.is_relative_to(ROOT / d) for d in SOURCE)
        and not any(path.is_relative_to(ROOT / ok) for ok in RESULTS_OK)
    ):
        raise UsageError(
            f"'{path}' is inside the project's source tree ({ROOT}): outputs would overwrite its files. Choose a "
            "folder outside it, e.g. hydra.run.dir=outputs/NAME (the default is outputs/<date>/<time>)."
        )


def lock(folder: Path) -> None:
    """Take the folder's exclusive lock for the rest of this process (or raise UsageError
    if another process holds it). Taking it again in the same process is a no-op."""
    folder = folder.resolve()
    if folder in _HELD:
        return
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise UsageError(
            f"another run is writing into '{folder}' right now; wait for it to finish, or choose another folder."
        ) from None
    _HELD[folder] = fd


def is_locked(folder: Path) -> bool:
    """Whether this process holds the folder's lock."""
    return folder.resolve() in _HELD


def unlock(folder: Path) -> None:
    fd = _HELD.pop(folder.resolve(), None)
    if fd is not None:
        os.close(fd)


def folder_state(folder: Path, config: Config) -> tuple[str, str]:
    """What a run of ``config`` finds in ``folder``: ("new" | "complete" | "resume" |
    "foreign", what it holds)."""
    if not folder.exists():
        return "new", ""
    found = sorted(set(os.listdir(folder)) - {LOCK, FAILED, *HYDRA_OWN})  # a failure note is no run's output
    if not found:
        return "new", ""
    digest = config_digest(config)
    status, reason = job_status(folder, config)
    if status == "complete":
        return "complete", ""
    if reason == "finished with another configuration":
        return "foreign", "a finished run of another configuration"
    try:
        mark = json.loads((folder / RUN_MARK).read_text())
    except (OSError, ValueError):
        mark = None
    if isinstance(mark, dict) and mark.get("config_sha256") == digest:
        return "resume", reason
    if isinstance(mark, dict):
        return "foreign", "an unfinished run of another configuration"
    shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
    return "foreign", f"files no run of this configuration wrote ({shown})"


def clear(folder: Path) -> None:
    """Remove everything but the lock and Hydra's own files of this invocation."""
    for entry in os.listdir(folder):
        if entry in (LOCK, *HYDRA_OWN):
            continue
        path = folder / entry
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def claim(folder: Path, config: Config) -> str:
    """Own ``folder`` for a run of ``config``: lock it, judge what it holds, and leave it
    ready. Returns "complete" (nothing to do) or "run" (the folder is clean, with its
    run.json written). Raises :class:`UsageError` for a folder in the source tree, one
    another run holds, or one that holds something else (unless ``run.overwrite``)."""
    check_not_in_source(folder)
    lock(folder)
    state, what = folder_state(folder, config)
    if state == "complete" and not config.run.overwrite:
        return "complete"
    if state == "foreign" and not config.run.overwrite:
        raise UsageError(
            f"'{folder}' holds {what}. Choose another folder, or add run.overwrite=true to clear it and run."
        )
    clear(folder)
    write_json(
        {"config_sha256": config_digest(config), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}, folder / RUN_MARK
    )
    return "run"
