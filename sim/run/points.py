"""A sweep's design, before any job runs: its points, the keys that vary, and the checks
that refuse a sweep that cannot be compared (every point composed and validated, one
horizon, a baseline that names a point)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from ..core.errors import ConfigError
from .config import check_overrides, load_config

KEYS_ENV = "CEASEFIRE_SIM_SWEEP_KEYS"
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
    """The keys whose value differs between points."""
    values: dict[str, set[str]] = {}
    for point in points:
        for ov in point:
            key, _, value = ov.partition("=")
            values.setdefault(key, set()).add(value)
    return [k for k, v in values.items() if len(v) > 1]


def job_label(overrides: Sequence[str]) -> str:
    """A job's overrides as the sweep's progress lines show them: the swept ones only."""
    keys = set(os.environ.get(KEYS_ENV, "").split())
    shown = [ov for ov in overrides if ov.partition("=")[0] in keys]
    return " ".join(shown or overrides)


def check_one_horizon(points: Sequence[Sequence[str]]) -> None:
    """Points must share one horizon: restricted means over different horizons differ by
    construction, and survival beyond the shorter one is unknown."""
    horizons = {ov.split("=", 1)[1] for point in points for ov in point if ov.split("=", 1)[0] == "run.horizon_days"}
    if len(horizons) > 1:
        raise ConfigError(
            f"run.horizon_days is swept ({', '.join(sorted(horizons))}): the points of a sweep must share one "
            "horizon to be compared; run one sweep per horizon."
        )


def validate_points(points: list[list[str]]) -> None:
    """Compose and check every point before any job starts; raise :class:`ConfigError`
    naming the point. A big sweep is checked one key at a time: every distinct value of
    a key, or only its smallest and largest where all are numbers (ranges are
    intervals), each on the first point."""
    from hydra import compose

    candidates = points if len(points) <= VALIDATE_ALL_UP_TO else _value_extremes(points)
    for point in candidates:
        check_overrides(["--multirun", *point])  # a point of a sweep
        try:
            cfg = compose(config_name="config", overrides=[*point])
        except Exception as err:  # Hydra's own composition errors
            raise ConfigError(f"sweep point {' '.join(point)}: {err}") from None
        try:
            load_config(cfg)
        except ConfigError as err:
            raise ConfigError(f"sweep point {' '.join(point)}: {err}") from None


def _value_extremes(points: list[list[str]]) -> list[list[str]]:
    """The first point, and for each position where the points differ the first point
    with that position's distinct values (numbers: the smallest and the largest)."""
    first = points[0]
    candidates = [first]
    for i in range(len(first)):
        values = {point[i] for point in points}
        if len(values) < 2:
            continue
        key = first[i].partition("=")[0]
        numbers = typed([v.partition("=")[2] for v in values])
        if all(isinstance(v, int | float) for v in numbers):
            values = {f"{key}={min(numbers)}", f"{key}={max(numbers)}"}
        candidates += [[*first[:i], ov, *first[i + 1 :]] for ov in sorted(values)]
    return candidates


def typed(values: Iterable[str]) -> list[Any]:
    """Override values as numbers when every value is a number, else as text."""
    values = list(values)
    parsed = [yaml.safe_load(v) if v is not None else None for v in values]
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in parsed):
        return parsed
    return [str(v) for v in values]


def same_value(a: str | None, b: str) -> bool:
    """Two override values are the same as YAML reads them (true = True, 1 = 1.0)."""
    if a is None:
        return False
    try:
        return a == b or yaml.safe_load(a) == yaml.safe_load(b)
    except yaml.YAMLError:
        return False


def parse_baseline(baseline: str) -> dict[str, str]:
    wanted = dict(part.strip().split("=", 1) for part in baseline.split(",") if "=" in part)
    if not wanted:
        raise ConfigError(f"baseline '{baseline}': give it as key=value[,key=value] (e.g. mvm=none).")
    return wanted


def check_baseline(baseline: str, points: Sequence[Sequence[str]]) -> None:
    """The baseline must name one of the sweep's points."""
    wanted = parse_baseline(baseline)
    for point in points:
        values = dict(ov.split("=", 1) for ov in point if "=" in ov)
        if all(same_value(values.get(k), v) for k, v in wanted.items()):
            return
    raise ConfigError(
        f"hydra.callbacks.sweep.baseline '{baseline}' matches no point of the sweep. "
        f"Points: {'; '.join(' '.join(p) for p in points[:10])}{' ...' if len(points) > 10 else ''}."
    )
