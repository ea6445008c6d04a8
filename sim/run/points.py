"""A sweep's design, before any job runs: its points, the keys that vary, and the checks
that refuse a sweep that cannot be compared (every point composed and validated, one
horizon, a baseline that names a point)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from ..core.errors import ConfigError
from .config import check_overrides, load_config

KEYS_ENV = "CEASEFIRE_SIM_SWEEP_KEYS"
#: Validate every point of sweeps up to this size; beyond it, every distinct value once.
VALIDATE_ALL_UP_TO = 64


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
    return [list(job) for batch in BasicSweeper.split_arguments(overrides, None) for job in batch]


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
