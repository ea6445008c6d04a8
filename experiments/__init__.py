"""The studies: each is ``python -m experiments.NAME`` (experiments/base.py), listed once here.

:data:`STUDIES` is the one list the Makefile (``make experiments``: every study at full
size, in this order; ``make figures``: their figures into docs/figures/), the tests (each
study at its ``--quick`` size) and the README's table of studies (``python -m experiments
--readme``) read.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Study

#: Every study, in the order ``make experiments`` runs them (the calibration last: it is
#: the longest, and ``--install`` changes what the others read).
STUDIES = (
    "mechanism_designs",
    "detection_vs_penalty",
    "mediation",
    "whatifs",
    "spoiler_pressure",
    "trade_recovery",
    "zopa",
    "backtest",
    "rolling",
    "decisions",
    "sensitivity",
    "calibration",
)


def study(name: str) -> Study:
    """The study called ``name`` (its module's ``STUDY``)."""
    if name not in STUDIES:
        raise KeyError(f"no study '{name}'; the studies: {', '.join(STUDIES)}")
    return importlib.import_module(f"experiments.{name}").STUDY
