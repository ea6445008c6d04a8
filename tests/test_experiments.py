"""Each experiment script runs its sweep at --quick size and writes its report and figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pytest

EXPERIMENTS = Path(__file__).resolve().parent.parent / "experiments"
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
    proc = subprocess.run([sys.executable, str(EXPERIMENTS / f"{name}.py"), "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
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
    proc = subprocess.run([sys.executable, str(EXPERIMENTS / "trade_recovery.py"), "--quick", "--out", str(tmp_path / "x"),
                           "run.replicates=-1"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2 and "run.replicates" in proc.stderr and "Traceback" not in proc.stderr
