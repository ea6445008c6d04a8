"""Helpers shared by the tests that drive the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml


def sim(*args: str, cwd: Path | None = None, module: str = "sim", timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m <module> args`` as a user would; capture its output."""
    return subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )


#: The calibrated knobs at the values the mechanisms' tests were written for (tests/assumed.yaml).
ASSUMED: dict = yaml.safe_load((Path(__file__).resolve().parent / "assumed.yaml").read_text())


def assumed(config):
    """``config`` without the parameter table, its calibrated knobs at :data:`ASSUMED`: a
    fixed regime for tests of a mechanism, which the calibration does not move."""
    from sim.run.config import with_values

    return with_values(config, {"parameters.table": None, **ASSUMED})
