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


def test_the_generated_numbers_are_those_of_the_committed_outputs():
    """Every run-produced number of README.md and docs/*.md is written from docs/figures/
    and docs/studies/ (python -m sim.docs --all): none differs from them."""
    assert main(["--all", "--check"]) == 0, "run `python -m sim.docs --all` (or `make figures` for new outputs)"


def copy_of_the_docs(tmp_path: Path) -> Path:
    """README.md and docs/ (with the committed outputs), copied to edit."""
    import shutil

    shutil.copyfile(ROOT / "README.md", tmp_path / "README.md")
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("*.png", "context"))
    return tmp_path


def test_the_check_fails_on_a_stale_number(tmp_path, capsys):
    root = copy_of_the_docs(tmp_path)
    assert main(["--all", "--check", "--root", str(root)]) == 0
    readme = root / "README.md"
    text = readme.read_text()
    block = text.split("<!-- generated: forecast ", 1)[1].split("<!-- generated: forecast end -->", 1)[0]
    stale = re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), block, count=1)  # one digit off
    readme.write_text(text.replace(block, stale))
    assert main(["--all", "--check", "--root", str(root)]) == 1
    assert "README.md: forecast" in capsys.readouterr().err
    summary = root / "docs" / "figures" / "summary.json"  # a new output: the docs follow it
    summary.write_text(summary.read_text().replace('"diverted_end_mean": ', '"diverted_end_mean": 0.5, "x": '))
    assert main(["--all", "--root", str(root)]) == 0
    assert main(["--all", "--check", "--root", str(root)]) == 0
    assert "50% of the trade is on other routes" in (root / "README.md").read_text()


LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_relative_link_of_the_readme_and_the_docs_resolves():
    """Links to files of the repository exist, and a link to a heading of a Markdown file
    names one of its headings."""
    broken = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in LINK.findall(doc.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.exists():
                broken.append(f"{doc.name}: {target}")
            elif anchor and file.suffix == ".md":
                headings = {slug(h) for h in re.findall(r"(?m)^#{1,6} (.+)$", file.read_text())}
                if anchor not in headings:
                    broken.append(f"{doc.name}: {target} (no such heading)")
    assert broken == []
