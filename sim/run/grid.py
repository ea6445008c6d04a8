"""A study's points as values: run in this process, or on a cluster by Hydra, read back by value.

:class:`Grid` declares a study's points: the cartesian product of the values of some keys
(a config group's option such as ``mvm``, or a dotted key such as ``mvm.penalty``), in the
order Hydra's basic sweeper runs them, plus settings every point shares and the baseline
the others are compared with. :func:`run_grid` runs the points into a sweep folder with
the run folder's contract (sim/run/folder.py: a complete point is skipped, so a study
resumes) and returns the sweep read back (:class:`sim.run.sweep_folder.Sweep`), each point
keyed by its values, typed as Hydra reads them.

The points run in this process's workers (a point a worker, as Hydra's joblib launcher
runs a sweep's jobs) unless a launcher is named (``hydra/launcher=slurm`` or ``ray``):
then ``python -m sim -m`` runs the same points as a Hydra multirun on it. Either way every
point goes through :func:`run_point`, into the same folders: a study started here can be
finished on a cluster, and the other way round.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError, UsageError
from ..core.io import write_json
from ..core.processes import parallel
from ..core.schema import Config
from .folder import check_not_in_source, lock
from .points import DESIGN, check_baseline, check_one_horizon, point_values, varying_keys
from .scenario import run_point
from .workers import available_cores

#: The most points a grid may have (a bigger study: several grids, or a cluster launcher).
MAX_POINTS = 10_000


def override(key: str, value: Any) -> str:
    """A value as Hydra's command line writes it: ``mvm.penalty=0.5``, ``x=null``, ``y=true``."""
    if value is None:
        return f"{key}=null"
    if isinstance(value, bool):
        return f"{key}={'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"{key}={value!r}"
    if isinstance(value, list | tuple):
        return f"{key}=[{','.join(override(key, v).partition('=')[2] for v in value)}]"
    text = str(value)
    plain = text.replace("_", "").replace("-", "").replace(".", "").replace("/", "").isalnum()
    return f"{key}={text}" if plain else f"{key}='{text}'"


@dataclass(frozen=True)
class Grid:
    """The points of a study: every combination of ``axes`` (key -> values, the last key
    varying fastest, as Hydra's basic sweeper orders them), each with ``fixed``; compared
    with the point whose values include ``baseline`` (the first point if None)."""

    axes: Mapping[str, Sequence[Any]]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    baseline: Mapping[str, Any] | None = None

    def sweep_overrides(self, extra: Sequence[str] = ()) -> list[str]:
        """The grid as ``python -m sim -m`` takes it (``key=a,b,c``), then ``extra``."""
        swept = [f"{k}={','.join(override(k, v).partition('=')[2] for v in values)}" for k, values in self.axes.items()]
        return [*swept, *(override(k, v) for k, v in self.fixed.items()), *extra]

    def jobs(self, extra: Sequence[str] = ()) -> list[list[str]]:
        """Every point's overrides, in Hydra's job order."""
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
        from hydra.core.override_parser.overrides_parser import OverridesParser

        parsed = OverridesParser.create().parse_overrides(self.sweep_overrides(extra))
        return [list(job) for batch in BasicSweeper.split_arguments(parsed, None) for job in batch]

    def baseline_text(self) -> str | None:
        """The baseline as the sweep callback takes it: ``key=value,key=value``."""
        if not self.baseline:
            return None
        return ",".join(override(k, v) for k, v in self.baseline.items())


def run_grid(
    grid: Grid,
    out: Path,
    extra: Sequence[str] = (),
    launcher: str | None = None,
    quiet: bool = False,
) -> Any:
    """Run every point of ``grid`` (with the command-line overrides ``extra``) into
    ``out`` and read the sweep back (:class:`sim.run.sweep_folder.Sweep`); points already
    complete there are skipped. ``launcher``: run it as a Hydra multirun on that launcher
    instead of in this process."""
    from .aggregate import aggregate

    jobs = grid.jobs(extra)
    if len(jobs) > MAX_POINTS:
        raise ConfigError(
            f"{len(jobs):,} points: more than {MAX_POINTS:,} in one grid. Split the study into several grids, "
            "or run it on a cluster launcher in parts."
        )
    if launcher is not None:
        return _run_on_launcher(grid, out, extra, launcher)
    check_one_horizon(jobs)
    configs = point_configs(jobs)
    baseline = grid.baseline_text()
    if baseline:
        check_baseline(baseline, jobs)
    check_not_in_source(out)
    lock(out)
    keys = varying_keys(jobs)
    write_json({"points": jobs, "keys": keys, "baseline": baseline}, out / DESIGN)
    for line in _run_jobs(jobs, configs, out, keys):
        if not quiet:
            print(line, flush=True)
    return aggregate(out, baseline, quiet=quiet)


def point_configs(jobs: list[list[str]]) -> list[Config]:
    """Each point's configuration, validated as it is built (a mistake names its point):
    composed by Hydra once for each combination of config group options (``mvm=joint``)
    and the settings every point shares, then its swept dotted keys set as values
    (:func:`sim.run.config.with_values`: the same configuration, with the same keys
    pinned, as composing the point, at a tenth of the cost)."""
    from .config import check_overrides, default_config, with_values

    varying = set(varying_keys(jobs))
    composed: dict[tuple[str, ...], Config] = {}
    configs = []
    for job in jobs:
        swept = [o for o in job if o.partition("=")[0] in varying and "." in o.partition("=")[0]]
        base = tuple(o for o in job if o not in swept)  # config groups and the settings all points share
        try:
            check_overrides(["--multirun", *job])
            if base not in composed:
                composed[base] = default_config(list(base))
            configs.append(with_values(composed[base], point_values(swept)))
        except ConfigError as err:
            raise ConfigError(f"point {' '.join(job)}: {err}") from None
    return configs


def _run_jobs(jobs: list[list[str]], configs: list[Config], out: Path, keys: list[str]) -> Iterator[str]:
    """Run the points, a worker process a point (each point's own replicates on its share
    of the cores); yield each point's line as it finishes, in job order."""
    cores = available_cores()
    concurrent = max(1, min(cores, len(jobs)))
    budget = max(1, cores // concurrent)
    tasks = (
        (config, out / str(num), num, overrides, keys, budget)
        for num, (overrides, config) in enumerate(zip(jobs, configs, strict=True))
    )
    from joblib import delayed

    yield from parallel((delayed(run_point)(*t) for t in tasks), concurrent, generator=True)


def _run_on_launcher(grid: Grid, out: Path, extra: Sequence[str], launcher: str) -> Any:
    """The same points as a Hydra multirun on ``launcher`` (``python -m sim -m``); exits
    with its code if it is refused before any point runs."""
    from .sweep_folder import load_sweep

    cmd = [sys.executable, "-m", "sim", "-m", *grid.sweep_overrides(extra), f"hydra/launcher={launcher}"]
    cmd.append(f"hydra.sweep.dir={out}")
    if grid.baseline_text():
        cmd.append(f"hydra.callbacks.sweep.baseline='{grid.baseline_text()}'")
    print(" ".join(cmd[1:]), flush=True)
    proc = subprocess.run(cmd)
    if proc.returncode == 2:
        raise UsageError(f"the sweep was refused (exit 2): {' '.join(cmd[1:])}")
    return load_sweep(out)
