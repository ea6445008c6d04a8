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


#: Studies whose samplers fork worker processes (pyabc's multicore sampler): forking the
#: test process, whose earlier studies left joblib's threads running, could deadlock.
FORKING = ("calibration",)


@pytest.fixture(scope="session")
def quick_study(tmp_path_factory):
    """Each study at its --quick size, run once for the whole session (in this process, as
    ``python -m experiments.NAME --quick`` would): ``quick_study("sensitivity")`` is its
    results folder. The study's own test, the notebooks and the tests of its pieces read it."""
    from experiments import study

    done: dict[str, Path] = {}

    def run(name: str) -> Path:
        if name not in done:
            out = tmp_path_factory.mktemp("study") / name
            if name in FORKING:  # its own process: pyabc forks, and this one has threads
                proc = subprocess.run(
                    [sys.executable, "-m", f"experiments.{name}", "--quick", "--out", str(out)],
                    capture_output=True,
                    text=True,
                    timeout=900,
                )
                assert proc.returncode == 0, proc.stderr[-3000:]
            else:
                study(name).main(["--quick", "--out", str(out)])
            done[name] = out
        return done[name]

    return run


@pytest.fixture(scope="session")
def sensitivity_quick(quick_study) -> Path:
    return quick_study("sensitivity")


@pytest.fixture(scope="session")
def discovery_quick(quick_study) -> Path:
    return quick_study("decisions")
