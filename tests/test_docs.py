"""The documentation matches the code."""

from __future__ import annotations

import re
from pathlib import Path

from sim.cli.docs import DOC, main
from sim.core.schema import group_options

ROOT = Path(__file__).resolve().parent.parent


def test_parameter_table_is_up_to_date():
    assert main(["--check"]) == 0, "run `python -m sim.docs` to regenerate the table in docs/model.md"


def test_every_config_key_is_in_the_parameter_table():
    table = DOC.read_text()
    for key in (
        "mvm.detection_prob",
        "mvm.penalty",
        "states.accident_rate",
        "spoilers.attack_rate",
        "mediation.round_interval_days",
        "run.replicates",
        "scenario.crossings.torkham.trucks_per_day",
    ):
        assert f"| {key} |" in table


def test_readme_names_the_real_options_and_make_targets():
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make run" in readme and "make test" in readme
    for target in ("run", "test", "lint", "bench"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    for group in ("mvm", "mediation"):
        for option in group_options(group):
            assert f"`{option}`" in readme, f"README does not mention {group}={option}"
