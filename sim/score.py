"""``python -m sim.score``: the command's name; it lives in :mod:`sim.cli.score`."""

from sim.cli.score import main

if __name__ == "__main__":
    raise SystemExit(main())
