"""``python -m sim.query``: the command's name; it lives in :mod:`sim.cli.query`."""

from sim.cli.query import main

if __name__ == "__main__":
    raise SystemExit(main())
