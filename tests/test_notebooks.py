"""Every notebook in notebooks/ runs top to bottom (nbclient) on the session's quick study
it reads (as a user points it at a finished one), and fails the test on any error;
notebooks are committed without outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # make test-fast leaves these out (subprocesses, studies, ensembles)

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, quick_study):
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "commit notebooks without outputs"
    reads = {  # the notebook's parameter and the session's quick study it is set to
        "sensitivity": ("RESULTS_DIR", quick_study("sensitivity")),
        "decisions": ("RESULTS_DIR", quick_study("decisions")),
        "truce_survival": ("SWEEP_DIR", quick_study("mechanism_designs") / "sweep"),
        "trade_recovery": ("SWEEP_DIR", quick_study("mechanism_designs") / "sweep"),
    }
    name, folder = reads[path.stem]
    cell = next(c for c in nb.cells if c.cell_type == "code" and f"{name} = None" in c.source)
    cell.source = cell.source.replace(f"{name} = None", f"{name} = {str(folder)!r}")
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any(o.get("output_type") == "display_data" for o in shown)  # the figures were drawn


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"truce_survival", "trade_recovery", "sensitivity", "decisions"}
