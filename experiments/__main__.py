"""``python -m experiments``: every study, or its registry's other uses.

python -m experiments                 every study at full size, in order (make experiments)
python -m experiments --quick         every study at --quick size
python -m experiments --list          the studies' names, one a line
python -m experiments --figures       copy each study's figures into docs/figures/ (make figures)
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from . import STUDIES, study
from .base import RESULTS

DOCS_FIGURES = Path(__file__).resolve().parent.parent / "docs" / "figures"


def copy_figures(results: Path = RESULTS, figures: Path = DOCS_FIGURES) -> list[str]:
    """Each study's figures (its ``docs_figures``) from its results folder into docs/figures/;
    the names of those missing (a study not run yet)."""
    missing = []
    for name in STUDIES:
        for fig, dest in study(name).docs_figures.items():
            src = results / name / fig
            if not src.is_file():
                missing.append(f"{name}/{fig}")
                continue
            (figures / dest).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, figures / dest)
            print(f"{src} -> {figures / dest}")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m experiments", description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="the studies' names")
    parser.add_argument("--figures", action="store_true", help="copy the studies' figures into docs/figures/")
    parser.add_argument("--quick", action="store_true", help="every study at its --quick size")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(STUDIES))
        return 0
    if args.figures:
        missing = copy_figures()
        for m in missing:
            print(f"missing {m} (run python -m experiments.{m.split('/')[0]} first)", file=sys.stderr)
        return 0
    for name in STUDIES:
        study(name).main(["--quick"] if args.quick else [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
