"""Tables of parameter values: a replicate takes its behavioural parameters from a row.

A table (CSV or Parquet) has one column per dotted key of the configuration
(``states.blame_gain``, ``spoilers.attack_rate``, ...) and one row per parameter
vector. ``parameters.table`` names it; ``parameters.row`` says how replicates use it:

* ``row: null``: replicate *i* takes row *i* mod *n*. With the posterior sample of the
  calibration (``conf/calibration/posterior.csv``, the default) the ensemble then carries
  parameter uncertainty as well as chance (docs/calibration.md). Replicate *i* takes the
  same row at every point of a sweep, so differences stay paired.
* ``row: k``: every replicate takes row *k*: one point of a design (the sensitivity
  study sweeps ``parameters.row`` over the rows of a SALib sample).

A row may also carry the history it was accepted with (the calibration's posterior
does): ``record_seed`` and ``record_day``. A replicate taking such a row replays that
history, drawn from ``record_seed``, up to ``record_day``, then goes on with its own
seed. Its first days then reproduce the record the row was calibrated to, and what
follows is its own.

A key set explicitly (on the command line, by a sweep, or with
:func:`sim.run.config.with_values`) is *pinned*: the table does not override it, so
``python -m sim spoilers.attack_rate=0.3`` means what it says even when the table
draws the attack rate.
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
from ..core.schema import CONF_DIR, Config, field_at, set_values

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
    if p.table is None:
        if p.row is not None:
            raise ConfigError("parameters.row is set but parameters.table is null: name a table.")
        return
    table = read_table(p.table)
    settings = [k for k in keys_of(table) if k.startswith(("run.", "parameters."))]
    if settings:
        raise ConfigError(
            f"parameters.table '{p.table}': {', '.join(settings)} are run settings, not model parameters; "
            "a table sets the model's parameters (states.*, spoilers.*, mvm.*, ...)."
        )
    if p.row is not None and p.row >= len(table):
        raise ConfigError(
            f"parameters.row: {p.row} is past the last row of '{p.table}' ({len(table)} rows, 0 to {len(table) - 1})."
        )
    for extreme in ("min", "max"):
        try:
            set_values(config, {k: _typed(getattr(table[k], extreme)()) for k in keys_of(table)}, validate=True)
        except ConfigError as err:
            raise ConfigError(f"parameters.table '{p.table}': {err}") from None
    if HISTORY[0] in table.columns:
        check_history(config, table)


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


def pin(config: Config, keys: Iterable[str]) -> Config:
    """Mark keys as set explicitly: the table will not override them."""
    if config.parameters.table is None:
        return config
    columns = set(keys_of(read_table(config.parameters.table)))
    new = sorted(set(config.parameters.pinned) | (set(keys) & columns))
    if new == list(config.parameters.pinned):
        return config
    return dataclasses.replace(config, parameters=dataclasses.replace(config.parameters, pinned=new))


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
        fixed = self.config.parameters.row
        return fixed if fixed is not None else replicate % len(self.table)

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
