"""Every notebook in notebooks/ runs top to bottom (nbclient) on the small sweep it makes
itself, and fails the test on any error; notebooks are committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, request):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    quick = {"sensitivity": "sensitivity_quick", "decisions": "discovery_quick"}
    if path.stem in quick:  # read the session's quick study, as a user sets RESULTS_DIR to a finished one
        results = request.getfixturevalue(quick[path.stem])
        cell = next(c for c in nb.cells if c.cell_type == "code" and "RESULTS_DIR = None" in c.source)
        cell.source = cell.source.replace("RESULTS_DIR = None", f"RESULTS_DIR = {str(results)!r}")
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any(o.get("output_type") == "display_data" for o in shown)  # the figures were drawn


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"truce_survival", "trade_recovery", "sensitivity", "decisions"}
