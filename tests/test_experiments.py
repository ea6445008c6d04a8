"""Every study of the registry (experiments/__init__.py) runs at its --quick size, once for
the session, and writes its report, headline and figures; the study-specific checks."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest
from helpers import sim

from experiments import STUDIES, study
from sim.core.io import read_parquet

pytestmark = pytest.mark.slow  # make test-fast leaves these out (subprocesses, studies, ensembles)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", STUDIES)
def test_study_quick_writes_its_report(name, quick_study):
    """results.md with a headline and a table, headline.txt, study.json, and every figure
    the report shows."""
    out = quick_study(name)
    report = (out / "results.md").read_text()
    assert "**Headline:**" in report and "| " in report  # the headline and a Markdown table
    headline = (out / "headline.txt").read_text().strip()
    assert len(headline) > 40 and "nan" not in headline
    assert json.loads((out / "study.json").read_text())["quick"] is True
    figures = [line[line.index("](") + 2 : -1] for line in report.splitlines() if line.startswith("![")]
    assert figures
    for fig in figures:
        assert mpimg.imread(out / fig).shape[0] > 100, fig


def test_the_registry_names_every_study_module():
    """A module of experiments/ with a STUDY is in the registry, and each registered name
    is its module's STUDY."""
    modules = {p.stem for p in (ROOT / "experiments").glob("*.py") if "STUDY = " in p.read_text()}
    assert modules == set(STUDIES)
    for name in STUDIES:
        assert study(name).name == name and study(name).question.endswith("?")


def test_grid_studies_key_their_points_by_value(quick_study):
    """The points of a grid study are read back typed (a number is a number), and the
    comparison names its baseline."""
    out = quick_study("spoiler_pressure")
    points = read_parquet(out / "sweep" / "sweep.parquet")
    assert points["spoilers.attack_rate"].tolist() == [0, 2, 4, 0, 2, 4]
    assert pd.api.types.is_integer_dtype(points["spoilers.attack_rate"])
    comp = pd.read_csv(out / "sweep" / "comparison.csv")
    base = comp.loc[comp["baseline"]].iloc[0]
    assert (base["mvm"], base["spoilers.attack_rate"]) == ("none", 2)


def test_a_study_refuses_a_bad_override(tmp_path):
    proc = sim("--quick", "--out", str(tmp_path / "x"), "run.replicates=-1", module="experiments.trade_recovery")
    assert proc.returncode == 2 and "run.replicates" in proc.stderr and "Traceback" not in proc.stderr


def test_sensitivity_quick(sensitivity_quick):
    """Morris over all 170 parameters, then Sobol over the most influential; a parameter the
    default scenario never uses (the start day of an imposed mechanism, when it must be agreed)
    has an elementary effect of exactly 0 (common random numbers), the top one weeks."""
    out = sensitivity_quick
    morris = pd.read_csv(out / "morris.csv")
    assert len(morris) == 2 * 170 and set(morris["output"]) == {"rmst_days", "trade90_days"}
    unused = morris.loc[morris["key"] == "mvm.start_day"]
    assert (unused["mu_star"] == 0).all()
    top = morris.loc[(morris["output"] == "rmst_days") & (morris["rank"] == 1)].iloc[0]
    assert top["mu_star"] > 20  # days (two trajectories: too few for a tight interval)
    sobol = pd.read_csv(out / "sobol.csv")
    assert 2 <= sobol["key"].nunique() <= 4 and sobol[["S1", "ST"]].notna().all().all()
    assert len(pd.read_csv(out / "sobol" / "design.csv")) == 8 * (sobol["key"].nunique() + 2)


def test_zopa_quick(quick_study):
    """The zone of possible agreement over trust x leverage: wherever a package both accept
    exists, the mediators' linked text is one of them, and issue-by-issue offers agree only
    there; more leverage, more trust and later texts (concessions) never shrink the zone,
    nor does putting a mechanism on the table; with a full mechanism in every package
    that could be agreed, trust no longer matters."""
    grid = pd.read_csv(quick_study("zopa") / "zopa.csv")
    assert len(grid) == 2 * 2 * 2 * 11 * 11 and grid["zone_size"].between(0, 1024).all()
    some = grid["zone_size"] > 0
    assert 0 < some.mean() < 1  # the grid spans no zone and a zone
    assert (grid["linked_agrees"] == some).all()
    assert (~grid["piecemeal_agrees"] | some).all()
    settings = ["grievance", "agenda"]
    for along, by in (
        ("pressure", ["text", "trust"]),
        ("trust", ["text", "pressure"]),
        ("text", ["trust", "pressure"]),
    ):
        for _, g in grid.groupby([*settings, *by]):
            assert g.sort_values(along)["zone_size"].is_monotonic_increasing, (along, g)
    wide = grid.pivot_table(index=["grievance", "text", "trust", "pressure"], columns="agenda", values="zone_size")
    assert (wide["mechanism on the table"] >= wide["no mechanism on the table"]).all()
    off = grid[grid["agenda"] == "no mechanism on the table"]
    assert off.groupby(["grievance", "text", "pressure"])["zone_size"].nunique().max() > 1  # trust matters here


def test_calibration_quick(quick_study):
    """ABC-SMC, rejection, checks, SBC, forecasts and backtest at --quick size: a valid
    posterior parameter table, the default table untouched."""
    from sim.core.schema import CONF_DIR
    from sim.run.config import default_config, with_values

    installed = (CONF_DIR / "calibration" / "posterior.csv").read_bytes()
    out = quick_study("calibration")
    posterior = pd.read_csv(out / "posterior.csv")
    draws = read_parquet(out / "draws.parquet")
    assert len(draws) == 3000 and len(posterior) == 4000
    assert {"record_seed", "record_day"} <= set(posterior.columns)
    backtest = pd.read_csv(out / "backtest.csv")
    assert len(backtest) == 5 and backtest[["log", "crps", "ref_log", "ref_crps"]].notna().all().all()
    config = with_values(default_config(), {"parameters.table": str(out / "posterior.csv")})  # a valid table
    assert config.parameters.table.endswith("posterior.csv")
    assert (CONF_DIR / "calibration" / "posterior.csv").read_bytes() == installed


def test_the_readme_table_of_studies_is_the_shipped_one():
    """The README's table is generated from the registry and docs/studies/ (python -m
    experiments --readme): every study is in it, and it is up to date."""
    from experiments.__main__ import readme_table, write_readme

    table = readme_table()
    for name in STUDIES:
        assert f"`python -m experiments.{name}`" in table
    assert write_readme(check=True) == 0
