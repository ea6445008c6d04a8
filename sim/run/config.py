"""The configuration as a run sees it: composed by Hydra, validated, and checked before
anything runs.

:func:`load_config` turns a composed Hydra config into the typed :class:`Config` of
:mod:`sim.core.schema` and checks what the schema alone cannot: the registered mechanism
design and mediator kinds, and the parameter table. :func:`check_overrides` checks
command-line overrides before Hydra composes anything, so that an unknown key or config
option is reported the same way (one paragraph, exit 2); :func:`check_launcher` and
:func:`check_output_dirs` check the launcher and the output folders.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError
from ..core.schema import (
    CONF_DIR,
    CONFIG_GROUPS,
    Config,
    build,
    field_at,
    group_options,
    keys_under,
    set_values,
    to_dict,
)
from ..model.mediators import MEDIATOR_KINDS
from ..model.monitor import DESIGNS
from . import parameters


def load_config(cfg: Any, overrides: Iterable[str] = ()) -> Config:
    """Validate a composed Hydra config (DictConfig or dict) and return the typed Config,
    with the keys ``overrides`` set explicitly pinned (sim/run/parameters.py: an explicit
    value wins over the parameter table).

    The ``hydra`` node, if present, is Hydra's own and is ignored.
    """
    from omegaconf import DictConfig, OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(cfg, DictConfig):
        try:
            data = OmegaConf.to_container(cfg, resolve=True)
        except OmegaConfBaseException as err:
            raise ConfigError(f"the configuration cannot be resolved: {err}") from None
    else:
        data = dict(cfg)
    data.pop("hydra", None)
    normalise_by(data)
    config = build(Config, forecast_text(data))
    check_implementations(config)
    check_by(config)
    parameters.check(config)
    parameters.check_horizon(config)
    check_forecast(config)
    return parameters.pin(config, parameters.explicit_keys(overrides))


def forecast_text(data: dict) -> dict:
    """``forecast.as_of=17`` is an integer to Hydra; the schema declares days and dates
    alike as text (sim/run/forecast.py reads both)."""
    forecast = data.get("forecast")
    if isinstance(forecast, dict):
        for key in FORECAST_DAYS:
            if key in forecast:
                forecast[key] = day_text(forecast[key])
    return data


#: The forecast's settings that hold a day or a date (or a list of them), as text.
FORECAST_DAYS = ("as_of", "record_to", "origins")


def day_text(value: Any) -> Any:
    """A day number as text (``14`` -> ``"14"``), in a list too; anything else as it is."""
    if isinstance(value, list | tuple):
        return [day_text(v) for v in value]
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def check_forecast(config: Config) -> None:
    """A forecast's record, its day and origins (sim/run/forecast.py), checked when they
    are set: the record read and checked in full, the days within it."""
    f = config.forecast
    if f.record is not None or f.counts is not None or f.as_of is not None or f.origins or f.record_to is not None:
        from .forecast import plan

        plan(config)


def normalise_by(data: dict[str, Any]) -> None:
    """``run.by`` as a list of strings, however it was written: one date (run.by=2026-01-31),
    a day number Hydra reads as an integer (run.by=90), or a list of either."""
    run = data.get("run")
    if not isinstance(run, dict) or run.get("by") is None:
        return
    by = run["by"]
    run["by"] = [str(b) for b in by] if isinstance(by, list | tuple) else [str(by)]


def check_by(config: Config) -> None:
    """Every day ``run.by`` asks for is a date or a day number within the horizon."""
    from ..core.dates import parse_day

    for text in config.run.by:
        try:
            day = parse_day(text, config.scenario.start_date)
        except ValueError as err:
            raise ConfigError(f"run.by: {err}.") from None
        if day > config.run.horizon_days:
            raise ConfigError(
                f"run.by: {text} is day {day}, beyond the horizon (run.horizon_days={config.run.horizon_days}); "
                "ask for a day within it, or lengthen the horizon."
            )


def check_implementations(config: Config) -> None:
    """The mechanism design and every mediator's kind name a registered implementation."""
    if config.mvm.design not in DESIGNS:
        raise ConfigError(
            f"mvm.design: unknown design '{config.mvm.design}'. Registered (sim/model/monitor.py): "
            f"{', '.join(sorted(DESIGNS))}."
        )
    for name, m in config.mediation.mediators.items():
        if m.kind not in MEDIATOR_KINDS:
            raise ConfigError(
                f"mediation.mediators.{name}.kind: unknown kind '{m.kind}'. Registered "
                f"(sim/model/mediators.py): {', '.join(sorted(MEDIATOR_KINDS))}."
            )


def default_config(overrides: list[str] | None = None) -> Config:
    """The default configuration with ``overrides``, composed by Hydra from conf/ and
    validated (inside a running Hydra app too: a sweep's callback checks its points)."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    overrides = list(overrides or [])
    if GlobalHydra.instance().is_initialized():
        return load_config(compose("config", overrides=overrides), overrides)
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return load_config(compose("config", overrides=overrides), overrides)


def with_values(config: Config, values: Mapping[str, Any]) -> Config:
    """A copy of ``config`` with dotted keys set (``{"mvm.penalty": 0.9}``), re-validated.
    Keys set here are pinned: a parameter table does not override them."""
    values = {k: day_text(v) if k.removeprefix("forecast.") in FORECAST_DAYS else v for k, v in values.items()}
    config = set_values(config, values, validate=True)
    check_implementations(config)
    if "parameters.table" in values or "parameters.pinned" in values:  # a new table: check it all
        parameters.check(config)
    elif "parameters.row" in values:  # the same table: the row must be one of its rows
        parameters.check_row(config)
    return parameters.pin(config, values)


#: The command-line keys that name an output folder.
OUTPUT_DIR_KEYS = ("hydra.run.dir", "hydra.sweep.dir")


def named_dirs(args: Iterable[str]) -> dict[str, str | None]:
    """The output folders named on the command line, as Hydra reads them (quotes and
    escapes removed: ``"hydra.run.dir='/tmp/with space'"`` names ``/tmp/with space``);
    None for a folder Hydra names only when it runs (an interpolation such as
    ``${now:%H}``). An empty or null value is ``""``."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    candidates = [a for a in args if a.partition("=")[0].lstrip("+") in OUTPUT_DIR_KEYS]
    named: dict[str, str | None] = {}
    for ov in OverridesParser.create().parse_overrides(candidates):
        value = "" if ov.value() is None else str(ov.value())
        named[ov.key_or_group] = None if "${" in value else value
    return named


def check_output_dirs(args: Iterable[str]) -> None:
    """An output folder given with hydra.run.dir or hydra.sweep.dir must be one a run may
    write into (sim/run/places.py) and one that can be made and written here."""
    from .places import check_out_dir

    for key, value in named_dirs(args).items():
        if value is not None:
            check_out_dir(value, key)


#: Hydra's flags that name a folder of configs.
CONFIG_DIR_FLAGS = ("--config-dir", "-cd", "--config-path", "-cp")


def check_config_name(args: Sequence[str]) -> None:
    """``--config-dir``/``--config-path`` must be folders, and ``--config-name``/``-cn``
    must name a primary config of conf/ (or of those folders)."""
    dirs = [CONF_DIR]
    for value in _flag_values(args, CONFIG_DIR_FLAGS):
        folder = Path(value).expanduser()
        if not folder.is_dir():
            raise ConfigError(f"--config-dir/--config-path {value}: no such folder. Give a folder of configs.")
        dirs.append(folder)
    for name in _flag_values(args, ("--config-name", "-cn")):
        if not any(is_primary(d / f"{name.removesuffix('.yaml')}.yaml") for d in dirs):
            available = sorted(p.stem for d in dirs if d.is_dir() for p in d.glob("*.yaml") if is_primary(p))
            raise ConfigError(
                f"--config-name {name}: no such primary config in {', '.join(str(d) for d in dirs)}. "
                f"Available: {', '.join(available) or 'none'} (the default is config)."
            )


def is_primary(path: Path) -> bool:
    """A YAML file that can be a run's config: not a fragment of one (such as
    conf/calibrated.yaml, a ``# @package`` file the defaults list includes)."""
    if not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as f:
        return not f.readline().lstrip().startswith("# @package")


def _flag_values(args: Sequence[str], flags: tuple[str, ...]) -> list[str]:
    """The values of a flag given as ``--flag VALUE`` or ``--flag=VALUE``."""
    values = []
    for i, arg in enumerate(args):
        flag, eq, value = arg.partition("=")
        if flag in flags and eq:
            values.append(value)
        elif arg in flags and i + 1 < len(args):
            values.append(args[i + 1])
    return values


#: Launchers that come with an optional extra: (plugin module, extra).
LAUNCHER_EXTRAS = {
    "slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "submitit_slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "submitit_local": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
    "ray": ("hydra_plugins.hydra_ray_launcher", "ray"),
    "ray_cluster": ("hydra_plugins.hydra_ray_launcher", "ray"),
    "ray_aws": ("hydra_plugins.hydra_ray_launcher", "ray"),
}


def check_launcher(name: str) -> None:
    """The launcher must exist, its optional extra be installed, and SLURM be there."""
    import importlib.util
    import shutil

    known = sorted({"basic", "joblib", *LAUNCHER_EXTRAS, *group_options("hydra/launcher")})
    if name not in known:
        raise ConfigError(f"unknown launcher '{name}' for hydra/launcher. Available: {', '.join(known)}.")
    if name in LAUNCHER_EXTRAS:
        module, extra = LAUNCHER_EXTRAS[name]
        if importlib.util.find_spec(module) is None:
            raise ConfigError(
                f"hydra/launcher={name} needs the '{extra}' extra: pip install -e '.[{extra}]' (see docs/cluster.md)."
            )
    if name in ("slurm", "submitit_slurm") and shutil.which("sbatch") is None:
        raise ConfigError(
            f"hydra/launcher={name} submits to SLURM, but this machine has no SLURM (no sbatch on PATH). "
            "Run it on the cluster's login node, or try the sweep here with hydra/launcher=submitit_local."
        )


#: Config groups whose default is no option at all (``whatif: null`` in conf/config.yaml).
OPTIONAL_GROUPS = ("whatif",)


def check_overrides(args: Iterable[str]) -> None:
    """Check the keys and config options of command-line overrides before Hydra runs.

    Values are checked after composition by :func:`load_config`; here we catch what
    Hydra would otherwise report without saying what is allowed.
    """
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    args = list(args)
    multirun = "-m" in args or "--multirun" in args
    candidates = [a for a in args if not a.startswith("-") and ("=" in a or a.startswith("~"))]
    try:
        overrides = OverridesParser.create().parse_overrides(candidates)
    except HydraException as err:
        hint = ""
        if "mismatched input '='" in str(err):
            hint = " A value that holds an '=' needs quotes, e.g. 'hydra.callbacks.sweep.baseline=\"mvm=none\"'."
        raise ConfigError(f"cannot read the command-line overrides: {err}.{hint}") from None
    for ov in overrides:
        key = ov.key_or_group
        if ov.is_sweep_override() and not multirun:
            raise ConfigError(
                f"{ov.input_line}: several values make a sweep; add -m (python -m sim -m {ov.input_line}) "
                "or give one value."
            )
        if key == "hydra/launcher":
            check_launcher(str(ov.value()))
        if key == "hydra" or key.startswith(("hydra.", "hydra/")):
            continue
        if key in CONFIG_GROUPS and not ov.is_delete():
            options = group_options(key)
            values = ov.value()
            chosen = list(values.list) if ov.is_sweep_override() and hasattr(values, "list") else [values]
            for option in chosen:
                if option is None and key in OPTIONAL_GROUPS:
                    raise ConfigError(
                        f"{key}=null: Hydra cannot set a config group to null on the command line; for no "
                        f"{key}, leave it out or give {key}=none."
                    )
                if str(option) not in options:
                    raise ConfigError(
                        f"unknown option '{option}' for config group '{key}'. Available: {', '.join(options)}."
                    )
            continue
        path = key.split(".")
        tp, bad = field_at(path)
        if bad:
            parent = bad[:-1]
            where = f"'{'.'.join(parent)}'" if parent else "the top level"
            raise ConfigError(f"unknown key '{key}'. Allowed keys under {where}: {keys_under(parent)}.")
        if typing.get_origin(tp) is dict and not ov.is_delete() and ov.value() == {}:
            raise ConfigError(
                f"{ov.input_line}: Hydra merges a mapping into the one in the config, so {{}} would change nothing. "
                f"To remove one entry: ~{key}.NAME (e.g. ~{key}.{_first_entry(key)}); to choose another set, pick "
                f"another option of the config group {path[0]} ({', '.join(group_options(path[0]))})."
            )


def _first_entry(key: str) -> str:
    """The first entry of a mapping in the default configuration, for a message."""
    try:
        node: Any = to_dict(default_config())
        for part in key.split("."):
            node = node[part]
        return next(iter(node))
    except (ConfigError, KeyError, StopIteration, TypeError):
        return "NAME"


def run_overrides(args: Iterable[str]) -> list[str]:
    """The configuration's overrides of a command line (not Hydra's own, not flags)."""
    return [
        a
        for a in args
        if not a.startswith("-") and ("=" in a or a.startswith("~")) and not a.lstrip("+~").startswith("hydra")
    ]


def check_cfg_print(args: Iterable[str]) -> None:
    """``--cfg``/``-c`` prints the composed configuration without running anything:
    check it first, so that what is printed is a configuration that would run."""
    args = list(args)
    if not any(a in ("--cfg", "-c") or a.startswith("--cfg=") for a in args) or "-m" in args or "--multirun" in args:
        return
    default_config(run_overrides(args))
