"""Where a replicate's parameter values come from: one precedence, resolved once.

Every behavioural magnitude the calibration estimates is declared ``calibrated`` in the
schema (sim/core/schema). A replicate's value of any key is, highest first:

1. **an explicit value**: a command-line override, a sweep's or a study's point, a value
   set with :func:`sim.run.config.with_values`. The key is *pinned* (``parameters.pinned``,
   computed once, when the configuration is loaded: :func:`pin`), and no table overrides it;
2. **the row of the parameter table** the replicate takes (``parameters.table``, by default
   the calibration's posterior sample ``conf/calibration/posterior.csv``), for the keys the
   table has: every calibrated knob (:class:`ReplicateConfigs`);
3. **the YAML** of ``conf/``: for a calibrated knob, its posterior median, which
   ``conf/calibrated.yaml`` holds, generated from the table (:func:`medians_yaml`;
   the only value used with ``parameters.table=null``).

A run's summary (``summary.json``, ``parameters``) and printout name the calibrated keys
an explicit value pinned (:func:`describe`).

A table (CSV or Parquet) has one column per dotted key of the configuration
(``states.blame_gain``, ``spoilers.attack_rate``, ...) and one row per parameter
vector. ``parameters.row`` says how replicates use it:

* ``row: null``: replicate *i* takes row *i* mod *n* (row *(i // per_row)* mod *n* with
  ``per_row`` > 1: that many replicates share each row, so that the spread across rows,
  the parameter uncertainty, can be told apart from chance). With the posterior sample the
  ensemble then carries parameter uncertainty as well as chance (docs/calibration.md).
  Replicate *i* takes the same row at every point of a sweep, so differences stay paired.
* ``row: k``: every replicate takes row *k*: one point of a design (the sensitivity
  study sweeps ``parameters.row`` over the rows of a SALib sample).

A row may also carry the history it was accepted with (the calibration's posterior
does): ``record_seed`` and ``record_day``. A replicate taking such a row replays that
history, drawn from ``record_seed``, up to ``record_day``, then goes on with its own
seed. Its first days then reproduce the record the row was calibrated to, and what
follows is its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..core.errors import ConfigError
from ..core.io import read_parquet
from ..core.schema import CONF_DIR, Config, field_at, leaves, set_values

#: Columns that are not configuration keys: the history a row was accepted with.
HISTORY = ("record_seed", "record_day")


@dataclass(frozen=True)
class History:
    seed: int  # the seed the history was drawn from
    day: int  # the last day of it; the replicate's own seed takes over after it


def resolve(path: str) -> Path:
    """An absolute path as is; a relative one under conf/ if it is there, else in the
    working folder."""
    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    return CONF_DIR / p if (CONF_DIR / p).exists() else Path.cwd() / p


def read_table(path: str, what: str = "parameters.table") -> pd.DataFrame:
    """The table named by ``parameters.table`` (or by the option ``what``), or
    :class:`ConfigError` saying why not."""
    file = resolve(path)
    if not file.exists():
        where = "" if Path(path).expanduser().is_absolute() else f" (looked in {CONF_DIR}, then the working folder)"
        raise ConfigError(f"{what}: '{path}' not found{where}.")
    return _read(str(file), file.stat().st_mtime_ns, what)


@lru_cache(maxsize=8)
def _read(file: str, mtime_ns: int, what: str) -> pd.DataFrame:
    try:
        table = read_parquet(file) if file.endswith(".parquet") else pd.read_csv(file)
    except Exception as err:  # corrupt or not a table
        raise ConfigError(f"{what}: cannot read '{file}': {type(err).__name__}: {err}") from None
    if table.empty:
        raise ConfigError(f"{what}: '{file}' has no rows.")
    bad = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    if bad:
        raise ConfigError(f"{what}: column(s) {', '.join(bad)} of '{file}' are not numbers.")
    if table.isna().any().any():
        raise ConfigError(f"{what}: '{file}' has empty cells.")
    for column in table.columns:  # 3.0 in an integer column, as spreadsheets write it
        if pd.api.types.is_float_dtype(table[column]) and (table[column] % 1 == 0).all():
            table[column] = table[column].astype(np.int64)
    if (HISTORY[0] in table.columns) != (HISTORY[1] in table.columns):
        raise ConfigError(f"{what}: '{file}' needs both {' and '.join(HISTORY)}, or neither.")
    return table


def table_digest(path: str) -> str:
    """sha256 of the table's bytes: part of a run's configuration fingerprint."""
    return hashlib.sha256(resolve(path).read_bytes()).hexdigest()


def _typed(value: Any) -> Any:
    """A numpy scalar as the plain Python number the schema expects (2.0 -> 2 for ints
    is done when the table is read: a column of whole numbers becomes integers there)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def keys_of(table: pd.DataFrame) -> list[str]:
    """The configuration keys a table sets (its columns but the history's)."""
    return [c for c in table.columns if c not in HISTORY]


def check(config: Config) -> None:
    """The table exists, every column is a known key, and its smallest and largest values
    pass the schema's type and range checks (ranges are intervals, so that suffices);
    ``parameters.row`` names an existing row."""
    p = config.parameters
    check_pinned(config)
    check_row(config)
    if p.table is None:
        return
    table = read_table(p.table)
    settings = [k for k in keys_of(table) if k.startswith(("run.", "parameters."))]
    if settings:
        raise ConfigError(
            f"parameters.table '{p.table}': {', '.join(settings)} are run settings, not model parameters; "
            "a table sets the model's parameters (states.*, spoilers.*, mvm.*, ...)."
        )
    check_row(config)
    for extreme in ("min", "max"):
        try:
            set_values(config, {k: _typed(getattr(table[k], extreme)()) for k in keys_of(table)}, validate=True)
        except ConfigError as err:
            raise ConfigError(f"parameters.table '{p.table}': {err}") from None
    if HISTORY[0] in table.columns:
        check_history(config, table)


def check_row(config: Config) -> None:
    """``parameters.row`` names a row of the table (or is null); a row without a table is refused."""
    p = config.parameters
    if p.table is None:
        if p.row is not None:
            raise ConfigError("parameters.row is set but parameters.table is null: name a table.")
        return
    n = len(read_table(p.table))
    if p.row is not None and p.row >= n:
        raise ConfigError(f"parameters.row: {p.row} is past the last row of '{p.table}' ({n} rows, 0 to {n - 1}).")


def check_pinned(config: Config) -> None:
    """Every pinned key is a key of the configuration (a typo would pin nothing)."""
    unknown = [k for k in config.parameters.pinned if field_at(k.split("."))[1]]
    if unknown:
        raise ConfigError(
            f"parameters.pinned: {', '.join(unknown)} {'is not a key' if len(unknown) == 1 else 'are not keys'} "
            "of the configuration (dotted keys such as spoilers.attack_rate; see docs/model.md)."
        )


def check_history(config: Config, table: pd.DataFrame) -> None:
    """The histories a table carries: seeds are seeds, and each history ends on a day
    after 0."""
    seeds, days = table[HISTORY[0]], table[HISTORY[1]]
    name = config.parameters.table
    if not pd.api.types.is_integer_dtype(seeds) or (seeds < 0).any():
        raise ConfigError(f"parameters.table '{name}': {HISTORY[0]} must be whole numbers >= 0 (seeds).")
    if not pd.api.types.is_integer_dtype(days) or (days < 1).any():
        raise ConfigError(f"parameters.table '{name}': {HISTORY[1]} must be whole days >= 1.")


def check_horizon(config: Config) -> None:
    """A run's horizon goes beyond the histories of its table: a replicate replays its
    row's history, then goes on with its own seed, so a history to the horizon or beyond
    would make every replicate of a row the same, whatever the seed. (Checked for runs;
    a caller of the library may replay histories to their end on purpose, as the
    calibration's tests do.)"""
    p = config.parameters
    if p.table is None:
        return
    table = read_table(p.table)
    if HISTORY[1] not in table.columns:
        return
    name, horizon, days = p.table, config.run.horizon_days, table[HISTORY[1]]
    if days.max() >= horizon:
        raise ConfigError(
            f"run.horizon_days={horizon} is not beyond the histories of parameters.table '{name}' (they run to day "
            f"{days.max()}): every replicate would replay its row's history to the horizon and the seed would have no "
            f"effect. Use a horizon above {days.max()}, or parameters.table=null for fixed parameters."
        )


def explicit_keys(overrides: Iterable[str]) -> list[str]:
    """The dotted keys command-line overrides set (Hydra's own and deletions aside; a
    config group's option is a choice of file, not a key)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides([o for o in overrides if not o.startswith("-")])
    keys = [ov.key_or_group.lstrip("+") for ov in parsed if not ov.is_delete()]
    return [k for k in keys if "." in k and not k.startswith("hydra.")]


def pin(config: Config, keys: Iterable[str]) -> Config:
    """Mark keys as set explicitly (precedence 1): the table will not override them."""
    if config.parameters.table is None:
        return config
    columns = set(keys_of(read_table(config.parameters.table)))
    new = sorted(set(config.parameters.pinned) | (set(keys) & columns))
    if new == list(config.parameters.pinned):
        return config
    return dataclasses.replace(config, parameters=dataclasses.replace(config.parameters, pinned=new))


def calibrated_keys(config: Config) -> list[str]:
    """The knobs the schema declares calibrated, in schema order."""
    return [leaf.key for leaf in leaves(config) if leaf.meta.get("calibrated")]


def medians(table: pd.DataFrame, config: Config) -> dict[str, int | float]:
    """Each calibrated knob's median over the table's rows (whole numbers for integer
    knobs), to 4 significant digits: the YAML's value of a calibrated knob."""
    values: dict[str, int | float] = {}
    for key in calibrated_keys(config):
        median = float(table[key].median())
        integer = field_at(key.split("."))[0] is int
        values[key] = int(round(median)) if integer else float(f"{median:.4g}")
    return values


def medians_yaml(table: pd.DataFrame, config: Config, source: str) -> str:
    """``conf/calibrated.yaml``: the calibrated knobs' medians (:func:`medians`) as
    a Hydra config merged at the root, each with its meaning from the schema (generated:
    written by ``python -m experiments.calibration --install``, checked by the tests)."""
    docs = {leaf.key: leaf.meta["doc"] for leaf in leaves(config)}
    lines = [
        "# @package _global_",
        f"# GENERATED by sim.run.parameters.medians_yaml from {source}: do not edit.",
        "# The posterior median of every calibrated knob (docs/calibration.md). Each replicate",
        "# draws these from parameters.table instead; the values here are used as they stand only",
        "# with parameters.table=null. To fix one in a run, give it on the command line (e.g.",
        "# spoilers.attack_rate=2): an explicit value wins over the table (sim/run/parameters.py).",
    ]
    written: list[str] = []
    for key, value in medians(table, config).items():
        *parents, leaf = key.split(".")
        same = next((i for i, (a, b) in enumerate(zip(parents, written, strict=False)) if a != b), None)
        common = min(len(parents), len(written)) if same is None else same
        for depth in range(common, len(parents)):
            lines.append(f"{'  ' * depth}{parents[depth]}:")
        written = parents
        lines.append(f"{'  ' * len(parents)}{leaf}: {value!r}".ljust(40) + f"  # {docs[key]}")
    return "\n".join(lines) + "\n"


def describe(config: Config) -> dict[str, Any]:
    """Where the parameters came from, for ``summary.json``: the table and how replicates
    take its rows, how many keys it draws, and the calibrated keys an explicit value pinned."""
    p = config.parameters
    if p.table is None:
        return {"table": None, "drawn": 0, "pinned_calibrated": []}
    columns = keys_of(read_table(p.table))
    calibrated = set(calibrated_keys(config))
    return {
        "table": p.table,
        "row": p.row,
        "per_row": p.per_row,
        "drawn": len([k for k in columns if k not in p.pinned]),
        "pinned_calibrated": [k for k in p.pinned if k in calibrated],
        "pinned_other": [k for k in p.pinned if k in columns and k not in calibrated],
    }


class ReplicateConfigs:
    """The configuration of each replicate: ``config`` with its table row applied
    (cached by row: a chunk of replicates builds each row's configuration once)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        p = config.parameters
        self.table = read_table(p.table) if p.table is not None else None
        self._cache: dict[int, Config] = {}
        # the columns the table sets (pinned keys left out) and the history, as arrays
        table, pinned = self.table, set(p.pinned)
        # (a float knob as floats, as the checked path builds it, even where the table holds
        # whole numbers)
        self._columns = (
            {}
            if table is None
            else {
                k: table[k].to_numpy(dtype=float if field_at(k.split("."))[0] is float else None)
                for k in keys_of(table)
                if k not in pinned
            }
        )
        self._history = None
        if table is not None and HISTORY[0] in table.columns:
            self._history = (table[HISTORY[0]].to_numpy(), table[HISTORY[1]].to_numpy())

    def row_of(self, replicate: int) -> int:
        """The table row replicate ``replicate`` takes; -1 without a table."""
        if self.table is None:
            return -1
        p = self.config.parameters
        return p.row if p.row is not None else (replicate // p.per_row) % len(self.table)

    def __call__(self, replicate: int) -> tuple[Config, int, History | None]:
        """The replicate's configuration, its row (-1 without a table), and the history
        the row was accepted with, if it carries one."""
        row = self.row_of(replicate)
        if row < 0:
            return self.config, row, None
        if row not in self._cache:
            self._cache[row] = set_values(self.config, {k: column[row].item() for k, column in self._columns.items()})
        history = None
        if self._history is not None:
            history = History(int(self._history[0][row]), int(self._history[1][row]))
        return self._cache[row], row, history
