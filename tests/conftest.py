"""Shared fixtures: the default configuration, composed once by Hydra."""

from __future__ import annotations

import numbers
import os
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
    results folder. The study's own test, the notebooks and the tests of its pieces read it.
    With ``make test``'s workers (pytest-xdist), the first worker to ask runs the study
    under a file lock in the folder the workers share, and the others read its results."""
    from filelock import FileLock

    from experiments import study

    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "quick-studies"
    shared.mkdir(exist_ok=True)

    def run(name: str) -> Path:
        out = shared / name
        with FileLock(str(shared / f"{name}.lock")):
            if not (out / "study.json").is_file():
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
        return out

    return run


@pytest.fixture(scope="session")
def sensitivity_quick(quick_study) -> Path:
    return quick_study("sensitivity")


@pytest.fixture(scope="session")
def discovery_quick(quick_study) -> Path:
    return quick_study("decisions")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """The statistics a test records (record_property) as text or built-in numbers, as
    --junitxml writes them: pytest-xdist sends reports between processes and cannot send
    numpy values."""
    outcome = yield
    report = outcome.get_result()
    report.user_properties = [(k, plain(v)) for k, v in report.user_properties]


def plain(value):
    """A recorded value as a built-in number or text."""
    if type(value) in (str, int, float, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)
