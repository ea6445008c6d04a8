"""Helpers shared by the tests that drive the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def sim(*args: str, cwd: Path | None = None, module: str = "sim", timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``python -m <module> args`` as a user would; capture its output."""
    return subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout
    )
