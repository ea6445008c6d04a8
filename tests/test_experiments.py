"""Each experiment script runs its sweep at --quick size and writes its report and figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from sim.core.io import read_parquet

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "mechanism_designs": ["survival.png", "trade.png", "differences.png"],
    "detection_vs_penalty": ["heatmap.png", "survival.png", "trade.png"],
    "mediation": ["rmst.png", "survival.png", "trade.png"],
    "spoiler_pressure": ["dose_response.png", "survival.png", "trade.png"],
    "trade_recovery": ["trade.png", "losses.png", "survival.png"],
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_experiment_quick(name, tmp_path):
    out = tmp_path / name
    proc = subprocess.run(
        [sys.executable, "-m", f"experiments.{name}", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = (out / "results.md").read_text()
    assert "**Headline:**" in report and "| " in report  # the headline and a Markdown table
    headline = (out / "headline.txt").read_text().strip()
    assert len(headline) > 40 and "nan" not in headline
    for fig in FIGURES[name]:
        assert mpimg.imread(out / fig).shape[0] > 100, fig
        assert f"]({fig})" in report
    assert (out / "sweep" / "sweep.parquet").exists()


def test_experiment_rejects_a_bad_override(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "experiments.trade_recovery",
            "--quick",
            "--out",
            str(tmp_path / "x"),
            "run.replicates=-1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert proc.returncode == 2 and "run.replicates" in proc.stderr and "Traceback" not in proc.stderr


def _run_quick(name: str, out: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", f"experiments.{name}", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = (out / "results.md").read_text()
    assert "**Headline:**" in report and "| " in report
    assert "nan" not in (out / "headline.txt").read_text()
    return report


def test_sensitivity_quick(sensitivity_quick):
    """Morris over all 158 parameters, then Sobol over the most influential; a parameter the
    default scenario never uses (the start day of an imposed mechanism, when it must be agreed)
    has an elementary effect of exactly 0 (common random numbers), the top one weeks."""
    out = sensitivity_quick
    report = (out / "results.md").read_text()
    assert "**Headline:**" in report and "| " in report
    for fig in ("morris.png", "sobol.png"):
        assert mpimg.imread(out / fig).shape[0] > 100 and f"]({fig})" in report
    morris = pd.read_csv(out / "morris.csv")
    assert len(morris) == 2 * 158 and set(morris["output"]) == {"rmst_days", "trade90_days"}
    unused = morris.loc[morris["key"] == "mvm.start_day"]
    assert (unused["mu_star"] == 0).all()
    top = morris.loc[(morris["output"] == "rmst_days") & (morris["rank"] == 1)].iloc[0]
    assert top["mu_star"] > 20  # days (two trajectories: too few for a tight interval)
    sobol = pd.read_csv(out / "sobol.csv")
    assert 2 <= sobol["key"].nunique() <= 4 and sobol[["S1", "ST"]].notna().all().all()
    assert len(pd.read_csv(out / "sobol" / "design.csv")) == 8 * (sobol["key"].nunique() + 2)


def test_zopa_quick(tmp_path):
    """The zone of possible agreement over trust x leverage: wherever a package both accept
    exists, the mediators' linked text is one of them, and issue-by-issue offers agree only
    there; more leverage, more trust and later texts (concessions) never shrink the zone,
    nor does putting a mechanism on the table; with a full mechanism in every package
    that could be agreed, trust no longer matters."""
    out = tmp_path / "zopa"
    report = _run_quick("zopa", out)
    for fig in ("zopa.png", "issues.png"):
        assert mpimg.imread(out / fig).shape[0] > 100 and f"]({fig})" in report
    grid = pd.read_csv(out / "zopa.csv")
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


def test_calibration_quick(tmp_path):
    """ABC-SMC, rejection, checks, SBC, forecasts and backtest at --quick size: a valid
    posterior parameter table, every report figure, the default table untouched."""
    from sim.core.schema import CONF_DIR
    from sim.run.config import default_config, with_values

    installed = (CONF_DIR / "calibration" / "posterior.csv").read_bytes()
    out = tmp_path / "calibration"
    report = _run_quick("calibration", out)
    for fig in ("posterior.png", "checks.png", "sbc.png", "forecast.png", "backtest.png"):
        assert mpimg.imread(out / fig).shape[0] > 100 and f"]({fig})" in report
    posterior = pd.read_csv(out / "posterior.csv")
    draws = read_parquet(out / "draws.parquet")
    assert len(draws) == 3000 and len(posterior) == 4000
    assert {"record_seed", "record_day"} <= set(posterior.columns)
    backtest = pd.read_csv(out / "backtest.csv")
    assert len(backtest) == 5 and backtest[["log", "crps", "ref_log", "ref_crps"]].notna().all().all()
    config = with_values(default_config(), {"parameters.table": str(out / "posterior.csv")})  # a valid table
    assert config.parameters.table.endswith("posterior.csv")
    assert (CONF_DIR / "calibration" / "posterior.csv").read_bytes() == installed
