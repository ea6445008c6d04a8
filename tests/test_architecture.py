"""The package's shape: imports point down the layers (README, 'Where things live') and
never in a circle; every daily series and outcome is declared once and reaches the
tables from its declaration."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from sim.core import outputs
from sim.core.errors import ConfigError
from sim.model import CeasefireModel
from sim.model.monitor import DESIGNS, Monitor, register_design
from sim.run.config import with_values
from sim.run.ensemble import RUNS_SCHEMA, DailyAccumulator

SIM = Path(__file__).resolve().parent.parent / "sim"
#: The names users type (python -m sim.NAME): two-line launchers of sim/cli/NAME.py.
LAUNCHERS = ("score", "discover", "sweep", "docs", "brief", "query")
#: Layers, top to bottom; a module may import only from its own layer or below.
LAYERS = {
    "faces": ("sim.__main__", "sim.cli", "sim.app", "sim.viz_assets", *(f"sim.{c}" for c in LAUNCHERS)),
    "running": ("sim.run",),
    "analysis": ("sim.analysis",),
    "model": ("sim.model",),
    "declarations": ("sim.core",),
}
RANK = {name: len(LAYERS) - i for i, name in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    return next(
        name for name, prefixes in LAYERS.items() if any(module == p or module.startswith(p + ".") for p in prefixes)
    )


def imports_of(path: Path) -> set[str]:
    """The sim modules a module imports, at any depth, type-only imports aside."""
    tree = ast.parse(path.read_text())
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == "sim" or base.startswith("sim."):
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    found.add(
                        candidate
                        if (SIM.parent / (candidate.replace(".", "/") + ".py")).exists()
                        or (SIM.parent / candidate.replace(".", "/")).is_dir()
                        else base
                    )
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sim."))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found - {module_name(path)}


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in SIM.rglob("*.py") if "conf" not in p.parts}


def test_imports_point_down_the_layers():
    wrong = [(src, dst) for src, dsts in graph().items() for dst in dsts if RANK[layer(dst)] > RANK[layer(src)]]
    assert wrong == []


def test_no_import_circles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if nxt not in edges:
                continue
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            walk(node, [node])
    assert cycles == []


def test_every_series_reaches_the_record_and_the_daily_table(config):
    """A declared series is recorded every day and averaged into daily.parquet."""
    model = CeasefireModel(config, rng=3)
    _, series = model.run()
    assert set(series) == set(outputs.SERIES_NAMES)
    acc = DailyAccumulator(config.run.horizon_days + 1)
    acc.add(series, config.run.horizon_days, False)
    columns = set(acc.frame(config.scenario.start_date).columns)
    for s in outputs.SERIES:
        assert ("trade_mean" if s.name == "trade_index" else f"{s.name}_mean") in columns, s.name
    assert all(np.isfinite(series[s.name]).all() for s in outputs.SERIES)


def test_every_outcome_is_a_column_of_runs_parquet_with_its_type(config):
    row, _ = CeasefireModel(config, rng=4).run()
    assert list(row) == list(outputs.OUTCOME_NAMES)
    assert RUNS_SCHEMA.names == [c.name for c in outputs.RUNS_COLUMNS]
    for o in outputs.OUTCOMES:  # the declared type, and the model's value fits it
        assert RUNS_SCHEMA.field(o.name).type == pa.type_for_alias(o.dtype), o.name
        assert pa.array([row[o.name]], type=pa.type_for_alias(o.dtype))[0].as_py() == row[o.name] or (
            row[o.name] != row[o.name]  # NaN
        ), o.name


def test_a_design_with_new_behaviour_is_one_registered_class(config):
    """A mechanism that detects nothing, registered under a new name and chosen by
    mvm.design, runs in place of the standard one; an unregistered name is refused."""

    @register_design("blind_for_test")
    class Blind(Monitor):
        def investigate(self, incident, day):
            return None

    try:
        base = with_values(config, {"parameters.table": None, "mvm.start": "imposed", "mvm.start_day": 0})
        blind = with_values(base, {"mvm.design": "blind_for_test"})
        assert isinstance(CeasefireModel(blind, rng=1).monitor, Blind)
        seen = [CeasefireModel(cfg, rng=s).run()[0]["detected"] for cfg in (base, blind) for s in range(20)]
        assert sum(seen[:20]) > 0 and sum(seen[20:]) == 0
    finally:
        del DESIGNS["blind_for_test"]
    with pytest.raises(ConfigError, match="mvm.design: unknown design 'blind_for_test'"):
        with_values(config, {"mvm.design": "blind_for_test"})


def test_a_mediator_kind_must_be_registered(config):

    with pytest.raises(ConfigError, match="mediation.mediators.turkey.kind: unknown kind 'broker'"):
        with_values(config, {"mediation.mediators.turkey.kind": "broker"})


def test_a_missing_optional_stack_names_the_extra_that_installs_it(monkeypatch):
    """The calibration and decision-support stacks are extras: without one, the message
    says which and how to install it, not a ModuleNotFoundError."""
    import importlib

    from sim.core.errors import UsageError, require

    real = importlib.import_module

    def without_pyabc(name, *args):
        if name.split(".")[0] == "pyabc":
            raise ModuleNotFoundError("No module named 'pyabc'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_pyabc)
    with pytest.raises(UsageError, match=r"needs the 'calibration' extra.*pip install -e '\.\[calibration\]'"):
        require("pyabc")
    assert require("numpy") is real("numpy")


def test_every_module_stays_under_500_lines():
    """A module that grows past 500 lines is split by what it does (ARCHITECTURE.md)."""
    root = SIM.parent
    long = {
        str(p.relative_to(root)): n
        for folder in ("sim", "experiments", "benchmarks")
        for p in (root / folder).rglob("*.py")
        if (n := len(p.read_text().splitlines())) >= 500
    }
    assert long == {}
