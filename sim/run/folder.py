"""The run folder's contract: what a finished run leaves, and how a folder is judged.

Single runs and sweep jobs share it. A run writes every output under a temporary name
and renames it into place (sim/io.py), then ``manifest.json`` last: the files, their
sizes and the configuration's fingerprint. A folder is *complete* when its manifest
lists files that are all present with the recorded sizes; re-running a sweep with the
same ``hydra.sweep.dir`` skips complete jobs whose configuration is unchanged (resuming).
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from ..io import write_json
from ..schema import Config, to_dict
from .parameters import table_digest

#: The job outputs that must all be present for a job to count as complete.
JOB_OUTPUTS = ("config.yaml", "provenance.json", "runs.parquet", "daily.parquet", "summary.json")
MANIFEST = "manifest.json"
FAILED = "failed.txt"


def config_digest(config: Config) -> str:
    """A fingerprint of a resolved configuration (run.n_jobs and run.progress excluded:
    they do not change the results)."""
    data = to_dict(config)
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("n_jobs", "progress")}
    if config.parameters.table is not None:  # the table's contents, not only its name
        data["parameters"]["sha256"] = table_digest(config.parameters.table)
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def write_manifest(out_dir: Path, config: Config, elapsed_s: float, workers: int) -> Path:
    """Record the job's outputs and sizes; written last, so its presence means complete."""
    files = {name: (out_dir / name).stat().st_size for name in JOB_OUTPUTS}
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
    for name, size in files.items():
        path = job_dir / name
        if not path.exists() or path.stat().st_size != size:
            return "incomplete", f"{name} is missing or not the size the manifest records"
    if config is not None and manifest.get("config_sha256") != config_digest(config):
        return "incomplete", "finished with another configuration"
    return "complete", ""
