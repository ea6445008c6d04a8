"""Shared fixtures: the default configuration, composed once by Hydra."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.core.schema import Config
from sim.run.config import default_config, with_values


@pytest.fixture(scope="session")
def config() -> Config:
    return default_config()


@pytest.fixture(scope="session")
def small(config: Config) -> Config:
    """The default scenario, few replicates, one worker: for fast tests."""
    return with_values(config, {"run.replicates": 40, "run.n_jobs": 1, "run.chunk_size": 10, "run.progress": False})


@pytest.fixture(scope="session")
def sensitivity_quick(tmp_path_factory) -> Path:
    """The sensitivity study at --quick size, run once for the session: its test and the
    sensitivity notebook's both read it (about 2 minutes on 2 cores)."""
    out = tmp_path_factory.mktemp("sa") / "sensitivity"
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.sensitivity", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="session")
def discovery_quick(tmp_path_factory) -> Path:
    """The decision-support study at --quick size, run once for the session: its tests and
    the decisions notebook read it (about 40 seconds on 2 cores)."""
    out = tmp_path_factory.mktemp("dis") / "discovery"
    proc = subprocess.run(
        [sys.executable, "-m", "experiments.decisions", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out
