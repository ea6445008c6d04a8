"""The Hydra callback of every sweep (``hydra.callbacks.sweep`` in conf/config.yaml)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback

from ..core.errors import ConfigError, fail
from ..core.io import write_json, write_text
from .aggregate import ACTIVE, aggregate
from .folder import FAILED
from .points import (
    DESIGN,
    check_baseline,
    check_one_horizon,
    sweep_points,
    validate_points,
    varying_keys,
)
from .workers import JOBLIB_LAUNCHER, SWEEP_PID_ENV, arm_launcher_workers, disarm_launcher_workers


class SweepCallback(Callback):
    """Hydra callback: checks every point before a sweep starts, records failed jobs,
    and aggregates the sweep when it ends.

    Configured in ``conf/config.yaml`` under ``hydra.callbacks.sweep``; ``baseline``
    names the baseline point; on the command line its value needs quotes because it
    holds an '=': ``'hydra.callbacks.sweep.baseline="mvm=none"'``.
    """

    def __init__(self, baseline: str | None = None) -> None:
        self.baseline = baseline

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        """Check every point, then record the design (design.json: the points, the keys
        that vary, the baseline), which the jobs and the sweep's reader read."""
        ACTIVE.clear()
        sweep_dir = Path(config.hydra.sweep.dir)
        try:
            points = sweep_points(config)
            check_job_folders(sweep_dir, len(points or []))
            if points:
                check_one_horizon(points)
                validate_points(points)
                if self.baseline:
                    check_baseline(self.baseline, points)
        except ConfigError as err:
            fail(err)
        write_json(
            {"points": points, "keys": varying_keys(points or []), "baseline": self.baseline}, sweep_dir / DESIGN
        )
        os.environ[SWEEP_PID_ENV] = str(os.getpid())  # a job in a worker process dies with the sweep
        if config.hydra.launcher.get("_target_") == JOBLIB_LAUNCHER:
            arm_launcher_workers()  # ... from the moment its worker starts
        ACTIVE.update(dir=sweep_dir, baseline=self.baseline)
        if points:
            print(f"Sweep of {len(points)} points into {config.hydra.sweep.dir}", flush=True)

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        from hydra.core.utils import JobStatus

        if job_return.status == JobStatus.FAILED:
            out_dir = Path(config.hydra.runtime.output_dir)
            err = job_return._return_value
            write_text(f"{type(err).__name__}: {err}\n", out_dir / FAILED)

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        ACTIVE.clear()
        disarm_launcher_workers()
        try:
            aggregate(Path(config.hydra.sweep.dir), self.baseline)
        except Exception as err:  # every job finished; say why their summary is missing
            print(
                f"ceasefire-sim: the jobs finished but the sweep cannot be aggregated: {type(err).__name__}: {err}",
                file=sys.stderr,
            )
            sys.exit(1)


def check_job_folders(sweep_dir: Path, points: int) -> None:
    """Every job's folder (hydra.sweep.dir/<job number>) can be made: no file in its way."""
    blocked = [
        str(sweep_dir / str(i))
        for i in range(points)
        if (sweep_dir / str(i)).exists() and not (sweep_dir / str(i)).is_dir()
    ]
    if blocked:
        raise ConfigError(f"job folders are blocked by files: {', '.join(blocked[:5])}; move them away.")
