"""The typed schema of every knob, with its range, meaning, source and role.

The values live in the Hydra tree under ``conf/``; this package is the one place that
says what each key is, what is allowed, and where its default comes from: the knobs are
declared by section (:mod:`.case`: run settings and the case; :mod:`.conflict`: the states,
the militants, breaches and collapse; :mod:`.border`: the crossings and trade;
:mod:`.talks`: the negotiation, the mechanism, the mediators) with :func:`.knobs.knob`,
and :class:`Config` is their root. The tree is walked in one place: :func:`leaves`
(every leaf of a config, with its declaration: the docs' parameter table, the
sensitivity factors, the calibrated parameters) and :func:`field_at` (the declared type
at a dotted key: the command-line checks); :func:`set_values` sets dotted keys.

The parameter table of ``docs/model.md`` is generated from this schema
(``python -m sim.docs``), so documentation and code cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .border import CrossingsConfig
from .case import (
    SCENARIO_SOURCE,
    CrossingInit,
    DefinitionsConfig,
    ForecastConfig,
    ParametersConfig,
    Round,
    RunConfig,
    ScenarioConfig,
    StateInit,
)
from .conflict import BreachesConfig, ChoicesConfig, CollapseConfig, SpoilersConfig, StatesConfig
from .knobs import Leaf, build, knob, leaves, set_values, to_dict, type_hints
from .talks import (
    AGENDA,
    ImplementationConfig,
    IssueConfig,
    IssuePosition,
    MediationConfig,
    MediatorConfig,
    MvmConfig,
    NegotiationConfig,
)

__all__ = [
    "AGENDA",
    "CONFIG_GROUPS",
    "CONF_DIR",
    "LEVER_GROUPS",
    "SCENARIO_SOURCE",
    "BreachesConfig",
    "ChoicesConfig",
    "CollapseConfig",
    "Config",
    "CrossingInit",
    "CrossingsConfig",
    "DefinitionsConfig",
    "ForecastConfig",
    "ImplementationConfig",
    "IssueConfig",
    "IssuePosition",
    "Leaf",
    "MediationConfig",
    "MediatorConfig",
    "MvmConfig",
    "NegotiationConfig",
    "ParametersConfig",
    "Round",
    "RunConfig",
    "ScenarioConfig",
    "SpoilersConfig",
    "StateInit",
    "StatesConfig",
    "build",
    "field_at",
    "group_options",
    "keys_under",
    "knob",
    "readable_name",
    "leaves",
    "set_values",
    "to_dict",
]

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


CONFIG_GROUPS = ("scenario", "mvm", "mediation", "whatif")


#: Config groups whose option is a policy lever (decision support: sim/analysis/discovery.py).
LEVER_GROUPS = ("mvm", "mediation")


@dataclass(frozen=True)
class Config:
    run: RunConfig = knob("run settings")
    scenario: ScenarioConfig = knob("the case")
    states: StatesConfig = knob("behaviour of the two states")
    spoilers: SpoilersConfig = knob("militant spoilers")
    crossings: CrossingsConfig = knob("border crossings and trade")
    negotiation: NegotiationConfig = knob(
        "the rounds of talks as bargaining", source="Istanbul 25-30 Oct (trtworld.com), 6 Nov 2025 (seed article)"
    )
    implementation: ImplementationConfig = knob(
        "from agreed modalities to the ground: provisions carried out or reneged"
    )
    collapse: CollapseConfig = knob("when the truce breaks down, and how it is renewed")
    breaches: BreachesConfig = knob("what each party counts as a breach")
    choices: ChoicesConfig = knob("the governments' choices: crackdowns, strikes, trade suspensions")
    definitions: DefinitionsConfig = knob("the coded definitions of a broken truce (sim/core/events.py)")
    mvm: MvmConfig = knob("monitoring-and-verification mechanism")
    mediation: MediationConfig = knob("mediators")
    parameters: ParametersConfig = knob("behavioural parameters drawn from a table (sim/run/parameters.py)")
    forecast: ForecastConfig = knob(
        "the record a forecast is conditioned on and the day it is made (sim/run/forecast.py)"
    )


def group_options(group: str) -> list[str]:
    """The options of a config group: the YAML files in conf/<group>/."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def field_at(path: list[str]) -> tuple[Any, list[str]]:
    """Walk the schema's types along ``path``; return (type at the end, the unknown part)."""
    tp: Any = Config
    for depth, part in enumerate(path):
        if dataclasses.is_dataclass(tp):
            hints = type_hints(tp)
            if part not in hints:
                return None, path[: depth + 1]
            tp = hints[part]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]  # any name is allowed for a mapping entry
        elif typing.get_origin(tp) is list:
            if not part.isdigit():
                return None, path[: depth + 1]
            tp = typing.get_args(tp)[0]
        else:
            return None, path[: depth + 1]
    return tp, []


def keys_under(path: list[str]) -> str:
    """The keys allowed under ``path``, for a message."""
    tp, _ = field_at(path)
    if dataclasses.is_dataclass(tp):
        return ", ".join(f.name for f in dataclasses.fields(tp))
    return "(none: it is a single value)"


#: Longest readable name of a knob (a figure's tick label).
NAME_CHARS = 60


def _meta_at(path: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The declaration (knob metadata) of the leaf at ``path``, and what it belongs to on
    the way (a party, a mediator, an issue: mapping entries and sub-sections below the
    top-level section); ``{}`` if unknown."""
    tp: Any = Config
    meta: dict[str, Any] = {}
    entries: list[str] = []
    for depth, part in enumerate(path):
        if dataclasses.is_dataclass(tp):
            fields = {f.name: f for f in dataclasses.fields(tp)}
            if part not in fields:
                return {}, entries
            meta, tp = dict(fields[part].metadata), type_hints(tp)[part]
            if depth > 0 and dataclasses.is_dataclass(tp):
                entries.append(part)
        elif typing.get_origin(tp) is dict:
            entries.append(part)
            tp = typing.get_args(tp)[1]
        else:
            return {}, entries
    return meta, entries


def readable_name(key: str, limit: int = NAME_CHARS) -> str:
    """A knob's name for a reader (a figure's label), from its declared meaning: the
    meaning's first clause, after the party, mediator or issue it belongs to, e.g.
    ``scenario.afghanistan.trust`` -> "Afghanistan: initial trust in the other state".
    The key itself for a key the schema does not declare."""
    meta, entries = _meta_at(key.split("."))
    doc = str(meta.get("doc", ""))
    if not doc:
        return key
    for prefix in ("lever: ", "deep uncertainty: "):
        doc = doc.removeprefix(prefix)
    head, colon, tail = doc.partition(": ")
    if colon and head[:1].isupper() and len(head.split()) <= 3:  # a citation first: "Wu & Axelrod: chance ..."
        doc = tail
    for stop in (" (", "; ", ": ", ", e.g."):
        doc = doc.split(stop, 1)[0]
    text = ", ".join(e.replace("_", " ").capitalize() for e in entries)
    text = f"{text[:1].upper()}{text[1:]}: {doc}" if text else doc[:1].upper() + doc[1:]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
