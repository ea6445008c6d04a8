"""Where a result came from: package and library versions, git commit, command line."""

from __future__ import annotations

import datetime
import functools
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = (
    "mesa",
    "hydra-core",
    "omegaconf",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "lifelines",
    "matplotlib",
    "joblib",
)


@functools.cache
def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


@functools.cache
def git_commit(where: Path | None = None) -> dict[str, Any] | None:
    """The commit of the checkout holding the package (None outside one), and whether it
    has uncommitted changes (read once a process: the points of a study share it)."""
    where = where or Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=5)
        if commit.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def provenance() -> dict[str, Any]:
    return {
        "package": "ceasefire-sim",
        "version": _version("ceasefire-sim"),
        "git": git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "libraries": {lib: _version(lib) for lib in LIBRARIES},
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "created_utc": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
