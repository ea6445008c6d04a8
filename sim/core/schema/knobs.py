"""Declaring a knob and checking values against the declarations.

:func:`knob` declares a schema field (meaning, range, unit, source, sensitivity range,
role); :func:`build` turns a plain mapping into the frozen dataclasses, or raises
:class:`ConfigError` with one paragraph that names the key and what is allowed;
:func:`leaves` walks a config's leaves with their declarations; :func:`set_values` sets
dotted keys.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import ConfigError


def knob(
    doc: str,
    *,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "",
    source: str = "assumption",
    sa: tuple[float, float] | None = None,
    forbid: tuple = (),
    lever: bool = False,
    deep: tuple[float, float] | None = None,
    calibrated: bool = False,
) -> Any:
    """A schema field: meaning, allowed range [lo, hi], unit, source, sensitivity range,
    and its role: a ``lever`` (a choice the parties or mediators make: decision support,
    sim/analysis/discovery.py), a ``deep`` uncertainty with its plausible range (something
    neither they control nor the record of 2025 informs), or ``calibrated``: a behavioural
    magnitude the calibration estimates from the record (its prior is the sensitivity
    range ``sa``), drawn per replicate from ``parameters.table`` (sim/run/resolve.py)."""
    if calibrated and (sa is None or lever or deep is not None):
        raise ValueError(
            f"a calibrated knob needs a sensitivity range (its prior) and is neither lever nor deep: {doc}"
        )
    return field(
        metadata={
            "doc": doc,
            "lo": lo,
            "hi": hi,
            "unit": unit,
            "source": source,
            "sa": sa,
            "forbid": forbid,
            "lever": lever,
            "deep": deep,
            "calibrated": calibrated,
        }
    )


@functools.cache
def type_hints(cls: type) -> dict[str, Any]:
    """A dataclass's field types (``typing.get_type_hints``, resolved once per class: it
    costs about 0.3 ms a call, and the schema is walked for every replicate's checks)."""
    return typing.get_type_hints(cls)


def _optional_of(tp: Any) -> Any:
    """``X`` for ``X | None``; None for any other type."""
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        return next(a for a in args if a is not type(None))
    return None


def _describe(tp: Any) -> str:
    if _optional_of(tp) is not None:
        return _describe(_optional_of(tp)) + " or null"
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if dataclasses.is_dataclass(tp):
        return "a mapping with keys " + ", ".join(f.name for f in dataclasses.fields(tp))
    if origin in (list, dict):
        return {list: "a list", dict: "a mapping"}[origin]
    return {bool: "true or false", int: "an integer", float: "a number", str: "a string"}.get(tp, str(tp))


def _range_text(meta: Mapping[str, Any]) -> str:
    lo, hi = meta.get("lo"), meta.get("hi")
    if lo is None and hi is None:
        return ""
    text = f" in [{lo:g}, {hi:g}]"
    if meta.get("forbid"):
        text += " except " + ", ".join(str(v) for v in meta["forbid"])
    return text


def _coerce(tp: Any, value: Any, key: str, meta: Mapping[str, Any]) -> Any:
    """Check one value against its declared type and range; return the typed value."""
    if _optional_of(tp) is not None:
        return None if value is None else _coerce(_optional_of(tp), value, key, meta)
    origin = typing.get_origin(tp)
    allowed = _describe(tp) + _range_text(meta)
    wrong = ConfigError(f"{key}: got {value!r}, expected {allowed}.")
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise wrong
        return build(tp, value, key)
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(value, list | tuple):
            raise wrong
        return [_coerce(item_tp, v, f"{key}[{i}]", {}) for i, v in enumerate(value)]
    if origin is dict:
        _, item_tp = typing.get_args(tp)
        if not isinstance(value, Mapping):
            raise wrong
        return {str(k): _coerce(item_tp, v, f"{key}.{k}", {}) for k, v in value.items()}
    if origin is Literal:
        if value not in typing.get_args(tp):
            raise wrong
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise wrong
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong
    elif tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong
        value = float(value)
    elif tp is str:
        if not isinstance(value, str):
            raise wrong
        return value
    lo, hi = meta.get("lo"), meta.get("hi")
    if value != value or (lo is not None and value < lo) or (hi is not None and value > hi):
        raise wrong
    if value in meta.get("forbid", ()):
        raise wrong
    return value


def build(cls: type, data: Mapping[str, Any], path: str = "") -> Any:
    """Build dataclass ``cls`` from a plain mapping, checking keys, types and ranges."""
    hints = type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    where = f"'{path}'" if path else "the top level"
    for key in data:
        if key not in names:
            full = f"{path}.{key}" if path else str(key)
            raise ConfigError(f"unknown key '{full}'. Allowed keys under {where}: {', '.join(names)}.")
    values = {}
    for f in dataclasses.fields(cls):
        full = f"{path}.{f.name}" if path else f.name
        if f.name not in data:
            raise ConfigError(f"missing key '{full}': expected {_describe(hints[f.name])}.")
        values[f.name] = _coerce(hints[f.name], data[f.name], full, f.metadata)
    return cls(**values)


def to_dict(config: Any) -> dict[str, Any]:
    """The plain-dict form of a Config (for YAML, JSON and the parameter table)."""
    return dataclasses.asdict(config)


@dataclass(frozen=True)
class Leaf:
    """One leaf of a config: its dotted key, value, declared type and declaration
    (the ``knob`` metadata: doc, lo, hi, unit, source, sa, forbid)."""

    key: str
    value: Any
    type: Any
    meta: Mapping[str, Any]


def leaves(obj: Any, prefix: str = "") -> Iterator[Leaf]:
    """Every leaf of a config in schema order; entries of a mapping of sections (the
    crossings, the mediators) under their names; a list (the rounds) is one leaf."""
    hints = type_hints(type(obj))
    for f in dataclasses.fields(obj):
        key = f"{prefix}{f.name}"
        value = getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            yield from leaves(value, f"{key}.")
        elif isinstance(value, dict) and all(dataclasses.is_dataclass(v) for v in value.values()):
            for name, entry in value.items():
                yield from leaves(entry, f"{key}.{name}.")
        else:
            yield Leaf(key, value, hints[f.name], f.metadata)


def set_values[C](config: C, values: Mapping[str, Any], validate: bool = False) -> C:
    """``config`` with dotted keys replaced.

    With ``validate`` the whole tree is built again and checked (:func:`build`). Without,
    the values are trusted (a parameter table, whose every column was checked at its
    smallest and largest value when the run was loaded): each section that changes is
    copied once and its fields set, without running the dataclasses' checks again (a
    replicate's configuration in about 20 us rather than 300).
    """
    if validate:
        data = to_dict(config)
        for dotted, value in values.items():
            *parents, leaf = dotted.split(".")
            node = data
            for part in parents:
                if not isinstance(node, dict) or part not in node:
                    raise ConfigError(f"unknown key '{dotted}'.")
                node = node[part]
            if not isinstance(node, dict) or leaf not in node:
                raise ConfigError(f"unknown key '{dotted}'.")
            node[leaf] = value
        return build(type(config), data)
    return _with_changes(config, _sections(tuple(values)), values)


@dataclass(frozen=True)
class _Section:
    """Where the dotted keys set under one section go: its own fields (name, dotted key)
    and its sections that change (name, section)."""

    fields: tuple[tuple[str, str], ...]
    sections: tuple[tuple[str, _Section], ...]


@functools.lru_cache(maxsize=16)
def _sections(keys: tuple[str, ...]) -> _Section:
    """The dotted ``keys`` as a tree of sections, split once for every row that sets the
    same keys (a parameter table's, the calibration's histories': half the cost of
    setting them)."""
    tree: dict[str, Any] = {}
    for dotted in keys:
        *parents, leaf = dotted.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = dotted  # a field (its dotted key); a dict is a section
    return _frozen(tree)


def _frozen(tree: dict[str, Any]) -> _Section:
    return _Section(
        tuple((name, v) for name, v in tree.items() if isinstance(v, str)),
        tuple((name, _frozen(v)) for name, v in tree.items() if isinstance(v, dict)),
    )


def _with_changes(node: Any, section: _Section, values: Mapping[str, Any]) -> Any:
    current = node if isinstance(node, dict) else vars(node)
    updates = {name: values[dotted] for name, dotted in section.fields}
    for name, sub in section.sections:
        updates[name] = _with_changes(current[name], sub, values)
    if isinstance(node, dict):
        return {**node, **updates}
    return _replaced(node, updates)


def _replaced(node: Any, updates: dict[str, Any]) -> Any:
    """A frozen dataclass with some fields replaced, its checks not run again: a new
    instance given the old one's attributes, then the updates (what ``copy.copy`` and
    setting the fields did, in a third of the time; the calibration makes one per history)."""
    new = object.__new__(type(node))
    new.__dict__.update(vars(node))
    new.__dict__.update(updates)
    return new
