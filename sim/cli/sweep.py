"""``python -m sim.sweep DIR [--baseline KEY=VALUE]``: aggregate a sweep folder again.

Also one in which some jobs failed or never ran: it names them and aggregates the rest
(:mod:`sim.run.aggregate`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.errors import ConfigError, UsageError
from ..run.aggregate import aggregate
from ..run.places import check_out_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.sweep",
        description="Aggregate a sweep folder (python -m sim -m ...) into sweep.parquet, runs.parquet, "
        "comparison.csv and the sweep figures. Exit 0 if every job is complete, 1 if some are not "
        "(the rest are aggregated), 2 if nothing can be aggregated.",
    )
    parser.add_argument("sweep_dir", type=Path, help="the sweep folder (hydra.sweep.dir)")
    parser.add_argument(
        "--baseline",
        help="the baseline point as key=value[,key=value] (default: the one the sweep "
        "was run with, hydra.callbacks.sweep.baseline, else the first point)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    try:
        check_out_dir(args.sweep_dir, "the sweep folder")
        sweep = aggregate(args.sweep_dir, args.baseline, quiet=args.quiet)
    except (ConfigError, UsageError) as err:
        print(f"ceasefire-sim: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"ceasefire-sim: cannot write into '{args.sweep_dir}': {err.strerror or err}.", file=sys.stderr)
        return 2
    return 1 if sweep.not_complete else 0
