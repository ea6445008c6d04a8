"""A sweep's points, before any job runs: their overrides and values, the keys that vary,
and the checks that refuse a sweep that cannot be compared (one horizon, a baseline that
names a point).

A sweep folder records its points in ``design.json`` (:data:`DESIGN`: written by the
sweep callback for ``python -m sim -m``, by :func:`sim.run.grid.run_grid` for a study)
and each job its own in ``point.json`` (:data:`POINT`); the reader
(sim/run/sweep_folder.py) keys the results by the values they hold.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError

#: The top of a sweep folder: every point's overrides, the keys that vary, the baseline.
DESIGN = "design.json"
#: A job's folder: its number and overrides.
POINT = "point.json"


def read_design(sweep_dir: Path) -> dict[str, Any] | None:
    """A sweep folder's design.json (None if it has none or it cannot be read)."""
    try:
        design = json.loads((Path(sweep_dir) / DESIGN).read_text())
    except (OSError, ValueError):
        return None
    return design if isinstance(design, dict) else None


#: Validate every point of sweeps up to this size; beyond it, every distinct value once.
VALIDATE_ALL_UP_TO = 64
#: The most points one sweep command runs on this machine, and on a cluster launcher.
MAX_POINTS = 10_000
MAX_CLUSTER_POINTS = 1_000_000
#: Launchers that run the jobs elsewhere (names on the command line, parts of their _target_).
CLUSTER_LAUNCHERS = ("slurm", "submitit_slurm", "ray", "ray_cluster", "ray_aws")
CLUSTER_TARGETS = ("SlurmLauncher", "RayLauncher", "RayAWSLauncher")


def sweep_points(cfg: Any) -> list[list[str]] | None:
    """The overrides of every job of a basic-sweeper multirun, in job order (as Hydra's
    BasicSweeper builds them from ``hydra.sweeper.params`` and the command line); None
    for another sweeper (Optuna, ...) whose points are not known in advance."""
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
    from hydra.core.override_parser.overrides_parser import OverridesParser

    if not str(cfg.hydra.sweeper.get("_target_", "")).endswith("BasicSweeper"):
        return None
    params = cfg.hydra.sweeper.get("params") or {}
    args = [f"{k}={v}" for k, v in params.items()] + list(cfg.hydra.overrides.task)
    overrides = OverridesParser.create().parse_overrides(args)
    cluster = any(t in str(cfg.hydra.launcher.get("_target_", "")) for t in CLUSTER_TARGETS)
    check_size(overrides, cluster)
    return [list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]


def point_values(overrides: Sequence[str]) -> dict[str, Any]:
    """A point's values by key, typed as Hydra reads its overrides (``null`` -> None,
    ``0.5`` -> 0.5, ``none`` -> 'none'); deletions are left out."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(list(overrides))
    return {ov.key_or_group: ov.value() for ov in parsed if not ov.is_delete()}


def sweep_length(override: Any) -> int:
    """How many values one parsed override takes (1 unless it is a sweep)."""
    from hydra.core.override_parser.types import ChoiceSweep, Glob, RangeSweep

    from ..core.schema import group_options

    if not override.is_sweep_override():
        return 1
    value = override.value()
    if isinstance(value, ChoiceSweep):
        return len(value.list)
    if isinstance(value, RangeSweep):
        if not value.step:
            return 0
        return max(0, math.ceil((value.stop - value.start) / value.step))
    if isinstance(value, Glob):
        return max(1, len(group_options(override.key_or_group)))
    return 1


def check_size(overrides: Sequence[Any], cluster: bool = False) -> int:
    """The number of points of a sweep (the product of its overrides' lengths), computed
    without building them; :class:`ConfigError` beyond :data:`MAX_POINTS`
    (:data:`MAX_CLUSTER_POINTS` on a cluster launcher)."""
    lengths = {ov.input_line: sweep_length(ov) for ov in overrides if ov.is_sweep_override()}
    size = math.prod(lengths.values())
    cap = MAX_CLUSTER_POINTS if cluster else MAX_POINTS
    if size > cap:
        sizes = " x ".join(f"{n:,} ({line})" for line, n in lengths.items())
        raise ConfigError(
            f"the sweep has {size:,} points ({sizes}); one sweep command runs at most {MAX_POINTS:,} on this machine "
            f"and {MAX_CLUSTER_POINTS:,} on a cluster launcher (hydra/launcher=slurm or ray_cluster: README, 'Sweeps "
            "on a cluster'). Split it into several sweeps, each with its own hydra.sweep.dir (e.g. "
            "run.seed='range(0,5000)', then run.seed='range(5000,10000)'), or run it on a cluster."
        )
    return size


def check_sweep_size(args: Sequence[str]) -> None:
    """The sweep a command line asks for is not too big (before Hydra builds its points)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    if "-m" not in args and "--multirun" not in args:
        return
    candidates = [a for a in args if not a.startswith("-") and "=" in a]
    overrides = OverridesParser.create().parse_overrides(candidates)
    launcher = next((str(ov.value()) for ov in overrides if ov.key_or_group == "hydra/launcher"), "")
    check_size(overrides, launcher in CLUSTER_LAUNCHERS)


def varying_keys(points: Sequence[Sequence[str]]) -> list[str]:
    """The keys whose value differs between points, in the order they were given."""
    values: dict[str, set[str]] = {}
    for point in points:
        for ov in point:
            key, _, value = ov.partition("=")
            values.setdefault(key, set()).add(value)
    return [k for k, v in values.items() if len(v) > 1]


def check_one_horizon(points: Sequence[Sequence[str]]) -> None:
    """Points must share one horizon: restricted means over different horizons differ by
    construction, and survival beyond the shorter one is unknown."""
    horizons = {ov.split("=", 1)[1] for point in points for ov in point if ov.split("=", 1)[0] == "run.horizon_days"}
    if len(horizons) > 1:
        raise ConfigError(
            f"run.horizon_days is swept ({', '.join(sorted(horizons))}): the points of a sweep must share one "
            "horizon to be compared; run one sweep per horizon."
        )


#: Validate every point of sweeps up to this size; beyond it, every distinct value once.
VALIDATE_ALL_UP_TO = 64


def validate_points(points: list[list[str]]) -> None:
    """Compose and check every point before any job starts; raise :class:`ConfigError`
    naming the point. A big sweep is checked one key at a time: every distinct value of
    a key, or only its smallest and largest where all are numbers (ranges are
    intervals), each on the first point."""
    from .config import check_overrides, default_config

    for point in points if len(points) <= VALIDATE_ALL_UP_TO else value_extremes(points):
        try:
            check_overrides(["--multirun", *point])  # a point of a sweep
            default_config(point)
        except ConfigError as err:
            raise ConfigError(f"sweep point {' '.join(point)}: {err}") from None
        except Exception as err:  # Hydra's own composition errors
            raise ConfigError(f"sweep point {' '.join(point)}: {err}") from None


def value_extremes(points: list[list[str]]) -> list[list[str]]:
    """The first point, and for each position where the points differ the first point
    with that position's distinct values (numbers: the smallest and the largest)."""
    first = points[0]
    candidates = [first]
    for i in range(len(first)):
        values = {point[i] for point in points}
        if len(values) < 2:
            continue
        key = first[i].partition("=")[0]
        numbers = [point_values([v])[key] for v in values]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
            values = {f"{key}={min(numbers)}", f"{key}={max(numbers)}"}
        candidates += [[*first[:i], ov, *first[i + 1 :]] for ov in sorted(values)]
    return candidates


def same_value(a: Any, b: Any) -> bool:
    """Two values of a key are the same (None matches a missing value, NaN)."""
    missing = [v is None or (isinstance(v, float) and v != v) for v in (a, b)]
    if any(missing):
        return all(missing)
    return bool(a == b)


def parse_baseline(baseline: str) -> dict[str, Any]:
    """``key=value[,key=value]`` as typed values."""
    parts = [part.strip() for part in baseline.split(",") if "=" in part]
    if not parts:
        raise ConfigError(f"baseline '{baseline}': give it as key=value[,key=value] (e.g. mvm=none).")
    try:
        return point_values(parts)
    except Exception as err:  # Hydra's grammar
        raise ConfigError(f"baseline '{baseline}' cannot be read: {err}") from None


def check_baseline(baseline: str, points: Sequence[Sequence[str]]) -> None:
    """The baseline must name one of the sweep's points."""
    wanted = parse_baseline(baseline)
    for point in points:
        values = point_values(point)
        if all(same_value(values.get(k), v) for k, v in wanted.items()):
            return
    raise ConfigError(
        f"hydra.callbacks.sweep.baseline '{baseline}' matches no point of the sweep. "
        f"Points: {'; '.join(' '.join(p) for p in points[:10])}{' ...' if len(points) > 10 else ''}."
    )
